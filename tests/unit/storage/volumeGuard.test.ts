/**
 * The volume guard: a change of `persistence.enabled`, `size`, `sentinelSize` or `storageClass`
 * on a running deployment would make Pulumi replace the StatefulSets (Kubernetes cannot change
 * their volumeClaimTemplates): every pod at once, and with persistence turned off all data lost.
 * The component declares a VolumeGuard before the seed pod; its provider's `check(olds, news)`,
 * which the engine runs at preview with the state's inputs as `olds`, refuses such a change.
 */
import { strict as assert } from "assert";
import { RedisSentinel, type RedisSentinelArgs } from "../../../src";
import { makeVolumeGuardProvider, volumeChangeProblems, type VolumeGuardInputs } from "../../../src/storage";
import { installMocks, type MockedRun } from "../support/mockedPulumi";
import { serializedMethod } from "../support/serialized";

const GUARD_TYPE = "pulumi-nodejs:dynamic/redis-sentinel:VolumeGuard";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Struct } = require("google-protobuf/google/protobuf/struct_pb") as { Struct: { fromJavaScript(v: object): unknown } };

async function deploy(args: RedisSentinelArgs): Promise<MockedRun> {
    const run = installMocks();
    new RedisSentinel("cache", { namespace: "data", ...args });
    await run.settle();
    return run;
}

/** The guard's inputs as the component registers them for these args (what `check` gets as `news`, and later as `olds`). */
async function guardInputs(args: RedisSentinelArgs): Promise<VolumeGuardInputs> {
    const [guard] = (await deploy(args)).byType(GUARD_TYPE);
    assert.ok(guard, "no volume guard registered");
    const { __provider: _p, ...inputs } = guard.inputs as VolumeGuardInputs & { __provider?: string };
    return inputs;
}

describe("the volume guard under Pulumi mocks", function () {
    this.timeout(30_000);

    it("is declared before the seed pod (so before both StatefulSets), with the volume options", async () => {
        const run = await deploy({ persistence: { size: "2Gi" } });
        const [guard] = run.byType(GUARD_TYPE);
        assert.equal(guard?.name, "cache-volume-guard");
        assert.ok(run.byName("cache-seed").dependencies.includes(guard!.urn), "the seed (and the sets after it) may start before the guard");
        assert.ok(run.byName("cache-redis").dependencies.includes(run.byName("cache-seed").urn));
        assert.deepEqual(await guardInputs({ persistence: { size: "2Gi" } }),
            { enabled: true, size: "2Gi", sentinelSize: "64Mi", storageClass: "", redisSet: "cache-redis", sentinelSet: "cache-sentinel" });
    });

    it("a change of each volume option between two `pulumi up`s is refused by check, naming the option, both values and the procedure; the same options pass", async () => {
        const provider = makeVolumeGuardProvider();
        const base = await guardInputs({});
        const same = await provider.check!(base, await guardInputs({}));
        assert.deepEqual(same.failures, []);
        const cases: [RedisSentinelArgs, RegExp][] = [
            [{ persistence: { size: "2Gi" } }, /option `persistence\.size` cannot change on a running deployment: "1Gi" -> "2Gi"\..*Set it back to "1Gi"; to grow the volumes, .*kubectl patch pvc data-cache-redis-<ordinal>/],
            [{ persistence: { sentinelSize: "128Mi" } }, /option `persistence\.sentinelSize` cannot change .*"64Mi" -> "128Mi".*kubectl patch pvc sentinel-cache-sentinel-<ordinal>/],
            [{ persistence: { storageClass: "fast" } }, /option `persistence\.storageClass` cannot change .*: unset \(the cluster's default\) -> "fast".*deploy a second RedisSentinel/],
            [{ persistence: { enabled: false } }, /option `persistence\.enabled` cannot change .*: true -> false.*all data lost/],
        ];
        for (const [args, message] of cases) {
            const result = await provider.check!(base, await guardInputs(args));
            assert.equal(result.failures?.length, 1, JSON.stringify(args));
            assert.match(result.failures![0]!.reason, message);
            assert.match(result.failures![0]!.reason, /StatefulSets "cache-redis" and "cache-sentinel".*Nothing was changed.*README\.md, "Changing the volumes"/);
        }
    });
});

describe("volumeChangeProblems and the provider", () => {
    const news: VolumeGuardInputs = { enabled: true, size: "1Gi", sentinelSize: "64Mi", storageClass: "", redisSet: "c-redis", sentinelSet: "c-sentinel" };

    it("passes a first `pulumi up` and the upgrade of a stack made before the guard existed (no olds), and an unchanged `up`", () => {
        assert.deepEqual(volumeChangeProblems(undefined, news), []);
        assert.deepEqual(volumeChangeProblems({}, news), []);
        assert.deepEqual(volumeChangeProblems({ ...news }, news), []);
    });

    it("refuses turning persistence on as well, and names every changed option", () => {
        const off = { ...news, enabled: false };
        assert.match(volumeChangeProblems(off, news).join(), /`persistence\.enabled` .*false -> true.*persistence on/);
        assert.equal(volumeChangeProblems({ ...news, size: "2Gi", storageClass: "x" }, news).length, 2);
    });

    it("without persistence the sizes and class shape no claim: changing them passes", () => {
        const off = { ...news, enabled: false };
        assert.deepEqual(volumeChangeProblems(off, { ...off, size: "5Gi", storageClass: "fast" }), []);
    });

    it("refresh keeps the state as it is, diff reports no change when nothing changed, and every result passes the engine's wire format", async () => {
        const provider = makeVolumeGuardProvider();
        const created = await provider.create!(news);
        Struct.fromJavaScript(created.outs);
        assert.deepEqual(await provider.read!("c-redis", created.outs), { id: "c-redis", props: created.outs });
        assert.equal((await provider.diff!("c-redis", created.outs, news)).changes, false);
        Struct.fromJavaScript(await provider.check!(created.outs, news));
        Struct.fromJavaScript(await provider.check!(created.outs, { ...news, size: "3Gi" }));
    });

    it("refuses the same after Pulumi's closure serialization (as the dynamic provider runs)", async () => {
        const provider = makeVolumeGuardProvider();
        const check = await serializedMethod(provider.check!);
        assert.deepEqual((await check({}, news)).failures, []);
        assert.match((await check(news, { ...news, size: "2Gi" })).failures![0]!.reason, /`persistence\.size` cannot change .*"1Gi" -> "2Gi"/);
    });
});
