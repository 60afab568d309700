/**
 * `IdentityGuard`: a dynamic resource the RedisSentinel component declares before the seed pod.
 * Its provider refuses, at preview, a change of `namespace`, `masterName` or `clusterDomain` on a
 * running deployment (see identity.ts). It reads nothing.
 */
import * as pulumi from "@pulumi/pulumi";
import { type IdentityGuardInputs, makeIdentityGuardProvider } from "./identity";

export type IdentityGuardArgs = { [K in keyof IdentityGuardInputs]: pulumi.Input<IdentityGuardInputs[K]> };

export const identityGuardProvider = makeIdentityGuardProvider();

export class IdentityGuard extends pulumi.dynamic.Resource {
    constructor(name: string, args: IdentityGuardArgs, opts?: pulumi.CustomResourceOptions) {
        super(identityGuardProvider, name, args, opts, "redis-sentinel", "IdentityGuard");
    }
}
