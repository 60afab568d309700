/**
 * The TLS guard: turning TLS on or off on a running deployment is refused at preview (the
 * provider's `check` against the state's inputs), naming the option, both states and what to do;
 * a first `up`, a stack from before the guard and an unchanged `up` pass. Under mocks: declared
 * for every deployment, before the seed pod; after Pulumi's closure serialization the same.
 */
import { strict as assert } from "assert";
import { RedisSentinel } from "../../src";
import { makeTlsGuardProvider, tlsChangeProblems, type TlsGuardInputs } from "../../src/tls/guard";
import { installMocks, SEED_POD_TYPE } from "./support/mockedPulumi";
import { serializedMethod } from "./support/serialized";

const GUARD_TYPE = "pulumi-nodejs:dynamic/redis-sentinel:TlsGuard";
const off: TlsGuardInputs = { enabled: false, redisSet: "cache-redis", sentinelSet: "cache-sentinel" };
const on: TlsGuardInputs = { ...off, enabled: true };

describe("the TLS guard", function () {
    this.timeout(30_000);

    it("refuses turning TLS on, and off, on a running deployment, naming the option, both states and the way forward", () => {
        const [toOn] = tlsChangeProblems(off, on);
        assert.match(toOn, /option `tls` cannot be turned on on a running deployment \(off -> on\)/);
        assert.match(toOn, /StatefulSets "cache-redis" and "cache-sentinel"/);
        assert.match(toOn, /Nothing was changed\. To go on, remove `tls\.secretName` \/ `tls\.issuer`/);
        assert.match(toOn, /deploy a second RedisSentinel/);
        const [toOff] = tlsChangeProblems(on, off);
        assert.match(toOff, /cannot be turned off .*\(on -> off\).*set `tls\.secretName` or `tls\.issuer` back/);
    });

    it("passes a first up, a stack from before the guard, and an unchanged up", () => {
        assert.deepEqual(tlsChangeProblems(undefined, on), []);
        assert.deepEqual(tlsChangeProblems({}, on), []);
        assert.deepEqual(tlsChangeProblems(on, on), []);
        assert.deepEqual(tlsChangeProblems(off, off), []);
    });

    it("refuses the same after Pulumi's closure serialization (as the dynamic provider runs)", async () => {
        const provider = makeTlsGuardProvider();
        const check = await serializedMethod(provider.check!);
        assert.deepEqual((await check({}, on)).failures, []);
        assert.deepEqual((await check(on, on)).failures, []);
        assert.match((await check(off, on)).failures![0]!.reason, /`tls` cannot be turned on/);
    });

    it("is declared for every deployment, with tls.enabled, and the seed pod waits for it", async () => {
        for (const [args, enabled] of [[{}, false], [{ tls: { secretName: "redis-tls" } }, true]] as const) {
            const run = installMocks();
            new RedisSentinel("cache", { namespace: "data", ...args });
            await run.settle();
            const [guard] = run.byType(GUARD_TYPE);
            assert.ok(guard, "no TLS guard registered");
            assert.deepEqual({ enabled: guard.inputs.enabled, redisSet: guard.inputs.redisSet, sentinelSet: guard.inputs.sentinelSet },
                { enabled, redisSet: "cache-redis", sentinelSet: "cache-sentinel" });
            assert.ok(run.byType(SEED_POD_TYPE)[0].dependencies.includes(guard.urn), "the seed pod waits for the guard");
        }
    });
});
