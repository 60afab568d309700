// The provider's reading of handover.sh's output (pure), on outputs recorded from real runs
// (fixtures/handover-*.txt, recorded by record-handover-fixtures.ts).
import { strict as assert } from "assert";
import { handoverArgs, handoverVerdict, isFinal, parseHandoverState } from "../../../src/retirement/handover";
import { handoverFixture } from "./fixture-transport";

const state = (name: string) => parseHandoverState(handoverFixture(name));

describe("handover: the state handover.sh prints", () => {
  it("a successful handover: the new master, the write pause, the failover timing and every step's duration", () => {
    const s = state("done");
    assert.equal(s.state, "done");
    assert.equal(s.issued, "yes");
    assert.match(s.newMaster, /^rs\d+-redis-\d\./);
    assert.ok(s.pauseMs! > 0 && s.pauseMs! < 5000, `pause ${s.pauseMs}`);
    assert.ok(s.failoverMs! > 0 && s.failoverMs! <= s.pauseMs!);
    assert.ok(s.failoverAfterInfoMs! >= 600 && s.failoverAfterInfoMs! < 900, `sent ${s.failoverAfterInfoMs} ms after the INFO`);
    assert.deepEqual(s.phases.map((p) => p.name), ["check", "align-info", "pause", "catch-up", "failover", "confirm", "move-clients", "converge"]);
    assert.ok(s.log.some((l) => /clients moved to/.test(l)));
    assert.ok(isFinal(s));
    assert.deepEqual(handoverVerdict(s), { kind: "done", newMaster: s.newMaster });
  });

  it("start reports whether it started the handover or joined the one already running", () => {
    const started = state("started");
    const joined = state("joined");
    assert.equal(started.action, "started");
    assert.equal(joined.action, "joined");
    assert.equal(joined.id, started.id, "the second start joined the first handover");
    assert.equal(joined.state, "running");
    assert.ok(!isFinal(joined));
    assert.equal(state("done").action, undefined, "status does not say");
  });

  it("SENTINEL FAILOVER with no answer: failed in confirm, issued maybe, the seed left paused and not deleted", () => {
    const v = handoverVerdict(state("no-answer"));
    assert.equal(v.kind, "failed");
    if (v.kind !== "failed") return;
    assert.equal(v.phase, "confirm");
    assert.match(v.unmet, /another server serves as master within 8s/);
    assert.match(v.observed, /no answer/);
    assert.match(v.seedState, /SENTINEL FAILOVER was issued \(it got no answer, so it may or may not have reached Sentinel\); the seed was not deleted and was left paused until/);
  });

  it("a refusal (NOGOODSLAVE) and replicas that do not catch up: no failover, the pause lifted, the seed left as master", () => {
    const refused = handoverVerdict(state("refused"));
    assert.equal(refused.kind, "failed");
    if (refused.kind !== "failed") return;
    assert.equal(refused.phase, "failover");
    assert.match(refused.observed, /replied NOGOODSLAVE/);
    assert.match(refused.seedState, /^The seed was left running as master; no failover was issued and its pause was lifted; nothing was changed\.$/);
    const lagging = handoverVerdict(state("catch-up-failed"));
    assert.equal(lagging.kind, "failed");
    if (lagging.kind !== "failed") return;
    assert.equal(lagging.phase, "catch-up");
    assert.match(lagging.unmet, /every replica reached offset \d+ within 1s/);
    assert.match(lagging.observed, /behind: \S+ \(master \?, link \?, offset -1\)/);
  });

  it("a handover whose process died: interrupted in the step it was in; once past the pause the seed may be left paused", () => {
    const s = state("interrupted");
    assert.equal(s.state, "interrupted");
    assert.ok(isFinal(s));
    const v = handoverVerdict(s);
    assert.equal(v.kind, "failed");
    if (v.kind !== "failed") return;
    assert.equal(v.phase, "pause");
    assert.equal(v.unmet, "the handover in the seed pod finishes");
    assert.match(v.seedState, /may be paused/);
    const before = handoverVerdict({ ...s, phase: "align-info" });
    assert.ok(before.kind === "failed" && /nothing was changed/.test(before.seedState));
    const after = handoverVerdict({ ...s, phase: "confirm" });
    assert.ok(after.kind === "failed" && /SENTINEL FAILOVER was issued/.test(after.seedState));
  });

  it("nothing to hand over (this server is a replica): skipped, with the reason", () => {
    assert.deepEqual(handoverVerdict(state("skipped")), { kind: "skipped", reason: "this server is slave, not a master" });
  });

  it("refuses text that is not a handover state", () => {
    assert.throws(() => parseHandoverState("sh: 1: /scripts/handover.sh: not found\n"), /not a handover state/);
    assert.throws(() => parseHandoverState("handover-state v1\nstate=bogus\n"), /not a handover state/);
    assert.equal(parseHandoverState("handover-state v1\nstate=none\n").state, "none");
  });

  it("the retirement's arguments: the set's Sentinels then the seed's, the replicas, the strict catch-up, the bounds", () => {
    const target = { masterName: "m", seed: "s.h", replicas: ["r0.h", "r1.h"], sentinels: ["x0.h", "x1.h", "x2.h"] };
    assert.deepEqual(handoverArgs(target, { id: "a", timeoutS: 60, waitS: 10 }), [
      "--id", "a", "--sentinels", "x0.h x1.h x2.h s.h", "--replicas", "r0.h r1.h", "--require-sync", "--timeout-s", "60", "--sync-wait-s", "5", "--wait-s", "10",
    ]);
    const more = handoverArgs(target, { id: "a", timeoutS: 8.4, waitS: 0, alignInfo: false, failoverAtMs: 700, failoverRetryMs: 200, pauseMs: 300, convergeMs: 500 });
    assert.deepEqual(more.slice(7), ["--timeout-s", "8", "--sync-wait-s", "5", "--wait-s", "0", "--no-align", "--failover-at-ms", "700", "--failover-retry-ms", "200", "--pause-ms", "300", "--converge-ms", "500"]);
  });
});
