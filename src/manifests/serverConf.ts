import type * as k8s from "@pulumi/kubernetes";
import type { ManifestSpec } from "./spec";
import { headroom } from "../options/headroom";
import { redisConfigLines, sentinelConfigLines } from "../options/extraConfig";

type EnvVar = k8s.types.input.core.v1.EnvVar;

/**
 * Redis containers only: the replica output buffer limit and the replication backlog sized
 * from the memory limit (src/options/headroom.ts; none without a limit), and the `redisConfig`
 * directives as redis.conf lines. common.sh writes them first in redis.conf, before the lines the
 * component manages. Unset when empty, so a deployment without them keeps its pod template.
 */
export function redisConfEnv(spec: Pick<ManifestSpec, "redisResources" | "maxmemoryPercent" | "redisConfig">): EnvVar[] {
    const room = headroom(spec.redisResources.limits?.memory, spec.maxmemoryPercent);
    const lines = redisConfigLines(spec.redisConfig);
    return [
        ...(room ? [
            { name: "RS_REPLICA_BUFFER_BYTES", value: String(room.replicaBuffer) },
            { name: "RS_REPL_BACKLOG_BYTES", value: String(room.replBacklog) },
        ] : []),
        ...(lines.length ? [{ name: "RS_REDIS_CONF", value: lines.join("\n") }] : []),
    ];
}

/** Sentinel containers only: the `sentinelConfig` directives as sentinel.conf lines (common.sh appends them). */
export function sentinelConfEnv(spec: Pick<ManifestSpec, "masterName" | "sentinelConfig">): EnvVar[] {
    const lines = sentinelConfigLines(spec.sentinelConfig, spec.masterName);
    return lines.length ? [{ name: "RS_SENTINEL_CONF", value: lines.join("\n") }] : [];
}
