/**
 * How the pods of each set are spread over zones and nodes (`spread`). The rules encoded
 * here come from kube-scheduler's PodTopologySpread plugin (v1.34,
 * pkg/scheduler/framework/plugins/podtopologyspread):
 * - a pod with spread constraints of its own loses the scheduler's default spreading
 *   (which includes zones), so zones must be in the pod's own constraints;
 * - filtering (DoNotSchedule): a node without the constraint's topology label is refused;
 * - scoring (ScheduleAnyway): a node missing the label of ANY of the pod's constraints
 *   is scored 0 for all of them (`requireAllTopologies`), so a soft per-node constraint
 *   next to a zone constraint does nothing on clusters whose nodes have no zone label.
 */
import { strict as assert } from "assert";
import type { RedisSentinelArgs } from "../../src";
import { renderObjects } from "./support/renderManifests";

const ZONE = "topology.kubernetes.io/zone";
const NODE = "kubernetes.io/hostname";

interface PodRules {
    constraints: any[];
    affinity: any;
    selector: Record<string, string>;
}

/** The spreading rules of each set's pods and of the seed Pod. */
function rules(args: RedisSentinelArgs): Record<"seed" | "redis" | "sentinel", PodRules> {
    const objects = renderObjects(args);
    const seed = objects.find((o) => o.kind === "Pod")!;
    const set = (name: string) => objects.find((o) => o.kind === "StatefulSet" && o.metadata.name === name)!;
    const of = (spec: any, selector: Record<string, string>): PodRules =>
        ({ constraints: spec.topologySpreadConstraints ?? [], affinity: spec.affinity, selector });
    return {
        seed: of(seed.spec, {}),
        redis: of(set("cache-redis").spec.template.spec, set("cache-redis").spec.selector.matchLabels),
        sentinel: of(set("cache-sentinel").spec.template.spec, set("cache-sentinel").spec.selector.matchLabels),
    };
}

function constraintOn(pod: PodRules, key: string): any {
    return pod.constraints.find((c) => c.topologyKey === key);
}

/** The preferred anti-affinity term keeping a set's pods off one node, if any. */
function nodePreference(pod: PodRules): any {
    return (pod.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [])
        .find((t: any) => t.podAffinityTerm.topologyKey === NODE);
}

describe("spreading each set over zones and nodes", function () {
    it("by default spreads each set across zones (its own constraints drop the scheduler's default zone spreading)", () => {
        for (const which of ["redis", "sentinel"] as const) {
            const pod = rules({})[which];
            const zone = constraintOn(pod, ZONE);
            assert.ok(zone, `${which}: no zone constraint, so one zone may hold the master and two of three Sentinels`);
            assert.equal(zone.maxSkew, 1);
            assert.equal(zone.whenUnsatisfiable, "ScheduleAnyway");
            assert.deepEqual(zone.labelSelector, { matchLabels: pod.selector }, "counts only the pods of its own set");
        }
    });

    it("by default prefers one pod per node in a way that still works on nodes without a zone label", () => {
        for (const which of ["redis", "sentinel"] as const) {
            const pod = rules({})[which];
            // A soft hostname constraint next to the zone one would be scored 0 on such nodes.
            assert.equal(constraintOn(pod, NODE), undefined, `${which}: a soft per-node spread constraint is void where nodes lack the zone label`);
            const preference = nodePreference(pod);
            assert.ok(preference, `${which}: no per-node preference`);
            assert.equal(preference.weight, 100);
            assert.deepEqual(preference.podAffinityTerm.labelSelector, { matchLabels: pod.selector });
            assert.equal(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution, undefined, "soft means never blocking");
        }
    });

    it('"hard" requires both: at most one more pod in any zone and on any node than elsewhere', () => {
        for (const which of ["redis", "sentinel"] as const) {
            const pod = rules({ spread: "hard" })[which];
            for (const key of [ZONE, NODE]) {
                const c = constraintOn(pod, key);
                assert.ok(c, `${which}: no ${key} constraint`);
                assert.equal(c.whenUnsatisfiable, "DoNotSchedule");
                assert.equal(c.maxSkew, 1);
                assert.deepEqual(c.labelSelector, { matchLabels: pod.selector });
            }
            assert.equal(nodePreference(pod), undefined);
        }
    });

    it("takes zones and nodes separately: { zone: \"none\", node: \"hard\" } for clusters whose nodes have no zone label", () => {
        const pod = rules({ spread: { zone: "none", node: "hard" } }).redis;
        assert.equal(constraintOn(pod, ZONE), undefined);
        assert.equal(constraintOn(pod, NODE).whenUnsatisfiable, "DoNotSchedule");
        const soft = rules({ spread: { zone: "hard", node: "soft" } }).sentinel;
        assert.equal(constraintOn(soft, ZONE).whenUnsatisfiable, "DoNotSchedule");
        assert.equal(constraintOn(soft, NODE), undefined);
        assert.ok(nodePreference(soft));
        const zoneOnly = rules({ spread: { node: "none" } }).redis;
        assert.equal(constraintOn(zoneOnly, ZONE).whenUnsatisfiable, "ScheduleAnyway", "an unset level keeps its default (soft)");
        assert.equal(nodePreference(zoneOnly), undefined);
    });

    it('"none" adds no rule at all (the scheduler\'s default spreading applies)', () => {
        for (const pod of Object.values(rules({ spread: "none" }))) {
            assert.deepEqual(pod.constraints, []);
            assert.equal(pod.affinity, undefined);
        }
    });

    it("leaves the seed Pod unconstrained (it is retired once the sets are up)", () => {
        for (const spread of ["soft", "hard"] as const) {
            const seed = rules({ spread }).seed;
            assert.deepEqual(seed.constraints, []);
            assert.equal(seed.affinity, undefined);
        }
    });
});
