// The fake API server's raw wire answers (what other tests and the provider's end-to-end
// tests rely on), checked with plain HTTP rather than through client-node.
import * as assert from "assert";
import { FakeKubeServer } from "../../fakekube";

describe("fake Kubernetes API server (raw HTTP)", () => {
    let fake: FakeKubeServer;
    let auth: Record<string, string>;

    beforeEach(async () => {
        fake = await FakeKubeServer.start({ token: "t0k" });
        auth = { Authorization: "Bearer t0k" };
    });
    afterEach(async () => {
        await fake.stop();
    });

    const call = async (method: string, path: string, headers: Record<string, string>, body?: object) => {
        const res = await fetch(`${fake.url}${path}`, {
            method, headers: { ...headers, "Content-Type": "application/json" }, body: body ? JSON.stringify(body) : undefined,
        });
        return { code: res.status, json: await res.json() as Record<string, unknown> };
    };

    it("answers 401 Status without the bearer token", async () => {
        const r = await call("GET", "/api/v1/namespaces/ns/pods/p", {});
        assert.deepStrictEqual([r.code, r.json.kind, r.json.reason, r.json.code], [401, "Status", "Unauthorized", 401]);
        assert.strictEqual(fake.requests[0].authorized, false);
    });

    it("answers a v1 Pod, and a NotFound Status for an absent pod", async () => {
        const uid = fake.addPod({ namespace: "ns", name: "p", labels: { app: "r" }, podIP: "127.0.0.2" });
        const found = await call("GET", "/api/v1/namespaces/ns/pods/p", auth);
        assert.strictEqual(found.code, 200);
        assert.strictEqual(found.json.kind, "Pod");
        assert.strictEqual((found.json.metadata as { uid: string }).uid, uid);
        assert.strictEqual((found.json.status as { podIP: string }).podIP, "127.0.0.2");
        const missing = await call("GET", "/api/v1/namespaces/ns/pods/q", auth);
        assert.deepStrictEqual(missing, { code: 404, json: {
            kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: 'pods "q" not found',
            reason: "NotFound", details: { name: "q", kind: "pods" }, code: 404,
        } });
    });

    it("answers 409 Conflict with the API server's precondition message on a uid mismatch", async () => {
        const uid = fake.addPod({ namespace: "ns", name: "p" });
        const r = await call("DELETE", "/api/v1/namespaces/ns/pods/p", auth, { preconditions: { uid: "other" } });
        assert.strictEqual(r.code, 409);
        assert.strictEqual(r.json.reason, "Conflict");
        assert.strictEqual(r.json.message,
            `Operation cannot be fulfilled on pods "p": Precondition failed: UID in precondition: other, UID in object meta: ${uid}`);
        assert.ok(fake.getPod("ns", "p"));
    });

    it("keeps a deleted pod terminating for its grace time, gracePeriodSeconds=0 removes at once", async () => {
        fake.addPod({ namespace: "ns", name: "slow", deletionGraceMs: 60_000 });
        const del = await call("DELETE", "/api/v1/namespaces/ns/pods/slow", auth, {});
        assert.strictEqual(del.code, 200);
        assert.ok((del.json.metadata as { deletionTimestamp?: string }).deletionTimestamp);
        assert.ok(fake.getPod("ns", "slow"));
        const now = await call("DELETE", "/api/v1/namespaces/ns/pods/slow2", auth, {});
        assert.strictEqual(now.code, 404);
        fake.addPod({ namespace: "ns", name: "fast", deletionGraceMs: 60_000 });
        await call("DELETE", "/api/v1/namespaces/ns/pods/fast", auth, { gracePeriodSeconds: 0 });
        assert.strictEqual(fake.getPod("ns", "fast"), undefined);
    });

    it("lists pods by label and answers 403 with the RBAC message shape", async () => {
        fake.addPod({ namespace: "ns", name: "a", labels: { app: "r", role: "seed" } });
        fake.addPod({ namespace: "ns", name: "b", labels: { app: "r" } });
        const list = await call("GET", "/api/v1/namespaces/ns/pods?labelSelector=app%3Dr%2Crole%3Dseed", auth);
        assert.deepStrictEqual((list.json.items as Array<{ metadata: { name: string } }>).map((p) => p.metadata.name), ["a"]);
        fake.forbid({ verb: "list" });
        const denied = await call("GET", "/api/v1/namespaces/ns/pods", auth);
        assert.strictEqual(denied.code, 403);
        assert.match(String(denied.json.message), /User "fake-user" cannot list resource "pods" in API group "" in the namespace "ns"/);
        fake.allowAll();
        assert.strictEqual((await call("GET", "/api/v1/namespaces/ns/pods", auth)).code, 200);
    });

    it("requires a WebSocket upgrade for exec and 404s unknown paths", async () => {
        fake.addPod({ namespace: "ns", name: "p" });
        const plain = await call("GET", "/api/v1/namespaces/ns/pods/p/exec?command=true", auth);
        assert.deepStrictEqual([plain.code, plain.json.message], [400, "Upgrade request required"]);
        assert.strictEqual((await call("GET", "/apis/apps/v1/namespaces/ns/deployments", auth)).code, 404);
    });
});
