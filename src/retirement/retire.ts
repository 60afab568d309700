/**
 * Act: the seed retirement, run over any transport (Kubernetes exec, loopback).
 *
 *   locate -> [preconditions -> pause -> catch-up -> failover -> confirm -> move clients]
 *          -> replicas attached -> delete seed pod (uid precondition) -> wait gone
 *          -> SENTINEL RESET one sentinel at a time
 *
 * The bracketed switchover runs only while the seed is master; a re-run after a crash, or a seed
 * that came back as a replica, goes straight to the remaining steps. Every wait has the one
 * deadline; a timeout throws a RetirementError naming the unmet condition and what was observed.
 * Safety rules: the seed is never unpaused once a failover may have been issued (it is deleted
 * instead), and it is deleted only after every Sentinel names another master that reports role
 * master (never the only master).
 */
import { checkCaughtUp, checkFailoverFinished, checkReplicasAttached, checkSentinelClean, checkSwitchedAway, checkWhole, locate, MasterClaim, sameHost, Situation, Verdict } from "./decide";
import { fieldsToRecord, isReplyError, listOfRecords } from "./reply";
import { masterAddrOf, observe, observeRedis, observeSentinel, replicationInfo, RetirementTarget, SentinelView } from "./observe";
import { isTransportError, RetirementTransport } from "./transport-core";
import { REQUIRED_RBAC_RULES } from "../kube/errors";

/** The seed pod as the retirement needs it (Kubernetes: PodApi with namespace/name; loopback: the harness). */
export interface SeedPodControl {
  /** The pod's uid (and whether it is already terminating), or undefined when it does not exist. */
  get(): Promise<{ uid: string; deleting?: boolean } | undefined>;
  /** Delete with a uid precondition. */
  delete(uid: string): Promise<"deleted" | "gone" | "uid-mismatch">;
  /** Resolve once the pod with this uid no longer exists; reject at `deadline` (epoch ms). */
  waitGone(uid: string, deadline: number): Promise<void>;
}

export interface RetireOptions {
  transport: RetirementTransport;
  seedPod: SeedPodControl;
  target: RetirementTarget;
  /** Overall deadline (default 600 s). */
  timeoutMs?: number;
  /** Poll period while waiting for preconditions / sentinels (default 500 ms). */
  pollMs?: number;
  /** Poll period on the critical path while writes are paused (default 10 ms). */
  fastPollMs?: number;
  /** CLIENT PAUSE length; re-issued (extended) every third of it while needed (default 10 s). */
  pauseMs?: number;
  /** How long to retry a SENTINEL FAILOVER refused with NOGOODSLAVE before giving up (default 5 s). */
  failoverRetryMs?: number;
  /** Time SENTINEL FAILOVER to the leader's INFO polling (default true; see alignInfo). */
  alignInfo?: boolean;
  /** Progress lines (phases, what is being waited for). */
  log?: (line: string) => void;
}

export interface RetirementPhase {
  name: string;
  /** ms since the retirement started */
  startMs: number;
  durationMs: number;
}

export interface RetirementResult {
  /** Announced host of the master after the retirement. */
  newMaster: string;
  /** true when this run did the switchover; false when the master had already moved. */
  switchedOver: boolean;
  /** Writes held on the seed: CLIENT PAUSE acknowledged -> its clients moved (0 without switchover). */
  writePauseMs: number;
  /** SENTINEL FAILOVER sent -> every sentinel names the new master (0 without switchover). */
  failoverMs: number;
  /** How long after the leader's aligned INFO of the replicas SENTINEL FAILOVER went out (undefined: not aligned). */
  failoverAfterInfoMs?: number;
  seedPod: "deleted" | "already-gone";
  /** Sentinels that were SENTINEL RESET, in order. */
  sentinelsReset: string[];
  phases: RetirementPhase[];
}

/** Why the retirement stopped: the phase, the unmet condition, what was observed, and what state the seed was left in. */
export interface RetirementError extends Error {
  kind: "retirement";
  phase: string;
  unmet: string;
  observed: string;
  seedState: string;
}

/** (A factory, not a subclass of Error: see reply.ts on closure serialization.) */
export function retirementError(phase: string, unmet: string, observed: string, seedState: string): RetirementError {
  const message = `seed retirement stopped in phase "${phase}": ${unmet}; observed: ${observed}. ${seedState}`;
  return Object.assign(new Error(message), { name: "RetirementError", kind: "retirement" as const, phase, unmet, observed, seedState });
}

export function isRetirementError(err: unknown): err is RetirementError {
  return err instanceof Error && (err as Partial<RetirementError>).kind === "retirement";
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/**
 * The text of an error. Also reads errors that lost their message in closure serialization (a
 * `class X extends Error` runs `Error.call(this, msg)` there, which sets nothing): src/kube's
 * KubeApiError keeps its `code` and `target`, so the message is rebuilt from them.
 */
export function errText(e: unknown): string {
  if (e instanceof Error && e.message) return e.message;
  const o = (e ?? {}) as { message?: unknown; code?: unknown; target?: { verb?: string; resource?: string; namespace?: string; name?: string } };
  if (typeof o.message === "string" && o.message) return o.message;
  if (o.target && typeof o.target === "object") {
    const t = o.target;
    const what = `${t.verb} ${t.resource} "${t.name}" in namespace "${t.namespace}"`;
    if (o.code === 403) return `Kubernetes API refused to ${what}: 403 Forbidden. The kubeconfig's identity needs a Role in namespace "${t.namespace}" bound to it with ${REQUIRED_RBAC_RULES}`;
    return `Kubernetes API call failed: ${what}${o.code !== undefined ? `: HTTP ${String(o.code)}` : ""}`;
  }
  return String(e);
}

export const DEFAULT_TIMEOUT_MS = 600_000;
/** SENTINEL FAILOVER goes out this long after the leader's last INFO of the replicas (see alignInfo). */
const FAILOVER_AT_AGE_MS = 600;
/** The pause starts this long before that, for the catch-up check. */
const PAUSE_LEAD_MS = 80;

/** Runs the whole retirement; resolves with timings, rejects with RetirementError. */
export async function retireSeed(opts: RetireOptions): Promise<RetirementResult> {
  return new Retirement(opts).run();
}

class Retirement {
  private readonly t: RetirementTransport;
  private readonly target: RetirementTarget;
  private readonly started = Date.now();
  private readonly deadline: number;
  private readonly pollMs: number;
  private readonly fastPollMs: number;
  private readonly pauseMs: number;
  private readonly phases: RetirementPhase[] = [];
  private readonly log: (line: string) => void;
  private keeper: { stop: () => Promise<void> } | undefined;

  constructor(private readonly opts: RetireOptions) {
    this.t = opts.transport;
    this.target = opts.target;
    this.deadline = this.started + (opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    this.pollMs = opts.pollMs ?? 500;
    this.fastPollMs = opts.fastPollMs ?? 10;
    this.pauseMs = opts.pauseMs ?? 10_000;
    this.log = opts.log ?? (() => undefined);
  }

  async run(): Promise<RetirementResult> {
    try {
      return await this.runOnce();
    } finally {
      await this.keeper?.stop();
    }
  }

  private async runOnce(): Promise<RetirementResult> {
    const seed = this.target.seed;
    for (;;) {
      const pod = await this.phase("locate", () => this.locateSeedPod());
      const situation = await this.phase("preconditions", () => this.waitForStart(pod === undefined));
      let newMaster: string;
      let switched: { writePauseMs: number; failoverMs: number; failoverAfterInfoMs?: number } = { writePauseMs: 0, failoverMs: 0 };
      if (situation.kind === "seed-is-master") {
        const s = await this.switchover();
        newMaster = s.newMaster;
        switched = s;
      } else if (situation.kind === "switched") {
        newMaster = situation.newMaster;
        this.log(`master already moved to ${newMaster}; finishing the remaining steps without a failover`);
        if (pod) await this.phase("move-clients", () => this.moveStaleSeedClients());
      } else {
        throw new Error("unreachable");
      }
      await this.phase("failover-finished", () => this.waitFailoverFinished(newMaster, pod !== undefined));
      await this.phase("replicas-attached", () => this.waitReplicasAttached(newMaster));
      let seedPod: RetirementResult["seedPod"] = "already-gone";
      if (pod) {
        const outcome = await this.phase("delete-seed", () => this.deleteSeed(pod.uid, newMaster));
        if (outcome === "uid-mismatch") {
          this.log(`the seed pod was replaced while retiring it (uid ${pod.uid} is gone); checking the new one`);
          await this.keeper?.stop();
          continue;
        }
        seedPod = outcome === "deleted" ? "deleted" : "already-gone";
      } else {
        this.log(`seed pod already gone`);
      }
      await this.keeper?.stop();
      const sentinelsReset = await this.phase("reset-sentinels", () => this.resetSentinels(newMaster));
      this.log(`done: master is ${newMaster}${switched.writePauseMs ? `, writes paused ${switched.writePauseMs} ms` : ""}, seed ${seed} ${seedPod}`);
      return { newMaster, switchedOver: switched.writePauseMs > 0, ...switched, seedPod, sentinelsReset, phases: this.phases };
    }
  }

  /** The seed pod; one already terminating (a previous run deleted it) is waited for and counts as gone. */
  private async locateSeedPod(): Promise<{ uid: string } | undefined> {
    let pod: { uid: string; deleting?: boolean } | undefined;
    try {
      pod = await this.opts.seedPod.get();
    } catch (err) {
      throw retirementError("locate", "the seed pod can be read", errText(err), "Nothing was changed.");
    }
    if (!pod?.deleting) return pod;
    this.log(`seed pod (uid ${pod.uid}) is already terminating; waiting until it is gone`);
    try {
      await this.opts.seedPod.waitGone(pod.uid, this.deadline);
    } catch (err) {
      throw retirementError("locate", `the terminating seed pod (uid ${pod.uid}) is gone`, errText(err), "Its deletion was requested earlier.");
    }
    return undefined;
  }

  private async phase<T>(name: string, body: () => Promise<T>): Promise<T> {
    const start = Date.now();
    this.log(`phase ${name}`);
    try {
      return await body();
    } finally {
      this.phases.push({ name, startMs: start - this.started, durationMs: Date.now() - start });
    }
  }

  /** Polls `check` until it holds or the deadline passes; logs what it waits for when that changes. */
  private async waitFor<T>(phase: string, seedState: string, periodMs: number, check: () => Promise<Verdict<T>>): Promise<T> {
    let last = "";
    let lastLogged = 0;
    for (;;) {
      const v = await check();
      if (v.ok) return v.value;
      const now = Date.now();
      if (v.unmet !== last || now - lastLogged > 10_000) {
        this.log(`waiting: ${v.unmet} (observed: ${v.observed})`);
        last = v.unmet;
        lastLogged = now;
      }
      if (now + periodMs > this.deadline) throw retirementError(phase, `timed out waiting until ${v.unmet}`, v.observed, seedState);
      await sleep(periodMs);
    }
  }

  private async waitForStart(seedGone: boolean): Promise<Situation> {
    return this.waitFor<Situation>("preconditions", "The seed was left running as master; nothing was changed.", this.pollMs, async (): Promise<Verdict<Situation>> => {
      const obs = await observe(this.t, this.target, { seed: !seedGone });
      const where = locate(obs, this.target, seedGone);
      if (where.kind === "unsettled") return { ok: false, unmet: where.unmet, observed: where.observed };
      if (where.kind === "switched") return { ok: true, value: where };
      const whole = checkWhole(obs, this.target);
      return whole.ok ? { ok: true, value: where } : whole;
    });
  }

  private async switchover(): Promise<{ newMaster: string; writePauseMs: number; failoverMs: number; failoverAfterInfoMs?: number }> {
    const seed = this.target.seed;
    const leftAsMaster = "The seed was left running as master (its pause was lifted; no failover was issued).";
    const alignment = this.opts.alignInfo === false ? undefined : await this.phase("align-info", () => this.alignInfo());
    const aligned = alignment?.at;
    if (alignment !== undefined) {
      // Pause just in time for the failover to go out ~FAILOVER_AT_AGE_MS after the leader's last
      // INFO: the pause and the catch-up check take about three round trips of the transport.
      const lead = Math.max(PAUSE_LEAD_MS, 3 * alignment.roundTripMs + 40);
      const wait = alignment.at + FAILOVER_AT_AGE_MS - lead - Date.now();
      if (wait > 0) await sleep(wait);
    }
    const pausedAt = await this.phase("pause", async () => {
      await this.pauseSeed();
      const at = Date.now();
      this.keeper = this.keepPaused();
      return at;
    });
    let issued = false;
    try {
      await this.phase("catch-up", async () => {
        const seedOffset = Number((await replicationInfo(this.t, seed)).master_repl_offset);
        await this.waitFor("catch-up", leftAsMaster, this.fastPollMs, async () =>
          checkCaughtUp(seedOffset, await Promise.all(this.target.replicas.map((h) => observeRedis(this.t, h)))));
      });
      if (aligned !== undefined) {
        const wait = aligned + FAILOVER_AT_AGE_MS - Date.now();
        if (wait > 0) await sleep(wait);
      }
      const failoverAt = Date.now();
      if (aligned !== undefined) this.log(`SENTINEL FAILOVER ${failoverAt - aligned} ms after the leader's INFO of the replicas (aim ${FAILOVER_AT_AGE_MS}, useful up to ~800)`);
      issued = await this.phase("failover", () => this.requestFailover());
      const newMaster = await this.phase("confirm", () => this.waitSwitchedAway(seed));
      const failoverMs = Date.now() - failoverAt;
      const failoverAfterInfoMs = aligned === undefined ? undefined : failoverAt - aligned;
      await this.phase("move-clients", () => this.killSeedClients());
      const writePauseMs = Date.now() - pausedAt;
      this.log(`switched over to ${newMaster}: writes paused ${writePauseMs} ms (failover confirmed ${failoverMs} ms after SENTINEL FAILOVER)`);
      return { newMaster, writePauseMs, failoverMs, failoverAfterInfoMs };
    } catch (err) {
      if (!issued) {
        await this.keeper?.stop();
        this.keeper = undefined;
        await this.t.call("redis", seed, ["CLIENT", "UNPAUSE"]).catch(() => undefined);
        if (isRetirementError(err)) throw err;
        throw retirementError("switchover", "the switchover could not start", errText(err), leftAsMaster);
      }
      // A failover may be under way: keep the seed paused until its pause expires, never unpause it.
      await this.keeper?.stop();
      this.keeper = undefined;
      if (isRetirementError(err)) throw err;
      throw retirementError("switchover", "the failover was confirmed", errText(err),
        `SENTINEL FAILOVER was issued; the seed was not deleted and stays paused for up to ${this.pauseMs} ms.`);
    }
  }

  private async pauseSeed(): Promise<void> {
    await this.t.call("redis", this.target.seed, ["CLIENT", "PAUSE", String(this.pauseMs), "WRITE"]);
  }

  /** Re-issues CLIENT PAUSE every third of its length (CLIENT PAUSE keeps the later end time). */
  private keepPaused(): { stop: () => Promise<void> } {
    let stopped = false;
    let wake: () => void = () => undefined;
    const loop = (async () => {
      while (!stopped) {
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, Math.max(50, Math.floor(this.pauseMs / 3)));
        });
        if (stopped) break;
        await this.pauseSeed().catch((e) => this.log(`could not extend the pause on the seed: ${errText(e)}`));
      }
    })();
    return {
      stop: async () => {
        stopped = true;
        wake();
        await loop;
      },
    };
  }

  /**
   * Beats Sentinel's 1 s floor. During a failover the leader polls the promoted replica's INFO at
   * most once a second and switches only on the INFO that shows it promoted; when SENTINEL
   * FAILOVER arrives more than 1 s after its last INFO of the replicas (the usual case: 10 s
   * period), that INFO goes out in the next tick, before the promotion, and the switch waits a
   * full second for the next one. So: have the leader refresh every replica now (a 100 ms
   * info-period for a moment, then its own period back), and send SENTINEL FAILOVER ~600 ms
   * later: the next INFO is then due ~400 ms after the failover started, just after Sentinel
   * sent REPLICAOF NO ONE (~200-300 ms, one state per 100 ms tick). Returns when the refresh
   * happened (epoch ms), or undefined when the leader does not support SENTINEL DEBUG (the
   * switchover then runs at the usual speed; correctness does not depend on this).
   */
  private async alignInfo(): Promise<{ at: number; roundTripMs: number } | undefined> {
    const leader = this.target.sentinels[0];
    if (!leader) return undefined;
    const name = this.target.masterName;
    let period: string | undefined;
    try {
      const debug = await this.t.call("sentinel", leader, ["SENTINEL", "DEBUG"]);
      const rec = Array.isArray(debug) ? fieldsToRecord(debug) : {};
      period = rec["INFO-PERIOD"] ?? rec["info-period"];
      if (!period) return undefined;
      await this.t.call("sentinel", leader, ["SENTINEL", "DEBUG", "info-period", "100"]);
      const until = Date.now() + 3000;
      for (;;) {
        const asked = Date.now();
        const reps = listOfRecords(await this.t.call("sentinel", leader, ["SENTINEL", "REPLICAS", name]));
        const roundTripMs = Date.now() - asked;
        const ages = reps.filter((r) => this.target.replicas.some((h) => sameHost(h, r.ip))).map((r) => Number(r["info-refresh"]));
        if (ages.length === this.target.replicas.length && ages.every((a) => a >= 0 && a < 150)) {
          return { at: asked + Math.floor(roundTripMs / 2) - Math.max(...ages), roundTripMs };
        }
        if (Date.now() > until) return undefined;
        await sleep(20);
      }
    } catch (err) {
      this.log(`INFO alignment skipped (${errText(err)}); the failover runs at Sentinel's usual pace`);
      return undefined;
    } finally {
      if (period) await this.t.call("sentinel", leader, ["SENTINEL", "DEBUG", "info-period", period]).catch((e) => this.log(`could not restore info-period ${period} on ${leader}: ${errText(e)}`));
    }
  }

  /** Returns true once the failover is (or may be) issued; throws when Sentinel refused it. */
  private async requestFailover(): Promise<boolean> {
    const name = this.target.masterName;
    const retryUntil = Math.min(this.deadline, Date.now() + (this.opts.failoverRetryMs ?? 5000));
    let lastRefusal = "";
    for (let attempt = 0; ; attempt += 1) {
      const sentinel = this.target.sentinels[attempt % this.target.sentinels.length] ?? this.target.seed;
      try {
        await this.t.call("sentinel", sentinel, ["SENTINEL", "FAILOVER", name]);
        this.log(`SENTINEL FAILOVER ${name} accepted by ${sentinel}`);
        return true;
      } catch (err) {
        if (isReplyError(err) && err.code === "INPROG") {
          this.log(`a failover is already in progress (${err.reply}); confirming it`);
          return true;
        }
        if (isReplyError(err)) {
          lastRefusal = `${sentinel} replied ${err.reply}`;
          if (Date.now() + 200 > retryUntil) {
            throw retirementError("failover", "Sentinel accepts SENTINEL FAILOVER", lastRefusal,
              "The seed was left running as master (its pause was lifted; no failover was issued).");
          }
          this.log(`SENTINEL FAILOVER refused (${lastRefusal}); retrying`);
          await sleep(200);
          continue;
        }
        if (isTransportError(err)) {
          // Unknown whether the command reached Sentinel: treat it as issued and confirm.
          this.log(`SENTINEL FAILOVER on ${sentinel}: ${err.message}; it may have been issued, confirming`);
          return true;
        }
        throw err;
      }
    }
  }

  private async claims(seedIncluded: boolean): Promise<MasterClaim[]> {
    const hosts = seedIncluded ? [...this.target.sentinels, this.target.seed] : this.target.sentinels;
    return Promise.all(hosts.map(async (h) => {
      try {
        return { sentinel: h, addr: await masterAddrOf(this.t, h, this.target.masterName) };
      } catch (err) {
        return { sentinel: h, error: errText(err) };
      }
    }));
  }

  private async roleOf(host: string): Promise<string | undefined> {
    try {
      const r = await this.t.call("redis", host, ["ROLE"]);
      return Array.isArray(r) ? String(r[0]) : undefined;
    } catch {
      return undefined;
    }
  }

  private async waitSwitchedAway(seed: string): Promise<string> {
    return this.waitFor("confirm", `SENTINEL FAILOVER was issued; the seed was not deleted and stays paused for up to ${this.pauseMs} ms.`, this.fastPollMs, async () => {
      const claims = await this.claims(true);
      const first = claims[0]?.addr;
      const role = first && !sameHost(first, seed) ? await this.roleOf(first) : undefined;
      return checkSwitchedAway(claims, seed, role);
    });
  }

  /** Disconnect the seed's clients: they reconnect through Sentinel to the new master and resend what the pause held. */
  private async killSeedClients(): Promise<void> {
    for (const type of ["normal", "pubsub"]) {
      await this.t.call("redis", this.target.seed, ["CLIENT", "KILL", "TYPE", type]).catch((e) => this.log(`CLIENT KILL TYPE ${type} on the seed: ${errText(e)}`));
    }
  }

  /** Re-run after the master moved: if the seed still claims master (demotion pending), hold and move its clients. */
  private async moveStaleSeedClients(): Promise<void> {
    const role = await this.roleOf(this.target.seed);
    if (role !== "master") return;
    this.log(`the seed still reports role master while the sentinels name another master: pausing its writes and moving its clients`);
    await this.pauseSeed();
    this.keeper = this.keepPaused();
    await this.killSeedClients();
  }

  private async waitFailoverFinished(newMaster: string, seedPresent: boolean): Promise<void> {
    const hosts = seedPresent ? [...this.target.sentinels, this.target.seed] : this.target.sentinels;
    const seedState = `The seed was not deleted${this.keeper ? " (it stays paused until its pause expires)" : ""}.`;
    await this.waitFor("failover-finished", seedState, Math.min(this.pollMs, 100), async () =>
      checkFailoverFinished(await Promise.all(hosts.map(async (h) => {
        try {
          return { sentinel: h, master: fieldsToRecord(await this.t.call("sentinel", h, ["SENTINEL", "MASTER", this.target.masterName])) };
        } catch (err) {
          return { sentinel: h, error: errText(err) };
        }
      })), newMaster));
  }

  private async waitReplicasAttached(newMaster: string): Promise<void> {
    const seedState = `The seed was not deleted${this.keeper ? " (it stays paused until its pause expires)" : ""}.`;
    await this.waitFor("replicas-attached", seedState, this.pollMs, async () => {
      const [master, ...reps] = await Promise.all([newMaster, ...this.target.replicas].map((h) => observeRedis(this.t, h)));
      return checkReplicasAttached(master!, reps);
    });
  }

  private async deleteSeed(uid: string, newMaster: string): Promise<"deleted" | "gone" | "uid-mismatch"> {
    // Never delete the only master: re-check right before deleting.
    const claims = await this.claims(false);
    const still = checkSwitchedAway(claims, this.target.seed, await this.roleOf(newMaster));
    if (!still.ok || !sameHost(still.value, newMaster)) {
      throw retirementError("delete-seed", `before deleting the seed, ${still.ok ? `the sentinels still name ${newMaster}` : still.unmet}`,
        still.ok ? `they name ${still.value}` : still.observed, "The seed pod was not deleted.");
    }
    let outcome: "deleted" | "gone" | "uid-mismatch";
    try {
      outcome = await this.opts.seedPod.delete(uid);
    } catch (err) {
      throw retirementError("delete-seed", `the seed pod (uid ${uid}) is deleted`, errText(err),
        `The master is now ${newMaster}; the seed pod was not deleted. Run again once this is fixed: the retirement continues without a new failover.`);
    }
    this.log(`seed pod delete (uid ${uid}): ${outcome}`);
    if (outcome === "uid-mismatch") return outcome;
    await this.phase("wait-seed-gone", async () => {
      try {
        await this.opts.seedPod.waitGone(uid, this.deadline);
      } catch (err) {
        throw retirementError("wait-seed-gone", `the seed pod (uid ${uid}) is gone`, errText(err), "Its deletion was requested; the master is " + newMaster + ".");
      }
    });
    return outcome;
  }

  private async resetSentinels(newMaster: string): Promise<string[]> {
    const reset: string[] = [];
    const state = `The seed is gone; the master is ${newMaster}.`;
    for (const host of this.target.sentinels) {
      const view = await observeSentinel(this.t, host, this.target.masterName);
      const settled = (): Promise<true> => this.waitFor("reset-sentinels", state, Math.min(this.pollMs, 200), async () =>
        checkSentinelClean(await observeSentinel(this.t, host, this.target.masterName), this.target, newMaster));
      if (hasStaleEntries(view, this.target, newMaster)) {
        this.log(`SENTINEL RESET ${this.target.masterName} on ${host}`);
        // A reset Sentinel re-discovers the replicas only at its next INFO of the master (up to
        // its 10 s period): shorten the period while it re-discovers, then put its own back.
        await this.withInfoPeriod(host, 200, async () => {
          await this.t.call("sentinel", host, ["SENTINEL", "RESET", this.target.masterName]);
          reset.push(host);
          await settled();
        });
      } else {
        await settled();
      }
    }
    return reset;
  }

  /** Runs `body` with the sentinel's INFO period at `ms` (SENTINEL DEBUG), restoring it after; runs it as is when unsupported. */
  private async withInfoPeriod<T>(sentinel: string, ms: number, body: () => Promise<T>): Promise<T> {
    let period: string | undefined;
    try {
      const debug = await this.t.call("sentinel", sentinel, ["SENTINEL", "DEBUG"]);
      period = Array.isArray(debug) ? fieldsToRecord(debug)["INFO-PERIOD"] : undefined;
      if (period) await this.t.call("sentinel", sentinel, ["SENTINEL", "DEBUG", "info-period", String(ms)]);
    } catch {
      period = undefined;
    }
    try {
      return await body();
    } finally {
      if (period) await this.t.call("sentinel", sentinel, ["SENTINEL", "DEBUG", "info-period", period]).catch((e) => this.log(`could not restore info-period ${period} on ${sentinel}: ${errText(e)}`));
    }
  }
}

/** A sentinel holds entries a reset would clear: the seed, unknown hosts, or instances marked down. */
export function hasStaleEntries(v: SentinelView, target: RetirementTarget, newMaster: string): boolean {
  if (v.error || !v.masterAddr) return false;
  const wantReplicas = target.replicas.filter((h) => !sameHost(h, newMaster));
  const wantSentinels = target.sentinels.filter((h) => !sameHost(h, v.host));
  const down = (r: Record<string, string>): boolean => (r.flags ?? "").split(",").some((f) => ["s_down", "o_down", "disconnected"].includes(f));
  return (v.replicas ?? []).some((r) => down(r) || !wantReplicas.some((h) => sameHost(h, r.ip))) ||
    (v.sentinels ?? []).some((s) => down(s) || !wantSentinels.some((h) => sameHost(h, s.ip)));
}
