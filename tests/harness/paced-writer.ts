/**
 * What every continuous writer shares, whatever client it writes through (ioredis in
 * writer.ts, node-redis in bench/node-redis-writer.ts): one SET every intervalMs, each
 * recorded as acknowledged (when it was sent and when acknowledged) or failed (the message
 * the application saw); the writes in flight are tracked so that stop() can wait for them;
 * report() counts them and finds the longest interval without an acknowledged write.
 */

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

export abstract class PacedWriter {
    readonly acked: AckedWrite[] = [];
    readonly errors: WriteError[] = [];
    private timer?: NodeJS.Timeout;
    private seq = 0;
    private readonly inFlight = new Set<Promise<void>>();

    protected constructor(
        readonly prefix: string,
        private readonly intervalMs: number,
    ) {}

    /** Writes key = value; resolves once the write counts as acknowledged, throws what the application sees. */
    protected abstract write(key: string, value: string): Promise<void>;

    /** Closes the client (after stop() has waited for the writes in flight). */
    protected abstract close(): Promise<void>;

    /** Starts the timer (a second call does nothing). */
    protected startWriting(): void {
        if (this.timer) return;
        this.timer = setInterval(() => this.writeOne(), this.intervalMs);
    }

    private writeOne(): void {
        const n = ++this.seq;
        const key = `${this.prefix}${n}`;
        const value = `${n}:${Date.now()}`;
        const sentAt = Date.now();
        const p = (async () => {
            try {
                await this.write(key, value);
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
        await this.close();
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
