/**
 * The e2e cluster: tests/e2e/cluster/up.sh and down.sh, and kubectl against it.
 */
import * as path from "node:path";
import { E2E_DIR, Kit } from "./kit";
import { run, runOk } from "./proc";

export interface Cluster {
    runDir: string;
    kubeconfig: string;
    /** The cluster DNS server (CoreDNS on the node's bridge address). */
    dnsServer: string;
    clusterDomain: string;
    kubectl(args: string[], timeoutMs?: number): Promise<string>;
    kubectlJson<T = unknown>(args: string[]): Promise<T>;
}

export async function startCluster(kit: Kit, runDir: string, logFile: string): Promise<Cluster> {
    await runOk("sh", [path.join(E2E_DIR, "cluster", "up.sh"), runDir], { timeoutMs: 10 * 60_000, logFile, echo: true });
    const kubeconfig = path.join(runDir, "admin.kubeconfig");
    const env = { ...process.env, KUBECONFIG: kubeconfig };
    const kubectl = async (args: string[], timeoutMs = 60_000) =>
        (await runOk(kit.kubectl, args, { env, timeoutMs, logFile })).stdout;
    return {
        runDir,
        kubeconfig,
        dnsServer: "198.18.0.1",
        clusterDomain: "cluster.local",
        kubectl,
        kubectlJson: async <T>(args: string[]) => JSON.parse(await kubectl([...args, "-o", "json"])) as T,
    };
}

/** Stops everything of the cluster; keeps RUN_DIR (logs) when keep is set. */
export async function stopCluster(runDir: string, keep: boolean): Promise<void> {
    await run("sh", [path.join(E2E_DIR, "cluster", "down.sh"), runDir, ...(keep ? ["--keep"] : [])], {
        timeoutMs: 3 * 60_000,
    });
}
