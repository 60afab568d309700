/**
 * `TlsGuard`: a dynamic resource the RedisSentinel component declares before the seed pod (so
 * before both StatefulSets). Its provider refuses, at preview, turning TLS on or off on a running
 * deployment (see guard.ts). It reads nothing.
 */
import * as pulumi from "@pulumi/pulumi";
import { type TlsGuardInputs, makeTlsGuardProvider } from "./guard";

export type TlsGuardArgs = { [K in keyof TlsGuardInputs]: pulumi.Input<TlsGuardInputs[K]> };

export const tlsGuardProvider = makeTlsGuardProvider();

export class TlsGuard extends pulumi.dynamic.Resource {
    constructor(name: string, args: TlsGuardArgs, opts?: pulumi.CustomResourceOptions) {
        super(tlsGuardProvider, name, args, opts, "redis-sentinel", "TlsGuard");
    }
}
