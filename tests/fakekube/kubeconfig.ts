// kubeconfig YAML text for a fake API server (JSON-quoted scalars are valid YAML).

export interface KubeconfigOptions {
    /** name of the context pointing at the fake (default "fake") */
    context?: string;
    /** current-context (default: `context`) */
    currentContext?: string;
    /** token written in the kubeconfig (default: the right one) */
    token?: string;
    /** further contexts, e.g. one pointing at a dead port for context-selection tests */
    extraContexts?: Array<{ name: string; server: string; token?: string }>;
    /** namespace of the context (default "default") */
    namespace?: string;
}

export function kubeconfigYaml(server: string, token: string, opts: KubeconfigOptions = {}): string {
    const name = opts.context ?? "fake";
    const contexts = [{ name, server, token: opts.token ?? token }, ...(opts.extraContexts ?? [])];
    const q = JSON.stringify;
    return [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        // client-node 1.4 refuses plain http unless insecure-skip-tls-verify is set
        ...contexts.flatMap((c) => [`- name: ${q(c.name)}`, "  cluster:", `    server: ${q(c.server)}`,
            "    insecure-skip-tls-verify: true"]),
        "users:",
        ...contexts.flatMap((c) => [`- name: ${q(`${c.name}-user`)}`, "  user:", `    token: ${q(c.token ?? token)}`]),
        "contexts:",
        ...contexts.flatMap((c) => [`- name: ${q(c.name)}`, "  context:", `    cluster: ${q(c.name)}`,
            `    user: ${q(`${c.name}-user`)}`, `    namespace: ${q(opts.namespace ?? "default")}`]),
        `current-context: ${q(opts.currentContext ?? name)}`,
        "",
    ].join("\n");
}
