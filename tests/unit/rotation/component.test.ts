// What the component registers for the password rotation (Pulumi mocks): the PasswordRotation
// resource before the auth Secret, the password a secret on the wire and nowhere else, the
// Secret's list of earlier passwords (hashes, a secret), the revision in both pod templates,
// every container's env from the Secret; and the option's validation.
import { strict as assert } from "assert";
import { installMocks, isSecret, ROTATION_TYPE, type MockedRun } from "../support/mockedPulumi";
import { RedisSentinel, RedisSentinelConfigError } from "../../../src";
import { renderObjects } from "../support/renderManifests";
import { PASSWORD_REVISION_ANNOTATION } from "../../../src/rotation/resource";
import { PREVIOUS_PASSWORD_SHA256_KEY } from "../../../src/manifests/containers";

const PASSWORD = "a-given-password-4711";

async function deploy(args: ConstructorParameters<typeof RedisSentinel>[1] = {}): Promise<MockedRun> {
    const run = installMocks();
    new RedisSentinel("cache", { namespace: "data", password: PASSWORD, ...args });
    await run.settle();
    return run;
}

describe("password rotation under Pulumi mocks", function () {
    let run: MockedRun;
    before(async () => (run = await deploy()));

    it("declares the PasswordRotation in the component, the password a secret input, with the pods and the deadline", () => {
        const [rotation] = run.byType(ROTATION_TYPE);
        assert.ok(rotation, "no PasswordRotation registered");
        assert.equal(rotation.name, "cache-password-rotation");
        assert.equal(rotation.parent, run.byName("cache").urn);
        assert.ok(isSecret(rotation.wireInputs.password), "the password travels as a Pulumi secret");
        assert.equal(rotation.inputs.password, PASSWORD);
        assert.deepEqual(
            { ns: rotation.inputs.namespace, seed: rotation.inputs.seedPod, redis: rotation.inputs.redisPods, sentinels: rotation.inputs.sentinelPods, drop: rotation.inputs.dropPreviousPasswords, timeout: rotation.inputs.timeoutSeconds },
            { ns: "data", seed: "cache-seed", redis: ["cache-redis-0", "cache-redis-1", "cache-redis-2"], sentinels: ["cache-sentinel-0", "cache-sentinel-1", "cache-sentinel-2"], drop: false, timeout: 600 },
        );
    });

    it("orders it before the auth Secret, which lists the earlier passwords' hashes as a secret", () => {
        const rotation = run.byType(ROTATION_TYPE)[0];
        const secret = run.byName("cache-auth");
        assert.ok(secret.dependencies.includes(rotation.urn), "the Secret must change only after every server accepts the new password");
        assert.deepEqual(Object.keys(secret.inputs.stringData), ["password", PREVIOUS_PASSWORD_SHA256_KEY]);
        assert.equal(secret.inputs.stringData[PREVIOUS_PASSWORD_SHA256_KEY], "", "the mock's first run: none earlier");
        const wire = secret.wireInputs.stringData as Record<string, unknown>;
        assert.ok(isSecret(wire) || isSecret(wire[PREVIOUS_PASSWORD_SHA256_KEY]), "the hashes travel as a Pulumi secret");
    });

    it("puts the rotation's revision into both pod templates (a new one rolls both sets) and makes them wait for it", () => {
        const rotation = run.byType(ROTATION_TYPE)[0];
        for (const set of ["cache-redis", "cache-sentinel"]) {
            const r = run.byName(set);
            assert.equal(r.inputs.spec.template.metadata.annotations[PASSWORD_REVISION_ANNOTATION], "1", set);
            assert.ok(r.dependencies.includes(rotation.urn), `${set} does not depend on the rotation`);
        }
    });

    it("rolls the master endpoint with the sets: its health checks authenticate with the password", async () => {
        const withEndpoint = await deploy({ endpoint: { enabled: true } });
        const deployment = withEndpoint.byType("kubernetes:apps/v1:Deployment").find((r) => r.name === "cache-endpoint");
        assert.ok(deployment, "no endpoint Deployment");
        assert.equal(deployment.inputs.spec.template.metadata.annotations[PASSWORD_REVISION_ANNOTATION], "1");
        assert.ok(deployment.dependencies.includes(withEndpoint.byType(ROTATION_TYPE)[0].urn));
    });

    it("gives every container the earlier passwords' hashes from the Secret (optional key), never a value", () => {
        const manifest = run.byName("cache-seed").inputs.manifest;
        const templates = [manifest.spec, ...["cache-redis", "cache-sentinel"].map((n) => run.byName(n).inputs.spec.template.spec)];
        for (const spec of templates) {
            for (const c of spec.containers.filter((x: any) => x.name !== "metrics")) {
                const env = c.env.find((e: any) => e.name === "RS_PREVIOUS_PASSWORD_SHA256");
                assert.deepEqual(env, { name: "RS_PREVIOUS_PASSWORD_SHA256", valueFrom: { secretKeyRef: { name: "cache-auth", key: PREVIOUS_PASSWORD_SHA256_KEY, optional: true } } }, c.name);
            }
        }
    });

    it("holds the password nowhere but the Secret and the rotation's secret input: not in any manifest, ConfigMap or other input", () => {
        for (const r of run.registrations.filter((x) => !["cache-auth", "cache-password-rotation", "cache"].includes(x.name))) {
            assert.ok(!JSON.stringify(r.inputs).includes(PASSWORD), `${r.name} holds the password`);
        }
        const rendered = JSON.stringify(renderObjects({ password: PASSWORD }));
        assert.ok(!rendered.includes(PASSWORD), "npm run render prints the password");
        assert.ok(rendered.includes(PREVIOUS_PASSWORD_SHA256_KEY));
    });

    it("passes dropPreviousPasswords through", async () => {
        const drop = await deploy({ dropPreviousPasswords: true });
        assert.equal(drop.byType(ROTATION_TYPE)[0].inputs.dropPreviousPasswords, true);
    });

    it("refuses a dropPreviousPasswords that is not a boolean, naming option and value, before registering anything", () => {
        const bad = installMocks();
        assert.throws(() => new RedisSentinel("cache", { dropPreviousPasswords: "yes" as unknown as boolean }), (e: Error) => {
            assert.ok(e instanceof RedisSentinelConfigError);
            assert.match(e.message, /dropPreviousPasswords/);
            assert.match(e.message, /must be true or false/);
            return true;
        });
        assert.equal(bad.registrations.filter((r) => r.type !== "redis-sentinel:index:RedisSentinel").length, 0);
    });

    it("reads dropPreviousPasswords from stack config", async () => {
        const stack = installMocks({ "redis-sentinel:dropPreviousPasswords": "true", "redis-sentinel:password": PASSWORD });
        const modulePath = require.resolve("../../../stack/index");
        delete require.cache[modulePath];
        require(modulePath);
        await stack.settle();
        assert.equal(stack.byType(ROTATION_TYPE)[0].inputs.dropPreviousPasswords, true);
    });
});
