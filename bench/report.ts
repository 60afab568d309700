/**
 * Turns runs into the result object (`--json`, bench/results/latest.json) and the human table.
 */
import { ArmSummary, nodeRedisRuns, RunResult, summarize } from "./stats";
import { ARMS, ENDPOINT_SCENARIOS } from "./endpoint";

export interface MachineInfo {
    cpu: string;
    cores: number;
    os: string;
    node: string;
    redis: string;
    ioredis: string;
    nodeRedis: string;
    /** 1-minute load average when the bench started and ended (other work on the machine skews the figures). */
    loadAvgStart: number;
    loadAvgEnd?: number;
}

export interface TargetCheck {
    target: string;
    measured: string;
    met: boolean | null;
}

export interface BenchResult {
    bench: string;
    date: string;
    command: string;
    durationS: number;
    git: { commit: string; dirty: string[]; snapshot: boolean };
    machine: MachineInfo;
    settings: Record<string, unknown>;
    planned: {
        /** Our retirement with no delay per exec (loopback). */
        ours?: ArmSummary;
        /** Our retirement at each --exec-latency-ms, 0 included, from the same interleaved runs. */
        byExecLatency?: Array<{ execLatencyMs: number } & ArmSummary>;
        seed?: ArmSummary;
        gapRatioSeedOverOurs?: number | null;
        oursNodeRedis?: ArmSummary;
        seedNodeRedis?: ArmSummary;
    };
    unplanned: { ours?: ArmSummary; sigkill?: ArmSummary; sigterm?: ArmSummary };
    /** The master pod deleted as Kubernetes does it: the preStop hook (prestop-redis.sh), then SIGTERM. */
    podDelete?: ArmSummary;
    sentinelLoss?: ArmSummary;
    replicaLoss?: ArmSummary;
    scale: Array<{ replicas: number; sentinels: number } & ArmSummary>;
    /** The master endpoint: a plain ioredis client through HAProxy, and the Sentinel client in the same windows. */
    endpoint?: { plannedSentinel?: ArmSummary; plannedPlain?: ArmSummary; sigkillSentinel?: ArmSummary; sigkillPlain?: ArmSummary };
    targets: TargetCheck[];
    runs: RunResult[];
}

const pick = (runs: RunResult[], scenario: string, arm?: string): RunResult[] =>
    runs.filter((r) => r.scenario === scenario && (arm === undefined || r.arm === arm));
const some = (runs: RunResult[]): ArmSummary | undefined => (runs.length ? summarize(runs) : undefined);

/** Our planned runs with this delay per exec (unset counts as 0). */
const atLatency = (runs: RunResult[], ms: number): RunResult[] => pick(runs, "planned", "ours").filter((r) => (r.execLatencyMs ?? 0) === ms);

export function buildResult(runs: RunResult[], head: Omit<BenchResult, "planned" | "unplanned" | "scale" | "endpoint" | "targets" | "runs">): BenchResult {
    const ours = some(atLatency(runs, 0));
    const latencies = [...new Set(pick(runs, "planned", "ours").map((r) => r.execLatencyMs ?? 0))].sort((a, b) => a - b);
    const byExecLatency = latencies.map((execLatencyMs) => ({ execLatencyMs, ...summarize(atLatency(runs, execLatencyMs)) }));
    const seed = some(pick(runs, "planned", "seed"));
    const ratio = ours?.medianGapMs && seed?.medianGapMs ? Math.round((seed.medianGapMs / ours.medianGapMs) * 10) / 10 : null;
    const scaleRuns = pick(runs, "scale");
    const shapes = [...new Set(scaleRuns.map((r) => `${r.replicas}x${r.sentinels}`))];
    const scale = shapes.map((shape) => {
        const [replicas, sentinels] = shape.split("x").map(Number);
        return { replicas, sentinels, ...summarize(scaleRuns.filter((r) => r.replicas === replicas && r.sentinels === sentinels)) };
    });
    const result: BenchResult = {
        ...head,
        planned: {
            ours, byExecLatency, seed, gapRatioSeedOverOurs: ratio,
            oursNodeRedis: some(nodeRedisRuns(atLatency(runs, 0))),
            seedNodeRedis: some(nodeRedisRuns(pick(runs, "planned", "seed"))),
        },
        unplanned: { ours: some(pick(runs, "unplanned")), sigkill: some(pick(runs, "unplanned", "sigkill")), sigterm: some(pick(runs, "unplanned", "sigterm")) },
        podDelete: some(pick(runs, "pod-delete")),
        sentinelLoss: some(pick(runs, "sentinel-loss")),
        replicaLoss: some(pick(runs, "replica-loss")),
        scale,
        endpoint: pick(runs, ENDPOINT_SCENARIOS.planned).length + pick(runs, ENDPOINT_SCENARIOS.unplanned).length ? {
            plannedSentinel: some(pick(runs, ENDPOINT_SCENARIOS.planned, ARMS.sentinel)),
            plannedPlain: some(pick(runs, ENDPOINT_SCENARIOS.planned, ARMS.plain)),
            sigkillSentinel: some(pick(runs, ENDPOINT_SCENARIOS.unplanned, ARMS.sentinel)),
            sigkillPlain: some(pick(runs, ENDPOINT_SCENARIOS.unplanned, ARMS.plain)),
        } : undefined,
        targets: [],
        runs,
    };
    result.targets = checkTargets(result);
    return result;
}

/** Runs a target needs before it counts as met (issue 11). */
export const MIN_TARGET_RUNS = 5;
/** Median write gap targets of the planned retirement, by delay per exec (issue 11). */
export const PLANNED_GAP_TARGETS: ReadonlyArray<{ execLatencyMs: number; maxMedianGapMs: number }> = [
    { execLatencyMs: 0, maxMedianGapMs: 800 },
    { execLatencyMs: 250, maxMedianGapMs: 1000 },
];

/** The issues' targets, checked against this run's figures (null: not measured in this run, or too few runs). */
export function checkTargets(r: Pick<BenchResult, "planned" | "unplanned">): TargetCheck[] {
    const ours = r.planned.ours;
    const seed = r.planned.seed;
    const un = r.unplanned.ours;
    const measured = (a: ArmSummary | undefined): a is ArmSummary => !!a && a.runs > 0;
    const planned = (ms: number): ArmSummary | undefined => r.planned.byExecLatency?.find((x) => x.execLatencyMs === ms) ?? (ms === 0 ? ours : undefined);
    const enough = (a: ArmSummary): boolean => a.runs >= MIN_TARGET_RUNS;
    const runsNote = (a: ArmSummary): string => (enough(a) ? "" : ` (needs ${MIN_TARGET_RUNS} runs to count)`);
    return [
        ...PLANNED_GAP_TARGETS.flatMap(({ execLatencyMs, maxMedianGapMs }) => {
            const a = planned(execLatencyMs);
            return [
                {
                    target: `planned retirement, ${execLatencyMs} ms per exec: median write gap <= ${maxMedianGapMs} ms`,
                    measured: measured(a) ? `${a.medianGapMs} ms over ${a.runs} runs${runsNote(a)}` : "not measured",
                    met: measured(a) && enough(a) ? (a.medianGapMs ?? Infinity) <= maxMedianGapMs : null,
                },
                {
                    target: `planned retirement, ${execLatencyMs} ms per exec: 0 lost writes, 0 errors seen by the ioredis application`,
                    measured: measured(a) ? `${a.lostWrites} lost, ${a.clientErrors} errors${a.failedRuns ? `, ${a.failedRuns} failed runs` : ""}` : "not measured",
                    met: measured(a) ? a.lostWrites === 0 && a.clientErrors === 0 && a.failedRuns === 0 : null,
                },
            ];
        }),
        {
            target: "unplanned master loss: writable again within down-after + 2 s (every run)",
            measured: measured(un) ? `max ${un.maxWritableAfterMs} ms, median ${un.medianWritableAfterMs} ms (down-after ${un.downAfterMs} ms)` : "not measured",
            met: measured(un) ? (un.maxWritableAfterMs ?? Infinity) <= (un.downAfterMs ?? 0) + 2000 && un.failedRuns === 0 : null,
        },
        {
            target: "planned gap at least 50x better than the seed procedure's (same run)",
            measured: measured(ours) && measured(seed) ? `${seed.medianGapMs} / ${ours.medianGapMs} = ${r.planned.gapRatioSeedOverOurs}x` : "not measured",
            met: measured(ours) && measured(seed) ? (r.planned.gapRatioSeedOverOurs ?? 0) >= 50 : null,
        },
    ];
}

function fmt(x: number | null | undefined): string {
    return x === null || x === undefined ? "-" : String(x);
}

function row(cells: string[], widths: number[]): string {
    return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
}

export function formatTable(r: BenchResult): string {
    const header = ["scenario", "shape", "runs", "median gap", "p95 gap", "max gap", "writable after (med/max)", "lost", "errors", "retire (med)", "paused (med)"];
    const lines: string[][] = [];
    const add = (name: string, shape: string, a: ArmSummary | undefined): void => {
        if (!a) return;
        lines.push([
            name, shape, `${a.runs}${a.failedRuns ? ` (+${a.failedRuns} failed)` : ""}`,
            fmt(a.medianGapMs), fmt(a.p95GapMs), fmt(a.maxGapMs),
            a.medianWritableAfterMs !== undefined ? `${fmt(a.medianWritableAfterMs)}/${fmt(a.maxWritableAfterMs)}` : "-",
            String(a.lostWrites), String(a.clientErrors), fmt(a.medianRetireMs), fmt(a.medianWritePauseMs),
        ]);
    };
    const shape = (runs: RunResult[]): string => {
        const r0 = runs[0];
        return r0 ? `${r0.replicas}r/${r0.sentinels}s da=${r0.downAfterMs / 1000}s` : "";
    };
    if (r.planned.byExecLatency?.length) {
        for (const x of r.planned.byExecLatency) add(`planned: ours, ${x.execLatencyMs} ms/exec`, shape(atLatency(r.runs, x.execLatencyMs)), x);
    } else {
        add("planned: ours (retireSeed)", shape(pick(r.runs, "planned", "ours")), r.planned.ours);
    }
    add("planned: seed procedure", shape(pick(r.runs, "planned", "seed")), r.planned.seed);
    add("planned: ours 0 ms/exec, node-redis", shape(atLatency(r.runs, 0)), r.planned.oursNodeRedis);
    add("planned: seed, node-redis app", shape(pick(r.runs, "planned", "seed")), r.planned.seedNodeRedis);
    add("unplanned master loss: SIGKILL", shape(pick(r.runs, "unplanned", "sigkill")), r.unplanned.sigkill);
    add("unplanned master loss: SIGTERM", shape(pick(r.runs, "unplanned", "sigterm")), r.unplanned.sigterm);
    add("master pod deleted (preStop+TERM)", shape(pick(r.runs, "pod-delete")), r.podDelete);
    add("sentinel loss (SIGKILL)", shape(pick(r.runs, "sentinel-loss")), r.sentinelLoss);
    add("replica loss (SIGKILL)", shape(pick(r.runs, "replica-loss")), r.replicaLoss);
    for (const s of r.scale) add(`scale: planned, ours`, `${s.replicas}r/${s.sentinels}s`, s);
    const ep = r.endpoint;
    add("endpoint, planned: Sentinel client", shape(pick(r.runs, ENDPOINT_SCENARIOS.planned)), ep?.plannedSentinel);
    add("endpoint, planned: plain via endpoint", shape(pick(r.runs, ENDPOINT_SCENARIOS.planned)), ep?.plannedPlain);
    add("endpoint, SIGKILL: Sentinel client", shape(pick(r.runs, ENDPOINT_SCENARIOS.unplanned)), ep?.sigkillSentinel);
    add("endpoint, SIGKILL: plain via endpoint", shape(pick(r.runs, ENDPOINT_SCENARIOS.unplanned)), ep?.sigkillPlain);
    const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
    const out = [row(header, widths), widths.map((w) => "-".repeat(w)).join("  "), ...lines.map((l) => row(l, widths))];
    out.push("", "times in ms; gap = longest interval between acknowledged writes; lost = acknowledged writes missing on the final master;");
    out.push("errors = writes rejected to the application (ioredis in sentinel mode; the node-redis rows: a second application on node-redis createSentinel in the same runs);", "writable after = event start -> first write acknowledged after the outage;");
    if (ep) out.push("endpoint rows: one plain ioredis client (host/port, ioredis defaults) through HAProxy with the shipped config, beside the Sentinel client, same windows; SIGKILL rows acknowledge after WAIT 1");
    out.push("N ms/exec = every transport call of the retirement (redis-cli, the exec starting the in-pod handover, reading its state) delayed N ms, as a round trip through the API server");
    for (const x of r.planned.byExecLatency ?? (r.planned.ours ? [{ execLatencyMs: 0, ...r.planned.ours }] : [])) {
        const ph = x.medianPhasesMs;
        if (ph) out.push(`planned, ours, ${x.execLatencyMs} ms/exec: median phase durations: ${Object.entries(ph).map(([k, v]) => `${k} ${v}`).join(", ")}`);
        const a = x.failoverAfterInfoMs;
        if (a) out.push(`planned, ours, ${x.execLatencyMs} ms/exec: SENTINEL FAILOVER sent ${a.min}/${a.median}/${a.max} ms (min/median/max) after the leader's aligned INFO`);
    }
    const ratios = r.planned.byExecLatency?.filter((x) => x.execLatencyMs > 0 && x.medianGapMs && r.planned.ours?.medianGapMs);
    for (const x of ratios ?? []) out.push(`planned gap, ${x.execLatencyMs} ms/exec / 0 ms/exec (same run): ${Math.round(((x.medianGapMs as number) / (r.planned.ours?.medianGapMs as number)) * 100) / 100}`);
    if (r.planned.ours?.resetsHeld) out.push(`planned, ours: ${r.planned.ours.resetsHeld} SENTINEL RESET(s) held by the bench's reset guard until the sentinel's failover ended (bench/reset-guard.ts)`);
    if (r.planned.gapRatioSeedOverOurs) out.push(`planned gap, seed procedure / ours: ${r.planned.gapRatioSeedOverOurs}x`);
    const m = r.machine;
    out.push(`machine: ${m.cpu}, ${m.cores} cores, ${m.os}, node ${m.node}, ${m.redis.split(" ").slice(0, 3).join(" ")}, ioredis ${m.ioredis}, node-redis ${m.nodeRedis}; load average ${m.loadAvgStart} at start, ${m.loadAvgEnd ?? "?"} at end`);
    out.push(`command: ${r.command} (${r.date}, ${r.durationS} s)`);
    out.push(`code: commit ${r.git.commit}${r.git.snapshot ? " (exported snapshot)" : r.git.dirty.length ? `, working tree with uncommitted changes in ${r.git.dirty.join(", ")}` : ""}`);
    out.push("", "targets:");
    for (const t of r.targets) out.push(`  [${t.met === null ? "n/a " : t.met ? "met " : "MISS"}] ${t.target}: ${t.measured}`);
    const failed = r.runs.filter((x) => x.failure);
    if (failed.length) {
        out.push("", "failed runs:");
        for (const f of failed) out.push(`  ${f.scenario}/${f.arm} run ${f.run} (${f.replicas}r/${f.sentinels}s): ${f.failure}`);
    }
    return out.join("\n");
}
