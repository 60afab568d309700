// v1 Status bodies as a real API server sends them (k8s.io/apimachinery/pkg/api/errors).

export interface V1StatusJson {
    kind: "Status";
    apiVersion: "v1";
    metadata: Record<string, never>;
    status: "Failure" | "Success";
    message: string;
    reason: string;
    details?: { name?: string; kind?: string; causes?: Array<{ reason?: string; message: string }> };
    code: number;
}

function failure(code: number, reason: string, message: string, details?: V1StatusJson["details"]): V1StatusJson {
    return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, ...(details ? { details } : {}), code };
}

export function notFound(name: string, resource = "pods"): V1StatusJson {
    return failure(404, "NotFound", `${resource} "${name}" not found`, { name, kind: resource });
}

export function alreadyExists(name: string, resource = "pods"): V1StatusJson {
    return failure(409, "AlreadyExists", `${resource} "${name}" already exists`, { name, kind: resource });
}

export function pathNotFound(): V1StatusJson {
    return failure(404, "NotFound", "the server could not find the requested resource", {});
}

export function uidConflict(name: string, preconditionUid: string, actualUid: string): V1StatusJson {
    return failure(409, "Conflict",
        `Operation cannot be fulfilled on pods "${name}": Precondition failed: UID in precondition: ${preconditionUid}, ` +
        `UID in object meta: ${actualUid}`, { name, kind: "pods" });
}

export function forbidden(user: string, verb: string, resource: string, subresource: string | undefined,
    namespace: string, name: string): V1StatusJson {
    const full = subresource ? `${resource}/${subresource}` : resource;
    return failure(403, "Forbidden",
        `${resource} "${name}" is forbidden: User "${user}" cannot ${verb} resource "${full}" in API group "" ` +
        `in the namespace "${namespace}"`, { name, kind: resource });
}

export function unauthorized(): V1StatusJson {
    return failure(401, "Unauthorized", "Unauthorized");
}

export function badRequest(message: string): V1StatusJson {
    return failure(400, "BadRequest", message);
}

export function methodNotAllowed(): V1StatusJson {
    return failure(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
}

/** Exec status channel payloads (v4/v5.channel.k8s.io carry a JSON metav1.Status). */
export function execSuccess(): object {
    return { metadata: {}, status: "Success" };
}

export function execExitCode(argv: string[], exitCode: number): object {
    return {
        metadata: {},
        status: "Failure",
        message: `command terminated with non-zero exit code: error executing command [${argv.join(" ")}], exit code ${exitCode}`,
        reason: "NonZeroExitCode",
        details: { causes: [{ reason: "ExitCode", message: String(exitCode) }] },
    };
}

export function execInternalError(message: string): object {
    return {
        metadata: {},
        status: "Failure",
        message: `Internal error occurred: error executing command in container: ${message}`,
        reason: "InternalError",
        details: { causes: [{ message: `error executing command in container: ${message}` }] },
        code: 500,
    };
}
