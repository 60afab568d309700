import { strict as assert } from "assert";
import { checkCaughtUp, checkFailoverFinished, checkReplicasAttached, checkSentinelClean, checkSwitchedAway, checkWhole, locate } from "../../../src/retirement/decide";
import { observe, observeRedis, Observation, RetirementTarget } from "../../../src/retirement/observe";
import { hasStaleEntries } from "../../../src/retirement/retire";
import { FixtureTransport } from "./fixture-transport";

// Fixtures recorded from real redis 7.0 processes: seed 127.0.0.2 (redis + sentinel),
// replicas .3 .4, sentinels .5 .6 .7 (see fixtures/README.md).
const target: RetirementTarget = { masterName: "mymaster", seed: "127.0.0.2", replicas: ["127.0.0.3", "127.0.0.4"], sentinels: ["127.0.0.5", "127.0.0.6", "127.0.0.7"] };
const obsOf = (name: string, seed = true): Promise<Observation> => observe(new FixtureTransport(name), target, { seed });

describe("retirement: decide on recorded replies", () => {
  it("a whole topology passes the preconditions and locates the seed as master", async () => {
    const obs = await obsOf("whole");
    assert.deepEqual(checkWhole(obs, target), { ok: true, value: true });
    assert.deepEqual(locate(obs, target, false), { kind: "seed-is-master" });
  });

  it("a sentinel that has not yet discovered the replicas (6 s after start) keeps the preconditions unmet", async () => {
    const obs = await obsOf("replicas-not-yet-discovered");
    assert.deepEqual(locate(obs, target, false), { kind: "seed-is-master" });
    const v = checkWhole(obs, target);
    assert.equal(v.ok, false);
    if (v.ok) return;
    assert.equal(v.unmet, "sentinel 127.0.0.2 sees replica 127.0.0.3 linked to the seed; sentinel 127.0.0.2 sees replica 127.0.0.4 linked to the seed");
    assert.match(v.observed, /sentinel 127\.0\.0\.2: master 127\.0\.0\.2 flags master, replicas none/);
  });

  it("a sentinel that does not answer is named, with what was observed", async () => {
    const v = checkWhole(await obsOf("sentinel-unreachable"), target);
    assert.equal(v.ok, false);
    if (v.ok) return;
    assert.match(v.unmet, /(^|; )sentinel 127\.0\.0\.7 answers(;|$)/);
    assert.match(v.observed, /127\.0\.0\.7: unreachable \(.*Could not connect/);
  });

  it("a sentinel marked down by the others fails the 'sees each other' condition", async () => {
    const obs = await obsOf("sentinel-down");
    const v = checkWhole(obs, target);
    assert.equal(v.ok, false);
    if (v.ok) return;
    assert.match(v.unmet, /sentinel 127\.0\.0\.7 answers/);
    assert.match(v.unmet, /sentinel 127\.0\.0\.5 sees sentinel 127\.0\.0\.7/);
    assert.match(v.observed, /127\.0\.0\.7\([^)]*s_down/);
  });

  it("a replica that left replication fails 'replica linked'", async () => {
    const v = checkWhole(await obsOf("replica-unlinked"), target);
    assert.equal(v.ok, false);
    if (v.ok) return;
    assert.match(v.unmet, /replica 127\.0\.0\.4/);
  });

  it("2.5 s after SENTINEL FAILOVER the leader still reconfigures replicas: wait, do not continue", async () => {
    const obs = await obsOf("switched-seed-still-master");
    const where = locate(obs, target, false);
    assert.equal(where.kind, "unsettled");
    if (where.kind !== "unsettled") return;
    assert.equal(where.unmet, "master 127.0.0.4 is healthy and no failover is in progress");
    assert.match(where.observed, /failover_in_progress/);
    assert.equal(checkWhole(obs, target).ok, false);
  });

  it("after the seed was demoted it locates the new master and sees the replicas attached", async () => {
    const t = new FixtureTransport("switched-seed-demoted");
    const obs = await observe(t, target);
    assert.deepEqual(locate(obs, target, false), { kind: "switched", newMaster: "127.0.0.4" });
    const master = await observeRedis(t, "127.0.0.4");
    const reps = await Promise.all(target.replicas.map((h) => observeRedis(t, h)));
    assert.deepEqual(checkReplicasAttached(master, reps), { ok: true, value: true });
  });

  it("the failover counts as finished only when every sentinel's master entry moved (not just get-master-addr)", async () => {
    const records = async (name: string) => (await obsOf(name)).sentinels.map((v) => ({ sentinel: v.host, master: v.master, error: v.error }));
    const during = checkFailoverFinished(await records("switched-seed-still-master"), "127.0.0.4");
    assert.equal(during.ok, false);
    if (!during.ok) assert.match(during.observed, /127\.0\.0\.5: master 127\.0\.0\.2 flags master,failover_in_progress/);
    assert.deepEqual(checkFailoverFinished(await records("switched-seed-demoted"), "127.0.0.4"), { ok: true, value: true });
    assert.equal(checkFailoverFinished(await records("whole"), "127.0.0.4").ok, false);
  });

  it("replicas not yet reconfigured right after the failover are reported as not attached", async () => {
    const t = new FixtureTransport("switched-seed-still-master");
    const master = await observeRedis(t, "127.0.0.4");
    const reps = await Promise.all(target.replicas.map((h) => observeRedis(t, h)));
    const v = checkReplicasAttached(master, reps);
    assert.equal(v.ok, false);
  });

  it("sentinels holding the seed after the failover need a reset; clean ones do not", async () => {
    const demoted = await obsOf("switched-seed-demoted");
    for (const v of demoted.sentinels.filter((s) => s.host !== "127.0.0.2")) {
      assert.equal(hasStaleEntries(v, target, "127.0.0.4"), true, v.host);
      assert.equal(checkSentinelClean(v, target, "127.0.0.4").ok, false);
    }
    const after = await obsOf("after-retirement", false);
    for (const v of after.sentinels) {
      assert.equal(hasStaleEntries(v, target, "127.0.0.3"), false, v.host);
      assert.deepEqual(checkSentinelClean(v, target, "127.0.0.3"), { ok: true, value: true }, v.host);
    }
  });

  it("the seed already gone with the sentinels clean locates the surviving master", async () => {
    assert.deepEqual(locate(await obsOf("after-retirement", false), target, true), { kind: "switched", newMaster: "127.0.0.3" });
  });

  it("the seed gone while the sentinels still name it is not a place to continue from", async () => {
    const v = locate(await obsOf("whole", false), target, true);
    assert.equal(v.kind, "unsettled");
  });

  it("sentinels that disagree are reported with each one's answer", () => {
    const v = checkSwitchedAway([{ sentinel: "a", addr: "h1" }, { sentinel: "b", addr: "h2" }], "seed", "master");
    assert.deepEqual(v, { ok: false, unmet: "all sentinels name the same master", observed: "a -> h1, b -> h2" });
    assert.equal(checkSwitchedAway([{ sentinel: "a", addr: "seed" }], "seed", "master").ok, false);
    assert.equal(checkSwitchedAway([{ sentinel: "a", addr: "h1" }], "seed", "slave").ok, false);
    assert.equal(checkSwitchedAway([{ sentinel: "a", addr: "h1" }, { sentinel: "b", error: "down" }], "seed", "master").ok, false);
    assert.deepEqual(checkSwitchedAway([{ sentinel: "a", addr: "H1" }, { sentinel: "b", addr: "h1." }], "seed", "master"), { ok: true, value: "H1" });
  });

  it("catch-up needs every replica at or past the paused seed's offset", () => {
    const r = (host: string, off: number, link = "up") => ({ host, info: { role: "slave", master_link_status: link, slave_repl_offset: String(off) } });
    assert.equal(checkCaughtUp(100, [r("a", 100), r("b", 120)]).ok, true);
    const v = checkCaughtUp(100, [r("a", 100), r("b", 99)]);
    assert.equal(v.ok, false);
    if (!v.ok) assert.match(v.unmet, /replica b reached the seed's offset 100/);
    assert.equal(checkCaughtUp(100, [r("a", 100, "down")]).ok, false);
    assert.equal(checkCaughtUp(100, [{ host: "a", error: "unreachable" }]).ok, false);
  });
});
