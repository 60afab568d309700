import type * as k8s from "@pulumi/kubernetes";
import { METRICS_PORT, REDIS_PORT, SENTINEL_PORT } from "../options/defaults";
import type { ManifestSpec } from "./spec";
import { type Names, LABEL_COMPONENT, LABEL_REDIS, LABEL_SENTINEL, METRICS_COMPONENT, instanceLabels, objectLabels } from "./names";

type Service = k8s.types.input.core.v1.Service;

/** Stable DNS names for every pod (`<pod>.<name>-headless...`), ready or not. */
export function headlessService(spec: ManifestSpec, names: Names): Service {
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: names.headlessService, namespace: names.namespace, labels: objectLabels(spec.name, spec.labels) },
        spec: {
            clusterIP: "None",
            // Sentinel must resolve a replica's name while it is still syncing (not ready).
            publishNotReadyAddresses: true,
            selector: instanceLabels(spec.name),
            ports: [
                { name: "redis", port: REDIS_PORT, targetPort: "redis", protocol: "TCP" },
                { name: "sentinel", port: SENTINEL_PORT, targetPort: "sentinel", protocol: "TCP" },
            ],
        },
    };
}

/** The Sentinel Service: selects every pod running a Sentinel, the seed pod included. */
export function sentinelService(spec: ManifestSpec, names: Names): Service {
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: names.sentinelService, namespace: names.namespace, labels: objectLabels(spec.name, spec.labels) },
        spec: {
            type: "ClusterIP",
            selector: { ...instanceLabels(spec.name), [LABEL_SENTINEL]: "true" },
            ports: [{ name: "sentinel", port: SENTINEL_PORT, targetPort: "sentinel", protocol: "TCP" }],
        },
    };
}

/** Labels of the metrics Service (the ServiceMonitor selects exactly these). */
export function metricsServiceLabels(spec: ManifestSpec): Record<string, string> {
    return { ...objectLabels(spec.name, spec.labels), [LABEL_COMPONENT]: METRICS_COMPONENT };
}

/**
 * The exporter sidecars of every Redis pod (seed included), headless so a scraper gets
 * one target per pod. Only when metrics are on.
 */
export function metricsService(spec: ManifestSpec, names: Names): Service | undefined {
    if (!spec.metrics.enabled) return undefined;
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: names.metricsService, namespace: names.namespace, labels: metricsServiceLabels(spec) },
        spec: {
            clusterIP: "None",
            selector: { ...instanceLabels(spec.name), [LABEL_REDIS]: "true" },
            ports: [{ name: "metrics", port: METRICS_PORT, targetPort: "metrics", protocol: "TCP" }],
        },
    };
}
