/**
 * `npm run bench -- --snapshot`: measure exactly the committed HEAD, not a working tree that
 * other people are editing (the retirement process and the scripts are read from disk at each
 * run, so an edit during a run would mix versions). Exports HEAD with `git archive` into a
 * temp dir, links node_modules, runs the bench there with --publish pointing back here (results
 * and README figures land in this tree), and removes the temp dir.
 */
import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export interface GitInfo {
    commit: string;
    /** Files under src/ and tests/harness/ that differ from the commit (empty in a snapshot). */
    dirty: string[];
    snapshot: boolean;
}

export function gitInfo(root: string): GitInfo {
    if (process.env.BENCH_SNAPSHOT_COMMIT) return { commit: process.env.BENCH_SNAPSHOT_COMMIT, dirty: [], snapshot: true };
    try {
        const commit = execFileSync("git", ["-C", root, "rev-parse", "HEAD"], { encoding: "utf8" }).trim();
        const dirty = execFileSync("git", ["-C", root, "status", "--porcelain", "--", "src", "tests/harness", "bench"], { encoding: "utf8" })
            .split("\n").filter(Boolean).map((l) => l.slice(3));
        return { commit, dirty, snapshot: false };
    } catch {
        return { commit: "unknown", dirty: [], snapshot: false };
    }
}

/** Runs the bench on an export of HEAD; resolves with its exit code. */
export async function runOnSnapshot(root: string, args: string[]): Promise<number> {
    const commit = execFileSync("git", ["-C", root, "rev-parse", "HEAD"], { encoding: "utf8" }).trim();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-snapshot-"));
    try {
        execFileSync("sh", ["-c", `git -C "$1" archive "$2" | tar -x -C "$3"`, "sh", root, commit, dir]);
        fs.symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"));
        process.stderr.write(`[bench] measuring commit ${commit} exported to ${dir}\n`);
        const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(dir, "bench", "bench.ts"), ...args, "--publish", root], {
            cwd: dir,
            stdio: "inherit",
            env: { ...process.env, BENCH_SNAPSHOT_COMMIT: commit },
        });
        const forward = (sig: NodeJS.Signals): void => {
            child.kill(sig);
        };
        process.on("SIGINT", forward);
        process.on("SIGTERM", forward);
        return await new Promise<number>((resolve) => child.on("exit", (code) => resolve(code ?? 1)));
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
