/** Every Kubernetes name, DNS name and label the deployment uses, derived from the component name. */
export interface Names {
    namespace: string;
    secret: string;
    configMap: string;
    headlessService: string;
    sentinelService: string;
    seedPod: string;
    redisSet: string;
    sentinelSet: string;
    networkPolicy: string;
    /** Service in front of the exporter sidecars (metrics on). */
    metricsService: string;
    /** prometheus-operator ServiceMonitor (metrics.serviceMonitor on). */
    serviceMonitor: string;
    redisPdb: string;
    sentinelPdb: string;
    /** `<headless>.<ns>.svc.<domain>`: pods are `<pod>.<headlessDomain>`. */
    headlessDomain: string;
    /** FQDN of the Sentinel Service. */
    sentinelServiceHost: string;
    seedHost: string;
    redisPods: string[];
    sentinelPods: string[];
    redisHosts: string[];
    sentinelHosts: string[];
}

export const LABEL_NAME = "app.kubernetes.io/name";
export const LABEL_INSTANCE = "app.kubernetes.io/instance";
export const LABEL_COMPONENT = "app.kubernetes.io/component";
export const LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
/** Pods that run a Redis server (the seed and the Redis set). */
export const LABEL_REDIS = "redis-sentinel.pulumi.com/redis";
/** Pods that run a Sentinel (the seed and the Sentinel set): the Sentinel Service selects these. */
export const LABEL_SENTINEL = "redis-sentinel.pulumi.com/sentinel";
export const APP_NAME = "redis-sentinel";

export type PodComponent = "seed" | "redis" | "sentinel";

/** `app.kubernetes.io/component` of the metrics Service: what the ServiceMonitor selects. */
export const METRICS_COMPONENT = "metrics";

export function deriveNames(name: string, namespace: string, clusterDomain: string, replicas: number, sentinels: number): Names {
    const headlessService = `${name}-headless`;
    const headlessDomain = `${headlessService}.${namespace}.svc.${clusterDomain}`;
    const redisSet = `${name}-redis`;
    const sentinelSet = `${name}-sentinel`;
    const redisPods = ordinals(replicas).map((i) => `${redisSet}-${i}`);
    const sentinelPods = ordinals(sentinels).map((i) => `${sentinelSet}-${i}`);
    const seedPod = `${name}-seed`;
    return {
        namespace,
        secret: `${name}-auth`,
        configMap: `${name}-scripts`,
        headlessService,
        sentinelService: `${name}-sentinel`,
        seedPod,
        redisSet,
        sentinelSet,
        networkPolicy: `${name}-access`,
        metricsService: `${name}-metrics`,
        serviceMonitor: `${name}-redis`,
        redisPdb: `${name}-redis`,
        sentinelPdb: `${name}-sentinel`,
        headlessDomain,
        sentinelServiceHost: `${name}-sentinel.${namespace}.svc.${clusterDomain}`,
        seedHost: `${seedPod}.${headlessDomain}`,
        redisPods,
        sentinelPods,
        redisHosts: redisPods.map((pod) => `${pod}.${headlessDomain}`),
        sentinelHosts: sentinelPods.map((pod) => `${pod}.${headlessDomain}`),
    };
}

function ordinals(n: number): number[] {
    return Array.from({ length: n }, (_, i) => i);
}

/** Labels shared by every object of one deployment (also the selector of the headless Service). */
export function instanceLabels(name: string): Record<string, string> {
    return { [LABEL_NAME]: APP_NAME, [LABEL_INSTANCE]: name };
}

/** Selector of one StatefulSet: never matches the seed pod, so no set adopts it. */
export function componentSelector(name: string, component: PodComponent): Record<string, string> {
    return { ...instanceLabels(name), [LABEL_COMPONENT]: component };
}

export function podLabels(name: string, component: PodComponent, extra: Record<string, string>): Record<string, string> {
    const roles: Record<string, string> = {};
    if (component !== "sentinel") roles[LABEL_REDIS] = "true";
    if (component !== "redis") roles[LABEL_SENTINEL] = "true";
    return { ...extra, ...componentSelector(name, component), ...roles, [LABEL_MANAGED_BY]: "pulumi" };
}

export function objectLabels(name: string, extra: Record<string, string>): Record<string, string> {
    return { ...extra, ...instanceLabels(name), [LABEL_MANAGED_BY]: "pulumi" };
}
