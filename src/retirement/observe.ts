/**
 * Observe: read the topology through a transport into a plain `Observation` (no decisions here).
 * Every failure to read a node is recorded in the view (`error`), never thrown, so `decide` can
 * name it in its verdict.
 */
import { fieldsToRecord, listOfRecords, parseInfo, Reply } from "./reply";
import { NodeRole, RetirementTransport } from "./transport-core";

/** What is being retired, by announced host names (pod FQDNs). */
export interface RetirementTarget {
  masterName: string;
  /** The seed pod's host: it runs a Redis server and a Sentinel. */
  seed: string;
  /** Hosts of the Redis set's pods. */
  replicas: string[];
  /** Hosts of the Sentinel set's pods (the seed's own Sentinel is not listed here). */
  sentinels: string[];
  /** The quorum every listed Sentinel must run with (`SENTINEL SET`, phase "quorum"); unset: left as it is. */
  quorum?: number;
}

export interface SentinelView {
  host: string;
  /** Set when the sentinel could not be read; the other fields may then be missing. */
  error?: string;
  /** Host of the master it names (get-master-addr-by-name); null when it does not know the name. */
  masterAddr?: string | null;
  master?: Record<string, string>;
  replicas?: Record<string, string>[];
  sentinels?: Record<string, string>[];
  /** SENTINEL CKQUORUM reply text (OK ...) or its error. */
  ckquorum?: string;
  ckquorumOk?: boolean;
}

export interface RedisView {
  host: string;
  error?: string;
  /** INFO replication fields. */
  info?: Record<string, string>;
}

export interface Observation {
  sentinels: SentinelView[];
  redis: RedisView[];
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export async function call(t: RetirementTransport, role: NodeRole, host: string, ...args: string[]): Promise<Reply> {
  return t.call(role, host, args);
}

/** The host part of `get-master-addr-by-name` (null for an unknown master name). */
export async function masterAddrOf(t: RetirementTransport, sentinel: string, masterName: string): Promise<string | null> {
  const reply = await call(t, "sentinel", sentinel, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", masterName);
  if (reply === null || (Array.isArray(reply) && reply.length === 0)) return null;
  if (!Array.isArray(reply)) throw new Error(`sentinel ${sentinel}: unexpected get-master-addr-by-name reply ${JSON.stringify(reply)}`);
  return String(reply[0]);
}

export async function replicationInfo(t: RetirementTransport, host: string): Promise<Record<string, string>> {
  return parseInfo(String(await call(t, "redis", host, "INFO", "replication")));
}

export async function observeSentinel(t: RetirementTransport, host: string, masterName: string): Promise<SentinelView> {
  const view: SentinelView = { host };
  try {
    view.masterAddr = await masterAddrOf(t, host, masterName);
    if (view.masterAddr === null) return view;
    const [master, replicas, sentinels] = await Promise.all([
      call(t, "sentinel", host, "SENTINEL", "MASTER", masterName),
      call(t, "sentinel", host, "SENTINEL", "REPLICAS", masterName),
      call(t, "sentinel", host, "SENTINEL", "SENTINELS", masterName),
    ]);
    view.master = fieldsToRecord(master);
    view.replicas = listOfRecords(replicas);
    view.sentinels = listOfRecords(sentinels);
  } catch (err) {
    view.error = message(err);
    return view;
  }
  try {
    view.ckquorum = String(await call(t, "sentinel", host, "SENTINEL", "CKQUORUM", masterName));
    view.ckquorumOk = view.ckquorum.startsWith("OK");
  } catch (err) {
    view.ckquorum = message(err);
    view.ckquorumOk = false;
  }
  return view;
}

export async function observeRedis(t: RetirementTransport, host: string): Promise<RedisView> {
  try {
    return { host, info: await replicationInfo(t, host) };
  } catch (err) {
    return { host, error: message(err) };
  }
}

export interface ObserveScope {
  /** Include the seed's Redis and Sentinel (false once its pod is gone). */
  seed: boolean;
}

/** Reads every sentinel and every Redis server of the target, in parallel. */
export async function observe(t: RetirementTransport, target: RetirementTarget, scope: ObserveScope = { seed: true }): Promise<Observation> {
  const sentinelHosts = scope.seed ? [target.seed, ...target.sentinels] : [...target.sentinels];
  const redisHosts = scope.seed ? [target.seed, ...target.replicas] : [...target.replicas];
  const [sentinels, redis] = await Promise.all([
    Promise.all(sentinelHosts.map((h) => observeSentinel(t, h, target.masterName))),
    Promise.all(redisHosts.map((h) => observeRedis(t, h))),
  ]);
  return { sentinels, redis };
}
