/**
 * Scheduling and customisation of every pod the component makes (the seed Pod and both
 * sets' pod templates): nodeSelector, tolerations, affinity, priorityClassName,
 * imagePullSecrets, pod annotations and labels, the ServiceAccount. Under Pulumi mocks
 * (what the component registers) and in `npm run render`.
 */
import { strict as assert } from "assert";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { RESOURCE_TYPE, RedisSentinel, type RedisSentinelArgs } from "../../src";
import { renderYaml } from "../../src/cli/render";
import { installMocks, type MockedRun } from "./support/mockedPulumi";
import { podsOf } from "./support/renderManifests";

const ROOT = path.resolve(__dirname, "../..");
const SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount";

const OPTIONS: RedisSentinelArgs = {
    nodeSelector: { "node.kubernetes.io/pool": "cache" },
    tolerations: [{ key: "dedicated", operator: "Equal", value: "redis", effect: "NoSchedule" }],
    affinity: {
        nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/arch", operator: "In", values: ["amd64"] }] }],
            },
        },
        podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { app: "noisy" } } } }],
        },
    },
    priorityClassName: "redis-critical",
    imagePullSecrets: ["mirror-credentials", "backup-mirror"],
    podAnnotations: { "example.com/owner": "team-cache" },
    podLabels: { team: "cache" },
};

async function deploy(args: RedisSentinelArgs): Promise<MockedRun> {
    const run = installMocks();
    new RedisSentinel("cache", { namespace: "data", ...args });
    await run.settle();
    return run;
}

/** The seed Pod and the pod templates, as registered (the seed's manifest input when it is a dynamic resource). */
function registeredPods(run: MockedRun) {
    const seed = run.byName("cache-seed");
    const seedPod = seed.inputs.manifest ?? { kind: "Pod", ...seed.inputs };
    const sets = run.byType("kubernetes:apps/v1:StatefulSet").map((r): Record<string, any> => ({ kind: "StatefulSet", ...r.inputs }))
        .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    return podsOf([seedPod, ...sets]);
}

describe("scheduling and pod options on every pod", function () {
    let run: MockedRun;
    before(async () => (run = await deploy(OPTIONS)));

    it("reach the seed Pod and both pod templates", () => {
        const pods = registeredPods(run);
        assert.deepEqual(pods.map((p) => p.owner), ["Pod cache-seed", "StatefulSet cache-redis", "StatefulSet cache-sentinel"]);
        for (const { owner, pod } of pods) {
            const spec = pod.spec;
            assert.deepEqual(spec.nodeSelector, OPTIONS.nodeSelector, owner);
            assert.deepEqual(spec.tolerations, OPTIONS.tolerations, owner);
            assert.deepEqual(spec.affinity.nodeAffinity, OPTIONS.affinity!.nodeAffinity, owner);
            assert.equal(spec.priorityClassName, "redis-critical", owner);
            assert.deepEqual(spec.imagePullSecrets, [{ name: "mirror-credentials" }, { name: "backup-mirror" }], owner);
            const metadata = pod.metadata as { labels: Record<string, string>; annotations: Record<string, string> };
            assert.equal(metadata.annotations["example.com/owner"], "team-cache", owner);
            assert.equal(metadata.labels.team, "cache", owner);
            assert.equal(metadata.labels["app.kubernetes.io/instance"], "cache", `${owner}: the component's own labels stay`);
        }
    });

    it("keeps the user's anti-affinity and adds spread's per-node preference after it (the sets only)", () => {
        const [seed, redis, sentinel] = registeredPods(run);
        const terms = (p: typeof seed) => p.pod.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution;
        assert.deepEqual(terms(seed), OPTIONS.affinity!.podAntiAffinity!.preferredDuringSchedulingIgnoredDuringExecution);
        for (const set of [redis, sentinel]) {
            const [user, ours] = terms(set);
            assert.deepEqual(user, OPTIONS.affinity!.podAntiAffinity!.preferredDuringSchedulingIgnoredDuringExecution![0]);
            assert.equal(ours.weight, 100);
            assert.equal(ours.podAffinityTerm.labelSelector.matchLabels["app.kubernetes.io/component"], set.owner.endsWith("redis") ? "redis" : "sentinel");
        }
    });

    it("changes nothing by default: no node selector, tolerations, priority, pull secrets or ServiceAccount, no API token", async () => {
        const plain = await deploy({});
        assert.equal(plain.byType(SERVICE_ACCOUNT).length, 0);
        for (const { owner, pod } of registeredPods(plain)) {
            for (const field of ["nodeSelector", "tolerations", "priorityClassName", "imagePullSecrets", "serviceAccountName"]) {
                assert.equal(pod.spec[field], undefined, `${owner}.${field}`);
            }
            assert.equal(pod.spec.automountServiceAccountToken, false, owner);
        }
    });
});

describe("the pods' ServiceAccount", function () {
    it("is created when asked: parented, before the seed Pod, used by every pod, with no token mounted", async () => {
        const run = await deploy({ labels: { team: "cache" }, serviceAccount: { create: true, annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/r" } } });
        const [account] = run.byType(SERVICE_ACCOUNT);
        assert.ok(account, "no ServiceAccount registered");
        assert.equal(account.parent, run.byType(RESOURCE_TYPE)[0].urn);
        assert.equal(account.deleteBeforeReplace, true, "a fixed name: delete before replace");
        assert.deepEqual(account.inputs.metadata, {
            name: "cache", namespace: "data", annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/r" },
            labels: { team: "cache", "app.kubernetes.io/name": "redis-sentinel", "app.kubernetes.io/instance": "cache", "app.kubernetes.io/managed-by": "pulumi" },
        });
        assert.equal(account.inputs.automountServiceAccountToken, false);
        assert.ok(run.byName("cache-seed").dependencies.includes(account.urn), "the seed Pod must wait for its ServiceAccount");
        for (const { owner, pod } of registeredPods(run)) {
            assert.equal(pod.spec.serviceAccountName, "cache", owner);
            assert.equal(pod.spec.automountServiceAccountToken, false, owner);
        }
    });

    it("takes another name for the one it creates, or names an existing one and creates none", async () => {
        const named = await deploy({ serviceAccount: { create: true, name: "redis-pods" } });
        assert.equal(named.byType(SERVICE_ACCOUNT)[0].inputs.metadata.name, "redis-pods");
        const existing = await deploy({ serviceAccount: { name: "platform-redis" } });
        assert.equal(existing.byType(SERVICE_ACCOUNT).length, 0);
        for (const { owner, pod } of registeredPods(existing)) assert.equal(pod.spec.serviceAccountName, "platform-redis", owner);
    });

    it("mounts the API token only when asked", async () => {
        const run = await deploy({ serviceAccount: { create: true, automountToken: true } });
        assert.equal(run.byType(SERVICE_ACCOUNT)[0].inputs.automountServiceAccountToken, true);
        for (const { owner, pod } of registeredPods(run)) assert.equal(pod.spec.automountServiceAccountToken, true, owner);
    });
});

describe("scheduling and pod options from stack config (npm run render)", function () {
    this.timeout(30_000);

    it("reads structured keys as JSON and puts them on every pod", () => {
        const set = [
            'nodeSelector={"node.kubernetes.io/pool":"cache"}',
            'tolerations=[{"key":"dedicated","operator":"Equal","value":"redis","effect":"NoSchedule"}]',
            'affinity={"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"kubernetes.io/arch","operator":"In","values":["amd64"]}]}]}}}',
            "priorityClassName=redis-critical",
            'imagePullSecrets=["mirror-credentials"]',
            'podAnnotations={"example.com/owner":"team-cache"}',
            'podLabels={"team":"cache"}',
            'serviceAccount={"create":true}',
        ];
        const docs = parseAllDocuments(renderYaml({ projectDir: ROOT, set })).map((d) => d.toJSON());
        assert.deepEqual(docs.filter((d) => d.kind === "ServiceAccount").map((d) => d.metadata.name), ["redis"]);
        const kinds = docs.map((d) => d.kind);
        assert.ok(kinds.indexOf("ServiceAccount") < kinds.indexOf("Pod"), "the ServiceAccount comes before the pods that use it");
        const pods = podsOf(docs);
        assert.equal(pods.length, 3);
        for (const { owner, pod } of pods) {
            assert.deepEqual(pod.spec.nodeSelector, { "node.kubernetes.io/pool": "cache" }, owner);
            assert.equal(pod.spec.tolerations[0].key, "dedicated", owner);
            assert.equal(pod.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].key, "kubernetes.io/arch");
            assert.equal(pod.spec.priorityClassName, "redis-critical", owner);
            assert.deepEqual(pod.spec.imagePullSecrets, [{ name: "mirror-credentials" }], owner);
            assert.equal(pod.spec.serviceAccountName, "redis", owner);
            assert.equal((pod.metadata as any).annotations["example.com/owner"], "team-cache", owner);
            assert.equal((pod.metadata as any).labels.team, "cache", owner);
        }
    });

    it("rejects a bad structured value with the option's path, the value and what is allowed", () => {
        assert.throws(() => renderYaml({ projectDir: ROOT, set: ['tolerations=[{"key":"dedicated","operator":"Equals"}]'] }),
            /option `tolerations\.0\.operator` = "Equals": must be one of "Exists", "Equal"/);
        assert.throws(() => renderYaml({ projectDir: ROOT, set: ["nodeSelector=ssd"] }), /nodeSelector/);
    });
});
