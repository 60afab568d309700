// Loopback Kubernetes API server fake (see README.md).
export { FakeKubeServer } from "./server";
export type { FakeKubeOptions, RecordedRequest, ForbidRule, FakeVerb } from "./server";
export { kubeconfigYaml } from "./kubeconfig";
export type { KubeconfigOptions } from "./kubeconfig";
export { PodStore } from "./pod-store";
export type { FakePodSpec } from "./pod-store";
export { localProcessExec, hangingExec } from "./exec-handlers";
export type { ExecHandler, ExecReply, ExecRequest, LocalProcessOptions } from "./exec-handlers";
export * as fakeStatus from "./status";
