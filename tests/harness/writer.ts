/**
 * A continuous writer: an application writing at a fixed rate through ioredis in
 * sentinel mode, with the retry settings an application typically uses. It records
 * every acknowledged write, every error surfaced to the application and the longest
 * interval without an acknowledged write; verifyAcknowledged() then checks that every
 * acknowledged write is on the current master.
 */
import Redis, { RedisOptions } from "ioredis";
import { AckedWrite, PacedWriter } from "./paced-writer";

export type { AckedWrite, WriteError, WriterReport } from "./paced-writer";

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

export class ContinuousWriter extends PacedWriter {
    private readonly client: Redis;

    constructor(private readonly opts: WriterOptions) {
        super(opts.prefix ?? `writer:${Math.random().toString(36).slice(2, 8)}:`, opts.intervalMs ?? 20);
        this.client = new Redis(applicationRedisOptions(opts.redis));
        this.client.on("error", () => undefined); // surfaced per command instead
    }

    start(): this {
        this.startWriting();
        return this;
    }

    protected async write(key: string, value: string): Promise<void> {
        await this.client.set(key, value);
        const want = this.opts.waitReplicas ?? 0;
        if (want > 0) {
            const got = Number(await this.client.wait(want, this.opts.waitTimeoutMs ?? 1000));
            if (got < want) throw new Error(`WAIT: ${got} of ${want} replicas acknowledged`);
        }
    }

    protected async close(): Promise<void> {
        this.client.disconnect();
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
