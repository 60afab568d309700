// The seed retirement with TLS on, end to end on real processes: the harness topology with
// RS_TLS=yes (openssl certificates, plain-text ports closed), the SeedRetirement provider
// serialized as Pulumi runs it and driven against the loopback fake Kubernetes API, its execs run
// as the pods' containers would run them (redis-cli with the options the provider gives, the CA at
// the container's /tls; handover.sh with the container's environment). An ioredis application
// writes over TLS through the Sentinel Service all along: 0 lost, 0 errors. Without the `tls`
// input the provider's redis-cli cannot talk to the servers: the retirement stops in its first
// phase and leaves the seed as the master.
import { strict as assert } from "assert";
import { createRequire } from "module";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { SeedRetirementInputs, SeedRetirementOutputs } from "../../../src/retirement/provider";
import { seedRetirementProvider } from "../../../src/retirement/resource";
import { FakeKubeServer, localProcessExec } from "../../fakekube";
import { ContinuousWriter, finishScenario, Topology } from "../../harness";
import { quickSentinels } from "./harness-adapter";

type Provider = Required<Pick<pulumi.dynamic.ResourceProvider, "create" | "check">>;

function loadSerialized(text: string, exportName: string): Provider {
  const mod = { exports: {} as Record<string, unknown> };
  const req = createRequire(path.join(process.cwd(), "package.json"));
  new Function("exports", "require", "module", "__filename", "__dirname", text)(mod.exports, req, mod, "/tmp/__provider.js", "/tmp");
  return (mod.exports[exportName] as () => Provider)();
}

const NS = "default";

describe("seed retirement over TLS: serialized provider, fake Kubernetes API, real processes", function () {
  this.timeout(120_000);
  let t: Topology;
  let fake: FakeKubeServer;
  let provider: Provider;
  let inputs: SeedRetirementInputs;
  let watcher: NodeJS.Timeout | undefined;
  const execs: string[][] = [];
  let failed = false;

  before(async () => {
    t = await Topology.create({ replicas: 2, sentinels: 3, downAfterMs: 3000, tls: true });
    fake = await FakeKubeServer.start();
    await t.startAll();
    await quickSentinels(t);
    for (const p of t.pods) fake.addPod({ namespace: NS, name: p.name, containers: p.containers, deletionGraceMs: p.kind === "seed" ? 300 : 0 });
    // The container: its certificate Secret is mounted at /tls (here: the harness's certificate
    // dir), redis-cli reaches its own server, the scripts run from the harness's copy.
    const tlsDir = t.tls!.dir;
    const inContainer = (arg: string): string => (arg.startsWith("/tls/") ? path.join(tlsDir, path.basename(arg)) : arg);
    fake.setDefaultExec(localProcessExec({
      rewrite: (argv, req) => {
        execs.push(argv);
        if (argv[0] === "redis-cli") return ["redis-cli", "-h", t.pod(req.pod).address, ...argv.slice(1).map(inContainer)];
        if (argv[0] === "sh" && argv[1]?.startsWith("/scripts/")) return ["sh", path.join(t.scriptsDir, path.basename(argv[1])), ...argv.slice(2)];
        return argv;
      },
      env: (req) => t.containerEnv(t.pod(req.pod)),
    }));
    watcher = setInterval(() => {
      const pod = fake.getPod(NS, t.seedPod().name) as { metadata?: { deletionTimestamp?: string } } | undefined;
      if (pod?.metadata?.deletionTimestamp && t.isRunning(t.seedPod().name, "redis")) void t.killPod(t.seedPod().name, "SIGTERM", 2000);
    }, 20);
    const serialized = await pulumi.runtime.serializeFunction(() => seedRetirementProvider, { allowSecrets: true });
    provider = loadSerialized(serialized.text, serialized.exportName);
    inputs = {
      namespace: NS,
      seedPod: t.seedPod().name,
      seedUid: String((fake.getPod(NS, t.seedPod().name) as { metadata: { uid: string } }).metadata.uid),
      masterName: t.masterName,
      redisPods: t.redisPods().map((p) => p.name),
      sentinelPods: t.sentinelPods().map((p) => p.name),
      headlessDomain: `${t.name}-headless.default.svc.cluster.local`,
      kubeconfig: fake.kubeconfig(),
      timeoutSeconds: 60,
      tls: true,
    };
  });
  afterEach(function () {
    if (this.currentTest?.state === "failed") failed = true;
  });
  after(async () => {
    if (watcher) clearInterval(watcher);
    await fake?.stop();
    await t?.stopAll({ keepDir: failed });
    if (failed) console.log(`      logs kept in ${t?.dir}`);
  });

  it("check refuses a tls input that is not a boolean", async () => {
    const r = await provider.check({}, { ...inputs, tls: "yes" as unknown as boolean });
    assert.deepEqual(r.failures?.map((f) => f.property), ["tls"]);
    assert.deepEqual((await provider.check({}, inputs)).failures, []);
  });

  it("without the tls input its redis-cli gets no answer: stops in the first phase, the seed left as master", async () => {
    const started = Date.now();
    await assert.rejects(provider.create({ ...inputs, tls: false, timeoutSeconds: 4 }), (e: Error) => {
      assert.match(e.message, /phase "(locate|preconditions)"/);
      assert.match(e.message, /left running as master|nothing was issued|was not changed/);
      return true;
    });
    assert.ok(Date.now() - started < 20_000);
    assert.equal(await t.serviceMaster(), t.seedPod().host);
    assert.ok(fake.getPod(NS, t.seedPod().name), "the seed pod is not deleted");
  });

  it("with tls: retires the seed over TLS (every redis-cli exec with --tls --cacert /tls/ca.crt); an ioredis writer over TLS through Sentinel: 0 lost, 0 errors", async () => {
    execs.length = 0;
    const writer = new ContinuousWriter({ redis: t.clientOptions(), intervalMs: 10 }).start();
    await new Promise((r) => setTimeout(r, 300));
    const outs = (await provider.create(inputs)).outs as SeedRetirementOutputs;
    const end = await finishScenario(t, writer);
    console.log(`      over TLS: write pause ${outs.writePauseMs} ms; client gap ${end.report.longestGapMs} ms, ${end.report.acked} acknowledged, ${end.report.errors} errors, ${end.verify.missing.length} lost`);
    assert.equal(outs.switchedOver, true);
    assert.equal(outs.currentMasterHost, end.master);
    assert.notEqual(end.master, t.seedPod().host);
    assert.equal(end.report.errors, 0, end.report.errorMessages.join("; "));
    assert.equal(end.verify.missing.length, 0);
    assert.ok(end.report.acked > 50, `acknowledged ${end.report.acked}`);
    assert.equal(fake.getPod(NS, t.seedPod().name), undefined, "the seed pod is deleted");
    const clis = execs.filter((a) => a[0] === "redis-cli");
    assert.ok(clis.length > 10, `${clis.length} redis-cli execs`);
    for (const argv of clis) assert.deepEqual(argv.slice(1, 4), ["--tls", "--cacert", "/tls/ca.crt"], argv.join(" "));
    assert.ok(execs.some((a) => a[0] === "sh" && a[1] === "/scripts/handover.sh"), "the handover ran in the seed's container");
  });
});
