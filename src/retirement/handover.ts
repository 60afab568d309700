/**
 * The in-pod handover as the provider sees it (pure: no I/O). `handover.sh` (src/scripts) runs
 * the switchover's critical path inside the seed pod's redis container; the provider starts it
 * with one exec (`start`), reads its state back with later execs (`status`) when that exec did
 * not bring the result, and decides here what the state means. Unit-tested on states recorded
 * from real runs (tests/unit/retirement/fixtures/handover-*.txt).
 */
import { RetirementTarget } from "./observe";

export const HANDOVER_SCRIPT = "handover.sh";

export type HandoverStateName = "none" | "running" | "done" | "failed" | "skipped" | "interrupted";

/** What `handover.sh start|status` prints: the state file (key=value lines) and the log lines. */
export interface HandoverState {
  /** `start` only: it started this handover, or joined one already running. */
  action?: "started" | "joined";
  id: string;
  state: HandoverStateName;
  /** The step it is in (or ended in): check, align-info, pause, catch-up, failover, confirm, move-clients, converge. */
  phase: string;
  /** Whether SENTINEL FAILOVER was issued: yes (OK, INPROG), maybe (no answer), no. */
  issued: "no" | "yes" | "maybe";
  host: string;
  leader: string;
  newMaster: string;
  /** CLIENT PAUSE acknowledged -> clients disconnected (ms). */
  pauseMs?: number;
  /** SENTINEL FAILOVER sent -> clients disconnected (ms). */
  failoverMs?: number;
  /** How long after the leader's aligned INFO of the replicas SENTINEL FAILOVER went out. */
  failoverAfterInfoMs?: number;
  /** SENTINEL FAILOVER sent -> every Sentinel named the new master (ms). */
  convergedMs?: number;
  phases: { name: string; durationMs: number }[];
  unmet: string;
  observed: string;
  /** The state the server was left in, in the script's words. */
  left: string;
  startedAt?: number;
  updatedAt?: number;
  log: string[];
}

const STATES: readonly HandoverStateName[] = ["none", "running", "done", "failed", "skipped", "interrupted"];

const num = (v: string | undefined): number | undefined => (v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined);

/** Parses handover.sh's output; throws when it is not a handover state. */
export function parseHandoverState(text: string): HandoverState {
  const fields: Record<string, string> = {};
  const log: string[] = [];
  let header = false;
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\r$/, "");
    if (line === "handover-state v1") {
      header = true;
      continue;
    }
    const i = line.indexOf("=");
    if (i <= 0) continue;
    const key = line.slice(0, i);
    const value = line.slice(i + 1);
    if (key === "log") log.push(value);
    else fields[key] = value;
  }
  const state = fields.state as HandoverStateName;
  if (!header || !STATES.includes(state)) {
    throw new Error(`not a handover state: ${JSON.stringify(text.slice(0, 200))}`);
  }
  const issued = fields.issued === "yes" || fields.issued === "maybe" ? fields.issued : "no";
  const phases = (fields.phases ?? "").split(",").filter(Boolean).map((p) => {
    const [name, ms] = p.split(":");
    return { name: name ?? "?", durationMs: Number(ms ?? 0) };
  });
  return {
    action: fields.action === "started" || fields.action === "joined" ? fields.action : undefined,
    id: fields.id ?? "",
    state,
    phase: fields.phase ?? "",
    issued,
    host: fields.host ?? "",
    leader: fields.leader ?? "",
    newMaster: fields.new_master ?? "",
    pauseMs: num(fields.pause_ms),
    failoverMs: num(fields.failover_ms),
    failoverAfterInfoMs: num(fields.failover_after_info_ms),
    convergedMs: num(fields.converged_ms),
    phases,
    unmet: fields.unmet ?? "",
    observed: fields.observed ?? "",
    left: fields.left ?? "",
    startedAt: num(fields.started_at),
    updatedAt: num(fields.updated_at),
    log,
  };
}

export function isFinal(s: HandoverState): boolean {
  return s.state === "done" || s.state === "failed" || s.state === "skipped" || s.state === "interrupted";
}

export interface HandoverSettings {
  id: string;
  /** Longest wait for the new master, seconds (also bounds the pause: + 30 s). */
  timeoutS: number;
  /** How long the `start` exec waits for the result, seconds. */
  waitS: number;
  /** Fail (pause lifted, no failover) when the replicas do not catch up within this (seconds). */
  syncWaitS?: number;
  alignInfo?: boolean;
  failoverAtMs?: number;
  failoverRetryMs?: number;
  pauseMs?: number;
  convergeMs?: number;
}

/**
 * Arguments of `handover.sh start` for the seed retirement: the Sentinels to hand over with
 * (the set's, then the seed's own: the Sentinel Service sends clients to each of them), the
 * replicas that must catch up, and the retirement's strict catch-up rule.
 */
export function handoverArgs(target: RetirementTarget, s: HandoverSettings): string[] {
  const args = [
    "--id", s.id,
    "--sentinels", [...target.sentinels, target.seed].join(" "),
    "--replicas", target.replicas.join(" "),
    "--require-sync",
    "--timeout-s", String(Math.max(1, Math.round(s.timeoutS))),
    "--sync-wait-s", String(s.syncWaitS ?? 5),
    "--wait-s", String(Math.max(0, Math.round(s.waitS))),
  ];
  if (s.alignInfo === false) args.push("--no-align");
  if (s.failoverAtMs !== undefined) args.push("--failover-at-ms", String(Math.round(s.failoverAtMs)));
  if (s.failoverRetryMs !== undefined) args.push("--failover-retry-ms", String(Math.round(s.failoverRetryMs)));
  if (s.pauseMs !== undefined) args.push("--pause-ms", String(Math.round(s.pauseMs)));
  if (s.convergeMs !== undefined) args.push("--converge-ms", String(Math.round(s.convergeMs)));
  return args;
}

/** One line describing a state, for logs and error messages. */
export function describeHandover(s: HandoverState): string {
  const parts = [`state ${s.state}`, s.phase && `phase ${s.phase}`, `failover issued: ${s.issued}`];
  if (s.newMaster) parts.push(`new master ${s.newMaster}`);
  if (s.unmet) parts.push(`unmet: ${s.unmet}`);
  if (s.observed) parts.push(`observed: ${s.observed}`);
  if (s.left) parts.push(`left: ${s.left}`);
  return `handover ${s.id || "(no id)"} on ${s.host || "?"}: ${parts.filter(Boolean).join(", ")}`;
}

/** What the provider does with a final (or unreadable) state. */
export type HandoverVerdict =
  | { kind: "done"; newMaster: string }
  | { kind: "skipped"; reason: string }
  | { kind: "failed"; phase: string; unmet: string; observed: string; seedState: string };

/**
 * A final state turned into the provider's next step. A failure names the step it stopped in,
 * the condition not met, what was observed, and whether the seed was left paused (a failover
 * may have been issued: never unpaused, never deleted) or running as master.
 */
export function handoverVerdict(s: HandoverState): HandoverVerdict {
  if (s.state === "done" && s.newMaster) return { kind: "done", newMaster: s.newMaster };
  if (s.state === "skipped") return { kind: "skipped", reason: s.observed || "nothing to hand over" };
  const mayHaveFailedOver = s.issued !== "no" || (s.state === "interrupted" && ["failover", "confirm", "move-clients", "converge"].includes(s.phase));
  const paused = s.state === "interrupted" ? !["check", "align-info", "starting", ""].includes(s.phase) : s.issued !== "no";
  const seedState = mayHaveFailedOver
    ? `SENTINEL FAILOVER was issued${s.issued === "maybe" ? " (it got no answer, so it may or may not have reached Sentinel)" : ""}; the seed was not deleted and ${s.left ? `was left ${s.left}` : "stays paused until its pause expires"}. Run again: the retirement continues from what the Sentinels then report.`
    : paused
      ? "The seed was not deleted; its writes may be paused until the pause expires (no failover was issued). Run again."
      : `The seed was left ${s.left || "running as master"}; nothing was changed.`;
  if (s.state === "interrupted") {
    return { kind: "failed", phase: s.phase || "handover", unmet: "the handover in the seed pod finishes", observed: `its process is gone (${describeHandover(s)})`, seedState };
  }
  if (s.state === "done") {
    return { kind: "failed", phase: s.phase || "handover", unmet: "the handover names the new master", observed: describeHandover(s), seedState };
  }
  return {
    kind: "failed",
    phase: s.phase || "handover",
    unmet: s.unmet || "the handover in the seed pod succeeds",
    observed: [s.observed, `(${describeHandover(s)})`].filter(Boolean).join(" "),
    seedState,
  };
}
