/**
 * The `tls` step (issue 13): a second stack of the root Pulumi.yaml (`e2e-tls`, namespace `tls`,
 * deployment `cache`) with TLS on, its certificates from a Secret this step makes with openssl
 * (the e2e cluster has no cert-manager): a CA and a server certificate with the names a
 * cert-manager Certificate of the component would carry (every pod under the headless Service,
 * the Sentinel Service). An ioredis application writes over TLS through the Sentinel Service from
 * the moment the seed serves, through the seed's retirement: 0 lost, 0 errors. The plain-text
 * ports are refused; the stack's `tls` output names the CA's Secret. `tls-destroy` removes it all.
 */
import * as assert from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import { deriveNames } from "../../../src/manifests/names";
import { certificateDnsNames } from "../../../src/manifests/tls";
import { makeTlsMaterial } from "../../harness/tls";
import { AppTarget, E2eApp } from "../lib/app";
import { REPO_ROOT } from "../lib/kit";
import { podCliText } from "../lib/topology";
import { awaitTopology, Deployment, mustBeWhole } from "./checks";
import { StepContext } from "./context";

const STACK = "e2e-tls";
const TLS_CLI = ["--tls", "--cacert", "/tls/ca.crt"];
const D: Deployment = { namespace: "tls", name: "cache", masterName: "mymaster", cliArgs: TLS_CLI };
const SECRET = `${D.name}-tls`;

async function setConfig(ctx: StepContext, key: string, value: string, secret = false): Promise<void> {
    await ctx.pulumi.ok(REPO_ROOT, ["config", "set", "--stack", STACK, ...(secret ? ["--secret"] : []), key, value], 60_000, false);
}

async function authPassword(ctx: StepContext): Promise<string | undefined> {
    const s = await ctx.cluster.kubectlJson<{ data?: { password?: string } }>(["get", "secret", "-n", D.namespace, `${D.name}-auth`]);
    return s.data?.password ? Buffer.from(s.data.password, "base64").toString() : undefined;
}

/** Throws unless a plain-text redis-cli PING to this pod's port fails while the TLS one answers PONG. */
async function plainRefused(ctx: StepContext, pod: string, container: "redis" | "sentinel"): Promise<void> {
    const plain = await podCliText(ctx.cluster, D.namespace, pod, container, ["PING"]).then((out) => `answered ${out.trim()}`, (e: Error) => `refused (${e.message.split("\n").slice(-1)[0]})`);
    if (!plain.startsWith("refused")) throw new Error(`${pod}/${container}: a plain-text PING ${plain}`);
    const tls = (await podCliText(ctx.cluster, D.namespace, pod, container, [...TLS_CLI, "PING"])).trim();
    if (tls !== "PONG") throw new Error(`${pod}/${container}: PING over TLS answered ${tls}`);
}

export async function tlsStep(ctx: StepContext, runDir: string): Promise<void> {
    const n = deriveNames(D.name, D.namespace, "cluster.local", 3, 3);
    const app = new E2eApp();
    let stackMade = false;
    await ctx.recorder.step("tls", async () => {
        const t0 = Date.now();
        // The certificates, as an operator would make them for the Secret the component names.
        const material = makeTlsMaterial(certificateDnsNames(n), path.join(runDir, "tls-certificates"));
        const exists = await ctx.cluster.kubectl(["get", "namespace", D.namespace, "--ignore-not-found", "-o", "name"]);
        if (!exists.trim()) await ctx.cluster.kubectl(["create", "namespace", D.namespace]);
        await ctx.cluster.kubectl(["create", "secret", "generic", SECRET, "-n", D.namespace,
            ...["tls.crt", "tls.key", "ca.crt"].map((k) => `--from-file=${k}=${path.join(material.dir, k)}`)]);

        await ctx.pulumi.ok(REPO_ROOT, ["stack", "init", STACK], 60_000, false);
        stackMade = true;
        await setConfig(ctx, "name", D.name);
        await setConfig(ctx, "namespace", D.namespace);
        await setConfig(ctx, "image", ctx.kit.redisImage);
        await setConfig(ctx, "tlsSecret", SECRET);
        if (!ctx.kit.randomPlugin) await setConfig(ctx, "password", randomBytes(18).toString("base64url"), true);

        // The application over TLS through the Sentinel Service, from the moment the seed serves.
        const ca = readFileSync(path.join(material.dir, "ca.crt"), "utf8");
        const target = async (): Promise<AppTarget | undefined> => {
            const pw = await authPassword(ctx).catch(() => undefined);
            return pw ? { sentinelHost: n.sentinelServiceHost, sentinelPort: 26379, masterName: D.masterName, password: pw, tls: { ca } } : undefined;
        };
        const appStarted = app.startWhenServing(target, Date.now() + 20 * 60_000);
        await ctx.pulumi.ok(REPO_ROOT, ["up", "--yes", "--skip-preview", "--stack", STACK], 25 * 60_000);
        const upSeconds = ((Date.now() - t0) / 1000).toFixed(0);
        if (!(await appStarted)) throw new Error("the application never reached a master over TLS through the Sentinel Service");

        const whole = mustBeWhole(await awaitTopology(ctx, 3, 3, 120_000, D));
        const seed = await ctx.cluster.kubectl(["get", "pod", "-n", D.namespace, n.seedPod, "--ignore-not-found", "-o", "name"]);
        if (seed.trim()) throw new Error(`the seed pod still exists: ${seed.trim()}`);
        const outputs = await ctx.pulumi.outputs(REPO_ROOT, STACK);
        // Compared as values: the CLI prints an output object's keys sorted.
        const tlsOut = JSON.stringify(outputs.tls);
        try {
            assert.deepStrictEqual(outputs.tls, { enabled: true, caSecretName: SECRET, caSecretKey: "ca.crt" });
        } catch {
            throw new Error(`stack output tls: ${tlsOut}`);
        }

        // Plain text is refused on every Redis and Sentinel pod; TLS answers.
        for (const pod of n.redisPods) await plainRefused(ctx, pod, "redis");
        for (const pod of n.sentinelPods) await plainRefused(ctx, pod, "sentinel");

        await new Promise((r) => setTimeout(r, 5000));
        const w = app.window(t0);
        const report = await app.stop();
        const lost = await app.lost();
        const text = `pulumi up with TLS from a Secret in ${upSeconds} s; ${whole}; writer over TLS through Sentinel: ${w.acked} acknowledged, ` +
            `${report?.errors ?? w.errors} errors, ${lost.missing.length} of ${lost.checked} lost, longest gap ${w.maxGapMs} ms; plain text refused on ${n.redisPods.length + n.sentinelPods.length} pods; output tls ${tlsOut}`;
        if ((report?.errors ?? w.errors) > 0) throw new Error(`${text}: ${app.errorMessages().join(" | ")}`);
        if (lost.missing.length > 0) throw new Error(`${text}: missing e.g. ${lost.missing.slice(0, 3).join(", ")}`);
        if (w.acked === 0) throw new Error(`${text}: no write was acknowledged`);
        return text;
    });
    await app.stop().catch(() => undefined);
    if (!stackMade) return;
    await ctx.recorder.step("tls-destroy", async () => {
        await ctx.pulumi.ok(REPO_ROOT, ["destroy", "--yes", "--skip-preview", "--stack", STACK], 15 * 60_000);
        await ctx.pulumi.ok(REPO_ROOT, ["stack", "rm", "--yes", STACK], 60_000, false);
        // The claims the StatefulSets kept, and the certificate Secret, go with the namespace.
        await ctx.cluster.kubectl(["delete", "namespace", D.namespace, "--wait=false"]);
        return `destroyed; stack ${STACK} removed; namespace ${D.namespace} deleted`;
    });
}
