import type { ManifestSpec } from "./spec";
import { type Names, LABEL_COMPONENT, METRICS_COMPONENT, instanceLabels, objectLabels } from "./names";

/** A prometheus-operator ServiceMonitor (monitoring.coreos.com/v1), as plain data. */
export interface ServiceMonitorManifest {
    apiVersion: "monitoring.coreos.com/v1";
    kind: "ServiceMonitor";
    metadata: { name: string; namespace: string; labels: Record<string, string> };
    spec: {
        selector: { matchLabels: Record<string, string> };
        namespaceSelector: { matchNames: string[] };
        endpoints: Array<{ port: string; path: string; scheme: "http"; interval?: string }>;
    };
}

/** Scrapes the metrics Service, one target per Redis pod. Only when `metrics.serviceMonitor` is on. */
export function serviceMonitor(spec: ManifestSpec, names: Names): ServiceMonitorManifest | undefined {
    if (!spec.metrics.enabled || !spec.metrics.serviceMonitor) return undefined;
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: {
            name: names.serviceMonitor,
            namespace: names.namespace,
            labels: { ...spec.metrics.serviceMonitorLabels, ...objectLabels(spec.name, spec.labels) },
        },
        spec: {
            // The metrics Service carries these (and the user's extra labels, which need not match).
            selector: { matchLabels: { ...instanceLabels(spec.name), [LABEL_COMPONENT]: METRICS_COMPONENT } },
            namespaceSelector: { matchNames: [names.namespace] },
            endpoints: [{
                port: "metrics",
                path: "/metrics",
                scheme: "http",
                ...(spec.metrics.scrapeInterval ? { interval: spec.metrics.scrapeInterval } : {}),
            }],
        },
    };
}
