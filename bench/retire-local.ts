/**
 * Runs the package's real seed retirement (retireSeed) against a harness topology over
 * LocalTransport: host names map to the pods' loopback addresses, and deleting the seed pod
 * stops its processes (LocalSeedPod).
 */
import { retireSeed, RetirementResult } from "../src/retirement/retire";
import { LocalNode, LocalTransport } from "../src/retirement/transport";
import { Topology } from "../tests/harness";
import { ResetGuardTransport } from "./reset-guard";
import { LocalSeedPod } from "./seed-pod";

export interface LocalRetirement extends RetirementResult {
    /** SENTINEL RESETs the bench's guard held back until the sentinel's failover ended, and for how long. */
    resetsHeld: number;
    resetsHeldMs: number;
}

export async function retireLocally(t: Topology, opts: { timeoutMs?: number; resetGuard?: boolean; log?: (line: string) => void } = {}): Promise<LocalRetirement> {
    const nodes: Record<string, LocalNode> = {};
    for (const p of t.pods) {
        const a = t.resolve(p.host);
        nodes[p.host] = { address: a.address, redisPort: a.redisPort, sentinelPort: a.sentinelPort };
    }
    const local = new LocalTransport({ nodes, password: t.password || undefined });
    const guard = opts.resetGuard === false ? undefined : new ResetGuardTransport(local, t.seedPod().host);
    const result = await retireSeed({
        transport: guard ?? local,
        seedPod: new LocalSeedPod(t),
        target: {
            masterName: t.masterName,
            seed: t.seedPod().host,
            replicas: t.redisPods().map((p) => p.host),
            sentinels: t.sentinelPods().map((p) => p.host),
        },
        timeoutMs: opts.timeoutMs ?? 120_000,
        log: opts.log,
    });
    return { ...result, resetsHeld: guard?.held ?? 0, resetsHeldMs: guard?.heldMs ?? 0 };
}
