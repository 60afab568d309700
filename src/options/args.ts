import type * as pulumi from "@pulumi/pulumi";
import type { Affinity, Toleration } from "./scheduling";
import type { ConfigDirectives } from "./extraConfig";

export type { ConfigDirectiveValue, ConfigDirectives } from "./extraConfig";
export type {
    Affinity, LabelSelector, LabelSelectorRequirement, NodeAffinity, NodeSelectorRequirement, NodeSelectorTerm, PodAffinity,
    PodAffinityTerm, Toleration,
} from "./scheduling";

/** CPU/memory requests and limits for one container, as Kubernetes quantities. */
export interface ContainerResources {
    requests?: { cpu?: string; memory?: string };
    limits?: { cpu?: string; memory?: string };
}

/** Redis `maxmemory-policy` values. */
export const MAXMEMORY_POLICIES = [
    "noeviction", "allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
] as const;
export type MaxmemoryPolicy = (typeof MAXMEMORY_POLICIES)[number];

/** Persistence of Redis data (and of Sentinel state). */
export interface PersistenceArgs {
    /** Keep Redis data and Sentinel state on PersistentVolumeClaims. Default `true`; `false` uses emptyDir. */
    enabled?: boolean;
    /** Size of each Redis data volume. Default `"1Gi"`. */
    size?: string;
    /** Size of each Sentinel state volume. Default `"64Mi"`. */
    sentinelSize?: string;
    /** StorageClass for both; the cluster default when unset. */
    storageClass?: string;
}

/** Sentinel timing. Defaults are tighter than the seed example's (60 s / 180 s). */
export interface SentinelTuningArgs {
    /** `down-after-milliseconds`: how long a master may be unreachable before failover. Default 5000. */
    downAfterMilliseconds?: number;
    /** `failover-timeout` in milliseconds. Default 60000. */
    failoverTimeoutMilliseconds?: number;
    /** `parallel-syncs`: replicas that resync from a new master at once. Default 1. */
    parallelSyncs?: number;
}

/** The seed retirement step (the dynamic provider). */
export interface RetirementArgs {
    /** Retire the seed pod once both sets are up. Default `true`. */
    enabled?: boolean;
    /** Deadline for the whole retirement, in seconds. Default 600. */
    timeoutSeconds?: number;
}

/** NetworkPolicy restricting who reaches 6379/26379. */
export interface NetworkPolicyArgs {
    /** Create the NetworkPolicy. Default `true`. */
    enabled?: boolean;
    /**
     * Labels that mark client pods allowed to connect (same namespace).
     * Default `{ "redis-sentinel.pulumi.com/client-of": <component name> }`.
     */
    clientLabels?: Record<string, string>;
    /** Also admit pods with `clientLabels` from namespaces matching these labels. */
    clientNamespaceLabels?: Record<string, string>;
}

/** Prometheus metrics: a redis_exporter sidecar in every Redis pod. Off by default. */
export interface MetricsArgs {
    /** Add the exporter sidecar, the scrape annotations and the metrics Service. Default `false`. */
    enabled?: boolean;
    /**
     * Exporter image. Default `"oliver006/redis_exporter:v1.88.0"`. Use v1.83.0 or later: older
     * versions ignore the switch that turns their multi-target `/scrape` endpoint off.
     */
    image?: string;
    /** Resources of the exporter container. Default requests 10m/32Mi, memory limit 64Mi. */
    resources?: ContainerResources;
    /** Create a prometheus-operator ServiceMonitor (needs its CRD in the cluster). Default `false`. */
    serviceMonitor?: boolean;
    /** Extra labels on the ServiceMonitor, e.g. the `release` label a Prometheus selects. */
    serviceMonitorLabels?: Record<string, string>;
    /** Scrape interval of the ServiceMonitor, e.g. `"30s"`. Default: the Prometheus default. */
    scrapeInterval?: string;
    /**
     * Namespaces (by labels) whose scraper pods (`scrapePodLabels`) the NetworkPolicy lets
     * reach the exporter port 9121. Default `{}`: any namespace.
     */
    scrapeNamespaceLabels?: Record<string, string>;
    /**
     * Labels of the pods allowed to reach the exporter port 9121 (in the namespaces
     * `scrapeNamespaceLabels` selects). Default `{ "app.kubernetes.io/name": "prometheus" }`,
     * the label the Prometheus Operator and the Prometheus charts give Prometheus pods.
     * `{}` admits every pod of those namespaces.
     */
    scrapePodLabels?: Record<string, string>;
}

/** A cert-manager issuer (`issuerRef` of a cert-manager `Certificate`). */
export interface TlsIssuerRef {
    /** `"Issuer"` (in the namespace) or `"ClusterIssuer"`. Required. */
    kind: "Issuer" | "ClusterIssuer";
    /** The issuer's name. Required. */
    name: string;
    /** API group of the issuer. Default `"cert-manager.io"` (an external issuer names its own). */
    group?: string;
}

/**
 * TLS for every connection: clients, replication, Sentinel to Redis and Sentinel to Sentinel,
 * with the plain-text ports closed. Certificates come from a Secret you name or from a
 * cert-manager issuer (exactly one). Off by default.
 */
export interface TlsArgs {
    /** Turn TLS on. Default: on when `secretName` or `issuer` is given, off otherwise. */
    enabled?: boolean;
    /**
     * An existing Secret in the namespace with the keys `tls.crt`, `tls.key` and `ca.crt`
     * (a `kubernetes.io/tls` Secret plus the CA). Its certificate must name every pod
     * (`*.<name>-headless.<namespace>.svc.<clusterDomain>`) and the Sentinel Service
     * (`<name>-sentinel.<namespace>.svc.<clusterDomain>`).
     */
    secretName?: string;
    /**
     * A cert-manager issuer: the component declares a `Certificate` (Secret `<name>-tls`) with
     * those DNS names. The issuer must put the CA in `ca.crt` (CA, Vault and self-signed issuers do).
     */
    issuer?: TlsIssuerRef;
}

/**
 * The master endpoint: a stable in-cluster address (`masterHost`:`masterPort`) that always
 * routes to the current master, for clients that do not speak Sentinel. HAProxy pods
 * check every server and every Sentinel; see the README's "Master endpoint". Off by default.
 */
export interface EndpointArgs {
    /** Deploy the endpoint (HAProxy Deployment, master Service). Default `false`. */
    enabled?: boolean;
    /** HAProxy image (2.6 or later, `haproxy` on PATH). Default `"haproxy:3.0"`. */
    image?: string;
    /** HAProxy pods. Default 2 (with a PodDisruptionBudget, one may go at a time). */
    replicas?: number;
    /** Resources of the HAProxy container. Default requests 50m/32Mi, memory limit 128Mi. */
    resources?: ContainerResources;
    /** Client connections each HAProxy pod accepts at once (HAProxy `maxconn`). Default 4096. */
    maxConnections?: number;
}

/** How strictly one set's pods are spread over a topology (zones or nodes). */
export type SpreadLevel = "soft" | "hard" | "none";

/** Spreading of each set's pods over zones and over nodes, set separately. */
export interface SpreadArgs {
    /**
     * Across zones (`topology.kubernetes.io/zone`). `"soft"` (default): prefer, never block;
     * `"hard"`: at most one pod more in any zone than in another, or the pod waits (needs the
     * zone label on every node); `"none"`.
     */
    zone?: SpreadLevel;
    /** Across nodes. `"soft"` (default): prefer one pod per node; `"hard"`: at most one more per node than elsewhere; `"none"`. */
    node?: SpreadLevel;
}

/** The ServiceAccount of every pod. */
export interface ServiceAccountArgs {
    /** Create a ServiceAccount for the pods. Default `false`: the pods use `name`, or the namespace's `default`. */
    create?: boolean;
    /** An existing ServiceAccount (with `create: false`), or the name of the one created (default: the component name). */
    name?: string;
    /** Annotations of the created ServiceAccount (e.g. `eks.amazonaws.com/role-arn`). Only with `create: true`. */
    annotations?: Record<string, string>;
    /**
     * Mount the ServiceAccount's API token into the pods. Default `false`: nothing in them
     * calls the Kubernetes API, so a stolen pod holds no credential.
     */
    automountToken?: boolean;
}

/** Arguments of {@link RedisSentinel}. Every option is optional. */
export interface RedisSentinelArgs {
    /** Namespace for every object. Default `"default"`. */
    namespace?: pulumi.Input<string>;
    /** Redis servers in the replicated set. Default 3. */
    replicas?: number;
    /** Sentinels in their set. Default 3; fewer than 3 needs `allowFewerThanThreeSentinels`. */
    sentinels?: number;
    /** Sentinel master name. Default `"mymaster"`. */
    masterName?: string;
    /** Sentinels that must agree a master is down. Default: a majority of `sentinels`. */
    quorum?: number;
    /** Opt in to fewer than 3 sentinels (no failover survives the loss of one). Default `false`. */
    allowFewerThanThreeSentinels?: boolean;
    /** Container image for Redis and Sentinel (the official image or a compatible one, Redis >= 6.2). */
    image?: string;
    /** Image pull policy. Default `"IfNotPresent"`. */
    imagePullPolicy?: "Always" | "IfNotPresent" | "Never";
    /** Password for clients, replication and Sentinel. Default: 32 random characters (`@pulumi/random`). Always handled as a Pulumi secret. */
    password?: pulumi.Input<string>;
    /** Cluster DNS domain. Default `"cluster.local"`. */
    clusterDomain?: string;
    /** Resources of the Redis containers. Default requests 100m/128Mi, memory limit 512Mi. */
    redisResources?: ContainerResources;
    /** Resources of the Sentinel containers. Default requests 50m/64Mi, memory limit 128Mi. */
    sentinelResources?: ContainerResources;
    /**
     * Redis `maxmemory` as a percentage of the Redis container's memory limit
     * (`redisResources.limits.memory`), so a full dataset answers writes with an OOM error
     * instead of the kubelet killing the container. Whole number 10-95; default 40: the rest
     * holds, at worst all at once, a fork's copy-on-write copy of the dataset (AOF rewrite, a
     * full sync), a syncing replica's output buffer (10% of the limit) and allocator overhead
     * (README, "Memory and disk"). No memory limit: no maxmemory.
     */
    maxmemoryPercent?: number;
    /** Redis `maxmemory-policy`: what happens at `maxmemory`. Default `"noeviction"` (writes fail, nothing is evicted). */
    maxmemoryPolicy?: MaxmemoryPolicy;
    /**
     * Extra redis.conf directives, appended to the generated config of every Redis server:
     * directive -> its arguments as redis.conf takes them (`{ hz: 20, "latency-tracking": "no",
     * save: "3600 1" }`), a list to repeat one (`"rename-command": ["FLUSHALL \"\""]`). Directives
     * the component manages (ports, TLS, auth, `dir`, `appendonly`, `replicaof`, announce
     * addresses, `maxmemory` with a memory limit, renaming a command the scripts use, ...) are
     * refused. A change rolls the Redis set only.
     */
    redisConfig?: ConfigDirectives;
    /**
     * Extra sentinel.conf directives for every Sentinel (`{ loglevel: "warning",
     * "sentinel master-reboot-down-after-period": 30000 }`; per-master `sentinel` options get the
     * master name inserted). Managed ones (`sentinel monitor`, auth, announce, the `sentinel.*`
     * options, ...) are refused. A change rolls the Sentinel set only.
     */
    sentinelConfig?: ConfigDirectives;
    persistence?: PersistenceArgs;
    sentinel?: SentinelTuningArgs;
    retirement?: RetirementArgs;
    networkPolicy?: NetworkPolicyArgs;
    metrics?: MetricsArgs;
    /** The master endpoint for clients without Sentinel support (see {@link EndpointArgs}). Off by default. */
    endpoint?: EndpointArgs;
    /** TLS on every connection (see {@link TlsArgs}). Off by default. */
    tls?: TlsArgs;
    /**
     * Password rotation: refuse the passwords this stack had before the current one. Default
     * `false`: after `password` changes, the earlier one stays accepted (by its SHA-256) so that
     * applications still holding it keep working; set `true` (once they hold the new one) and run
     * `pulumi up` to drop it. An `up` that changes the password never drops the one it replaces
     * (its roll needs both); with `true` kept, the next `up` does. README, "Rotating the password".
     */
    dropPreviousPasswords?: boolean;
    /** Create PodDisruptionBudgets (maxUnavailable 1) for both sets. Default `true`. */
    podDisruptionBudgets?: boolean;
    /**
     * Spread each set's pods across zones and nodes: `"soft"` (default: prefer both, never
     * block), `"hard"` (require both), `"none"`, or each separately, e.g. `{ zone: "hard", node: "soft" }`.
     */
    spread?: SpreadLevel | SpreadArgs;
    /** Extra labels on every object. */
    labels?: Record<string, string>;
    /** Node labels every pod's node must have (`nodeSelector`). */
    nodeSelector?: Record<string, string>;
    /** Taints every pod tolerates. */
    tolerations?: Toleration[];
    /** Node and pod affinity of every pod; `spread`'s own rule is added to `podAntiAffinity`. */
    affinity?: Affinity;
    /** PriorityClass of every pod (it must exist). */
    priorityClassName?: string;
    /** Secrets (type `kubernetes.io/dockerconfigjson`, in the namespace) for pulling the images from a private registry or mirror. */
    imagePullSecrets?: string[];
    /** Extra annotations on every pod. */
    podAnnotations?: Record<string, string>;
    /** Extra labels on every pod (the labels the component selects pods by are its own and refused here). */
    podLabels?: Record<string, string>;
    /** The pods' ServiceAccount. Default: the namespace's `default`, with no API token mounted. */
    serviceAccount?: ServiceAccountArgs;
    /**
     * Kubeconfig (YAML text) the retirement uses to reach the pods. The dynamic provider
     * cannot see a kubernetes Provider passed in `opts`: pass the same kubeconfig here
     * (it is kept secret). Default: the ambient kubeconfig of the machine running `pulumi up`.
     */
    kubeconfig?: pulumi.Input<string>;
    /** Kubeconfig context for the retirement. Default: the kubeconfig's current context. */
    kubeContext?: string;
}
