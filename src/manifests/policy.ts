import type * as k8s from "@pulumi/kubernetes";
import { METRICS_PORT, REDIS_PORT, SENTINEL_PORT } from "../options/defaults";
import type { ManifestSpec } from "./spec";
import { type Names, componentSelector, instanceLabels, objectLabels } from "./names";

type Pdb = k8s.types.input.policy.v1.PodDisruptionBudget;

function pdb(spec: ManifestSpec, names: Names, name: string, component: "redis" | "sentinel"): Pdb {
    return {
        apiVersion: "policy/v1",
        kind: "PodDisruptionBudget",
        metadata: { name, namespace: names.namespace, labels: objectLabels(spec.name, spec.labels) },
        spec: { maxUnavailable: 1, selector: { matchLabels: componentSelector(spec.name, component) } },
    };
}

/** One voluntary disruption (drain, upgrade) at a time per set. */
export function disruptionBudgets(spec: ManifestSpec, names: Names): Pdb[] {
    if (!spec.podDisruptionBudgets) return [];
    return [pdb(spec, names, names.redisPdb, "redis"), pdb(spec, names, names.sentinelPdb, "sentinel")];
}

/**
 * Only the deployment's own pods and labelled clients reach Redis and Sentinel. With
 * metrics on, the exporter port of the Redis pods is also open to the scraper pods
 * (`metrics.scrapePodLabels`, Prometheus by default) of the namespaces
 * `metrics.scrapeNamespaceLabels` selects (any by default): it serves metrics only.
 */
export function networkPolicy(spec: ManifestSpec, names: Names): k8s.types.input.networking.v1.NetworkPolicy | undefined {
    if (!spec.networkPolicy.enabled) return undefined;
    const clients: k8s.types.input.networking.v1.NetworkPolicyPeer[] = [
        { podSelector: { matchLabels: instanceLabels(spec.name) } },
        { podSelector: { matchLabels: spec.networkPolicy.clientLabels } },
    ];
    if (spec.networkPolicy.clientNamespaceLabels) {
        clients.push({
            namespaceSelector: { matchLabels: spec.networkPolicy.clientNamespaceLabels },
            podSelector: { matchLabels: spec.networkPolicy.clientLabels },
        });
    }
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: names.networkPolicy, namespace: names.namespace, labels: objectLabels(spec.name, spec.labels) },
        spec: {
            podSelector: { matchLabels: instanceLabels(spec.name) },
            policyTypes: ["Ingress"],
            ingress: [{
                from: clients,
                ports: [{ protocol: "TCP", port: REDIS_PORT }, { protocol: "TCP", port: SENTINEL_PORT }],
            }, ...scrapeRules(spec)],
        },
    };
}

function scrapeRules(spec: ManifestSpec): k8s.types.input.networking.v1.NetworkPolicyIngressRule[] {
    if (!spec.metrics.enabled) return [];
    return [{
        from: [{ namespaceSelector: selector(spec.metrics.scrapeNamespaceLabels), podSelector: selector(spec.metrics.scrapePodLabels) }],
        ports: [{ protocol: "TCP", port: METRICS_PORT }],
    }];
}

/** A label selector; `{}` (no labels) selects everything. */
function selector(labels: Record<string, string>): k8s.types.input.meta.v1.LabelSelector {
    return Object.keys(labels).length > 0 ? { matchLabels: labels } : {};
}
