import type * as k8s from "@pulumi/kubernetes";
import { REDIS_PORT, SENTINEL_PORT } from "../spec/defaults";
import type { ManifestSpec } from "./spec";
import { type Names, LABEL_SENTINEL, instanceLabels, objectLabels } from "./names";

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
