import type * as k8s from "@pulumi/kubernetes";
import type { Affinity } from "../options/scheduling";
import type { ManifestSpec } from "./spec";
import { type PodComponent, componentSelector } from "./names";

type TopologySpreadConstraint = k8s.types.input.core.v1.TopologySpreadConstraint;

export const ZONE_KEY = "topology.kubernetes.io/zone";
export const NODE_KEY = "kubernetes.io/hostname";

/**
 * Spread constraints of one set's pods (`spread`). A pod with constraints of its own loses
 * the scheduler's default spreading, zones included, so zones are always in them. Soft
 * per-node spreading is NOT a constraint here but a preferred anti-affinity
 * ({@link spreadAffinity}): kube-scheduler scores none of a pod's soft constraints on a node
 * that lacks the label of any of them, so a soft hostname constraint next to the zone one
 * would do nothing on clusters whose nodes have no zone label.
 */
export function spreadConstraints(spec: Pick<ManifestSpec, "name" | "spread">, component: PodComponent): TopologySpreadConstraint[] {
    if (component === "seed") return [];
    const selector = { matchLabels: componentSelector(spec.name, component) };
    const constraint = (topologyKey: string, whenUnsatisfiable: "DoNotSchedule" | "ScheduleAnyway"): TopologySpreadConstraint =>
        ({ maxSkew: 1, topologyKey, whenUnsatisfiable, labelSelector: selector });
    const out: TopologySpreadConstraint[] = [];
    if (spec.spread.zone !== "none") out.push(constraint(ZONE_KEY, spec.spread.zone === "hard" ? "DoNotSchedule" : "ScheduleAnyway"));
    if (spec.spread.node === "hard") out.push(constraint(NODE_KEY, "DoNotSchedule"));
    return out;
}

/** The affinity `spread` adds: with `node: "soft"`, prefer a node that holds no pod of the same set. */
export function spreadAffinity(spec: Pick<ManifestSpec, "name" | "spread">, component: PodComponent): Affinity | undefined {
    if (component === "seed" || spec.spread.node !== "soft") return undefined;
    return {
        podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [{
                weight: 100,
                podAffinityTerm: { topologyKey: NODE_KEY, labelSelector: { matchLabels: componentSelector(spec.name, component) } },
            }],
        },
    };
}

/** Affinity of `user` with `ours` added: our preferred anti-affinity terms after the user's. */
export function mergeAffinity(user: Affinity | undefined, ours: Affinity | undefined): Affinity | undefined {
    if (!ours) return user;
    if (!user) return ours;
    const theirs = user.podAntiAffinity ?? {};
    return {
        ...user,
        podAntiAffinity: {
            ...theirs,
            preferredDuringSchedulingIgnoredDuringExecution: [
                ...(theirs.preferredDuringSchedulingIgnoredDuringExecution ?? []),
                ...(ours.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []),
            ],
        },
    };
}

type Placement = Pick<k8s.types.input.core.v1.PodSpec,
    "nodeSelector" | "tolerations" | "affinity" | "topologySpreadConstraints" | "priorityClassName">;

/**
 * Where a pod of `component` may run: the user's `nodeSelector`, `tolerations`, `affinity`
 * and `priorityClassName`, and `spread`'s rules. Empty fields are omitted.
 */
export function placement(spec: Pick<ManifestSpec, "name" | "spread" | "nodeSelector" | "tolerations" | "affinity" | "priorityClassName">,
    component: PodComponent): Placement {
    const constraints = spreadConstraints(spec, component);
    const affinity = mergeAffinity(spec.affinity, spreadAffinity(spec, component));
    return {
        ...(Object.keys(spec.nodeSelector).length > 0 ? { nodeSelector: { ...spec.nodeSelector } } : {}),
        ...(spec.tolerations.length > 0 ? { tolerations: spec.tolerations.map((t) => ({ ...t })) } : {}),
        ...(affinity ? { affinity: structuredClone(affinity) } : {}),
        ...(constraints.length > 0 ? { topologySpreadConstraints: constraints } : {}),
        ...(spec.priorityClassName ? { priorityClassName: spec.priorityClassName } : {}),
    };
}
