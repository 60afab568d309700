/**
 * Day-two changes on kept volumes: a Sentinel restarted after its settings changed runs
 * with the new ones (sentinel.conf is written afresh at each start) and keeps its id and
 * what it knows of the master.
 */
import { strict as assert } from "assert";
import { parsePairs, redisCli, Topology } from "../../harness";

describe("scripts: day-two changes on kept volumes (real processes)", function () {
    this.timeout(120_000);
    let t: Topology;
    let failed = false;

    before(async () => {
        t = await Topology.create({ downAfterMs: 2000 });
        await t.startAll();
        await t.removeSeed();
    });
    afterEach(function () {
        if (this.currentTest?.state === "failed") failed = true;
    });
    after(async () => {
        await t?.stopAll({ keepDir: failed || !!process.env.KEEP });
        if (failed) console.log(`      logs kept in ${t?.dir}`);
    });

    const myids = async () => Promise.all(t.sentinelPods().map((p) => t.cli(p.name, "sentinel", "SENTINEL", "MYID")));
    const settingsOf = async (pod: string) => parsePairs(await t.cli(pod, "sentinel", "SENTINEL", "MASTER", t.masterName));

    // The quorum is not a restart's to change: a starting Sentinel takes the running ones' (the
    // reconcile changes it with SENTINEL SET: tests/integration/retirement/quorum.test.ts).
    it("down-after, failover-timeout and parallel-syncs changed: each restarted Sentinel applies them, keeping its id and the running Sentinels' quorum", async () => {
        const ids = await myids();
        const epochBefore = Number(parsePairs(await t.cli(t.sentinelPods()[0].name, "sentinel", "SENTINEL", "MASTER", t.masterName))["config-epoch"]);
        t.reconfigure({ quorum: 3, downAfterMs: 3100, failoverTimeoutMs: 45_000, parallelSyncs: 2 });
        for (const p of t.sentinelPods()) {
            await t.restartPod(p.name, { signal: "SIGTERM" });
            await t.waitHealthy();
        }
        for (const p of t.sentinelPods()) {
            const m = await settingsOf(p.name);
            assert.deepEqual(
                { quorum: m.quorum, down: m["down-after-milliseconds"], timeout: m["failover-timeout"], syncs: m["parallel-syncs"] },
                { quorum: "2", down: "3100", timeout: "45000", syncs: "2" },
                `${p.name} runs with the old settings`,
            );
            assert.ok(Number(m["config-epoch"]) >= epochBefore, `${p.name} lost the master's config epoch`);
        }
        assert.deepEqual(await myids(), ids, "a Sentinel got a new id");
    });

    it("password changed and every pod restarted on its volumes: the Sentinels require the new one, the old one is refused", async () => {
        const ids = await myids();
        const old = t.password;
        t.reconfigure({ password: `${old}-next` });
        const pods = [...t.redisPods(), ...t.sentinelPods()];
        await Promise.all(pods.map((p) => t.killPod(p.name, "SIGTERM")));
        for (const p of pods) await t.startPod(p.name);
        await t.waitHealthy({ timeoutMs: 60_000 });
        for (const p of t.sentinelPods()) {
            const refused = await redisCli(p.address, 26379, old, ["SENTINEL", "MYID"]);
            assert.match(refused.out, /WRONGPASS|NOAUTH|invalid/i, `${p.name} still takes the old password`);
            assert.ok(Number((await settingsOf(p.name))["num-other-sentinels"]) === 2, `${p.name} does not see the other Sentinels`);
        }
        assert.deepEqual(await myids(), ids, "a Sentinel got a new id");
    });
});
