import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { DYNAMIC_TYPE, installMocks, isSecret, SEED_POD_TYPE, valueOf, type MockedRun, type Registration } from "./support/mockedPulumi";
import { RESOURCE_TYPE, RedisSentinel } from "../../src";
import { LABEL_SENTINEL } from "../../src/manifests";

const T = {
    secret: "kubernetes:core/v1:Secret",
    configMap: "kubernetes:core/v1:ConfigMap",
    service: "kubernetes:core/v1:Service",
    pod: "kubernetes:core/v1:Pod",
    seedPod: SEED_POD_TYPE,
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    pdb: "kubernetes:policy/v1:PodDisruptionBudget",
    networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    password: "random:index/randomPassword:RandomPassword",
    retirement: DYNAMIC_TYPE,
};

async function deploy(args: ConstructorParameters<typeof RedisSentinel>[1] = {}, opts?: pulumi.ComponentResourceOptions) {
    const run = installMocks();
    const redis = new RedisSentinel("cache", { namespace: "data", ...args }, opts);
    await run.settle();
    return { run, redis };
}

function env(container: any, name: string): string | undefined {
    return container.env.find((e: any) => e.name === name)?.value;
}

function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
    return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

describe("RedisSentinel under Pulumi mocks", function () {
    let run: MockedRun;
    let redis: RedisSentinel;

    before(async () => ({ run, redis } = await deploy()));

    it("registers the component with its type token and every child", () => {
        const component = run.byType(RESOURCE_TYPE);
        assert.equal(component.length, 1);
        const counts = Object.fromEntries(Object.entries(T).map(([key, type]) => [key, run.byType(type).length]));
        assert.deepEqual(counts, {
            secret: 1, configMap: 1, service: 2, pod: 0, seedPod: 1, statefulSet: 2, pdb: 2, networkPolicy: 1, password: 1, retirement: 1,
        });
    });

    it("parents every child to the component", () => {
        const componentUrn = run.byType(RESOURCE_TYPE)[0].urn;
        const children = run.registrations.filter((r) => r.type !== RESOURCE_TYPE);
        assert.ok(children.length >= 11);
        for (const child of children) assert.equal(child.parent, componentUrn, `${child.name} is not parented to the component`);
    });

    it("orders the bootstrap with explicit dependsOn: seed Pod -> Sentinel Service -> both sets", () => {
        const urnOf = (name: string) => run.byName(name).urn;
        const dependsOn = (name: string, on: string) => run.byName(name).dependencies.includes(urnOf(on));
        assert.ok(dependsOn("cache-seed", "cache-auth"), "seed Pod waits for the auth Secret");
        assert.ok(dependsOn("cache-seed", "cache-scripts"), "seed Pod waits for the scripts ConfigMap");
        assert.ok(dependsOn("cache-seed", "cache-headless"), "seed Pod waits for its DNS name");
        assert.ok(dependsOn("cache-sentinel-svc", "cache-seed"), "Sentinel Service waits for the seed Pod");
        for (const set of ["cache-redis", "cache-sentinel"]) {
            assert.ok(dependsOn(set, "cache-seed"), `${set} waits for the seed Pod`);
            assert.ok(dependsOn(set, "cache-sentinel-svc"), `${set} waits for the Sentinel Service`);
        }
        // And nothing depends the other way round.
        assert.ok(!dependsOn("cache-seed", "cache-sentinel-svc"));
        assert.ok(!dependsOn("cache-sentinel-svc", "cache-redis"));
    });

    it("retires the seed last: the retirement depends on both sets and targets this deployment's pods", () => {
        const retirement = run.byName("cache-seed-retirement");
        assert.equal(retirement.type, DYNAMIC_TYPE);
        for (const set of ["cache-redis", "cache-sentinel"]) {
            assert.ok(retirement.dependencies.includes(run.byName(set).urn), `the retirement must wait for ${set}`);
        }
        const inputs = retirement.inputs;
        assert.equal(inputs.namespace, "data");
        assert.equal(inputs.seedPod, "cache-seed");
        assert.equal(inputs.seedUid, "uid-cache-seed", "a recreated seed (new uid) must trigger a new retirement");
        assert.deepEqual(inputs.redisPods, ["cache-redis-0", "cache-redis-1", "cache-redis-2"]);
        assert.deepEqual(inputs.sentinelPods, ["cache-sentinel-0", "cache-sentinel-1", "cache-sentinel-2"]);
        assert.equal(inputs.headlessDomain, "cache-headless.data.svc.cluster.local");
        assert.equal(inputs.timeoutSeconds, 600);
        assert.equal(inputs.kubeconfig, undefined, "no kubeconfig given: the ambient one");
        assert.ok(typeof inputs.__provider === "string" && inputs.__provider.length > 0, "the provider is serialized with the resource");
        assert.ok(!inputs.__provider.includes("generated-password"), "the serialized provider holds no password");
    });

    it("outputs the master the retirement reports and how long writes paused", async () => {
        assert.equal(await valueOf(redis.currentMaster), "cache-redis-0");
        assert.equal(await valueOf(redis.currentMasterHost), "cache-redis-0.cache-headless.data.svc.cluster.local");
        assert.equal(await valueOf(redis.writePauseMs), 420);
    });

    it("gives the seed Pod a master and a Sentinel container with a stable DNS name", () => {
        const seed = run.byName("cache-seed").inputs.manifest;
        assert.deepEqual(seed.spec.containers.map((c: any) => c.name), ["redis", "sentinel"]);
        assert.equal(seed.spec.hostname, "cache-seed");
        assert.equal(seed.spec.subdomain, "cache-headless");
        assert.deepEqual(seed.spec.containers[0].command, ["sh", "/scripts/seed-master.sh"]);
        assert.deepEqual(seed.spec.containers[1].command, ["sh", "/scripts/seed-sentinel.sh"]);
        assert.equal(env(seed.spec.containers[1], "RS_SEED_HOST"), "cache-seed.cache-headless.data.svc.cluster.local");
    });

    it("selects the seed Pod and the Sentinel set, not the Redis set, with the Sentinel Service on 26379", () => {
        const service = run.byName("cache-sentinel-svc").inputs;
        assert.deepEqual(service.spec.ports.map((p: any) => p.port), [26379]);
        const seedLabels = run.byName("cache-seed").inputs.manifest.metadata.labels;
        const sets = run.byType(T.statefulSet).map((r) => r.inputs);
        const sentinelSet = sets.find((s) => s.metadata.name === "cache-sentinel")!;
        const redisSet = sets.find((s) => s.metadata.name === "cache-redis")!;
        assert.ok(selects(service.spec.selector, seedLabels), "Sentinel Service must select the seed pod");
        assert.ok(selects(service.spec.selector, sentinelSet.spec.template.metadata.labels));
        assert.ok(!selects(service.spec.selector, redisSet.spec.template.metadata.labels));
        assert.equal(seedLabels[LABEL_SENTINEL], "true");
    });

    it("never lets a StatefulSet adopt the seed Pod, and each selects its own template", () => {
        const seedLabels = run.byName("cache-seed").inputs.manifest.metadata.labels;
        for (const set of run.byType(T.statefulSet).map((r) => r.inputs)) {
            assert.ok(!selects(set.spec.selector.matchLabels, seedLabels), `${set.metadata.name} would select the seed`);
            assert.ok(selects(set.spec.selector.matchLabels, set.spec.template.metadata.labels));
            assert.equal(set.spec.serviceName, "cache-headless");
        }
    });

    it("resolves every pod by name through a headless Service that publishes not-ready pods", () => {
        const headless = run.byName("cache-headless").inputs;
        assert.equal(headless.spec.clusterIP, "None");
        assert.equal(headless.spec.publishNotReadyAddresses, true);
        const seedLabels = run.byName("cache-seed").inputs.manifest.metadata.labels;
        assert.ok(selects(headless.spec.selector, seedLabels));
        for (const set of run.byType(T.statefulSet).map((r) => r.inputs)) {
            assert.ok(selects(headless.spec.selector, set.spec.template.metadata.labels));
        }
    });

    it("defaults to 3 Redis servers, 3 sentinels and quorum 2", () => {
        const sets = Object.fromEntries(run.byType(T.statefulSet).map((r) => [r.inputs.metadata.name, r.inputs]));
        assert.equal(sets["cache-redis"].spec.replicas, 3);
        assert.equal(sets["cache-sentinel"].spec.replicas, 3);
        assert.equal(run.byName("cache-scripts").inputs.data.quorum, "2\n");
        assert.equal(run.byName("cache-seed-retirement").inputs.quorum, 2);
        assert.equal(env(sets["cache-sentinel"].spec.template.spec.containers[0], "RS_DOWN_AFTER_MS"), "5000");
    });

    it("keeps the password secret on the wire and in the outputs", async () => {
        const secret = run.byName("cache-auth");
        assert.ok(isSecret(secret.wireInputs.stringData) || isSecret((secret.wireInputs.stringData as any)?.password),
            "the Secret's password must be sent as a Pulumi secret");
        assert.equal(secret.inputs.stringData.password, "generated-password-0123456789abcdef");
        assert.equal(await pulumi.isSecret(redis.password), true);
        for (const pod of [run.byName("cache-seed"), ...run.byType(T.statefulSet)]) {
            assert.ok(!JSON.stringify(pod.inputs).includes("generated-password"), `${pod.name} must reference the Secret, not embed the password`);
        }
    });

    it("outputs what a client needs to connect", async () => {
        assert.equal(await valueOf(redis.sentinelHost), "cache-sentinel.data.svc.cluster.local");
        assert.equal(await valueOf(redis.sentinelPort), 26379);
        assert.equal(await valueOf(redis.masterName), "mymaster");
        assert.deepEqual(await valueOf(redis.sentinels), [0, 1, 2].map((i) => ({
            host: `cache-sentinel-${i}.cache-headless.data.svc.cluster.local`, port: 26379,
        })));
        assert.equal(await valueOf(redis.passwordSecretName), "cache-auth");
        assert.deepEqual(await valueOf(redis.clientLabels), { "redis-sentinel.pulumi.com/client-of": "cache" });
    });

    it("replaces fixed-name objects by deleting them first", () => {
        for (const r of run.registrations.filter((r) => r.type.startsWith("kubernetes:"))) {
            assert.equal(r.deleteBeforeReplace, true, `${r.name} has a fixed name and must delete before replace`);
        }
    });

    it("owns the seed pod through a dynamic resource that creates it with this deployment's access, unless the deployment runs already", () => {
        const seed = run.byName("cache-seed");
        assert.equal(seed.type, SEED_POD_TYPE);
        assert.equal(seed.inputs.namespace, "data");
        assert.equal(seed.inputs.name, "cache-seed");
        assert.equal(seed.inputs.manifest.metadata.name, "cache-seed");
        assert.equal(seed.inputs.runningPod, "cache-redis-0", "an existing first Redis pod means: no seed");
        const redisSet = run.byType(T.statefulSet).find((r: Registration) => r.inputs.metadata.name === "cache-redis")!;
        assert.equal(seed.inputs.dataClaim, `${redisSet.inputs.spec.volumeClaimTemplates[0].metadata.name}-cache-redis-0`, "a kept first data claim means: no seed");
        assert.equal(seed.inputs.timeoutSeconds, 600);
        assert.ok(!JSON.stringify(seed.inputs.__provider ?? "").includes("generated-password"), "the serialized provider holds no password");
    });
});

describe("RedisSentinel options", function () {
    it("without persistence the seed checks no data claim (nothing is kept)", async () => {
        const { run } = await deploy({ persistence: { enabled: false } });
        assert.equal(run.byName("cache-seed").inputs.dataClaim, undefined);
    });

    it("takes replica and sentinel counts and the quorum from args", async () => {
        const { run } = await deploy({ replicas: 5, sentinels: 7, quorum: 5 });
        const sets = Object.fromEntries(run.byType(T.statefulSet).map((r: Registration) => [r.inputs.metadata.name, r.inputs]));
        assert.equal(sets["cache-redis"].spec.replicas, 5);
        assert.equal(sets["cache-sentinel"].spec.replicas, 7);
        assert.equal(run.byName("cache-scripts").inputs.data.quorum, "5\n");
        assert.equal(run.byName("cache-seed-retirement").inputs.quorum, 5);
    });

    it("passes an explicit kubernetes provider to every Kubernetes child", async () => {
        const run = installMocks();
        const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
        new RedisSentinel("cache", {}, { provider });
        await run.settle();
        const providerUrn = run.byName("cluster").urn;
        const kubeChildren = run.registrations.filter((r) => r.type.startsWith("kubernetes:") && r.name !== "cluster");
        assert.ok(kubeChildren.length >= 9);
        for (const child of kubeChildren) assert.ok(child.provider.startsWith(`${providerUrn}::`), `${child.name} does not use the given provider`);
    });

    it("hands a given kubeconfig and context to the retirement as a secret", async () => {
        const { run } = await deploy({ kubeconfig: "apiVersion: v1\nkind: Config\n", kubeContext: "prod", retirement: { timeoutSeconds: 120 } });
        const retirement = run.byName("cache-seed-retirement");
        assert.ok(isSecret(retirement.wireInputs.kubeconfig), "the kubeconfig must travel as a secret");
        assert.equal(retirement.inputs.context, "prod");
        assert.equal(retirement.inputs.timeoutSeconds, 120);
    });

    it("leaves the seed as the master when retirement is off", async () => {
        const { run, redis } = await deploy({ retirement: { enabled: false } });
        assert.equal(run.byType(DYNAMIC_TYPE).length, 0);
        assert.equal(await valueOf(redis.currentMaster), "cache-seed");
        assert.equal(await valueOf(redis.writePauseMs), 0);
    });

    it("uses a given password as a secret and creates no random password", async () => {
        const { run, redis } = await deploy({ password: "a-given-password-123" });
        assert.equal(run.byType(T.password).length, 0);
        assert.equal(await pulumi.isSecret(redis.password), true);
        assert.equal(run.byName("cache-auth").inputs.stringData.password, "a-given-password-123");
    });

    it("turns off the optional objects and persistence", async () => {
        const { run } = await deploy({ podDisruptionBudgets: false, networkPolicy: { enabled: false }, persistence: { enabled: false } });
        assert.equal(run.byType(T.pdb).length, 0);
        assert.equal(run.byType(T.networkPolicy).length, 0);
        for (const set of run.byType(T.statefulSet)) {
            assert.equal(set.inputs.spec.volumeClaimTemplates, undefined);
            assert.ok(set.inputs.spec.template.spec.volumes.some((v: any) => v.emptyDir && (v.name === "data" || v.name === "sentinel")));
        }
    });
});
