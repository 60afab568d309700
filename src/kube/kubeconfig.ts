// Loads the kubeconfig the retirement provider uses: the `kubeconfig` input (YAML text,
// a secret) when given, else the ambient one (KUBECONFIG, ~/.kube/config, in-cluster).
// Error messages never quote the kubeconfig text: it holds credentials.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { KubeConfig } from "@kubernetes/client-node";

export interface KubeAccess {
    /** kubeconfig YAML text (treat as a secret). Unset: use the ambient kubeconfig. */
    kubeconfig?: string;
    /** context to use instead of the kubeconfig's current-context. */
    context?: string;
}

/** Where an ambient kubeconfig would come from, in client-node's own order. */
export type AmbientSource =
    | { kind: "env"; files: string[] }
    | { kind: "home"; file: string }
    | { kind: "in-cluster" }
    | { kind: "none"; looked: string[] };

export const SERVICE_ACCOUNT_TOKEN_PATH = "/var/run/secrets/kubernetes.io/serviceaccount/token";

export interface AmbientProbe {
    env: Record<string, string | undefined>;
    homeDir: string | undefined;
    exists(file: string): boolean;
}

/** Pure: decides which ambient source `KubeConfig.loadFromDefault` would read, or none. */
export function findAmbientSource(probe: AmbientProbe): AmbientSource {
    const files = (probe.env.KUBECONFIG ?? "").split(path.delimiter).filter((f) => f.length > 0);
    if (files.length > 0) return { kind: "env", files };
    const homeFile = probe.homeDir ? path.join(probe.homeDir, ".kube", "config") : undefined;
    if (homeFile && probe.exists(homeFile)) return { kind: "home", file: homeFile };
    if (probe.env.KUBERNETES_SERVICE_HOST && probe.exists(SERVICE_ACCOUNT_TOKEN_PATH)) {
        return { kind: "in-cluster" };
    }
    const looked = ["KUBECONFIG (unset)", `${homeFile ?? "~/.kube/config"} (absent)`,
        `in-cluster service account ${SERVICE_ACCOUNT_TOKEN_PATH} (absent)`];
    return { kind: "none", looked };
}

function defaultProbe(): AmbientProbe {
    return { env: process.env, homeDir: process.env.HOME || os.homedir(), exists: fs.existsSync };
}

/** Builds the KubeConfig for `access`; throws a clear error when none can be found. */
export function loadKubeConfig(access: KubeAccess, probe: AmbientProbe = defaultProbe()): KubeConfig {
    const kc = new KubeConfig();
    if (access.kubeconfig !== undefined && access.kubeconfig.trim() !== "") {
        loadFromText(kc, access.kubeconfig);
    } else {
        loadAmbient(kc, probe);
    }
    if (access.context) selectContext(kc, access.context);
    requireCluster(kc);
    return kc;
}

function loadFromText(kc: KubeConfig, text: string): void {
    try {
        kc.loadFromString(text);
    } catch (err) {
        // js-yaml errors quote the offending text; keep only the reason and the line.
        throw new Error(`the \`kubeconfig\` input is not a valid kubeconfig: ${describeYamlError(err)}`);
    }
}

function loadAmbient(kc: KubeConfig, probe: AmbientProbe): void {
    const source = findAmbientSource(probe);
    if (source.kind === "none") {
        throw new Error("no kubeconfig: set the `kubeconfig` input or KUBECONFIG, or provide ~/.kube/config " +
            `(looked at: ${source.looked.join("; ")})`);
    }
    try {
        if (source.kind === "in-cluster") kc.loadFromCluster();
        else kc.loadFromDefault();
    } catch (err) {
        throw new Error(`could not load the ambient kubeconfig from ${describeSource(source)}: ${describeYamlError(err)}`);
    }
}

function describeSource(source: AmbientSource): string {
    switch (source.kind) {
        case "env": return `KUBECONFIG=${source.files.join(path.delimiter)}`;
        case "home": return source.file;
        case "in-cluster": return "the in-cluster service account";
        case "none": return "nowhere";
    }
}

function selectContext(kc: KubeConfig, context: string): void {
    const names = kc.getContexts().map((c) => c.name);
    if (!names.includes(context)) {
        throw new Error(`kubeconfig has no context "${context}" (contexts: ${names.join(", ") || "none"})`);
    }
    kc.setCurrentContext(context);
}

function requireCluster(kc: KubeConfig): void {
    const current = kc.getCurrentContext();
    if (!current) throw new Error("kubeconfig has no current-context: set the `context` input");
    const cluster = kc.getCurrentCluster();
    if (!cluster || !cluster.server) {
        throw new Error(`kubeconfig context "${current}" names no cluster with a server address`);
    }
}

/** Pure: a YAML/IO error reduced to a message that cannot contain the document's text. */
export function describeYamlError(err: unknown): string {
    const e = err as { name?: string; reason?: string; mark?: { line?: number }; code?: string; message?: string };
    if (e && e.name === "YAMLException") {
        const line = e.mark && typeof e.mark.line === "number" ? ` at line ${e.mark.line + 1}` : "";
        return `YAML error${line}: ${e.reason ?? "unparsable"}`;
    }
    if (e && typeof e.code === "string") return e.code; // e.g. ENOENT from a KUBECONFIG file
    // client-node's own validation errors name fields, never values, e.g. "clusters[0].name is missing".
    if (e && typeof e.message === "string" && /is missing|must be|not an array|invalid/i.test(e.message) &&
        e.message.length < 200) {
        return e.message;
    }
    return "unrecognised content";
}
