/**
 * The same continuous writer as tests/harness/writer.ts, through node-redis (`redis`,
 * createSentinel) instead of ioredis: one SET every intervalMs through the Sentinel Service,
 * node-redis's own defaults for reconnects and topology changes. Records what the
 * application sees: acknowledged writes, rejected writes, the longest interval without an ack.
 */
import { createSentinel } from "redis";
import { AckedWrite, Topology, WriteError, WriterReport } from "../tests/harness";

type Sentinel = ReturnType<typeof createSentinel>;

export class NodeRedisWriter {
    readonly acked: AckedWrite[] = [];
    readonly errors: WriteError[] = [];
    readonly prefix = `node-redis:${Math.random().toString(36).slice(2, 8)}:`;
    private readonly client: Sentinel;
    private timer?: NodeJS.Timeout;
    private seq = 0;
    private readonly inFlight = new Set<Promise<void>>();

    constructor(t: Topology, private readonly intervalMs = 10) {
        const auth = t.password ? { password: t.password } : {};
        this.client = createSentinel({
            name: t.masterName,
            sentinelRootNodes: [{ host: t.serviceHost, port: t.servicePort }],
            nodeClientOptions: { ...auth, socket: { connectTimeout: 2000 } },
            sentinelClientOptions: { ...auth, socket: { connectTimeout: 2000 } },
        });
        this.client.on("error", () => undefined); // surfaced per command instead
    }

    async start(): Promise<this> {
        await this.client.connect();
        this.timer = setInterval(() => this.writeOne(), this.intervalMs);
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
                this.acked.push({ key, value, sentAt, ackAt: Date.now() });
            } catch (e) {
                this.errors.push({ key, at: Date.now(), message: (e as Error).message });
            }
        })();
        this.inFlight.add(p);
        void p.finally(() => this.inFlight.delete(p));
    }

    async stop(settleMs = 10_000): Promise<WriterReport> {
        if (this.timer) clearInterval(this.timer);
        this.timer = undefined;
        await Promise.race([Promise.all([...this.inFlight]), new Promise((r) => setTimeout(r, settleMs))]);
        const acks = this.acked.map((a) => a.ackAt).sort((a, b) => a - b);
        let longestGapMs = 0;
        let longestGapFrom: number | undefined;
        let longestGapTo: number | undefined;
        for (let i = 1; i < acks.length; i++) {
            if (acks[i] - acks[i - 1] > longestGapMs) {
                longestGapMs = acks[i] - acks[i - 1];
                longestGapFrom = acks[i - 1];
                longestGapTo = acks[i];
            }
        }
        const report: WriterReport = {
            sent: this.seq,
            acked: this.acked.length,
            errors: this.errors.length,
            unsettled: this.inFlight.size,
            longestGapMs,
            longestGapFrom,
            longestGapTo,
            errorMessages: [...new Set(this.errors.map((e) => e.message))].slice(0, 5),
        };
        await this.client.destroy().catch(() => undefined);
        return report;
    }
}
