/**
 * The application of the e2e: ioredis in sentinel mode through the Sentinel Service,
 * with the bench's retry settings (tests/harness/writer.ts), writing every 10 ms from
 * the moment a master answers until the run ends. Per-step figures come from windows
 * of its acknowledgements.
 */
import Redis from "ioredis";
import { AckedWrite, ContinuousWriter, verifyAcknowledged, WriterReport } from "../../harness/writer";

export interface AppTarget {
    sentinelHost: string;
    sentinelPort: number;
    masterName: string;
    password: string;
    /** TLS on: the CA (PEM) the servers' certificate is checked against, for Sentinel and Redis connections alike. */
    tls?: { ca: string };
}

/** ioredis options for TLS through Sentinel (none without TLS). */
function tlsOptions(t: AppTarget) {
    return t.tls ? { tls: { ca: t.tls.ca }, enableTLSForSentinelMode: true, sentinelTLS: { ca: t.tls.ca } } : {};
}

export interface Window {
    acked: number;
    errors: number;
    maxGapMs: number;
}

export class E2eApp {
    private writer?: ContinuousWriter;
    private target?: AppTarget;
    /** Writers of earlier passwords (see {@link moveTo}): their figures still count. */
    private readonly earlier: ContinuousWriter[] = [];
    private stopped = false;

    /** `prefix`: of its keys; two applications writing at once need different ones. */
    constructor(private readonly prefix = "e2e:") {}

    get started(): boolean {
        return this.writer !== undefined;
    }

    private connection() {
        const t = this.target!;
        return {
            sentinels: [{ host: t.sentinelHost, port: t.sentinelPort }],
            name: t.masterName,
            password: t.password,
            sentinelPassword: t.password,
            ...tlsOptions(t),
        };
    }

    /** Starts writing once the Sentinels name a master that answers; false at the deadline. */
    async startWhenServing(target: () => Promise<AppTarget | undefined>, deadlineMs: number): Promise<boolean> {
        while (Date.now() < deadlineMs && !this.stopped) {
            const t = await target().catch(() => undefined);
            if (t && (await masterAnswers(t)) && !this.stopped) {
                this.target = t;
                this.writer = new ContinuousWriter({ redis: this.connection(), intervalMs: 10, prefix: this.prefix }).start();
                return true;
            }
            await new Promise((r) => setTimeout(r, 2000));
        }
        return false;
    }

    /**
     * The application restarts with another password (as a Deployment reading the Secret does
     * after a rotation): a new writer with it, under a new key prefix; the earlier writer's
     * acknowledgements and errors still count in every figure.
     */
    async moveTo(password: string): Promise<void> {
        if (!this.writer || !this.target) throw new Error("the application has not started");
        this.earlier.push(this.writer);
        await this.writer.stop();
        this.target = { ...this.target, password };
        this.writer = new ContinuousWriter({ redis: this.connection(), intervalMs: 10, prefix: `${this.prefix}${this.earlier.length}:` }).start();
    }

    private writers(): ContinuousWriter[] {
        return [...this.earlier, ...(this.writer ? [this.writer] : [])];
    }

    /** Figures of the acknowledgements and errors between from and to (ms since epoch). */
    window(from: number, to = Date.now()): Window {
        if (!this.writer) return { acked: 0, errors: 0, maxGapMs: 0 };
        const acks = this.writers().flatMap((w) => w.acked).filter((a) => a.ackAt >= from && a.ackAt <= to).map((a) => a.ackAt).sort((a, b) => a - b);
        let maxGapMs = 0;
        for (let i = 1; i < acks.length; i++) maxGapMs = Math.max(maxGapMs, acks[i] - acks[i - 1]);
        if (acks.length) maxGapMs = Math.max(maxGapMs, to - acks[acks.length - 1]);
        return { acked: acks.length, errors: this.writers().flatMap((w) => w.errors).filter((e) => e.at >= from && e.at <= to).length, maxGapMs };
    }

    /**
     * Every acknowledged write so far that the current master lacks; `password` when the
     * deployment was recreated since (a new generated password).
     */
    async lost(password?: string): Promise<{ missing: string[]; checked: number }> {
        if (!this.writer) return { missing: [], checked: 0 };
        const acked: AckedWrite[] = this.writers().flatMap((w) => w.acked);
        const connection = this.connection();
        const v = await verifyAcknowledged(acked, password ? { ...connection, password, sentinelPassword: password } : connection);
        return { missing: [...v.missing, ...v.wrong], checked: v.checked };
    }

    errorMessages(): string[] {
        return [...new Set(this.writers().flatMap((w) => w.report().errorMessages))];
    }

    async stop(): Promise<WriterReport | undefined> {
        this.stopped = true;
        return this.writer?.stop();
    }
}

/** Whether a new connection with this target's password reaches a master (false when refused). */
export async function masterAnswers(t: AppTarget): Promise<boolean> {
    const client = new Redis({
        sentinels: [{ host: t.sentinelHost, port: t.sentinelPort }],
        name: t.masterName,
        password: t.password,
        sentinelPassword: t.password,
        ...tlsOptions(t),
        lazyConnect: true,
        connectTimeout: 2000,
        maxRetriesPerRequest: 1,
        retryStrategy: () => null,
        sentinelRetryStrategy: () => null,
    });
    client.on("error", () => undefined);
    try {
        await client.connect();
        const role = (await client.role()) as unknown[];
        return role[0] === "master";
    } catch {
        return false;
    } finally {
        client.disconnect();
    }
}
