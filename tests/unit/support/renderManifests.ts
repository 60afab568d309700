/** The manifests a RedisSentinel renders for given args, without Pulumi (as `npm run render` does). */
import type { RedisSentinelArgs } from "../../../src/options/args";
import { resolveSpec } from "../../../src/options/validate";
import { type Manifests, buildManifests, manifestList } from "../../../src/manifests";
import { scriptFiles } from "../../../src/scripts";
import type { PodLike } from "./podSecurityRestricted";

export function renderManifests(args: RedisSentinelArgs = {}, name = "cache"): Manifests {
    const { password: _password, kubeconfig: _kubeconfig, namespace, ...rest } = resolveSpec(name, { namespace: "data", ...args });
    if (typeof namespace !== "string") throw new Error("renderManifests needs a plain namespace");
    return buildManifests({ ...rest, namespace }, scriptFiles());
}

/** Every object, in creation order, as plain JSON (what the API server would receive). */
export function renderObjects(args: RedisSentinelArgs = {}, name = "cache"): Record<string, any>[] {
    return manifestList(renderManifests(args, name)).map((o) => JSON.parse(JSON.stringify(o)) as Record<string, any>);
}

export interface RenderedPod {
    /** e.g. `Pod cache-seed` or `StatefulSet cache-redis` */
    owner: string;
    pod: PodLike;
    /** Names of the volumeClaimTemplates (writable claimed volumes). */
    claimNames: string[];
}

/** Every pod spec among rendered objects: Pods and the pod templates of StatefulSets and Deployments. */
export function podsOf(objects: Record<string, any>[]): RenderedPod[] {
    const pods: RenderedPod[] = [];
    for (const o of objects) {
        if (o.kind === "Pod") pods.push({ owner: `Pod ${o.metadata.name}`, pod: { metadata: o.metadata, spec: o.spec }, claimNames: [] });
        if (o.kind === "Deployment") pods.push({ owner: `Deployment ${o.metadata.name}`, pod: { metadata: o.spec.template.metadata, spec: o.spec.template.spec }, claimNames: [] });
        if (o.kind === "StatefulSet") {
            pods.push({
                owner: `StatefulSet ${o.metadata.name}`,
                pod: { metadata: o.spec.template.metadata, spec: o.spec.template.spec },
                claimNames: (o.spec.volumeClaimTemplates ?? []).map((c: any) => c.metadata.name),
            });
        }
    }
    return pods;
}

/** Option combinations the security and schema tests render. */
export const OPTION_MATRIX: [string, RedisSentinelArgs][] = [
    ["defaults", {}],
    ["persistence off", { persistence: { enabled: false } }],
    ["storage class and sizes", { persistence: { storageClass: "fast-ssd", size: "10Gi", sentinelSize: "128Mi" } }],
    ["network policy off", { networkPolicy: { enabled: false } }],
    ["client namespaces", { networkPolicy: { clientLabels: { app: "web" }, clientNamespaceLabels: { team: "shop" } } }],
    ["no disruption budgets", { podDisruptionBudgets: false }],
    ["hard spread", { spread: "hard" }],
    ["no spread", { spread: "none" }],
    ["hard zones, soft nodes", { spread: { zone: "hard", node: "soft" } }],
    ["metrics on", { metrics: { enabled: true } }],
    ["metrics with ServiceMonitor", {
        metrics: { enabled: true, serviceMonitor: true, serviceMonitorLabels: { release: "kube-prometheus" }, scrapeInterval: "30s", scrapeNamespaceLabels: { "kubernetes.io/metadata.name": "monitoring" }, scrapePodLabels: {} },
    }],
    ["metrics, persistence off, hard spread", { metrics: { enabled: true, resources: { limits: { cpu: "100m", memory: "128Mi" } } }, persistence: { enabled: false }, spread: "hard" }],
    ["bigger, tuned", {
        replicas: 5, sentinels: 5, quorum: 3, masterName: "orders", imagePullPolicy: "Always", image: "redis:7.4.1",
        redisResources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "2", memory: "2Gi" } },
        persistence: { size: "4Gi" }, // 4 x maxmemory (40% of 2Gi)
        sentinelResources: { requests: { cpu: "20m", memory: "32Mi" } },
        sentinel: { downAfterMilliseconds: 3000, failoverTimeoutMilliseconds: 30000, parallelSyncs: 2 },
        labels: { team: "checkout" }, clusterDomain: "k8s.internal",
    }],
    ["extra redis.conf and sentinel.conf directives", {
        redisConfig: { hz: 20, save: "3600 1", "rename-command": ["FLUSHALL \"\"", "KEYS \"\""] },
        sentinelConfig: { loglevel: "warning", "sentinel master-reboot-down-after-period": 30000 },
    }],
    ["single sentinel opt-in", { sentinels: 1, allowFewerThanThreeSentinels: true, replicas: 1 }],
    ["scheduling and pod options, ServiceAccount created", {
        nodeSelector: { "node.kubernetes.io/pool": "cache" },
        tolerations: [{ key: "dedicated", operator: "Equal", value: "redis", effect: "NoSchedule" },
            { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 30 }],
        affinity: {
            nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/arch", operator: "In", values: ["amd64", "arm64"] }] }] } },
            podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { app: "noisy" } } } }] },
        },
        priorityClassName: "redis-critical",
        imagePullSecrets: ["mirror-credentials"],
        podAnnotations: { "example.com/owner": "team-cache" },
        podLabels: { team: "cache" },
        serviceAccount: { create: true, annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/redis" } },
        metrics: { enabled: true },
    }],
    ["an existing ServiceAccount", { serviceAccount: { name: "redis-runner" } }],
    ["master endpoint", { endpoint: { enabled: true } }],
    ["master endpoint: one proxy, own image and resources, no PDBs, 5 replicas", {
        endpoint: { enabled: true, replicas: 1, image: "registry.example.com/haproxy:3.0.5", maxConnections: 10000, resources: { requests: { cpu: "100m" }, limits: { cpu: "1", memory: "256Mi" } } },
        podDisruptionBudgets: false, replicas: 5,
    }],
    ["master endpoint with scheduling and pod options, metrics, network policy for other namespaces", {
        endpoint: { enabled: true },
        nodeSelector: { "node.kubernetes.io/pool": "cache" },
        tolerations: [{ key: "dedicated", operator: "Equal", value: "redis", effect: "NoSchedule" }],
        affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { app: "noisy" } } } }] } },
        priorityClassName: "redis-critical", imagePullSecrets: ["mirror-credentials"], podAnnotations: { "example.com/owner": "team-cache" }, podLabels: { team: "cache" },
        serviceAccount: { create: true }, metrics: { enabled: true },
        networkPolicy: { clientLabels: { app: "web" }, clientNamespaceLabels: { team: "shop" } },
    }],
    ["TLS from a Secret", { tls: { secretName: "redis-tls" } }],
    ["TLS from a cert-manager ClusterIssuer, metrics on", { tls: { issuer: { kind: "ClusterIssuer", name: "internal-ca" } }, metrics: { enabled: true } }],
    ["TLS from an Issuer, persistence off, hard spread", {
        tls: { enabled: true, issuer: { kind: "Issuer", name: "ca", group: "cert-manager.io" } }, persistence: { enabled: false }, spread: "hard",
    }],
];
