/**
 * The master endpoint (endpoint.enabled): its HAProxy configuration (pure builder, and
 * `haproxy -c` on what the ConfigMap ships), its manifests, the options' validation, and
 * the component under Pulumi mocks (outputs, dependsOn order). Its behaviour on real
 * processes is tests/integration/endpoint.test.ts.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { RedisSentinel } from "../../src";
import { haproxyConfig, type HaproxyConfigInput } from "../../src/endpoint/haproxyConfig";
import { LABEL_REDIS, LABEL_SENTINEL } from "../../src/manifests";
import { ENDPOINT_PORT } from "../../src/manifests/endpoint";
import { resolveSpec } from "../../src/options/validate";
import { haproxyBinary } from "../harness/endpoint-proxy";
import { DYNAMIC_TYPE, installMocks, valueOf } from "./support/mockedPulumi";
import { renderManifests } from "./support/renderManifests";

/** The manifests as plain JSON (what the API server would receive). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function render(args: object = {}): any {
    return JSON.parse(JSON.stringify(renderManifests(args)));
}

const PASSWORD = "s3cret password with \"quotes\" and $dollars";

function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
    return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

function input(overrides: Partial<HaproxyConfigInput> = {}): HaproxyConfigInput {
    const pod = (name: string, port: number) => ({ name, host: `${name}.c-headless.ns.svc.cluster.local`, port });
    return {
        servers: [pod("c-seed", 6379), pod("c-redis-0", 6379), pod("c-redis-1", 6379)],
        sentinels: [pod("c-sentinel-0", 26379), pod("c-sentinel-1", 26379), pod("c-sentinel-2", 26379)],
        masterName: "mymaster",
        sentinelMajority: 2,
        bind: ":6379",
        healthBind: ":8404",
        checkIntervalMs: 100,
        checkTimeoutMs: 150,
        maxConnections: 4096,
        auth: true,
        dnsResolvers: true,
        ...overrides,
    };
}

describe("master endpoint: the HAProxy configuration", () => {
    const config = haproxyConfig(input());

    it("takes the password from the environment only", () => {
        assert.match(config, /tcp-check send-lf ".*%\[env\(REDIS_PASSWORD\),length\].*%\[env\(REDIS_PASSWORD\)\]/);
        assert.ok(!config.includes(PASSWORD));
    });

    it("sends a server no connection unless it passes its check and a majority of Sentinels name it", () => {
        const reject = config.split("\n").find((l) => l.includes("tcp-request connection reject unless"))!;
        for (const s of ["c-seed", "c-redis-0", "c-redis-1"]) {
            assert.ok(reject.includes(`{ srv_is_up(master/${s}) } { nbsrv(sentinels-naming-${s}) ge 2 }`), `${s} missing in: ${reject}`);
            assert.match(config, new RegExp(`use-server ${s} if \\{ srv_is_up\\(master/${s}\\) \\} \\{ nbsrv\\(sentinels-naming-${s}\\) ge 2 \\}`));
            assert.match(config, new RegExp(`server ${s} ${s}\\.c-headless\\.ns\\.svc\\.cluster\\.local:6379 check inter 100 fall 1 rise 1 on-marked-down shutdown-sessions`));
        }
        assert.equal(reject.split(" or ").length, 3);
    });

    it("checks that writes are not paused (PUBLISH answers) before it checks the role", () => {
        const master = config.slice(config.indexOf("backend master"), config.indexOf("backend sentinels-naming-"));
        const publish = master.indexOf("PUBLISH");
        assert.ok(publish > 0 && publish < master.indexOf("role:master"), master);
        assert.match(config, /timeout check 150ms/);
    });

    it("asks each Sentinel for the master by name and expects exactly the server's host", () => {
        const backend = config.slice(config.indexOf("backend sentinels-naming-c-redis-0"), config.indexOf("backend sentinels-naming-c-redis-1"));
        assert.match(backend, /GET-MASTER-ADDR-BY-NAME\\r\\n\\\$8\\r\\nmymaster\\r\\n/);
        assert.ok(backend.includes('tcp-check expect string "\\$41\\r\\nc-redis-0.c-headless.ns.svc.cluster.local\\r\\n"'), backend);
        assert.equal((backend.match(/^ {4}server c-sentinel-\d /gm) ?? []).length, 3);
    });

    it("re-resolves names through the cluster DNS, or only at start for the loopback tests", () => {
        assert.match(config, /resolvers cluster\n {4}parse-resolv-conf/);
        assert.match(config, /default-server init-addr last,libc,none resolvers cluster/);
        const local = haproxyConfig(input({ dnsResolvers: false, auth: false }));
        assert.doesNotMatch(local, /resolvers|AUTH/);
    });

    it("refuses names that would break the configuration", () => {
        assert.throws(() => haproxyConfig(input({ masterName: "my master" })), /master name "my master"/);
        assert.throws(() => haproxyConfig(input({ servers: [{ name: "a b", host: "h", port: 1 }] })), /server name "a b"/);
    });

    it("is accepted by haproxy -c, as the ConfigMap ships it", () => {
        const m = render({ endpoint: { enabled: true } });
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rs-endpoint-"));
        try {
            const file = path.join(dir, "haproxy.cfg");
            fs.writeFileSync(file, m.endpoint!.configMap.data!["haproxy.cfg"] as string);
            const r = spawnSync(haproxyBinary(), ["-c", "-f", file], { encoding: "utf8", env: { PATH: process.env.PATH, REDIS_PASSWORD: PASSWORD } });
            assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
            // ...and haproxy -c does reject a broken one.
            fs.writeFileSync(file, `${m.endpoint!.configMap.data!["haproxy.cfg"]}\nbackend x\n    tcp-check expect nonsense\n`);
            assert.notEqual(spawnSync(haproxyBinary(), ["-c", "-f", file], { encoding: "utf8" }).status, 0);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("master endpoint: manifests", () => {
    it("renders nothing for the endpoint unless enabled", () => {
        assert.equal(render().endpoint, undefined);
    });

    it("lists the seed and every Redis pod as servers and every Sentinel pod, with a majority of them", () => {
        const cfg = render({ endpoint: { enabled: true }, replicas: 5, sentinels: 5 }).endpoint!.configMap.data!["haproxy.cfg"] as string;
        const servers = [...cfg.matchAll(/^ {4}server (\S+) (\S+)/gm)].map((m) => `${m[1]} ${m[2]}`);
        const master = servers.filter((s) => !s.startsWith("cache-sentinel"));
        assert.deepEqual(master, ["cache-seed", ...[0, 1, 2, 3, 4].map((i) => `cache-redis-${i}`)].map((p) => `${p} ${p}.cache-headless.data.svc.cluster.local:6379`));
        assert.equal(servers.length, 6 + 6 * 5);
        assert.match(cfg, /nbsrv\(sentinels-naming-cache-redis-4\) ge 3/);
    });

    it("a Deployment whose pods the master Service selects, and no other Service or budget does", () => {
        const m = render({ endpoint: { enabled: true } });
        const e = m.endpoint!;
        const labels = e.deployment.spec!.template!.metadata!.labels as Record<string, string>;
        assert.ok(selects(e.service.spec!.selector as Record<string, string>, labels));
        assert.ok(selects(e.deployment.spec!.selector!.matchLabels as Record<string, string>, labels));
        assert.equal(labels[LABEL_REDIS], undefined);
        assert.equal(labels[LABEL_SENTINEL], undefined);
        for (const other of [m.sentinelService, ...m.disruptionBudgets.map((p: any) => ({ spec: { selector: p.spec!.selector!.matchLabels } }))]) {
            assert.ok(!selects(other.spec!.selector as Record<string, string>, labels));
        }
        // The headless Service selects every pod of the instance, but maps ports by name: the
        // proxies expose none of its port names, so they get no DNS name under it.
        const container = e.deployment.spec!.template!.spec!.containers[0] as any;
        const names = (container.ports as any[]).map((p) => p.name);
        for (const p of m.headlessService.spec!.ports as any[]) assert.ok(!names.includes(p.targetPort));
        assert.deepEqual(e.service.spec!.ports, [{ name: "redis", port: 6379, targetPort: "endpoint", protocol: "TCP" }]);
        assert.ok(names.includes("endpoint"));
        assert.equal(e.names.serviceHost, "cache-master.data.svc.cluster.local");
    });

    it("the password reaches the proxies from the auth Secret, never through the ConfigMap or the arguments", () => {
        const m = render({ endpoint: { enabled: true }, password: PASSWORD });
        const e = m.endpoint!;
        const container = e.deployment.spec!.template!.spec!.containers[0] as any;
        assert.deepEqual(container.env, [{ name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: "cache-auth", key: "password" } } }]);
        assert.ok(!JSON.stringify(e).includes(PASSWORD));
        assert.deepEqual(container.command, ["haproxy", "-db", "-f", "/etc/redis-endpoint/haproxy.cfg"]);
    });

    it("the NetworkPolicy admits labelled clients to the proxies and the proxies to Redis and Sentinel", () => {
        const m = render({ endpoint: { enabled: true } });
        const policy = m.networkPolicy!.spec as any;
        const labels = m.endpoint!.deployment.spec!.template!.metadata!.labels as Record<string, string>;
        assert.ok(selects(policy.podSelector.matchLabels, labels), "the policy covers the proxies");
        const rule = policy.ingress[0];
        assert.ok(rule.ports.some((p: any) => p.port === 6379));
        assert.ok(rule.from.some((f: any) => !f.namespaceSelector && selects(f.podSelector.matchLabels, { "redis-sentinel.pulumi.com/client-of": "cache" })), "clients");
        assert.ok(rule.from.some((f: any) => !f.namespaceSelector && selects(f.podSelector.matchLabels, labels)), "the proxies, to Redis and Sentinel");
        assert.ok(rule.ports.some((p: any) => p.port === 26379));
    });

    it("a budget of one proxy at a time (none for a single proxy), and a rollout that never runs short", () => {
        assert.deepEqual(render({ endpoint: { enabled: true } }).endpoint!.pdb!.spec!.maxUnavailable, 1);
        assert.equal(render({ endpoint: { enabled: true, replicas: 1 } }).endpoint!.pdb, undefined);
        assert.equal(render({ endpoint: { enabled: true }, podDisruptionBudgets: false }).endpoint!.pdb, undefined);
        assert.deepEqual(render({ endpoint: { enabled: true } }).endpoint!.deployment.spec!.strategy, { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
    });

    it("rolls the proxies when their configuration changes (scaling a set), not otherwise", () => {
        const sum = (args: object) => (render({ endpoint: { enabled: true }, ...args }).endpoint!.deployment.spec!.template!.metadata!.annotations as any)["redis-sentinel.pulumi.com/endpoint-config-sha256"];
        assert.notEqual(sum({}), sum({ replicas: 4 }));
        assert.notEqual(sum({}), sum({ sentinels: 5 }));
        assert.equal(sum({}), sum({ image: "redis:7.4.1" }));
    });
});

describe("master endpoint: options", () => {
    const problems = (args: object): string => {
        try {
            resolveSpec("cache", args);
            return "";
        } catch (e) {
            return (e as Error).message;
        }
    };

    it("is off by default, with HAProxy 3.0, two proxies and 4096 connections when on", () => {
        assert.equal(resolveSpec("cache", {}).endpoint.enabled, false);
        const on = resolveSpec("cache", { endpoint: { enabled: true } }).endpoint;
        assert.deepEqual({ ...on, resources: undefined }, { enabled: true, image: "haproxy:3.0", replicas: 2, maxConnections: 4096, resources: undefined });
    });

    it("names the option, the value and what is allowed", () => {
        assert.match(problems({ endpoint: { enabled: "yes" } }), /option `endpoint.enabled` = "yes": must be true or false/);
        assert.match(problems({ endpoint: { replicas: 0 } }), /option `endpoint.replicas` = 0: must be a whole number from 1 to 10/);
        assert.match(problems({ endpoint: { maxConnections: 1e6 } }), /option `endpoint.maxConnections` = 1000000: must be a whole number from 16 to 100000/);
        assert.match(problems({ endpoint: { image: "haproxy 3" } }), /option `endpoint.image` = "haproxy 3": must be /);
        assert.match(problems({ endpoint: { resources: { limits: { memory: "lots" } } } }), /option `endpoint.resources.limits.memory` = "lots"/);
        assert.match(problems({ endpoint: { replica: 3 } }), /unknown option `endpoint.replica` \(did you mean `replicas`\?\)/);
        assert.match(problems({ endpoint: true }), /option `endpoint` = true: must be an object such as \{ enabled: true \}/);
    });

    it("is refused together with TLS (not supported yet), naming both options", () => {
        assert.match(problems({ endpoint: { enabled: true }, tls: { secretName: "redis-tls" } }), /option `endpoint.enabled` = true: the master endpoint does not speak TLS yet.*turn off `endpoint.enabled` or `tls`/s);
        assert.equal(problems({ endpoint: { enabled: false }, tls: { secretName: "redis-tls" } }), "");
    });

    it("registers nothing on bad endpoint options", async () => {
        const run = installMocks();
        assert.throws(() => new RedisSentinel("cache", { endpoint: { replicas: 0 } }), /endpoint.replicas/);
        await run.settle();
        assert.deepEqual(run.registrations.filter((r) => r.type.startsWith("kubernetes:")), []);
    });
});

describe("master endpoint: the component under Pulumi mocks", function () {
    it("outputs masterHost and masterPort with the endpoint on, undefined with it off", async () => {
        const run = installMocks();
        const on = new RedisSentinel("cache", { namespace: "data", endpoint: { enabled: true } });
        const off = new RedisSentinel("other", { namespace: "data" });
        await run.settle();
        assert.equal(await valueOf(on.masterHost), "cache-master.data.svc.cluster.local");
        assert.equal(await valueOf(on.masterPort), ENDPOINT_PORT);
        assert.equal(await valueOf(off.masterHost), undefined);
        assert.equal(await valueOf(off.masterPort), undefined);
        assert.equal(run.registrations.filter((r) => r.name.startsWith("other-endpoint") || r.name === "other-master").length, 0);
    });

    it("creates the proxies after the Secret, their config, the seed and the Sentinel Service; the Service after them; the retirement after both", async () => {
        const run = installMocks();
        new RedisSentinel("cache", { namespace: "data", endpoint: { enabled: true } });
        await run.settle();
        const urn = (name: string) => run.byName(name).urn;
        const dependsOn = (name: string, on: string) => run.byName(name).dependencies.includes(urn(on));
        for (const before of ["cache-auth", "cache-endpoint-config", "cache-seed", "cache-sentinel-svc"]) {
            assert.ok(dependsOn("cache-endpoint", before), `the endpoint Deployment waits for ${before}`);
        }
        assert.ok(dependsOn("cache-master", "cache-endpoint"), "the master Service waits for the proxies");
        const retirement = run.byType(DYNAMIC_TYPE)[0];
        for (const before of ["cache-endpoint", "cache-master", "cache-redis", "cache-sentinel"]) {
            assert.ok(retirement.dependencies.includes(urn(before)), `the retirement waits for ${before}`);
        }
        assert.equal(run.byName("cache-endpoint-pdb").type, "kubernetes:policy/v1:PodDisruptionBudget");
        assert.equal(run.byName("cache-endpoint").inputs.spec.template.spec.containers[0].image, "haproxy:3.0");
        for (const name of ["cache-endpoint-config", "cache-endpoint", "cache-master", "cache-endpoint-pdb"]) {
            assert.equal(run.byName(name).deleteBeforeReplace, true, `${name} has a fixed name`);
        }
    });

    it("reads masterEndpoint and masterEndpointImage from stack config", async () => {
        const { argsFromConfig } = await import("../../src");
        const pulumi = await import("@pulumi/pulumi");
        installMocks({ "redis-sentinel:masterEndpoint": "true", "redis-sentinel:masterEndpointImage": "localhost/rs-e2e/redis:bookworm" });
        const args = argsFromConfig(new pulumi.Config("redis-sentinel"));
        assert.deepEqual(args.endpoint, { enabled: true, image: "localhost/rs-e2e/redis:bookworm" });
    });
});
