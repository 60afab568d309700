/**
 * The identity guard: a change of `namespace`, `masterName` or `clusterDomain` on a running
 * deployment is refused at preview (the provider's `check` against the state's inputs), naming
 * the option, both values and what to do; a first `up`, a stack from before the guard, an
 * unchanged `up` and a value unknown at preview pass. Under mocks: declared for every
 * deployment, before the seed pod; after Pulumi's closure serialization the same.
 */
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { RedisSentinel } from "../../../src";
import { identityChangeProblems, makeIdentityGuardProvider, type IdentityGuardInputs } from "../../../src/guards/identity";
import { installMocks, SEED_POD_TYPE } from "../support/mockedPulumi";
import { serializedMethod } from "../support/serialized";

const GUARD_TYPE = "pulumi-nodejs:dynamic/redis-sentinel:IdentityGuard";
const running: IdentityGuardInputs = { namespace: "data", masterName: "mymaster", clusterDomain: "cluster.local", redisSet: "cache-redis", sentinelSet: "cache-sentinel" };

describe("the identity guard", function () {
    this.timeout(30_000);

    it("refuses a new namespace, master name or cluster domain on a running deployment, naming the option, both values and the way forward", () => {
        const [ns] = identityChangeProblems(running, { ...running, namespace: "apps" });
        assert.match(ns, /option `namespace` cannot change on a running deployment: "data" -> "apps"/);
        assert.match(ns, /a new, empty deployment in namespace "apps" while the one in "data" is deleted/);
        assert.match(ns, /Nothing was changed\. Set it back to "data"; to change it, deploy a second RedisSentinel/);
        const [mn] = identityChangeProblems(running, { ...running, masterName: "cache" });
        assert.match(mn, /option `masterName` cannot change .*"mymaster" -> "cache".*ask the Sentinels for "mymaster" and find no master/);
        const [cd] = identityChangeProblems(running, { ...running, clusterDomain: "corp.local" });
        assert.match(cd, /option `clusterDomain` cannot change .*"cluster\.local" -> "corp\.local".*if "cluster\.local" was wrong and the deployment never worked, `pulumi destroy` and `pulumi up` again/);
        assert.equal(identityChangeProblems(running, { ...running, namespace: "apps", masterName: "cache" }).length, 2, "one reason per option");
    });

    it("passes a first up, a stack from before the guard, an unchanged up, and a value unknown at preview", () => {
        assert.deepEqual(identityChangeProblems(undefined, running), []);
        assert.deepEqual(identityChangeProblems({}, running), []);
        assert.deepEqual(identityChangeProblems(running, { ...running }), []);
        assert.deepEqual(identityChangeProblems(running, { ...running, namespace: pulumi.runtime.unknownValue as string }), []);
        // Set names follow the component's name, which is not guarded here (another name is another component).
        assert.deepEqual(identityChangeProblems(running, { ...running, redisSet: "other-redis" }), []);
    });

    it("refuses the same after Pulumi's closure serialization (as the dynamic provider runs)", async () => {
        const provider = makeIdentityGuardProvider();
        const check = await serializedMethod(provider.check!);
        assert.deepEqual((await check({}, running)).failures, []);
        assert.deepEqual((await check(running, running)).failures, []);
        assert.match((await check(running, { ...running, namespace: "apps" })).failures![0]!.reason, /`namespace` cannot change/);
    });

    it("is declared for every deployment with its namespace, master name and domain, and the seed pod waits for it", async () => {
        const run = installMocks();
        new RedisSentinel("cache", { namespace: "data", masterName: "sessions" });
        await run.settle();
        const [guard] = run.byType(GUARD_TYPE);
        assert.ok(guard, "no identity guard registered");
        assert.deepEqual({ namespace: guard.inputs.namespace, masterName: guard.inputs.masterName, clusterDomain: guard.inputs.clusterDomain },
            { namespace: "data", masterName: "sessions", clusterDomain: "cluster.local" });
        assert.ok(run.byType(SEED_POD_TYPE)[0].dependencies.includes(guard.urn), "the seed pod waits for the guard");
    });
});
