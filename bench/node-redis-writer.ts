/**
 * The harness's continuous writer (tests/harness/paced-writer.ts) through node-redis
 * (`redis`, createSentinel) instead of ioredis: one SET every intervalMs through the
 * Sentinel Service, node-redis's own defaults for reconnects and topology changes.
 */
import { createSentinel } from "redis";
import { PacedWriter, Topology } from "../tests/harness";

type Sentinel = ReturnType<typeof createSentinel>;

export class NodeRedisWriter extends PacedWriter {
    private readonly client: Sentinel;

    constructor(t: Topology, intervalMs = 10) {
        super(`node-redis:${Math.random().toString(36).slice(2, 8)}:`, intervalMs);
        const auth = t.password ? { password: t.password } : {};
        this.client = createSentinel({
            name: t.masterName,
            sentinelRootNodes: [{ host: t.serviceHost, port: t.servicePort }],
            nodeClientOptions: { ...auth, socket: { connectTimeout: 2000 } },
            sentinelClientOptions: { ...auth, socket: { connectTimeout: 2000 } },
        });
        this.client.on("error", () => undefined); // surfaced per command instead
    }

    /** Connects, then starts writing. */
    async start(): Promise<this> {
        await this.client.connect();
        this.startWriting();
        return this;
    }

    protected async write(key: string, value: string): Promise<void> {
        await this.client.set(key, value);
    }

    protected async close(): Promise<void> {
        await this.client.destroy().catch(() => undefined);
    }
}
