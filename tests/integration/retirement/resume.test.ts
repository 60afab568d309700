// Re-runs: a provider that crashed half-way (after the switchover, before deleting the seed)
// finishes the job on the next run without a second failover; a seed that died on its own
// (Sentinel failed over automatically) is not an error.
import { strict as assert } from "assert";
import { retireSeed, RetirementResult } from "../../../src/retirement/retire";
import { ContinuousWriter, finishScenario, Topology } from "../../harness";
import { harnessTarget, harnessTransport, HarnessSeedPod, quickSentinels } from "./harness-adapter";

const logs: string[] = [];
const log = (line: string): void => void logs.push(`${new Date().toISOString().slice(11, 23)} ${line}`);

function retireOn(t: Topology, seed: HarnessSeedPod, timeoutMs = 60_000): Promise<RetirementResult> {
  return retireSeed({ transport: harnessTransport(t), seedPod: seed, target: harnessTarget(t), timeoutMs, pollMs: 200, log });
}

describe("retirement re-runs on real processes", function () {
  this.timeout(90_000);
  let t: Topology | undefined;
  afterEach(async function () {
    if (this.currentTest?.state === "failed") console.log(logs.join("\n"));
    logs.length = 0;
    await t?.stopAll();
    t = undefined;
  });

  it("a crash half-way (after the switchover, before the delete): the re-run completes without a new failover, no write lost", async () => {
    t = await Topology.create({ replicas: 2, sentinels: 3, downAfterMs: 3000 });
    await t.startAll();
    await quickSentinels(t);
    const seed = new HarnessSeedPod(t);
    const writer = new ContinuousWriter({ redis: t.clientOptions(), intervalMs: 10 }).start();
    seed.failNextDelete = new Error("provider process killed");
    await assert.rejects(retireOn(t, seed), /phase "delete-seed".*provider process killed.*without a new failover/s);
    assert.ok(t.isRunning(t.seedPod().name, "redis"), "the seed was not deleted");
    const first = (await t.snapshot()).masters.filter((h) => h !== t!.seedPod().host);
    assert.equal(first.length, 1, "one master besides the (paused or demoted) seed");
    const res = await retireOn(t, seed);
    assert.equal(res.switchedOver, false, "no second failover");
    assert.equal(res.newMaster, first[0]);
    assert.equal(res.seedPod, "deleted");
    const out = await finishScenario(t, writer);
    assert.equal(out.master, first[0]);
    assert.equal(out.report.errors, 0, out.report.errorMessages.join("; "));
    assert.equal(out.verify.missing.length, 0);
  });

  it("the seed already gone (died; Sentinel failed over on its own): the retirement finishes the sentinel cleanup", async () => {
    t = await Topology.create({ replicas: 2, sentinels: 3, downAfterMs: 1000, failoverTimeoutMs: 4000 });
    await t.startAll();
    await quickSentinels(t);
    const seed = new HarnessSeedPod(t);
    await t.killPod(t.seedPod().name, "SIGKILL");
    const res = await retireOn(t, seed);
    assert.equal(res.seedPod, "already-gone");
    assert.equal(res.switchedOver, false);
    assert.ok(t.redisPods().some((p) => p.host === res.newMaster));
    assert.equal(res.sentinelsReset.length, 3, "every sentinel had the dead seed to forget");
    for (const p of t.sentinelPods()) {
      const s = await t.sentinelState(p.name);
      assert.equal(s.masterHost, res.newMaster);
      assert.equal(s.otherSentinels, 2);
      assert.equal(s.replicas, 1);
    }
  });
});
