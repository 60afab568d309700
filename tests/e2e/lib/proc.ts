/**
 * Child processes of the e2e run: each in a process group of its own, bounded by a
 * timeout (the whole group is killed), its output kept for the step's detail and the log.
 */
import { spawn } from "node:child_process";
import { appendFileSync } from "node:fs";

export interface RunOptions {
    cwd?: string;
    env?: NodeJS.ProcessEnv;
    timeoutMs: number;
    /** Appends the command line and its output here. */
    logFile?: string;
    input?: string;
    /** Echo output to our stderr as it comes (long steps: `pulumi up`). */
    echo?: boolean;
}

export interface RunResult {
    code: number | null;
    stdout: string;
    stderr: string;
    timedOut: boolean;
    ms: number;
}

const live = new Set<number>();

/** Kills every process group still running (used by the run's exit cleanup). */
export function killAll(): void {
    for (const pid of live) {
        try {
            process.kill(-pid, "SIGKILL");
        } catch {
            /* already gone */
        }
    }
    live.clear();
}

export function run(cmd: string, args: string[], opts: RunOptions): Promise<RunResult> {
    const t0 = Date.now();
    if (opts.logFile) appendFileSync(opts.logFile, `\n$ ${cmd} ${args.join(" ")}\n`);
    return new Promise((resolve) => {
        const child = spawn(cmd, args, {
            cwd: opts.cwd,
            env: opts.env ?? process.env,
            detached: true,
            stdio: ["pipe", "pipe", "pipe"],
        });
        const pid = child.pid;
        if (pid) live.add(pid);
        let stdout = "";
        let stderr = "";
        let timedOut = false;
        const onData = (which: "out" | "err") => (chunk: Buffer) => {
            const text = chunk.toString();
            if (which === "out") stdout += text;
            else stderr += text;
            if (opts.logFile) appendFileSync(opts.logFile, text);
            if (opts.echo) process.stderr.write(text);
        };
        child.stdout.on("data", onData("out"));
        child.stderr.on("data", onData("err"));
        child.stdin.end(opts.input ?? "");
        const timer = setTimeout(() => {
            timedOut = true;
            try {
                if (pid) process.kill(-pid, "SIGKILL");
            } catch {
                /* gone */
            }
        }, opts.timeoutMs);
        const finish = (code: number | null) => {
            clearTimeout(timer);
            if (pid) live.delete(pid);
            resolve({ code, stdout, stderr, timedOut, ms: Date.now() - t0 });
        };
        child.on("error", (e) => {
            stderr += String(e);
            finish(null);
        });
        child.on("close", (code) => finish(code));
    });
}

/** Runs and throws with the command, exit code and the end of its output unless it exits 0. */
export async function runOk(cmd: string, args: string[], opts: RunOptions): Promise<RunResult> {
    const r = await run(cmd, args, opts);
    if (r.code !== 0) {
        const tail = (r.stderr || r.stdout).trim().split("\n").slice(-15).join("\n");
        throw new Error(
            `${cmd} ${args.join(" ")} ${r.timedOut ? `timed out after ${opts.timeoutMs} ms` : `exited ${r.code}`}:\n${tail}`,
        );
    }
    return r;
}
