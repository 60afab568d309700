// RedisSentinel composed in a larger program:
// - a Namespace and an explicit kubernetes Provider (not the ambient context);
// - the same kubeconfig given to the component, so its seed retirement (a dynamic
//   provider, which cannot see the Provider object) reaches the same cluster;
// - an application Deployment wired to the component's outputs: the sentinel
//   addresses, the master name, the password Secret, and the client label the
//   NetworkPolicy admits.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { RedisSentinel } from "pulumi-redis-sentinel";

const config = new pulumi.Config();
const kubeconfig = config.requireSecret("kubeconfig");

const provider = new k8s.Provider("cluster", { kubeconfig });
const namespace = new k8s.core.v1.Namespace("shop", { metadata: { name: "shop" } }, { provider });

const redis = new RedisSentinel("sessions", {
    namespace: namespace.metadata.name,
    replicas: 3,
    sentinels: 3,
    kubeconfig,
}, { provider, dependsOn: [namespace] });

const appLabels = { app: "shop-api" };
new k8s.apps.v1.Deployment("shop-api", {
    metadata: { namespace: namespace.metadata.name },
    spec: {
        replicas: 2,
        selector: { matchLabels: appLabels },
        template: {
            // The client label lets the component's NetworkPolicy admit these pods.
            metadata: { labels: pulumi.all([redis.clientLabels]).apply(([client]) => ({ ...appLabels, ...client })) },
            spec: {
                containers: [{
                    name: "api",
                    image: "ghcr.io/example/shop-api:1.0.0",
                    env: [
                        // "host:port,host:port" for the client's sentinel list.
                        { name: "REDIS_SENTINELS", value: redis.sentinels.apply((s) => s.map((a) => `${a.host}:${a.port}`).join(",")) },
                        { name: "REDIS_MASTER_NAME", value: redis.masterName },
                        {
                            name: "REDIS_PASSWORD",
                            valueFrom: { secretKeyRef: { name: redis.passwordSecretName, key: redis.passwordSecretKey } },
                        },
                    ],
                }],
            },
        },
    },
}, { provider, dependsOn: [redis] });

export const sentinelHost = redis.sentinelHost;
export const sentinels = redis.sentinels;
