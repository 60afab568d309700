/**
 * `PasswordRotation`: the dynamic resource the RedisSentinel component declares before the auth
 * Secret (which depends on it). On an `up` that changes the password, every running server
 * accepts the new one and authenticates with it before the Secret changes; its `revision` output
 * goes into both sets' pod templates, so they roll onto the new Secret; `previousSha256` goes
 * into the Secret, so restarted pods keep accepting the earlier password until it is dropped
 * (`dropPreviousPasswords`). See plan.ts and README "Rotating the password".
 */
import * as pulumi from "@pulumi/pulumi";
import { makePasswordRotationProvider, PasswordRotationInputs, RotationRuntime } from "./provider";

export type PasswordRotationArgs = { [K in keyof PasswordRotationInputs]: pulumi.Input<PasswordRotationInputs[K]> } & {
    redisPods: pulumi.Input<pulumi.Input<string>[]>;
    sentinelPods: pulumi.Input<pulumi.Input<string>[]>;
};

export const passwordRotationProvider = makePasswordRotationProvider();

/** Pod template annotation holding the password revision: a change rolls the pods onto the new Secret. */
export const PASSWORD_REVISION_ANNOTATION = "redis-sentinel.pulumi.com/password-revision";

export class PasswordRotation extends pulumi.dynamic.Resource {
    /** Moves on with every password change (not derived from the password). */
    public readonly revision!: pulumi.Output<number>;
    /** SHA-256 of the current password (secret). */
    public readonly passwordSha256!: pulumi.Output<string>;
    /** SHA-256 of the earlier passwords still accepted, space separated (secret; "" when none). */
    public readonly previousSha256!: pulumi.Output<string>;
    /** What the last update did: "record", "rotate", "drop" or "none". */
    public readonly lastAction!: pulumi.Output<string>;

    constructor(name: string, args: PasswordRotationArgs, opts?: pulumi.CustomResourceOptions,
        /** Tests only: a runtime over loopback processes. */
        makeRuntime?: (inputs: PasswordRotationInputs) => RotationRuntime) {
        super(makeRuntime ? makePasswordRotationProvider(makeRuntime) : passwordRotationProvider, name, {
            ...args,
            password: pulumi.secret(args.password),
            kubeconfig: args.kubeconfig === undefined ? undefined : pulumi.secret(args.kubeconfig),
            revision: undefined,
            passwordSha256: undefined,
            previousSha256: undefined,
            lastAction: undefined,
            changed: undefined,
        }, pulumi.mergeOptions(opts, { additionalSecretOutputs: ["password", "kubeconfig", "passwordSha256", "previousSha256"] }), "redis-sentinel", "PasswordRotation");
    }
}

/** A StatefulSet spec whose pod template carries the password revision (a new one rolls the set). */
export function withPasswordRevision<T extends { template?: unknown }>(setSpec: T, revision: number | undefined): T {
    const template = (setSpec.template ?? {}) as { metadata?: { annotations?: Record<string, string> } };
    const metadata = template.metadata ?? {};
    return {
        ...setSpec,
        template: { ...template, metadata: { ...metadata, annotations: { ...(metadata.annotations ?? {}), [PASSWORD_REVISION_ANNOTATION]: String(revision ?? 1) } } },
    };
}
