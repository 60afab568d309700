// The dynamic provider as Pulumi runs it: serialized with pulumi.runtime.serializeFunction (what
// pulumi.dynamic.Resource does), loaded back from the text alone, and driven through its
// create/diff/update against H2's loopback fake Kubernetes API server (real client-node, real
// wire protocol: pod get/delete with uid preconditions, 404, 409, 403, WebSocket exec). Exec runs
// redis-cli, and the scripts ConfigMap's handover.sh in the pod's container environment, against
// the real processes of H1's harness, so the whole retirement runs for real.
import { strict as assert } from "assert";
import { createRequire } from "module";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { REQUIRED_RBAC_RULES } from "../../../src/kube";
import { SeedRetirementInputs, SeedRetirementOutputs } from "../../../src/retirement/provider";
import { seedRetirementProvider } from "../../../src/retirement/resource";
import { ExecHandler, FakeKubeServer, localProcessExec } from "../../fakekube";
import { ContinuousWriter, finishScenario, Topology, waitFor } from "../../harness";
import { quickSentinels } from "./harness-adapter";

type Provider = Required<Pick<pulumi.dynamic.ResourceProvider, "create" | "update" | "diff" | "delete" | "read" | "check">>;

/** What the dynamic provider host does with the `__provider` text (require-from-string, then handler()). */
function loadSerialized(text: string, exportName: string): Provider {
  const mod = { exports: {} as Record<string, unknown> };
  const req = createRequire(path.join(process.cwd(), "package.json"));
  new Function("exports", "require", "module", "__filename", "__dirname", text)(mod.exports, req, mod, "/tmp/__provider.js", "/tmp");
  return (mod.exports[exportName] as () => Provider)();
}

const NS = "default";

describe("SeedRetirement provider, serialized, against a fake Kubernetes API and real processes", function () {
  this.timeout(90_000);
  let t: Topology;
  let fake: FakeKubeServer;
  let provider: Provider;
  let serializedText: string;
  let inputs: SeedRetirementInputs;
  let outs: SeedRetirementOutputs;
  let watcher: NodeJS.Timeout | undefined;
  /** Sees every exec; may return a handler to answer it instead. */
  let onExec: ((argv: string[], pod: string) => ((req: Parameters<ExecHandler>[0], run: ExecHandler) => ReturnType<ExecHandler>) | void) | undefined;
  const seedSpec = (): { namespace: string; name: string; containers: string[]; deletionGraceMs: number } =>
    ({ namespace: NS, name: t.seedPod().name, containers: ["redis", "sentinel"], deletionGraceMs: 300 });

  /** Sets replica-priority on these Redis pods and waits until every running Sentinel has read it (for those that are replicas). */
  async function setPriorities(pods: string[], priority: string): Promise<void> {
    for (const p of pods) await t.cli(p, "redis", "CONFIG", "SET", "replica-priority", priority);
    const master = await t.serviceMaster();
    const hosts = pods.map((p) => t.pod(p).host).filter((h) => h !== master);
    let last = "";
    await waitFor(`every sentinel to see replica-priority ${priority}`, 15_000, async () => {
      for (const s of t.runningPods("sentinel")) {
        const lines = (await t.cli(s.name, "sentinel", "SENTINEL", "REPLICAS", t.masterName)).split("\n");
        let ip = "";
        const seen = new Map<string, string>();
        for (let i = 0; i + 1 < lines.length; i += 2) {
          if (lines[i] === "ip") ip = lines[i + 1]!;
          if (lines[i] === "replica-priority" || lines[i] === "slave-priority") seen.set(ip, lines[i + 1]!);
        }
        last = `${s.name}: ${[...seen].map(([h, p]) => `${h.split(".")[0]}=${p}`).join(" ")}`;
        if (hosts.some((h) => seen.get(h) !== priority)) return false;
      }
      return true;
    }, 250).catch((e: Error) => {
      throw new Error(`${e.message}; last seen ${last}`);
    });
  }

  before(async () => {
    t = await Topology.create({ replicas: 2, sentinels: 3, downAfterMs: 3000 });
    fake = await FakeKubeServer.start();
    await t.startAll();
    await quickSentinels(t);
    for (const p of t.pods) fake.addPod({ namespace: NS, name: p.name, containers: p.containers, deletionGraceMs: p.kind === "seed" ? 300 : 0 });
    // The container: redis-cli reaches its own server (the pod's loopback address here); a
    // script of the ConfigMap (/scripts/...) runs from the harness's copy; the container's env.
    const run = localProcessExec({
      rewrite: (argv, req) => (argv[0] === "redis-cli" ? ["redis-cli", "-h", t.pod(req.pod).address, ...argv.slice(1)]
        : argv[0] === "sh" && argv[1]?.startsWith("/scripts/") ? ["sh", path.join(t.scriptsDir, path.basename(argv[1])), ...argv.slice(2)] : argv),
      env: (req) => t.containerEnv(t.pod(req.pod)),
    });
    const handler: ExecHandler = (req) => {
      const override = onExec?.(req.command, req.pod);
      if (override) return override(req, run);
      return run(req);
    };
    fake.setDefaultExec(handler);
    // The "kubelet": when the API server marks the seed pod for deletion, stop its processes.
    watcher = setInterval(() => {
      const pod = fake.getPod(NS, t.seedPod().name) as { metadata?: { deletionTimestamp?: string } } | undefined;
      if (pod?.metadata?.deletionTimestamp && t.isRunning(t.seedPod().name, "redis")) void t.killPod(t.seedPod().name, "SIGTERM", 2000);
    }, 20);
    const serialized = await pulumi.runtime.serializeFunction(() => seedRetirementProvider, { allowSecrets: true });
    serializedText = serialized.text;
    provider = loadSerialized(serialized.text, serialized.exportName);
    const uid = String((fake.getPod(NS, t.seedPod().name) as { metadata: { uid: string } }).metadata.uid);
    inputs = {
      namespace: NS,
      seedPod: t.seedPod().name,
      seedUid: uid,
      masterName: t.masterName,
      redisPods: t.redisPods().map((p) => p.name),
      sentinelPods: t.sentinelPods().map((p) => p.name),
      headlessDomain: `${t.name}-headless.default.svc.cluster.local`,
      kubeconfig: fake.kubeconfig(),
      timeoutSeconds: 60,
    };
  });
  after(async () => {
    if (watcher) clearInterval(watcher);
    await fake?.stop();
    await t?.stopAll();
  });

  it("serializes with client-node as a require() and no secret in the text", () => {
    assert.match(serializedText, /require\("@kubernetes\/client-node[^"]*"\)/);
    assert.ok(!serializedText.includes(t.password), "no password");
    assert.ok(!serializedText.includes(fake.token), "no kube token");
  });

  it("check rejects incomplete inputs with the property named", async () => {
    // seedUid "" is allowed: no seed pod was created (the deployment ran already).
    const r = await provider.check({}, { ...inputs, redisPods: [], seedUid: 7 as unknown as string });
    assert.deepEqual(r.failures?.map((f) => f.property).sort(), ["redisPods", "seedUid"]);
    assert.deepEqual((await provider.check({}, { ...inputs, seedUid: "" })).failures, []);
    assert.deepEqual((await provider.check({}, inputs)).failures, []);
  });

  it("create retires the seed with a continuous writer: outputs name the new master, 0 writes lost, 0 errors", async () => {
    const writer = new ContinuousWriter({ redis: t.clientOptions(), intervalMs: 10 }).start();
    await new Promise((r) => setTimeout(r, 300));
    const res = await provider.create(inputs);
    outs = res.outs as SeedRetirementOutputs;
    const out = await finishScenario(t, writer);
    console.log(`      via kube exec: write pause ${outs.writePauseMs} ms, failover ${outs.failoverMs} ms; client gap ${out.report.longestGapMs} ms, ${out.report.errors} errors, ${out.verify.missing.length} lost`);
    assert.equal(res.id, `${NS}/${t.seedPod().name}`);
    assert.ok(inputs.redisPods.includes(outs.currentMaster), `currentMaster ${outs.currentMaster}`);
    assert.equal(outs.currentMasterHost, `${outs.currentMaster}.${inputs.headlessDomain}`);
    assert.equal(outs.currentMasterHost, out.master);
    assert.equal(outs.retiredSeedUid, inputs.seedUid);
    assert.equal(outs.switchedOver, true);
    assert.ok(outs.writePauseMs > 0);
    assert.ok(!("kubeconfig" in outs), "the kubeconfig is not an output");
    assert.equal(out.report.errors, 0, out.report.errorMessages.join("; "));
    assert.equal(out.verify.missing.length, 0);
    const [del] = fake.requestsTo("DELETE", `/api/v1/namespaces/${NS}/pods/${t.seedPod().name}`);
    assert.deepEqual((del!.body as { preconditions: unknown }).preconditions, { uid: inputs.seedUid });
    assert.equal(fake.getPod(NS, t.seedPod().name), undefined);
  });

  it("diff: same inputs -> no changes (second pulumi up); a new seed uid -> an update", async () => {
    assert.equal((await provider.diff(`${NS}/x`, outs, inputs)).changes, false);
    assert.equal((await provider.diff(`${NS}/x`, outs, { ...inputs, kubeconfig: "other", timeoutSeconds: 5 })).changes, false);
    assert.equal((await provider.diff(`${NS}/x`, outs, { ...inputs, seedUid: "new" })).changes, true);
  });

  it("update with the seed already gone (404) finishes without a failover or a delete", async () => {
    const deletes = fake.requestsTo("DELETE", /pods/).length;
    const res = await provider.update(`${NS}/x`, outs, inputs);
    const o = res.outs as SeedRetirementOutputs;
    assert.equal(o.switchedOver, false);
    assert.equal(o.writePauseMs, 0);
    assert.equal(o.currentMaster, outs.currentMaster);
    assert.equal(fake.requestsTo("DELETE", /pods/).length, deletes);
  });

  it("a recreated seed: 403 on delete fails naming the RBAC rule and leaves it running; after RBAC is fixed, update retires it (409 on a uid race handled)", async () => {
    const uid = fake.recreatePod(seedSpec());
    await t.startPod(t.seedPod().name, { fresh: true });
    await t.waitHealthy({ master: outs.currentMasterHost });
    const news = { ...inputs, seedUid: uid };
    assert.equal((await provider.diff(`${NS}/x`, outs, news)).changes, true);

    fake.forbid({ verb: "delete" });
    await assert.rejects(provider.update(`${NS}/x`, outs, news), (err: Error) => {
      assert.match(err.message, /phase "delete-seed"/);
      assert.match(err.message, /403 Forbidden/);
      assert.ok(err.message.includes(REQUIRED_RBAC_RULES), "names the RBAC rules needed");
      assert.match(err.message, /seed pod was not deleted/);
      return true;
    });
    assert.ok(t.isRunning(t.seedPod().name, "redis"), "the seed keeps running");
    fake.allowAll();

    // The pod is replaced again between the provider's read and its delete: 409, then it retires the newest one.
    let raced = false;
    let newest = "";
    onExec = (argv) => {
      if (!raced && argv.includes("MASTER") && argv.includes("SENTINEL")) {
        raced = true;
        newest = fake.recreatePod(seedSpec());
      }
    };
    const res = await provider.update(`${NS}/x`, outs, news);
    onExec = undefined;
    const o = res.outs as SeedRetirementOutputs;
    assert.equal(o.switchedOver, false);
    assert.equal(o.currentMaster, outs.currentMaster);
    assert.equal(o.retiredSeedUid, uid);
    const dels = fake.requestsTo("DELETE", `/api/v1/namespaces/${NS}/pods/${t.seedPod().name}`).slice(-2);
    assert.deepEqual(dels.map((d) => [(d.body as { preconditions: { uid: string } }).preconditions.uid, d.status]), [[uid, 409], [newest, 200]]);
    assert.equal(fake.getPod(NS, t.seedPod().name), undefined);
    assert.ok(!t.isRunning(t.seedPod().name, "redis"));
  });

  it("a seed that is master again, the exec starting the handover cut: the handover goes on in the pod, later execs read its result; one handover, 0 lost, 0 errors", async () => {
    // A recreated seed joins as a replica; make it the master (the only eligible replica), then put the priorities back.
    const uid = fake.recreatePod(seedSpec());
    await t.startPod(t.seedPod().name, { fresh: true });
    await t.waitHealthy({ master: outs.currentMasterHost });
    await quickSentinels(t);
    await setPriorities(t.redisPods().map((p) => p.name), "0");
    await t.failover();
    await t.waitHealthy({ master: t.seedPod().host });
    await setPriorities(t.redisPods().map((p) => p.name), "100");

    // The exec of `handover.sh start` runs, and its connection closes 150 ms later without an
    // exit status: the exec'd process is killed (as a runtime does), the handover it detached is not.
    let cut = 0;
    onExec = (argv, pod) => {
      if (pod !== t.seedPod().name || !argv.includes("start") || !argv.some((a) => a.endsWith("handover.sh"))) return;
      cut += 1;
      return (req, exec) => new Promise((resolve) => {
        void exec(req);
        setTimeout(() => resolve({ closeWithoutStatus: true }), 150);
      });
    };
    const writer = new ContinuousWriter({ redis: t.clientOptions(), intervalMs: 10 }).start();
    await new Promise((r) => setTimeout(r, 300));
    const requestsBefore = fake.requests.length;
    let o: SeedRetirementOutputs;
    try {
      o = (await provider.update(`${NS}/x`, outs, { ...inputs, seedUid: uid })).outs as SeedRetirementOutputs;
    } finally {
      onExec = undefined;
    }
    const out = await finishScenario(t, writer);
    console.log(`      start exec cut: write pause ${o.writePauseMs} ms; client gap ${out.report.longestGapMs} ms, ${out.report.errors} errors, ${out.verify.missing.length} lost`);
    assert.equal(cut, 1, "one handover was started");
    assert.equal(o.switchedOver, true);
    assert.notEqual(o.currentMasterHost, t.seedPod().host);
    assert.equal(out.master, o.currentMasterHost);
    const execs = fake.requests.slice(requestsBefore).filter((r) => r.method === "GET" && r.path.endsWith("/exec") && r.query.command?.some((c) => c.endsWith("handover.sh")) && r.path.includes(t.seedPod().name));
    const verbs = execs.map((r) => r.query.command?.[2]);
    assert.ok(verbs.filter((v) => v === "start").length === 1 && verbs.includes("status"), `handover execs: ${verbs.join(", ")}`);
    const podLog = fs.readFileSync(path.join(t.seedPod().dir, "data", "rs-handover.log"), "utf8");
    assert.equal(podLog.match(/handover \S+ started/g)?.length, 1, podLog);
    assert.equal(fake.getPod(NS, t.seedPod().name), undefined, "the seed pod was deleted");
    assert.equal(out.report.errors, 0, out.report.errorMessages.join("; "));
    assert.equal(out.verify.missing.length, 0);
    outs = o;
  });

  it("a 403 on reading the seed pod fails before anything is changed", async () => {
    fake.forbid({ verb: "get" });
    try {
      await assert.rejects(provider.update(`${NS}/x`, outs, inputs), /phase "locate".*403 Forbidden.*Nothing was changed/s);
    } finally {
      fake.allowAll();
    }
  });

  it("scale-down (Redis 2 -> 1, Sentinels 3 -> 2): the update waits for the removed pods, resets the Sentinels one at a time with quorum kept, and each lists exactly the pods that remain", async () => {
    const [keptRedis, goneRedis] = inputs.redisPods as [string, string];
    const goneSentinel = inputs.sentinelPods[2]!;
    const retired = { ...inputs, seedUid: outs.retiredSeedUid };
    const news = { ...retired, redisPods: [keptRedis], sentinelPods: inputs.sentinelPods.slice(0, 2) };
    const olds: SeedRetirementOutputs = { ...outs, redisPods: inputs.redisPods, sentinelPods: inputs.sentinelPods };
    assert.equal((await provider.diff(`${NS}/x`, olds, retired)).changes, false);
    assert.equal((await provider.diff(`${NS}/x`, olds, news)).changes, true);
    const masterBefore = await t.serviceMaster();
    // The StatefulSet controller: SIGTERM to the removed pods (a master hands over in its
    // handler first), their API objects go once the processes are gone.
    const removing = (async () => {
      await Promise.all([t.killPod(goneRedis, "SIGTERM", 25_000), t.killPod(goneSentinel, "SIGTERM", 5000)]);
      fake.pods.remove(NS, goneRedis);
      fake.pods.remove(NS, goneSentinel);
    })();
    // "Quorum kept": at every sample, some remaining Sentinel can authorize a failover (CKQUORUM OK).
    const samples: number[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const ok = await Promise.all(news.sentinelPods.map((s) => t.cli(s, "sentinel", "SENTINEL", "CKQUORUM", t.masterName).then((r) => r.startsWith("OK"), () => false)));
        samples.push(ok.filter(Boolean).length);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const lines: string[] = [];
    const realLog = console.log;
    console.log = (line: string) => void lines.push(String(line));
    let o: SeedRetirementOutputs;
    try {
      o = (await provider.update(`${NS}/x`, olds, { ...news, timeoutSeconds: 60 })).outs as SeedRetirementOutputs;
    } finally {
      console.log = realLog;
      sampling = false;
      await sampler;
      await removing;
    }
    assert.deepEqual([o.redisPods, o.sentinelPods], [news.redisPods, news.sentinelPods]);
    assert.equal(o.currentMaster, keptRedis, `master before: ${masterBefore}`);
    assert.equal(o.switchedOver, false);
    const settleAt = lines.findIndex((l) => l.includes("phase settle"));
    const resets = lines.map((l, i) => [l, i] as const).filter(([l]) => /SENTINEL RESET/.test(l));
    assert.ok(settleAt >= 0 && resets.length === 2 && resets.every(([, i]) => i > settleAt), lines.join("\n"));
    assert.ok(samples.length > 0 && Math.min(...samples) >= 1, `CKQUORUM OK counts: ${samples.join(",")}`);
    const ips = (text: string): string[] => {
      const l = text.split("\n");
      return l.flatMap((x, i) => (x === "ip" ? [l[i + 1]!.split(".")[0]!] : [])).sort();
    };
    for (const s of news.sentinelPods) {
      assert.deepEqual(ips(await t.cli(s, "sentinel", "SENTINEL", "REPLICAS", t.masterName)), [], `${s} lists replicas`);
      assert.deepEqual(ips(await t.cli(s, "sentinel", "SENTINEL", "SENTINELS", t.masterName)), news.sentinelPods.filter((x) => x !== s), `${s} lists sentinels`);
    }
    outs = o;
  });

  it("delete (pulumi destroy) and read change nothing", async () => {
    const before = fake.requests.length;
    await provider.delete(`${NS}/x`, outs);
    assert.deepEqual(await provider.read(`${NS}/x`, outs), { id: `${NS}/x`, props: outs });
    assert.equal(fake.requests.length, before);
  });
});
