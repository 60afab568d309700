/**
 * Where the e2e kit put its binaries. The versions are read from kit/versions.sh, the
 * one place they are pinned, by sourcing it with sh.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";

export const E2E_DIR = path.resolve(__dirname, "..");
export const REPO_ROOT = path.resolve(E2E_DIR, "..", "..");

export interface Kit {
    cache: string;
    versions: Record<string, string>;
    /** Directories to put first on PATH: pulumi with its bundled plugins (language host,
     * dynamic-provider script), and kubectl. */
    pathDirs: string[];
    /** Resource plugins to install into the run's plugin cache: name, version, binary. */
    plugins: { name: string; version: string; file: string }[];
    kubectl: string;
    pulumi: string;
    redisImage: string;
    /** pulumi-resource-random, if the kit could build it. */
    randomPlugin?: string;
}

export function readKit(): Kit {
    const out = execFileSync("sh", ["-c", `. "${path.join(E2E_DIR, "kit", "versions.sh")}" && set | grep '^KIT_'`], {
        encoding: "utf8",
    });
    const versions: Record<string, string> = {};
    for (const line of out.split("\n")) {
        const m = /^(KIT_[A-Z0-9_]+)='?([^']*)'?$/.exec(line.trim());
        if (m) versions[m[1]] = m[2];
    }
    const cache = versions.KIT_CACHE;
    const pulumiBin = path.join(cache, `pulumi-${versions.KIT_PULUMI_VERSION}`, "bin");
    const k8sBin = path.join(cache, `k8s-${versions.KIT_K8S_VERSION}`, "bin");
    return {
        cache,
        versions,
        pathDirs: [pulumiBin, k8sBin],
        plugins: [
            { name: "kubernetes", version: versions.KIT_K8S_PROVIDER_STAMP, file: path.join(cache, `provider-kubernetes-${versions.KIT_K8S_PROVIDER_STAMP}`, "bin", "pulumi-resource-kubernetes") },
            { name: "random", version: versions.KIT_RANDOM_PROVIDER_STAMP, file: path.join(cache, `provider-random-${versions.KIT_RANDOM_PROVIDER_STAMP}`, "bin", "pulumi-resource-random") },
        ].filter((p) => existsSync(p.file)),
        kubectl: path.join(k8sBin, "kubectl"),
        pulumi: path.join(pulumiBin, "pulumi"),
        redisImage: versions.KIT_REDIS_IMAGE,
        randomPlugin: [path.join(cache, `provider-random-${versions.KIT_RANDOM_PROVIDER_STAMP}`, "bin", "pulumi-resource-random")].find((f) => existsSync(f)),
    };
}
