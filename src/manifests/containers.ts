import type * as k8s from "@pulumi/kubernetes";
import { REDIS_PORT, SENTINEL_PORT } from "../spec/defaults";
import type { ContainerResources } from "../spec/args";
import type { ManifestSpec } from "./spec";
import type { Names } from "./names";

type Container = k8s.types.input.core.v1.Container;
type EnvVar = k8s.types.input.core.v1.EnvVar;
type Probe = k8s.types.input.core.v1.Probe;

export const SCRIPTS_DIR = "/scripts";
export const DATA_DIR = "/data";
export const SENTINEL_DIR = "/sentinel";

/** The script each role runs (keys of the scripts ConfigMap). */
export const ROLE_SCRIPTS = {
    seedMaster: "seed-master.sh",
    seedSentinel: "seed-sentinel.sh",
    replica: "replica.sh",
    sentinel: "sentinel.sh",
    probeRedis: "probe-redis.sh",
    probeSentinel: "probe-sentinel.sh",
} as const;

/** The environment every container gets; the scripts read exactly these (docs/internals.md). */
export function scriptEnv(spec: ManifestSpec, names: Names): EnvVar[] {
    const fromSecret = { secretKeyRef: { name: names.secret, key: "password" } };
    return [
        { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
        { name: "REDIS_PASSWORD", valueFrom: fromSecret },
        // redis-cli reads REDISCLI_AUTH, so probes and the retirement never put the password on a command line.
        { name: "REDISCLI_AUTH", valueFrom: fromSecret },
        { name: "RS_MASTER_NAME", value: spec.masterName },
        { name: "RS_HEADLESS_DOMAIN", value: names.headlessDomain },
        { name: "RS_ANNOUNCE_HOST", value: `$(POD_NAME).${names.headlessDomain}` },
        { name: "RS_SEED_HOST", value: names.seedHost },
        { name: "RS_SENTINEL_HOST", value: names.sentinelServiceHost },
        { name: "RS_SENTINEL_PORT", value: String(SENTINEL_PORT) },
        { name: "RS_REDIS_PORT", value: String(REDIS_PORT) },
        { name: "RS_SENTINEL_LISTEN_PORT", value: String(SENTINEL_PORT) },
        { name: "RS_QUORUM", value: String(spec.quorum) },
        { name: "RS_DOWN_AFTER_MS", value: String(spec.sentinel.downAfterMilliseconds) },
        { name: "RS_FAILOVER_TIMEOUT_MS", value: String(spec.sentinel.failoverTimeoutMilliseconds) },
        { name: "RS_PARALLEL_SYNCS", value: String(spec.sentinel.parallelSyncs) },
        { name: "RS_DATA_DIR", value: DATA_DIR },
        { name: "RS_SENTINEL_DIR", value: SENTINEL_DIR },
        { name: "RS_APPENDONLY", value: "yes" },
        { name: "RS_REDIS_HOSTS", value: names.redisHosts.join(" ") },
        { name: "RS_SENTINEL_HOSTS", value: names.sentinelHosts.join(" ") },
    ];
}

/** Pod Security Standards "restricted", plus a read-only root filesystem. */
export const CONTAINER_SECURITY_CONTEXT: k8s.types.input.core.v1.SecurityContext = {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    seccompProfile: { type: "RuntimeDefault" },
};

/** The official image's `redis` user. */
export const POD_SECURITY_CONTEXT: k8s.types.input.core.v1.PodSecurityContext = {
    runAsNonRoot: true,
    runAsUser: 999,
    runAsGroup: 999,
    fsGroup: 999,
    seccompProfile: { type: "RuntimeDefault" },
};

function execProbe(command: string[], periodSeconds: number, failureThreshold: number): Probe {
    return { exec: { command }, periodSeconds, timeoutSeconds: 5, failureThreshold };
}

/** Alive means answering; LOADING (a large AOF being read) and MASTERDOWN are alive too. */
function pingCommand(port: number, accept: string): string[] {
    return ["sh", "-c", `redis-cli -p ${port} ping | grep -Eq '${accept}'`];
}

function roleScript(script: string): string[] {
    return ["sh", `${SCRIPTS_DIR}/${script}`];
}

export interface ContainerOptions {
    spec: ManifestSpec;
    names: Names;
    script: string;
    extraEnv?: EnvVar[];
}

export function redisContainer({ spec, names, script, extraEnv = [] }: ContainerOptions): Container {
    return {
        name: "redis",
        image: spec.image,
        imagePullPolicy: spec.imagePullPolicy,
        command: roleScript(script),
        env: [...scriptEnv(spec, names), ...extraEnv],
        ports: [{ name: "redis", containerPort: REDIS_PORT, protocol: "TCP" }],
        resources: resourcesOf(spec.redisResources),
        securityContext: CONTAINER_SECURITY_CONTEXT,
        startupProbe: execProbe(pingCommand(REDIS_PORT, "PONG|LOADING|MASTERDOWN"), 5, 60),
        livenessProbe: execProbe(pingCommand(REDIS_PORT, "PONG|LOADING|MASTERDOWN"), 10, 3),
        readinessProbe: execProbe(roleScript(ROLE_SCRIPTS.probeRedis), 5, 2),
        volumeMounts: [
            { name: "scripts", mountPath: SCRIPTS_DIR, readOnly: true },
            { name: "data", mountPath: DATA_DIR },
            { name: "tmp", mountPath: "/tmp", subPath: "redis" },
        ],
    };
}

export function sentinelContainer({ spec, names, script, extraEnv = [] }: ContainerOptions): Container {
    return {
        name: "sentinel",
        image: spec.image,
        imagePullPolicy: spec.imagePullPolicy,
        command: roleScript(script),
        env: [...scriptEnv(spec, names), ...extraEnv],
        ports: [{ name: "sentinel", containerPort: SENTINEL_PORT, protocol: "TCP" }],
        resources: resourcesOf(spec.sentinelResources),
        securityContext: CONTAINER_SECURITY_CONTEXT,
        startupProbe: execProbe(pingCommand(SENTINEL_PORT, "PONG"), 5, 60),
        livenessProbe: execProbe(pingCommand(SENTINEL_PORT, "PONG"), 10, 3),
        readinessProbe: execProbe(roleScript(ROLE_SCRIPTS.probeSentinel), 5, 2),
        volumeMounts: [
            { name: "scripts", mountPath: SCRIPTS_DIR, readOnly: true },
            { name: "sentinel", mountPath: SENTINEL_DIR },
            { name: "tmp", mountPath: "/tmp", subPath: "sentinel" },
        ],
    };
}

function resourcesOf(r: ContainerResources): k8s.types.input.core.v1.ResourceRequirements {
    return { ...(r.requests ? { requests: { ...r.requests } } : {}), ...(r.limits ? { limits: { ...r.limits } } : {}) };
}
