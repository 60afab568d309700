/**
 * Memory and disk headroom defaults: maxmemory, the replica output buffer and the backlog from
 * the memory limit (env of the Redis containers), and the volume check. The behaviour on real
 * processes: tests/integration/serverConf/headroom.test.ts.
 */
import { strict as assert } from "assert";
import { DEFAULTS } from "../../src/options/defaults";
import type { RedisSentinelArgs } from "../../src/options/args";
import { headroom } from "../../src/options/headroom";
import { resolveSpec } from "../../src/options/validate";
import { renderManifests } from "./support/renderManifests";

const MIB = 2 ** 20;

type Container = { name: string; env?: { name: string; value?: string }[] };

/** Literal env of every container of the seed pod and both sets, by "<object>/<container>". */
function envs(args: RedisSentinelArgs): Record<string, Record<string, string | undefined>> {
    const m = renderManifests(args);
    const out: Record<string, Record<string, string | undefined>> = {};
    const add = (what: string, containers: Container[]) => {
        for (const c of containers) out[`${what}/${c.name}`] = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));
    };
    add("seed", (m.seedPod.spec as { containers: Container[] }).containers);
    add("redisSet", (m.redisSet.spec as { template: { spec: { containers: Container[] } } }).template.spec.containers);
    add("sentinelSet", (m.sentinelSet.spec as { template: { spec: { containers: Container[] } } }).template.spec.containers);
    return out;
}

function problemsOf(args: RedisSentinelArgs): string {
    try {
        resolveSpec("cache", args);
    } catch (e) {
        return (e as Error).message;
    }
    assert.fail(`accepted ${JSON.stringify(args)}`);
}

describe("memory and disk headroom defaults", () => {
    it("default limit 512Mi: maxmemory 40% (204.8 MiB), replica output buffer 10% (51.2 MiB), backlog 2% (10.2 MiB), on Redis containers only", () => {
        assert.equal(DEFAULTS.maxmemoryPercent, 40);
        const e = envs({});
        for (const key of ["seed/redis", "redisSet/redis"]) {
            assert.equal(e[key].RS_MAXMEMORY, String(Math.floor(512 * MIB * 0.4)), key);
            assert.equal(e[key].RS_REPLICA_BUFFER_BYTES, String(Math.floor(512 * MIB * 0.1)), key);
            assert.equal(e[key].RS_REPL_BACKLOG_BYTES, String(Math.floor(512 * MIB * 0.02)), key);
        }
        for (const key of ["seed/sentinel", "sentinelSet/sentinel"]) {
            assert.equal(e[key].RS_REPLICA_BUFFER_BYTES, undefined, key);
            assert.equal(e[key].RS_REPL_BACKLOG_BYTES, undefined, key);
        }
    });

    it("no memory limit: no buffer or backlog env (Redis's defaults), a small limit keeps a backlog of 1 MiB", () => {
        const e = envs({ redisResources: { requests: { memory: "128Mi" } } })["redisSet/redis"];
        assert.ok(!("RS_REPLICA_BUFFER_BYTES" in e) && !("RS_REPL_BACKLOG_BYTES" in e), JSON.stringify(e));
        assert.deepEqual(headroom("32Mi", 40), { maxmemory: Math.floor(32 * MIB * 0.4), replicaBuffer: Math.floor(32 * MIB * 0.1), replBacklog: MIB });
    });

    it("the default volume (1Gi) holds 4 x the default maxmemory; a smaller one is refused naming the size, the need and the fix", () => {
        resolveSpec("cache", {});
        resolveSpec("cache", { persistence: { size: "820Mi" } });
        const message = problemsOf({ persistence: { size: "512Mi" } });
        assert.match(message, /option `persistence\.size` = "512Mi": too small for a full dataset/);
        assert.match(message, /4 x maxmemory/);
        assert.match(message, /40% of `redisResources\.limits\.memory` \("512Mi"\) = 205Mi/);
        assert.match(message, /at least 820Mi, or lower `maxmemoryPercent`/);
        assert.match(problemsOf({ redisResources: { limits: { memory: "2Gi" } } }), /`persistence\.size` = "1Gi".*at least 3277Mi/s);
    });

    it("no volume check without persistence or without a memory limit", () => {
        resolveSpec("cache", { persistence: { enabled: false, size: "1Mi" } });
        resolveSpec("cache", { redisResources: { requests: { memory: "8Gi" } }, persistence: { size: "1Mi" } });
    });
});
