// retireSeed's safety rules around the in-pod handover, on recorded replies (no processes): the
// Sentinels are replayed from the "whole" fixture (the seed is master, the topology whole), and
// handover.sh's runs are answered with its outputs recorded from real runs (fixtures/handover-*).
import { strict as assert } from "assert";
import { isRetirementError, retireSeed, RetirementError, SeedPodControl } from "../../../src/retirement/retire";
import { CliResult } from "../../../src/retirement/transport";
import { FixtureTransport, handoverFixture, ScriptAnswer } from "./fixture-transport";

const target = { masterName: "mymaster", seed: "127.0.0.2", replicas: ["127.0.0.3", "127.0.0.4"], sentinels: ["127.0.0.5", "127.0.0.6", "127.0.0.7"] };

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

const out = (stdout: string): CliResult => ({ stdout, stderr: "", exitCode: 0 });
const idOf = (args: readonly string[]): string => args[args.indexOf("--id") + 1] ?? "";
const none = out("handover-state v1\nstate=none\n");

/** handover.sh answers: `start` -> the recorded fixture `name` (under the caller's id); `status` -> `status(...)` or nothing so far. */
function answering(name: string, status: () => CliResult = () => none): ScriptAnswer & { starts: number } {
  let id = "";
  const f = Object.assign((args: readonly string[]) => {
    if (args[0] === "start") {
      f.starts += 1;
      id = idOf(args);
      return out(handoverFixture(name, id));
    }
    return args[0] === "status" ? status() : undefined;
  }, { starts: 0 });
  return f;
}

const run = (script: ScriptAnswer, pod = seedPod(), timeoutMs = 3000) => {
  const t = new FixtureTransport("whole", undefined, script);
  return { t, pod, result: retireSeed({ transport: t, seedPod: pod, target, timeoutMs, pollMs: 50 }) };
};

/** The provider itself never pauses, unpauses or fails over: all of it happens in the pod. */
function assertNoSwitchoverCommands(t: FixtureTransport): void {
  assert.deepEqual(t.asked.filter((a) => /CLIENT (UN)?PAUSE|SENTINEL FAILOVER|CLIENT KILL/i.test(a) && !a.includes(" sh ")), []);
}

describe("retirement: safety rules around the in-pod handover, on recorded replies", function () {
  this.timeout(10_000);

  it("SENTINEL FAILOVER got no answer in the pod: fails in 'confirm', the seed neither unpaused nor deleted", async () => {
    const { t, pod, result } = run(answering("no-answer"));
    const err = await failure(result);
    assert.equal(err.phase, "confirm");
    assert.match(err.message, /another server serves as master within 8s/);
    assert.match(err.message, /SENTINEL FAILOVER was issued \(it got no answer.*the seed was not deleted and was left paused until/);
    assert.deepEqual(pod.deleted, []);
    assertNoSwitchoverCommands(t);
  });

  it("Sentinel refused (NOGOODSLAVE): fails in 'failover', naming the reply; the seed left running as master", async () => {
    const { pod, result } = run(answering("refused"));
    const err = await failure(result);
    assert.equal(err.phase, "failover");
    assert.match(err.unmet, /Sentinel accepts SENTINEL FAILOVER/);
    assert.match(err.observed, /NOGOODSLAVE/);
    assert.match(err.seedState, /left running as master; no failover was issued and its pause was lifted/);
    assert.deepEqual(pod.deleted, []);
  });

  it("replicas that never caught up: fails in 'catch-up' with no failover issued", async () => {
    const err = await failure(run(answering("catch-up-failed")).result);
    assert.equal(err.phase, "catch-up");
    assert.match(err.message, /every replica reached offset \d+ within 1s/);
    assert.match(err.message, /no failover was issued/);
  });

  it("the exec starting the handover is cut: its result is read back with later execs (status)", async () => {
    let id = "";
    let statuses = 0;
    const script: ScriptAnswer = (args) => {
      if (args[0] === "start") {
        id = idOf(args);
        return undefined; // the connection closed without an exit status
      }
      statuses += 1;
      return out(handoverFixture(statuses < 3 ? "joined" : "refused", id));
    };
    const err = await failure(run(script).result);
    assert.equal(err.phase, "failover", "the state read back decided");
    assert.ok(statuses >= 3, `status read ${statuses} times`);
  });

  it("a handover already running in the pod (an earlier run): waits for it, never starts a second one meanwhile", async () => {
    let calls = 0;
    let startedWhileRunning = false;
    const script = answering("done", () => {
      calls += 1;
      return out(handoverFixture(calls < 4 ? "started" : "refused", "earlier-run"));
    });
    const guarded: ScriptAnswer = (args) => {
      if (args[0] === "start" && calls < 4) startedWhileRunning = true;
      return script(args);
    };
    const { t, result } = run(guarded);
    const err = await failure(result);
    assert.ok(!startedWhileRunning, "a handover was started while the earlier one ran");
    assert.ok(calls >= 4, `status read ${calls} times`);
    assert.ok(t.asked.findIndex((a) => a.includes("sh handover.sh status")) < t.asked.findIndex((a) => a.includes("SENTINEL GET-MASTER-ADDR-BY-NAME")), "the pod is asked first");
    // The earlier handover failed (refused), the topology is whole: this run then hands over
    // itself, once (its recorded success is followed by Sentinels that still name the seed).
    assert.equal(script.starts, 1);
    assert.equal(err.phase, "failover-finished");
  });

  it("a handover that never ends: fails at the deadline, the seed not deleted", async () => {
    let id = "";
    const script: ScriptAnswer = (args) => {
      if (args[0] === "start") id = idOf(args);
      return id ? out(handoverFixture(args[0] === "start" ? "started" : "joined", id)) : none;
    };
    const { pod, result } = run(script, seedPod(), 1500);
    const err = await failure(result);
    assert.equal(err.phase, "handover");
    assert.match(err.message, /the handover in the seed pod ends before the deadline/);
    assert.match(err.message, /if the handover paused it, the pause stays/);
    assert.deepEqual(pod.deleted, []);
  });

  it("a handover that succeeded while the Sentinels still name the seed: the seed is not deleted", async () => {
    const { pod, result } = run(answering("done"));
    const err = await failure(result);
    assert.equal(err.phase, "failover-finished");
    assert.match(err.message, /finished the failover to rs\d+-redis-\d\./);
    assert.deepEqual(pod.deleted, []);
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
