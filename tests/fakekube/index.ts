// Loopback Kubernetes API server fake (see README.md).
export { FakeKubeServer } from "./server";
export type { FakeKubeOptions, KubeconfigOptions, RecordedRequest, ForbidRule, FakeVerb } from "./server";
export { PodStore } from "./pod-store";
export type { FakePodSpec } from "./pod-store";
export { localProcessExec, hangingExec } from "./exec-handlers";
export type { ExecHandler, ExecReply, ExecRequest, LocalProcessOptions } from "./exec-handlers";
export * as fakeStatus from "./status";
