export { RedisSentinel, RESOURCE_TYPE, type SentinelAddress, type TlsClientInfo } from "./component/redisSentinel";
export type {
    RedisSentinelArgs, ContainerResources, PersistenceArgs, SentinelTuningArgs, RetirementArgs, NetworkPolicyArgs, MetricsArgs,
    ConfigDirectives, ConfigDirectiveValue,
    EndpointArgs,
    TlsArgs, TlsIssuerRef,
} from "./options/args";
export { RedisSentinelConfigError } from "./options/validate";
export { DEFAULTS } from "./options/defaults";
export { argsFromConfig } from "./config/stackConfig";
export { SeedRetirement, type SeedRetirementArgs } from "./retirement";
