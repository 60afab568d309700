/**
 * Reads what {@link decideStorage} needs from the cluster through client-node: every
 * StorageClass (cluster-scoped `list`) and the deployment's first claim (`get` in its
 * namespace). Every failure becomes a reason, never an exception: the check then passes
 * unverified. Messages quote the API server's Status, never the request.
 */
import { CoreV1Api, type KubeConfig, StorageV1Api } from "@kubernetes/client-node";
import { httpCodeOf, parseStatusBody } from "../kube/errors";
import { type Read, type StorageClassInfo, type StorageObservation, isDefaultClass } from "./decide";

/** No read may hold up a preview for longer than this. */
export const READ_TIMEOUT_MS = 10_000;

export interface ClaimRef {
    namespace: string;
    name: string;
}

export async function observeStorage(kc: KubeConfig, claim: ClaimRef, timeoutMs = READ_TIMEOUT_MS): Promise<StorageObservation> {
    const storage = kc.makeApiClient(StorageV1Api);
    const core = kc.makeApiClient(CoreV1Api);
    const classes = await read("list storageclasses", timeoutMs, async (): Promise<StorageClassInfo[]> => {
        const list = await storage.listStorageClass();
        return list.items.map((c) => ({
            name: c.metadata?.name ?? "",
            provisioner: c.provisioner,
            isDefault: isDefaultClass(c.metadata?.annotations),
        }));
    });
    const firstClaim = await read(`get persistentvolumeclaims "${claim.name}" in namespace "${claim.namespace}"`, timeoutMs, async () => {
        try {
            const pvc = await core.readNamespacedPersistentVolumeClaim({ name: claim.name, namespace: claim.namespace });
            return { name: claim.name, phase: pvc.status?.phase ?? "Unknown" };
        } catch (err) {
            if (httpCodeOf(err) === 404) return undefined;
            throw err;
        }
    });
    return { classes, firstClaim };
}

async function read<T>(what: string, timeoutMs: number, call: () => Promise<T>): Promise<Read<T>> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
    });
    try {
        return { ok: true, value: await Promise.race([call(), timeout]) };
    } catch (err) {
        return { ok: false, reason: describeReadError(what, err) };
    } finally {
        clearTimeout(timer);
    }
}

/** Pure: why a read failed, in a line. */
export function describeReadError(what: string, err: unknown): string {
    const code = httpCodeOf(err);
    const status = parseStatusBody((err as { body?: unknown })?.body);
    if (code === 403) return `${what}: 403 Forbidden${status?.message ? ` (${status.message})` : ""}`;
    if (code !== undefined) return `${what}: HTTP ${code}${status?.message ? ` (${status.message})` : ""}`;
    return `${what}: ${err instanceof Error ? err.message : String(err)}`;
}
