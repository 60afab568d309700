// Quickstart: HA Redis in the current kube context's namespace "default".
//   npm install pulumi-redis-sentinel @pulumi/pulumi @pulumi/kubernetes @pulumi/random
//   pulumi up
import * as pulumi from "@pulumi/pulumi";
import { RedisSentinel } from "pulumi-redis-sentinel";

const config = new pulumi.Config();
const redis = new RedisSentinel("cache", {
    replicas: config.getNumber("replicas") ?? 3,
    sentinels: config.getNumber("sentinels") ?? 3,
});

export const sentinels = redis.sentinels;
export const masterName = redis.masterName;
export const password = redis.password;
