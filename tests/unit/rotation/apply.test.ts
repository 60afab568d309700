// The live steps' order and waiting, over a scripted transport (what password.sh answers).
import { strict as assert } from "assert";
import { dropLive, rotateLive, RotationNode } from "../../../src/rotation/apply";
import type { RetirementTransport } from "../../../src/retirement/transport-core";
import { transportError } from "../../../src/retirement/transport-core";

type Answer = (node: string, step: string) => string | Error;

function scripted(answer: Answer): { t: RetirementTransport; calls: string[]; stdins: string[] } {
    const calls: string[] = [];
    const stdins: string[] = [];
    const t: RetirementTransport = {
        call: async () => { throw new Error("no redis-cli call expected"); },
        runScript: async (_role, host, script, args, opts) => {
            calls.push(`${host} ${script} ${args.join(" ")}`);
            stdins.push(opts?.stdin ?? "");
            const a = answer(host, String(args[0]));
            if (a instanceof Error) throw a;
            return { stdout: `${a}\n`, stderr: "", exitCode: a === "result=ok" ? 0 : 3 };
        },
    };
    return { t, calls, stdins };
}

const nodes: RotationNode[] = [{ role: "redis", host: "r-0" }, { role: "sentinel", host: "s-0" }];

describe("password rotation: the live steps", () => {
    it("accept on every server before use on any; the password only on stdin", async () => {
        const s = scripted(() => "result=ok");
        await rotateLive(s.t, nodes, "pw");
        assert.deepEqual(s.calls.map((c) => c.split(" ").slice(2).join(" ")), ["accept redis", "accept sentinel", "use redis", "use sentinel"]);
        assert.ok(s.calls.every((c) => !c.includes("pw ")) && s.stdins.every((x) => x === "pw\n"));
    });

    it("a refused accept stops before any use, naming the step and the server", async () => {
        const s = scripted((host, step) => (host === "s-0" && step === "accept" ? "result=failed reason=ACL SETUSER default refused" : "result=ok"));
        await assert.rejects(rotateLive(s.t, nodes, "pw"), /stopped at step "accept": sentinel s-0: ACL SETUSER default refused\. Nothing was removed/);
        assert.ok(!s.calls.some((c) => c.includes(" use ")));
    });

    it("the drop waits for a container restarting (no answer) or not rolled yet, then drops", async () => {
        let round = 0;
        const s = scripted((host, step) => {
            if (step === "check" && host === "r-0") round += 1;
            if (step === "check" && host === "r-0" && round === 1) return transportError("exec: container not running");
            if (step === "check" && host === "r-0" && round === 2) return "result=not-rolled";
            return "result=ok";
        });
        await dropLive(s.t, nodes, "pw", Date.now() + 5000, { pollMs: 10 });
        assert.equal(round, 3);
        assert.deepEqual(s.calls.filter((c) => c.includes(" drop ")).length, 2);
    });

    it("at the deadline the drop fails naming who did not answer and who runs an earlier password, dropping nothing", async () => {
        const s = scripted((host, step) => (step !== "check" ? "result=ok" : host === "r-0" ? transportError("exec: container not running") : "result=not-rolled"));
        await assert.rejects(dropLive(s.t, nodes, "pw", Date.now() + 50, { pollMs: 10 }),
            /step "check": every container runs with the current password; still with an earlier one: sentinel s-0; not answering: .*container not running.*Nothing was dropped/);
        assert.ok(!s.calls.some((c) => c.includes(" drop ")));
    });
});
