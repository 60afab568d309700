/**
 * Act: the seed retirement, run over any transport (Kubernetes exec, loopback).
 *
 *   locate -> (a handover already running in the seed pod: wait for it) -> preconditions
 *          -> handover: ONE exec starts handover.sh in the seed pod, which runs
 *             [align-info -> pause -> catch-up -> failover -> confirm -> move clients]
 *             inside the cluster; the provider reads its result back
 *          -> failover finished -> replicas attached -> delete seed pod (uid precondition)
 *          -> wait gone -> SENTINEL RESET one sentinel at a time
 *
 * The bracketed switchover runs in the pod, so nothing between the pause and the moved clients
 * waits on the Kubernetes API server; it runs only while the seed is master. A re-run after a
 * crash, or a seed that came back as a replica, goes straight to the remaining steps. Every wait
 * has the one deadline; a timeout throws a RetirementError naming the unmet condition and what
 * was observed. Safety rules: the seed is never unpaused once a failover may have been issued
 * (handover.sh keeps the pause; the seed is demoted, then deleted), and it is deleted only after
 * every Sentinel names another master that reports role master (never the only master).
 */
import { checkFailoverFinished, checkReplicasAttached, checkSentinelClean, checkSwitchedAway, checkWhole, locate, MasterClaim, sameHost, Situation, Verdict } from "./decide";
import { describeHandover, HANDOVER_SCRIPT, handoverArgs, handoverVerdict, HandoverState, isFinal, parseHandoverState } from "./handover";
import { fieldsToRecord } from "./reply";
import { masterAddrOf, observe, observeRedis, observeSentinel, RetirementTarget, SentinelView } from "./observe";
import { RetirementTransport } from "./transport-core";
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
  /** Poll period while waiting for preconditions / sentinels / the handover's state (default 500 ms). */
  pollMs?: number;
  /** CLIENT PAUSE length set by the handover (default: its timeout + 30 s; never lifted once a failover may have been issued). */
  pauseMs?: number;
  /** How long the handover retries a SENTINEL FAILOVER refused with NOGOODSLAVE before giving up (default 5 s). */
  failoverRetryMs?: number;
  /** Time SENTINEL FAILOVER to the leader's INFO polling (default true; see handover.sh). */
  alignInfo?: boolean;
  /** SENTINEL FAILOVER this long after the leader's aligned INFO of the replicas (default: handover.sh's, 720 ms). */
  failoverAtMs?: number;
  /** After the leader names the new master, wait at most this long for every Sentinel before moving the clients (default 0). */
  convergeMs?: number;
  /** The handover's own bound for a new master to appear (default 60 s, less when the deadline is nearer). */
  handoverTimeoutMs?: number;
  /** How long the exec starting the handover waits for its result before the provider polls its state (default 10 s). */
  handoverWaitMs?: number;
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
  /** Writes held on the seed: CLIENT PAUSE acknowledged -> its clients moved (0 without switchover), measured in the pod. */
  writePauseMs: number;
  /** SENTINEL FAILOVER sent -> the new master confirmed and the seed's clients moved (0 without switchover). */
  failoverMs: number;
  /** SENTINEL FAILOVER sent -> every Sentinel names the new master (when the handover saw it). */
  convergedMs?: number;
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
/** The handover's own bound for a new master (handover.sh --timeout-s), unless the deadline is nearer. */
const HANDOVER_TIMEOUT_MS = 60_000;
/** How long the exec starting the handover waits for its result (handover.sh --wait-s). */
const HANDOVER_WAIT_MS = 10_000;
/** A start whose handover never shows up in the pod's state within this is reported as not started. */
const HANDOVER_START_GRACE_MS = 10_000;

/** Runs the whole retirement; resolves with timings, rejects with RetirementError. */
export async function retireSeed(opts: RetireOptions): Promise<RetirementResult> {
  return new Retirement(opts).run();
}

interface Switched {
  newMaster: string;
  writePauseMs: number;
  failoverMs: number;
  failoverAfterInfoMs?: number;
  convergedMs?: number;
}

class Retirement {
  private readonly t: RetirementTransport;
  private readonly target: RetirementTarget;
  private readonly started = Date.now();
  private readonly deadline: number;
  private readonly pollMs: number;
  private readonly phases: RetirementPhase[] = [];
  private readonly log: (line: string) => void;
  /** Log lines of the handover already printed, by handover id. */
  private readonly relayed = new Map<string, number>();

  constructor(private readonly opts: RetireOptions) {
    this.t = opts.transport;
    this.target = opts.target;
    this.deadline = this.started + (opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    this.pollMs = opts.pollMs ?? 500;
    this.log = opts.log ?? (() => undefined);
  }

  async run(): Promise<RetirementResult> {
    return this.runOnce();
  }

  private async runOnce(): Promise<RetirementResult> {
    const seed = this.target.seed;
    let skips = 0;
    for (;;) {
      const pod = await this.phase("locate", () => this.locateSeedPod());
      if (pod) await this.joinRunningHandover();
      const situation = await this.phase("preconditions", () => this.waitForStart(pod === undefined));
      let newMaster: string;
      let switched: Omit<Switched, "newMaster"> = { writePauseMs: 0, failoverMs: 0 };
      if (situation.kind === "seed-is-master") {
        const s = await this.phase("handover", () => this.handover());
        if (s === "skipped") {
          skips += 1;
          if (skips >= 3) {
            throw retirementError("handover", "the handover and the provider agree that the seed is master", "the handover found nothing to hand over three times while the Sentinels named the seed", "The seed was not deleted.");
          }
          continue;
        }
        newMaster = s.newMaster;
        switched = s;
      } else if (situation.kind === "switched") {
        newMaster = situation.newMaster;
        this.log(`master already moved to ${newMaster}; finishing the remaining steps without a failover`);
        if (pod) await this.phase("move-clients", () => this.moveStaleSeedClients(newMaster));
      } else {
        throw new Error("unreachable");
      }
      await this.phase("failover-finished", () => this.waitFailoverFinished(newMaster, pod !== undefined));
      await this.phase("replicas-attached", () => this.waitReplicasAttached(newMaster));
      if (this.target.quorum !== undefined) await this.phase("quorum", () => this.applyQuorum(this.target.quorum!, newMaster));
      let seedPod: RetirementResult["seedPod"] = "already-gone";
      if (pod) {
        const outcome = await this.phase("delete-seed", () => this.deleteSeed(pod.uid, newMaster));
        if (outcome === "uid-mismatch") {
          this.log(`the seed pod was replaced while retiring it (uid ${pod.uid} is gone); checking the new one`);
          continue;
        }
        seedPod = outcome === "deleted" ? "deleted" : "already-gone";
      } else {
        this.log(`seed pod already gone`);
      }
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

  // ---- the in-pod handover --------------------------------------------------------------

  /** handover.sh in the seed pod's redis container, with these arguments. */
  private async handoverScript(args: string[], timeoutMs: number): Promise<HandoverState> {
    const out = await this.t.runScript("redis", this.target.seed, HANDOVER_SCRIPT, args, { timeoutMs });
    try {
      return parseHandoverState(out.stdout);
    } catch (err) {
      const why = out.stderr.trim().split("\n").slice(-2).join(" ") || `exit code ${out.exitCode}`;
      throw new Error(`${HANDOVER_SCRIPT} ${args[0] ?? ""} in the seed pod printed no state (${why})`);
    }
  }

  /** Reads the handover's state with a new exec (`status`); undefined when that exec failed. */
  private async handoverStatus(): Promise<HandoverState | undefined> {
    try {
      return await this.handoverScript(["status"], 15_000);
    } catch (err) {
      this.log(`reading the handover's state in the seed pod: ${errText(err)}; trying again`);
      return undefined;
    }
  }

  /** Prints the handover's log lines not printed yet. */
  private relay(s: HandoverState): void {
    const done = this.relayed.get(s.id) ?? 0;
    for (const line of s.log.slice(done)) this.log(`  pod: ${line}`);
    this.relayed.set(s.id, Math.max(done, s.log.length));
  }

  /** A re-run while a handover (started by an earlier run) still runs in the seed pod waits for it, never starts a second one. */
  private async joinRunningHandover(): Promise<void> {
    let s = await this.handoverStatus();
    if (!s || s.state !== "running") return;
    await this.phase("await-handover", async () => {
      this.log(`a handover is already running in the seed pod (${describeHandover(s!)}); waiting for it instead of starting another`);
      while (s && s.state === "running") {
        this.relay(s);
        if (Date.now() + this.pollMs > this.deadline) {
          throw retirementError("await-handover", "the handover already running in the seed pod ends", describeHandover(s), "The seed was not deleted.");
        }
        await sleep(this.pollMs);
        s = (await this.handoverStatus()) ?? s;
      }
      if (s) {
        this.relay(s);
        this.log(`the earlier handover ended: ${describeHandover(s)}`);
      }
    });
  }

  /**
   * Starts the handover in the seed pod (one exec, which also waits up to --wait-s for its
   * result) and follows it to its end. If that exec fails or is cut, the handover (detached
   * in the pod) goes on: its state is read back with later execs.
   */
  private async handover(): Promise<Switched | "skipped"> {
    const id = `retire-${this.started.toString(36)}-${Date.now().toString(36)}`;
    const left = this.deadline - Date.now();
    const timeoutMs = Math.max(5000, Math.min(this.opts.handoverTimeoutMs ?? HANDOVER_TIMEOUT_MS, left - 10_000));
    const waitMs = Math.min(this.opts.handoverWaitMs ?? HANDOVER_WAIT_MS, timeoutMs);
    const args = ["start", ...handoverArgs(this.target, {
      id, timeoutS: timeoutMs / 1000, waitS: waitMs / 1000, alignInfo: this.opts.alignInfo, failoverAtMs: this.opts.failoverAtMs,
      failoverRetryMs: this.opts.failoverRetryMs, pauseMs: this.opts.pauseMs, convergeMs: this.opts.convergeMs,
    })];
    const startedAt = Date.now();
    let s: HandoverState | undefined;
    try {
      s = await this.handoverScript(args, waitMs + 20_000);
    } catch (err) {
      this.log(`the exec starting the handover failed (${errText(err)}); it may still run in the pod: reading its state`);
    }
    let followed = s?.action === "joined" ? s.id : id;
    if (s?.action === "joined") this.log(`a handover was already running in the seed pod (${s.id}); following it instead of starting another`);
    for (;;) {
      if (s && s.id === followed) {
        this.relay(s);
        if (isFinal(s)) break;
      } else if (s && s.state === "running") {
        followed = s.id; // another run's handover holds the pod: follow that one
        this.log(`following the handover ${s.id} running in the seed pod`);
        continue;
      } else if (Date.now() - startedAt > HANDOVER_START_GRACE_MS + waitMs) {
        throw retirementError("handover", "the handover starts in the seed pod", s ? describeHandover(s) : "its state could not be read",
          "The seed was left running as master; nothing was changed.");
      }
      if (Date.now() + this.pollMs > this.deadline) {
        throw retirementError("handover", "the handover in the seed pod ends before the deadline", s ? describeHandover(s) : "its state could not be read",
          "The seed was not deleted; if the handover paused it, the pause stays until it expires (never lifted once a failover may have been issued).");
      }
      await sleep(this.pollMs);
      s = (await this.handoverStatus()) ?? s;
    }
    const v = handoverVerdict(s);
    for (const p of s.phases) this.phases.push({ name: p.name, startMs: startedAt - this.started, durationMs: p.durationMs });
    if (v.kind === "skipped") {
      this.log(`the handover found nothing to hand over (${v.reason}); checking the topology again`);
      return "skipped";
    }
    if (v.kind === "failed") throw retirementError(v.phase, v.unmet, v.observed, v.seedState);
    this.log(`switched over to ${v.newMaster} in the seed pod: writes paused ${s.pauseMs ?? "?"} ms (failover confirmed and clients moved ${s.failoverMs ?? "?"} ms after SENTINEL FAILOVER${s.failoverAfterInfoMs !== undefined ? `, sent ${s.failoverAfterInfoMs} ms after the leader's INFO of the replicas` : ""})`);
    return { newMaster: v.newMaster, writePauseMs: s.pauseMs ?? 0, failoverMs: s.failoverMs ?? 0, failoverAfterInfoMs: s.failoverAfterInfoMs, convergedMs: s.convergedMs };
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

  /** Re-run after the master moved: if the seed still claims master (demotion pending), the pod holds its writes, follows the master and moves its clients. */
  private async moveStaleSeedClients(newMaster: string): Promise<void> {
    const role = await this.roleOf(this.target.seed);
    if (role !== "master") return;
    this.log(`the seed still reports role master while the sentinels name ${newMaster}: it pauses its writes, follows ${newMaster} and disconnects its clients`);
    try {
      const s = await this.handoverScript(["demote", "--master", newMaster], 30_000);
      this.relay(s);
      if (s.state !== "done") this.log(`the seed was not demoted (${describeHandover(s)}); it is deleted next anyway`);
    } catch (err) {
      this.log(`demoting the seed: ${errText(err)}; it is deleted next anyway`);
    }
  }

  private async waitFailoverFinished(newMaster: string, seedPresent: boolean): Promise<void> {
    const hosts = seedPresent ? [...this.target.sentinels, this.target.seed] : this.target.sentinels;
    const seedState = "The seed was not deleted.";
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
    const seedState = "The seed was not deleted.";
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

  /**
   * Every Sentinel of the set runs with `quorum` (`SENTINEL SET`, which Sentinel also writes
   * into its sentinel.conf): the reconcile after a scale (the default quorum follows the
   * Sentinel count) or a `quorum` change, which roll no pod. It runs once the pods a scale-down
   * removes are gone and every Sentinel of the set answers, so a grow raises the quorum only
   * after the new Sentinels exist and a shrink lowers it as soon as the removed ones are gone.
   */
  private async applyQuorum(quorum: number, newMaster: string): Promise<void> {
    const want = String(quorum);
    await this.waitFor("quorum", `The master is ${newMaster}.`, Math.min(this.pollMs, 200), async (): Promise<Verdict<true>> => {
      const views: string[] = [];
      for (const host of this.target.sentinels) {
        let current: string | undefined;
        try {
          current = fieldsToRecord(await this.t.call("sentinel", host, ["SENTINEL", "MASTER", this.target.masterName])).quorum;
          if (current !== want) {
            await this.t.call("sentinel", host, ["SENTINEL", "SET", this.target.masterName, "quorum", want]);
            this.log(`SENTINEL SET ${this.target.masterName} quorum ${want} on ${host} (was ${current ?? "?"})`);
            current = fieldsToRecord(await this.t.call("sentinel", host, ["SENTINEL", "MASTER", this.target.masterName])).quorum;
          }
        } catch (err) {
          views.push(`${host}: ${errText(err)}`);
          continue;
        }
        if (current !== want) views.push(`${host}: quorum ${current ?? "?"}`);
      }
      return views.length === 0 ? { ok: true, value: true } : { ok: false, unmet: `every Sentinel runs with quorum ${want}`, observed: views.join("; ") };
    });
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
