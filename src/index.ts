export { RedisSentinel, RESOURCE_TYPE, type SentinelAddress } from "./component/redisSentinel";
export type {
    RedisSentinelArgs, ContainerResources, PersistenceArgs, SentinelTuningArgs, RetirementArgs, NetworkPolicyArgs, MetricsArgs,
} from "./spec/args";
export { RedisSentinelConfigError } from "./spec/validate";
export { DEFAULTS } from "./spec/defaults";
export { argsFromConfig } from "./config/stackConfig";
export { SeedRetirement, type SeedRetirementArgs } from "./retirement";
