/**
 * `VolumeGuard`: a dynamic resource the RedisSentinel component declares before the seed pod
 * (so before both StatefulSets). Its provider refuses, at preview, a change of the options that
 * shape the volumeClaimTemplates on a running deployment (see volumeGuard.ts). It reads nothing.
 */
import * as pulumi from "@pulumi/pulumi";
import { type VolumeGuardInputs, makeVolumeGuardProvider } from "./volumeGuard";

export type VolumeGuardArgs = { [K in keyof VolumeGuardInputs]: pulumi.Input<VolumeGuardInputs[K]> };

export const volumeGuardProvider = makeVolumeGuardProvider();

export class VolumeGuard extends pulumi.dynamic.Resource {
    constructor(name: string, args: VolumeGuardArgs, opts?: pulumi.CustomResourceOptions) {
        super(volumeGuardProvider, name, args, opts, "redis-sentinel", "VolumeGuard");
    }
}
