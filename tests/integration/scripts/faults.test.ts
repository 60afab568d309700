/**
 * Faults that must recover with no manual command: the master the Sentinels name never
 * comes back while the replicas restart; SIGTERM while a pod waits for a master.
 */
import { strict as assert } from "assert";
import { Topology, waitFor } from "../../harness";

describe("scripts: faults that recover by themselves (real processes)", function () {
    this.timeout(120_000);
    let t: Topology | undefined;
    let failed = false;
    afterEach(async function () {
        if (this.currentTest?.state === "failed") failed = true;
        await t?.stopAll({ keepDir: failed || !!process.env.KEEP });
        if (failed) console.log(`      logs kept in ${t?.dir}`);
        t = undefined;
    });

    it("the named master is gone for good (node and volume) while every replica restarts: a replica is promoted, its data kept", async () => {
        t = await Topology.create({ downAfterMs: 2000, failoverTimeoutMs: 10_000 });
        await t.startAll();
        const topo = t;
        const master = (await topo.removeSeed()).masters[0];
        await topo.cli(master, "redis", "SET", "kept", "yes");
        await topo.cli(master, "redis", "WAIT", "2", "2000");
        const replicas = topo.redisPods().filter((p) => p.host !== master);
        // The master's node goes; the replicas restart before the Sentinels notice.
        await topo.killPod(topo.pod(master).name, "SIGKILL");
        await Promise.all(replicas.map((p) => topo.killPod(p.name, "SIGKILL")));
        for (const p of replicas) await topo.startPod(p.name);
        const promoted = await waitFor("a replica promoted by the Sentinels", 60_000, async () => {
            const named = await topo.serviceMaster();
            return named && named !== master && (await topo.redisState(named)).role === "master" ? named : undefined;
        }, 500);
        assert.ok(replicas.some((p) => p.host === promoted));
        assert.equal(await topo.cli(promoted, "redis", "GET", "kept"), "yes");
        assert.match(topo.logs(topo.pod(replicas[0].name).name, "redis"), /still does not serve: starting as its replica/);
    });

    it("SIGTERM while waiting for a master: the container stops at once, not after the grace period", async () => {
        t = await Topology.create({ retryMaxS: 16 });
        const topo = t;
        await topo.startSentinelService();
        const sentinel = topo.sentinelPods()[0];
        await topo.startPod(sentinel.name);
        await waitFor("the sentinel waiting", 10_000, async () => /none serving \(attempt 2/.test(topo.logs(sentinel.name, "sentinel")));
        const started = Date.now();
        await topo.killContainer(sentinel, "sentinel", "SIGTERM", 20_000);
        assert.ok(Date.now() - started < 3000, `stopped after ${Date.now() - started} ms`);
        assert.match(topo.logs(sentinel.name, "sentinel"), /SIGTERM while waiting for a master/);
    });
});
