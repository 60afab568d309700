/**
 * Records what handover.sh prints (`start`, `status`) in each of its outcomes, on a real
 * topology (tests/harness: redis-server / redis-sentinel on loopback, 2 replicas, 3 Sentinels),
 * into fixtures/handover-<case>.txt: the unit tests decide on exactly these texts.
 *
 *   npx ts-node --transpile-only tests/unit/retirement/record-handover-fixtures.ts
 */
import * as fs from "fs";
import * as path from "path";
import { handoverArgs } from "../../../src/retirement/handover";
import { LocalTransport } from "../../../src/retirement/transport";
import { PodInfo, startTopology, Topology, waitFor } from "../../harness";
import { harnessTarget, harnessTransport, quickSentinels } from "../../integration/retirement/harness-adapter";
import { FIXTURES } from "./fixture-transport";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function handover(x: LocalTransport, pod: PodInfo, args: string[]): Promise<string> {
  return (await x.runScript("redis", pod.host, "handover.sh", args, { timeoutMs: 60_000 })).stdout;
}

function save(name: string, text: string): void {
  fs.writeFileSync(path.join(FIXTURES, `handover-${name}.txt`), text);
  console.log(`recorded handover-${name}.txt: ${/^state=(.*)$/m.exec(text)?.[1]}`);
}

function stateFile(pod: PodInfo): string {
  return path.join(pod.dir, "data", "rs-handover.state");
}

async function untilPhase(pod: PodInfo, phase: string): Promise<void> {
  await waitFor(`phase ${phase}`, 20_000, async () => fs.existsSync(stateFile(pod)) && new RegExp(`^phase=${phase}$`, "m").test(fs.readFileSync(stateFile(pod), "utf8")), 5);
}

/** Arguments for a handover of `pod` (the current master) to the other Redis pods. */
function argsFor(t: Topology, pod: PodInfo, id: string, extra: string[] = []): string[] {
  const replicas = [t.seedPod(), ...t.redisPods()].filter((p) => p.host !== pod.host && t.isRunning(p.name, "redis")).map((p) => p.host);
  return ["--id", id, "--sentinels", t.sentinelPods().map((p) => p.host).join(" "), "--replicas", replicas.join(" "), "--require-sync", "--timeout-s", "8", ...extra];
}

async function setPriority(t: Topology, pods: PodInfo[], priority: string): Promise<void> {
  for (const p of pods) await t.cli(p.name, "redis", "CONFIG", "SET", "replica-priority", priority);
  await sleep(2500); // the Sentinels read it from INFO (1 s period here)
}

async function main(): Promise<void> {
  const t = await startTopology({ replicas: 2, sentinels: 3, downAfterMs: 20_000 });
  try {
    await quickSentinels(t);
    const x = harnessTransport(t);
    const seed = t.seedPod();
    const target = harnessTarget(t);
    save("started", await handover(x, seed, ["start", ...handoverArgs(target, { id: "retire-rec-1", timeoutS: 30, waitS: 0 })]));
    save("joined", await handover(x, seed, ["start", ...handoverArgs(target, { id: "retire-rec-2", timeoutS: 30, waitS: 0 })]));
    await waitFor("the handover to end", 30_000, async () => /^state=done$/m.test(fs.readFileSync(stateFile(seed), "utf8")), 50);
    save("done", await handover(x, seed, ["status"]));

    // The demoted seed keeps the pause (never lifted once a failover was issued) and applies
    // its replication stream only when it ends; the recorder lifts it to go on with a healthy topology.
    await t.cli(seed.name, "redis", "CLIENT", "UNPAUSE");
    let master = t.pod((await t.waitHealthy({ notMaster: seed.host })).masters[0]!);
    const replica = [seed, ...t.redisPods()].find((p) => p.host !== master.host)!;
    save("skipped", await handover(x, replica, ["start", ...argsFor(t, replica, "rec-skipped")]));

    const others = [seed, ...t.redisPods()].filter((p) => p.host !== master.host);
    await setPriority(t, others, "0");
    save("refused", await handover(x, master, ["start", ...argsFor(t, master, "rec-refused", ["--failover-retry-ms", "600"])]));
    await setPriority(t, others, "100");

    save("catch-up-failed", await handover(x, master, ["start", ...argsFor(t, master, "rec-catch-up", ["--sync-wait-s", "1"]).map((a, i, all) =>
      all[i - 1] === "--replicas" ? `${a} ${t.sentinelPods()[0]!.host}` : a)]));

    // The leader hangs once the handover is about to pause: SENTINEL FAILOVER gets no answer.
    const leader = t.sentinelPods()[0]!;
    const started = handover(x, master, ["start", ...argsFor(t, master, "rec-no-answer", ["--wait-s", "30"])]);
    await untilPhase(master, "pause");
    t.signalContainer(leader.name, "sentinel", "SIGSTOP");
    try {
      save("no-answer", await started);
    } finally {
      t.signalContainer(leader.name, "sentinel", "SIGCONT");
    }
    await sleep(3000);
    await t.cli(master.name, "redis", "CLIENT", "UNPAUSE"); // the recorder's own clean-up: nothing was failed over
    await t.waitHealthy({ master: master.host, timeoutMs: 60_000 });

    // The handover's process dies while the writes are paused (its container restarted, say).
    master = t.pod((await t.waitHealthy()).masters[0]!);
    void handover(x, master, ["start", ...argsFor(t, master, "rec-interrupted", ["--wait-s", "0"])]);
    await untilPhase(master, "pause");
    t.killHandover(master);
    await sleep(200);
    save("interrupted", await handover(x, master, ["status"]));
  } finally {
    await t.stopAll();
  }
}

main().then(() => process.exit(0), (e) => {
  console.error(e);
  process.exit(1);
});
