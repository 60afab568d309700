/**
 * Memory and disk headroom of a Redis server, from its container's memory limit. Pure.
 *
 * A Redis container's memory holds, at worst all at once (README, "Memory and disk"):
 * the dataset up to `maxmemory` (with allocator overhead), a fork's copy-on-write copy of
 * it (AOF rewrite, or the snapshot a full sync streams to a new replica: a fork lasting
 * while every key is rewritten copies every page), and the output buffer of a replica in
 * full sync (writes queued while the snapshot streams). The defaults keep that within the
 * limit: `maxmemory` 40% of it, the replica buffer 10%, and a replication backlog of 2%
 * (counted inside `maxmemory`). Measured on real processes: tests/integration/headroom.test.ts.
 *
 * A Redis volume holds, at worst: the AOF when its rewrite starts (base plus an increment as
 * large, `auto-aof-rewrite-percentage 100`), the new base the rewrite writes, and the
 * snapshot a replica keeps from its last full sync: 4 times the snapshot of a full dataset,
 * which is at most about `maxmemory` (an RDB is more compact than memory).
 */
import { memoryShare, parseQuantity } from "./quantity";

/** Share of the memory limit a replica in full sync may queue (`client-output-buffer-limit replica`). */
export const REPLICA_BUFFER_PERCENT = 10;
/** Share of the memory limit kept as replication backlog (`repl-backlog-size`), at least 1 MiB. */
export const REPL_BACKLOG_PERCENT = 2;
/** A Redis volume must hold this many times `maxmemory` (AOF at its rewrite, new base, a full sync's snapshot). */
export const VOLUME_MAXMEMORY_FACTOR = 4;

const MIB = 2 ** 20;

export interface Headroom {
    /** `maxmemory` in bytes. */
    maxmemory: number;
    /** `client-output-buffer-limit replica` hard limit in bytes. */
    replicaBuffer: number;
    /** `repl-backlog-size` in bytes. */
    replBacklog: number;
}

/** The byte sizes derived from a memory limit; undefined without a limit (Redis's own defaults apply). */
export function headroom(memoryLimit: string | undefined, maxmemoryPercent: number): Headroom | undefined {
    if (memoryLimit === undefined) return undefined;
    return {
        maxmemory: memoryShare(memoryLimit, maxmemoryPercent),
        replicaBuffer: memoryShare(memoryLimit, REPLICA_BUFFER_PERCENT),
        replBacklog: Math.max(MIB, memoryShare(memoryLimit, REPL_BACKLOG_PERCENT)),
    };
}

/** Problems with a volume too small for the AOF, its rewrite and a full sync's snapshot of a full dataset. */
export function volumeHeadroomProblems(spec: {
    redisResources: { limits?: { memory?: string } };
    maxmemoryPercent: number;
    persistence: { enabled: boolean; size: string };
}): string[] {
    const limit = spec.redisResources.limits?.memory;
    if (!spec.persistence.enabled || limit === undefined) return [];
    let size: number;
    let room: Headroom | undefined;
    try {
        size = parseQuantity(spec.persistence.size);
        room = headroom(limit, spec.maxmemoryPercent);
    } catch {
        return []; // not quantities: reported by the schema
    }
    if (room === undefined) return [];
    const needed = VOLUME_MAXMEMORY_FACTOR * room.maxmemory;
    if (size >= needed) return [];
    const mi = (n: number) => `${Math.ceil(n / MIB)}Mi`;
    return [`option \`persistence.size\` = ${JSON.stringify(spec.persistence.size)}: too small for a full dataset: a Redis volume must hold ` +
        `${VOLUME_MAXMEMORY_FACTOR} x maxmemory (the AOF when its rewrite starts, the rewrite's new base and a full sync's snapshot), ` +
        `and maxmemory is ${spec.maxmemoryPercent}% of \`redisResources.limits.memory\` (${JSON.stringify(limit)}) = ${mi(room.maxmemory)}; ` +
        `set \`persistence.size\` to at least ${mi(needed)}, or lower \`maxmemoryPercent\``];
}
