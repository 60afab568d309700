/**
 * The real Pulumi CLI from the kit, offline: a local `file://` backend inside the run
 * directory, the passphrase from PULUMI_CONFIG_PASSPHRASE (a random one when unset), no
 * update checks, no plugin downloads (the kit's plugins are first on PATH).
 */
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import * as path from "node:path";
import { Kit } from "./kit";
import { run, runOk, RunResult } from "./proc";

export interface PulumiOptions {
    kit: Kit;
    runDir: string;
    kubeconfig: string;
    logFile: string;
}

export class PulumiCli {
    readonly env: NodeJS.ProcessEnv;

    constructor(private readonly opts: PulumiOptions) {
        const home = path.join(opts.runDir, "home");
        const state = path.join(opts.runDir, "state");
        mkdirSync(home, { recursive: true });
        mkdirSync(state, { recursive: true });
        this.env = {
            ...process.env,
            // The projects' Pulumi.yaml say `backend.url: file://~`: HOME is the run's own.
            HOME: home,
            PULUMI_HOME: path.join(home, ".pulumi"),
            PULUMI_BACKEND_URL: `file://${state}`,
            PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? randomBytes(12).toString("hex"),
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
            KUBECONFIG: opts.kubeconfig,
            PATH: [...opts.kit.pathDirs, process.env.PATH ?? ""].join(path.delimiter),
        };
    }

    /**
     * Installs the kit's resource plugins into the run's plugin cache, as `pulumi plugin
     * install` does with a download: the engine then finds them by the version the npm
     * packages ask for, the way it finds them on a user's machine.
     */
    async installPlugins(): Promise<void> {
        for (const p of this.opts.kit.plugins) {
            await this.ok(this.opts.runDir, ["plugin", "install", "resource", p.name, `v${p.version}`, "--file", p.file], 5 * 60_000, false);
        }
    }

    /** `pulumi <args>` in cwd; resolves with the result whatever the exit code. */
    run(cwd: string, args: string[], timeoutMs = 20 * 60_000, echo = true): Promise<RunResult> {
        return run(this.opts.kit.pulumi, [...args, "--non-interactive"], { cwd, env: this.env, timeoutMs, logFile: this.opts.logFile, echo });
    }

    /** Same, throwing with the end of the output unless it exits 0. */
    ok(cwd: string, args: string[], timeoutMs = 20 * 60_000, echo = true): Promise<RunResult> {
        return runOk(this.opts.kit.pulumi, [...args, "--non-interactive"], { cwd, env: this.env, timeoutMs, logFile: this.opts.logFile, echo });
    }

    async outputs(cwd: string, stack: string): Promise<Record<string, unknown>> {
        const r = await this.ok(cwd, ["stack", "output", "--json", "--show-secrets", "--stack", stack], 60_000, false);
        return JSON.parse(r.stdout) as Record<string, unknown>;
    }
}
