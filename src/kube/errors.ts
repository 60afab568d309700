// Pure helpers that turn Kubernetes API failures into clear errors. They read only the
// HTTP code and the API server's Status (never request headers), so no credential can
// reach a message.

/** The Role rule the retirement provider needs in the component's namespace. */
export const REQUIRED_RBAC_RULES =
    'rules: [{apiGroups: [""], resources: ["pods"], verbs: ["get", "create", "delete"]}, ' +
    '{apiGroups: [""], resources: ["pods/exec"], verbs: ["get", "create"]}]';

/** What a call was doing, for messages: e.g. verb "delete", resource "pods", "ns", "seed". */
export interface KubeCallTarget {
    verb: string;
    resource: string;
    namespace: string;
    name: string;
}

/** The fields of a v1 Status this package reads. */
export interface StatusLike {
    status?: string;
    message?: string;
    reason?: string;
    code?: number;
    details?: { causes?: Array<{ reason?: string; message?: string; field?: string }> };
}

/** A failed API call; `code` is the HTTP status when the API server answered. */
export interface KubeApiError extends Error {
    readonly code: number | undefined;
    readonly target: KubeCallTarget;
}

/**
 * Makes a {@link KubeApiError}. A factory, not a subclass of Error: Pulumi's closure
 * serialization of the dynamic provider drops `extends`, and a serialized subclass of
 * Error loses its message.
 */
export function kubeApiError(message: string, code: number | undefined, target: KubeCallTarget): KubeApiError {
    return Object.assign(new Error(message), { name: "KubeApiError", code, target });
}

export function isKubeApiError(err: unknown): err is KubeApiError {
    return err instanceof Error && err.name === "KubeApiError" && "target" in err;
}

/** Pure: the v1 Status in an error body (client-node gives the body as JSON text), if any. */
export function parseStatusBody(body: unknown): StatusLike | undefined {
    let value = body;
    if (typeof body === "string") {
        try {
            value = JSON.parse(body);
        } catch {
            return undefined;
        }
    }
    if (value && typeof value === "object" && ("reason" in value || "message" in value || "status" in value)) {
        return value as StatusLike;
    }
    return undefined;
}

/** Pure: the HTTP status code of a client-node `ApiException` or a failed WebSocket upgrade. */
export function httpCodeOf(err: unknown): number | undefined {
    const e = err as { code?: unknown; message?: unknown };
    if (e && typeof e.code === "number") return e.code;
    const m = e && typeof e.message === "string" ? /Unexpected server response: (\d{3})/.exec(e.message) : null;
    return m ? Number(m[1]) : undefined;
}

function describeTarget(t: KubeCallTarget): string {
    return `${t.verb} ${t.resource} "${t.name}" in namespace "${t.namespace}"`;
}

/** Pure: the message for a 403, naming the call and the Role rule that would allow it. */
export function forbiddenMessage(t: KubeCallTarget, status?: StatusLike): string {
    const said = status?.message ? ` (API server: ${status.message})` : "";
    return `Kubernetes API refused to ${describeTarget(t)}: 403 Forbidden${said}. ` +
        `The kubeconfig's identity needs a Role in namespace "${t.namespace}" bound to it with ${REQUIRED_RBAC_RULES}`;
}

/**
 * Pure: a clear Error for a failed API call. `err` is what client-node threw (an
 * `ApiException` with `.code` and `.body`, a WebSocket upgrade error, or a network error).
 * Only the API server's Status message and the error's own message are quoted; client-node's
 * ApiException message (which embeds response headers) is not.
 */
export function describeApiError(t: KubeCallTarget, err: unknown): KubeApiError {
    return kubeApiError(apiErrorMessage(t, err), httpCodeOf(err), t);
}

function apiErrorMessage(t: KubeCallTarget, err: unknown): string {
    const code = httpCodeOf(err);
    const status = parseStatusBody((err as { body?: unknown })?.body);
    if (code === 403) return forbiddenMessage(t, status);
    if (code === 401) {
        return `Kubernetes API rejected the credentials (401 Unauthorized) when trying to ${describeTarget(t)}: ` +
            "check the token or client certificate of the kubeconfig's user (an expired token is the usual cause)";
    }
    if (code !== undefined) {
        const reason = status?.reason ? ` ${status.reason}` : "";
        const said = status?.message ? `: ${status.message}` : "";
        return `Kubernetes API failed to ${describeTarget(t)}: HTTP ${code}${reason}${said}`;
    }
    const msg = err instanceof Error ? err.message : String(err);
    return `could not reach the Kubernetes API to ${describeTarget(t)}: ${msg}`;
}
