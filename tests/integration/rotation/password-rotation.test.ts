/**
 * Password rotation on real redis-server / redis-sentinel processes, through the steps the
 * PasswordRotation resource runs (src/rotation: password.sh in each container, the password
 * on stdin) and the roll a changed pod template makes (each pod restarted with the new Secret):
 * two applications write throughout, one holding the old password and one the new.
 */
import { strict as assert } from "assert";
import { applyStep, dropLive, rotateLive, RotationNode } from "../../../src/rotation/apply";
import { sha256Hex } from "../../../src/rotation/plan";
import { LocalTransport } from "../../../src/retirement/transport";
import { ContinuousWriter, finishScenario, PodInfo, redisCli, Topology, verifyAcknowledged } from "../../harness";

const logs: string[] = [];
const log = (line: string): void => void logs.push(`${new Date().toISOString().slice(11, 23)} ${line}`);

/**
 * A topology whose pods start with "the Secret" (password and previous-password-sha256, as the
 * manifests' env), and a transport that runs a script in a container with the environment that
 * container started with (an unrestarted pod keeps the old password in its env).
 */
class RotatingTopology {
    readonly startedWith = new Map<string, string>();
    secret: { password: string; previousSha256: string };

    constructor(readonly t: Topology) {
        this.secret = { password: t.password, previousSha256: "" };
        for (const p of t.pods) this.startedWith.set(p.name, t.password);
        const base = t.containerEnv.bind(t);
        t.containerEnv = (p: PodInfo) => ({ ...base(p), ...(this.secret.previousSha256 ? { RS_PREVIOUS_PASSWORD_SHA256: this.secret.previousSha256 } : {}) });
    }

    transport(): LocalTransport {
        return new LocalTransport({
            resolve: (host) => {
                const a = this.t.resolve(host);
                return { address: a.address, redisPort: a.redisPort, sentinelPort: a.sentinelPort };
            },
            scripts: {
                dir: this.t.scriptsDir,
                env: (host) => {
                    const p = this.t.pod(host);
                    const pw = this.startedWith.get(p.name) ?? this.t.password;
                    return { ...this.t.containerEnv(p), REDIS_PASSWORD: pw, REDISCLI_AUTH: pw };
                },
            },
        });
    }

    /** The running servers, as the resource finds them (every pod that exists). */
    nodes(): RotationNode[] {
        return [
            ...this.t.runningPods("redis").map((p) => ({ role: "redis" as const, host: p.host })),
            ...this.t.runningPods("sentinel").map((p) => ({ role: "sentinel" as const, host: p.host })),
        ];
    }

    /** `pulumi up` updates the Secret: pods started from now on get these. */
    updateSecret(password: string, previousSha256: string): void {
        this.secret = { password, previousSha256 };
        this.t.reconfigure({ password });
    }

    async restart(pod: string, signal: "SIGTERM" | "SIGKILL" = "SIGTERM"): Promise<void> {
        await this.t.restartPod(pod, { signal });
        this.startedWith.set(pod, this.t.password);
    }

    /** The StatefulSets roll: highest ordinal first, each pod ready before the next. */
    async roll(): Promise<void> {
        for (const set of [this.t.sentinelPods(), this.t.redisPods()]) {
            for (const p of [...set].reverse()) {
                await this.restart(p.name);
                await this.t.waitHealthy({ timeoutMs: 30_000 });
            }
        }
    }

    /** What every running server answers to AUTH with `password`: "ok" or its refusal. */
    async authEverywhere(password: string): Promise<string[]> {
        const out: string[] = [];
        for (const n of this.nodes()) {
            const a = this.t.resolve(n.host);
            const r = await redisCli(a.address, n.role === "redis" ? a.redisPort : a.sentinelPort, password, ["PING"]);
            out.push(`${n.role} ${a.pod}: ${r.out === "PONG" ? "ok" : r.out.split("\n").pop()}`);
        }
        return out;
    }
}

const writerFor = (t: Topology, password: string, prefix: string): ContinuousWriter =>
    new ContinuousWriter({ redis: { ...t.clientOptions(), password, sentinelPassword: password }, prefix, intervalMs: 20 }).start();

describe("password rotation on real processes: two applications, old and new password", function () {
    this.timeout(240_000);
    let t: Topology;
    let failed = false;

    beforeEach(async () => {
        t = await Topology.create({ replicas: 2, sentinels: 3, downAfterMs: 3000, password: "old-password-0123 with \"quotes\" and \\" });
        await t.startAll();
        await t.removeSeed();
    });
    afterEach(async function () {
        if (this.currentTest?.state === "failed" || process.env.VERBOSE) {
            failed = true;
            console.log(logs.join("\n"));
        }
        logs.length = 0;
        await t?.stopAll({ keepDir: failed });
        if (failed) console.log(`      logs kept in ${t?.dir}`);
    });

    const allOk = (lines: string[]): void => assert.ok(lines.every((l) => l.endsWith(": ok")), lines.join("; "));

    it("accept, use, Secret, roll, drop: 0 refused and 0 lost for both applications; the old is refused after the drop", async () => {
        const r = new RotatingTopology(t);
        const OLD = t.password;
        const NEW = "new-password-4567 $HOME `x` 'y'";
        const oldApp = writerFor(t, OLD, "old-app:");
        await new Promise((res) => setTimeout(res, 500));

        await rotateLive(r.transport(), r.nodes(), NEW, { log });
        allOk(await r.authEverywhere(OLD));
        allOk(await r.authEverywhere(NEW));
        r.updateSecret(NEW, sha256Hex(OLD));
        const newApp = writerFor(t, NEW, "new-app:");

        await r.roll();
        allOk(await r.authEverywhere(OLD));
        allOk(await r.authEverywhere(NEW));
        const mid = { old: oldApp.report(), new: newApp.report() };
        assert.equal(mid.old.errors + mid.new.errors, 0, `refused during the roll: ${[...mid.old.errorMessages, ...mid.new.errorMessages].join("; ")}`);

        // The applications moved: the old-password one stops; then the drop.
        const oldReport = await oldApp.stop();
        r.updateSecret(NEW, "");
        await dropLive(r.transport(), r.nodes(), NEW, Date.now() + 20_000, { log, pollMs: 200 });
        const refused = await r.authEverywhere(OLD);
        assert.ok(refused.every((l) => /WRONGPASS|NOAUTH/.test(l)), `the old password is still accepted: ${refused.join("; ")}`);
        allOk(await r.authEverywhere(NEW));
        await new Promise((res) => setTimeout(res, 1000));

        const end = await finishScenario(t, newApp, 30_000);
        const oldVerify = await verifyAcknowledged(oldApp.acked, { ...t.clientOptions() });
        log(`old app ${JSON.stringify(oldReport)}; new app ${JSON.stringify(end.report)}`);
        assert.equal(oldReport.errors, 0, `the old-password application was refused: ${oldReport.errorMessages.join("; ")}`);
        assert.equal(end.report.errors, 0, `the new-password application was refused: ${end.report.errorMessages.join("; ")}`);
        assert.equal(oldVerify.missing.length, 0, `${oldVerify.missing.length} of the old application's acknowledged writes lost`);
        assert.ok(oldReport.acked > 100 && end.report.acked > 100, "both applications kept writing");
        // Every pod restarted with the new password only: the Secret lists no earlier one.
        for (const p of t.redisPods()) {
            const users = await t.cli(p.name, "redis", "ACL", "GETUSER", "default");
            const hashes = users.split("\n").filter((l) => /^[0-9a-f]{64}$/.test(l));
            assert.deepEqual(hashes, [sha256Hex(NEW)], `${p.name} accepts ${hashes.length} passwords`);
        }
    });

    it("pods restarted (crash) at each point of the rotation, and a drop that waits for an unrolled pod: ends healthy, nothing refused or lost", async () => {
        const r = new RotatingTopology(t);
        const OLD = t.password;
        const NEW = "second-new-password-89";
        const oldApp = writerFor(t, OLD, "old-app:");
        const transport = r.transport();
        const [redis0, redis1] = t.redisPods();
        const [sent0, sent1, sent2] = t.sentinelPods();

        // Accepted everywhere, then a replica and a Sentinel crash before the Secret changes: they
        // restart with the old password in their env and must still accept the new one (kept on
        // their volume by password.sh).
        await applyStep(transport, r.nodes(), "accept", NEW, { log });
        const master = (await t.waitHealthy()).masters[0];
        const replica = [redis0, redis1].find((p) => p.host !== master)!;
        await r.restart(replica.name, "SIGKILL");
        await r.restart(sent0.name, "SIGKILL");
        await t.waitHealthy({ timeoutMs: 30_000 });
        allOk(await r.authEverywhere(NEW));
        await applyStep(transport, r.nodes(), "use", NEW, { log });

        // The Secret changes; a Sentinel crashes before the roll reaches it, another during it.
        r.updateSecret(NEW, sha256Hex(OLD));
        const newApp = writerFor(t, NEW, "new-app:");
        await r.restart(sent1.name, "SIGKILL");
        await t.waitHealthy({ timeoutMs: 30_000 });
        for (const p of [sent2, sent0, redis1, redis0]) {
            await r.restart(p.name);
            await t.waitHealthy({ timeoutMs: 30_000 });
        }
        // sent1 restarted on its own before the roll reached it: it runs with the new password.
        allOk(await r.authEverywhere(OLD));

        // The drop waits for a container still running with the old password (its roll not done).
        const lagging = redis1;
        r.startedWith.set(lagging.name, OLD);
        const drop = dropLive(transport, r.nodes(), NEW, Date.now() + 30_000, { log, pollMs: 300 });
        await new Promise((res) => setTimeout(res, 1000));
        allOk(await r.authEverywhere(OLD)); // nothing dropped while one waits
        const oldReport = await oldApp.stop();
        await r.restart(lagging.name);
        await drop;
        assert.ok((await r.authEverywhere(OLD)).every((l) => /WRONGPASS|NOAUTH/.test(l)), "the old password is still accepted");

        // A pod restarted after the drop accepts the new password only.
        r.updateSecret(NEW, "");
        await r.restart(sent2.name, "SIGKILL");
        await t.waitHealthy({ timeoutMs: 30_000 });
        const end = await finishScenario(t, newApp, 30_000);
        const oldVerify = await verifyAcknowledged(oldApp.acked, { ...t.clientOptions() });
        log(`old app ${JSON.stringify(oldReport)}; new app ${JSON.stringify(end.report)}`);
        assert.equal(oldReport.errors + end.report.errors, 0, `refused: ${[...oldReport.errorMessages, ...end.report.errorMessages].join("; ")}`);
        assert.equal(oldVerify.missing.length, 0, "acknowledged writes of the old application lost");
        assert.ok((await r.authEverywhere(OLD)).every((l) => /WRONGPASS|NOAUTH/.test(l)), "a restarted pod accepts the old password again");
    });
});
