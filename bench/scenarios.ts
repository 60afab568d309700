/**
 * The benchmark scenarios. Each run starts its own topology (or reuses the one its scenario
 * set up), measures one event with a continuous ioredis writer, and always stops every
 * process before returning. Nothing here decides pass/fail: it returns RunResults.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { scriptsDir } from "../src/scripts";
import { PodInfo, Topology, TopologyOptions, startTopology } from "../tests/harness";
import { retireInProcess, RetirementProcess } from "./retire-process";
import { measureWindow, WindowOutcome } from "./run-window";
import { RunResult } from "./stats";

export interface BenchContext {
    intervalMs: number;
    /** Progress lines (stderr). */
    progress: (line: string) => void;
    /** Harness lines (only with --verbose). */
    harnessLog?: (line: string) => void;
    /** Hold SENTINEL RESET until the sentinel's failover ended (bench workaround, see reset-guard.ts). */
    resetGuard: boolean;
    /** Run a node-redis writer beside the ioredis one in the planned scenario. */
    nodeRedis: boolean;
}

/** The seed example's Sentinel settings. */
export const SEED_DOWN_AFTER_MS = 60_000;
export const SEED_FAILOVER_TIMEOUT_MS = 180_000;
/** The package defaults (sentinel.sh). */
export const OUR_DOWN_AFTER_MS = 5000;

function baseResult(scenario: string, arm: string, run: number, t: { replicas: number; sentinels: number; downAfterMs: number }): RunResult {
    return {
        scenario, arm, run, replicas: t.replicas, sentinels: t.sentinels, downAfterMs: t.downAfterMs,
        gapMs: 0, lostWrites: 0, clientErrors: 0, sent: 0, acked: 0, unsettled: 0, errorMessages: [],
    };
}

function fromWindow(r: RunResult, w: WindowOutcome): RunResult {
    const n = w.nodeRedis;
    return {
        ...(n ? {
            nodeRedis: {
                gapMs: n.report.longestGapMs, writableAfterMs: n.writableAfterMs, lostWrites: n.lostWrites, clientErrors: n.report.errors,
                sent: n.report.sent, acked: n.report.acked, errorMessages: n.report.errorMessages, failure: n.failure,
            },
        } : {}),
        ...r,
        gapMs: w.report.longestGapMs,
        writableAfterMs: w.writableAfterMs,
        lostWrites: w.lostWrites,
        clientErrors: w.report.errors,
        sent: w.report.sent,
        acked: w.report.acked,
        unsettled: w.report.unsettled,
        errorMessages: w.report.errorMessages,
    };
}

/** Total ms per phase name (a phase can repeat, e.g. on a re-run loop). */
function phaseTotals(phases: Array<{ name: string; durationMs: number }>): Record<string, number> {
    const out: Record<string, number> = {};
    for (const p of phases) out[p.name] = (out[p.name] ?? 0) + p.durationMs;
    return out;
}

/** Rejects after ms; the caller's finally still stops the topology. */
function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
        p,
        new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`${what}: gave up after ${ms} ms`)), ms);
        }),
    ]).finally(() => timer && clearTimeout(timer));
}

async function withTopology<T>(ctx: BenchContext, opts: TopologyOptions, body: (t: Topology) => Promise<T>): Promise<T> {
    const t = await startTopology({ ...opts, log: ctx.harnessLog });
    try {
        return await body(t);
    } finally {
        await t.stopAll();
    }
}

async function safely(r: RunResult, ctx: BenchContext, boundMs: number, body: () => Promise<RunResult>): Promise<RunResult> {
    try {
        const out = await bounded(body(), boundMs, `${r.scenario}/${r.arm} run ${r.run}`);
        ctx.progress(`  ${describe(out)}`);
        return out;
    } catch (e) {
        const failed = { ...r, failure: (e as Error).message };
        ctx.progress(`  ${r.scenario}/${r.arm} run ${r.run} FAILED: ${failed.failure}`);
        return failed;
    }
}

function describe(r: RunResult): string {
    const n = r.nodeRedis;
    const second = n ? `; node-redis: gap ${n.gapMs} ms, lost ${n.lostWrites}, errors ${n.clientErrors}, acked ${n.acked}/${n.sent}${n.failure ? ` (${n.failure})` : ""}` : "";
    return describeMain(r) + second;
}

function describeMain(r: RunResult): string {
    const extra = [
        r.writableAfterMs !== undefined ? `writable after ${r.writableAfterMs} ms` : "",
        r.retireMs !== undefined ? `retirement ${r.retireMs} ms (writes paused ${r.writePauseMs} ms, SENTINEL FAILOVER ${r.failoverAfterInfoMs ?? "-"} ms after the leader's INFO)` : "",
    ].filter(Boolean).join(", ");
    return `${r.scenario}/${r.arm}${r.execLatencyMs ? ` ${r.execLatencyMs} ms/exec` : ""} run ${r.run} (${r.replicas}r/${r.sentinels}s): gap ${r.gapMs} ms, lost ${r.lostWrites}, errors ${r.clientErrors}, acked ${r.acked}/${r.sent}${extra ? `, ${extra}` : ""}`;
}

/**
 * Planned retirement, ours: a fresh topology (package defaults), the writer running, then the
 * real retireSeed over LocalTransport, which ends by deleting the seed pod. With execLatencyMs,
 * every transport call (redis-cli, the exec starting the handover, reading its state) costs that
 * round trip.
 */
export async function plannedOurs(ctx: BenchContext, run: number, replicas = 3, sentinels = 3, scenario = "planned", execLatencyMs = 0): Promise<RunResult> {
    const r = { ...baseResult(scenario, "ours", run, { replicas, sentinels, downAfterMs: OUR_DOWN_AFTER_MS }), execLatencyMs };
    return safely(r, ctx, 300_000, () =>
        withTopology(ctx, { replicas, sentinels, downAfterMs: OUR_DOWN_AFTER_MS }, async (t) => {
            // The retirement runs in its own process (as the Pulumi provider does), started before the window.
            const retirement = await RetirementProcess.start(t, { timeoutMs: 240_000, resetGuard: ctx.resetGuard, log: ctx.harnessLog, execLatencyMs });
            let w;
            try {
                w = await measureWindow(t, { intervalMs: ctx.intervalMs, recoverTimeoutMs: 30_000, nodeRedis: ctx.nodeRedis && scenario === "planned" }, () => retirement.retire());
            } finally {
                retirement.stop();
            }
            const res = w.value;
            return {
                ...fromWindow(r, w),
                writableAfterMs: undefined,
                retireMs: w.eventEnd - w.eventStart,
                writePauseMs: res.writePauseMs,
                failoverMs: res.failoverMs,
                failoverAfterInfoMs: res.failoverAfterInfoMs,
                resetsHeld: res.resetsHeld,
                phasesMs: phaseTotals(res.phases),
            };
        }));
}

/**
 * Planned retirement, the seed's procedure: the same topology with the seed example's
 * Sentinel settings, then the seed pod deleted (both containers SIGTERM, as kubectl delete
 * does) and nothing else: Sentinel notices after down-after and fails over.
 */
export async function plannedSeed(ctx: BenchContext, run: number): Promise<RunResult> {
    const r = baseResult("planned", "seed", run, { replicas: 3, sentinels: 3, downAfterMs: SEED_DOWN_AFTER_MS });
    return safely(r, ctx, 400_000, () =>
        withTopology(ctx, { downAfterMs: SEED_DOWN_AFTER_MS, failoverTimeoutMs: SEED_FAILOVER_TIMEOUT_MS }, async (t) => {
            const seed = t.seedPod();
            const w = await measureWindow(t, { intervalMs: ctx.intervalMs, recoverTimeoutMs: SEED_DOWN_AFTER_MS + 120_000, settleTimeoutMs: 90_000, nodeRedis: ctx.nodeRedis }, () => {
                skipHandover(t, seed);
                return t.killPod(seed.name, "SIGTERM");
            });
            return fromWindow(r, w);
        }));
}

/**
 * The seed example's image stops on SIGTERM without handing over; our scripts hand a
 * serving master over first. To measure the original procedure, mark the handover as
 * already started (the marker the preStop hook writes), so the seed just shuts down.
 */
function skipHandover(t: Topology, pod: PodInfo): void {
    const dataDir = t.containerEnv(pod).RS_DATA_DIR;
    if (dataDir) fs.writeFileSync(path.join(dataDir, "rs-handover-started"), "bench: seed procedure\n");
}

/** The Redis container's preStop hook shipped in the ConfigMap, if this version has one. */
function preStopHook(): string | undefined {
    const f = path.join(scriptsDir(), "prestop-redis.sh");
    return fs.existsSync(f) ? f : undefined;
}

/** Runs the preStop hook in the pod's environment, as the kubelet does before SIGTERM (bounded). */
function runPreStop(t: Topology, pod: PodInfo, script: string, timeoutMs = 30_000): Promise<void> {
    return new Promise((resolve) => {
        const child = spawn("sh", [script], { env: { ...t.containerEnv(pod), RS_SCRIPTS_DIR: t.scriptsDir }, stdio: "ignore" });
        const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
        child.on("exit", () => {
            clearTimeout(timer);
            resolve(); // the kubelet sends SIGTERM whatever the hook's exit status
        });
    });
}

/** A topology in its steady state: started, then the seed retired (ours). */
async function steadyTopology(ctx: BenchContext, t: Topology): Promise<void> {
    await retireInProcess(t, { timeoutMs: 240_000, resetGuard: ctx.resetGuard, log: ctx.harnessLog });
    await t.waitHealthy({ notMaster: t.seedPod().host, timeoutMs: 60_000 });
}

export interface SteadyPlan {
    unplannedRuns: number; // per signal
    lossRuns: number; // per kind (sentinel, replica)
}

/**
 * On one steady topology (package defaults, seed retired): unplanned master loss (SIGKILL,
 * SIGTERM; the pod restarts once writes succeed again), then sentinel loss and replica loss.
 */
export async function steadyScenarios(ctx: BenchContext, plan: SteadyPlan): Promise<RunResult[]> {
    const results: RunResult[] = [];
    const shape = { replicas: 3, sentinels: 3, downAfterMs: OUR_DOWN_AFTER_MS };
    const planned: Array<{ scenario: string; arm: string; run: number }> = [];
    const hook = preStopHook();
    for (let i = 1; i <= plan.unplannedRuns; i++) {
        planned.push({ scenario: "unplanned", arm: "sigkill", run: i }, { scenario: "unplanned", arm: "sigterm", run: i });
        if (hook) planned.push({ scenario: "pod-delete", arm: "prestop", run: i });
    }
    for (let i = 1; i <= plan.lossRuns; i++) {
        planned.push({ scenario: "sentinel-loss", arm: "sigkill", run: i }, { scenario: "replica-loss", arm: "sigkill", run: i });
    }
    if (planned.length === 0) return results;
    let t: Topology | undefined;
    try {
        t = await startTopology({ log: ctx.harnessLog });
        await bounded(steadyTopology(ctx, t), 300_000, "retiring the seed for the steady topology");
    } catch (e) {
        await t?.stopAll();
        for (const p of planned) results.push({ ...baseResult(p.scenario, p.arm, p.run, shape), failure: `setup: ${(e as Error).message}` });
        return results;
    }
    const topo = t;
    try {
        for (const p of planned) {
            const r = baseResult(p.scenario, p.arm, p.run, shape);
            results.push(await safely(r, ctx, 180_000, async () => {
                const snap = await topo.waitHealthy({ timeoutMs: 60_000 });
                let victim: string;
                if (p.scenario === "unplanned" || p.scenario === "pod-delete") victim = topo.pod(snap.masters[0]).name;
                else if (p.scenario === "sentinel-loss") victim = topo.sentinelPods()[(p.run - 1) % topo.sentinelPods().length].name;
                else victim = topo.redisPods().filter((x) => x.host !== snap.masters[0])[(p.run - 1) % (topo.redisPods().length - 1)].name;
                const signal = p.arm === "sigkill" ? "SIGKILL" : "SIGTERM";
                const loss = p.scenario === "sentinel-loss" || p.scenario === "replica-loss";
                const w = await measureWindow(topo, {
                    intervalMs: ctx.intervalMs,
                    recoverTimeoutMs: OUR_DOWN_AFTER_MS + 60_000,
                    // a lost sentinel or replica: keep writing for 3 s with it down, then restart it
                    tailMs: loss ? 3000 : 1000,
                    beforeSettle: () => topo.startPod(victim),
                }, async () => {
                    if (p.scenario === "pod-delete" && hook) await runPreStop(topo, topo.pod(victim), hook);
                    await topo.killPod(victim, signal, 20_000);
                });
                const out = fromWindow(r, w);
                return loss ? { ...out, writableAfterMs: undefined } : out;
            }));
        }
    } finally {
        await topo.stopAll();
    }
    return results;
}
