/**
 * The master endpoint's figures (`--scenarios endpoint`): a plain ioredis client (host and
 * port, ioredis defaults, no Sentinel, no READONLY handling) writing through HAProxy with the
 * shipped configuration (tests/harness/endpoint-proxy.ts), next to the usual Sentinel client
 * (ioredis in sentinel mode, the harness's application settings) in the same windows:
 *  - planned: the seed retirement (retireSeed in its own process, as the provider runs it),
 *    a fresh topology per run;
 *  - unplanned: the master SIGKILLed on one steady topology (seed retired); both clients
 *    acknowledge a write only after WAIT 1 (replication is asynchronous: a write acknowledged
 *    by a master killed before it replicated is lost by design, with or without a proxy).
 */
import { ContinuousWriter, Topology, startTopology, verifyAcknowledged } from "../tests/harness";
import { EndpointProxy } from "../tests/harness/endpoint-proxy";
import { PlainWriter, verifyOnMaster } from "../tests/harness/plain-writer";
import { retireInProcess, RetirementProcess } from "./retire-process";
import { BenchContext, OUR_DOWN_AFTER_MS } from "./scenarios";
import { RunResult } from "./stats";

export const ENDPOINT_SCENARIOS = { planned: "endpoint-planned", unplanned: "endpoint-sigkill" } as const;
export const ARMS = { sentinel: "sentinel client", plain: "plain client via endpoint" } as const;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: gave up after ${ms} ms`)), ms)))])
        .finally(() => timer && clearTimeout(timer));
}

function base(scenario: string, arm: string, run: number): RunResult {
    return {
        scenario, arm, run, replicas: 3, sentinels: 3, downAfterMs: OUR_DOWN_AFTER_MS,
        gapMs: 0, lostWrites: 0, clientErrors: 0, sent: 0, acked: 0, unsettled: 0, errorMessages: [],
    };
}

/** Both clients through one event; returns their two rows. */
async function window(ctx: BenchContext, t: Topology, proxy: EndpointProxy, scenario: string, run: number, waitReplicas: number,
    event: () => Promise<unknown>, beforeSettle?: () => Promise<void>): Promise<RunResult[]> {
    const sentinel = new ContinuousWriter({ redis: t.clientOptions(), intervalMs: ctx.intervalMs, waitReplicas }).start();
    const plain = new PlainWriter({ host: proxy.address, port: proxy.port, password: t.password, intervalMs: ctx.intervalMs, waitReplicas }).start();
    let stopped = false;
    try {
        await sleep(1000);
        if (sentinel.acked.length === 0 || plain.acked.length === 0) throw new Error("a writer got no write acknowledged before the event");
        const start = Date.now();
        await event();
        const end = Date.now();
        const recovered = (acks: Array<{ ackAt: number }>) => acks.find((a) => a.ackAt > end);
        const writable: Record<string, number> = {};
        for (;;) {
            const s = recovered(sentinel.acked);
            const p = recovered(plain.acked);
            if (s && p) break;
            if (Date.now() > end + OUR_DOWN_AFTER_MS + 60_000) throw new Error(`no write acknowledged after the event (sentinel client: ${!!s}, plain client: ${!!p})`);
            await sleep(20);
        }
        await sleep(1000);
        const sr = await sentinel.stop();
        const pr = await plain.stop();
        stopped = true;
        await beforeSettle?.();
        const snap = await t.waitHealthy({ timeoutMs: 60_000 });
        const master = t.resolve(snap.masters[0]);
        const sv = await verifyAcknowledged(sentinel.acked, t.clientOptions());
        const pv = await verifyOnMaster(plain.acked, master.address, master.redisPort, t.password);
        if (sv.masterRole !== "master" || pv.role !== "master") throw new Error("verified against a replica");
        // Event start -> the end of the longest gap, when that gap ends after the event started.
        const after = (acks: number[]): number | undefined => {
            const s = [...acks].sort((a, b) => a - b);
            let best = 0;
            let to: number | undefined;
            for (let i = 1; i < s.length; i++) if (s[i] - s[i - 1] > best) [best, to] = [s[i] - s[i - 1], s[i]];
            return to !== undefined && to > start ? to - start : undefined;
        };
        writable.sentinel = after(sentinel.acked.map((a) => a.ackAt)) ?? 0;
        writable.plain = after(plain.acked.map((a) => a.ackAt)) ?? 0;
        return [
            {
                ...base(scenario, ARMS.sentinel, run), gapMs: sr.longestGapMs, writableAfterMs: writable.sentinel, lostWrites: sv.missing.length + sv.wrong.length,
                clientErrors: sr.errors, sent: sr.sent, acked: sr.acked, unsettled: sr.unsettled, errorMessages: sr.errorMessages,
            },
            {
                ...base(scenario, ARMS.plain, run), gapMs: pr.longestGapMs, writableAfterMs: writable.plain, lostWrites: pv.missing.length,
                clientErrors: pr.errors, sent: pr.sent, acked: pr.acked, unsettled: pr.unsettled, errorMessages: pr.errorMessages,
            },
        ];
    } finally {
        if (!stopped) {
            await sentinel.stop(2000);
            await plain.stop(2000);
        }
    }
}

function describe(r: RunResult): string {
    return `${r.scenario}/${r.arm} run ${r.run}: gap ${r.gapMs} ms, writable after ${r.writableAfterMs} ms, lost ${r.lostWrites}, errors ${r.clientErrors}, acked ${r.acked}/${r.sent}`;
}

async function guarded(ctx: BenchContext, scenario: string, run: number, body: () => Promise<RunResult[]>): Promise<RunResult[]> {
    try {
        const rows = await bounded(body(), 300_000, `${scenario} run ${run}`);
        for (const r of rows) ctx.progress(`  ${describe(r)}`);
        return rows;
    } catch (e) {
        ctx.progress(`  ${scenario} run ${run} FAILED: ${(e as Error).message}`);
        return [ARMS.sentinel, ARMS.plain].map((arm) => ({ ...base(scenario, arm, run), failure: (e as Error).message }));
    }
}

/** `runs` planned retirements (a fresh topology each) and `runs` SIGKILLs of the master (one steady topology). */
export async function endpointScenarios(ctx: BenchContext, runs: number): Promise<RunResult[]> {
    const out: RunResult[] = [];
    for (let i = 1; i <= runs; i++) {
        out.push(...await guarded(ctx, ENDPOINT_SCENARIOS.planned, i, async () => {
            const t = await startTopology({ downAfterMs: OUR_DOWN_AFTER_MS, log: ctx.harnessLog });
            let proxy: EndpointProxy | undefined;
            try {
                proxy = await EndpointProxy.start(t);
                const retirement = await RetirementProcess.start(t, { timeoutMs: 240_000, resetGuard: ctx.resetGuard, log: ctx.harnessLog });
                try {
                    return await window(ctx, t, proxy, ENDPOINT_SCENARIOS.planned, i, 0, () => retirement.retire());
                } finally {
                    retirement.stop();
                }
            } finally {
                await proxy?.stop();
                await t.stopAll();
            }
        }));
    }
    if (runs === 0) return out;
    const t = await startTopology({ downAfterMs: OUR_DOWN_AFTER_MS, log: ctx.harnessLog });
    let proxy: EndpointProxy | undefined;
    try {
        await retireInProcess(t, { timeoutMs: 240_000, resetGuard: ctx.resetGuard, log: ctx.harnessLog });
        proxy = await EndpointProxy.start(t);
        for (let i = 1; i <= runs; i++) {
            out.push(...await guarded(ctx, ENDPOINT_SCENARIOS.unplanned, i, async () => {
                const snap = await t.waitHealthy({ timeoutMs: 60_000 });
                const victim = t.pod(snap.masters[0]).name;
                return window(ctx, t, proxy!, ENDPOINT_SCENARIOS.unplanned, i, 1, () => t.killPod(victim, "SIGKILL"), () => t.startPod(victim));
            }));
        }
    } finally {
        await proxy?.stop();
        await t.stopAll();
    }
    return out;
}
