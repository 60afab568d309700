// PodApi driven by the real @kubernetes/client-node against the loopback fake API server.
import * as assert from "assert";
import { loadKubeConfig, PodApi } from "../../../src/kube";
import { FakeKubeServer } from "../../fakekube";

const NS = "redis";

describe("PodApi against the fake Kubernetes API", () => {
    let fake: FakeKubeServer;
    let api: PodApi;

    beforeEach(async () => {
        fake = await FakeKubeServer.start();
        api = new PodApi(loadKubeConfig({ kubeconfig: fake.kubeconfig() }));
    });
    afterEach(async () => {
        await fake.stop();
    });

    describe("getPod", () => {
        it("returns uid, phase, readiness and deletion state of an existing pod", async () => {
            const uid = fake.addPod({ namespace: NS, name: "r-seed", ready: false, phase: "Running" });
            assert.deepStrictEqual(await api.getPod(NS, "r-seed"), { uid, phase: "Running", ready: false, deleting: false });
            const [req] = fake.requestsTo("GET", `/api/v1/namespaces/${NS}/pods/r-seed`);
            assert.ok(req.authorized, "the kubeconfig's bearer token reached the API server");
        });
        it("returns undefined for a pod that does not exist (404)", async () => {
            assert.strictEqual(await api.getPod(NS, "absent"), undefined);
            assert.strictEqual(fake.requestsTo("GET", `/api/v1/namespaces/${NS}/pods/absent`)[0].status, 404);
        });
        it("throws an RBAC hint on 403 instead of reporting the pod absent", async () => {
            fake.addPod({ namespace: NS, name: "r-seed" });
            fake.forbid({ verb: "get" });
            await assert.rejects(api.getPod(NS, "r-seed"),
                /refused to get pods "r-seed" in namespace "redis": 403 Forbidden.*verbs: \["get", "create", "delete"\]/);
        });
        it("says the credentials were rejected when the token is wrong, without quoting it", async () => {
            const wrong = new PodApi(loadKubeConfig({ kubeconfig: fake.kubeconfig({ token: "not-the-token-0123" }) }));
            fake.addPod({ namespace: NS, name: "r-seed" });
            const err = await wrong.getPod(NS, "r-seed").then(() => undefined, (e: Error) => e);
            assert.ok(err, "expected a rejection");
            assert.match(err.message, /401 Unauthorized/);
            assert.doesNotMatch(err.message, /not-the-token-0123/);
        });
    });

    describe("deletePod", () => {
        it("deletes with the uid as a DeleteOptions precondition", async () => {
            const uid = fake.addPod({ namespace: NS, name: "r-seed" });
            assert.strictEqual(await api.deletePod(NS, "r-seed", uid), "deleted");
            const [req] = fake.requestsTo("DELETE", `/api/v1/namespaces/${NS}/pods/r-seed`);
            assert.deepStrictEqual((req.body as { preconditions: unknown }).preconditions, { uid });
            assert.strictEqual(fake.getPod(NS, "r-seed"), undefined);
        });
        it("returns gone when the pod no longer exists", async () => {
            assert.strictEqual(await api.deletePod(NS, "r-seed", "any-uid"), "gone");
        });
        it("returns uid-mismatch and leaves the pod when the name holds another pod (409 Conflict)", async () => {
            const oldUid = fake.addPod({ namespace: NS, name: "r-seed" });
            const newUid = fake.recreatePod({ namespace: NS, name: "r-seed" });
            assert.strictEqual(await api.deletePod(NS, "r-seed", oldUid), "uid-mismatch");
            assert.strictEqual(fake.requestsTo("DELETE", `/api/v1/namespaces/${NS}/pods/r-seed`)[0].status, 409);
            assert.strictEqual((await api.getPod(NS, "r-seed"))?.uid, newUid);
        });
        it("throws naming verb, resource, namespace and the Role rule on 403, and deletes nothing", async () => {
            const uid = fake.addPod({ namespace: NS, name: "r-seed" });
            fake.forbid({ verb: "delete", name: "r-seed" });
            await assert.rejects(api.deletePod(NS, "r-seed", uid), (err: Error) => {
                assert.match(err.message, /refused to delete pods "r-seed" in namespace "redis": 403 Forbidden/);
                assert.match(err.message, /cannot delete resource "pods"/);
                assert.match(err.message, /Role in namespace "redis".*resources: \["pods"\], verbs: \["get", "create", "delete"\]/);
                return true;
            });
            assert.ok(fake.getPod(NS, "r-seed"));
        });
        it("reports a terminating pod (grace period) as deleting until it is removed", async () => {
            const uid = fake.addPod({ namespace: NS, name: "r-seed", deletionGraceMs: 400 });
            assert.strictEqual(await api.deletePod(NS, "r-seed", uid), "deleted");
            assert.deepStrictEqual(await api.getPod(NS, "r-seed"), { uid, phase: "Running", ready: true, deleting: true });
        });
    });

    describe("waitGone", () => {
        it("waits through the grace period until the pod returns 404", async () => {
            const uid = fake.addPod({ namespace: NS, name: "r-seed", deletionGraceMs: 300 });
            await api.deletePod(NS, "r-seed", uid);
            const started = Date.now();
            await api.waitGone(NS, "r-seed", uid, Date.now() + 3000, { pollMs: 50 });
            const waited = Date.now() - started;
            assert.ok(waited >= 250, `returned after ${waited} ms, before the 300 ms grace period ended`);
            assert.strictEqual(fake.getPod(NS, "r-seed"), undefined);
        });
        it("returns when the name holds a pod with another uid", async () => {
            const uid = fake.addPod({ namespace: NS, name: "r-seed" });
            fake.recreatePod({ namespace: NS, name: "r-seed" });
            await api.waitGone(NS, "r-seed", uid, Date.now() + 1000, { pollMs: 50 });
        });
        it("times out with what it observed when the pod stays", async () => {
            const uid = fake.addPod({ namespace: NS, name: "r-seed", deletionGraceMs: 60_000 });
            await api.deletePod(NS, "r-seed", uid);
            const started = Date.now();
            await assert.rejects(api.waitGone(NS, "r-seed", uid, Date.now() + 300, { pollMs: 50 }),
                new RegExp(`pod "r-seed" \\(namespace "redis", uid ${uid}\\) still exists after \\d+ ms.*` +
                    "last observed: .*phase Running.*terminating \\(deletionTimestamp set\\)"));
            const took = Date.now() - started;
            assert.ok(took >= 280 && took < 1500, `gave up after ${took} ms, deadline was 300 ms`);
        });
        it("fails at once on 403 instead of polling until the deadline", async () => {
            const uid = fake.addPod({ namespace: NS, name: "r-seed" });
            fake.forbid({ verb: "get" });
            const started = Date.now();
            await assert.rejects(api.waitGone(NS, "r-seed", uid, Date.now() + 5000, { pollMs: 50 }), /403 Forbidden/);
            assert.ok(Date.now() - started < 1000);
        });
        it("rejects a duration passed where an absolute deadline is expected", async () => {
            await assert.rejects(api.waitGone(NS, "r-seed", "u", 30_000), /absolute time \(Date.now\(\) \+ ms\), got 30000/);
        });
    });
});
