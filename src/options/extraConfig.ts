/**
 * Extra redis.conf / sentinel.conf directives (options `redisConfig`, `sentinelConfig`):
 * which ones are refused and why, and the config lines the scripts append. Pure.
 *
 * A value is the directive's arguments as redis.conf takes them, separated by spaces
 * (`"3600 1 300 100"`, `"replica 64mb 32mb 60"`), an argument with spaces or an empty one
 * quoted (`'FLUSHALL ""'`, `'"/data/my file"'`: double quotes take the escapes `\"` and `\\`,
 * single quotes `\'`); a list writes the directive once per element (`rename-command`). Every
 * argument is written back double-quoted with `\` and `"` escaped, so no value can end its line
 * or start another directive.
 */
import { z } from "zod";

/** One directive's value: its arguments, or a list of them (the directive repeated). */
export type ConfigDirectiveValue = string | number | (string | number)[];
/** Directive name -> value. */
export type ConfigDirectives = Record<string, ConfigDirectiveValue>;

const NAME = /^[a-z][a-z0-9-]*$/;
const SENTINEL_NAME = /^(sentinel )?[a-z][a-z0-9-]*$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/;

const LISTENING = "the component sets how Redis listens and connects (ports, TLS, addresses)";
const AUTH = "authentication is the component's (option `password`)";
const DATA_FILES = "it names the data files on the volume: changing it on a running deployment would start from an empty dataset";
const FOREGROUND = "the role scripts run the server in the foreground, logging to the container's output";
const ANNOUNCE = "the component announces each pod's stable DNS name";

/** redis.conf directives the component writes or relies on, with the reason. */
export const MANAGED_REDIS_DIRECTIVES: Record<string, string> = {
    bind: LISTENING, port: LISTENING, "bind-source-addr": LISTENING, "protected-mode": LISTENING, unixsocket: LISTENING,
    dir: DATA_FILES, dbfilename: DATA_FILES, appendfilename: DATA_FILES, appenddirname: DATA_FILES,
    appendonly: "the AOF is the persistence (the cold-start election and the handover rely on it)",
    logfile: FOREGROUND, daemonize: FOREGROUND,
    "shutdown-on-sigterm": "the role scripts stop Redis with SIGTERM after recording its offset and handing a master over",
    requirepass: AUTH, masterauth: AUTH, masteruser: AUTH, user: AUTH, aclfile: AUTH,
    include: "an included file could set any managed directive",
    replicaof: "the role scripts and Sentinel choose the master", slaveof: "the role scripts and Sentinel choose the master",
    "replica-announce-ip": ANNOUNCE, "replica-announce-port": ANNOUNCE, "slave-announce-ip": ANNOUNCE, "slave-announce-port": ANNOUNCE,
    "replica-priority": "the preStop hook sets it on a stopping replica; 0 on every pod would forbid every failover",
    "slave-priority": "the preStop hook sets it on a stopping replica; 0 on every pod would forbid every failover",
    "maxmemory-policy": "use the option `maxmemoryPolicy`",
    "cluster-enabled": "this is a Sentinel deployment, not a Redis Cluster",
};

/** Commands the scripts, probes, Sentinel and replication send: never renamed. */
export const COMMANDS_IN_USE = [
    "ACL", "AUTH", "CLIENT", "CONFIG", "EXEC", "HELLO", "INFO", "MULTI", "PING", "PSYNC", "PUBLISH", "REPLCONF",
    "REPLICAOF", "ROLE", "SCRIPT", "SHUTDOWN", "SLAVEOF", "SUBSCRIBE", "SYNC", "WAIT",
];

/** sentinel.conf directives the component writes or relies on, with the reason. */
export const MANAGED_SENTINEL_DIRECTIVES: Record<string, string> = {
    bind: LISTENING, port: LISTENING, "bind-source-addr": LISTENING, "protected-mode": LISTENING, unixsocket: LISTENING,
    dir: "the Sentinel's state lives in its volume", logfile: FOREGROUND, daemonize: FOREGROUND,
    requirepass: AUTH, user: AUTH, aclfile: AUTH, include: "an included file could set any managed directive",
    "rename-command": "the scripts and the seed retirement send their commands by name",
    "sentinel monitor": "the scripts monitor the master they find", "sentinel auth-pass": AUTH, "sentinel auth-user": AUTH,
    "sentinel sentinel-pass": AUTH, "sentinel sentinel-user": AUTH,
    "sentinel announce-ip": ANNOUNCE, "sentinel announce-port": ANNOUNCE, "sentinel announce-hostnames": ANNOUNCE,
    "sentinel resolve-hostnames": ANNOUNCE,
    "sentinel down-after-milliseconds": "use the option `sentinel.downAfterMilliseconds`",
    "sentinel failover-timeout": "use the option `sentinel.failoverTimeoutMilliseconds`",
    "sentinel parallel-syncs": "use the option `sentinel.parallelSyncs`",
    "sentinel rename-command": "the scripts and the seed retirement send their commands by name",
    "sentinel myid": "state the scripts keep", "sentinel current-epoch": "state the scripts keep", "sentinel config-epoch": "state the scripts keep",
    "sentinel leader-epoch": "state the scripts keep", "sentinel known-replica": "state the scripts keep", "sentinel known-slave": "state the scripts keep",
    "sentinel known-sentinel": "state the scripts keep",
};

/** `sentinel <option>` directives accepted; the per-master ones get the master name inserted. */
export const SENTINEL_OPTIONS = { global: ["deny-scripts-reconfig"], perMaster: ["master-reboot-down-after-period", "notification-script", "client-reconfig-script"] };

function valueSchema() {
    const error = 'must be the directive\'s arguments as a string (e.g. "3600 1" or "yes"), a number, or a list of those (the directive repeated)';
    const one = z.union([z.string(), z.number()], { error });
    return z.union([one, z.array(one, { error }).min(1, { error: "must list at least one value" })], { error });
}

/** Values of one option: names, no control characters. */
function directivesSchema(name: RegExp, example: string) {
    return z.record(z.string(), valueSchema(), { error: `must be a map of directive names to values such as ${example}` })
        .superRefine((directives, ctx) => {
            for (const [key, value] of Object.entries(directives)) {
                if (!name.test(key)) {
                    ctx.addIssue({ code: "custom", path: [key], message: "directive names are lower-case letters, digits and '-' (as in redis.conf)" });
                }
                for (const v of Array.isArray(value) ? value : [value]) {
                    if (typeof v === "number" && !Number.isFinite(v)) ctx.addIssue({ code: "custom", path: [key], message: "must be a finite number" });
                    if (typeof v === "string" && CONTROL.test(v)) {
                        ctx.addIssue({ code: "custom", path: [key], message: "must not contain control characters such as newlines (each value is one config line)" });
                    } else if (typeof v === "string" && splitArgs(v) === undefined) {
                        ctx.addIssue({ code: "custom", path: [key], message: "has unbalanced quotes (a quoted argument ends with its quote, followed by a space or the end)" });
                    }
                }
            }
        });
}

export const redisConfigSchema = directivesSchema(NAME, '{ "hz": 20, "latency-tracking": "no" }');
export const sentinelConfigSchema = directivesSchema(SENTINEL_NAME, '{ "loglevel": "warning", "sentinel master-reboot-down-after-period": 30000 }');

function valuesOf(value: ConfigDirectiveValue): string[] {
    return (Array.isArray(value) ? value : [value]).map(String);
}

function show(value: ConfigDirectiveValue): string {
    return JSON.stringify(value);
}

/** Problems of `redisConfig`: managed directives, renamed commands in use, `maxmemory` beside a memory limit. */
export function redisConfigProblems(directives: ConfigDirectives, opts: { memoryLimit?: string }): string[] {
    const problems: string[] = [];
    for (const [key, value] of Object.entries(directives)) {
        const at = `option \`redisConfig.${key}\` = ${show(value)}`;
        const reason = MANAGED_REDIS_DIRECTIVES[key];
        if (reason !== undefined) problems.push(`${at}: the component manages \`${key}\`: ${reason}`);
        else if (key.startsWith("tls-")) problems.push(`${at}: the component manages \`${key}\`: ${LISTENING}`);
        else if (key === "maxmemory" && opts.memoryLimit !== undefined) {
            problems.push(`${at}: the component sets \`maxmemory\` from \`redisResources.limits.memory\`: use the option \`maxmemoryPercent\``);
        } else if (key === "rename-command") {
            for (const v of valuesOf(value)) {
                const command = (splitArgs(v)?.[0] ?? "").toUpperCase();
                if (COMMANDS_IN_USE.includes(command)) {
                    problems.push(`${at}: \`${command}\` is sent by the scripts, probes, Sentinel or replication and must keep its name ` +
                        `(never renamed: ${COMMANDS_IN_USE.join(", ")})`);
                }
            }
        }
    }
    return problems;
}

/** Problems of `sentinelConfig`: managed directives, and `sentinel` options other than the accepted ones. */
export function sentinelConfigProblems(directives: ConfigDirectives): string[] {
    const problems: string[] = [];
    const accepted = [...SENTINEL_OPTIONS.global, ...SENTINEL_OPTIONS.perMaster].map((o) => `sentinel ${o}`);
    for (const [key, value] of Object.entries(directives)) {
        const at = `option \`sentinelConfig.${key}\` = ${show(value)}`;
        const reason = MANAGED_SENTINEL_DIRECTIVES[key];
        if (reason !== undefined) problems.push(`${at}: the component manages \`${key}\`: ${reason}`);
        else if (key.startsWith("tls-")) problems.push(`${at}: the component manages \`${key}\`: ${LISTENING}`);
        else if (key.startsWith("sentinel ") && !accepted.includes(key)) {
            problems.push(`${at}: not a \`sentinel\` option this option takes (accepted: ${accepted.join(", ")})`);
        }
    }
    return problems;
}

/** One argument as redis.conf / sentinel.conf reads it: double-quoted, `\` and `"` escaped. */
export function quoteArg(arg: string): string {
    return `"${arg.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/**
 * The arguments of one value as redis.conf splits a line (sdssplitargs): on spaces, with
 * double-quoted (escapes `\"` and `\\`) and single-quoted (escape `\'`) parts; undefined when
 * a quote is not closed or not followed by a space. An empty value is one empty argument.
 */
export function splitArgs(value: string): string[] | undefined {
    const args: string[] = [];
    let i = 0;
    for (;;) {
        while (value[i] === " " || value[i] === "\t") i++;
        if (i >= value.length) break;
        let arg = "";
        let quote: '"' | "'" | undefined;
        for (;;) {
            const c = value[i];
            if (quote) {
                if (c === undefined) return undefined;
                const escaped = value[i + 1];
                if (c === "\\" && escaped !== undefined && (quote === '"' ? escaped === '"' || escaped === "\\" : escaped === "'")) {
                    arg += escaped;
                    i += 2;
                } else if (c === quote) {
                    i++;
                    if (value[i] !== undefined && value[i] !== " " && value[i] !== "\t") return undefined;
                    quote = undefined;
                    break;
                } else {
                    arg += c;
                    i++;
                }
            } else if (c === undefined || c === " " || c === "\t") {
                break;
            } else if (c === '"' || c === "'") {
                quote = c;
                i++;
            } else {
                arg += c;
                i++;
            }
        }
        args.push(arg);
    }
    return args.length > 0 ? args : [""];
}

function argsOf(value: string): string[] {
    const args = splitArgs(value);
    if (args === undefined) throw new Error(`unbalanced quotes in ${JSON.stringify(value)}`); // checked by the schema
    return args;
}

/** redis.conf lines of `redisConfig`, in the order given. */
export function redisConfigLines(directives: ConfigDirectives): string[] {
    return Object.entries(directives).flatMap(([key, value]) => valuesOf(value).map((v) => [key, ...argsOf(v).map(quoteArg)].join(" ")));
}

/** sentinel.conf lines of `sentinelConfig`; per-master `sentinel` options get `masterName` after the option. */
export function sentinelConfigLines(directives: ConfigDirectives, masterName: string): string[] {
    return Object.entries(directives).flatMap(([key, value]) => valuesOf(value).map((v) => {
        const option = key.startsWith("sentinel ") ? key.slice("sentinel ".length) : undefined;
        const head = option !== undefined && SENTINEL_OPTIONS.perMaster.includes(option) ? `${key} ${masterName}` : key;
        return [head, ...argsOf(v).map(quoteArg)].join(" ");
    }));
}
