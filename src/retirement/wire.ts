/**
 * What a dynamic provider may return: the dynamic-provider host passes results straight to
 * google.protobuf.Struct.fromJavaScript, which throws "Unexpected struct type." on an
 * `undefined` anywhere (seen on the e2e cluster: an unset kubeconfig failed the update after
 * the pod was created). Pure; serialized by value with the providers.
 */
export function wireSafe<T>(value: T): T {
  if (Array.isArray(value)) return value.filter((v) => v !== undefined).map((v) => wireSafe(v)) as T;
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v !== undefined) out[k] = wireSafe(v);
    }
    return out as T;
  }
  return value;
}
