/**
 * The volume guard: refuses, at preview, a change of the options that shape the StatefulSets'
 * volumeClaimTemplates (`persistence.enabled`, `size`, `sentinelSize`, `storageClass`) on a
 * running deployment. Kubernetes cannot change a StatefulSet's volumeClaimTemplates in place,
 * so Pulumi would replace the set: every pod of it stopped at once, and with persistence turned
 * off the master back on an empty volume with the replicas resyncing from it (all data lost).
 *
 * Its provider (the shell of src/guards/provider.ts) refuses in `check(olds, news)`, comparing
 * the inputs recorded in the state with the new ones, at preview and at the start of `pulumi up`.
 *
 * Pure, and serialized by value with the provider (no import of the Pulumi runtime here).
 */
import type * as pulumi from "@pulumi/pulumi";
import { makeGuardProvider } from "../guards/provider";

/** What the volumeClaimTemplates are made of (`storageClass` "" = the cluster's default class). */
export interface VolumeSettings {
    enabled: boolean;
    size: string;
    sentinelSize: string;
    storageClass: string;
}

export interface VolumeGuardInputs extends VolumeSettings {
    /** The StatefulSets whose claims these are (for the message). */
    redisSet: string;
    sentinelSet: string;
}

/** Where the README documents the procedures. */
export const VOLUME_CHANGES_DOC = "README.md, \"Changing the volumes\"";

const OPTIONS = {
    enabled: "persistence.enabled",
    size: "persistence.size",
    sentinelSize: "persistence.sentinelSize",
    storageClass: "persistence.storageClass",
} as const;

function procedure(key: keyof VolumeSettings, news: VolumeGuardInputs): string {
    switch (key) {
        case "size":
        case "sentinelSize": {
            const set = key === "size" ? news.redisSet : news.sentinelSet;
            const claim = key === "size" ? "data" : "sentinel";
            return `to grow the volumes, keep this option as it was and expand each claim in place where its StorageClass allows it ` +
                `(allowVolumeExpansion: true): kubectl patch pvc ${claim}-${set}-<ordinal> -p '{"spec":{"resources":{"requests":{"storage":"<new size>"}}}}'; ` +
                `a smaller volume needs a new deployment`;
        }
        case "storageClass":
            return "to move to another StorageClass, deploy a second RedisSentinel (another name) with it, copy the data over and move the clients, then destroy this one";
        case "enabled":
            return news.enabled
                ? "to add volumes, deploy a second RedisSentinel (another name) with persistence on, copy the data over and move the clients, then destroy this one"
                : "turning persistence off would restart the master on an empty volume and the replicas would resync from it: all data lost; if the data may go, `pulumi destroy`, delete the claims and `pulumi up` again";
    }
}

const show = (key: keyof VolumeSettings, v: VolumeSettings): string =>
    key === "storageClass" && v.storageClass === "" ? "unset (the cluster's default)" : JSON.stringify(v[key]);

/**
 * Pure: the refusals for a change from `olds` (the state's inputs; empty for a new guard) to
 * `news`, one per changed option, naming the option, the old and new value and the procedure.
 */
export function volumeChangeProblems(olds: Partial<VolumeGuardInputs> | undefined, news: VolumeGuardInputs): string[] {
    if (!olds || typeof olds.enabled !== "boolean") return []; // a new guard: first up, or a stack from before it
    const old: VolumeSettings = { enabled: olds.enabled, size: olds.size ?? "", sentinelSize: olds.sentinelSize ?? "", storageClass: olds.storageClass ?? "" };
    // Without persistence there are no claim templates: the other options shape nothing.
    const keys: (keyof VolumeSettings)[] = old.enabled !== news.enabled ? ["enabled"] : news.enabled ? ["size", "sentinelSize", "storageClass"] : [];
    return keys.filter((k) => old[k] !== news[k]).map((k) =>
        `option \`${OPTIONS[k]}\` cannot change on a running deployment: ${show(k, old)} -> ${show(k, news)}. It shapes the volumeClaimTemplates ` +
        `of StatefulSets "${news.redisSet}" and "${news.sentinelSet}", which Kubernetes cannot change in place: Pulumi would replace them, ` +
        `stopping every pod of each at once. Nothing was changed. Set it back to ${show(k, old)}; ${procedure(k, news)} (see ${VOLUME_CHANGES_DOC}).`);
}

const VOLUME_GUARD_KEYS = ["enabled", "size", "sentinelSize", "storageClass", "redisSet", "sentinelSet"] as const;

export function makeVolumeGuardProvider(): pulumi.dynamic.ResourceProvider {
    return makeGuardProvider<VolumeGuardInputs>(volumeChangeProblems, VOLUME_GUARD_KEYS, (i) => i.redisSet);
}
