// The Sentinel quorum on real processes. No pod template holds it (a scale would roll every
// Sentinel while the Redis set may be removing its master): the reconcile of the seed
// retirement resource applies it to the running Sentinels with SENTINEL SET, a Sentinel that
// starts takes the running Sentinels' (asked through the Sentinel Service), and the scripts
// ConfigMap's `quorum` file is read only when no Sentinel answers.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { retireSeed } from "../../../src/retirement/retire";
import { parsePairs, PodInfo, Topology } from "../../harness";
import { harnessTarget, harnessTransport, HarnessSeedPod, quickSentinels } from "./harness-adapter";

const logs: string[] = [];
const log = (line: string): void => void logs.push(`${new Date().toISOString().slice(11, 23)} ${line}`);

describe("the Sentinel quorum on real processes: applied by the reconcile, kept by a restarted Sentinel", function () {
  this.timeout(120_000);
  let t: Topology;
  let seed: HarnessSeedPod;

  before(async function () {
    this.timeout(120_000);
    t = await Topology.create({ replicas: 2, sentinels: 5, downAfterMs: 3000 });
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

  const sentinels = (n: number): PodInfo[] => t.sentinelPods().slice(0, n);
  /** The retirement (a reconcile once the seed is gone) with these Sentinels and this quorum. */
  const reconcile = (pods: PodInfo[], quorum: number) =>
    retireSeed({ transport: harnessTransport(t), seedPod: seed, target: { ...harnessTarget(t), sentinels: pods.map((p) => p.host), quorum }, timeoutMs: 60_000, pollMs: 200, log });
  const quorumOf = async (p: PodInfo): Promise<string | undefined> => parsePairs(await t.cli(p.name, "sentinel", "SENTINEL", "MASTER", t.masterName)).quorum;
  const quorums = (pods: PodInfo[]): Promise<(string | undefined)[]> => Promise.all(pods.map(quorumOf));
  const setLines = (): string[] => logs.filter((l) => /SENTINEL SET \S+ quorum/.test(l));

  it("the seed's retirement with 5 Sentinels leaves every one at quorum 3 (the file's, nothing to set)", async () => {
    const r = await reconcile(sentinels(5), 3);
    assert.notEqual(r.newMaster, t.seedPod().host);
    assert.deepEqual(await quorums(sentinels(5)), ["3", "3", "3", "3", "3"]);
    assert.deepEqual(setLines(), [], "a Sentinel started with another quorum");
  });

  it("shrink 5 -> 3: once the removed Sentinels are gone, the reconcile lowers every remaining one to 2", async () => {
    await Promise.all(sentinels(5).slice(3).map((p) => t.killPod(p.name, "SIGTERM", 5000)));
    t.reconfigure({ quorum: 2 }); // the ConfigMap's new `quorum` file
    await reconcile(sentinels(3), 2);
    assert.deepEqual(await quorums(sentinels(3)), ["2", "2", "2"]);
    assert.equal(setLines().length, 3, logs.join("\n"));
  });

  it("grow 3 -> 5: the new Sentinels start with the running quorum (2, not the file's 3), and the reconcile raises all five to 3", async () => {
    t.reconfigure({ quorum: 3 });
    for (const p of sentinels(5).slice(3)) await t.startPod(p.name);
    await t.waitHealthy({ timeoutMs: 30_000 });
    await quickSentinels(t);
    assert.deepEqual(await quorums(sentinels(5).slice(3)), ["2", "2"], "a new Sentinel did not take the running Sentinels' quorum");
    await reconcile(sentinels(5), 3);
    assert.deepEqual(await quorums(sentinels(5)), ["3", "3", "3", "3", "3"]);
    assert.equal(setLines().length, 5, logs.join("\n"));
  });

  it("a Sentinel restarted afterwards keeps the applied quorum, even with a stale quorum file and RS_QUORUM", async () => {
    t.reconfigure({ quorum: 2 }); // the kubelet has not refreshed the mounted ConfigMap yet
    try {
      const p = sentinels(1)[0]!;
      await t.restartPod(p.name, { signal: "SIGTERM" });
      await t.waitHealthy({ timeoutMs: 30_000 });
      assert.equal(await quorumOf(p), "3");
      assert.match(fs.readFileSync(path.join(p.dir, "sentinel", "sentinel.conf"), "utf8"), new RegExp(`^sentinel monitor ${t.masterName} \\S+ \\d+ 3$`, "m"));
    } finally {
      t.reconfigure({ quorum: 3 });
    }
  });

  it("every Sentinel stopped at once: they start with the quorum file's value (none answers to take it from)", async () => {
    fs.writeFileSync(path.join(t.scriptsDir, "quorum"), "4\n"); // RS_QUORUM stays 3
    try {
      await Promise.all(sentinels(5).map((p) => t.killPod(p.name, "SIGTERM", 5000)));
      await Promise.all(sentinels(5).map((p) => t.startPod(p.name)));
      await t.waitHealthy({ timeoutMs: 30_000 });
      assert.deepEqual(await quorums(sentinels(5)), ["4", "4", "4", "4", "4"]);
    } finally {
      t.reconfigure({ quorum: 3 });
    }
  });
});
