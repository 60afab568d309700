/**
 * `examples/composition` as a user would run it: the package installed from its npm
 * tarball into a project of its own, its own Namespace, an explicit kubernetes Provider
 * from a kubeconfig in (secret) config, the same kubeconfig given to the component, and
 * an application Deployment wired to the component's outputs.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../lib/kit";
import { runOk } from "../lib/proc";
import { podCli } from "../lib/topology";
import { StepContext } from "./context";
import { awaitTopology, mustBeWhole } from "./checks";

const STACK = "e2e";

export async function compositionStep(ctx: StepContext, runDir: string): Promise<void> {
    const dir = path.join(runDir, "composition");
    const deployment = { namespace: "shop", name: "sessions", masterName: "mymaster" };
    const ok = await ctx.recorder.step("composition", async () => {
        const t0 = Date.now();
        const logFile = path.join(runDir, "e2e.log");
        mkdirSync(dir, { recursive: true });
        // The package as npm would install it: its packed tarball.
        await runOk("npm", ["pack", "--pack-destination", dir], { cwd: REPO_ROOT, timeoutMs: 5 * 60_000, logFile });
        const tarball = readdirSync(dir).find((f) => f.endsWith(".tgz"));
        if (!tarball) throw new Error(`npm pack left no tarball in ${dir}`);
        for (const f of ["Pulumi.yaml", "index.ts"]) copyFileSync(path.join(REPO_ROOT, "examples", "composition", f), path.join(dir, f));
        const version = (pkg: string) => (JSON.parse(readFileSync(path.join(REPO_ROOT, "node_modules", pkg, "package.json"), "utf8")) as { version: string }).version;
        writeFileSync(path.join(dir, "package.json"), JSON.stringify({
            name: "redis-composition",
            private: true,
            dependencies: {
                "pulumi-redis-sentinel": `file:./${tarball}`,
                "@pulumi/pulumi": version("@pulumi/pulumi"),
                "@pulumi/kubernetes": version("@pulumi/kubernetes"),
            },
            devDependencies: { typescript: version("typescript"), "@types/node": version("@types/node") },
        }, null, 2));
        await runOk("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], { cwd: dir, timeoutMs: 10 * 60_000, logFile });

        await ctx.pulumi.ok(dir, ["stack", "init", STACK], 60_000, false);
        await ctx.pulumi.ok(dir, ["config", "set", "--stack", STACK, "image", ctx.kit.redisImage], 60_000, false);
        const kubeconfig = readFileSync(ctx.cluster.kubeconfig, "utf8");
        await runOk(ctx.kit.pulumi, ["config", "set", "--stack", STACK, "--secret", "kubeconfig", "--non-interactive"], {
            cwd: dir,
            env: { ...ctx.pulumi.env, KUBECONFIG: "/nonexistent" },
            timeoutMs: 60_000,
            input: kubeconfig,
        });
        // No ambient kubeconfig: the Provider and the retirement must use the one in config.
        const env = { ...ctx.pulumi.env, KUBECONFIG: path.join(dir, "no-ambient-kubeconfig") };
        await runOk(ctx.kit.pulumi, ["up", "--yes", "--skip-preview", "--stack", STACK, "--non-interactive"], {
            cwd: dir,
            env,
            timeoutMs: 25 * 60_000,
            echo: true,
            logFile,
        });
        const upSeconds = ((Date.now() - t0) / 1000).toFixed(0);
        const topo = await awaitTopology(ctx, 3, 3, 120_000, deployment);
        const whole = mustBeWhole(topo);
        const seed = await ctx.cluster.kubectl(["get", "pod", "-n", "shop", "sessions-seed", "--ignore-not-found", "-o", "name"]);
        if (seed.trim()) throw new Error("the seed pod of the composed deployment still exists");
        // The application's counter grows on the master.
        const masterPod = topo.master!.split(".")[0];
        const visits = async () => Number(await podCli(ctx.cluster, "shop", masterPod, "redis", ["GET", "shop:visits"]));
        const first = await visits();
        await new Promise((r) => setTimeout(r, 5000));
        const second = await visits();
        if (!(second > first)) throw new Error(`the application does not write: shop:visits ${first} then ${second}`);
        return `pulumi up of the composed program in ${upSeconds} s, no ambient kubeconfig; ${whole}; the application's counter went ${first} -> ${second} in 5 s`;
    });
    if (ok) {
        await ctx.recorder.step("composition-destroy", async () => {
            await runOk(ctx.kit.pulumi, ["destroy", "--yes", "--skip-preview", "--stack", STACK, "--non-interactive"], {
                cwd: dir,
                env: { ...ctx.pulumi.env, KUBECONFIG: path.join(dir, "no-ambient-kubeconfig") },
                timeoutMs: 15 * 60_000,
                echo: true,
            });
            const left = await ctx.cluster.kubectl(["get", "namespace", "shop", "--ignore-not-found", "-o", "name"]);
            return left.trim() ? `destroyed; namespace shop terminating` : "destroyed, namespace shop gone";
        });
    }
}
