/**
 * e2e step `password-rotation` (issue 12): `pulumi config set --secret password NEW && pulumi up`
 * on the running root stack, with the suite's application holding the old password (it read it
 * from the auth Secret when it started) and a second one holding the new password writing all
 * along; neither may see an error. Then the applications move to the new password and
 * `dropPreviousPasswords` drops the old one: refused afterwards, the new one still works.
 */
import { randomBytes } from "crypto";
import { sha256Hex } from "../../../src/rotation/plan";
import { PASSWORD_REVISION_ANNOTATION } from "../../../src/rotation/resource";
import { deriveNames } from "../../../src/manifests/names";
import { AppTarget, E2eApp, masterAnswers } from "../lib/app";
import { REPO_ROOT } from "../lib/kit";
import { StepContext } from "./context";
import { awaitRollout, awaitTopology, config, mustBeWhole, STACK, up } from "./checks";

const NS = "default";
const NAME = "redis";
const MASTER = "mymaster";

async function authSecret(ctx: StepContext): Promise<{ password: string; previous: string }> {
    const s = await ctx.cluster.kubectlJson<{ data?: Record<string, string> }>(["get", "secret", "-n", NS, `${NAME}-auth`]);
    const text = (k: string) => Buffer.from(s.data?.[k] ?? "", "base64").toString();
    return { password: text("password"), previous: text("previous-password-sha256") };
}

/** The password revision each set's pod template carries, and whether every pod runs it. */
async function revisions(ctx: StepContext): Promise<string[]> {
    type Sts = { metadata: { name: string }; spec: { template: { metadata?: { annotations?: Record<string, string> } } } };
    const sets = (await ctx.cluster.kubectlJson<{ items: Sts[] }>(["get", "statefulsets", "-n", NS])).items;
    return sets.map((x) => `${x.metadata.name}=${x.spec.template.metadata?.annotations?.[PASSWORD_REVISION_ANNOTATION] ?? "none"}`).sort();
}

export async function passwordRotationStep(ctx: StepContext, replicas = 3, sentinels = 3): Promise<void> {
    await ctx.recorder.step("password-rotation", async () => {
        const t0 = Date.now();
        mustBeWhole(await awaitTopology(ctx, replicas, sentinels, 60_000));
        const before = await authSecret(ctx);
        if (!before.password) throw new Error(`the Secret ${NAME}-auth holds no password`);
        const oldPassword = before.password;
        const newPassword = randomBytes(18).toString("base64url");
        const names = deriveNames(NAME, NS, "cluster.local", replicas, sentinels);
        const target = (password: string): AppTarget => ({ sentinelHost: names.sentinelServiceHost, sentinelPort: 26379, masterName: MASTER, password });
        const revisionsBefore = await revisions(ctx);

        // The new-password application starts as soon as the servers accept it (the rotation's
        // first step, before the Secret changes and the sets roll) and writes through the roll.
        const newApp = new E2eApp("e2e-new-password:");
        const newStarted = newApp.startWhenServing(async () => target(newPassword), Date.now() + 25 * 60_000);
        await ctx.pulumi.ok(REPO_ROOT, ["config", "set", "--secret", "--stack", STACK, "password", newPassword], 60_000, false);
        const t1 = Date.now();
        try {
            await up(ctx, [], 25 * 60_000);
            const early = await awaitRollout(ctx, NS);
            const rotateMs = Date.now() - t1;
            if (!(await newStarted)) throw new Error("the new password was never accepted");
            const after = await authSecret(ctx);
            if (after.password !== newPassword) throw new Error("the Secret does not hold the new password");
            if (after.previous.trim() !== sha256Hex(oldPassword)) throw new Error(`the Secret lists ${after.previous.split(" ").filter(Boolean).length} earlier password hashes, not the old one's`);
            const revisionsAfter = await revisions(ctx);
            if (revisionsAfter.some((r) => revisionsBefore.includes(r))) throw new Error(`a set did not roll: ${revisionsBefore.join(", ")} -> ${revisionsAfter.join(", ")}`);
            mustBeWhole(await awaitTopology(ctx, replicas, sentinels, 60_000));
            if (!(await masterAnswers(target(oldPassword)))) throw new Error("a new connection with the old password is refused before the drop");
            const oldW = ctx.app.window(t1);
            const newW = newApp.window(t1);
            if (oldW.errors || newW.errors) throw new Error(`refused or failed during the rotation: old-password application ${oldW.errors} errors (${ctx.app.errorMessages().join("; ")}), new-password application ${newW.errors} (${newApp.errorMessages().join("; ")})`);
            const lostNew = await newApp.lost();
            if (lostNew.missing.length) throw new Error(`${lostNew.missing.length} of the new-password application's acknowledged writes lost`);

            // The applications move to the new password; then the old one is dropped.
            await ctx.app.moveTo(newPassword);
            await config(ctx, "dropPreviousPasswords", "true");
            const t2 = Date.now();
            await up(ctx, [], 10 * 60_000);
            const dropMs = Date.now() - t2;
            await ctx.pulumi.ok(REPO_ROOT, ["preview", "--expect-no-changes", "--stack", STACK], 10 * 60_000);
            if (await masterAnswers(target(oldPassword))) throw new Error("the old password is still accepted after the drop");
            if (!(await masterAnswers(target(newPassword)))) throw new Error("the new password is refused after the drop");
            if ((await authSecret(ctx)).previous.trim() !== "") throw new Error("the Secret still lists an earlier password");
            await ctx.pulumi.ok(REPO_ROOT, ["config", "rm", "--stack", STACK, "dropPreviousPasswords"], 60_000, false);
            mustBeWhole(await awaitTopology(ctx, replicas, sentinels, 60_000));
            const w = ctx.app.window(t0);
            if (w.errors) throw new Error(`the application saw ${w.errors} errors: ${ctx.app.errorMessages().join("; ")}`);
            return `rotation up ${Math.round(rotateMs / 1000)} s (sets ${revisionsBefore.join(", ")} -> ${revisionsAfter.join(", ")}${early ? "; up returned before the roll finished" : ""}): ` +
                `old-password application ${oldW.acked} acknowledged, 0 errors, longest gap ${oldW.maxGapMs} ms; new-password application ${newW.acked} acknowledged, 0 errors, 0 lost, longest gap ${newW.maxGapMs} ms; ` +
                `drop up ${Math.round(dropMs / 1000)} s: old password refused, new accepted, next preview empty; writer over the step ${w.acked} acknowledged, longest gap ${w.maxGapMs} ms`;
        } finally {
            await newApp.stop();
        }
    });
}
