/**
 * The preStop budget on real processes (tests/harness). The kubelet gives a Redis pod
 * RS_PRESTOP_TIMEOUT_S + 25 s (terminationGracePeriodSeconds) for its preStop hook and then
 * redis-server's shutdown; past it, SIGKILL (AOF not flushed, offset not recorded). So a
 * handover that cannot finish (no replica catches up, the Sentinel stops answering) must end
 * within its budget, leave redis-server a clean shutdown on the SIGTERM that follows (no
 * second handover: the budget is per shutdown), and never unpause a master once a failover
 * may have been sent.
 */
import { strict as assert } from "assert";
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseHandoverState } from "../../src/retirement/handover";
import { onExit, PodInfo, Topology, waitFor } from "../harness";

/** The grace period the manifests give beyond the hook's budget (src/manifests/containers.ts). */
const SHUTDOWN_RESERVE_MS = 25_000;
/** The hook's budget (RS_PRESTOP_TIMEOUT_S of the Redis containers), shorter than the manifests' 20 s. */
const BUDGET_S = 8;

const hooks = new Set<ChildProcess>();
const killHooks = (): void => {
    for (const child of hooks) {
        try {
            process.kill(-(child.pid as number), "SIGKILL");
        } catch {
            /* gone */
        }
    }
    hooks.clear();
};
const unregister = onExit(killHooks);

/** The hook as the kubelet runs it (the container's env: its budget is BUDGET_S); killed, as the kubelet would, at budget + 25 s. */
function runHook(t: Topology, pod: PodInfo, budgetS = BUDGET_S): Promise<{ code: number | null; output: string; ms: number }> {
    const started = Date.now();
    return new Promise((resolve) => {
        const child = spawn("sh", [path.join(t.scriptsDir, "prestop-redis.sh")], {
            env: t.containerEnv(pod),
            detached: true,
            stdio: ["ignore", "pipe", "pipe"],
        });
        hooks.add(child);
        let output = "";
        child.stdout!.on("data", (d) => (output += d));
        child.stderr!.on("data", (d) => (output += d));
        const grace = setTimeout(() => process.kill(-(child.pid as number), "SIGKILL"), budgetS * 1000 + SHUTDOWN_RESERVE_MS);
        child.on("exit", (code) => {
            clearTimeout(grace);
            hooks.delete(child);
            resolve({ code, output: output.trim(), ms: Date.now() - started });
        });
    });
}

const dataFile = (pod: PodInfo, name: string): string => path.join(pod.dir, "data", name);
const stateOf = (pod: PodInfo) => {
    try {
        return parseHandoverState(fs.readFileSync(dataFile(pod, "rs-handover.state"), "utf8"));
    } catch {
        return undefined;
    }
};

/** Whether a write to this server is held (CLIENT PAUSE WRITE) for at least a second. */
function writesHeld(t: Topology, pod: PodInfo): boolean {
    const r = spawnSync("timeout", ["1", "redis-cli", "--no-auth-warning", "-h", pod.address, "-p", "6379", "SET", "prestop:held", "1"],
        { env: { ...process.env, REDISCLI_AUTH: t.password }, encoding: "utf8" });
    return r.status === 124;
}

/** The kubelet's SIGTERM after the hook: how long until the container exited, and what it logged. */
async function sigterm(t: Topology, pod: PodInfo): Promise<{ ms: number; log: string }> {
    const before = t.logs(pod.name, "redis").length;
    const started = Date.now();
    await t.killPod(pod.name, "SIGTERM", SHUTDOWN_RESERVE_MS + 5000);
    return { ms: Date.now() - started, log: t.logs(pod.name, "redis").slice(before) };
}

describe("prestop-redis.sh within its budget (real processes)", function () {
    this.timeout(180_000);
    let t: Topology;

    before(async function () {
        this.timeout(120_000);
        // down-after above the budgets: the Sentinels do not fail over on their own meanwhile.
        t = await Topology.create({ replicas: 2, sentinels: 3, downAfterMs: 20_000, redisEnv: { RS_PRESTOP_TIMEOUT_S: String(BUDGET_S) } });
        await t.startAll();
        await t.removeSeed();
    });
    afterEach(killHooks);
    after(async () => {
        killHooks();
        unregister();
        await t?.stopAll();
    });

    /** The master, once it lists every replica online (what the handover hands over to). */
    const master = async (): Promise<PodInfo> => {
        const m = t.pod((await t.waitHealthy({ timeoutMs: 60_000 })).masters[0]!);
        let info = "";
        await waitFor("every replica online at the master", 60_000, async () => {
            info = await t.cli(m.name, "redis", "INFO", "replication");
            return (info.match(/state=online/g) ?? []).length === t.redisPods().length - 1;
        }, 250).catch((e: Error) => {
            throw new Error(`${e.message}; ${m.name}: ${info}`);
        });
        return m;
    };

    it("no replica answers (frozen): the hook ends within its budget with the pause lifted; the SIGTERM after it starts no second handover and redis-server shuts down cleanly", async () => {
        const m = await master();
        const replicas = t.redisPods().filter((p) => p.host !== m.host);
        for (const p of replicas) t.signalContainer(p.name, "redis", "SIGSTOP");
        try {
            const hook = await runHook(t, m);
            assert.ok(hook.ms <= BUDGET_S * 1000 + 1000, `the hook took ${hook.ms} ms with a ${BUDGET_S} s budget:\n${hook.output}`);
            assert.equal(stateOf(m)?.issued, "no", hook.output);
            assert.match(await t.cli(m.name, "redis", "ROLE"), /^master/);
            assert.ok(!writesHeld(t, m), "the master's writes stay paused although no failover was sent");

            const term = await sigterm(t, m);
            assert.match(term.log, new RegExp(`handover budget \\(${BUDGET_S}s\\) is spent \\(-?\\ds left\\): no second handover`));
            assert.match(term.log, /recording the replication offset/);
            assert.match(term.log, /ready to exit/i, "redis-server did not shut down cleanly");
            assert.ok(term.ms < SHUTDOWN_RESERVE_MS, `SIGTERM to exit took ${term.ms} ms, more than the ${SHUTDOWN_RESERVE_MS} ms the grace period keeps`);
            assert.ok(Number(fs.readFileSync(dataFile(m, "rs-last-offset"), "utf8")) > 0, "no replication offset recorded");
            console.log(`      hook ${hook.ms} ms (budget ${BUDGET_S} s), SIGTERM to exit ${term.ms} ms`);
        } finally {
            for (const p of replicas) t.signalContainer(p.name, "redis", "SIGCONT");
        }
        await t.startPod(m.name);
        assert.equal((await t.waitHealthy({ timeoutMs: 60_000 })).masters.length, 1);
    });

    it("the Sentinel stops answering once SENTINEL FAILOVER may have been sent: the hook ends within its budget, the master stays paused (never unpaused), and SIGTERM then stops it cleanly", async () => {
        const m = await master();
        const leader = t.sentinelPods()[0]!; // the first of sentinel-hosts that names the master
        await t.cli(leader.name, "sentinel", "SENTINEL", "DEBUG", "tilt-period", "1000");
        let stopped = false;
        const watcher = setInterval(() => {
            if (!stopped && stateOf(m)?.phase === "pause") {
                stopped = true;
                t.signalContainer(leader.name, "sentinel", "SIGSTOP");
            }
        }, 5);
        try {
            const hook = await runHook(t, m);
            clearInterval(watcher);
            assert.ok(stopped, `the leader was not stopped during the handover:\n${hook.output}`);
            assert.ok(hook.ms <= BUDGET_S * 1000 + 1000, `the hook took ${hook.ms} ms with a ${BUDGET_S} s budget:\n${hook.output}`);
            assert.equal(hook.code, 1, hook.output);
            const s = stateOf(m);
            assert.deepEqual([s?.state, s?.issued], ["failed", "maybe"], hook.output);
            assert.match(hook.output, /writes stay paused/);
            assert.ok(writesHeld(t, m), "the master was unpaused after SENTINEL FAILOVER may have been sent");

            const term = await sigterm(t, m);
            assert.match(term.log, /the preStop hook already handed over for this shutdown/);
            assert.match(term.log, /ready to exit/i, "redis-server did not shut down cleanly");
            assert.ok(term.ms < SHUTDOWN_RESERVE_MS, `SIGTERM to exit took ${term.ms} ms, more than the ${SHUTDOWN_RESERVE_MS} ms the grace period keeps`);
            console.log(`      hook ${hook.ms} ms (budget ${BUDGET_S} s), SIGTERM to exit ${term.ms} ms`);
        } finally {
            clearInterval(watcher);
            if (stopped) t.signalContainer(leader.name, "sentinel", "SIGCONT");
        }
        await t.startPod(m.name);
        await waitFor("one master", 60_000, async () => (await t.snapshot()).masters.length === 1, 500);
    });
});
