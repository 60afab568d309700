/**
 * Will the deployment's PersistentVolumeClaims bind? Pure: what was read from the cluster
 * in, a verdict out. Only positive evidence fails: StorageClasses listed, none of them the
 * default, and the first claim confirmed absent. Anything not known (the API refused or was
 * unreachable) passes with a note, so the check never blocks a deployment it cannot judge.
 */

/** A StorageClass as the check needs it. */
export interface StorageClassInfo {
    name: string;
    provisioner: string;
    isDefault: boolean;
}

/** A read that succeeded, or why it did not. */
export type Read<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface StorageObservation {
    /** Every StorageClass of the cluster. */
    classes: Read<StorageClassInfo[]>;
    /** The deployment's first claim (`data-<name>-redis-0`): its phase when it exists, undefined when not (404). */
    firstClaim: Read<{ name: string; phase: string } | undefined>;
}

export type StorageVerdict = { ok: true; note: string } | { ok: false; message: string };

/** The annotations that make a StorageClass the cluster default (GA, then the older beta one). */
export const DEFAULT_CLASS_ANNOTATIONS = ["storageclass.kubernetes.io/is-default-class", "storageclass.beta.kubernetes.io/is-default-class"];

/** Pure: whether a StorageClass's annotations mark it the default. */
export function isDefaultClass(annotations: Record<string, string> | undefined): boolean {
    return DEFAULT_CLASS_ANNOTATIONS.some((a) => annotations?.[a] === "true");
}

/** Pure: the verdict for claims that name no StorageClass (`persistence.storageClass` unset). */
export function decideStorage(o: StorageObservation): StorageVerdict {
    if (!o.classes.ok) return { ok: true, note: `not verified: could not list StorageClasses (${o.classes.reason})` };
    const defaults = o.classes.value.filter((c) => c.isDefault);
    if (defaults.length > 0) {
        // With several, Kubernetes uses the newest; any of them provisions the claims.
        return { ok: true, note: `the claims use the default StorageClass ${defaults.map((c) => `"${c.name}"`).join(", ")}` };
    }
    if (!o.firstClaim.ok) return { ok: true, note: `not verified: no default StorageClass, and could not read the existing claims (${o.firstClaim.reason})` };
    if (o.firstClaim.value) {
        return { ok: true, note: `no default StorageClass, but the claims exist already (${o.firstClaim.value.name}: ${o.firstClaim.value.phase})` };
    }
    return { ok: false, message: noDefaultMessage(o.classes.value) };
}

function noDefaultMessage(classes: StorageClassInfo[]): string {
    const problem = "option `persistence.storageClass` is not set and the cluster has no default StorageClass: " +
        "the PersistentVolumeClaims of the Redis and Sentinel sets would stay Pending and `pulumi up` would wait for them until it times out.";
    const list = classes.map((c) => `"${c.name}" (${c.provisioner})`).join(", ");
    const remedies = classes.length > 0
        ? [`set \`persistence.storageClass\` (stack config \`storageClass\`) to one of ${list}`,
            `or make one the default: kubectl annotate storageclass ${classes[0].name} ${DEFAULT_CLASS_ANNOTATIONS[0]}=true`]
        : ["the cluster has no StorageClass at all: install a volume provisioner with a StorageClass (e.g. the EBS CSI driver on EKS) " +
            "and set `persistence.storageClass` to it or make it the default"];
    remedies.push("for PersistentVolumes made by hand, give them a storageClassName and set the same name in `persistence.storageClass`",
        "or set `persistence.enabled: false` (data on emptyDir, lost with the pod)");
    return `${problem} Fix: ${remedies.join("; ")}.`;
}
