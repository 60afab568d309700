// Kubernetes API access for the seed-retirement provider (see docs/internals.md).
export type { KubeAccess, AmbientProbe, AmbientSource } from "./kubeconfig";
export { findAmbientSource, loadKubeConfig, describeYamlError, SERVICE_ACCOUNT_TOKEN_PATH } from "./kubeconfig";
export type { PodState, DeleteOutcome, WaitGoneOptions } from "./pods";
export { PodApi, podStateOf, deleteOutcomeOfCode, describePodState, DEFAULT_POLL_MS } from "./pods";
export type { ExecOptions, ExecResult } from "./exec";
export { execInPod, describeCommand, DEFAULT_EXEC_TIMEOUT_MS } from "./exec";
export type { ExecOutcome } from "./exec-status";
export { outcomeFromExecStatus } from "./exec-status";
export type { KubeApiError, KubeCallTarget, StatusLike } from "./errors";
export {
    kubeApiError, isKubeApiError, REQUIRED_RBAC_RULES, describeApiError, forbiddenMessage, httpCodeOf, parseStatusBody,
} from "./errors";
