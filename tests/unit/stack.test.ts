import { strict as assert } from "assert";
import { readFileSync, mkdtempSync, writeFileSync, copyFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { execFileSync } from "child_process";
import { parse, parseAllDocuments } from "yaml";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, isSecret, SEED_POD_TYPE } from "./support/mockedPulumi";
import { DEFAULTS } from "../../src";
import { REDACTED } from "../../src/manifests";
import { renderYaml } from "../../src/cli/render";

const ROOT = path.resolve(__dirname, "../..");

describe("the root stack program", function () {
    it("deploys one RedisSentinel with replica counts from stack config", async () => {
        const run = installMocks({
            "redis-sentinel:name": "sessions",
            "redis-sentinel:namespace": "apps",
            "redis-sentinel:replicas": "5",
            "redis-sentinel:sentinels": "5",
        });
        const modulePath = require.resolve("../../stack/index");
        delete require.cache[modulePath];
        const stack = require(modulePath);
        await run.settle();
        const sets = Object.fromEntries(run.byType("kubernetes:apps/v1:StatefulSet").map((r) => [r.inputs.metadata.name, r.inputs]));
        assert.equal(sets["sessions-redis"].spec.replicas, 5);
        assert.equal(sets["sessions-sentinel"].spec.replicas, 5);
        assert.equal(sets["sessions-redis"].metadata.namespace, "apps");
        const scripts = run.byType("kubernetes:core/v1:ConfigMap").find((r) => r.inputs.metadata.name === "sessions-scripts")!;
        assert.equal(scripts.inputs.data.quorum, "3\n");
        assert.ok(stack.sentinelHost && stack.password, "the stack exports connection outputs");
    });

    it("refuses a short password from stack config before anything is registered, and keeps a good one secret", async () => {
        const modulePath = require.resolve("../../stack/index");
        const short = installMocks({ "redis-sentinel:password": "short" });
        delete require.cache[modulePath];
        assert.throws(() => require(modulePath), /option `password` = \[secret, 5 characters\]: must be 8-512 characters/);
        await short.settle();
        assert.deepEqual(short.byType("kubernetes:core/v1:Secret"), [], "nothing may be registered");
        assert.deepEqual(short.byType("kubernetes:core/v1:Pod"), []);
        assert.deepEqual(short.byType(SEED_POD_TYPE), []);

        const good = installMocks({ "redis-sentinel:password": "a-stack-config-password-42" });
        delete require.cache[modulePath];
        const stack = require(modulePath);
        await good.settle();
        assert.equal(await pulumi.isSecret(stack.password), true);
        const secret = good.byType("kubernetes:core/v1:Secret")[0];
        assert.ok(isSecret(secret.wireInputs.stringData) || isSecret((secret.wireInputs.stringData as any)?.password), "sent as a Pulumi secret");
    });

    it("declares in Pulumi.yaml the same defaults the component uses", () => {
        const project = parse(readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
        const declared = Object.fromEntries(Object.entries(project.config).map(([k, v]: [string, any]) => [k, v.default]));
        assert.equal(project.runtime.name, "nodejs");
        assert.equal(project.backend.url, "file://~", "local state: no account needed");
        assert.equal(declared.replicas, DEFAULTS.replicas);
        assert.equal(declared.sentinels, DEFAULTS.sentinels);
        assert.equal(declared.masterName, DEFAULTS.masterName);
        assert.equal(declared.image, DEFAULTS.image);
        assert.equal(declared.namespace, DEFAULTS.namespace);
        assert.equal(declared.downAfterMilliseconds, DEFAULTS.sentinel.downAfterMilliseconds);
        assert.equal(declared.failoverTimeoutMilliseconds, DEFAULTS.sentinel.failoverTimeoutMilliseconds);
        assert.equal(declared.parallelSyncs, DEFAULTS.sentinel.parallelSyncs);
        assert.equal(declared.persistenceSize, DEFAULTS.persistence.size);
        assert.equal(declared.retirementTimeoutSeconds, DEFAULTS.retirement.timeoutSeconds);
        assert.equal(declared.spread, DEFAULTS.spread);
        assert.equal(declared.maxmemoryPercent, DEFAULTS.maxmemoryPercent);
        assert.equal(declared.maxmemoryPolicy, DEFAULTS.maxmemoryPolicy);
        assert.equal(declared.metrics, DEFAULTS.metrics.enabled);
    });

    it("declares no key without a default: Pulumi requires a value for those (seen on a real pulumi up)", () => {
        const project = parse(readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
        const required = Object.entries(project.config).filter(([, v]: [string, any]) => v.default === undefined).map(([k]) => k);
        assert.deepEqual(required, [], "a fresh stack with the default config would fail: missing configuration values");
    });
});

describe("npm run render", function () {
    this.timeout(60000);

    it("prints every object in creation order, the password redacted", () => {
        const docs = parseAllDocuments(renderYaml({ projectDir: ROOT, set: [] })).map((d) => d.toJSON());
        assert.deepEqual(docs.map((d) => `${d.kind}/${d.metadata.name}`), [
            "Secret/redis-auth", "ConfigMap/redis-scripts", "Service/redis-headless", "Pod/redis-seed", "Service/redis-sentinel",
            "StatefulSet/redis-redis", "StatefulSet/redis-sentinel", "PodDisruptionBudget/redis-redis",
            "PodDisruptionBudget/redis-sentinel", "NetworkPolicy/redis-access",
        ]);
        assert.equal(docs[0].stringData.password, REDACTED);
        assert.ok(Object.keys(docs[1].data).includes("seed-master.sh"), "the ConfigMap ships the role scripts");
    });

    it("prints YAML that a YAML 1.1 reader (kubectl) reads back with every env value a string", () => {
        const docs = parseAllDocuments(renderYaml({ projectDir: ROOT, set: [] }), { version: "1.1" }).map((d) => d.toJSON());
        const env = docs
            .flatMap((d) => [d.spec?.containers, d.spec?.template?.spec?.containers].flat())
            .filter(Boolean)
            .flatMap((c: { env?: { name: string; value?: unknown }[] }) => c.env ?? []);
        assert.ok(env.some((e) => e.name === "RS_APPENDONLY"), "the Redis containers carry RS_APPENDONLY");
        const notStrings = env.filter((e) => e.value !== undefined && typeof e.value !== "string");
        assert.deepEqual(notStrings, [], "env values kubectl would refuse");
    });

    it("reads a stack file and --set overrides, and never prints a secret", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "render-"));
        copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
        writeFileSync(path.join(dir, "Pulumi.prod.yaml"), [
            "config:",
            "  redis-sentinel:replicas: 4",
            "  redis-sentinel:namespace: prod",
            "  redis-sentinel:password: plain-text-password-99",
        ].join("\n"));
        const out = renderYaml({ projectDir: dir, stack: "prod", set: ["sentinels=5"] });
        const docs = parseAllDocuments(out).map((d) => d.toJSON());
        const sets = docs.filter((d) => d.kind === "StatefulSet");
        assert.deepEqual(sets.map((s) => s.spec.replicas), [4, 5]);
        assert.ok(docs.every((d) => d.metadata.namespace === "prod"));
        assert.ok(!out.includes("plain-text-password-99"));
    });

    it("runs as a command and fails with the validation message on bad config", () => {
        const run = (args: string[]) => {
            try {
                return { code: 0, out: execFileSync("npx", ["ts-node", "--transpile-only", "src/cli/render.ts", ...args], { cwd: ROOT, encoding: "utf8", stdio: "pipe" }) };
            } catch (e: any) {
                return { code: e.status as number, out: String(e.stderr) };
            }
        };
        const bad = run(["--set", "sentinels=2"]);
        assert.equal(bad.code, 1);
        assert.match(bad.out, /option `sentinels` = 2: .*allowFewerThanThreeSentinels/);
        const short = run(["--set", "password=short"]);
        assert.equal(short.code, 1, "render must refuse a short password");
        assert.match(short.out, /option `password` = \[secret, 5 characters\]/);
        assert.ok(!short.out.includes("short\n"), "the message never shows the password");
        const good = run(["--set", "replicas=1"]);
        assert.equal(good.code, 0, good.out);
        assert.match(good.out, /kind: StatefulSet/);
    });
});
