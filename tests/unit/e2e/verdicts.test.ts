// The e2e suite's pure verdicts: the topology judgement and the creation order read from
// the cluster's watch events. Replies are shaped like those read on the e2e cluster.
import * as assert from "node:assert/strict";
import { judgeTopology, TopologyObservation } from "../../e2e/lib/topology";
import { checkCreationOrder, ClusterEvent, deletedAt, readyAt } from "../../e2e/lib/order";

const D = "redis-headless.default.svc.cluster.local";
const fq = (p: string) => `${p}.${D}`;
const want = { headlessDomain: D, redisPods: ["redis-redis-0", "redis-redis-1", "redis-redis-2"], sentinelPods: ["redis-sentinel-0", "redis-sentinel-1", "redis-sentinel-2"] };

function whole(): TopologyObservation {
    return {
        roles: { "redis-redis-0": "slave", "redis-redis-1": "master", "redis-redis-2": "slave" },
        sentinels: want.sentinelPods.map((pod) => ({
            pod,
            master: fq("redis-redis-1"),
            replicas: ["redis-redis-0", "redis-redis-2"].map((r) => ({ name: fq(r), flags: "slave", linkStatus: "ok" })),
            otherSentinels: want.sentinelPods.filter((p) => p !== pod).map((p) => ({ name: fq(p), flags: "sentinel" })),
        })),
    };
}

describe("e2e verdicts", () => {
    it("accepts one master named by every Sentinel, with every replica linked and every other Sentinel", () => {
        const v = judgeTopology(whole(), want);
        assert.deepEqual(v.problems, []);
        assert.equal(v.master, fq("redis-redis-1"));
    });

    it("refuses two masters, a Sentinel naming another master, a stale seed entry and a down replica", () => {
        const two = whole();
        two.roles["redis-redis-0"] = "master";
        assert.match(judgeTopology(two, want).problems.join(), /exactly one master, found 2/);

        const other = whole();
        other.sentinels[2].master = fq("redis-seed");
        assert.match(judgeTopology(other, want).problems.join(), /redis-sentinel-2 names redis-seed/);

        const stale = whole();
        stale.sentinels[0].otherSentinels.push({ name: fq("redis-seed"), flags: "s_down,sentinel" });
        stale.sentinels[1].replicas.push({ name: fq("redis-seed"), flags: "s_down,slave", linkStatus: "err" });
        const problems = judgeTopology(stale, want).problems.join("\n");
        assert.match(problems, /redis-sentinel-0 lists sentinels .*redis-seed/);
        assert.match(problems, /redis-sentinel-1 lists replicas .*redis-seed/);

        const down = whole();
        down.sentinels[0].replicas[0].linkStatus = "err";
        assert.match(judgeTopology(down, want).problems.join(), /link=err/);
    });

    it("reads creation order from the revisions of the first ADDED events", () => {
        const ev = (type: string, kind: string, name: string, rv: number, ready?: number): ClusterEvent => ({ type, kind, name, resourceVersion: rv, at: rv, readyReplicas: ready });
        const events = [
            ev("ADDED", "Secret", "s", 10), ev("ADDED", "ConfigMap", "c", 11), ev("ADDED", "Pod", "seed", 12),
            ev("ADDED", "Service", "svc", 14), ev("ADDED", "StatefulSet", "a", 15), ev("ADDED", "StatefulSet", "b", 16),
            ev("MODIFIED", "StatefulSet", "a", 30, 3), ev("MODIFIED", "StatefulSet", "b", 31, 3), ev("DELETED", "Pod", "seed", 40),
            // A re-list after a watch restarts repeats ADDED with a later revision: ignored.
            ev("ADDED", "Pod", "seed", 35),
        ];
        const groups = [["Secret/s", "ConfigMap/c"], ["Pod/seed"], ["Service/svc"], ["StatefulSet/a", "StatefulSet/b"]];
        const ok = checkCreationOrder(events, groups);
        assert.deepEqual(ok.problems, []);
        assert.match(ok.order, /^(Secret\/s@10|ConfigMap\/c@11) < .* < StatefulSet\/b@16$/);
        assert.equal(deletedAt(events, "Pod", "seed"), 40);
        assert.equal(readyAt(events, "b", 3), 31);

        const wrong = checkCreationOrder(events, [["Service/svc"], ["Pod/seed"], ["StatefulSet/x"]]);
        assert.match(wrong.problems.join("\n"), /Pod\/seed \(rv 12\) was created before Service\/svc \(rv 14\)/);
        assert.match(wrong.problems.join("\n"), /StatefulSet\/x: never seen created/);
    });
});
