/**
 * How the retirement logic reaches Redis and Sentinel: "run this command on the redis server (or
 * the sentinel) of node X", X being the node's announced host name (its pod FQDN).
 *  - `RetirementTransport`: the interface the logic uses (`call(role, host, args)`).
 *  - `KubeTransport`: `redis-cli` exec'd in the pod's container through the Kubernetes API.
 *  - `LocalTransport`: `redis-cli` on this machine against loopback addresses (tests, demo, bench).
 * Both run `redis-cli --no-raw` and share one parser (reply.ts).
 */
export * from "./transport-core";
export { KubeTransport, podOfHost } from "./kube-transport";
export type { KubeTransportOptions, PodExecutor } from "./kube-transport";
export { LocalTransport } from "./local-transport";
export type { LocalNode, LocalScripts, LocalTransportOptions } from "./local-transport";
