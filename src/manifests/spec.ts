import type { ResolvedSpec } from "../options/validate";

/** What the pure manifest builders need: the resolved spec with a known namespace and no secrets. */
export type ManifestSpec = Omit<ResolvedSpec, "namespace" | "password" | "kubeconfig"> & { namespace: string };
