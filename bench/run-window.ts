/**
 * One measured window around an event: a continuous writer (ioredis in sentinel mode, the
 * harness's ContinuousWriter) runs before, during and after it; then the topology must
 * settle and every acknowledged write is looked up on the final master.
 */
import { AckedWrite, ContinuousWriter, Topology, verifyAcknowledged, WriterReport } from "../tests/harness";
import { NodeRedisWriter } from "./node-redis-writer";

export interface WindowOptions {
    /** One SET every intervalMs (default 10). */
    intervalMs: number;
    /** Writes before the event (ms, default 1000). */
    leadMs?: number;
    /** Writes after recovery (ms, default 1000). */
    tailMs?: number;
    /** Longest wait for the first acknowledged write sent after the event (ms). */
    recoverTimeoutMs: number;
    /** Run after the writer stopped, before the topology must be healthy (e.g. restart a killed pod). */
    beforeSettle?: () => Promise<void>;
    settleTimeoutMs?: number;
    /** Also run a node-redis (createSentinel) writer beside the ioredis one. */
    nodeRedis?: boolean;
}

/** What the second client (node-redis) saw in the same window. */
export interface SecondClientOutcome {
    report: WriterReport;
    writableAfterMs?: number;
    lostWrites: number;
    /** Set when it did not recover in the window (its gap then misses the outage). */
    failure?: string;
}

export interface WindowOutcome {
    report: WriterReport;
    /** Event start -> the end of the longest gap that ends after the event started (ms). */
    writableAfterMs?: number;
    lostWrites: number;
    eventStart: number;
    eventEnd: number;
    nodeRedis?: SecondClientOutcome;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The first write sent at or after `since` that was acknowledged (its ack time), if any. */
function firstAckSentSince(w: { acked: AckedWrite[] }, since: number): number | undefined {
    let first: number | undefined;
    for (const a of w.acked) if (a.sentAt >= since && (first === undefined || a.ackAt < first)) first = a.ackAt;
    return first;
}

export async function measureWindow<T>(t: Topology, opts: WindowOptions, event: () => Promise<T>): Promise<WindowOutcome & { value: T }> {
    const writer = new ContinuousWriter({ redis: t.clientOptions(), intervalMs: opts.intervalMs }).start();
    let stopped = false;
    let second: NodeRedisWriter | undefined;
    let secondStopped = false;
    try {
        if (opts.nodeRedis) {
            const w2 = new NodeRedisWriter(t, opts.intervalMs);
            second = w2;
            await bounded(w2.start(), 10_000, "node-redis: connecting through the Sentinel Service");
        }
        await sleep(opts.leadMs ?? 1000);
        if (writer.acked.length === 0) {
            await sleep(2000);
            if (writer.acked.length === 0) throw new Error(`the writer got no write acknowledged before the event (errors: ${writer.report().errorMessages.join("; ") || "none"})`);
        }
        const eventStart = Date.now();
        const value = await event();
        const eventEnd = Date.now();
        const deadline = eventEnd + opts.recoverTimeoutMs;
        while (firstAckSentSince(writer, eventEnd) === undefined) {
            if (Date.now() > deadline) {
                const r = writer.report();
                throw new Error(`no write acknowledged within ${opts.recoverTimeoutMs} ms after the event (acked ${r.acked}, errors ${r.errors}: ${r.errorMessages.join("; ")})`);
            }
            await sleep(20);
        }
        let secondFailure: string | undefined;
        if (second) {
            while (firstAckSentSince(second, eventEnd) === undefined) {
                if (Date.now() > deadline) {
                    secondFailure = `node-redis: no write acknowledged within ${opts.recoverTimeoutMs} ms after the event`;
                    break;
                }
                await sleep(20);
            }
        }
        await sleep(opts.tailMs ?? 1000);
        const report = await writer.stop();
        stopped = true;
        const secondReport = second ? await second.stop() : undefined;
        secondStopped = true;
        await opts.beforeSettle?.();
        await t.waitHealthy({ timeoutMs: opts.settleTimeoutMs ?? 60_000 });
        const verify = await verifyAcknowledged(writer.acked, t.clientOptions());
        if (verify.masterRole !== "master") throw new Error(`verified against a ${verify.masterRole}, not a master`);
        const writableAfter = (r: WriterReport): number | undefined => (r.longestGapTo !== undefined && r.longestGapTo > eventStart ? r.longestGapTo - eventStart : undefined);
        let nodeRedis: SecondClientOutcome | undefined;
        if (second && secondReport) {
            const v2 = await verifyAcknowledged(second.acked, t.clientOptions());
            nodeRedis = { report: secondReport, writableAfterMs: writableAfter(secondReport), lostWrites: v2.missing.length + v2.wrong.length, failure: secondFailure };
        }
        return { report, writableAfterMs: writableAfter(report), lostWrites: verify.missing.length + verify.wrong.length, eventStart, eventEnd, value, nodeRedis };
    } finally {
        if (!stopped) await writer.stop(2000);
        if (second && !secondStopped) await second.stop(2000).catch(() => undefined);
    }
}

function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
        p,
        new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`${what}: gave up after ${ms} ms`)), ms);
        }),
    ]).finally(() => timer && clearTimeout(timer));
}
