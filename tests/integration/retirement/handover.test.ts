// The in-pod handover (handover.sh) under the retirement, on real processes: what the API
// server's latency, a re-run and a Sentinel that never answers do to it. Each test starts its
// own topology (the seed as master) and a continuous ioredis writer, and ends with exactly one
// master, every acknowledged write on it and no error seen by the application.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { handoverArgs, parseHandoverState } from "../../../src/retirement/handover";
import { isRetirementError, retireSeed, RetirementError, RetirementResult, RetireOptions } from "../../../src/retirement/retire";
import { RetirementTransport } from "../../../src/retirement/transport";
import { ContinuousWriter, DelayedTransport, finishScenario, Topology } from "../../harness";
import { harnessTarget, harnessTransport, HarnessSeedPod, quickSentinels } from "./harness-adapter";

const logs: string[] = [];
const log = (line: string): void => void logs.push(`${new Date().toISOString().slice(11, 23)} ${line}`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function retire(t: Topology, seed: HarnessSeedPod, extra: Partial<RetireOptions> = {}): Promise<RetirementResult> {
  return retireSeed({ transport: harnessTransport(t), seedPod: seed, target: harnessTarget(t), timeoutMs: 60_000, pollMs: 200, log, ...extra });
}

/** The seed pod's handover files. */
function handoverFile(t: Topology, name: "state" | "log"): string {
  return path.join(t.seedPod().dir, "data", `rs-handover.${name}`);
}

function readState(t: Topology): ReturnType<typeof parseHandoverState> | undefined {
  try {
    return parseHandoverState(fs.readFileSync(handoverFile(t, "state"), "utf8"));
  } catch {
    return undefined;
  }
}

/** The masters among the running Redis servers (cold-start standbys excluded). */
async function masters(t: Topology): Promise<string[]> {
  return (await t.snapshot()).masters;
}

/** True when a write on the seed does not complete within 1 s (CLIENT PAUSE WRITE holds it). */
async function seedWritesHeld(t: Topology): Promise<boolean> {
  const started = Date.now();
  const reply = await Promise.race([
    t.cli(t.seedPod().name, "redis", "SET", "probe:held", "1").catch((e) => String(e)),
    sleep(1000).then(() => "held"),
  ]);
  return reply === "held" && Date.now() - started >= 1000;
}

describe("in-pod handover under the retirement (real processes)", function () {
  this.timeout(120_000);
  let t: Topology | undefined;
  let writer: ContinuousWriter | undefined;
  afterEach(async function () {
    if (this.currentTest?.state === "failed" || process.env.RS_TEST_LOG) console.log(logs.join("\n"));
    logs.length = 0;
    await writer?.stop(500).catch(() => undefined);
    writer = undefined;
    await t?.stopAll();
    t = undefined;
  });

  async function topology(downAfterMs = 3000): Promise<{ t: Topology; seed: HarnessSeedPod }> {
    t = await Topology.create({ replicas: 2, sentinels: 3, downAfterMs });
    await t.startAll();
    await quickSentinels(t);
    return { t, seed: new HarnessSeedPod(t) };
  }

  it("every exec delayed by 250 ms: the gap stays far below what the delays add up to; 0 lost, 0 errors", async () => {
    const { t, seed } = await topology();
    const transport = new DelayedTransport(harnessTransport(t), 250);
    writer = new ContinuousWriter({ redis: t.clientOptions(), intervalMs: 10 }).start();
    await sleep(500);
    const res = await retire(t, seed, { transport });
    const out = await finishScenario(t, writer);
    writer = undefined;
    const gap = out.report.longestGapMs;
    console.log(`      250 ms per exec (${transport.calls} calls): client gap ${gap} ms, write pause ${res.writePauseMs} ms, ${out.report.acked} acked, ${out.report.errors} errors, ${out.verify.missing.length} lost`);
    assert.equal(out.verify.missing.length + out.verify.wrong.length, 0, "acknowledged writes lost");
    assert.equal(out.report.errors, 0, out.report.errorMessages.join("; "));
    assert.ok(res.switchedOver);
    assert.equal(out.master, res.newMaster);
    assert.equal(res.seedPod, "deleted");
    // With the switchover driven from outside, pause -> catch-up -> failover -> confirm (two
    // reads) -> two CLIENT KILLs were eight sequential round trips: 2000 ms of delay alone,
    // on top of Sentinel's own ~0.4 s. In the pod, none of them waits on the API server.
    assert.ok(gap < 1200, `client gap ${gap} ms with 250 ms per exec`);
    assert.ok(res.writePauseMs < 1000, `write pause ${res.writePauseMs} ms`);
  });

  it("a re-run while the handover runs in the pod waits for it: no second handover, one master, 0 lost, 0 errors", async () => {
    const { t, seed } = await topology();
    const transport: RetirementTransport = harnessTransport(t);
    writer = new ContinuousWriter({ redis: t.clientOptions(), intervalMs: 10 }).start();
    await sleep(500);
    // A first run started the handover and died right after its exec returned.
    const args = handoverArgs(harnessTarget(t), { id: "first-run", timeoutS: 30, waitS: 0 });
    const first = parseHandoverState((await transport.runScript("redis", t.seedPod().host, "handover.sh", ["start", ...args])).stdout);
    assert.equal(first.action, "started");
    assert.equal(first.state, "running");
    // A concurrent start joins it instead of starting another.
    const again = parseHandoverState((await transport.runScript("redis", t.seedPod().host, "handover.sh", ["start", ...handoverArgs(harnessTarget(t), { id: "second", timeoutS: 30, waitS: 0 })])).stdout);
    assert.equal(again.action, "joined");
    assert.equal(again.id, "first-run");

    const res = await retire(t, seed);
    const out = await finishScenario(t, writer);
    writer = undefined;
    assert.ok(res.phases.some((p) => p.name === "await-handover"), `phases: ${res.phases.map((p) => p.name).join(", ")}`);
    assert.equal(res.switchedOver, false, "this run issued no failover of its own");
    assert.equal(readState(t)?.id ?? "first-run", "first-run", "no other handover ran after the first");
    assert.ok(logs.some((l) => /a handover is already running in the seed pod/.test(l)));
    assert.equal(res.seedPod, "deleted");
    assert.equal(out.master, res.newMaster);
    assert.deepEqual(await masters(t), [res.newMaster]);
    assert.equal(out.verify.missing.length + out.verify.wrong.length, 0, "acknowledged writes lost");
    assert.equal(out.report.errors, 0, out.report.errorMessages.join("; "));
  });

  it("SENTINEL FAILOVER gets no answer: the seed stays paused and is not deleted; once the Sentinel answers again, a re-run ends with one master, 0 lost, 0 errors", async () => {
    // down-after above the handover's 8 s: the other Sentinels do not fail over on their own
    // meanwhile (a paused master looks down to them once their hello PUBLISH waits behind the
    // pause; then the handover confirms their failover instead, as it should).
    const { t, seed } = await topology(20_000);
    const leader = t.sentinelPods()[0]!;
    // A resumed Sentinel goes into TILT (no action) for tilt-period; shortened, as quickSentinels shortens its periods.
    await t.cli(leader.name, "sentinel", "SENTINEL", "DEBUG", "tilt-period", "1000");
    writer = new ContinuousWriter({ redis: t.clientOptions(), intervalMs: 10 }).start();
    await sleep(500);
    // The leader hangs right after it aligned its INFO (the handover is about to pause): its
    // SENTINEL FAILOVER waits unread in its socket.
    let stopped = false;
    const watcher = setInterval(() => {
      if (!stopped && readState(t)?.phase === "pause") {
        stopped = true;
        t.signalContainer(leader.name, "sentinel", "SIGSTOP");
      }
    }, 5);
    let err: RetirementError | undefined;
    try {
      await retire(t, seed, { handoverTimeoutMs: 8000, timeoutMs: 60_000 });
    } catch (e) {
      assert.ok(isRetirementError(e), String(e));
      err = e;
    } finally {
      clearInterval(watcher);
    }
    try {
      assert.ok(stopped, "the leader was stopped during the handover");
      assert.ok(err, "the retirement fails");
      assert.equal(err.phase, "confirm");
      assert.match(err.message, /got no answer/);
      assert.match(err.message, /SENTINEL FAILOVER was issued.*the seed was not deleted/);
      assert.equal(seed.deletes, 0, "the seed is never deleted while no other master is confirmed");
      assert.equal(readState(t)?.issued, "maybe");
      assert.match(await t.cli(t.seedPod().name, "redis", "ROLE"), /^master/);
      assert.ok(await seedWritesHeld(t), "the seed's writes stay paused (never unpaused once a failover may have been issued)");
      assert.deepEqual(await masters(t), [t.seedPod().host]);
    } finally {
      t.signalContainer(leader.name, "sentinel", "SIGCONT");
    }
    // Resumed, the leader either finds the SENTINEL FAILOVER in its socket and fails over
    // (after its TILT; the re-run then finds the master moved), or never got it (redis-cli
    // waits for its AUTH reply before sending the command; the re-run then hands over once).
    const res = await retire(t, seed);
    const out = await finishScenario(t, writer, 60_000);
    writer = undefined;
    console.log(`      re-run: ${res.switchedOver ? "the resumed leader had not received it: handed over again" : "the resumed leader had failed over: no second failover"}`);
    assert.notEqual(res.newMaster, t.seedPod().host);
    assert.equal(res.seedPod, "deleted");
    assert.deepEqual(await masters(t), [res.newMaster]);
    assert.equal(out.master, res.newMaster);
    assert.equal(out.verify.missing.length + out.verify.wrong.length, 0, "acknowledged writes lost");
    assert.equal(out.report.errors, 0, out.report.errorMessages.join("; "));
    console.log(`      no answer, then resumed: longest write gap ${out.report.longestGapMs} ms (writes held on the paused seed), ${out.report.acked} acked, 0 lost, 0 errors`);
  });
});
