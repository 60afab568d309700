/**
 * A continuous writer: an application writing at a fixed rate through ioredis in
 * sentinel mode, with the retry settings an application typically uses. It records
 * every acknowledged write, every error surfaced to the application and the longest
 * interval without an acknowledged write; verifyAcknowledged() then checks that every
 * acknowledged write is on the current master.
 */
import Redis, { RedisOptions } from "ioredis";

export interface AckedWrite {
    key: string;
    value: string;
    sentAt: number;
    ackAt: number;
}

export interface WriteError {
    key: string;
    at: number;
    message: string;
}

export interface WriterReport {
    sent: number;
    acked: number;
    errors: number;
    /** Writes neither acknowledged nor failed when the writer stopped. */
    unsettled: number;
    /** Longest interval between consecutive acknowledgements (ms), and where it was. */
    longestGapMs: number;
    longestGapFrom?: number;
    longestGapTo?: number;
    /** First few distinct error messages. */
    errorMessages: string[];
}

export interface WriterOptions {
    /** Connection options, e.g. topology.clientOptions(); merged over the application defaults. */
    redis: RedisOptions;
    /** One write every intervalMs (default 20 ms, i.e. 50 writes/s). */
    intervalMs?: number;
    /** Key prefix (default "writer:<random>:"). */
    prefix?: string;
    /**
     * Acknowledge a write only after WAIT says this many replicas have it (default 0:
     * acknowledged when SET returns). Use 1 when a test kills the master with SIGKILL:
     * Redis replication is asynchronous, so a plain SET acknowledged in the last
     * millisecond before a crash can be lost by design.
     */
    waitReplicas?: number;
    waitTimeoutMs?: number;
}

/** The retry settings of a typical application (ioredis defaults plus READONLY handling). */
export function applicationRedisOptions(connection: RedisOptions): RedisOptions {
    return {
        maxRetriesPerRequest: 20,
        retryStrategy: (times: number) => Math.min(times * 50, 2000),
        sentinelRetryStrategy: (times: number) => Math.min(times * 100, 1000),
        // After a failover the old master turns replica: reconnect (to the new master
        // the sentinels name) and resend the command.
        reconnectOnError: (err: Error) => (err.message.startsWith("READONLY") ? 2 : false),
        connectTimeout: 2000,
        ...connection,
    };
}

export class ContinuousWriter {
    readonly prefix: string;
    readonly acked: AckedWrite[] = [];
    readonly errors: WriteError[] = [];
    private readonly client: Redis;
    private timer?: NodeJS.Timeout;
    private seq = 0;
    private readonly inFlight = new Set<Promise<void>>();

    constructor(private readonly opts: WriterOptions) {
        this.prefix = opts.prefix ?? `writer:${Math.random().toString(36).slice(2, 8)}:`;
        this.client = new Redis(applicationRedisOptions(opts.redis));
        this.client.on("error", () => undefined); // surfaced per command instead
    }

    start(): this {
        if (this.timer) return this;
        this.timer = setInterval(() => this.writeOne(), this.opts.intervalMs ?? 20);
        return this;
    }

    private writeOne(): void {
        const n = ++this.seq;
        const key = `${this.prefix}${n}`;
        const value = `${n}:${Date.now()}`;
        const sentAt = Date.now();
        const p = (async () => {
            try {
                await this.client.set(key, value);
                const want = this.opts.waitReplicas ?? 0;
                if (want > 0) {
                    const got = Number(await this.client.wait(want, this.opts.waitTimeoutMs ?? 1000));
                    if (got < want) throw new Error(`WAIT: ${got} of ${want} replicas acknowledged`);
                }
                this.acked.push({ key, value, sentAt, ackAt: Date.now() });
            } catch (e) {
                this.errors.push({ key, at: Date.now(), message: (e as Error).message });
            }
        })();
        this.inFlight.add(p);
        void p.finally(() => this.inFlight.delete(p));
    }

    /** Stops writing, waits (bounded) for writes in flight, closes the client. */
    async stop(settleMs = 10_000): Promise<WriterReport> {
        if (this.timer) clearInterval(this.timer);
        this.timer = undefined;
        await Promise.race([Promise.all([...this.inFlight]), new Promise((r) => setTimeout(r, settleMs))]);
        const report = this.report();
        this.client.disconnect();
        return report;
    }

    report(): WriterReport {
        const acks = this.acked.map((a) => a.ackAt).sort((a, b) => a - b);
        let longestGapMs = 0;
        let longestGapFrom: number | undefined;
        let longestGapTo: number | undefined;
        for (let i = 1; i < acks.length; i++) {
            const gap = acks[i] - acks[i - 1];
            if (gap > longestGapMs) {
                longestGapMs = gap;
                longestGapFrom = acks[i - 1];
                longestGapTo = acks[i];
            }
        }
        return {
            sent: this.seq,
            acked: this.acked.length,
            errors: this.errors.length,
            unsettled: this.inFlight.size,
            longestGapMs,
            longestGapFrom,
            longestGapTo,
            errorMessages: [...new Set(this.errors.map((e) => e.message))].slice(0, 5),
        };
    }
}

export interface VerifyResult {
    checked: number;
    missing: string[];
    wrong: string[];
    /** The master the check read from (its role is verified). */
    masterRole: string;
}

/**
 * Checks every acknowledged write on the current master, reached the way an
 * application reaches it (sentinel mode). Throws only if the master cannot be reached.
 */
export async function verifyAcknowledged(acked: AckedWrite[], connection: RedisOptions): Promise<VerifyResult> {
    const client = new Redis({ ...applicationRedisOptions(connection), lazyConnect: true });
    client.on("error", () => undefined);
    try {
        await client.connect();
        const role = String(((await client.role()) as unknown[])[0]);
        const missing: string[] = [];
        const wrong: string[] = [];
        for (let i = 0; i < acked.length; i += 500) {
            const chunk = acked.slice(i, i + 500);
            const values = await client.mget(...chunk.map((a) => a.key));
            chunk.forEach((a, j) => {
                if (values[j] === null) missing.push(a.key);
                else if (values[j] !== a.value) wrong.push(a.key);
            });
        }
        return { checked: acked.length, missing, wrong, masterRole: role };
    } finally {
        client.disconnect();
    }
}
