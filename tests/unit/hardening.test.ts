import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, isSecret, SEED_POD_TYPE, type MockedRun, type Registration } from "./support/mockedPulumi";
import { RESOURCE_TYPE, RedisSentinel } from "../../src";
import { SCRIPTS_CHECKSUM_ANNOTATION } from "../../src/manifests/config";
import { PASSWORD_REVISION_ANNOTATION } from "../../src/rotation/resource";

const T = {
    service: "kubernetes:core/v1:Service",
    /** the seed pod: a dynamic resource whose `manifest` input is the v1 Pod */
    pod: SEED_POD_TYPE,
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    serviceMonitor: "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
};

async function deploy(args: ConstructorParameters<typeof RedisSentinel>[1] = {}): Promise<MockedRun> {
    const run = installMocks();
    new RedisSentinel("cache", { namespace: "data", ...args });
    await run.settle();
    return run;
}

function selects(selector: Record<string, string>, labels: Record<string, string> = {}): boolean {
    return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** name -> { labels, containers, annotations, spec } of the seed Pod and both pod templates. */
function pods(run: MockedRun): Record<string, { labels: Record<string, string>; annotations?: Record<string, string>; spec: any }> {
    const seed = run.byType(T.pod)[0].inputs.manifest;
    const out: Record<string, any> = { seed: { labels: seed.metadata.labels, annotations: seed.metadata.annotations, spec: seed.spec } };
    for (const set of run.byType(T.statefulSet).map((r) => r.inputs)) {
        const key = set.metadata.name === "cache-redis" ? "redis" : "sentinel";
        out[key] = { labels: set.spec.template.metadata.labels, annotations: withoutChecksum(set.spec.template.metadata.annotations), spec: set.spec.template.spec };
    }
    return out;
}

const containerNames = (spec: any): string[] => spec.containers.map((c: any) => c.name);

/**
 * Pod template annotations other than the scripts checksum (tests/unit/dayTwo.test.ts) and the
 * password revision (tests/unit/rotation/), undefined when none.
 */
function withoutChecksum(annotations: Record<string, string> | undefined): Record<string, string> | undefined {
    const rest = Object.entries(annotations ?? {}).filter(([k]) => k !== SCRIPTS_CHECKSUM_ANNOTATION && k !== PASSWORD_REVISION_ANNOTATION);
    return rest.length > 0 ? Object.fromEntries(rest) : undefined;
}

describe("metrics (redis_exporter) under Pulumi mocks", function () {
    it("is off by default: no sidecar, no annotations, no metrics Service, no ServiceMonitor, no 9121 rule", async () => {
        const run = await deploy();
        const p = pods(run);
        assert.deepEqual(containerNames(p.seed.spec), ["redis", "sentinel"]);
        assert.deepEqual(containerNames(p.redis.spec), ["redis"]);
        for (const pod of Object.values(p)) assert.equal(pod.annotations, undefined);
        assert.deepEqual(run.byType(T.service).map((r) => r.inputs.metadata.name).sort(), ["cache-headless", "cache-sentinel"]);
        assert.equal(run.byType(T.serviceMonitor).length, 0);
        const policy = run.byType(T.networkPolicy)[0].inputs;
        assert.deepEqual(policy.spec.ingress.flatMap((r: any) => r.ports.map((x: any) => x.port)), [6379, 26379]);
    });

    describe("when enabled", function () {
        let run: MockedRun;
        before(async () => (run = await deploy({ metrics: { enabled: true } })));

        it("adds a restricted exporter sidecar to every Redis pod (seed and Redis set), not to Sentinel pods", () => {
            const p = pods(run);
            assert.deepEqual(containerNames(p.seed.spec), ["redis", "sentinel", "metrics"]);
            assert.deepEqual(containerNames(p.redis.spec), ["redis", "metrics"]);
            assert.deepEqual(containerNames(p.sentinel.spec), ["sentinel"]);
            const exporter = p.redis.spec.containers[1];
            assert.equal(exporter.image, "oliver006/redis_exporter:v1.88.0");
            assert.deepEqual(exporter.ports, [{ name: "metrics", containerPort: 9121, protocol: "TCP" }]);
            assert.equal(exporter.securityContext.readOnlyRootFilesystem, true);
            assert.equal(exporter.securityContext.allowPrivilegeEscalation, false);
            assert.deepEqual(exporter.resources, { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "64Mi" } });
            assert.equal(exporter.livenessProbe.httpGet.path, "/health");
        });

        it("keeps the password off every scrape target but its own Redis (no REDIS_PASSWORD: a password file keyed to 127.0.0.1)", () => {
            // redis_exporter sends REDIS_PASSWORD to any host `/scrape?target=` names; a password
            // file entry is sent only to the address it is keyed to.
            const exporter = pods(run).redis.spec.containers[1];
            const env = Object.fromEntries(exporter.env.map((e: any) => [e.name, e]));
            assert.equal(env.REDIS_PASSWORD, undefined, "REDIS_PASSWORD would be sent to any target /scrape is given");
            assert.equal(env.REDIS_ADDR.value, "redis://127.0.0.1:6379");
            const file = env.REDIS_PASSWORD_FILE?.value;
            assert.ok(file, "the exporter reads its password from a file");
            const mount = exporter.volumeMounts.find((m: any) => file.startsWith(`${m.mountPath}/`));
            assert.ok(mount && mount.readOnly === true, `no read-only mount holds ${file}`);
            for (const pod of [pods(run).seed, pods(run).redis]) {
                const volume = pod.spec.volumes.find((v: any) => v.name === mount.name);
                assert.equal(volume.secret.secretName, "cache-auth");
                assert.deepEqual(volume.secret.items, [{ key: "redis-exporter-passwords.json", path: file.slice(mount.mountPath.length + 1) }]);
            }
            const secret = run.byName("cache-auth");
            assert.deepEqual(JSON.parse(secret.inputs.stringData["redis-exporter-passwords.json"]),
                { "redis://127.0.0.1:6379": "generated-password-0123456789abcdef" }, "keyed to exactly REDIS_ADDR");
            assert.ok(isSecret(secret.wireInputs.stringData) || isSecret((secret.wireInputs.stringData as any)["redis-exporter-passwords.json"]),
                "the password file travels as a Pulumi secret");
            // The rotation takes the password as a secret input (tests/unit/rotation/component.test.ts checks it is one).
            for (const r of run.registrations.filter((x) => !["cache-auth", "cache-password-rotation"].includes(x.name) && x.type !== "random:index/randomPassword:RandomPassword")) {
                assert.ok(!JSON.stringify(r.inputs).includes("generated-password"), `${r.name} holds the password`);
            }
        });

        it("turns the multi-target /scrape endpoint off, with an exporter version that has the switch", () => {
            const exporter = pods(run).redis.spec.containers[1];
            const env = Object.fromEntries(exporter.env.map((e: any) => [e.name, e.value]));
            assert.equal(env.REDIS_EXPORTER_DISABLE_SCRAPE_ENDPOINT, "true");
            // --disable-scrape-endpoint first shipped in redis_exporter v1.83.0 (oliver006/redis_exporter#1106).
            const version = /:v(\d+)\.(\d+)\.(\d+)$/.exec(exporter.image);
            assert.ok(version, exporter.image);
            assert.ok(Number(version[1]) > 1 || Number(version[2]) >= 83, `${exporter.image} ignores REDIS_EXPORTER_DISABLE_SCRAPE_ENDPOINT`);
        });

        it("carries no password file and no exporter key in the Secret when metrics are off", async () => {
            const off = await deploy();
            assert.deepEqual(Object.keys(off.byName("cache-auth").inputs.stringData), ["password", "previous-password-sha256"]);
            for (const pod of Object.values(pods(off))) assert.ok(!pod.spec.volumes.some((v: any) => v.secret), "no Secret volume");
        });

        it("annotates the Redis pods for annotation-based scraping", () => {
            const p = pods(run);
            const expected = { "prometheus.io/scrape": "true", "prometheus.io/port": "9121", "prometheus.io/path": "/metrics" };
            assert.deepEqual(p.seed.annotations, expected);
            assert.deepEqual(p.redis.annotations, expected);
            assert.equal(p.sentinel.annotations, undefined);
        });

        it("creates a headless metrics Service selecting exactly the Redis pods, on 9121", () => {
            const svc = run.byName("cache-metrics").inputs;
            assert.equal(svc.spec.clusterIP, "None");
            assert.deepEqual(svc.spec.ports, [{ name: "metrics", port: 9121, targetPort: "metrics", protocol: "TCP" }]);
            const p = pods(run);
            assert.ok(selects(svc.spec.selector, p.seed.labels) && selects(svc.spec.selector, p.redis.labels));
            assert.ok(!selects(svc.spec.selector, p.sentinel.labels));
            assert.equal(run.byName("cache-metrics").parent, run.byType(RESOURCE_TYPE)[0].urn);
        });

        it("opens 9121 only to Prometheus pods by default (any namespace) and keeps 6379/26379 for clients only", () => {
            const ingress = run.byType(T.networkPolicy)[0].inputs.spec.ingress;
            assert.equal(ingress.length, 2);
            assert.deepEqual(ingress[0].ports.map((x: any) => x.port), [6379, 26379]);
            assert.deepEqual(ingress[1], {
                from: [{ namespaceSelector: {}, podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } } }],
                ports: [{ protocol: "TCP", port: 9121 }],
            });
        });

        it("creates no ServiceMonitor unless asked", () => {
            assert.equal(run.byType(T.serviceMonitor).length, 0);
        });
    });

    it("restricts scraping to the namespaces and scraper pods given", async () => {
        const run = await deploy({ metrics: {
            enabled: true, scrapeNamespaceLabels: { "kubernetes.io/metadata.name": "monitoring" }, scrapePodLabels: { app: "vmagent" },
        } });
        const ingress = run.byType(T.networkPolicy)[0].inputs.spec.ingress;
        assert.deepEqual(ingress[1].from, [{
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } }, podSelector: { matchLabels: { app: "vmagent" } },
        }]);
    });

    it("admits every pod of the scrape namespaces only when asked with empty scrapePodLabels", async () => {
        const run = await deploy({ metrics: { enabled: true, scrapeNamespaceLabels: { team: "obs" }, scrapePodLabels: {} } });
        const ingress = run.byType(T.networkPolicy)[0].inputs.spec.ingress;
        assert.deepEqual(ingress[1].from, [{ namespaceSelector: { matchLabels: { team: "obs" } }, podSelector: {} }]);
    });

    it("creates a ServiceMonitor when asked: parented, after the metrics Service, selecting only it", async () => {
        const run = await deploy({
            labels: { team: "checkout" },
            metrics: { enabled: true, serviceMonitor: true, serviceMonitorLabels: { release: "prom" }, scrapeInterval: "15s" },
        });
        const monitors = run.byType(T.serviceMonitor);
        assert.equal(monitors.length, 1);
        const monitor: Registration = monitors[0];
        assert.equal(monitor.parent, run.byType(RESOURCE_TYPE)[0].urn);
        assert.ok(monitor.dependencies.includes(run.byName("cache-metrics").urn), "the ServiceMonitor must wait for the metrics Service");
        const m = monitor.inputs;
        assert.equal(m.apiVersion, "monitoring.coreos.com/v1");
        assert.equal(m.metadata.namespace, "data");
        assert.equal(m.metadata.labels.release, "prom");
        assert.deepEqual(m.spec.namespaceSelector, { matchNames: ["data"] });
        assert.deepEqual(m.spec.endpoints, [{ port: "metrics", path: "/metrics", scheme: "http", interval: "15s" }]);
        const services = Object.fromEntries(run.byType(T.service).map((r) => [r.inputs.metadata.name, r.inputs.metadata.labels]));
        const selected = Object.keys(services).filter((name) => selects(m.spec.selector.matchLabels, services[name]));
        assert.deepEqual(selected, ["cache-metrics"]);
    });

    it("takes the exporter image and resources from args", async () => {
        const run = await deploy({ metrics: { enabled: true, image: "registry.local/redis_exporter:v1.63.0", resources: { requests: { cpu: "50m" } } } });
        const exporter = pods(run).redis.spec.containers[1];
        assert.equal(exporter.image, "registry.local/redis_exporter:v1.63.0");
        assert.deepEqual(exporter.resources, { requests: { cpu: "50m" } });
    });
});

describe("graceful stop of the Redis set's master under Pulumi mocks", function () {
    let run: MockedRun;
    before(async () => (run = await deploy()));

    it("runs prestop-redis.sh before a Redis set container stops, within the grace period", () => {
        const { spec } = pods(run).redis;
        const redis = spec.containers[0];
        const hook = redis.lifecycle.preStop.exec.command;
        assert.equal(hook[0], "sh");
        assert.match(hook.join(" "), /sh \/scripts\/prestop-redis\.sh/);
        const timeout = Number(redis.env.find((e: any) => e.name === "RS_PRESTOP_TIMEOUT_S").value);
        assert.ok(timeout >= 10, `preStop wait ${timeout}s`);
        assert.ok(spec.terminationGracePeriodSeconds >= timeout + 15,
            `grace period ${spec.terminationGracePeriodSeconds}s leaves too little time after a ${timeout}s preStop wait`);
    });

    it("adds no preStop hook to the seed (the retirement hands it over) nor to Sentinels", () => {
        const p = pods(run);
        for (const c of [...p.seed.spec.containers, ...p.sentinel.spec.containers]) assert.equal(c.lifecycle, undefined, c.name);
    });

    it("ships in the scripts ConfigMap every script a container, probe or hook runs (prestop-redis.sh included)", async () => {
        const withMetrics = await deploy({ metrics: { enabled: true } });
        const shipped = Object.keys(withMetrics.byName("cache-scripts").inputs.data);
        const workloads = [...withMetrics.byType(T.pod).map((r) => ({ inputs: r.inputs.manifest })), ...withMetrics.byType(T.statefulSet)].map((r) => JSON.stringify(r.inputs));
        const referenced = new Set(workloads.flatMap((text) => [...text.matchAll(/\/scripts\/([\w.-]+\.sh)/g)].map((m) => m[1])));
        assert.ok(referenced.has("prestop-redis.sh") && referenced.has("replica.sh"), [...referenced].join(", "));
        const missing = [...referenced].filter((f) => !shipped.includes(f));
        assert.deepEqual(missing, [], `run by containers but not in the ConfigMap (shipped: ${shipped.join(", ")})`);
    });

    it("keeps the password out of the hook's command line", () => {
        const redis = pods(run).redis.spec.containers[0];
        assert.ok(!JSON.stringify(redis.lifecycle).includes("generated-password"));
    });
});

describe("outputs stay secret with metrics on", function () {
    it("keeps the password a secret output", async () => {
        const run = installMocks();
        const redis = new RedisSentinel("cache", { namespace: "data", metrics: { enabled: true, serviceMonitor: true } });
        await run.settle();
        assert.equal(await pulumi.isSecret(redis.password), true);
    });
});
