// The pure parts of the password rotation: what an `up` plans from the recorded state, what the
// Secret then lists, how password.sh's answers are read, and the pod template annotation.
import { strict as assert } from "assert";
import { hashList, parseStepResult, planRotation, sha256Hex, withPasswordRevision } from "../../../src/rotation";
import { diffRotation, inputFailures, UNKNOWN } from "../../../src/rotation/provider";
import { PASSWORD_REVISION_ANNOTATION } from "../../../src/rotation/resource";

const A = "password-a", B = "password-b", C = "password-c";
const h = sha256Hex;

describe("password rotation: the plan (pure)", () => {
    it("hashes as Redis ACL does (`#<sha256 hex>`)", () => {
        // ACL GETUSER default on redis-sentinel 7.0.15 after `ACL SETUSER default >new-pass`.
        assert.equal(sha256Hex("new-pass"), "b0b7ae3c584aaed0ddd3d6591be2dcaea398e4609940d2b28934aab1084b29bf");
    });

    it("first run: records the password, nothing earlier, revision 1", () => {
        assert.deepEqual(planRotation(undefined, A, false), { kind: "record", passwordSha256: h(A), previousSha256: "", revision: 1 });
        assert.deepEqual(planRotation(undefined, A, true).kind, "record");
    });

    it("a new password: rotate; the old one joins the earlier ones; the revision moves on", () => {
        const first = planRotation(undefined, A, false);
        const second = planRotation(first, B, false);
        assert.deepEqual(second, { kind: "rotate", passwordSha256: h(B), previousSha256: h(A), revision: 2 });
        const third = planRotation(second, C, false);
        assert.deepEqual(third, { kind: "rotate", passwordSha256: h(C), previousSha256: `${h(A)} ${h(B)}`, revision: 3 });
    });

    it("a rotation never drops, even with dropPreviousPasswords: the roll needs the old password accepted", () => {
        const rotated = planRotation(planRotation(undefined, A, false), B, true);
        assert.equal(rotated.kind, "rotate");
        assert.equal(rotated.previousSha256, h(A));
    });

    it("dropPreviousPasswords with the same password: drop, nothing earlier left, same revision (no roll)", () => {
        const rotated = planRotation(planRotation(undefined, A, false), B, false);
        assert.deepEqual(planRotation(rotated, B, true), { kind: "drop", passwordSha256: h(B), previousSha256: "", revision: 2 });
        assert.deepEqual(planRotation(rotated, B, false), { kind: "none", passwordSha256: h(B), previousSha256: h(A), revision: 2 });
        const dropped = planRotation(rotated, B, true);
        assert.equal(planRotation(dropped, B, true).kind, "none", "nothing left to drop: a second up changes nothing");
    });

    it("rotating back to an earlier password takes it out of the earlier ones", () => {
        const rotated = planRotation(planRotation(undefined, A, false), B, false);
        assert.deepEqual(planRotation(rotated, A, false), { kind: "rotate", passwordSha256: h(A), previousSha256: h(B), revision: 3 });
    });

    it("reads only well-formed hashes from the recorded list", () => {
        assert.deepEqual(hashList(`${h(A)}  junk ${h(B)}\n`), [h(A), h(B)]);
        assert.deepEqual(hashList(undefined), []);
    });

    it("the provider's diff: a change only to rotate or drop; unknown password at preview counts as a change", () => {
        const base = { namespace: "ns", seedPod: "r-seed", redisPods: ["r-redis-0"], sentinelPods: ["r-sentinel-0"], headlessDomain: "r-headless.ns.svc.cluster.local" };
        const rec = { ...planRotation(undefined, A, false), namespace: "ns", headlessDomain: base.headlessDomain, lastAction: "record" as const, changed: [] };
        assert.equal(diffRotation(rec, { ...base, password: A }).changes, false);
        assert.equal(diffRotation(rec, { ...base, password: A, redisPods: ["r-redis-0", "r-redis-1"] }).changes, false, "a scale is not a rotation");
        assert.equal(diffRotation(rec, { ...base, password: B }).changes, true);
        assert.equal(diffRotation(rec, { ...base, password: UNKNOWN }).changes, true);
    });

    it("the provider's check names the property and never echoes a password", () => {
        const failures = inputFailures({ namespace: "", password: "", seedPod: "s", redisPods: [""], sentinelPods: [], headlessDomain: "d" });
        assert.deepEqual(failures.map((f) => f.property).sort(), ["namespace", "password", "redisPods"]);
        assert.deepEqual(inputFailures({ namespace: "n", password: A, seedPod: "s", redisPods: ["r"], sentinelPods: ["s"], headlessDomain: "d" }), []);
        assert.ok(!JSON.stringify(inputFailures({ password: 42 as unknown as string })).includes("42"));
    });
});

describe("password rotation: password.sh's answers and the pod template", () => {
    it("reads the last result line", () => {
        assert.deepEqual(parseStepResult("noise\nresult=ok\n"), { result: "ok" });
        assert.deepEqual(parseStepResult("result=not-rolled"), { result: "not-rolled" });
        assert.deepEqual(parseStepResult("result=failed reason=ACL SETUSER default refused\n"), { result: "failed", reason: "ACL SETUSER default refused" });
        assert.deepEqual(parseStepResult(""), { result: "none" });
    });

    it("adds the revision to the pod template's annotations, keeping the others", () => {
        const spec = { replicas: 3, template: { metadata: { labels: { a: "b" }, annotations: { x: "y" } }, spec: {} } };
        const out = withPasswordRevision(spec, 4);
        assert.deepEqual(out.template, { metadata: { labels: { a: "b" }, annotations: { x: "y", [PASSWORD_REVISION_ANNOTATION]: "4" } }, spec: {} });
        assert.equal(spec.template.metadata.annotations[PASSWORD_REVISION_ANNOTATION as "x"], undefined, "the input is not changed");
    });
});
