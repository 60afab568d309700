import type * as k8s from "@pulumi/kubernetes";
import type { ManifestSpec } from "./spec";
import { type Names, type PodComponent, componentSelector, objectLabels, podLabels } from "./names";
import {
    DEFAULT_TERMINATION_GRACE_S,
    POD_SECURITY_CONTEXT,
    REDIS_TERMINATION_GRACE_S,
    ROLE_SCRIPTS,
    exporterAuthVolume,
    exporterContainer,
    redisContainer,
    scrapeAnnotations,
    sentinelContainer,
} from "./containers";
import { placement } from "./scheduling";
import { podIdentity } from "./serviceAccount";
import { SCRIPTS_CHECKSUM_ANNOTATION } from "./config";
import { tlsVolumes } from "./tls";

type Pod = k8s.types.input.core.v1.Pod;
type PodSpec = k8s.types.input.core.v1.PodSpec;
type Volume = k8s.types.input.core.v1.Volume;
type StatefulSet = k8s.types.input.apps.v1.StatefulSet;
type Pvc = k8s.types.input.core.v1.PersistentVolumeClaim;

const SCRIPTS_MODE = 0o555;

function scriptsVolume(names: Names): Volume {
    return { name: "scripts", configMap: { name: names.configMap, defaultMode: SCRIPTS_MODE } };
}

function commonPodSpec(spec: ManifestSpec, component: PodComponent): Omit<PodSpec, "containers"> {
    return {
        ...podIdentity(spec),
        enableServiceLinks: false,
        securityContext: POD_SECURITY_CONTEXT,
        // The Redis set's master hands over in its preStop hook before it stops.
        terminationGracePeriodSeconds: component === "redis" ? REDIS_TERMINATION_GRACE_S : DEFAULT_TERMINATION_GRACE_S,
        ...placement(spec, component),
    };
}

/**
 * Labels and annotations of a pod of `component`: the user's (`labels`, `podLabels`,
 * `podAnnotations`), then the component's own, which win (`own`: more of them).
 */
function podMetadata(spec: ManifestSpec, component: PodComponent, own: Record<string, string> = {}):
    { labels: Record<string, string>; annotations?: Record<string, string> } {
    const scrape = component === "sentinel" ? {} : scrapeAnnotations(spec);
    return {
        labels: podLabels(spec.name, component, { ...spec.labels, ...spec.podLabels }),
        ...annotationsOf({ ...spec.podAnnotations, ...scrape, ...own }),
    };
}

/** The exporter sidecar of a pod running a Redis server, when metrics are on. */
function sidecars(spec: ManifestSpec): k8s.types.input.core.v1.Container[] {
    return spec.metrics.enabled ? [exporterContainer(spec)] : [];
}

/** The volumes of those sidecars. */
function sidecarVolumes(spec: ManifestSpec, names: Names): Volume[] {
    return spec.metrics.enabled ? [exporterAuthVolume(names)] : [];
}

/** Pod metadata annotations, omitted when there are none. */
function annotationsOf(values: Record<string, string>): { annotations?: Record<string, string> } {
    return Object.keys(values).length > 0 ? { annotations: values } : {};
}

/**
 * The bootstrap pod: a Redis master and a Sentinel sharing one network namespace,
 * with a stable DNS name (`hostname` + `subdomain` under the headless Service).
 */
export function seedPod(spec: ManifestSpec, names: Names): Pod {
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: {
            name: names.seedPod,
            namespace: names.namespace,
            ...podMetadata(spec, "seed"),
        },
        spec: {
            ...commonPodSpec(spec, "seed"),
            hostname: names.seedPod,
            subdomain: names.headlessService,
            restartPolicy: "Always",
            containers: [
                redisContainer({ spec, names, script: ROLE_SCRIPTS.seedMaster }),
                sentinelContainer({ spec, names, script: ROLE_SCRIPTS.seedSentinel }),
                ...sidecars(spec),
            ],
            volumes: [
                scriptsVolume(names),
                // The seed is temporary: its data lives until it is retired.
                { name: "data", emptyDir: {} },
                { name: "sentinel", emptyDir: {} },
                { name: "tmp", emptyDir: { medium: "Memory", sizeLimit: "16Mi" } },
                ...sidecarVolumes(spec, names),
                ...tlsVolumes(spec),
            ],
        },
    };
}

function claim(name: string, size: string, storageClass: string | undefined): Pvc {
    return {
        metadata: { name },
        spec: {
            accessModes: ["ReadWriteOnce"],
            resources: { requests: { storage: size } },
            ...(storageClass ? { storageClassName: storageClass } : {}),
        },
    };
}

interface SetOptions {
    setName: string;
    component: "redis" | "sentinel";
    count: number;
    volume: "data" | "sentinel";
    size: string;
}

function statefulSet(spec: ManifestSpec, names: Names, o: SetOptions, checksum: string): StatefulSet {
    const containers = o.component === "redis"
        ? [redisContainer({ spec, names, script: ROLE_SCRIPTS.replica, preStop: true }), ...sidecars(spec)]
        : [sentinelContainer({ spec, names, script: ROLE_SCRIPTS.sentinel })];
    const persistent = spec.persistence.enabled;
    const volumes: Volume[] = [scriptsVolume(names), { name: "tmp", emptyDir: { medium: "Memory", sizeLimit: "16Mi" } }];
    if (!persistent) volumes.push({ name: o.volume, emptyDir: {} });
    if (o.component === "redis") volumes.push(...sidecarVolumes(spec, names));
    volumes.push(...tlsVolumes(spec));
    return {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        metadata: { name: o.setName, namespace: names.namespace, labels: objectLabels(spec.name, spec.labels) },
        spec: {
            serviceName: names.headlessService,
            replicas: o.count,
            // Members find each other through the Sentinel Service, not by ordinal order.
            podManagementPolicy: "Parallel",
            updateStrategy: { type: "RollingUpdate" },
            selector: { matchLabels: componentSelector(spec.name, o.component) },
            template: {
                metadata: podMetadata(spec, o.component, { [SCRIPTS_CHECKSUM_ANNOTATION]: checksum }),
                spec: { ...commonPodSpec(spec, o.component), containers, volumes },
            },
            ...(persistent ? { volumeClaimTemplates: [claim(o.volume, o.size, spec.persistence.storageClass)] } : {}),
        },
    };
}

/** `scriptsChecksum`: see {@link SCRIPTS_CHECKSUM_ANNOTATION}. */
export function redisStatefulSet(spec: ManifestSpec, names: Names, scriptsChecksum = ""): StatefulSet {
    return statefulSet(spec, names, {
        setName: names.redisSet, component: "redis", count: spec.replicas, volume: "data", size: spec.persistence.size,
    }, scriptsChecksum);
}

export function sentinelStatefulSet(spec: ManifestSpec, names: Names, scriptsChecksum = ""): StatefulSet {
    return statefulSet(spec, names, {
        setName: names.sentinelSet, component: "sentinel", count: spec.sentinels, volume: "sentinel", size: spec.persistence.sentinelSize,
    }, scriptsChecksum);
}
