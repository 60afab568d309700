/**
 * Password rotation, the live part: runs password.sh's steps in the servers' containers
 * through the retirement transport (Kubernetes exec, or loopback in tests). The password goes
 * on the script's stdin, never in its arguments. Steps run on every node before the next step
 * starts on any: every server accepts the new password before any server uses it.
 */
import type { NodeRole, RetirementTransport } from "../retirement/transport-core";

export const PASSWORD_SCRIPT = "password.sh";

/** One server: the container (by role) of the pod announced as `host`. */
export interface RotationNode {
    role: NodeRole;
    host: string;
}

export type RotationStep = "accept" | "use" | "check" | "drop";

export interface ApplyOptions {
    log?: (line: string) => void;
    /** Per exec (default 20 s). */
    stepTimeoutMs?: number;
}

/** The `result=` line password.sh ends with: `ok`, `not-rolled`, or `failed` with its reason. */
export function parseStepResult(stdout: string): { result: string; reason?: string } {
    const line = stdout.trim().split("\n").reverse().find((l) => l.startsWith("result=")) ?? "";
    const m = /^result=(\S+)(?: reason=(.*))?$/.exec(line);
    return m ? { result: m[1], ...(m[2] ? { reason: m[2] } : {}) } : { result: "none" };
}

export function rotationError(step: RotationStep, unmet: string, left: string): Error {
    return Object.assign(new Error(`password rotation stopped at step "${step}": ${unmet}. ${left}`), { name: "PasswordRotationError" });
}

const LEFT: Record<RotationStep, string> = {
    accept: "Nothing was removed: servers that took the step accept both passwords; the Secret was not changed. Run `pulumi up` again.",
    use: "Every server accepts both passwords; nothing was removed; the Secret was not changed. Run `pulumi up` again.",
    check: "Nothing was dropped: every server still accepts the earlier passwords. Run `pulumi up` again once every pod runs with the current password.",
    drop: "Servers that took the step accept the current password only, the others both. Run `pulumi up` again.",
};

async function runStep(t: RetirementTransport, node: RotationNode, step: RotationStep, password: string, timeoutMs: number): Promise<"ok" | "not-rolled"> {
    const where = `${node.role} ${node.host}`;
    let out;
    try {
        out = await t.runScript(node.role, node.host, PASSWORD_SCRIPT, [step, node.role], { stdin: `${password}\n`, timeoutMs });
    } catch (err) {
        throw rotationError(step, `${where}: ${(err as Error).message}`, LEFT[step]);
    }
    const r = parseStepResult(out.stdout);
    if (r.result === "ok") return "ok";
    if (r.result === "not-rolled" && (step === "check" || step === "drop")) return "not-rolled";
    throw rotationError(step, `${where}: ${r.reason ?? `${PASSWORD_SCRIPT} exited with ${out.exitCode}`}`, LEFT[step]);
}

/** Runs one step on every node at once; resolves to the nodes that answered `not-rolled`. */
export async function applyStep(t: RetirementTransport, nodes: RotationNode[], step: RotationStep, password: string, o: ApplyOptions): Promise<RotationNode[]> {
    const results = await Promise.all(nodes.map((n) => runStep(t, n, step, password, o.stepTimeoutMs ?? 20_000)));
    return nodes.filter((_, i) => results[i] !== "ok");
}

/** The new password accepted by every server, then used by every server for its own connections. */
export async function rotateLive(t: RetirementTransport, nodes: RotationNode[], password: string, o: ApplyOptions = {}): Promise<void> {
    o.log?.(`step accept: ${nodes.length} servers accept the new password too`);
    await applyStep(t, nodes, "accept", password, o);
    o.log?.(`step use: ${nodes.length} servers authenticate with it (replication, Sentinel auth-pass and sentinel-pass)`);
    await applyStep(t, nodes, "use", password, o);
}

/**
 * Every server accepts `password` only, once every container runs with it (its environment,
 * which its probes and hooks use): waits for that until `deadline` (a roll may still be going).
 */
export async function dropLive(t: RetirementTransport, nodes: RotationNode[], password: string, deadline: number, o: ApplyOptions & { pollMs?: number } = {}): Promise<void> {
    o.log?.(`step check: ${nodes.length} containers run with the current password`);
    for (;;) {
        // A container that does not answer (restarting in a roll) is waited for like one not rolled yet.
        const answers = await Promise.all(nodes.map((n) => runStep(t, n, "check", password, o.stepTimeoutMs ?? 20_000)
            .then((r) => (r === "ok" ? "" : "earlier"), (err: Error) => err.message)));
        const earlier = nodes.filter((_, i) => answers[i] === "earlier").map((n) => `${n.role} ${n.host}`);
        const silent = answers.filter((a) => a !== "" && a !== "earlier");
        if (earlier.length === 0 && silent.length === 0) break;
        if (Date.now() + (o.pollMs ?? 2000) > deadline) {
            const parts = [...(earlier.length ? [`still with an earlier one: ${earlier.join(", ")}`] : []), ...(silent.length ? [`not answering: ${silent.join("; ")}`] : [])];
            throw rotationError("check", `every container runs with the current password; ${parts.join("; ")}`, LEFT.check);
        }
        o.log?.(`step check: waiting for ${earlier.length + silent.length} containers (${[...earlier, ...silent].join("; ")})`);
        await new Promise((r) => setTimeout(r, o.pollMs ?? 2000));
    }
    o.log?.(`step drop: ${nodes.length} servers accept the current password only`);
    const late = await applyStep(t, nodes, "drop", password, o);
    if (late.length > 0) throw rotationError("drop", `${late.map((n) => n.host).join(", ")} restarted with an earlier password meanwhile`, LEFT.drop);
}
