/**
 * The PasswordRotation dynamic provider as Pulumi runs it: serialized, loaded back from its text,
 * and driven through create/diff/update against the loopback fake Kubernetes API (real
 * client-node, real WebSocket exec with stdin), whose exec runs password.sh in the container
 * environment of the harness's real redis-server / redis-sentinel processes. Checks what reaches
 * the API server: no exec's command line (what its audit log records) holds a password.
 */
import { strict as assert } from "assert";
import { createRequire } from "module";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { sha256Hex } from "../../../src/rotation/plan";
import { PasswordRotationInputs, PasswordRotationOutputs } from "../../../src/rotation/provider";
import { passwordRotationProvider } from "../../../src/rotation/resource";
import { FakeKubeServer, localProcessExec } from "../../fakekube";
import { ContinuousWriter, finishScenario, redisCli, Topology } from "../../harness";

type Provider = Required<Pick<pulumi.dynamic.ResourceProvider, "create" | "update" | "diff" | "check">>;

function loadSerialized(text: string, exportName: string): Provider {
    const mod = { exports: {} as Record<string, unknown> };
    const req = createRequire(path.join(process.cwd(), "package.json"));
    new Function("exports", "require", "module", "__filename", "__dirname", text)(mod.exports, req, mod, "/tmp/__provider.js", "/tmp");
    return (mod.exports[exportName] as () => Provider)();
}

const NS = "redis";

describe("PasswordRotation provider, serialized, over the fake Kubernetes API on real processes", function () {
    this.timeout(180_000);
    let t: Topology;
    let fake: FakeKubeServer;
    let provider: Provider;
    let serializedText: string;
    const startedWith = new Map<string, string>();
    let previousInSecret = "";

    before(async () => {
        t = await Topology.create({ replicas: 2, sentinels: 3, downAfterMs: 3000, password: "provider-old-password" });
        await t.startAll();
        await t.removeSeed();
        for (const p of t.pods) startedWith.set(p.name, t.password);
        const base = t.containerEnv.bind(t);
        t.containerEnv = (p) => ({ ...base(p), ...(previousInSecret ? { RS_PREVIOUS_PASSWORD_SHA256: previousInSecret } : {}) });
        fake = await FakeKubeServer.start();
        for (const p of [...t.redisPods(), ...t.sentinelPods()]) fake.addPod({ namespace: NS, name: p.name, containers: [p.kind === "redis" ? "redis" : "sentinel"] });
        fake.setDefaultExec(localProcessExec({
            // `sh /scripts/password.sh ...` in the pod: the harness's copy of the scripts.
            rewrite: (argv) => (argv[0] === "sh" ? ["sh", path.join(t.scriptsDir, path.basename(argv[1])), ...argv.slice(2)] : argv),
            env: (req) => {
                const p = t.pod(req.pod);
                const pw = startedWith.get(p.name) ?? t.password;
                return { ...t.containerEnv(p), REDIS_PASSWORD: pw, REDISCLI_AUTH: pw };
            },
        }));
        const serialized = await pulumi.runtime.serializeFunction(() => passwordRotationProvider, { allowSecrets: true });
        serializedText = serialized.text;
        provider = loadSerialized(serialized.text, serialized.exportName);
    });
    after(async () => {
        await fake?.stop();
        await t?.stopAll();
    });

    const inputs = (password: string, dropPreviousPasswords = false, timeoutSeconds = 20): PasswordRotationInputs => ({
        namespace: NS,
        password,
        dropPreviousPasswords,
        seedPod: t.seedPod().name,
        redisPods: t.redisPods().map((p) => p.name),
        sentinelPods: t.sentinelPods().map((p) => p.name),
        headlessDomain: `${t.name}-headless.default.svc.cluster.local`,
        kubeconfig: fake.kubeconfig(),
        timeoutSeconds,
    });
    const accepted = async (password: string): Promise<string[]> => {
        const out: string[] = [];
        for (const p of [...t.redisPods(), ...t.sentinelPods()]) {
            const r = await redisCli(p.address, p.kind === "redis" ? 6379 : 26379, password, ["PING"]);
            out.push(`${p.name}:${r.out === "PONG" ? "ok" : "refused"}`);
        }
        return out;
    };
    const OLD = "provider-old-password";
    const NEW = "provider-new-password \"q\" $x";

    it("records, rotates (every server accepts both, the state holds hashes only), refuses to drop before the roll, drops after it", async () => {
        assert.ok(!serializedText.includes(OLD) && !serializedText.includes(fake.token), "a secret in the serialized provider");
        const created = (await provider.create(inputs(OLD))).outs as PasswordRotationOutputs;
        assert.deepEqual([created.lastAction, created.revision, created.previousSha256], ["record", 1, ""]);
        assert.equal(created.passwordSha256, sha256Hex(OLD));
        assert.equal((await provider.diff("id", created, inputs(OLD))).changes, false, "same password: no change");
        assert.equal((await provider.diff("id", created, inputs(OLD, true))).changes, false, "nothing earlier to drop: no change");
        assert.equal((await provider.diff("id", created, inputs(NEW))).changes, true);

        const app = new ContinuousWriter({ redis: { ...t.clientOptions(), password: OLD, sentinelPassword: OLD }, prefix: "old-app:" }).start();
        const rotated = (await provider.update!("id", created, inputs(NEW))).outs as PasswordRotationOutputs;
        assert.deepEqual([rotated.lastAction, rotated.revision, rotated.previousSha256], ["rotate", 2, sha256Hex(OLD)]);
        assert.equal(rotated.changed.length, 5, `changed ${rotated.changed.join(", ")}`);
        assert.ok(!JSON.stringify(rotated).includes(NEW) && !JSON.stringify(rotated).includes(OLD), "a password in the state");
        assert.ok((await accepted(NEW)).every((l) => l.endsWith(":ok")), "the new password is refused somewhere");
        assert.ok((await accepted(OLD)).every((l) => l.endsWith(":ok")), "the old password is refused somewhere");

        // What the API server saw: password.sh with the password on stdin, never in a command.
        const execs = fake.requests.filter((r) => r.path.endsWith("/exec"));
        assert.ok(execs.length >= 10, `${execs.length} execs`);
        for (const e of execs) {
            const command = (e.query.command ?? []).join(" ");
            assert.ok(!command.includes(NEW) && !command.includes(OLD) && !command.includes(sha256Hex(OLD)), `a password in the exec command ${command}`);
            assert.match(command, /^sh \/scripts\/password\.sh (accept|use|check|drop) (redis|sentinel)$/);
            assert.deepEqual(e.query.stdin, ["true"]);
        }

        // No container runs with the new password yet: the drop waits, then fails, dropping nothing.
        const waited = Date.now();
        await assert.rejects(provider.update!("id", rotated, inputs(NEW, true, 3)), (err: Error) => {
            assert.match(err.message, /password rotation stopped at step "check": every container runs with the current password; still with an earlier one: (redis|sentinel) /);
            assert.match(err.message, /Nothing was dropped/);
            return true;
        });
        assert.ok(Date.now() - waited >= 2000, "gave up without waiting");
        assert.ok((await accepted(OLD)).every((l) => l.endsWith(":ok")), "an early drop took the old password away");

        // The roll (the Secret changed: pods restart with it), then the drop.
        previousInSecret = sha256Hex(OLD);
        t.reconfigure({ password: NEW });
        for (const p of [...t.sentinelPods(), ...t.redisPods()].reverse()) {
            await t.restartPod(p.name, { signal: "SIGTERM" });
            startedWith.set(p.name, NEW);
            await t.waitHealthy({ timeoutMs: 30_000 });
        }
        const oldReport = await app.stop();
        assert.equal(oldReport.errors, 0, `the old-password application was refused: ${oldReport.errorMessages.join("; ")}`);
        previousInSecret = "";
        const dropped = (await provider.update!("id", rotated, inputs(NEW, true))).outs as PasswordRotationOutputs;
        assert.deepEqual([dropped.lastAction, dropped.revision, dropped.previousSha256], ["drop", 2, ""]);
        assert.ok((await accepted(OLD)).every((l) => l.endsWith(":refused")), "the old password is still accepted");
        assert.equal((await provider.diff("id", dropped, inputs(NEW, true))).changes, false, "a second up changes nothing");

        const probe = new ContinuousWriter({ redis: { ...t.clientOptions() }, prefix: "new-app:" }).start();
        await new Promise((r) => setTimeout(r, 500));
        await finishScenario(t, probe);
    });
});
