/** The real-process topology harness: see README.md beside this file. */
export * from "./topology";
export * from "./writer";
export { PacedWriter } from "./paced-writer";
export * from "./scenario";
export { SentinelServiceProxy } from "./sentinel-service";
export { redisCli, parseInfo, parsePairs, waitFor } from "./redis-query";
export { addHostsBlock, removeHostsBlock } from "./hosts";
export { onExit } from "./cleanup";
export { DelayedTransport } from "./delayed-transport";
