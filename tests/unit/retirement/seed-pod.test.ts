// The seed pod's dynamic provider (src/retirement/seed-pod.ts), serialized as Pulumi does and
// run against the loopback Kubernetes API fake with the real client-node: create, refresh (read)
// after the retirement deleted the pod, diff, delete. The point: after the retirement a refresh
// keeps the seed in the state unchanged and the next diff has no changes, so nothing recreates it.
import * as assert from "assert";
import { createRequire } from "module";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { diffRetirement, inputFailures, makeSeedPodProvider, type RetirementRuntime, type SeedPodInputs, type SeedPodOutputs } from "../../../src/retirement";
import { removedPods, waitRemovedGone } from "../../../src/retirement/provider";
import { FakeKubeServer } from "../../fakekube";
// What the dynamic-provider host does with every result (@pulumi/pulumi/cmd/dynamic-provider):
// google.protobuf.Struct.fromJavaScript, which throws "Unexpected struct type." on undefined.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Struct } = require("google-protobuf/google/protobuf/struct_pb") as { Struct: { fromJavaScript(v: object): unknown } };

/** The result as the engine would receive it: throws where the real host would fail the update. */
function onTheWire<T extends object>(result: T): T {
    Struct.fromJavaScript({ ...result, __provider: "serialized" });
    return result;
}

const NS = "data";
const SEED = "cache-seed";

function loadSerialized(text: string): Record<string, unknown> {
    const mod = { exports: {} as Record<string, unknown> };
    const req = createRequire(path.join(process.cwd(), "package.json"));
    new Function("exports", "require", "module", text)(mod.exports, req, mod);
    return mod.exports;
}

function manifest(image = "redis:7.2"): SeedPodInputs["manifest"] {
    return {
        apiVersion: "v1", kind: "Pod",
        metadata: { name: SEED, namespace: NS, labels: { "app.kubernetes.io/component": "seed" } },
        spec: { hostname: SEED, subdomain: "cache-headless", containers: [{ name: "redis", image }, { name: "sentinel", image }] },
    };
}

describe("SeedPod provider against the fake Kubernetes API (serialized as Pulumi does)", function () {
    this.timeout(20_000);
    let fake: FakeKubeServer;
    let provider: pulumi.dynamic.ResourceProvider;
    let inputs: SeedPodInputs;
    const logs: string[] = [];
    const realLog = console.log;

    before(async () => {
        const serialized = await pulumi.runtime.serializeFunction(() => makeSeedPodProvider(), { isFactoryFunction: true });
        assert.match(serialized.text, /require\("@kubernetes\/client-node[^"]*"\)/);
        provider = loadSerialized(serialized.text)[serialized.exportName] as pulumi.dynamic.ResourceProvider;
    });
    beforeEach(async () => {
        fake = await FakeKubeServer.start();
        inputs = { namespace: NS, name: SEED, manifest: manifest(), runningPod: "cache-redis-0", dataClaim: "data-cache-redis-0", kubeconfig: fake.kubeconfig(), timeoutSeconds: 5 };
        logs.length = 0;
        console.log = (line: string) => void logs.push(String(line));
    });
    afterEach(async () => {
        console.log = realLog;
        await fake.stop();
    });

    async function create(i: SeedPodInputs = inputs): Promise<SeedPodOutputs> {
        const r = await provider.create!(i);
        assert.equal(r.id, `${NS}/${SEED}`);
        return onTheWire(r.outs as SeedPodOutputs);
    }

    it("with the ambient kubeconfig (no kubeconfig, no context given), every result survives the engine's wire format", async () => {
        // Seen on the e2e cluster: outputs holding `kubeconfig: undefined` failed the update
        // with "Unexpected struct type." after the pod was created.
        const { mkdtempSync, writeFileSync } = await import("fs");
        const { tmpdir } = await import("os");
        const file = path.join(mkdtempSync(path.join(tmpdir(), "seed-pod-")), "kubeconfig");
        writeFileSync(file, fake.kubeconfig());
        const saved = process.env.KUBECONFIG;
        process.env.KUBECONFIG = file;
        try {
            const ambient: SeedPodInputs = { namespace: NS, name: SEED, manifest: manifest(), runningPod: "cache-redis-0", timeoutSeconds: 5 };
            const outs = await create(ambient);
            assert.equal(outs.created, "created");
            onTheWire((await provider.update!("x", outs, { ...ambient, timeoutSeconds: 6 })).outs as object);
            onTheWire((await provider.read!(`${NS}/${SEED}`, outs)).props as object);
        } finally {
            if (saved === undefined) delete process.env.KUBECONFIG;
            else process.env.KUBECONFIG = saved;
        }
    });

    it("creates the pod from the manifest, waits until it is Ready, and outputs metadata like a Pod resource", async () => {
        const outs = await create();
        const pod = fake.getPod(NS, SEED) as { metadata: { uid: string; labels: Record<string, string> } };
        assert.ok(pod, "the seed pod exists");
        assert.equal(outs.uid, pod.metadata.uid);
        assert.deepEqual(outs.metadata, { name: SEED, namespace: NS, uid: pod.metadata.uid });
        assert.equal(outs.created, "created");
        assert.equal(pod.metadata.labels["app.kubernetes.io/component"], "seed");
        assert.equal(fake.requestsTo("POST", `/api/v1/namespaces/${NS}/pods`).length, 1);
    });

    it("after the retirement deleted the pod, refresh keeps the state as it was and the next diff has no changes (nothing recreated)", async () => {
        const outs = await create();
        fake.pods.remove(NS, SEED); // what the retirement does
        const read = await provider.read!(`${NS}/${SEED}`, outs);
        assert.equal(read.id, `${NS}/${SEED}`, "an empty id would drop the resource from the state");
        assert.deepEqual(read.props, outs);
        // A later `pulumi up`/`preview`: the same inputs, and also a changed pod spec (image), are no change.
        for (const news of [inputs, { ...inputs, manifest: manifest("redis:7.4") }]) {
            const d = await provider.diff!(`${NS}/${SEED}`, read.props, news);
            assert.equal(d.changes, false, JSON.stringify(d));
        }
        // And the retirement, fed the refreshed uid, has nothing to do.
        const retirementOlds = { namespace: NS, seedPod: SEED, masterName: "mymaster", headlessDomain: "h", retiredSeedUid: outs.uid, redisPods: ["r0"], sentinelPods: ["s0"] };
        assert.equal(diffRetirement(retirementOlds, { ...retirementOlds, seedUid: (read.props as SeedPodOutputs).uid }).changes, false);
        assert.equal(fake.requestsTo("POST", `/api/v1/namespaces/${NS}/pods`).length, 1, "no second create");
    });

    it("refresh reports a seed pod recreated by someone else (new uid), so the retirement retires it again", async () => {
        const outs = await create();
        const newUid = fake.recreatePod({ namespace: NS, name: SEED, containers: ["redis", "sentinel"] });
        const read = await provider.read!(`${NS}/${SEED}`, outs);
        assert.equal((read.props as SeedPodOutputs).uid, newUid);
        assert.equal((read.props as SeedPodOutputs).metadata.uid, newUid);
        const olds = { namespace: NS, seedPod: SEED, masterName: "mymaster", headlessDomain: "h", retiredSeedUid: outs.uid, redisPods: ["r0"], sentinelPods: ["s0"] };
        assert.equal(diffRetirement(olds, { ...olds, seedUid: newUid }).changes, true);
    });

    it("refresh never fails: an unreachable API server leaves the state as it was", async () => {
        const outs = await create();
        await fake.stop();
        const read = await provider.read!(`${NS}/${SEED}`, outs);
        assert.deepEqual(read.props, outs);
        assert.ok(logs.some((l) => l.includes("keeping the recorded state")), logs.join("\n"));
        fake = await FakeKubeServer.start(); // for afterEach
    });

    it("creates no seed when the deployment already runs (lost state, import): uid \"\", which the retirement accepts", async () => {
        fake.addPod({ namespace: NS, name: "cache-redis-0", containers: ["redis"] });
        const outs = await create();
        assert.equal(outs.created, "not-needed");
        assert.equal(outs.uid, "");
        assert.equal(fake.getPod(NS, SEED), undefined);
        assert.equal(fake.requestsTo("POST", `/api/v1/namespaces/${NS}/pods`).length, 0);
        const retirementInputs = { namespace: NS, seedPod: SEED, seedUid: outs.uid, masterName: "m", headlessDomain: "h", redisPods: ["r0"], sentinelPods: ["s0"] };
        assert.deepEqual(inputFailures(retirementInputs), []);
    });

    it("creates no seed over kept volumes (destroy, then up: the first data claim exists), so no empty master makes them resync", async () => {
        fake.claims.add(`${NS}/data-cache-redis-0`);
        const outs = await create();
        assert.equal(outs.created, "not-needed");
        assert.equal(outs.uid, "");
        assert.equal(fake.getPod(NS, SEED), undefined);
        assert.equal(fake.requestsTo("POST", `/api/v1/namespaces/${NS}/pods`).length, 0);
        assert.ok(logs.some((l) => /claim data-cache-redis-0 exists: the volumes of an earlier deployment were kept/.test(l)), logs.join("\n"));
    });

    it("creates the seed when the data claim does not exist yet (a first up), after reading it", async () => {
        const outs = await create();
        assert.equal(outs.created, "created");
        assert.equal(fake.requestsTo("GET", `/api/v1/namespaces/${NS}/persistentvolumeclaims/data-cache-redis-0`).length, 1);
    });

    it("refuses to create a seed it cannot check for kept volumes (403 on the claim), naming the claim and the RBAC rule", async () => {
        fake.forbidClaims = true;
        await assert.rejects(create(), (err: Error) => {
            assert.match(err.message, /phase "locate": claim data-cache-redis-0 can be read/);
            assert.match(err.message, /403/);
            assert.match(err.message, /persistentvolumeclaims/);
            return true;
        });
        assert.equal(fake.requestsTo("POST", `/api/v1/namespaces/${NS}/pods`).length, 0);
    });

    it("adopts a seed pod that exists already instead of failing or making a second one", async () => {
        const uid = fake.addPod({ namespace: NS, name: SEED, containers: ["redis", "sentinel"] });
        const outs = await create();
        assert.equal(outs.created, "adopted");
        assert.equal(outs.uid, uid);
    });

    it("fails create at its deadline with the phase, the unmet condition and what was observed", async () => {
        fake.createdPodsReady = false;
        const started = Date.now();
        await assert.rejects(create({ ...inputs, timeoutSeconds: 1 }), (err: Error & { phase?: string }) => {
            assert.equal(err.phase, "wait-ready");
            assert.match(err.message, /seed pod stopped in phase "wait-ready": the seed pod \(uid [\w-]+\) is Ready within 1 s; observed: .*not ready/);
            return true;
        });
        assert.ok(Date.now() - started < 4000);
    });

    it("diff: another namespace or name replaces it (delete first); a new kubeconfig is an update that touches no pod", async () => {
        const outs = await create();
        const renamed = await provider.diff!("x", outs, { ...inputs, name: "other-seed" });
        assert.deepEqual([renamed.changes, renamed.replaces, renamed.deleteBeforeReplace], [true, ["name"], true]);
        const rekeyed = await provider.diff!("x", outs, { ...inputs, kubeconfig: `${inputs.kubeconfig}\n# rotated` });
        assert.deepEqual([rekeyed.changes, rekeyed.replaces], [true, []]);
        const updated = await provider.update!("x", outs, { ...inputs, kubeconfig: "new" });
        assert.equal((updated.outs as SeedPodOutputs).kubeconfig, "new");
        assert.equal((updated.outs as SeedPodOutputs).uid, outs.uid);
        assert.equal(fake.requestsTo("POST", `/api/v1/namespaces/${NS}/pods`).length, 1);
    });

    it("delete (pulumi destroy) deletes the pod with a uid precondition, and is a no-op once it is gone", async () => {
        const outs = await create();
        await provider.delete!(`${NS}/${SEED}`, outs);
        assert.equal(fake.getPod(NS, SEED), undefined);
        const [del] = fake.requestsTo("DELETE", `/api/v1/namespaces/${NS}/pods/${SEED}`);
        assert.deepEqual((del.body as { preconditions: unknown }).preconditions, { uid: outs.uid });
        await provider.delete!(`${NS}/${SEED}`, outs);
    });
});

describe("SeedRetirement diff and scale-down bookkeeping", () => {
    const olds = { namespace: NS, seedPod: SEED, masterName: "mymaster", headlessDomain: "h", retiredSeedUid: "u1", redisPods: ["r-0", "r-1", "r-2"], sentinelPods: ["s-0", "s-1", "s-2"] };
    const news = { ...olds, seedUid: "u1" };

    it("has no changes once retired with the same pods (refresh, second up)", () => {
        assert.equal(diffRetirement(olds, news).changes, false);
    });

    it("re-runs (an update, never a replace) when either set is scaled, to reconcile the Sentinels", () => {
        for (const changed of [{ redisPods: ["r-0", "r-1"] }, { sentinelPods: ["s-0", "s-1", "s-2", "s-3"] }]) {
            const d = diffRetirement(olds, { ...news, ...changed });
            assert.deepEqual([d.changes, d.replaces], [true, []], JSON.stringify(changed));
        }
    });

    it("re-runs when the quorum changes (applied to the running Sentinels), also for a stack whose state has no quorum yet; not when it is the same", () => {
        const withQuorum = { ...olds, quorum: 2 };
        assert.equal(diffRetirement(withQuorum, { ...news, quorum: 2 }).changes, false);
        assert.deepEqual(diffRetirement(withQuorum, { ...news, quorum: 3 }), { changes: true, replaces: [], deleteBeforeReplace: false });
        assert.equal(diffRetirement(olds, { ...news, quorum: 2 }).changes, true);
        assert.equal(diffRetirement(olds, news).changes, false, "no quorum input: nothing to apply");
        assert.deepEqual(inputFailures({ ...news, quorum: 4 }).map((f) => f.property), ["quorum"]);
        assert.deepEqual(inputFailures({ ...news, quorum: 0 }).map((f) => f.property), ["quorum"]);
        assert.deepEqual(inputFailures({ ...news, quorum: 3 }), []);
    });

    it("names the pods a scale-down removes", () => {
        assert.deepEqual(removedPods(olds.redisPods, ["r-0"]), ["r-1", "r-2"]);
        assert.deepEqual(removedPods(undefined, ["r-0"]), []);
    });

    it("settle: waits for removed pods with a deadline, and fails naming the phase and the pods still present", async () => {
        const present = new Set(["r-2"]);
        const runtime = { log: () => undefined, podExists: async (p: string) => present.has(p) } as unknown as RetirementRuntime;
        setTimeout(() => present.delete("r-2"), 150);
        await waitRemovedGone(["r-2"], runtime, Date.now() + 5000, 20);
        present.add("s-3");
        await assert.rejects(waitRemovedGone(["s-3"], runtime, Date.now() + 100, 20), (err: Error & { phase?: string }) => {
            assert.equal(err.phase, "settle");
            assert.match(err.message, /the pods the scale-down removes \(s-3\) are gone; observed: still present: s-3\. No Sentinel was reset/);
            return true;
        });
    });
});
