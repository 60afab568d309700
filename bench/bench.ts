/**
 * `npm run bench`: failover and fault figures on real redis-server / redis-sentinel processes
 * (the tests/harness topology), our seed retirement side by side with the seed's procedure.
 * A benchmark, not a test: nothing runs it in CI. See bench/README.md for the method.
 *
 * stdout: the table (and with --json, as its last line, the result object);
 * stderr: progress; bench/results/latest.json (or --out): the result object.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BenchOptions, parseArgs } from "./options";
import { buildResult, formatTable, MachineInfo } from "./report";
import { BenchContext, OUR_DOWN_AFTER_MS, plannedOurs, plannedSeed, SEED_DOWN_AFTER_MS, SEED_FAILOVER_TIMEOUT_MS, steadyScenarios } from "./scenarios";
import { gitInfo, runOnSnapshot } from "./snapshot";
import { endpointScenarios } from "./endpoint";
import { RunResult } from "./stats";

function machineInfo(): MachineInfo {
    const version = (cmd: string, args: string[]): string => {
        try {
            return execFileSync(cmd, args, { encoding: "utf8" }).trim();
        } catch (e) {
            return `unknown (${(e as Error).message.split("\n")[0]})`;
        }
    };
    let ioredis = "unknown";
    try {
        ioredis = JSON.parse(fs.readFileSync(require.resolve("ioredis/package.json"), "utf8")).version;
    } catch {
        /* keep unknown */
    }
    return {
        cpu: os.cpus()[0]?.model ?? "unknown",
        cores: os.cpus().length,
        os: `${os.type()} ${os.release()} ${os.arch()}`,
        node: process.version,
        redis: version("redis-server", ["--version"]),
        ioredis,
        nodeRedis: nodeRedisVersion(),
        loadAvgStart: Math.round(os.loadavg()[0] * 100) / 100,
    };
}

const START = "<!-- bench:latest:start (written by npm run bench) -->";
const END = "<!-- bench:latest:end -->";

/** Replaces the figures between the README's markers with this run's table; false if no markers. */
function replaceMarked(file: string, table: string): boolean {
    if (!fs.existsSync(file)) return false;
    const text = fs.readFileSync(file, "utf8");
    const a = text.indexOf(START);
    const b = text.indexOf(END);
    if (a < 0 || b < a) return false;
    fs.writeFileSync(file, `${text.slice(0, a + START.length)}\n\n\`\`\`\n${table}\n\`\`\`\n\n${text.slice(b)}`);
    return true;
}

function nodeRedisVersion(): string {
    try {
        return JSON.parse(fs.readFileSync(require.resolve("redis/package.json"), "utf8")).version;
    } catch {
        return "unknown";
    }
}

async function runAll(o: BenchOptions, ctx: BenchContext): Promise<RunResult[]> {
    const runs: RunResult[] = [];
    const want = (s: string): boolean => (o.scenarios as string[]).includes(s);
    if (want("planned")) {
        // Interleaved, so that the machine's other load falls on every latency alike.
        ctx.progress(`planned retirement, ours: ${o.runs} runs at each of ${o.execLatencyMs.join(", ")} ms per exec`);
        for (let i = 1; i <= o.runs; i++) {
            for (const latency of o.execLatencyMs) runs.push(await plannedOurs(ctx, i, 3, 3, "planned", latency));
        }
    }
    if (want("seed")) {
        ctx.progress(`planned retirement, seed procedure (down-after ${SEED_DOWN_AFTER_MS} ms): ${o.seedRuns} runs`);
        for (let i = 1; i <= o.seedRuns; i++) runs.push(await plannedSeed(ctx, i));
    }
    const unplannedRuns = want("unplanned") ? o.unplannedRuns : 0;
    const lossRuns = want("loss") ? o.lossRuns : 0;
    if (unplannedRuns + lossRuns > 0) {
        ctx.progress(`steady topology (seed retired): unplanned master loss ${unplannedRuns} x (SIGKILL, SIGTERM), sentinel and replica loss ${lossRuns} each`);
        runs.push(...(await steadyScenarios(ctx, { unplannedRuns, lossRuns })));
    }
    if (want("scale")) {
        ctx.progress(`scale: ${o.scale.map((c) => `${c.replicas}x${c.sentinels}`).join(", ")}, ${o.scaleRuns} run(s) each`);
        for (const c of o.scale) {
            const reuse = runs.filter((r) => r.scenario === "planned" && r.arm === "ours" && !r.execLatencyMs && r.replicas === c.replicas && r.sentinels === c.sentinels);
            if (reuse.length) {
                ctx.progress(`  ${c.replicas}x${c.sentinels}: the planned runs above (same shape) are reused`);
                runs.push(...reuse.map((r) => ({ ...r, scenario: "scale", arm: "ours (planned runs)" })));
                continue;
            }
            for (let i = 1; i <= o.scaleRuns; i++) runs.push(await plannedOurs(ctx, i, c.replicas, c.sentinels, "scale"));
        }
    }
    if (want("endpoint")) {
        ctx.progress(`master endpoint: a plain ioredis client through HAProxy beside the Sentinel client, ${o.endpointRuns} planned retirements and ${o.endpointRuns} master SIGKILLs`);
        runs.push(...(await endpointScenarios(ctx, o.endpointRuns)));
    }
    return runs;
}

async function main(): Promise<void> {
    const argv = process.argv.slice(2);
    let o: BenchOptions;
    try {
        o = parseArgs(argv);
    } catch (e) {
        process.stderr.write(`${(e as Error).message}\n`);
        process.exit(2);
    }
    if (o.snapshot) {
        const code = await runOnSnapshot(process.cwd(), argv.filter((a) => a !== "--snapshot"));
        process.exit(code);
    }
    const defaultOut = path.join(o.publish, "bench", "results", "latest.json");
    const readme = path.join(o.publish, "bench", "README.md");
    const git = gitInfo(process.cwd());
    const started = Date.now();
    const progress = (line: string): void => {
        process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
    };
    const ctx: BenchContext = {
        intervalMs: o.intervalMs,
        progress,
        harnessLog: o.verbose ? (l) => progress(`    ${l}`) : undefined,
        resetGuard: o.resetGuard,
        nodeRedis: o.nodeRedis,
    };
    const machine = machineInfo();
    progress(`code: commit ${git.commit}${git.snapshot ? " (snapshot)" : git.dirty.length ? `, working tree with changes in ${git.dirty.join(", ")}` : ""}`);
    progress(`machine: ${machine.cpu}, ${machine.cores} cores, node ${machine.node}, ${machine.redis.split(" ").slice(0, 3).join(" ")}, load ${machine.loadAvgStart}`);
    const runs = await runAll(o, ctx);
    machine.loadAvgEnd = Math.round(os.loadavg()[0] * 100) / 100;
    const result = buildResult(runs, {
        bench: "pulumi-redis-sentinel failover and fault figures",
        date: new Date().toISOString(),
        command: `npm run bench${argv.length ? ` -- ${argv.filter((a, i) => a !== "--publish" && argv[i - 1] !== "--publish").join(" ")}` : ""}${git.snapshot ? " (with --snapshot)" : ""}`,
        git,
        durationS: Math.round((Date.now() - started) / 1000),
        machine,
        settings: {
            writer: `ioredis ${machine.ioredis}, sentinel mode through the Sentinel Service, one SET every ${o.intervalMs} ms, tests/harness/writer.ts application settings (maxRetriesPerRequest 20, reconnectOnError READONLY)`,
            ours: { downAfterMs: OUR_DOWN_AFTER_MS, failoverTimeoutMs: 60_000, retirement: "retireSeed over LocalTransport (handover.sh run in the seed pod's environment); seed pod delete = SIGTERM both containers", execLatencyMs: o.execLatencyMs },
            seed: { downAfterMs: SEED_DOWN_AFTER_MS, failoverTimeoutMs: SEED_FAILOVER_TIMEOUT_MS, procedure: "delete the seed pod (SIGTERM both containers), wait for Sentinel" },
            resetGuard: o.resetGuard,
            nodeRedis: o.nodeRedis ? `redis (node-redis) ${machine.nodeRedis}, createSentinel through the Sentinel Service, its default settings, beside the ioredis writer in the planned scenario (both arms)` : false,
            quick: o.quick,
            scenarios: o.scenarios,
            runsRequested: { planned: o.runs, seed: o.seedRuns, unplannedPerSignal: o.unplannedRuns, lossEach: o.lossRuns, scalePerShape: o.scaleRuns, endpointEach: o.endpointRuns },
        },
    });
    fs.mkdirSync(path.dirname(o.out), { recursive: true });
    fs.writeFileSync(o.out, JSON.stringify(result, null, 2) + "\n");
    const table = formatTable(result);
    fs.writeFileSync(o.out.replace(/\.json$/, "") + ".txt", table + "\n");
    if (path.resolve(o.out) === path.resolve(defaultOut) && replaceMarked(readme, table)) progress(`figures written into ${readme}`);
    progress(`done in ${result.durationS} s; result written to ${o.out}`);
    process.stdout.write(table + "\n");
    if (o.json) process.stdout.write(JSON.stringify(result) + "\n");
}

main().then(
    () => process.exit(0),
    (e) => {
        process.stderr.write(`bench failed: ${(e as Error).stack ?? e}\n`);
        process.exit(1);
    },
);
