import { createHash } from "crypto";
import type * as k8s from "@pulumi/kubernetes";
import { REDIS_PORT, SENTINEL_PORT, majority } from "../options/defaults";
import { type EndpointServer, type HaproxyConfigInput, PASSWORD_ENV, haproxyConfig } from "../endpoint/haproxyConfig";
import type { ManifestSpec } from "./spec";
import { type Names, LABEL_COMPONENT, LABEL_MANAGED_BY, instanceLabels, objectLabels } from "./names";
import { CONTAINER_SECURITY_CONTEXT } from "./containers";
import { mergeAffinity } from "./scheduling";
import { podIdentity } from "./serviceAccount";

type Deployment = k8s.types.input.apps.v1.Deployment;
type Service = k8s.types.input.core.v1.Service;
type ConfigMap = k8s.types.input.core.v1.ConfigMap;
type Pdb = k8s.types.input.policy.v1.PodDisruptionBudget;

/** `app.kubernetes.io/component` of the endpoint's pods. */
export const ENDPOINT_COMPONENT = "endpoint";
/** Port clients connect to (the master Service's and the proxies'). */
export const ENDPOINT_PORT = REDIS_PORT;
/** The proxies' HTTP health port (`GET /healthz`). */
export const ENDPOINT_HEALTH_PORT = 8404;
export const ENDPOINT_CONFIG_DIR = "/etc/redis-endpoint";
export const ENDPOINT_CONFIG_FILE = "haproxy.cfg";
/**
 * Every server and Sentinel is checked this often. A master whose writes are paused (the
 * first step of every handover) fails its check within interval + timeout, well before the
 * handover demotes it (pause, replica catch-up, SENTINEL FAILOVER, Sentinel's promotion and
 * confirm take 300 ms or more).
 */
export const CHECK_INTERVAL_MS = 100;
export const CHECK_TIMEOUT_MS = 150;
/** The official image's `haproxy` user (and any non-root uid works: it writes nothing). */
export const ENDPOINT_UID = 99;

/** The names of the endpoint's objects. */
export interface EndpointNames {
    configMap: string;
    deployment: string;
    service: string;
    pdb: string;
    /** FQDN of the master Service: the `masterHost` output. */
    serviceHost: string;
}

export function endpointNames(names: Names, name: string): EndpointNames {
    const service = `${name}-master`;
    return {
        configMap: `${name}-endpoint`,
        deployment: `${name}-endpoint`,
        service,
        pdb: `${name}-endpoint`,
        serviceHost: `${service}.${names.namespace}.svc.${names.headlessDomain.split(".svc.")[1]}`,
    };
}

export interface EndpointTopology {
    masterName: string;
    sentinelCount: number;
    /** Servers that may be master (seed first, then the Redis set), by pod name and FQDN. */
    servers: Array<{ name: string; host: string }>;
    sentinels: Array<{ name: string; host: string }>;
    dnsResolvers: boolean;
}

/** The configuration input for a deployment; `bind`, `healthBind` and `auth` are the cluster's unless overridden. */
export function endpointConfigInput(t: EndpointTopology, maxConnections = 4096): HaproxyConfigInput {
    const server = (port: number) => (p: { name: string; host: string }): EndpointServer => ({ name: p.name, host: p.host, port });
    return {
        servers: t.servers.map(server(REDIS_PORT)),
        sentinels: t.sentinels.map(server(SENTINEL_PORT)),
        masterName: t.masterName,
        sentinelMajority: majority(t.sentinelCount),
        bind: `:${ENDPOINT_PORT}`,
        healthBind: `:${ENDPOINT_HEALTH_PORT}`,
        checkIntervalMs: CHECK_INTERVAL_MS,
        checkTimeoutMs: CHECK_TIMEOUT_MS,
        maxConnections,
        auth: true,
        dnsResolvers: t.dnsResolvers,
    };
}

/** The haproxy.cfg the endpoint's ConfigMap ships for this deployment. */
export function endpointHaproxyConfig(spec: ManifestSpec, names: Names): string {
    const pods = (podNames: string[]) => podNames.map((pod) => ({ name: pod, host: `${pod}.${names.headlessDomain}` }));
    return haproxyConfig(endpointConfigInput({
        masterName: spec.masterName,
        sentinelCount: spec.sentinels,
        servers: pods([names.seedPod, ...names.redisPods]),
        sentinels: pods(names.sentinelPods),
        dnsResolvers: true,
    }, spec.endpoint.maxConnections));
}

/** Every object of the master endpoint (only with `endpoint.enabled`). */
export interface EndpointManifests {
    names: EndpointNames;
    configMap: ConfigMap;
    deployment: Deployment;
    service: Service;
    pdb?: Pdb;
}

function endpointLabels(spec: ManifestSpec): Record<string, string> {
    return { ...instanceLabels(spec.name), [LABEL_COMPONENT]: ENDPOINT_COMPONENT };
}

export function endpointManifests(spec: ManifestSpec, names: Names): EndpointManifests | undefined {
    if (!spec.endpoint.enabled) return undefined;
    const en = endpointNames(names, spec.name);
    const config = endpointHaproxyConfig(spec, names);
    const configChecksum = createHash("sha256").update(config).digest("hex");
    const metadata = (name: string) => ({ name, namespace: names.namespace, labels: objectLabels(spec.name, spec.labels) });
    const selector = endpointLabels(spec);
    const health = () => ({ httpGet: { path: "/healthz", port: "health" }, timeoutSeconds: 2 });
    // Spread the proxies over nodes (preferred), on top of the user's affinity.
    const antiAffinity = {
        podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [{
                weight: 100,
                podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: selector } },
            }],
        },
    };
    const affinity = mergeAffinity(spec.affinity, antiAffinity);
    const container: k8s.types.input.core.v1.Container = {
        name: "haproxy",
        image: spec.endpoint.image,
        imagePullPolicy: spec.imagePullPolicy,
        // `haproxy` on PATH: /usr/local/sbin in the official image, /usr/sbin in Debian's package.
        command: ["haproxy", "-db", "-f", `${ENDPOINT_CONFIG_DIR}/${ENDPOINT_CONFIG_FILE}`],
        // The checks read the password from here; it is never in the ConfigMap.
        env: [{ name: PASSWORD_ENV, valueFrom: { secretKeyRef: { name: names.secret, key: "password" } } }],
        ports: [
            { name: "endpoint", containerPort: ENDPOINT_PORT, protocol: "TCP" },
            { name: "health", containerPort: ENDPOINT_HEALTH_PORT, protocol: "TCP" },
        ],
        resources: {
            ...(spec.endpoint.resources.requests ? { requests: { ...spec.endpoint.resources.requests } } : {}),
            ...(spec.endpoint.resources.limits ? { limits: { ...spec.endpoint.resources.limits } } : {}),
        },
        securityContext: CONTAINER_SECURITY_CONTEXT,
        // Ready = haproxy runs its config. Not "a master is routable": during a failover every
        // proxy would turn unready and the Service would drop them, adding the endpoints'
        // propagation delay to the outage; haproxy refuses connections itself meanwhile.
        readinessProbe: { ...health(), periodSeconds: 5, failureThreshold: 2 },
        livenessProbe: { ...health(), periodSeconds: 10, failureThreshold: 3 },
        // Let the Service drop this pod before haproxy stops and closes its clients' connections.
        lifecycle: { preStop: { exec: { command: ["sleep", "2"] } } },
        volumeMounts: [{ name: "config", mountPath: ENDPOINT_CONFIG_DIR, readOnly: true }],
    };
    return {
        names: en,
        configMap: { apiVersion: "v1", kind: "ConfigMap", metadata: metadata(en.configMap), data: { [ENDPOINT_CONFIG_FILE]: config } },
        deployment: {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: metadata(en.deployment),
            spec: {
                replicas: spec.endpoint.replicas,
                selector: { matchLabels: selector },
                // Never fewer proxies than asked for during a rollout.
                strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
                template: {
                    metadata: {
                        labels: { ...spec.labels, ...spec.podLabels, ...selector, [LABEL_MANAGED_BY]: "pulumi" },
                        // A changed configuration (scaling a set, new master name) rolls the proxies.
                        annotations: { ...spec.podAnnotations, "redis-sentinel.pulumi.com/endpoint-config-sha256": configChecksum },
                    },
                    spec: {
                        ...podIdentity(spec),
                        enableServiceLinks: false,
                        securityContext: {
                            runAsNonRoot: true,
                            runAsUser: ENDPOINT_UID,
                            runAsGroup: ENDPOINT_UID,
                            seccompProfile: { type: "RuntimeDefault" },
                        },
                        terminationGracePeriodSeconds: 30,
                        ...(Object.keys(spec.nodeSelector).length > 0 ? { nodeSelector: { ...spec.nodeSelector } } : {}),
                        ...(spec.tolerations.length > 0 ? { tolerations: spec.tolerations.map((t) => ({ ...t })) } : {}),
                        ...(affinity ? { affinity: structuredClone(affinity) } : {}),
                        ...(spec.priorityClassName ? { priorityClassName: spec.priorityClassName } : {}),
                        containers: [container],
                        volumes: [{ name: "config", configMap: { name: en.configMap } }],
                    },
                },
            },
        },
        service: {
            apiVersion: "v1",
            kind: "Service",
            metadata: metadata(en.service),
            spec: {
                type: "ClusterIP",
                selector,
                ports: [{ name: "redis", port: ENDPOINT_PORT, targetPort: "endpoint", protocol: "TCP" }],
            },
        },
        // Same rule as the component's endpointPdb(): one proxy may go at a time.
        pdb: spec.podDisruptionBudgets && spec.endpoint.replicas > 1
            ? {
                apiVersion: "policy/v1",
                kind: "PodDisruptionBudget",
                metadata: metadata(en.pdb),
                spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
            }
            : undefined,
    };
}
