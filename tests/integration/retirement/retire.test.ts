// The retirement logic against real redis-server / redis-sentinel processes (H1's harness),
// through LocalTransport (redis-cli on loopback), with a continuous ioredis writer in sentinel
// mode checking that no acknowledged write is lost and no error reaches the application.
import { strict as assert } from "assert";
import { isRetirementError, retireSeed, RetirementError, RetirementResult } from "../../../src/retirement/retire";
import { ContinuousWriter, finishScenario, Topology } from "../../harness";
import { harnessTarget, harnessTransport, HarnessSeedPod, quickSentinels } from "./harness-adapter";

const logs: string[] = [];
const log = (line: string): void => void logs.push(`${new Date().toISOString().slice(11, 23)} ${line}`);

describe("retirement on real processes: failure paths, full retirement, re-runs", function () {
  this.timeout(90_000);
  let t: Topology;
  let seed: HarnessSeedPod;

  before(async () => {
    t = await Topology.create({ replicas: 2, sentinels: 3, downAfterMs: 3000 });
    await t.startAll();
    await quickSentinels(t);
    seed = new HarnessSeedPod(t);
  });
  after(async () => {
    await t?.stopAll();
  });
  afterEach(function () {
    if (this.currentTest?.state === "failed") console.log(logs.join("\n"));
    logs.length = 0;
  });

  const retire = (timeoutMs: number, extra: Partial<Parameters<typeof retireSeed>[0]> = {}): Promise<RetirementResult> =>
    retireSeed({ transport: harnessTransport(t), seedPod: seed, target: harnessTarget(t), timeoutMs, pollMs: 200, log, ...extra });

  async function assertSeedStillMasterAndWritable(): Promise<void> {
    const role = await t.cli(t.seedPod().name, "redis", "ROLE");
    assert.match(role, /^master/);
    const started = Date.now();
    await t.cli(t.seedPod().name, "redis", "SET", "probe:writable", "1");
    assert.ok(Date.now() - started < 1000, "the seed accepts writes at once (no pause left behind)");
  }

  async function rejection(p: Promise<unknown>): Promise<RetirementError> {
    try {
      await p;
    } catch (err) {
      assert.ok(isRetirementError(err), `expected a RetirementError, got ${String(err)}`);
      return err;
    }
    assert.fail("the retirement should have failed");
  }

  it("a sentinel down: the preconditions time out naming it, the seed stays master and writable", async () => {
    const victim = t.sentinelPods()[2]!;
    await t.killPod(victim.name);
    try {
      const err = await rejection(retire(2500));
      assert.equal(err.phase, "preconditions");
      assert.match(err.message, new RegExp(`sentinel ${victim.host.replace(/\./g, "\\.")} answers`));
      assert.match(err.message, /observed: .*unreachable/);
      assert.match(err.message, /left running as master/);
      assert.equal(seed.deletes, 0);
      await assertSeedStillMasterAndWritable();
    } finally {
      await t.startPod(victim.name);
      await t.waitHealthy({ master: t.seedPod().host });
      await quickSentinels(t);
    }
  });

  it("a replica not linked: the preconditions time out naming it", async () => {
    const victim = t.redisPods()[1]!;
    await t.killPod(victim.name);
    try {
      const err = await rejection(retire(2500));
      assert.match(err.message, new RegExp(`replica ${victim.host.replace(/\./g, "\\.")}`));
      await assertSeedStillMasterAndWritable();
    } finally {
      await t.startPod(victim.name);
      await t.waitHealthy({ master: t.seedPod().host });
    }
  });

  it("no replica that can take over (every one at replica-priority 0, as Sentinel would answer NOGOODSLAVE): clear error, no pause, no write error, seed still master", async () => {
    for (const p of t.redisPods()) await t.cli(p.name, "redis", "CONFIG", "SET", "replica-priority", "0");
    await new Promise((r) => setTimeout(r, 2500)); // sentinels read the priority from INFO
    const writer = new ContinuousWriter({ redis: t.clientOptions(), intervalMs: 10 }).start();
    try {
      const err = await rejection(retire(20_000, { failoverRetryMs: 1000 }));
      assert.equal(err.phase, "check");
      assert.match(err.message, /a replica that can take over \(replica-priority above 0, linked to this server\)/);
      assert.match(err.message, /no failover was issued/);
      await assertSeedStillMasterAndWritable();
    } finally {
      for (const p of t.redisPods()) await t.cli(p.name, "redis", "CONFIG", "SET", "replica-priority", "100");
    }
    const out = await finishScenario(t, writer);
    assert.equal(out.master, t.seedPod().host);
    assert.equal(out.report.errors, 0, out.report.errorMessages.join("; "));
    assert.equal(out.verify.missing.length, 0);
    await new Promise((r) => setTimeout(r, 2500));
  });

  it("full retirement with a continuous writer: 0 acknowledged writes lost, 0 errors, the gap measured", async () => {
    const writer = new ContinuousWriter({ redis: t.clientOptions(), intervalMs: 5 }).start();
    await new Promise((r) => setTimeout(r, 500));
    const res = await retire(60_000);
    await new Promise((r) => setTimeout(r, 500));
    const out = await finishScenario(t, writer);
    console.log(`      write pause ${res.writePauseMs} ms (failover ${res.failoverMs} ms); client gap ${out.report.longestGapMs} ms; ${out.report.acked} acked, ${out.report.errors} errors, ${out.verify.missing.length} lost; phases ${res.phases.map((p) => `${p.name} ${p.durationMs}`).join(", ")}`);
    assert.equal(out.verify.missing.length, 0, "acknowledged writes lost");
    assert.equal(out.verify.wrong.length, 0);
    assert.equal(out.report.errors, 0, out.report.errorMessages.join("; "));
    assert.ok(res.switchedOver);
    assert.ok(t.redisPods().some((p) => p.host === res.newMaster), `new master ${res.newMaster} is one of the set`);
    assert.equal(out.master, res.newMaster);
    assert.equal(res.seedPod, "deleted");
    assert.ok(!t.isRunning(t.seedPod().name, "redis") && !t.isRunning(t.seedPod().name, "sentinel"), "seed pod gone");
    assert.deepEqual([...res.sentinelsReset].sort(), t.sentinelPods().map((p) => p.host).sort());
    assert.ok(res.writePauseMs > 0 && res.writePauseMs < 5000, `write pause ${res.writePauseMs}`);
    for (const p of t.sentinelPods()) {
      const s = await t.sentinelState(p.name);
      assert.equal(s.masterHost, res.newMaster);
      assert.equal(s.replicas, 1, `${p.name} sees exactly the other replica`);
      assert.equal(s.otherSentinels, 2, `${p.name} sees exactly the other two sentinels`);
    }
  });

  it("a second run finds the seed gone and changes nothing", async () => {
    const started = Date.now();
    const res = await retire(20_000);
    assert.equal(res.switchedOver, false);
    assert.equal(res.seedPod, "already-gone");
    assert.deepEqual(res.sentinelsReset, []);
    assert.equal(res.writePauseMs, 0);
    assert.ok(Date.now() - started < 5000);
  });

  it("a recreated seed (new uid) joins as a replica and is retired again without a failover", async () => {
    const master = (await t.waitHealthy()).masters[0]!;
    const oldUid = seed.uid;
    await seed.recreate();
    assert.notEqual(seed.uid, oldUid);
    const writer = new ContinuousWriter({ redis: t.clientOptions(), intervalMs: 10 }).start();
    const res = await retire(60_000);
    const out = await finishScenario(t, writer);
    assert.equal(res.switchedOver, false);
    assert.equal(res.newMaster, master);
    assert.equal(res.seedPod, "deleted");
    assert.equal(out.report.errors, 0, out.report.errorMessages.join("; "));
    assert.equal(out.verify.missing.length, 0);
  });
});
