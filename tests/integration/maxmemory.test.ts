/**
 * maxmemory on real redis-server processes (tests/harness): the Redis containers get the
 * env the manifests compute from the memory limit (maxmemoryEnv), and common.sh writes it
 * into redis.conf, so a full server answers writes with an OOM error instead of growing
 * until the kubelet kills it.
 */
import { strict as assert } from "assert";
import { maxmemoryEnv } from "../../src/manifests/containers";
import { resolveSpec } from "../../src/options/validate";
import { startTopology, Topology } from "../harness";

describe("maxmemory from the memory limit (real processes)", function () {
    this.timeout(90_000);
    let t: Topology;
    // A small limit, so the test fills it quickly: 50% of 16Mi = 8 MiB.
    const spec = resolveSpec("cache", { redisResources: { limits: { memory: "16Mi" } }, maxmemoryPercent: 50 });
    const env = Object.fromEntries(maxmemoryEnv(spec).map((e) => [e.name, String(e.value)]));

    before(async function () {
        this.timeout(60_000);
        t = await startTopology({ replicas: 1, sentinels: 3, redisEnv: env });
    });
    after(async () => {
        await t?.stopAll();
    });

    it("every started Redis server has CONFIG GET maxmemory / maxmemory-policy equal to the env", async () => {
        assert.equal(env.RS_MAXMEMORY, String(8 * 1024 * 1024));
        for (const p of [t.seedPod(), ...t.redisPods()]) {
            assert.equal(await t.cli(p.name, "redis", "CONFIG", "GET", "maxmemory"), `maxmemory\n${env.RS_MAXMEMORY}`, p.name);
            assert.equal(await t.cli(p.name, "redis", "CONFIG", "GET", "maxmemory-policy"), "maxmemory-policy\nnoeviction", p.name);
        }
    });

    it("a full master answers writes with an OOM error and keeps serving", async () => {
        const master = t.seedPod();
        const value = "x".repeat(100 * 1024); // one argv string stays below the 128 KiB exec limit
        let reply = "";
        for (let i = 0; i < 200 && !/OOM/.test(reply); i++) {
            reply = await t.cli(master.name, "redis", "SET", `fill:${i}`, value);
        }
        assert.match(reply, /OOM command not allowed/, `no OOM error after 20 MB of writes; last reply ${reply.slice(0, 200)}`);
        assert.equal(await t.cli(master.name, "redis", "PING"), "PONG");
        assert.equal(await t.cli(master.name, "redis", "GET", "missing"), "");
    });
});
