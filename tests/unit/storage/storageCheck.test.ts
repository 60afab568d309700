/**
 * No `persistence.storageClass` on a cluster with no default StorageClass (new EKS clusters
 * since 1.30): the claims would stay Pending and `pulumi up` would wait out its timeout.
 * The component declares a StorageClassCheck before the seed pod; its provider's `check`
 * (run at preview) reads the cluster and fails, saying what to set.
 */
import { strict as assert } from "assert";
import { createRequire } from "module";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { RedisSentinel, type RedisSentinelArgs } from "../../../src";
import { decideStorage, makeStorageCheckProvider, type StorageCheckInputs } from "../../../src/storage";
import { UNKNOWN } from "../../../src/storage/provider";
import { installMocks, isSecret, type MockedRun } from "../support/mockedPulumi";
import { FakeStorageApi } from "./fakeStorageApi";

const CHECK_TYPE = "pulumi-nodejs:dynamic/redis-sentinel:StorageClassCheck";
// The dynamic provider server sends what a provider returns through
// google.protobuf.Struct.fromJavaScript, which throws on undefined values.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Struct } = require("google-protobuf/google/protobuf/struct_pb") as { Struct: { fromJavaScript(v: object): unknown } };
const onTheWire = (value: object): void => void Struct.fromJavaScript(value);

async function deploy(args: RedisSentinelArgs): Promise<MockedRun> {
    const run = installMocks();
    new RedisSentinel("cache", { namespace: "data", ...args });
    await run.settle();
    return run;
}

describe("the storage check under Pulumi mocks", function () {
    it("gates the seed pod when the claims name no StorageClass, reading with the component's kubeconfig", async () => {
        const run = await deploy({ kubeconfig: "apiVersion: v1\nkind: Config\n", kubeContext: "prod" });
        const checks = run.byType(CHECK_TYPE);
        assert.equal(checks.length, 1, "no storage check: a cluster without a default StorageClass leaves the claims Pending until pulumi up times out");
        const [check] = checks;
        assert.equal(check.name, "cache-storage-check");
        assert.deepEqual({ namespace: check.inputs.namespace, claimName: check.inputs.claimName, context: check.inputs.context },
            { namespace: "data", claimName: "data-cache-redis-0", context: "prod" });
        assert.ok(isSecret(check.wireInputs.kubeconfig), "the kubeconfig travels as a secret");
        assert.ok(run.byName("cache-seed").dependencies.includes(check.urn), "nothing stateful may start before the check");
        const claimTemplate = run.byName("cache-redis").inputs.spec.volumeClaimTemplates[0].metadata.name;
        assert.equal(`${claimTemplate}-cache-redis-0`, check.inputs.claimName, "the claim checked is the Redis set's first");
    });

    it("is not declared with a storageClass, or without persistence", async () => {
        assert.equal((await deploy({ persistence: { storageClass: "gp3" } })).byType(CHECK_TYPE).length, 0);
        assert.equal((await deploy({ persistence: { enabled: false } })).byType(CHECK_TYPE).length, 0);
    });
});

describe("the storage check's provider against an API server", function () {
    this.timeout(20_000);
    let api: FakeStorageApi;
    const lines: string[] = [];
    const provider = makeStorageCheckProvider(undefined, (line) => lines.push(line));
    const inputs = (): StorageCheckInputs => ({ namespace: "data", claimName: "data-cache-redis-0", kubeconfig: api.kubeconfig() });

    beforeEach(async () => {
        api = await FakeStorageApi.start();
        lines.length = 0;
    });
    afterEach(() => api.stop());

    it("fails at check (preview) on a cluster with no default StorageClass, saying what to set", async () => {
        api.classes = [{ name: "gp2", provisioner: "kubernetes.io/aws-ebs" }, { name: "ebs-sc" }];
        const result = await provider.check!({}, inputs());
        assert.equal(result.failures?.length, 1);
        onTheWire(result.inputs);
        const reason = result.failures![0].reason;
        for (const part of ["option `persistence.storageClass` is not set", "no default StorageClass", "would stay Pending",
            "stack config `storageClass`", '"gp2" (kubernetes.io/aws-ebs), "ebs-sc" (ebs.csi.aws.com)',
            "kubectl annotate storageclass gp2 storageclass.kubernetes.io/is-default-class=true", "`persistence.enabled: false`"]) {
            assert.ok(reason.includes(part), `reason lacks ${JSON.stringify(part)}:\n${reason}`);
        }
    });

    it("says so when the cluster has no StorageClass at all", async () => {
        const result = await provider.check!({}, inputs());
        assert.match(result.failures![0].reason, /no StorageClass at all: install a volume provisioner/);
    });

    it("passes with a default StorageClass (GA or beta annotation) and records which", async () => {
        for (const isDefault of ["ga", "beta"] as const) {
            api.classes = [{ name: "standard" }, { name: "gp3", isDefault }];
            const result = await provider.check!({}, inputs());
            assert.deepEqual(result.failures, []);
            assert.equal(result.inputs.note, 'the claims use the default StorageClass "gp3"');
            onTheWire(result.inputs);
            const created = await provider.create!(result.inputs);
            onTheWire(created.outs);
            assert.deepEqual(created.outs, { namespace: "data", claimName: "data-cache-redis-0", note: 'the claims use the default StorageClass "gp3"' });
        }
        assert.match(lines.join("\n"), /\[storage-check data\/data-cache-redis-0\] the claims use the default StorageClass "gp3"/);
    });

    it("passes when the claims exist already (a deployment from before the check, or kept volumes)", async () => {
        api.claims.set("data/data-cache-redis-0", "Bound");
        const result = await provider.check!({}, inputs());
        assert.deepEqual(result.failures, []);
        assert.match(result.inputs.note, /claims exist already \(data-cache-redis-0: Bound\)/);
    });

    it("never blocks on what it cannot read: a 403, or no API server, passes unverified", async () => {
        api.forbidden.add("storageclasses");
        const forbidden = await provider.check!({}, inputs());
        assert.deepEqual(forbidden.failures, []);
        assert.match(forbidden.inputs.note, /^not verified: could not list StorageClasses \(list storageclasses: 403 Forbidden/);
        api.forbidden.clear();
        api.forbidden.add("persistentvolumeclaims");
        const noClaims = await provider.check!({}, inputs());
        assert.deepEqual(noClaims.failures, []);
        assert.match(noClaims.inputs.note, /could not read the existing claims/);
        const dead = await provider.check!({}, { ...inputs(), kubeconfig: inputs().kubeconfig!.replace(/127\.0\.0\.1:\d+/, "127.0.0.1:1") });
        assert.deepEqual(dead.failures, []);
        assert.match(dead.inputs.note, /^not verified/);
    });

    it("reads nothing while an input is unknown (preview) or once its claims were checked", async () => {
        onTheWire((await provider.check!({}, { ...inputs(), kubeconfig: UNKNOWN })).inputs);
        onTheWire((await provider.check!(inputs(), inputs())).inputs);
        assert.deepEqual(api.requests, []);
        const diff = await provider.diff!("data/data-cache-redis-0", { namespace: "data", claimName: "data-cache-redis-0", note: "x" }, inputs());
        assert.equal(diff.changes, false);
        await provider.check!({ ...inputs(), namespace: "old" }, inputs());
        assert.ok(api.requests.length > 0, "another namespace: new claims, checked again");
    });

    it("runs the same after Pulumi's closure serialization (as the dynamic provider runs)", async () => {
        api.classes = [{ name: "gp2" }];
        const provider2 = makeStorageCheckProvider(undefined, () => undefined);
        const serialized = await pulumi.runtime.serializeFunction(() => provider2.check!, { isFactoryFunction: true });
        assert.match(serialized.text, /require\("@kubernetes\/client-node[^"]*"\)/);
        const mod = { exports: {} as Record<string, unknown> };
        new Function("exports", "require", "module", serialized.text)(mod.exports, createRequire(path.join(process.cwd(), "package.json")), mod);
        const check = mod.exports[serialized.exportName] as NonNullable<typeof provider2.check>;
        const result = await check({}, inputs());
        assert.match(result.failures![0].reason, /no default StorageClass/);
    });
});

describe("decideStorage", function () {
    const classes = (...names: [string, boolean][]) => ({ ok: true as const, value: names.map(([name, isDefault]) => ({ name, provisioner: "p", isDefault })) });
    const absent = { ok: true as const, value: undefined };

    it("fails only on positive evidence: classes listed, none default, first claim absent", () => {
        assert.equal(decideStorage({ classes: classes(["a", false]), firstClaim: absent }).ok, false);
        assert.equal(decideStorage({ classes: classes(["a", false], ["b", true]), firstClaim: absent }).ok, true);
        assert.equal(decideStorage({ classes: { ok: false, reason: "x" }, firstClaim: absent }).ok, true);
        assert.equal(decideStorage({ classes: classes(), firstClaim: { ok: false, reason: "x" } }).ok, true);
        assert.equal(decideStorage({ classes: classes(), firstClaim: { ok: true, value: { name: "c", phase: "Pending" } } }).ok, true);
    });

    it("names every default when there are several (Kubernetes uses the newest)", () => {
        const verdict = decideStorage({ classes: classes(["a", true], ["b", true]), firstClaim: absent });
        assert.deepEqual(verdict, { ok: true, note: 'the claims use the default StorageClass "a", "b"' });
    });
});
