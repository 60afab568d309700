/**
 * Follows the logs of pods that are about to go away (a scale-down removes them, and their
 * logs with them): `kubectl logs -f` per pod and container into the run's logs directory,
 * until the pod is gone or `stop()`. Each follower dies with the run (stop, or the API
 * server going down with the cluster).
 */
import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

export interface PodLogFollow {
    /** The files written, by `<pod>/<container>`. */
    files: Map<string, string>;
    /** Stops every follower; resolves once they exited. */
    stop(): Promise<void>;
    /** The lines of every followed log matching the pattern, prefixed with `<pod>/<container>`. */
    grep(pattern: RegExp): string[];
}

export function followPodLogs(kubectl: string, kubeconfig: string, runDir: string, ns: string, targets: { pod: string; container: string }[]): PodLogFollow {
    const dir = path.join(runDir, "logs", "pods");
    mkdirSync(dir, { recursive: true });
    const files = new Map<string, string>();
    const children = targets.map(({ pod, container }) => {
        const file = path.join(dir, `${pod}.${container}.${Date.now()}.log`);
        files.set(`${pod}/${container}`, file);
        const out = createWriteStream(file);
        const child = spawn(kubectl, ["logs", "-f", "-n", ns, pod, "-c", container, "--timestamps"], {
            env: { ...process.env, KUBECONFIG: kubeconfig },
            stdio: ["ignore", "pipe", "pipe"],
        });
        child.stdout.pipe(out, { end: false });
        child.stderr.pipe(out, { end: false });
        const done = new Promise<void>((resolve) => child.on("close", () => out.end(() => resolve())));
        return { child, done };
    });
    return {
        files,
        async stop() {
            for (const c of children) c.child.kill("SIGTERM");
            await Promise.all(children.map((c) => c.done));
        },
        grep(pattern) {
            const lines: string[] = [];
            for (const [key, file] of files) {
                for (const line of readFileSync(file, "utf8").split("\n")) if (pattern.test(line)) lines.push(`${key}: ${line}`);
            }
            return lines;
        },
    };
}
