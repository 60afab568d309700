/**
 * Day-two changes under Pulumi mocks: what a change rolls. A scale changes no pod template
 * (the host lists live in the scripts ConfigMap, read at use time); a change of the scripts
 * changes both templates (their checksum annotation).
 */
import { strict as assert } from "assert";
import { DYNAMIC_TYPE, installMocks } from "./support/mockedPulumi";
import { RedisSentinel } from "../../src";
import { SCRIPTS_CHECKSUM_ANNOTATION, scriptsChecksum } from "../../src/manifests/config";
import { buildManifests } from "../../src/manifests";
import { scriptFiles } from "../../src/scripts";
import { resolveSpec } from "../../src/options/validate";

function render(scripts: Record<string, string>) {
    const { password: _p, kubeconfig: _k, namespace: _n, ...rest } = resolveSpec("cache", {});
    return buildManifests({ ...rest, namespace: "data" }, scripts);
}

const STATEFUL_SET = "kubernetes:apps/v1:StatefulSet";
const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";
const SEED_RETIREMENT = DYNAMIC_TYPE;

async function deploy(args: ConstructorParameters<typeof RedisSentinel>[1]) {
    const run = installMocks();
    new RedisSentinel("cache", { namespace: "data", ...args });
    await run.settle();
    const set = (which: "redis" | "sentinel") => run.byType(STATEFUL_SET).find((r) => r.name === `cache-${which}`)!.inputs.spec;
    const configMap = run.byType(CONFIG_MAP).find((r) => r.name === "cache-scripts")!.inputs.data as Record<string, string>;
    const retirementQuorum = run.byType(SEED_RETIREMENT).find((r) => r.name === "cache-seed-retirement")?.inputs.quorum as number | undefined;
    return { redis: set("redis"), sentinel: set("sentinel"), configMap, retirementQuorum };
}

describe("day-two changes under Pulumi mocks", function () {
    this.timeout(20_000);

    it("scaling either set changes no pod template of either set (only its replica count and the host lists in the ConfigMap)", async () => {
        const base = await deploy({ replicas: 3, sentinels: 3, quorum: 3 });
        const moreRedis = await deploy({ replicas: 5, sentinels: 3, quorum: 3 });
        const moreSentinels = await deploy({ replicas: 3, sentinels: 5, quorum: 3 });
        for (const other of [moreRedis, moreSentinels]) {
            assert.deepEqual(other.redis.template, base.redis.template, "the Redis set's pod template changed");
            assert.deepEqual(other.sentinel.template, base.sentinel.template, "the Sentinel set's pod template changed");
        }
        assert.equal(moreRedis.redis.replicas, 5);
        assert.equal(moreSentinels.sentinel.replicas, 5);
        assert.equal(moreRedis.configMap["redis-hosts"].trim().split("\n").length, 5);
        assert.equal(moreSentinels.configMap["sentinel-hosts"].trim().split("\n").length, 5);
        assert.equal(base.configMap["redis-hosts"], "cache-redis-0.cache-headless.data.svc.cluster.local\ncache-redis-1.cache-headless.data.svc.cluster.local\ncache-redis-2.cache-headless.data.svc.cluster.local\n");
        const env = JSON.stringify([base.redis.template, base.sentinel.template]);
        assert.doesNotMatch(env, /cache-redis-0\.|cache-sentinel-0\./, "a pod template names the pods of a set");
    });

    it("with the default quorum (a majority, so it follows the Sentinel count) no scale of either set, or of both at once, changes a pod template: the quorum is in the ConfigMap", async () => {
        const counts = [[3, 3], [5, 5], [3, 5], [5, 3], [1, 7], [7, 1], [3, 15], [100, 4]] as const;
        const deployments = await Promise.all(counts.map(([replicas, sentinels]) => deploy({ replicas, sentinels, allowFewerThanThreeSentinels: true })));
        const [base] = deployments;
        deployments.forEach((d, i) => {
            const [replicas, sentinels] = counts[i]!;
            assert.deepEqual(d.redis.template, base!.redis.template, `${replicas}/${sentinels}: the Redis set's pod template changed`);
            assert.deepEqual(d.sentinel.template, base!.sentinel.template, `${replicas}/${sentinels}: the Sentinel set's pod template changed`);
            assert.equal(d.configMap.quorum, `${Math.floor(sentinels / 2) + 1}\n`, `${replicas}/${sentinels}: the ConfigMap's quorum`);
            assert.deepEqual([d.redis.replicas, d.sentinel.replicas], [replicas, sentinels]);
        });
        assert.doesNotMatch(JSON.stringify([base!.redis.template, base!.sentinel.template]), /RS_QUORUM/, "a pod template holds the quorum");
    });

    it("an explicit quorum changes no pod template either: it reaches the running Sentinels through the retirement resource's reconcile", async () => {
        const three = await deploy({ sentinels: 5, quorum: 3 });
        const four = await deploy({ sentinels: 5, quorum: 4 });
        assert.deepEqual(four.sentinel.template, three.sentinel.template);
        assert.deepEqual(four.redis.template, three.redis.template);
        assert.deepEqual([three.configMap.quorum, four.configMap.quorum], ["3\n", "4\n"]);
        assert.deepEqual([three.retirementQuorum, four.retirementQuorum], [3, 4]);
    });

    it("both pod templates carry the checksum of the scripts they run, so a change of the scripts rolls them", async () => {
        const base = await deploy({});
        const scripts = Object.fromEntries(Object.entries(base.configMap).filter(([k]) => k.endsWith(".sh")));
        for (const set of [base.redis, base.sentinel]) {
            assert.equal(set.template.metadata.annotations[SCRIPTS_CHECKSUM_ANNOTATION], scriptsChecksum(scripts));
        }
        const files = scriptFiles();
        const changed = { ...files, "common.sh": `${files["common.sh"]}# changed\n` };
        const annotation = (scripts: Record<string, string>, which: "redisSet" | "sentinelSet") =>
            (render(scripts)[which].spec as any).template.metadata.annotations[SCRIPTS_CHECKSUM_ANNOTATION];
        for (const which of ["redisSet", "sentinelSet"] as const) {
            assert.equal(annotation(files, which), annotation(scriptFiles(), which), "the checksum is not stable");
            assert.notEqual(annotation(changed, which), annotation(files, which), `${which}: a changed script leaves the template as it was`);
        }
    });
});
