/**
 * The bench's pure parts (percentiles, summaries, targets, command line). Not in the default
 * mocha spec (the benchmark stays out of CI); run with: npx mocha bench/bench-pure.test.ts
 */
import { strict as assert } from "assert";
import { parseArgs, parseScale } from "./options";
import { checkTargets } from "./report";
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

    it("targets: met, missed, and not measured", () => {
        const ours = summarize([run({ gapMs: 1100 }), run({ gapMs: 1150 })]);
        const seed = summarize([run({ arm: "seed", gapMs: 62000, downAfterMs: 60000 })]);
        const un = summarize([run({ scenario: "unplanned", gapMs: 6000, writableAfterMs: 6500 }), run({ scenario: "unplanned", gapMs: 7500, writableAfterMs: 7600 })]);
        const t = checkTargets({ planned: { ours, seed, gapRatioSeedOverOurs: 62000 / 1125 }, unplanned: { ours: un } });
        assert.deepEqual(t.map((x) => x.met), [true, true, false, true]);
        assert.deepEqual(checkTargets({ planned: {}, unplanned: {} }).map((x) => x.met), [null, null, null, null]);
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
    });
});
