import type * as k8s from "@pulumi/kubernetes";
import { DEFAULTS, METRICS_PORT, REDIS_PORT, SENTINEL_PORT } from "../options/defaults";
import type { ContainerResources } from "../options/args";
import type { ManifestSpec } from "./spec";
import type { Names } from "./names";
import { memoryShare } from "../options/quantity";
import { redisConfEnv, sentinelConfEnv } from "./serverConf";
import { cliTlsArgs, tlsEnv, tlsMounts } from "./tls";

type Container = k8s.types.input.core.v1.Container;
type EnvVar = k8s.types.input.core.v1.EnvVar;
type Probe = k8s.types.input.core.v1.Probe;

export const SCRIPTS_DIR = "/scripts";
export const DATA_DIR = "/data";
export const SENTINEL_DIR = "/sentinel";
/** Keys of the scripts ConfigMap (files in /scripts) listing each set's pods, one DNS name a line. */
export const REDIS_HOSTS_FILE = "redis-hosts";
export const SENTINEL_HOSTS_FILE = "sentinel-hosts";
/**
 * Key of the scripts ConfigMap holding the Sentinel quorum: read by a Sentinel that starts
 * when no running Sentinel answers (common.sh `rs_quorum`); running Sentinels get it from the
 * reconcile (`SENTINEL SET`). Not in any pod template, so a scale rolls no Sentinel.
 */
export const QUORUM_FILE = "quorum";

/** The script each role runs (keys of the scripts ConfigMap). */
export const ROLE_SCRIPTS = {
    seedMaster: "seed-master.sh",
    seedSentinel: "seed-sentinel.sh",
    replica: "replica.sh",
    sentinel: "sentinel.sh",
    probeRedis: "probe-redis.sh",
    probeSentinel: "probe-sentinel.sh",
    preStopRedis: "prestop-redis.sh",
} as const;

/**
 * The budget of a stopping Redis pod's handover (seconds): the preStop hook's handover ends
 * within it whatever does not answer (handover.sh --timeout-s; `timeout` stops it 3 s later at
 * the latest), and the SIGTERM handler starts no second one once it is spent.
 */
export const PRESTOP_TIMEOUT_S = DEFAULTS.preStopTimeoutSeconds;
/**
 * What the grace period keeps after the hook's budget: the hook's backstop (3 s), the SIGTERM
 * handler (pause the writes, record the offset: a few ms, at most 6 s on a server that does not
 * answer), then redis-server's shutdown: up to its shutdown-timeout (10 s) waiting for lagging
 * replicas, then the AOF fsync. Measured on real processes: 10.2 s with both replicas frozen.
 */
export const SHUTDOWN_RESERVE_S = 25;
/** Grace period of the Redis set's pods, before the kubelet sends SIGKILL. */
export const REDIS_TERMINATION_GRACE_S = PRESTOP_TIMEOUT_S + SHUTDOWN_RESERVE_S;
/** Grace period of the other pods. */
export const DEFAULT_TERMINATION_GRACE_S = 30;

/**
 * Key of the auth Secret listing the SHA-256 (hex, space separated) of the earlier passwords a
 * rotation keeps accepted (see src/rotation); "" when none. Never a password in clear.
 */
export const PREVIOUS_PASSWORD_SHA256_KEY = "previous-password-sha256";

/**
 * The environment every container gets; the scripts read exactly these (docs/internals.md).
 * No pod count and no host list: those are read at use time from the scripts ConfigMap, so
 * scaling a set changes no pod template.
 */
export function scriptEnv(spec: ManifestSpec, names: Names): EnvVar[] {
    const fromSecret = { secretKeyRef: { name: names.secret, key: "password" } };
    // Earlier passwords still accepted during a rotation (their SHA-256 only); absent: none.
    const previous = { secretKeyRef: { name: names.secret, key: PREVIOUS_PASSWORD_SHA256_KEY, optional: true } };
    return [
        { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
        { name: "REDIS_PASSWORD", valueFrom: fromSecret },
        // redis-cli reads REDISCLI_AUTH, so probes and the retirement never put the password on a command line.
        { name: "REDISCLI_AUTH", valueFrom: fromSecret },
        { name: "RS_PREVIOUS_PASSWORD_SHA256", valueFrom: previous },
        { name: "RS_MASTER_NAME", value: spec.masterName },
        { name: "RS_HEADLESS_DOMAIN", value: names.headlessDomain },
        { name: "RS_ANNOUNCE_HOST", value: `$(POD_NAME).${names.headlessDomain}` },
        { name: "RS_SEED_HOST", value: names.seedHost },
        { name: "RS_SENTINEL_HOST", value: names.sentinelServiceHost },
        { name: "RS_SENTINEL_PORT", value: String(SENTINEL_PORT) },
        { name: "RS_REDIS_PORT", value: String(REDIS_PORT) },
        { name: "RS_SENTINEL_LISTEN_PORT", value: String(SENTINEL_PORT) },
        { name: "RS_DATA_DIR", value: DATA_DIR },
        { name: "RS_SENTINEL_DIR", value: SENTINEL_DIR },
        { name: "RS_APPENDONLY", value: "yes" },
        ...tlsEnv(spec),
    ];
}

/**
 * The Sentinel settings, on Sentinel containers only: changing them rolls the Sentinels and no
 * Redis pod. Not the quorum: the default one follows the Sentinel count, so it lives in the
 * scripts ConfigMap ({@link QUORUM_FILE}) and a scale rolls no pod.
 */
export function sentinelEnv(spec: Pick<ManifestSpec, "sentinel">): EnvVar[] {
    return [
        { name: "RS_DOWN_AFTER_MS", value: String(spec.sentinel.downAfterMilliseconds) },
        { name: "RS_FAILOVER_TIMEOUT_MS", value: String(spec.sentinel.failoverTimeoutMilliseconds) },
        { name: "RS_PARALLEL_SYNCS", value: String(spec.sentinel.parallelSyncs) },
    ];
}

/**
 * Redis's memory cap, from the Redis container's memory limit: `RS_MAXMEMORY` (bytes,
 * `maxmemoryPercent` of `limits.memory`; unset without a limit) and `RS_MAXMEMORY_POLICY`.
 * common.sh writes them into redis.conf, so a full dataset answers writes with an OOM
 * error instead of being OOM-killed by the kubelet.
 */
export function maxmemoryEnv(spec: Pick<ManifestSpec, "redisResources" | "maxmemoryPercent" | "maxmemoryPolicy">): EnvVar[] {
    const limit = spec.redisResources.limits?.memory;
    return [
        ...(limit !== undefined ? [{ name: "RS_MAXMEMORY", value: String(memoryShare(limit, spec.maxmemoryPercent)) }] : []),
        { name: "RS_MAXMEMORY_POLICY", value: spec.maxmemoryPolicy },
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
    // Only chown a volume whose root has another owner: restarts on large volumes stay fast.
    fsGroupChangePolicy: "OnRootMismatch",
    seccompProfile: { type: "RuntimeDefault" },
};

function execProbe(command: string[], periodSeconds: number, failureThreshold: number): Probe {
    return { exec: { command }, periodSeconds, timeoutSeconds: 5, failureThreshold };
}

/** Alive means answering; LOADING (a large AOF being read) and MASTERDOWN are alive too. */
function pingCommand(port: number, accept: string, tlsArgs = ""): string[] {
    return ["sh", "-c", `redis-cli${tlsArgs} -p ${port} ping | grep -Eq '${accept}'`];
}

function roleScript(script: string): string[] {
    return ["sh", `${SCRIPTS_DIR}/${script}`];
}

export interface ContainerOptions {
    spec: ManifestSpec;
    names: Names;
    script: string;
    extraEnv?: EnvVar[];
    /** Run prestop-redis.sh before the container stops (a master hands over first). */
    preStop?: boolean;
}

/**
 * The preStop hook of a Redis server: if it is the master, ask Sentinel to fail over to
 * a replica and wait until another server is master, within RS_PRESTOP_TIMEOUT_S.
 * Its output goes to the container's log when the runtime lets the hook write there.
 */
function preStopHook(): k8s.types.input.core.v1.Lifecycle {
    const script = `${SCRIPTS_DIR}/${ROLE_SCRIPTS.preStopRedis}`;
    return {
        preStop: {
            exec: { command: ["sh", "-c", `if [ -w /proc/1/fd/1 ]; then sh ${script} >/proc/1/fd/1 2>&1; else sh ${script}; fi`] },
        },
    };
}

/** What differs between a Redis and a Sentinel container; the rest is {@link roleContainer}'s. */
interface RoleShape {
    name: "redis" | "sentinel";
    port: number;
    /** The ping replies that count as alive. */
    alive: string;
    probe: string;
    resources: ContainerResources;
    env: EnvVar[];
    /** The container's own volume and where it is mounted. */
    volume: { name: string; mountPath: string };
}

function roleContainer(shape: RoleShape, { spec, names, script, extraEnv = [] }: ContainerOptions, lifecycle?: k8s.types.input.core.v1.Lifecycle): Container {
    const ping = (periodSeconds: number, failureThreshold: number) => execProbe(pingCommand(shape.port, shape.alive, cliTlsArgs(spec)), periodSeconds, failureThreshold);
    return {
        name: shape.name,
        image: spec.image,
        imagePullPolicy: spec.imagePullPolicy,
        command: roleScript(script),
        env: [...scriptEnv(spec, names), ...shape.env, ...extraEnv],
        ports: [{ name: shape.name, containerPort: shape.port, protocol: "TCP" }],
        resources: resourcesOf(shape.resources),
        securityContext: CONTAINER_SECURITY_CONTEXT,
        startupProbe: ping(5, 60),
        livenessProbe: ping(10, 3),
        readinessProbe: execProbe(roleScript(shape.probe), 5, 2),
        ...(lifecycle ? { lifecycle } : {}),
        volumeMounts: [
            { name: "scripts", mountPath: SCRIPTS_DIR, readOnly: true },
            shape.volume,
            { name: "tmp", mountPath: "/tmp", subPath: shape.name },
            ...tlsMounts(spec),
        ],
    };
}

export function redisContainer(options: ContainerOptions): Container {
    const { spec, preStop = false } = options;
    const preStopEnv: EnvVar[] = preStop ? [{ name: "RS_PRESTOP_TIMEOUT_S", value: String(PRESTOP_TIMEOUT_S) }] : [];
    return roleContainer({
        name: "redis",
        port: REDIS_PORT,
        alive: "PONG|LOADING|MASTERDOWN",
        probe: ROLE_SCRIPTS.probeRedis,
        resources: spec.redisResources,
        env: [...maxmemoryEnv(spec), ...redisConfEnv(spec), ...preStopEnv],
        volume: { name: "data", mountPath: DATA_DIR },
    }, options, preStop ? preStopHook() : undefined);
}

export function sentinelContainer(options: ContainerOptions): Container {
    return roleContainer({
        name: "sentinel",
        port: SENTINEL_PORT,
        alive: "PONG",
        probe: ROLE_SCRIPTS.probeSentinel,
        resources: options.spec.sentinelResources,
        env: [...sentinelEnv(options.spec), ...sentinelConfEnv(options.spec)],
        volume: { name: "sentinel", mountPath: SENTINEL_DIR },
    }, options);
}

/** The one Redis server an exporter scrapes: the one beside it in its pod. */
export const EXPORTER_REDIS_ADDR = `redis://127.0.0.1:${REDIS_PORT}`;
/** The same over TLS (`tls.enabled`: the plain-text port is closed). */
export const EXPORTER_REDIS_TLS_ADDR = `rediss://127.0.0.1:${REDIS_PORT}`;

export function exporterRedisAddr(tls: boolean): string {
    return tls ? EXPORTER_REDIS_TLS_ADDR : EXPORTER_REDIS_ADDR;
}
/** Key of the auth Secret holding the exporter's password file (metrics on). */
export const EXPORTER_PASSWORD_FILE_KEY = "redis-exporter-passwords.json";
/** The exporter's Secret volume: its password file, read-only. */
export const EXPORTER_AUTH_VOLUME = "exporter-auth";
const EXPORTER_AUTH_DIR = "/etc/redis-exporter";
const EXPORTER_PASSWORD_FILE = "passwords.json";

/**
 * The exporter's password file: the password keyed to {@link EXPORTER_REDIS_ADDR} only.
 * redis_exporter sends a password given as REDIS_PASSWORD to any host its `/scrape?target=`
 * endpoint is asked about; a password-file entry goes only to the address it is keyed to.
 */
export function exporterPasswordFile(password: string, tls = false): string {
    return JSON.stringify({ [exporterRedisAddr(tls)]: password });
}

/** The Secret volume holding the exporter's password file. */
export function exporterAuthVolume(names: Names): k8s.types.input.core.v1.Volume {
    return {
        name: EXPORTER_AUTH_VOLUME,
        secret: { secretName: names.secret, items: [{ key: EXPORTER_PASSWORD_FILE_KEY, path: EXPORTER_PASSWORD_FILE }], defaultMode: 0o440 },
    };
}

/**
 * The redis_exporter sidecar of a Redis pod: scrapes the Redis server next to it over
 * loopback and serves /metrics on 9121. Writes nothing. Its multi-target `/scrape`
 * endpoint is off, and its password is keyed to its own Redis: whoever reaches 9121
 * gets that server's metrics, never the password.
 */
export function exporterContainer(spec: ManifestSpec): Container {
    const health: Probe = { httpGet: { path: "/health", port: "metrics" }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 };
    return {
        name: "metrics",
        image: spec.metrics.image,
        imagePullPolicy: spec.imagePullPolicy,
        env: [
            { name: "REDIS_ADDR", value: exporterRedisAddr(spec.tls.enabled) },
            // TLS on: the connection stays on the pod's loopback, which no certificate names (and
            // no one else can reach): encrypted, the server certificate not checked.
            ...(spec.tls.enabled ? [{ name: "REDIS_EXPORTER_SKIP_TLS_VERIFICATION", value: "true" }] : []),
            { name: "REDIS_PASSWORD_FILE", value: `${EXPORTER_AUTH_DIR}/${EXPORTER_PASSWORD_FILE}` },
            { name: "REDIS_EXPORTER_DISABLE_SCRAPE_ENDPOINT", value: "true" },
            { name: "REDIS_EXPORTER_WEB_LISTEN_ADDRESS", value: `:${METRICS_PORT}` },
        ],
        ports: [{ name: "metrics", containerPort: METRICS_PORT, protocol: "TCP" }],
        resources: resourcesOf(spec.metrics.resources),
        securityContext: CONTAINER_SECURITY_CONTEXT,
        livenessProbe: health,
        readinessProbe: { ...health, periodSeconds: 5 },
        volumeMounts: [{ name: EXPORTER_AUTH_VOLUME, mountPath: EXPORTER_AUTH_DIR, readOnly: true }],
    };
}

/** Pod annotations of annotation-based Prometheus scraping (metrics on). */
export function scrapeAnnotations(spec: ManifestSpec): Record<string, string> {
    if (!spec.metrics.enabled) return {};
    return { "prometheus.io/scrape": "true", "prometheus.io/port": String(METRICS_PORT), "prometheus.io/path": "/metrics" };
}

function resourcesOf(r: ContainerResources): k8s.types.input.core.v1.ResourceRequirements {
    return { ...(r.requests ? { requests: { ...r.requests } } : {}), ...(r.limits ? { limits: { ...r.limits } } : {}) };
}
