import * as pulumi from "@pulumi/pulumi";

/** The type the seed retirement (a dynamic resource) registers with. */
export const DYNAMIC_TYPE = "pulumi-nodejs:dynamic/redis-sentinel:SeedRetirement";
/** The type the seed pod (a dynamic resource) registers with. */
export const SEED_POD_TYPE = "pulumi-nodejs:dynamic/redis-sentinel:SeedPod";
/** The type the password rotation (a dynamic resource) registers with. */
export const ROTATION_TYPE = "pulumi-nodejs:dynamic/redis-sentinel:PasswordRotation";

/** Pulumi's marker for a serialized secret value. */
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SIG_KEY = "4dabf18193072939515e22adb298388d";

/** One `registerResource` call as the engine would receive it. */
export interface Registration {
    type: string;
    name: string;
    parent: string;
    /** Set once the (mock) engine answered. */
    urn: string;
    /** URNs this resource depends on (explicit dependsOn plus input dependencies). */
    dependencies: string[];
    provider: string;
    /** Inputs as sent on the wire: secrets appear as Pulumi's secret envelope. */
    wireInputs: Record<string, unknown>;
    /** Inputs with secrets unwrapped, as the provider would get them. */
    inputs: Record<string, any>;
    deleteBeforeReplace: boolean;
    ignoreChanges: string[];
}

export interface MockedRun {
    registrations: Registration[];
    /** Resolves once no registration is in flight and none has started for a while. */
    settle(): Promise<void>;
    byName(name: string): Registration;
    byType(type: string): Registration[];
    outputsOf(urn: string): Record<string, unknown> | undefined;
}

/**
 * Installs Pulumi's mocks and records every registration, including what mocks do not
 * show by themselves: dependencies, parent and provider references, secret markers.
 */
export function installMocks(config: Record<string, string> = {}, project = "redis-sentinel", stack = "test"): MockedRun {
    const registrations: Registration[] = [];
    const outputs = new Map<string, Record<string, unknown>>();
    pulumi.runtime.setAllConfig(config);
    pulumi.runtime.setMocks({
        newResource(args: pulumi.runtime.MockResourceArgs) {
            const state: Record<string, any> = { ...args.inputs };
            if (state.metadata) state.metadata = { uid: `uid-${args.name}`, ...state.metadata };
            if (args.type === "random:index/randomPassword:RandomPassword") state.result = "generated-password-0123456789abcdef";
            if (args.type === SEED_POD_TYPE) {
                // What the seed pod's create reports for a fresh deployment.
                const uid = `uid-${args.name}`;
                Object.assign(state, { uid, created: "created", metadata: { name: args.inputs.name, namespace: args.inputs.namespace, uid } });
            }
            if (args.type === ROTATION_TYPE) {
                // What the rotation's first create reports: the password recorded, none earlier.
                delete state.password;
                Object.assign(state, { revision: 1, passwordSha256: "0".repeat(64), previousSha256: "", lastAction: "record", changed: [] });
            }
            if (args.type === DYNAMIC_TYPE) {
                // What the seed retirement reports after a switchover to the first replica.
                const pod = args.inputs.redisPods?.[0];
                Object.assign(state, { currentMaster: pod, currentMasterHost: `${pod}.${args.inputs.headlessDomain}`, writePauseMs: 420 });
            }
            return { id: `${args.name}-id`, state };
        },
        call(args: pulumi.runtime.MockCallArgs) {
            return args.inputs;
        },
    }, project, stack, false);

    let inFlight = 0;
    const monitor = pulumi.runtime.getMonitor() as any;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: any) => {
        inFlight++;
        const done = (error: unknown, response: any) => {
            inFlight--;
            if (!error && response) registration.urn = response.getUrn();
            return callback(error, response);
        };
        const wireInputs = req.getObject()?.toJavaScript() ?? {};
        const type = req.getType();
        const name = req.getName();
        const registration: Registration = {
            type,
            name,
            urn: "",
            parent: req.getParent(),
            dependencies: req.getDependenciesList(),
            provider: req.getProvider(),
            wireInputs,
            inputs: unwrapSecrets(wireInputs) as Record<string, any>,
            deleteBeforeReplace: req.getDeletebeforereplace(),
            ignoreChanges: req.getIgnorechangesList(),
        };
        registrations.push(registration);
        return register(req, done);
    };
    const registerOutputs = monitor.registerResourceOutputs?.bind(monitor);
    if (registerOutputs) {
        monitor.registerResourceOutputs = (req: any, callback: any) => {
            outputs.set(req.getUrn(), req.getOutputs()?.toJavaScript() ?? {});
            return registerOutputs(req, callback);
        };
    }

    return {
        registrations,
        async settle() {
            let quiet = 0;
            let seen = -1;
            while (quiet < 5) {
                await new Promise((resolve) => setTimeout(resolve, 10));
                quiet = inFlight === 0 && registrations.length === seen ? quiet + 1 : 0;
                seen = registrations.length;
            }
        },
        byName(name: string): Registration {
            const found = registrations.filter((r) => r.name === name);
            if (found.length !== 1) {
                throw new Error(`expected one resource named ${name}, found ${found.length}: ${registrations.map((r) => r.name).join(", ")}`);
            }
            return found[0];
        },
        byType(type: string): Registration[] {
            return registrations.filter((r) => r.type === type);
        },
        outputsOf(urn: string) {
            return outputs.get(urn);
        },
    };
}

/** Value of an Output (for assertions). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply((value) => {
        resolve(value);
        return value;
    }));
}

/** True when the wire value is a Pulumi secret envelope. */
export function isSecret(value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

function unwrapSecrets(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(unwrapSecrets);
    if (value === null || typeof value !== "object") return value;
    if (isSecret(value)) return unwrapSecrets((value as Record<string, unknown>).value);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
}
