// `npm run render [-- --stack dev] [-- --set replicas=5 ...]`: prints, as YAML, every
// Kubernetes object the stack's RedisSentinel would create. No cluster, no Pulumi CLI;
// the password is never printed.
import { readFileSync, existsSync } from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { stringify, parse } from "yaml";
import { resolveSpec, RedisSentinelConfigError } from "../options/validate";
import { buildManifests, manifestList } from "../manifests";
import { scriptFiles } from "../scripts";
import { rootStackArgs } from "../config/stackConfig";

export interface RenderOptions {
    /** Directory holding Pulumi.yaml (and Pulumi.<stack>.yaml). */
    projectDir: string;
    stack?: string;
    /** `key=value` overrides, as `pulumi config set key value` would set them (structured keys: JSON, e.g. `nodeSelector={"disktype":"ssd"}`). */
    set: string[];
}

/** Stack config as the Pulumi CLI would hand it to the program: Pulumi.yaml defaults, then the stack file, then overrides. */
export function stackConfig(options: RenderOptions): { project: string; values: Record<string, string> } {
    const projectFile = parse(readFileSync(path.join(options.projectDir, "Pulumi.yaml"), "utf8")) as {
        name: string; config?: Record<string, { default?: unknown }>;
    };
    const project = projectFile.name;
    const values: Record<string, string> = {};
    for (const [key, decl] of Object.entries(projectFile.config ?? {})) {
        if (decl.default !== undefined) values[key] = String(decl.default);
    }
    if (options.stack) {
        const stackPath = path.join(options.projectDir, `Pulumi.${options.stack}.yaml`);
        if (!existsSync(stackPath)) throw new Error(`--stack ${options.stack}: ${stackPath} does not exist`);
        const stackFile = parse(readFileSync(stackPath, "utf8")) as { config?: Record<string, unknown> };
        for (const [fullKey, value] of Object.entries(stackFile.config ?? {})) {
            const key = fullKey.startsWith(`${project}:`) ? fullKey.slice(project.length + 1) : fullKey;
            // Encrypted values (`secure:`) cannot be read here; they are secrets and never printed anyway.
            if (isEncrypted(value)) continue;
            // Structured values (`pulumi config set --path`) reach a program as JSON text.
            values[key] = value !== null && typeof value === "object" ? JSON.stringify(value) : String(value);
        }
    }
    for (const assignment of options.set) {
        const eq = assignment.indexOf("=");
        if (eq <= 0) throw new Error(`--set ${assignment}: expected key=value, e.g. --set replicas=5`);
        values[assignment.slice(0, eq)] = assignment.slice(eq + 1);
    }
    return { project, values };
}

function isEncrypted(value: unknown): boolean {
    return value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 1 && "secure" in value;
}

/** The YAML documents `pulumi up` would create, in creation order. */
export function renderYaml(options: RenderOptions): string {
    const { project, values } = stackConfig(options);
    pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(values).map(([k, v]) => [`${project}:${k}`, v])));
    const { name, args } = rootStackArgs(new pulumi.Config(project));
    const spec = resolveSpec(name, args);
    if (typeof spec.namespace !== "string") throw new Error("render needs a plain namespace");
    const { password: _password, kubeconfig: _kubeconfig, namespace, ...rest } = spec;
    const manifests = buildManifests({ ...rest, namespace }, scriptFiles());
    // YAML 1.1, as kubectl reads it: strings such as `yes`, `no`, `on` are quoted, or
    // `kubectl apply` would read them as booleans (seen: RS_APPENDONLY's `yes` refused).
    return manifestList(manifests).map((doc) => stringify(doc, { lineWidth: 0, version: "1.1" })).join("---\n");
}

export function parseArgv(argv: string[], projectDir: string): RenderOptions {
    const options: RenderOptions = { projectDir, set: [] };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const next = () => {
            const value = argv[++i];
            if (value === undefined) throw new Error(`${arg} needs a value`);
            return value;
        };
        if (arg === "--stack") options.stack = next();
        else if (arg === "--set") options.set.push(next());
        else if (arg === "--project-dir") options.projectDir = next();
        else throw new Error(`unknown argument ${arg}: use --stack NAME, --set key=value, --project-dir DIR`);
    }
    return options;
}

if (require.main === module) {
    try {
        process.stdout.write(renderYaml(parseArgv(process.argv.slice(2), process.cwd())));
    } catch (error) {
        const message = error instanceof RedisSentinelConfigError || error instanceof Error ? error.message : String(error);
        process.stderr.write(`render: ${message}\n`);
        process.exit(1);
    }
}
