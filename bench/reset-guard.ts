/**
 * Bench-side workaround (reported to the retirement's owner): a transport wrapper that holds a
 * `SENTINEL RESET <master>` until that sentinel has finished the failover it may still be
 * leading (no `failover_in_progress` flag and its master address is no longer the seed).
 *
 * Observed on the real processes: the leader sentinel reports the promoted replica from
 * GET-MASTER-ADDR-BY-NAME while it is still in `failover-state-reconf-slaves`; a RESET then
 * aborts its failover and it goes back to monitoring the (deleted) seed, so the retirement
 * waits forever for it to name the new master, and clients asking that sentinel are sent to
 * the dead seed. The wrapper counts how often it had to wait, so the bench reports it.
 */
import { fieldsToRecord, Reply } from "../src/retirement/reply";
import { CliResult, NodeRole, RetirementTransport } from "../src/retirement/transport";

export class ResetGuardTransport implements RetirementTransport {
    /** Resets that had to wait, and the total time waited. */
    held = 0;
    heldMs = 0;

    constructor(private readonly inner: RetirementTransport, private readonly seedHost: string, private readonly maxWaitMs = 70_000) {}

    async call(role: NodeRole, host: string, args: readonly string[]): Promise<Reply> {
        if (role === "sentinel" && args.length >= 3 && /^reset$/i.test(args[1] ?? "") && /^sentinel$/i.test(args[0] ?? "")) {
            await this.untilFailoverEnded(host, args[2]);
        }
        return this.inner.call(role, host, args);
    }

    runScript(role: NodeRole, host: string, script: string, args: readonly string[], opts?: { timeoutMs?: number }): Promise<CliResult> {
        return this.inner.runScript(role, host, script, args, opts);
    }

    private async untilFailoverEnded(host: string, masterName: string): Promise<void> {
        const start = Date.now();
        let waited = false;
        while (Date.now() - start < this.maxWaitMs) {
            let m: Record<string, string> | undefined;
            try {
                m = fieldsToRecord(await this.inner.call("sentinel", host, ["SENTINEL", "MASTER", masterName]));
            } catch {
                m = undefined; // let the reset itself report the problem
            }
            if (!m) break;
            const inProgress = (m.flags ?? "").split(",").includes("failover_in_progress");
            if (!inProgress && m.ip !== this.seedHost) break;
            waited = true;
            await new Promise((r) => setTimeout(r, 100));
        }
        if (waited) {
            this.held += 1;
            this.heldMs += Date.now() - start;
        }
    }
}
