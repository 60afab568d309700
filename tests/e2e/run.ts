/**
 * `npm run e2e [-- --json] [-- --keep]`: a real `pulumi up` of this package against a
 * real Kubernetes API on this machine. Builds (or reuses) the kit, starts a one-node
 * cluster, runs the steps below with an application writing through the Sentinel
 * Service all along, then tears everything down (on failure too). Needs root.
 *
 * --json   print the report as one JSON line, last on stdout
 * --keep   keep the run directory (logs, state) under the kit cache
 * --no-build   use the kit as it is (no `e2e:env` first)
 * --skip a,b   leave these steps out (recorded as not run: the run fails)
 *
 * When the kit has no pulumi-resource-random (the one piece that may fail to build), the
 * stacks get an explicit password instead of the generated one, and the report says so.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { onExit } from "../harness/cleanup";
import { E2eApp } from "./lib/app";
import { Cluster, startCluster, stopCluster } from "./lib/cluster";
import { routeClusterDns } from "./lib/cluster-dns";
import { E2E_DIR, readKit, REPO_ROOT } from "./lib/kit";
import { recordEvents } from "./lib/order";
import { killAll, runOk } from "./lib/proc";
import { PulumiCli } from "./lib/pulumi";
import { E2eReport, formatTable, StepRecorder } from "./lib/report";
import { compositionStep } from "./steps/composition";
import { tlsStep } from "./steps/tls";
import { destroyStep, recreateFromPvcsStep, rootStackSteps } from "./steps/root-stack";

async function main(): Promise<number> {
    const json = process.argv.includes("--json");
    const keep = process.argv.includes("--keep");
    if (process.getuid?.() !== 0) throw new Error("the e2e runs a kubelet, containerd and iptables: run it as root");
    const kit = readKit();
    const runDir = path.join(kit.cache, "runs", new Date().toISOString().replace(/[:.]/g, "-"));
    mkdirSync(runDir, { recursive: true });
    const logFile = path.join(runDir, "e2e.log");
    process.stderr.write(`e2e: run directory ${runDir}\n`);

    // `pulumi stack init` writes Pulumi.<stack>.yaml beside the root Pulumi.yaml: none may
    // be left from an interrupted run (its salt belongs to another state), none is kept.
    const stackFiles = ["Pulumi.e2e.yaml", "Pulumi.e2e-bad.yaml"].map((f) => path.join(REPO_ROOT, f));
    const removeStackFiles = () => stackFiles.forEach((f) => rmSync(f, { force: true }));
    removeStackFiles();

    let stopped = false;
    let dumpEvents = async () => undefined as unknown;
    const teardown = async (keepDir: boolean) => {
        if (stopped) return;
        await dumpEvents().catch(() => undefined);
        stopped = true;
        killAll();
        removeStackFiles();
        await stopCluster(runDir, keepDir);
    };
    // On a signal or an exception, nothing may survive the run.
    onExit(() => {
        if (stopped) return;
        killAll();
        removeStackFiles();
        spawnSync("sh", [path.join(E2E_DIR, "cluster", "down.sh"), runDir, "--keep"], { stdio: "ignore" });
    });

    // --skip a,b: leave out steps while iterating on others (the run then fails: a step not run is not a pass).
    const skipArg = process.argv.indexOf("--skip");
    const recorder = new StepRecorder(new Set(skipArg > 0 ? (process.argv[skipArg + 1] ?? "").split(",").filter(Boolean) : []));
    const app = new E2eApp();
    let versions: Record<string, string> = {};
    let writer = { lostWrites: 0, clientErrors: 0, maxGapMs: 0, acked: 0 };
    try {
        if (!process.argv.includes("--no-build")) {
            await runOk("sh", [path.join(E2E_DIR, "kit", "build.sh")], { timeoutMs: 3 * 3600_000, logFile, echo: true });
        }
        let cluster: Cluster | undefined;
        const up = await recorder.step("cluster", async () => {
            cluster = await startCluster(kit, runDir, logFile);
            const v = JSON.parse(await cluster.kubectl(["version", "-o", "json"])) as { serverVersion: { gitVersion: string } };
            return `kube-apiserver ${v.serverVersion.gitVersion}, node Ready`;
        });
        if (up && cluster) {
            const c = cluster;
            // The cluster's events (probe failures, preStop hooks, scheduling) for the logs.
            dumpEvents = async () =>
                writeFileSync(path.join(runDir, "logs", "events.txt"), await c.kubectl(["get", "events", "-A", "--sort-by", ".lastTimestamp", "-o", "wide"]));
            routeClusterDns(cluster.dnsServer, cluster.clusterDomain);
            const pulumi = new PulumiCli({ kit, runDir, kubeconfig: cluster.kubeconfig, logFile });
            await pulumi.installPlugins();
            versions = await readVersions(kit, pulumi, cluster);
            const events = await recordEvents(cluster.kubeconfig, "default");
            const ctx = { recorder, pulumi, cluster, app, kit, events: events.events };
            try {
                if (await rootStackSteps(ctx)) {
                    await compositionStep(ctx, runDir);
                    await tlsStep(ctx, runDir);
                } else {
                    recorder.skip("composition", "the root stack's up failed");
                    recorder.skip("tls", "the root stack's up failed");
                }
                // The application's verdict before its deployment goes away.
                const lost = app.started ? await app.lost().catch(() => undefined) : undefined;
                const report = await app.stop();
                writer = {
                    lostWrites: lost ? lost.missing.length : -1,
                    clientErrors: report?.errors ?? 0,
                    maxGapMs: report?.longestGapMs ?? 0,
                    acked: report?.acked ?? 0,
                };
                await destroyStep(ctx);
                if (app.started) await recreateFromPvcsStep(ctx);
            } finally {
                events.stop();
            }
        }
    } finally {
        await teardown(keep || !recorder.allOk);
    }
    const result: E2eReport = { node: "kubelet", steps: recorder.steps, writer, versions };
    process.stderr.write(`\n${formatTable(result)}\n`);
    if (!keep && recorder.allOk) rmSync(runDir, { recursive: true, force: true });
    else process.stderr.write(`e2e: logs kept in ${runDir}\n`);
    // The latest report, beside the code it ran (README figures come from it).
    const commit = spawnSync("git", ["rev-parse", "HEAD"], { cwd: REPO_ROOT, encoding: "utf8" }).stdout.trim();
    const dirty = spawnSync("git", ["status", "--porcelain", "--untracked-files=no", "--", ".", ":!tests/e2e/results"], { cwd: REPO_ROOT, encoding: "utf8" }).stdout.trim() !== "";
    mkdirSync(path.join(E2E_DIR, "results"), { recursive: true });
    writeFileSync(
        path.join(E2E_DIR, "results", "latest.json"),
        `${JSON.stringify({ ...result, run: { command: `npm run e2e -- ${process.argv.slice(2).join(" ")}`.trim(), commit: `${commit}${dirty ? " (with uncommitted changes)" : ""}`, date: new Date().toISOString() } }, null, 1)}\n`,
    );
    if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
    const clean = writer.lostWrites === 0 && writer.clientErrors === 0;
    return recorder.allOk && clean ? 0 : 1;
}

async function readVersions(kit: ReturnType<typeof readKit>, pulumi: PulumiCli, cluster: Cluster): Promise<Record<string, string>> {
    const pv = await pulumi.ok(REPO_ROOT, ["version"], 30_000, false).catch(() => undefined);
    const kv = JSON.parse(await cluster.kubectl(["version", "-o", "json"])) as { serverVersion: { gitVersion: string } };
    return {
        pulumi: pv?.stdout.trim() ?? "?",
        kubernetes: kv.serverVersion.gitVersion,
        pulumiKubernetesProvider: kit.versions.KIT_K8S_PROVIDER_STAMP,
        pulumiRandomProvider: kit.randomPlugin ? kit.versions.KIT_RANDOM_PROVIDER_STAMP : "not built: the stacks were given an explicit password",
        etcd: kit.versions.KIT_ETCD_VERSION,
        coredns: kit.versions.KIT_COREDNS_VERSION,
        redisImage: kit.redisImage,
    };
}

main().then(
    (code) => process.exit(code),
    (e) => {
        process.stderr.write(`e2e: ${(e as Error).stack ?? e}\n`);
        process.exit(1);
    },
);
