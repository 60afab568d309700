/**
 * Command line of `npm run bench` (pure): which scenarios, how many runs each.
 */
export const SCENARIOS = ["planned", "seed", "unplanned", "loss", "scale", "endpoint"] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface ScaleConfig {
    replicas: number;
    sentinels: number;
}

export interface BenchOptions {
    json: boolean;
    quick: boolean;
    verbose: boolean;
    scenarios: ScenarioName[];
    /** Planned retirement (ours) runs. */
    runs: number;
    /** Planned retirement, seed procedure runs (each over a minute). */
    seedRuns: number;
    /** Unplanned master loss runs per signal (SIGKILL, SIGTERM). */
    unplannedRuns: number;
    /** Sentinel loss and replica loss runs each. */
    lossRuns: number;
    /** Runs per scale configuration. */
    scaleRuns: number;
    /** Master endpoint: planned retirements and master SIGKILLs, each. */
    endpointRuns: number;
    scale: ScaleConfig[];
    intervalMs: number;
    /** Planned retirement (ours): run it with every transport call delayed by each of these (ms), interleaved. */
    execLatencyMs: number[];
    resetGuard: boolean;
    nodeRedis: boolean;
    /** Measure an export of the committed HEAD (see snapshot.ts). */
    snapshot: boolean;
    /** Tree receiving bench/results/latest.* and the README figures (default: the current directory). */
    publish: string;
    out: string;
}

export const USAGE = `usage: npm run bench -- [--quick] [--json] [--verbose]
  [--scenarios planned,seed,unplanned,loss,scale,endpoint] [--runs N] [--seed-runs N]
  [--unplanned-runs N] [--loss-runs N] [--scale-runs N] [--endpoint-runs N] [--scale 1x3,3x3,9x7 | --scale-grid]
  [--interval-ms N] [--exec-latency-ms 0,250] [--no-reset-guard] [--no-node-redis] [--out FILE] [--snapshot]
  planned   our seed retirement (retireSeed over LocalTransport), --runs (default 5, quick 1) at each
            --exec-latency-ms (default 0,250: every transport call, redis-cli or exec, delayed that
            long, as a round trip through the Kubernetes API server would; runs interleaved)
  seed      the seed's procedure: delete the seed pod, Sentinel down-after 60000 (--seed-runs, default 3, quick 1)
  unplanned master pod killed (SIGKILL and SIGTERM), --unplanned-runs per signal (default 2, quick 1)
  loss      a sentinel pod, then a replica pod killed, --loss-runs each (default 2, quick 1)
  scale     planned retirement for replicas x sentinels (default 1x3,3x3,5x3,9x3,3x5,3x7; quick: none)
  endpoint  a plain ioredis client through the master endpoint (HAProxy) beside the Sentinel client:
            planned retirement and master SIGKILL, --endpoint-runs each (default 5, quick 1)
  --scale-grid: every replicas 1,3,5,9 x sentinels 3,5,7
  --snapshot: measure the committed HEAD (git archive to a temp dir), not the working tree
  --out FILE: result file (default bench/results/latest.json; the README figures are updated only for the default)`;

const AXES: ScaleConfig[] = [
    { replicas: 1, sentinels: 3 },
    { replicas: 3, sentinels: 3 },
    { replicas: 5, sentinels: 3 },
    { replicas: 9, sentinels: 3 },
    { replicas: 3, sentinels: 5 },
    { replicas: 3, sentinels: 7 },
];

export function parseScale(text: string): ScaleConfig[] {
    return text.split(",").filter(Boolean).map((item) => {
        const m = /^(\d+)x(\d+)$/.exec(item.trim());
        if (!m) throw new Error(`--scale: "${item}" is not REPLICASxSENTINELS (e.g. 3x5)`);
        const c = { replicas: Number(m[1]), sentinels: Number(m[2]) };
        if (c.replicas < 1 || c.sentinels < 1 || c.replicas > 39 || c.sentinels > 39) throw new Error(`--scale: ${item} is out of range 1..39`);
        return c;
    });
}

/** "0,250" -> [0, 250]: distinct whole numbers of ms, in the order given. */
export function parseLatencies(text: string | undefined): number[] {
    const items = (text ?? "").split(",").filter((x) => x.trim() !== "");
    const out = items.map((x) => {
        const n = Number(x.trim());
        if (!Number.isInteger(n) || n < 0 || n > 10_000) throw new Error(`--exec-latency-ms: "${x}" is not a whole number of ms (0..10000)`);
        return n;
    });
    if (out.length === 0) throw new Error("--exec-latency-ms needs one or more whole numbers of ms, e.g. 0,250");
    return [...new Set(out)];
}

export function parseArgs(argv: string[]): BenchOptions {
    const quick = argv.includes("--quick");
    const o: BenchOptions = {
        json: false,
        quick,
        verbose: false,
        scenarios: [...SCENARIOS],
        runs: quick ? 1 : 5,
        seedRuns: quick ? 1 : 3,
        unplannedRuns: quick ? 1 : 2,
        lossRuns: quick ? 1 : 2,
        scaleRuns: 1,
        endpointRuns: quick ? 1 : 5,
        scale: quick ? [] : AXES,
        intervalMs: 10,
        execLatencyMs: [0, 250],
        resetGuard: true,
        nodeRedis: true,
        snapshot: false,
        publish: ".",
        out: "",
    };
    const count = (flag: string, v: string | undefined): number => {
        const n = Number(v);
        if (v === undefined || !Number.isInteger(n) || n < 0) throw new Error(`${flag} needs a whole number >= 0, got ${v ?? "nothing"}`);
        return n;
    };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const next = (): string | undefined => argv[++i];
        switch (a) {
            case "--quick": break;
            case "--json": o.json = true; break;
            case "--verbose": o.verbose = true; break;
            case "--no-reset-guard": o.resetGuard = false; break;
            case "--no-node-redis": o.nodeRedis = false; break;
            case "--runs": o.runs = count(a, next()); break;
            case "--seed-runs": o.seedRuns = count(a, next()); break;
            case "--unplanned-runs": o.unplannedRuns = count(a, next()); break;
            case "--loss-runs": o.lossRuns = count(a, next()); break;
            case "--scale-runs": o.scaleRuns = count(a, next()); break;
            case "--endpoint-runs": o.endpointRuns = count(a, next()); break;
            case "--interval-ms": o.intervalMs = Math.max(1, count(a, next())); break;
            case "--exec-latency-ms": o.execLatencyMs = parseLatencies(next()); break;
            case "--out": o.out = next() ?? o.out; break;
            case "--snapshot": o.snapshot = true; break;
            case "--publish": o.publish = next() ?? o.publish; break;
            case "--scale": o.scale = parseScale(next() ?? ""); break;
            case "--scale-grid":
                o.scale = [1, 3, 5, 9].flatMap((replicas) => [3, 5, 7].map((sentinels) => ({ replicas, sentinels })));
                break;
            case "--scenarios": {
                const names = (next() ?? "").split(",").filter(Boolean);
                const bad = names.filter((n) => !(SCENARIOS as readonly string[]).includes(n));
                if (bad.length || names.length === 0) throw new Error(`--scenarios: unknown ${bad.join(", ") || "(empty)"}; known: ${SCENARIOS.join(", ")}`);
                o.scenarios = names as ScenarioName[];
                break;
            }
            case "--help":
            case "-h":
                throw new Error(USAGE);
            default:
                throw new Error(`unknown argument ${a}\n${USAGE}`);
        }
    }
    if (!o.out) o.out = `${o.publish.replace(/\/$/, "")}/bench/results/latest.json`;
    if (quick && !argv.includes("--scenarios") && o.scale.length === 0) o.scenarios = o.scenarios.filter((s) => s !== "scale");
    return o;
}
