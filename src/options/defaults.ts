/** Defaults of every option; the README's config reference lists the same values. */
export const DEFAULTS = {
    namespace: "default",
    replicas: 3,
    sentinels: 3,
    masterName: "mymaster",
    image: "redis:7.2.5",
    imagePullPolicy: "IfNotPresent",
    clusterDomain: "cluster.local",
    passwordLength: 32,
    redisResources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "512Mi" } },
    sentinelResources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } },
    /** Redis maxmemory: this share of the Redis container's memory limit. */
    maxmemoryPercent: 40,
    maxmemoryPolicy: "noeviction",
    persistence: { enabled: true, size: "1Gi", sentinelSize: "64Mi" },
    sentinel: { downAfterMilliseconds: 5000, failoverTimeoutMilliseconds: 60000, parallelSyncs: 1 },
    retirement: { enabled: true, timeoutSeconds: 600 },
    podDisruptionBudgets: true,
    /** `spread` for zones and for nodes alike (each level unset in `spread: { zone?, node? }` too). */
    spread: "soft",
    networkPolicy: { enabled: true },
    metrics: {
        enabled: false,
        // v1.83.0 or later: --disable-scrape-endpoint (REDIS_EXPORTER_DISABLE_SCRAPE_ENDPOINT).
        image: "oliver006/redis_exporter:v1.88.0",
        resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "64Mi" } },
        serviceMonitor: false,
        /** Pods allowed to reach the exporter port (with `scrapeNamespaceLabels`): Prometheus, as its charts and operator label it. */
        scrapePodLabels: { "app.kubernetes.io/name": "prometheus" },
    },
    endpoint: {
        enabled: false,
        image: "haproxy:3.0",
        replicas: 2,
        resources: { requests: { cpu: "50m", memory: "32Mi" }, limits: { memory: "128Mi" } },
        maxConnections: 4096,
    },
    /** Longest wait of the Redis pods' preStop hook for a failover away from a stopping master. */
    preStopTimeoutSeconds: 20,
} as const;

export const REDIS_PORT = 6379;
export const SENTINEL_PORT = 26379;
export const METRICS_PORT = 9121;

/** A majority of `n` sentinels: the smallest quorum that cannot be split in two. */
export function majority(n: number): number {
    return Math.floor(n / 2) + 1;
}
