/**
 * The bench's pure parts (percentiles, summaries, targets, command line). Not in the default
 * mocha spec (the benchmark stays out of CI); run with: npx mocha bench/bench-pure.test.ts
 */
import { strict as assert } from "assert";
import { parseArgs, parseLatencies, parseScale } from "./options";
import { buildResult, checkTargets, formatTable } from "./report";
import { median, nodeRedisRuns, percentile, RunResult, summarize } from "./stats";

const run = (over: Partial<RunResult>): RunResult => ({
    scenario: "planned", arm: "ours", run: 1, replicas: 3, sentinels: 3, downAfterMs: 5000,
    gapMs: 0, lostWrites: 0, clientErrors: 0, sent: 10, acked: 10, unsettled: 0, errorMessages: [], ...over,
});

describe("bench: pure parts", () => {
    it("percentile is nearest-rank, median averages the two middle values", () => {
        const v = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
        assert.equal(percentile(v, 95), 10);
        assert.equal(percentile(v, 50), 5);
        assert.equal(percentile([7], 95), 7);
        assert.ok(Number.isNaN(percentile([], 50)));
        assert.equal(median(v), 5.5);
        assert.equal(median([3, 1, 2]), 2);
    });

    it("summarize leaves failed runs out of the figures, sums lost writes and errors, and names the failures", () => {
        const s = summarize([
            run({ run: 1, gapMs: 1000, lostWrites: 1, clientErrors: 2, writableAfterMs: 900 }),
            run({ run: 2, gapMs: 3000, clientErrors: 1, writableAfterMs: 2900 }),
            run({ run: 3, gapMs: 99999, lostWrites: 50, failure: "timed out" }),
        ]);
        assert.equal(s.runs, 2);
        assert.equal(s.failedRuns, 1);
        assert.equal(s.medianGapMs, 2000);
        assert.equal(s.maxGapMs, 3000);
        assert.equal(s.lostWrites, 1);
        assert.equal(s.clientErrors, 3);
        assert.equal(s.maxWritableAfterMs, 2900);
        assert.deepEqual(s.failures, ["run 3: timed out"]);
    });

    it("the node-redis figures of runs become runs of their own", () => {
        const runs = nodeRedisRuns([run({ gapMs: 1000, nodeRedis: { gapMs: 2500, lostWrites: 0, clientErrors: 4, sent: 10, acked: 6, errorMessages: ["x"] } })]);
        assert.equal(runs.length, 1);
        assert.equal(runs[0].gapMs, 2500);
        assert.equal(runs[0].clientErrors, 4);
        assert.deepEqual(nodeRedisRuns([run({})]), []);
    });

    it("targets: met, missed, too few runs, and not measured", () => {
        const five = (gapMs: number, over: Partial<RunResult> = {}): RunResult[] => [1, 2, 3, 4, 5].map((n) => run({ run: n, gapMs, ...over }));
        const ours = summarize(five(700));
        const slow = summarize(five(1100, { execLatencyMs: 250 }));
        const seed = summarize([run({ arm: "seed", gapMs: 62000, downAfterMs: 60000 })]);
        const un = summarize([run({ scenario: "unplanned", gapMs: 6000, writableAfterMs: 6500 }), run({ scenario: "unplanned", gapMs: 7500, writableAfterMs: 7600 })]);
        const byExecLatency = [{ execLatencyMs: 0, ...ours }, { execLatencyMs: 250, ...slow }];
        const t = checkTargets({ planned: { ours, byExecLatency, seed, gapRatioSeedOverOurs: 62000 / 700 }, unplanned: { ours: un } });
        assert.deepEqual(t.map((x) => x.met), [true, true, false, true, false, true]);
        assert.match(t[0].target, /0 ms per exec: median write gap <= 800 ms/);
        assert.match(t[2].target, /250 ms per exec: median write gap <= 1000 ms/);
        const few = summarize([run({ gapMs: 500 })]);
        const t1 = checkTargets({ planned: { ours: few, byExecLatency: [{ execLatencyMs: 0, ...few }] }, unplanned: {} });
        assert.equal(t1[0].met, null, "one run does not count");
        assert.match(t1[0].measured, /needs 5 runs/);
        assert.deepEqual(checkTargets({ planned: {}, unplanned: {} }).map((x) => x.met), [null, null, null, null, null, null]);
    });

    it("planned runs at several delays per exec: one summary and one table row each, from the same runs", () => {
        const runs = [0, 250].flatMap((execLatencyMs) => [1, 2].map((n) => run({ run: n, gapMs: 500 + execLatencyMs + n, execLatencyMs, failoverAfterInfoMs: 720 + n })));
        const r = buildResult(runs, {
            bench: "b", date: "d", command: "c", durationS: 1, git: { commit: "x", dirty: [], snapshot: true },
            machine: { cpu: "c", cores: 2, os: "o", node: "n", redis: "Redis server v=7.0.15", ioredis: "5", nodeRedis: "6", loadAvgStart: 1 },
            settings: {},
        });
        assert.deepEqual(r.planned.byExecLatency?.map((x) => [x.execLatencyMs, x.runs, x.medianGapMs]), [[0, 2, 502], [250, 2, 752]]);
        assert.equal(r.planned.ours?.medianGapMs, 502);
        assert.deepEqual(r.planned.ours?.failoverAfterInfoMs, { min: 721, median: 722, max: 722 });
        const table = formatTable(r);
        assert.match(table, /planned: ours, 0 ms\/exec .*\n.*planned: ours, 250 ms\/exec/);
        assert.match(table, /250 ms\/exec \/ 0 ms\/exec \(same run\): 1\.5/);
    });

    it("command line: defaults, --quick, counts, scenarios and scale shapes, with clear errors", () => {
        const full = parseArgs([]);
        assert.equal(full.runs, 5);
        assert.equal(full.seedRuns, 3);
        assert.equal(full.scale.length, 6);
        const quick = parseArgs(["--quick", "--json"]);
        assert.equal(quick.runs, 1);
        assert.ok(quick.json);
        assert.ok(!quick.scenarios.includes("scale"));
        const o = parseArgs(["--scenarios", "planned,seed", "--runs", "9", "--seed-runs", "0", "--scale", "1x3,9x7"]);
        assert.deepEqual(o.scenarios, ["planned", "seed"]);
        assert.equal(o.runs, 9);
        assert.equal(o.seedRuns, 0);
        assert.deepEqual(parseScale("1x3,9x7"), [{ replicas: 1, sentinels: 3 }, { replicas: 9, sentinels: 7 }]);
        assert.throws(() => parseArgs(["--runs", "x"]), /--runs needs a whole number/);
        assert.throws(() => parseArgs(["--scenarios", "planed"]), /unknown planed/);
        assert.throws(() => parseScale("3by3"), /not REPLICASxSENTINELS/);
        assert.throws(() => parseArgs(["--bogus"]), /unknown argument --bogus/);
        assert.deepEqual(full.execLatencyMs, [0, 250]);
        assert.deepEqual(parseArgs(["--exec-latency-ms", "250"]).execLatencyMs, [250]);
        assert.deepEqual(parseLatencies("0, 100,250,100"), [0, 100, 250]);
        assert.throws(() => parseLatencies("x"), /not a whole number of ms/);
        assert.throws(() => parseArgs(["--exec-latency-ms"]), /needs one or more whole numbers/);
    });
});
