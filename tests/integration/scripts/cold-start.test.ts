/**
 * Cold start with no seed: every Redis and Sentinel pod restarted at once (a node pool
 * upgrade), with the sentinels' state kept on their volumes or lost.
 */
import { strict as assert } from "assert";
import { ContinuousWriter, finishScenario, PodInfo, Topology } from "../../harness";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("scripts: cold start with no seed (real processes)", function () {
    this.timeout(120_000);
    let t: Topology;
    let writer: ContinuousWriter | undefined;

    // One seedless topology for both scenarios (the second starts from the first's end state).
    before(async () => {
        t = await Topology.create({ downAfterMs: 2000, electionWaitS: 10 });
        await t.startAll();
        await t.removeSeed();
    });
    let failed = false;
    afterEach(async function () {
        if (this.currentTest?.state === "failed") failed = true;
        await writer?.stop(2000);
        writer = undefined;
    });
    after(async () => {
        await t?.stopAll({ keepDir: failed || !!process.env.KEEP });
        if (failed) console.log(`      logs kept in ${t?.dir}`);
    });

    const stopAll = (topo: Topology, pods: PodInfo[]) => Promise.all(pods.map((p) => topo.killPod(p.name, "SIGTERM")));

    it("every pod stopped and started at once, sentinel state kept: one master, no acknowledged write lost", async () => {
        const before = (await t.waitHealthy()).masters[0];
        writer = new ContinuousWriter({ redis: t.clientOptions() }).start();
        await sleep(1500);
        const pods = [...t.redisPods(), ...t.sentinelPods()];
        await stopAll(t, pods);
        for (const p of pods) await t.startPod(p.name);
        const end = await finishScenario(t, writer, 60_000);
        writer = undefined;
        // The sentinels remembered the master; it restarted with its data and serves again.
        assert.equal(end.master, before);
        assert.match(t.logs(t.pod(before).name, "redis"), /the sentinel service names this pod as master|cold start: the sentinels name this pod as master/);
        assert.ok(end.verify.checked > 20, `only ${end.verify.checked} writes checked`);
    });

    it("every pod restarted with the sentinel state lost and one replica stale: the newest data wins the election", async () => {
        const master = (await t.waitHealthy()).masters[0];
        const stale = t.redisPods().find((p) => p.host !== master) as PodInfo;
        writer = new ContinuousWriter({ redis: t.clientOptions() }).start();
        await sleep(1000);
        await t.killPod(stale.name, "SIGTERM"); // stops early: misses the writes that follow
        await sleep(1500);
        await stopAll(t, [...t.redisPods(), ...t.sentinelPods()]);
        const ackedBeforeRestart = writer.acked.length;
        // Lost sentinel volumes; the stale pod starts first.
        await t.startPod(stale.name);
        for (const p of t.redisPods()) await t.startPod(p.name);
        for (const p of t.sentinelPods()) await t.startPod(p.name, { fresh: true });
        const end = await finishScenario(t, writer, 60_000);
        writer = undefined;
        assert.notEqual(end.master, stale.host, "the stale replica was elected");
        assert.match(t.logs(t.pod(end.master).name, "redis"), /cold start: elected master \(highest rank [1-9]\d*\//);
        assert.match(t.logs(stale.name, "redis"), /cold start: .* has the newest data|serves as master: replicating from it/);
        assert.ok(ackedBeforeRestart > 20, `only ${ackedBeforeRestart} writes before the restart`);
    });
});
