import type * as k8s from "@pulumi/kubernetes";
import type { ManifestSpec } from "./spec";
import { headroom } from "../options/headroom";

type EnvVar = k8s.types.input.core.v1.EnvVar;

/**
 * Redis containers only: the replica output buffer limit and the replication backlog sized
 * from the memory limit (src/options/headroom.ts; none without a limit). common.sh writes them
 * first in redis.conf, before the lines the component manages.
 */
export function redisConfEnv(spec: Pick<ManifestSpec, "redisResources" | "maxmemoryPercent">): EnvVar[] {
    const room = headroom(spec.redisResources.limits?.memory, spec.maxmemoryPercent);
    return room ? [
        { name: "RS_REPLICA_BUFFER_BYTES", value: String(room.replicaBuffer) },
        { name: "RS_REPL_BACKLOG_BYTES", value: String(room.replBacklog) },
    ] : [];
}
