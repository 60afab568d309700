// RedisSentinel composed in a larger program:
// - a Namespace and an explicit kubernetes Provider (not the ambient context);
// - the same kubeconfig given to the component, so its seed retirement (a dynamic
//   provider, which cannot see the Provider object) reaches the same cluster;
// - an application Deployment wired to the component's outputs: the sentinel
//   addresses, the master name, the password Secret, and the client label the
//   NetworkPolicy admits. The application here is a small client that asks the
//   Sentinels for the master and counts visits there once a second; put your own
//   image and command in its place.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { RedisSentinel } from "pulumi-redis-sentinel";

const config = new pulumi.Config();
const kubeconfig = config.requireSecret("kubeconfig");
// Image of the Redis pods and of the demo client (it needs `sh` and `redis-cli`).
const image = config.get("image") ?? "redis:7.2.5";

const provider = new k8s.Provider("cluster", { kubeconfig });
const namespace = new k8s.core.v1.Namespace("shop", { metadata: { name: "shop" } }, { provider });

const redis = new RedisSentinel("sessions", {
    namespace: namespace.metadata.name,
    replicas: 3,
    sentinels: 3,
    image,
    kubeconfig,
}, { provider, dependsOn: [namespace] });

// Asks each Sentinel in turn for the master, then writes there; REDISCLI_AUTH (from the
// component's Secret) authenticates both, so the password is never on a command line.
const client = `
while :; do
  master=""
  for s in $(echo "$REDIS_SENTINELS" | tr ',' ' '); do
    master=$(redis-cli -h "\${s%:*}" -p "\${s##*:}" SENTINEL get-master-addr-by-name "$REDIS_MASTER_NAME" 2>/dev/null | head -n 1)
    [ -n "$master" ] && break
  done
  if [ -z "$master" ] || ! redis-cli -h "$master" INCR shop:visits >/dev/null 2>&1; then
    echo "no write this second (master: \${master:-unknown})"
  fi
  sleep 1
done`;

const appLabels = { app: "shop-api" };
const app = new k8s.apps.v1.Deployment("shop-api", {
    metadata: { namespace: namespace.metadata.name },
    spec: {
        replicas: 1,
        selector: { matchLabels: appLabels },
        template: {
            // The client label lets the component's NetworkPolicy admit these pods.
            metadata: { labels: pulumi.all([redis.clientLabels]).apply(([clientLabels]) => ({ ...appLabels, ...clientLabels })) },
            spec: {
                securityContext: { runAsNonRoot: true, runAsUser: 999, seccompProfile: { type: "RuntimeDefault" } },
                containers: [{
                    name: "api",
                    image,
                    command: ["sh", "-c", client],
                    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
                    resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "32Mi" } },
                    env: [
                        // "host:port,host:port" for the client's sentinel list.
                        { name: "REDIS_SENTINELS", value: redis.sentinels.apply((s) => s.map((a) => `${a.host}:${a.port}`).join(",")) },
                        { name: "REDIS_MASTER_NAME", value: redis.masterName },
                        {
                            name: "REDISCLI_AUTH",
                            valueFrom: { secretKeyRef: { name: redis.passwordSecretName, key: redis.passwordSecretKey } },
                        },
                    ],
                }],
            },
        },
    },
}, { provider, dependsOn: [redis] });

export const namespaceName = namespace.metadata.name;
export const sentinelHost = redis.sentinelHost;
export const sentinels = redis.sentinels;
export const masterName = redis.masterName;
export const passwordSecretName = redis.passwordSecretName;
export const currentMaster = redis.currentMaster;
export const appName = app.metadata.name;
