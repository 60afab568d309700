/**
 * Cold start with no seed: every Redis and Sentinel pod restarted at once (a node pool
 * upgrade), with the sentinels' state kept on their volumes or lost.
 */
import { strict as assert } from "assert";
import { ContinuousWriter, finishScenario, PodInfo, Topology } from "../../harness";
import { topologyPerSuite } from "./topology-per-suite";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("scripts: cold start with no seed (real processes)", function () {
    this.timeout(120_000);
    // One seedless topology for both scenarios (the second starts from the first's end state).
    const suite = topologyPerSuite(
        () => Topology.create({ downAfterMs: 2000, electionWaitS: 10 }),
        async (t) => {
            await t.startAll();
            await t.removeSeed();
        },
    );

    const stopAll = (topo: Topology, pods: PodInfo[]) => Promise.all(pods.map((p) => topo.killPod(p.name, "SIGTERM")));

    it("every pod stopped and started at once, sentinel state kept: one master, no acknowledged write lost", async () => {
        const before = (await suite.t.waitHealthy()).masters[0];
        suite.writer = new ContinuousWriter({ redis: suite.t.clientOptions() }).start();
        await sleep(1500);
        const pods = [...suite.t.redisPods(), ...suite.t.sentinelPods()];
        await stopAll(suite.t, pods);
        for (const p of pods) await suite.t.startPod(p.name);
        const end = await finishScenario(suite.t, suite.writer, 60_000);
        suite.writer = undefined;
        // The sentinels remembered the master; it restarted with its data and serves again.
        assert.equal(end.master, before);
        assert.match(suite.t.logs(suite.t.pod(before).name, "redis"), /the sentinel service names this pod as master|cold start: the sentinels name this pod as master/);
        assert.ok(end.verify.checked > 20, `only ${end.verify.checked} writes checked`);
    });

    it("every pod restarted with the sentinel state lost and one replica stale: the newest data wins the election", async () => {
        const master = (await suite.t.waitHealthy()).masters[0];
        const stale = suite.t.redisPods().find((p) => p.host !== master) as PodInfo;
        suite.writer = new ContinuousWriter({ redis: suite.t.clientOptions() }).start();
        await sleep(1000);
        await suite.t.killPod(stale.name, "SIGTERM"); // stops early: misses the writes that follow
        await sleep(1500);
        await stopAll(suite.t, [...suite.t.redisPods(), ...suite.t.sentinelPods()]);
        const ackedBeforeRestart = suite.writer.acked.length;
        // Lost sentinel volumes; the stale pod starts first.
        await suite.t.startPod(stale.name);
        for (const p of suite.t.redisPods()) await suite.t.startPod(p.name);
        for (const p of suite.t.sentinelPods()) await suite.t.startPod(p.name, { fresh: true });
        const end = await finishScenario(suite.t, suite.writer, 60_000);
        suite.writer = undefined;
        assert.notEqual(end.master, stale.host, "the stale replica was elected");
        assert.match(suite.t.logs(suite.t.pod(end.master).name, "redis"), /cold start: elected master \(highest rank [1-9]\d*\//);
        assert.match(suite.t.logs(stale.name, "redis"), /cold start: .* has the newest data|serves as master: replicating from it/);
        assert.ok(ackedBeforeRestart > 20, `only ${ackedBeforeRestart} writes before the restart`);
    });
});
