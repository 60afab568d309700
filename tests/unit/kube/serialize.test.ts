// The retirement provider is a Pulumi dynamic provider: Pulumi serializes its code
// (closure serialization) and runs the text in another process. This checks that code
// using src/kube survives that: client-node is captured as a require() call, and the
// serialized text, evaluated on its own, reaches the fake API server.
import * as assert from "assert";
import { createRequire } from "module";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { loadKubeConfig, PodApi } from "../../../src/kube";
import { FakeKubeServer } from "../../fakekube";

type Retire = (kubeconfig: string, uid: string) => Promise<unknown>;

/** Evaluates serialized function text as a CommonJS module resolving packages from the repo. */
function loadSerialized(text: string): Record<string, unknown> {
    const mod = { exports: {} as Record<string, unknown> };
    const req = createRequire(path.join(process.cwd(), "package.json"));
    new Function("exports", "require", "module", text)(mod.exports, req, mod);
    return mod.exports;
}

describe("src/kube under Pulumi closure serialization", function () {
    this.timeout(15_000);
    let fake: FakeKubeServer;

    before(async () => {
        fake = await FakeKubeServer.start();
    });
    after(async () => {
        await fake.stop();
    });

    it("serializes with client-node as a require() and runs get/exec/delete/waitGone from the text", async () => {
        const retire: Retire = async (kubeconfig, uid) => {
            const api = new PodApi(loadKubeConfig({ kubeconfig }));
            const before = await api.getPod("redis", "r-seed");
            const ping = await api.exec("redis", "r-seed", "redis", ["redis-cli", "PING"], { timeoutMs: 5000 });
            const outcome = await api.deletePod("redis", "r-seed", uid);
            await api.waitGone("redis", "r-seed", uid, Date.now() + 5000, { pollMs: 50 });
            return { before, ping, outcome };
        };
        const serialized = await pulumi.runtime.serializeFunction(() => retire, { isFactoryFunction: true });
        assert.match(serialized.text, /require\("@kubernetes\/client-node[^"]*"\)/);

        const uid = fake.addPod({ namespace: "redis", name: "r-seed", containers: ["redis", "sentinel"], deletionGraceMs: 200 });
        fake.onExec("redis", "r-seed", "redis", ({ command }) => ({ stdout: command.includes("PING") ? "PONG\n" : "" }));
        const handler = loadSerialized(serialized.text)[serialized.exportName] as Retire;
        const result = await handler(fake.kubeconfig(), uid);

        assert.deepStrictEqual(result, {
            before: { uid, phase: "Running", ready: true, deleting: false },
            ping: { stdout: "PONG\n", stderr: "", exitCode: 0 },
            outcome: "deleted",
        });
        assert.strictEqual(fake.getPod("redis", "r-seed"), undefined);
        const [del] = fake.requestsTo("DELETE", "/api/v1/namespaces/redis/pods/r-seed");
        assert.deepStrictEqual((del.body as { preconditions: unknown }).preconditions, { uid });
    });

    it("keeps the message and the RBAC hint of a 403 in serialized code", async () => {
        fake.addPod({ namespace: "redis", name: "r-locked", containers: ["redis"] });
        fake.forbid({ verb: "delete", namespace: "redis", name: "r-locked" });
        const tryDelete = async (kubeconfig: string) => {
            const api = new PodApi(loadKubeConfig({ kubeconfig }));
            try {
                await api.deletePod("redis", "r-locked", "any-uid");
                return "deleted";
            } catch (err) {
                const e = err as Error & { code?: number; name: string };
                return { name: e.name, code: e.code, message: e.message };
            }
        };
        const serialized = await pulumi.runtime.serializeFunction(() => tryDelete, { isFactoryFunction: true });
        const handler = loadSerialized(serialized.text)[serialized.exportName] as (k: string) => Promise<any>;
        const outcome = await handler(fake.kubeconfig());
        assert.strictEqual(outcome.name, "KubeApiError");
        assert.strictEqual(outcome.code, 403);
        assert.match(outcome.message, /delete/);
        assert.match(outcome.message, /pods/);
        assert.match(outcome.message, /Role|RBAC/);
        fake.allowAll();
    });
});
