/**
 * Measures the planned switchover as a client sees it: N full retirements, each on a fresh
 * real-process topology, with a continuous ioredis writer (sentinel mode, usual retry settings).
 * Reports per run and median/p95: the client's longest gap without an acknowledged write, the
 * write pause the retirement reports, acknowledged writes lost, errors surfaced to the client.
 *
 *   npx ts-node --transpile-only tests/integration/retirement/measure.ts [runs=10] [--quick]
 *
 * --quick shortens Sentinel's INFO/hello periods (faster sentinel reset phase; the switchover
 * itself is bound by Sentinel's fixed 1 s INFO polling of the promoted replica either way).
 * The bench issue (npm run bench) can call measureRetirements() directly.
 */
import { retireSeed } from "../../../src/retirement/retire";
import { ContinuousWriter, finishScenario, Topology } from "../../harness";
import { harnessTarget, harnessTransport, HarnessSeedPod, quickSentinels } from "./harness-adapter";

export interface RunFigures {
  run: number;
  clientGapMs: number;
  writePauseMs: number;
  failoverMs: number;
  failoverAfterInfoMs?: number;
  retirementMs: number;
  acked: number;
  lost: number;
  errors: number;
  errorMessages: string[];
}

export interface MeasureOptions {
  runs: number;
  replicas?: number;
  sentinels?: number;
  quick?: boolean;
  writeIntervalMs?: number;
  log?: (line: string) => void;
}

export async function measureRetirements(opts: MeasureOptions): Promise<RunFigures[]> {
  const out: RunFigures[] = [];
  for (let run = 1; run <= opts.runs; run++) {
    const t = await Topology.create({ replicas: opts.replicas ?? 3, sentinels: opts.sentinels ?? 3 });
    try {
      await t.startAll();
      if (opts.quick) await quickSentinels(t);
      const writer = new ContinuousWriter({ redis: t.clientOptions(), intervalMs: opts.writeIntervalMs ?? 10 }).start();
      await new Promise((r) => setTimeout(r, 1000));
      const started = Date.now();
      const res = await retireSeed({ transport: harnessTransport(t), seedPod: new HarnessSeedPod(t), target: harnessTarget(t), timeoutMs: 120_000 });
      const retirementMs = Date.now() - started;
      await new Promise((r) => setTimeout(r, 500));
      const s = await finishScenario(t, writer);
      const fig: RunFigures = {
        run, clientGapMs: s.report.longestGapMs, writePauseMs: res.writePauseMs, failoverMs: res.failoverMs, failoverAfterInfoMs: res.failoverAfterInfoMs, retirementMs,
        acked: s.report.acked, lost: s.verify.missing.length + s.verify.wrong.length, errors: s.report.errors, errorMessages: s.report.errorMessages,
      };
      out.push(fig);
      opts.log?.(`run ${run}: client gap ${fig.clientGapMs} ms, write pause ${fig.writePauseMs} ms, failover ${fig.failoverMs} ms (sent ${fig.failoverAfterInfoMs ?? "-"} ms after the aligned INFO), retirement ${fig.retirementMs} ms, ${fig.acked} acked, ${fig.lost} lost, ${fig.errors} errors`);
    } finally {
      await t.stopAll();
    }
  }
  return out;
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
}

export function summary(figs: RunFigures[]): string {
  const col = (k: "clientGapMs" | "writePauseMs" | "failoverMs" | "retirementMs"): string =>
    `${k} median ${percentile(figs.map((f) => f[k]), 50)} p95 ${percentile(figs.map((f) => f[k]), 95)} max ${Math.max(...figs.map((f) => f[k]))}`;
  const sum = (k: "lost" | "errors" | "acked"): number => figs.reduce((n, f) => n + f[k], 0);
  return [`${figs.length} runs`, col("clientGapMs"), col("writePauseMs"), col("failoverMs"), col("retirementMs"),
    `acked ${sum("acked")}, lost ${sum("lost")}, errors surfaced ${sum("errors")}`].join("\n");
}

if (require.main === module) {
  const runs = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 10);
  const quick = process.argv.includes("--quick");
  measureRetirements({ runs, quick, log: (l) => console.log(l) })
    .then((figs) => {
      console.log(summary(figs));
      process.exit(0);
    })
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
}
