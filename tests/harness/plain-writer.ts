/**
 * An application that does not speak Sentinel: one plain ioredis client (host and port,
 * ioredis's own defaults: no `reconnectOnError`, no READONLY handling) writing at a fixed
 * rate through the master endpoint. It records every acknowledged write, every error
 * surfaced to the application, and the longest interval without an acknowledged write;
 * verifyOnMaster() checks that every acknowledged write is on a given master.
 */
import Redis, { RedisOptions } from "ioredis";

export interface PlainAck {
    key: string;
    value: string;
    ackAt: number;
}

export interface PlainWriterReport {
    sent: number;
    acked: number;
    errors: number;
    /** Distinct error messages (at most 5). */
    errorMessages: string[];
    /** READONLY replies among the errors: a write sent to a demoted master. */
    readonlyErrors: number;
    longestGapMs: number;
    /** Writes still unanswered when the writer stopped. */
    unsettled: number;
}

export interface PlainWriterOptions {
    host: string;
    port: number;
    password?: string;
    /** One write every intervalMs (default 20). */
    intervalMs?: number;
    /** Acknowledge only after `WAIT n` (use 1 when a test SIGKILLs the master: replication is asynchronous). */
    waitReplicas?: number;
    /** Extra ioredis options over its defaults. */
    redis?: RedisOptions;
}

export class PlainWriter {
    readonly acked: PlainAck[] = [];
    readonly errors: Array<{ at: number; message: string }> = [];
    private readonly client: Redis;
    private readonly prefix = `plain:${Math.random().toString(36).slice(2, 8)}:`;
    private timer?: NodeJS.Timeout;
    private seq = 0;
    private readonly inFlight = new Set<Promise<void>>();

    constructor(private readonly opts: PlainWriterOptions) {
        this.client = new Redis({ host: opts.host, port: opts.port, password: opts.password, ...opts.redis });
        this.client.on("error", () => undefined); // surfaced per command instead
    }

    start(): this {
        this.timer ??= setInterval(() => this.writeOne(), this.opts.intervalMs ?? 20);
        return this;
    }

    private writeOne(): void {
        const n = ++this.seq;
        const key = `${this.prefix}${n}`;
        const value = `${n}:${Date.now()}`;
        const p = (async () => {
            try {
                await this.client.set(key, value);
                const want = this.opts.waitReplicas ?? 0;
                if (want > 0) {
                    const got = Number(await this.client.wait(want, 1000));
                    if (got < want) throw new Error(`WAIT: ${got} of ${want} replicas acknowledged`);
                }
                this.acked.push({ key, value, ackAt: Date.now() });
            } catch (e) {
                this.errors.push({ at: Date.now(), message: (e as Error).message });
            }
        })();
        this.inFlight.add(p);
        void p.finally(() => this.inFlight.delete(p));
    }

    /** Stops writing, waits (bounded) for the writes in flight, closes the client. */
    async stop(settleMs = 15_000): Promise<PlainWriterReport> {
        if (this.timer) clearInterval(this.timer);
        this.timer = undefined;
        await Promise.race([Promise.all([...this.inFlight]), new Promise((r) => setTimeout(r, settleMs))]);
        const acks = this.acked.map((a) => a.ackAt).sort((a, b) => a - b);
        let longestGapMs = 0;
        for (let i = 1; i < acks.length; i++) longestGapMs = Math.max(longestGapMs, acks[i] - acks[i - 1]);
        const report: PlainWriterReport = {
            sent: this.seq,
            acked: this.acked.length,
            errors: this.errors.length,
            errorMessages: [...new Set(this.errors.map((e) => e.message))].slice(0, 5),
            readonlyErrors: this.errors.filter((e) => e.message.startsWith("READONLY")).length,
            longestGapMs,
            unsettled: this.inFlight.size,
        };
        this.client.disconnect();
        return report;
    }
}

/** The acknowledged writes missing (or changed) on the server at address:port, which must answer ROLE master. */
export async function verifyOnMaster(acked: PlainAck[], address: string, port: number, password?: string): Promise<{ role: string; missing: string[] }> {
    const client = new Redis({ host: address, port, password, lazyConnect: true, maxRetriesPerRequest: 3 });
    client.on("error", () => undefined);
    try {
        await client.connect();
        const role = String(((await client.role()) as unknown[])[0]);
        const missing: string[] = [];
        for (let i = 0; i < acked.length; i += 500) {
            const chunk = acked.slice(i, i + 500);
            const values = await client.mget(...chunk.map((a) => a.key));
            chunk.forEach((a, j) => {
                if (values[j] !== a.value) missing.push(a.key);
            });
        }
        return { role, missing };
    } finally {
        client.disconnect();
    }
}
