// The master endpoint: an application that does not speak Sentinel (here redis-cli in a
// loop; any plain Redis client works the same) reaches the current master through one
// stable address, the component's `masterHost`:`masterPort`. See the README's
// "Master endpoint" for how it follows the master and what a client must set.
//   pulumi up
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { RedisSentinel } from "pulumi-redis-sentinel";

const config = new pulumi.Config();
const image = config.get("image") ?? "redis:7.2.5";

const redis = new RedisSentinel("cache", {
    image,
    // HAProxy pods and the `cache-master` Service; `image: ...` to use a mirror.
    endpoint: { enabled: true },
});

// A plain client: no Sentinel list, no master name, just a host and a port. REDISCLI_AUTH
// (from the component's Secret) keeps the password off the command line.
const client = `
while :; do
  redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" INCR demo:visits >/dev/null 2>&1 || echo "no write this second"
  sleep 1
done`;

const labels = { app: "plain-client" };
const app = new k8s.apps.v1.Deployment("plain-client", {
    spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
            // The client label lets the component's NetworkPolicy admit these pods to the endpoint.
            metadata: { labels: redis.clientLabels.apply((clientLabels) => ({ ...labels, ...clientLabels })) },
            spec: {
                securityContext: { runAsNonRoot: true, runAsUser: 999, seccompProfile: { type: "RuntimeDefault" } },
                containers: [{
                    name: "client",
                    image,
                    command: ["sh", "-c", client],
                    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
                    resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "32Mi" } },
                    env: [
                        { name: "REDIS_HOST", value: redis.masterHost.apply((h) => h ?? "") },
                        { name: "REDIS_PORT", value: redis.masterPort.apply((p) => String(p ?? 6379)) },
                        { name: "REDISCLI_AUTH", valueFrom: { secretKeyRef: { name: redis.passwordSecretName, key: redis.passwordSecretKey } } },
                    ],
                }],
            },
        },
    },
}, { dependsOn: [redis] });

export const masterHost = redis.masterHost;
export const masterPort = redis.masterPort;
export const appName = app.metadata.name;
