/**
 * A retirement transport whose every call costs a round trip through a Kubernetes API server:
 * each `call` (redis-cli) and each `runScript` (an exec of a script in a pod) is delayed by
 * `latencyMs`, half before it runs (the request reaching the pod) and half after (the answer
 * coming back). On loopback every command otherwise costs nothing, which hides what a real
 * cluster adds (about 100 ms per exec on a local cluster, 250 ms or more to a remote one).
 * Used by the bench (`--exec-latency-ms`) and the integration tests.
 */
import { Reply } from "../../src/retirement/reply";
import { CliResult, NodeRole, RetirementTransport } from "../../src/retirement/transport";

const sleep = (ms: number): Promise<void> => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());

export class DelayedTransport implements RetirementTransport {
    /** Calls made through this transport (both kinds). */
    calls = 0;

    constructor(private readonly inner: RetirementTransport, readonly latencyMs: number) {}

    private async delayed<T>(run: () => Promise<T>): Promise<T> {
        this.calls += 1;
        const before = Math.floor(this.latencyMs / 2);
        await sleep(before);
        try {
            return await run();
        } finally {
            await sleep(this.latencyMs - before);
        }
    }

    call(role: NodeRole, host: string, args: readonly string[]): Promise<Reply> {
        return this.delayed(() => this.inner.call(role, host, args));
    }

    runScript(role: NodeRole, host: string, script: string, args: readonly string[], opts?: { timeoutMs?: number }): Promise<CliResult> {
        return this.delayed(() => this.inner.runScript(role, host, script, args, opts));
    }
}
