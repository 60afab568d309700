/**
 * Pure figures over runs: percentiles and the per-arm summary the JSON output carries.
 */

/** Nearest-rank percentile (p in 0..100) of the values; NaN for none. */
export function percentile(values: number[], p: number): number {
    if (values.length === 0) return NaN;
    const sorted = [...values].sort((a, b) => a - b);
    const rank = Math.ceil((p / 100) * sorted.length);
    return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** Median as the mean of the two middle values for an even count. */
export function median(values: number[]): number {
    if (values.length === 0) return NaN;
    const s = [...values].sort((a, b) => a - b);
    const mid = Math.floor(s.length / 2);
    return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** One measured run of one scenario. */
export interface RunResult {
    scenario: string;
    arm: string;
    run: number;
    replicas: number;
    sentinels: number;
    downAfterMs: number;
    /** Longest interval between consecutive acknowledged writes (ms). */
    gapMs: number;
    /** Event start -> first acknowledged write after the outage (ms), for loss scenarios. */
    writableAfterMs?: number;
    /** Acknowledged writes missing (or changed) on the final master. */
    lostWrites: number;
    /** Writes the application saw rejected. */
    clientErrors: number;
    sent: number;
    acked: number;
    unsettled: number;
    /** The seed retirement (ours): its whole duration and the write pause it reports. */
    retireMs?: number;
    writePauseMs?: number;
    failoverMs?: number;
    /** How long after the leader's aligned INFO SENTINEL FAILOVER went out (a miss of the ~800 ms window costs a second). */
    failoverAfterInfoMs?: number;
    /** Every transport call of the retirement delayed this long (--exec-latency-ms); 0 or unset: none. */
    execLatencyMs?: number;
    /** Phases of the retirement (ms each), in order. */
    phasesMs?: Record<string, number>;
    /** SENTINEL RESETs the bench's guard had to hold (see reset-guard.ts). */
    resetsHeld?: number;
    errorMessages: string[];
    /** The same window seen by a second application on node-redis (planned scenario). */
    nodeRedis?: SecondClientFigures;
    /** Set when the run itself failed (a wait timed out, ...): the run is reported, not summarized. */
    failure?: string;
}

export interface SecondClientFigures {
    gapMs: number;
    writableAfterMs?: number;
    lostWrites: number;
    clientErrors: number;
    sent: number;
    acked: number;
    errorMessages: string[];
    failure?: string;
}

/** The node-redis figures of runs, as runs of their own (for summarize). */
export function nodeRedisRuns(runs: RunResult[]): RunResult[] {
    if (!runs.some((r) => r.nodeRedis)) return [];
    return runs.filter((r) => r.nodeRedis || r.failure).map((r) => ({
        ...r,
        arm: `${r.arm} (node-redis)`,
        retireMs: undefined,
        writePauseMs: undefined,
        phasesMs: undefined,
        resetsHeld: undefined,
        nodeRedis: undefined,
        ...(r.nodeRedis ?? {}),
        writableAfterMs: r.writableAfterMs === undefined ? undefined : r.nodeRedis?.writableAfterMs,
        failure: r.failure ?? r.nodeRedis?.failure,
    }));
}

export interface ArmSummary {
    runs: number;
    failedRuns: number;
    medianGapMs: number | null;
    p95GapMs: number | null;
    maxGapMs: number | null;
    lostWrites: number;
    clientErrors: number;
    medianWritableAfterMs?: number | null;
    maxWritableAfterMs?: number | null;
    medianRetireMs?: number | null;
    medianWritePauseMs?: number | null;
    /** When SENTINEL FAILOVER went out after the leader's aligned INFO: min, median, max (ms). */
    failoverAfterInfoMs?: { min: number; median: number; max: number };
    resetsHeld?: number;
    /** Median duration of each retirement phase (ms). */
    medianPhasesMs?: Record<string, number>;
    downAfterMs?: number;
    failures?: string[];
}

const num = (x: number): number | null => (Number.isFinite(x) ? Math.round(x) : null);

export function summarize(runs: RunResult[]): ArmSummary {
    const ok = runs.filter((r) => !r.failure);
    const gaps = ok.map((r) => r.gapMs);
    const s: ArmSummary = {
        runs: ok.length,
        failedRuns: runs.length - ok.length,
        medianGapMs: num(median(gaps)),
        p95GapMs: num(percentile(gaps, 95)),
        maxGapMs: num(Math.max(...gaps)),
        lostWrites: ok.reduce((n, r) => n + r.lostWrites, 0),
        clientErrors: ok.reduce((n, r) => n + r.clientErrors, 0),
    };
    const writable = ok.filter((r) => r.writableAfterMs !== undefined).map((r) => r.writableAfterMs as number);
    if (writable.length) {
        s.medianWritableAfterMs = num(median(writable));
        s.maxWritableAfterMs = num(Math.max(...writable));
    }
    const retire = ok.filter((r) => r.retireMs !== undefined).map((r) => r.retireMs as number);
    if (retire.length) s.medianRetireMs = num(median(retire));
    const pause = ok.filter((r) => r.writePauseMs !== undefined).map((r) => r.writePauseMs as number);
    if (pause.length) s.medianWritePauseMs = num(median(pause));
    const after = ok.filter((r) => r.failoverAfterInfoMs !== undefined).map((r) => r.failoverAfterInfoMs as number);
    if (after.length) s.failoverAfterInfoMs = { min: Math.min(...after), median: Math.round(median(after)), max: Math.max(...after) };
    if (ok.some((r) => r.resetsHeld !== undefined)) s.resetsHeld = ok.reduce((n, r) => n + (r.resetsHeld ?? 0), 0);
    const withPhases = ok.filter((r) => r.phasesMs);
    if (withPhases.length) {
        s.medianPhasesMs = {};
        for (const name of Object.keys(withPhases[0].phasesMs ?? {})) {
            s.medianPhasesMs[name] = Math.round(median(withPhases.map((r) => r.phasesMs?.[name] ?? 0)));
        }
    }
    const failures = runs.filter((r) => r.failure).map((r) => `run ${r.run}: ${r.failure}`);
    if (failures.length) s.failures = failures;
    const downAfter = [...new Set(runs.map((r) => r.downAfterMs))];
    if (downAfter.length === 1) s.downAfterMs = downAfter[0];
    return s;
}
