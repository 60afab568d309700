/**
 * Decide: pure functions from observations to verdicts. Like spotahome/redis-operator's checker,
 * each function checks one invariant and, when it does not hold, says which condition is unmet and
 * what was observed, so a timeout can fail with that text. No I/O here; unit-tested on replies
 * recorded from real processes (tests/unit/retirement/fixtures).
 *
 * The invariants the retirement keeps:
 *  - before the switchover the topology is whole: every Sentinel (the set's and the seed's) names
 *    the seed as master, knows every other Sentinel and every replica, the replicas are linked,
 *    CKQUORUM is OK;
 *  - the seed is deleted only once every Sentinel names one new master that reports role:master
 *    with the remaining replicas attached (never the only master);
 *  - after the seed is gone, every Sentinel knows exactly the remaining replicas and Sentinels.
 */
import { parseCommaFields } from "./reply";
import { Observation, RedisView, RetirementTarget, SentinelView } from "./observe";

export type Verdict<T = true> = { ok: true; value: T } | { ok: false; unmet: string; observed: string };

const ok = <T>(value: T): Verdict<T> => ({ ok: true, value });
const unmet = <T>(what: string, observed: string): Verdict<T> => ({ ok: false, unmet: what, observed });

export function sameHost(a: string | null | undefined, b: string | null | undefined): boolean {
  if (!a || !b) return false;
  return a.toLowerCase().replace(/\.$/, "") === b.toLowerCase().replace(/\.$/, "");
}

const flagsOf = (rec: Record<string, string> | undefined): string[] => (rec?.flags ?? "").split(",").filter(Boolean);
const DOWN_FLAGS = ["s_down", "o_down", "disconnected"];
const isDown = (rec: Record<string, string>): boolean => flagsOf(rec).some((f) => DOWN_FLAGS.includes(f));
const hostsOf = (recs: Record<string, string>[] | undefined): string[] => (recs ?? []).map((r) => r.ip ?? r.name ?? "?");
const list = (xs: string[]): string => (xs.length ? `[${xs.join(", ")}]` : "none");

function describeSentinel(v: SentinelView): string {
  if (v.error) return `sentinel ${v.host}: unreachable (${v.error})`;
  const reps = (v.replicas ?? []).map((r) => `${r.ip}(${r.flags}${r["master-link-status"] ? `, link ${r["master-link-status"]}` : ""})`);
  const sens = (v.sentinels ?? []).map((s) => `${s.ip}(${s.flags})`);
  return `sentinel ${v.host}: master ${v.masterAddr ?? "unknown"} flags ${v.master?.flags ?? "?"}, replicas ${list(reps)}, sentinels ${list(sens)}${v.ckquorum ? `, ckquorum "${v.ckquorum}"` : ""}`;
}

function describeRedis(v: RedisView | undefined, host: string): string {
  if (!v) return `redis ${host}: not observed`;
  if (v.error || !v.info) return `redis ${host}: unreachable (${v.error ?? "no INFO"})`;
  const i = v.info;
  return i.role === "master"
    ? `redis ${host}: role master, connected_slaves ${i.connected_slaves ?? "?"}, master_repl_offset ${i.master_repl_offset ?? "?"}`
    : `redis ${host}: role ${i.role}, master ${i.master_host ?? "?"}, link ${i.master_link_status ?? "?"}, offset ${i.slave_repl_offset ?? "?"}`;
}

/** Replicas a master's INFO lists as online (by announced host). */
export function onlineReplicasOf(info: Record<string, string>): string[] {
  return Object.entries(info)
    .filter(([k]) => /^slave\d+$/.test(k))
    .map(([, v]) => parseCommaFields(v))
    .filter((f) => f.state === "online")
    .map((f) => f.ip ?? "");
}

function redisOf(obs: Observation, host: string): RedisView | undefined {
  return obs.redis.find((r) => sameHost(r.host, host));
}

/**
 * Precondition: the topology is whole with the seed as master (see the invariants above).
 * Lists every unmet condition (`unmet` joined with "; "), with what was observed for each.
 */
export function checkWhole(obs: Observation, target: RetirementTarget): Verdict {
  const problems: { unmet: string; observed: string }[] = [];
  const fail = (what: string, observed: string): void => void problems.push({ unmet: what, observed });
  const allSentinels = [target.seed, ...target.sentinels];
  for (const host of allSentinels) {
    const v = obs.sentinels.find((s) => sameHost(s.host, host));
    if (!v) { fail(`sentinel ${host} is observed`, "it was not in the observation"); continue; }
    if (v.error) { fail(`sentinel ${host} answers`, describeSentinel(v)); continue; }
    if (!sameHost(v.masterAddr, target.seed)) { fail(`sentinel ${host} names the seed ${target.seed} as master of ${target.masterName}`, describeSentinel(v)); continue; }
    const before = problems.length;
    if (flagsOf(v.master).some((f) => f !== "master")) fail(`sentinel ${host} sees the seed as a healthy master (flags "master")`, describeSentinel(v));
    for (const other of allSentinels.filter((h) => !sameHost(h, host))) {
      const entry = (v.sentinels ?? []).find((s) => sameHost(s.ip, other));
      if (!entry || isDown(entry)) fail(`sentinel ${host} sees sentinel ${other}`, describeSentinel(v));
    }
    for (const rep of target.replicas) {
      const entry = (v.replicas ?? []).find((r) => sameHost(r.ip, rep));
      if (!entry || isDown(entry) || entry["master-link-status"] !== "ok") fail(`sentinel ${host} sees replica ${rep} linked to the seed`, describeSentinel(v));
    }
    if (problems.length === before && !v.ckquorumOk) fail(`SENTINEL CKQUORUM ${target.masterName} is OK on ${host}`, describeSentinel(v));
  }
  const seed = redisOf(obs, target.seed);
  if (!seed?.info || seed.info.role !== "master") {
    fail(`the seed ${target.seed} reports role master`, describeRedis(seed, target.seed));
  } else {
    const online = onlineReplicasOf(seed.info);
    for (const rep of target.replicas) {
      const v = redisOf(obs, rep);
      if (!v?.info || v.info.role !== "slave" || !sameHost(v.info.master_host, target.seed) || v.info.master_link_status !== "up") {
        fail(`replica ${rep} replicates the seed with its link up`, describeRedis(v, rep));
      } else if (!online.some((h) => sameHost(h, rep))) {
        fail(`the seed lists replica ${rep} as online`, describeRedis(seed, target.seed));
      }
    }
  }
  if (problems.length === 0) return ok(true);
  const observed = [...new Set(problems.map((p) => p.observed))];
  return unmet(problems.map((p) => p.unmet).join("; "), observed.join("; "));
}

export type Situation =
  | { kind: "seed-is-master" }
  | { kind: "switched"; newMaster: string }
  | { kind: "unsettled"; unmet: string; observed: string };

/**
 * Where the retirement stands: the seed is still master (switchover needed), or a failover away
 * from it already happened (re-run after a crash, or the seed came back as a replica): then the
 * remaining steps run without a new failover. `seedGone`: the seed pod no longer exists.
 */
export function locate(obs: Observation, target: RetirementTarget, seedGone: boolean): Situation {
  const views = obs.sentinels.filter((v) => target.sentinels.some((h) => sameHost(h, v.host)));
  const missing = target.sentinels.filter((h) => !views.some((v) => sameHost(v.host, h)));
  if (missing.length) return { kind: "unsettled", unmet: `sentinels ${list(missing)} are observed`, observed: "not in the observation" };
  const down = views.filter((v) => v.error);
  if (down.length) return { kind: "unsettled", unmet: down.map((v) => `sentinel ${v.host} answers`).join("; "), observed: down.map(describeSentinel).join("; ") };
  const named = new Set(views.map((v) => (v.masterAddr ?? "unknown").toLowerCase()));
  if (named.size !== 1) {
    return { kind: "unsettled", unmet: "all sentinels name the same master", observed: views.map((v) => `${v.host} -> ${v.masterAddr ?? "unknown"}`).join(", ") };
  }
  const master = views[0]?.masterAddr ?? null;
  if (master === null) return { kind: "unsettled", unmet: `the sentinels know master ${target.masterName}`, observed: views.map(describeSentinel).join("; ") };
  if (sameHost(master, target.seed)) {
    if (seedGone) return { kind: "unsettled", unmet: "a master other than the (deleted) seed", observed: `sentinels still name the seed ${target.seed}` };
    return { kind: "seed-is-master" };
  }
  const inProgress = views.find((v) => flagsOf(v.master).some((f) => f !== "master"));
  if (inProgress) return { kind: "unsettled", unmet: `master ${master} is healthy and no failover is in progress`, observed: describeSentinel(inProgress) };
  const info = redisOf(obs, master);
  if (!info?.info || info.info.role !== "master") return { kind: "unsettled", unmet: `the named master ${master} reports role master`, observed: describeRedis(info, master) };
  return { kind: "switched", newMaster: master };
}

/** Every replica has processed the seed's whole stream (offsets at or past the paused seed's). */
export function checkCaughtUp(seedOffset: number, replicas: RedisView[]): Verdict {
  for (const r of replicas) {
    const off = Number(r.info?.slave_repl_offset ?? NaN);
    if (!r.info || r.info.master_link_status !== "up" || !(off >= seedOffset)) {
      return unmet(`replica ${r.host} reached the seed's offset ${seedOffset}`, describeRedis(r, r.host));
    }
  }
  return ok(true);
}

export interface MasterClaim {
  sentinel: string;
  addr?: string | null;
  error?: string;
}

/** Failover confirmed (the part that gates moving clients): every sentinel names the same new master, not the seed, and it reports role master. */
export function checkSwitchedAway(claims: MasterClaim[], seed: string, newMasterRole: string | undefined): Verdict<string> {
  const observed = claims.map((c) => `${c.sentinel} -> ${c.error ? `error (${c.error})` : c.addr ?? "unknown"}`).join(", ");
  const first = claims[0]?.addr;
  if (!first || claims.some((c) => c.error || !sameHost(c.addr, first))) return unmet("all sentinels name the same master", observed);
  if (sameHost(first, seed)) return unmet("the sentinels name a new master (not the seed)", observed);
  if (newMasterRole !== "master") return unmet(`the new master ${first} reports role master`, `${observed}; its role: ${newMasterRole ?? "unknown"}`);
  return ok(first);
}

export interface MasterRecord {
  sentinel: string;
  /** SENTINEL MASTER fields, or the error reading them. */
  master?: Record<string, string>;
  error?: string;
}

/**
 * The failover has finished on every sentinel: its master entry itself (SENTINEL MASTER ip, not
 * only get-master-addr-by-name, which already answers the promoted replica while the leader is
 * still reconfiguring replicas) is the new master, with no failover flag. Measured trap: a
 * SENTINEL RESET sent to the leader before that undoes its failover and leaves it monitoring
 * the old (deleted) seed for good.
 */
export function checkFailoverFinished(records: MasterRecord[], newMaster: string): Verdict {
  const observed = records.map((r) => `${r.sentinel}: ${r.error ? `error (${r.error})` : `master ${r.master?.ip ?? "?"} flags ${r.master?.flags ?? "?"}${r.master?.["failover-state"] ? ` ${r.master["failover-state"]}` : ""}`}`).join(", ");
  for (const r of records) {
    if (r.error || !r.master) return unmet(`sentinel ${r.sentinel} answers SENTINEL MASTER`, observed);
    if (!sameHost(r.master.ip, newMaster) || flagsOf(r.master).some((f) => f !== "master")) {
      return unmet(`sentinel ${r.sentinel} finished the failover to ${newMaster}`, observed);
    }
  }
  return ok(true);
}

/** The new master has every other replica of the set attached and online. */
export function checkReplicasAttached(newMaster: RedisView, replicas: RedisView[]): Verdict {
  if (!newMaster.info || newMaster.info.role !== "master") return unmet(`${newMaster.host} reports role master`, describeRedis(newMaster, newMaster.host));
  const online = onlineReplicasOf(newMaster.info);
  for (const r of replicas) {
    if (sameHost(r.host, newMaster.host)) continue;
    const linked = r.info?.role === "slave" && sameHost(r.info.master_host, newMaster.host) && r.info.master_link_status === "up";
    if (!linked || !online.some((h) => sameHost(h, r.host))) {
      return unmet(`replica ${r.host} is attached to the new master ${newMaster.host}`, `${describeRedis(r, r.host)}; ${describeRedis(newMaster, newMaster.host)}`);
    }
  }
  return ok(true);
}

/** After the seed is gone, a sentinel must know exactly the remaining replicas and sentinels, none down, and nothing of the seed. */
export function checkSentinelClean(v: SentinelView, target: RetirementTarget, newMaster: string): Verdict {
  if (v.error) return unmet(`sentinel ${v.host} answers`, describeSentinel(v));
  if (!sameHost(v.masterAddr, newMaster)) return unmet(`sentinel ${v.host} names ${newMaster} as master`, describeSentinel(v));
  if (flagsOf(v.master).some((f) => f !== "master")) return unmet(`sentinel ${v.host} sees ${newMaster} as a healthy master`, describeSentinel(v));
  const wantReplicas = target.replicas.filter((h) => !sameHost(h, newMaster));
  const wantSentinels = target.sentinels.filter((h) => !sameHost(h, v.host));
  const reps = v.replicas ?? [];
  const sens = v.sentinels ?? [];
  const extraRep = reps.find((r) => !wantReplicas.some((h) => sameHost(h, r.ip)));
  if (extraRep) return unmet(`sentinel ${v.host} lists no replica other than ${list(wantReplicas)}`, describeSentinel(v));
  const extraSen = sens.find((s) => !wantSentinels.some((h) => sameHost(h, s.ip)));
  if (extraSen) return unmet(`sentinel ${v.host} lists no sentinel other than ${list(wantSentinels)}`, describeSentinel(v));
  for (const h of wantReplicas) {
    const e = reps.find((r) => sameHost(r.ip, h));
    if (!e || isDown(e) || e["master-link-status"] !== "ok") return unmet(`sentinel ${v.host} sees replica ${h} linked`, describeSentinel(v));
  }
  for (const h of wantSentinels) {
    const e = sens.find((s) => sameHost(s.ip, h));
    if (!e || isDown(e)) return unmet(`sentinel ${v.host} sees sentinel ${h}`, describeSentinel(v));
  }
  return ok(true);
}

/** Observed host list helper for messages. */
export { hostsOf as hostsOfEntries };
