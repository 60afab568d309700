// The program of the root Pulumi.yaml: one RedisSentinel from stack config.
//   npx pulumi config set replicas 5 && npx pulumi up
import * as pulumi from "@pulumi/pulumi";
import { RedisSentinel } from "../src";
import { rootStackArgs } from "../src/config/stackConfig";

// A key nothing reads (a typo such as `replica`) is refused, like a bad value, before anything is registered.
const { name, args } = rootStackArgs(new pulumi.Config());
const redis = new RedisSentinel(name, args);

export const namespace = redis.namespace;
export const sentinelHost = redis.sentinelHost;
export const sentinelPort = redis.sentinelPort;
export const sentinels = redis.sentinels;
export const masterName = redis.masterName;
export const password = redis.password;
export const passwordSecretName = redis.passwordSecretName;
export const clientLabels = redis.clientLabels;
/** The master after the seed's retirement (the seed while retirement is off). */
export const currentMaster = redis.currentMaster;
export const currentMasterHost = redis.currentMasterHost;
export const writePauseMs = redis.writePauseMs;
/** The master endpoint for clients without Sentinel (`masterEndpoint: true`; undefined otherwise). */
export const masterHost = redis.masterHost;
export const masterPort = redis.masterPort;
/** TLS: `{ enabled, caSecretName, caSecretKey }` (the Secret and key holding the CA clients trust). */
export const tls = redis.tls;
