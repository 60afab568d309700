// retireSeed's safety rules on recorded replies (no processes): the Sentinels are replayed from
// the "whole" fixture, and single commands are scripted to fail in the ways that matter.
import { strict as assert } from "assert";
import { isRetirementError, retireSeed, RetirementError, SeedPodControl } from "../../../src/retirement/retire";
import { CliResult, NodeRole } from "../../../src/retirement/transport";
import { FixtureTransport } from "./fixture-transport";

const target = { masterName: "mymaster", seed: "127.0.0.2", replicas: ["127.0.0.3", "127.0.0.4"], sentinels: ["127.0.0.5", "127.0.0.6", "127.0.0.7"] };
const OK: CliResult = { stdout: "OK\n", stderr: "", exitCode: 0 };

function seedPod(): SeedPodControl & { deleted: string[] } {
  const deleted: string[] = [];
  return {
    deleted,
    get: async () => ({ uid: "uid-1" }),
    delete: async (uid) => { deleted.push(uid); return "deleted"; },
    waitGone: async () => undefined,
  };
}

async function failure(p: Promise<unknown>): Promise<RetirementError> {
  try {
    await p;
  } catch (err) {
    assert.ok(isRetirementError(err), String(err));
    return err;
  }
  return assert.fail("expected the retirement to fail");
}

/** The "whole" fixture, with CLIENT PAUSE/UNPAUSE answered OK and `script` deciding other commands. */
function transport(script: (role: NodeRole, host: string, args: string[]) => CliResult | undefined): FixtureTransport {
  return new FixtureTransport("whole", (role, host, args) => {
    const cmd = args.join(" ").toUpperCase();
    if (cmd.startsWith("CLIENT PAUSE") || cmd === "CLIENT UNPAUSE") return OK;
    return script(role, host, args);
  });
}

const run = (t: FixtureTransport, pod = seedPod(), timeoutMs = 600) =>
  retireSeed({ transport: t, seedPod: pod, target, timeoutMs, pollMs: 50, fastPollMs: 20, pauseMs: 300, failoverRetryMs: 200 });

describe("retirement: safety rules on recorded replies", function () {
  this.timeout(10_000);

  it("failover issued but never confirmed: fails in 'confirm', the seed is neither unpaused nor deleted", async () => {
    const t = transport((_r, _h, args) => (args.join(" ").toUpperCase().startsWith("SENTINEL FAILOVER") ? OK : undefined));
    const pod = seedPod();
    const err = await failure(run(t, pod));
    assert.equal(err.phase, "confirm");
    assert.match(err.message, /the sentinels name a new master \(not the seed\)/);
    assert.match(err.message, /SENTINEL FAILOVER was issued; the seed was not deleted/);
    assert.deepEqual(pod.deleted, []);
    assert.ok(!t.asked.some((a) => a.includes("CLIENT UNPAUSE")), "never unpaused after the failover was issued");
    assert.ok(t.asked.filter((a) => a.includes("CLIENT PAUSE")).length >= 2, "the pause was extended while waiting");
  });

  it("SENTINEL FAILOVER without a reply (transport error) counts as issued: no unpause, no delete", async () => {
    const t = transport((_r, _h, args) => (args.join(" ").toUpperCase().startsWith("SENTINEL FAILOVER") ? { stdout: "", stderr: "Error: Connection reset by peer", exitCode: 1 } : undefined));
    const pod = seedPod();
    const err = await failure(run(t, pod));
    assert.equal(err.phase, "confirm");
    assert.ok(!t.asked.some((a) => a.includes("CLIENT UNPAUSE")));
    assert.deepEqual(pod.deleted, []);
  });

  it("replicas that never catch up: fails in 'catch-up', unpauses the seed and never asks for a failover", async () => {
    const t = transport((role, host, args) =>
      role === "redis" && host === "127.0.0.4" && args[0] === "INFO"
        ? { stdout: "# Replication\r\nrole:slave\r\nmaster_host:127.0.0.2\r\nmaster_link_status:up\r\nslave_repl_offset:100\r\n", stderr: "", exitCode: 0 }
        : undefined);
    const err = await failure(run(t));
    assert.equal(err.phase, "catch-up");
    assert.match(err.message, /replica 127\.0\.0\.4 reached the seed's offset 90760/);
    assert.match(err.message, /left running as master/);
    assert.ok(t.asked.some((a) => a.includes("CLIENT UNPAUSE")), "pause lifted");
    assert.ok(!t.asked.some((a) => a.toUpperCase().includes("SENTINEL FAILOVER")), "no failover asked");
  });

  it("INPROG (a failover already running) is confirmed rather than retried or unpaused", async () => {
    const t = transport((_r, _h, args) => (args.join(" ").toUpperCase().startsWith("SENTINEL FAILOVER") ? { stdout: "(error) INPROG Failover already in progress\n", stderr: "", exitCode: 0 } : undefined));
    const err = await failure(run(t));
    assert.equal(err.phase, "confirm");
    assert.equal(t.asked.filter((a) => a.toUpperCase().includes("SENTINEL FAILOVER")).length, 1);
    assert.ok(!t.asked.some((a) => a.includes("CLIENT UNPAUSE")));
  });
});

describe("retirement: error text", () => {
  it("rebuilds a Kubernetes error that lost its message in closure serialization, with the RBAC hint on 403", async () => {
    const { errText } = await import("../../../src/retirement/retire");
    const { REQUIRED_RBAC_RULES } = await import("../../../src/kube");
    // what `new KubeApiError(...)` becomes in serialized code: fields set, no message
    const lost = { name: "KubeApiError", code: 403, target: { verb: "delete", resource: "pods", namespace: "ns", name: "r-seed" } };
    assert.equal(errText(lost), `Kubernetes API refused to delete pods "r-seed" in namespace "ns": 403 Forbidden. The kubeconfig's identity needs a Role in namespace "ns" bound to it with ${REQUIRED_RBAC_RULES}`);
    assert.equal(errText({ ...lost, code: 500 }), 'Kubernetes API call failed: delete pods "r-seed" in namespace "ns": HTTP 500');
    assert.equal(errText(new Error("plain")), "plain");
    assert.equal(errText("text"), "text");
  });
});
