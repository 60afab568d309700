/**
 * The TLS option: validation (one source of certificates, a complete issuer), what the manifests
 * give every pod (the script environment, the certificate volume, TLS probes, the exporter over
 * rediss://), the cert-manager Certificate (names every pod and the Sentinel Service), and under
 * Pulumi mocks: the Certificate before the seed pod, and the `tls` output. Schema and Pod
 * Security checks over TLS combinations run in schema.test.ts / podSecurity.test.ts (OPTION_MATRIX).
 */
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { DYNAMIC_TYPE, installMocks, SEED_POD_TYPE, valueOf } from "./support/mockedPulumi";
import { renderManifests, renderObjects, podsOf } from "./support/renderManifests";
import { argsFromConfig, RedisSentinel, RedisSentinelConfigError, type RedisSentinelArgs } from "../../src";
import { resolveSpec } from "../../src/options/validate";
import { exporterPasswordFile } from "../../src/manifests/containers";

/** [what, args, substrings the message must contain] */
const INVALID: [string, RedisSentinelArgs, string[]][] = [
    ["a Secret and an issuer both", { tls: { secretName: "redis-tls", issuer: { kind: "ClusterIssuer", name: "ca" } } },
        ['`tls.secretName` = "redis-tls"', '`tls.issuer` = {"kind":"ClusterIssuer","name":"ca"}', "not both"]],
    ["TLS on without certificates", { tls: { enabled: true } }, ["`tls.enabled` = true", "set `tls.secretName`", "or `tls.issuer`"]],
    ["TLS off with a Secret", { tls: { enabled: false, secretName: "redis-tls" } }, ["`tls.enabled` = false with `tls.secretName` set", "remove `tls.secretName`"]],
    ["an issuer without a kind", { tls: { issuer: { name: "ca" } as never } }, ["`tls.issuer.kind` = undefined", '"Issuer" or "ClusterIssuer"']],
    ["an issuer without a name", { tls: { issuer: { kind: "Issuer" } as never } }, ["`tls.issuer.name` = undefined", "must be the name of the cert-manager Issuer"]],
    ["an issuer kind typo", { tls: { issuer: { kind: "CertIssuer" as "Issuer", name: "ca" } } }, ['`tls.issuer.kind` = "CertIssuer"', '"Issuer" or "ClusterIssuer"']],
    ["an issuer given as a string", { tls: { issuer: "ca" as never } }, ['`tls.issuer` = "ca"', 'must be an object such as { kind: "ClusterIssuer"']],
    ["a Secret name with capitals", { tls: { secretName: "Redis_TLS" } }, ['`tls.secretName` = "Redis_TLS"', "must be the name of a Secret"]],
    ["tls as a boolean", { tls: true as never }, ["`tls` = true", 'must be an object such as { secretName: "redis-tls" }']],
    ["the master endpoint with TLS", { tls: { secretName: "redis-tls" }, endpoint: { enabled: true } },
        ["`endpoint.enabled` = true with TLS on", "checks the servers' roles in plain text", "leave `endpoint` off"]],
    ["a tls key typo", { tls: { secret: "redis-tls" } } as never, ["unknown option `tls.secret`", "known options: enabled, secretName, issuer"]],
];

function envOf(container: any): Record<string, string> {
    return Object.fromEntries((container.env ?? []).filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));
}

describe("TLS option: validation", function () {
    for (const [what, args, expected] of INVALID) {
        it(`rejects ${what}, naming the option, the value and what is allowed; registers nothing`, async () => {
            let error: unknown;
            try {
                resolveSpec("cache", args);
            } catch (e) {
                error = e;
            }
            assert.ok(error instanceof RedisSentinelConfigError, `expected a RedisSentinelConfigError for ${JSON.stringify(args)}`);
            for (const part of expected) assert.ok(error.message.includes(part), `message lacks ${JSON.stringify(part)}:\n${error.message}`);
            const run = installMocks();
            assert.throws(() => new RedisSentinel("cache", args), RedisSentinelConfigError);
            await run.settle();
            assert.deepEqual(run.registrations.filter((r) => r.type !== "redis-sentinel:index:RedisSentinel").map((r) => r.name), []);
        });
    }

    it("resolves the sources: a Secret, an issuer (its Secret `<name>-tls`, group cert-manager.io), off by default", () => {
        assert.deepEqual(resolveSpec("cache", {}).tls, { enabled: false });
        assert.deepEqual(resolveSpec("cache", { tls: { secretName: "mine" } }).tls, { enabled: true, secretName: "mine" });
        assert.deepEqual(resolveSpec("cache", { tls: { enabled: true, issuer: { kind: "ClusterIssuer", name: "ca" } } }).tls,
            { enabled: true, secretName: "cache-tls", issuer: { kind: "ClusterIssuer", name: "ca", group: "cert-manager.io" } });
        assert.deepEqual(resolveSpec("cache", { tls: { enabled: false } }).tls, { enabled: false });
    });
});

describe("TLS option: manifests", function () {
    it("off: no TLS environment, volume or Certificate anywhere", () => {
        const objects = renderObjects({ metrics: { enabled: true } });
        assert.ok(!objects.some((o) => o.kind === "Certificate"));
        for (const { owner, pod } of podsOf(objects)) {
            assert.ok(!pod.spec.volumes.some((v: any) => v.name === "tls"), owner);
            for (const c of pod.spec.containers) {
                assert.ok(!JSON.stringify(c).includes("RS_TLS") && !JSON.stringify(c).includes("--tls") && !JSON.stringify(c).includes("rediss:"), `${owner}/${c.name}`);
            }
        }
    });

    it("on: every Redis and Sentinel container runs the scripts with RS_TLS, mounts the Secret at /tls and probes over TLS", () => {
        const pods = podsOf(renderObjects({ tls: { secretName: "redis-tls" } }));
        assert.equal(pods.length, 3);
        for (const { owner, pod } of pods) {
            const volume = pod.spec.volumes.find((v: any) => v.name === "tls");
            assert.deepEqual(volume?.secret?.secretName, "redis-tls", owner);
            assert.deepEqual(volume.secret.items.map((i: any) => i.key).sort(), ["ca.crt", "tls.crt", "tls.key"], owner);
            assert.equal(volume.secret.defaultMode, 0o440, `${owner}: readable by the containers' group only`);
            for (const c of pod.spec.containers) {
                assert.deepEqual({ tls: envOf(c).RS_TLS, dir: envOf(c).RS_TLS_DIR }, { tls: "yes", dir: "/tls" }, `${owner}/${c.name}`);
                assert.deepEqual(c.volumeMounts.find((m: any) => m.name === "tls"), { name: "tls", mountPath: "/tls", readOnly: true }, `${owner}/${c.name}`);
                for (const probe of [c.startupProbe, c.livenessProbe]) {
                    assert.match(probe.exec.command[2], /^redis-cli --tls --cacert \/tls\/ca\.crt -p \d+ ping/, `${owner}/${c.name}`);
                }
            }
        }
    });

    it("on, with metrics: the exporter scrapes its own Redis over rediss:// (loopback), its password keyed to that address", () => {
        const pods = podsOf(renderObjects({ tls: { secretName: "redis-tls" }, metrics: { enabled: true } }));
        const exporters = pods.flatMap((p) => p.pod.spec.containers.filter((c: any) => c.name === "metrics"));
        assert.equal(exporters.length, 2, "seed and Redis set");
        for (const e of exporters) {
            assert.equal(envOf(e).REDIS_ADDR, "rediss://127.0.0.1:6379");
            assert.equal(envOf(e).REDIS_EXPORTER_SKIP_TLS_VERIFICATION, "true");
            assert.equal(envOf(e).REDIS_EXPORTER_DISABLE_SCRAPE_ENDPOINT, "true");
        }
        assert.deepEqual(JSON.parse(exporterPasswordFile("pw", true)), { "rediss://127.0.0.1:6379": "pw" });
        assert.deepEqual(JSON.parse(exporterPasswordFile("pw")), { "redis://127.0.0.1:6379": "pw" });
    });

    it("a cert-manager issuer: a Certificate whose names cover every pod (seed, both sets, after a scale too) and the Sentinel Service", () => {
        const m = renderManifests({ replicas: 5, sentinels: 5, tls: { issuer: { kind: "Issuer", name: "ca" } } });
        const cert = m.certificate!;
        assert.equal(cert.metadata.name, "cache-tls");
        assert.equal(cert.spec.secretName, "cache-tls");
        assert.deepEqual(cert.spec.issuerRef, { kind: "Issuer", name: "ca", group: "cert-manager.io" });
        assert.equal(cert.metadata.annotations["pulumi.com/waitFor"], "condition=Ready");
        assert.ok(cert.spec.usages.includes("server auth") && cert.spec.usages.includes("client auth"));
        const covered = (host: string) => cert.spec.dnsNames.some((n) => n === host || (n.startsWith("*.") && host.split(".").slice(1).join(".") === n.slice(2)));
        const hosts = [m.names.seedHost, ...m.names.redisHosts, ...m.names.sentinelHosts, m.names.sentinelServiceHost, "cache-sentinel.data.svc", "cache-sentinel"];
        for (const host of hosts) assert.ok(covered(host), `${host} not in ${cert.spec.dnsNames.join(", ")}`);
        assert.ok(!covered("cache-redis-0.other-headless.data.svc.cluster.local"));
        // Scaling does not change the certificate.
        const m3 = renderManifests({ tls: { issuer: { kind: "Issuer", name: "ca" } } });
        assert.deepEqual(m3.certificate!.spec.dnsNames, cert.spec.dnsNames);
        const pods = podsOf(renderObjects({ tls: { issuer: { kind: "Issuer", name: "ca" } } }));
        for (const { pod } of pods) assert.equal(pod.spec.volumes.find((v: any) => v.name === "tls").secret.secretName, "cache-tls");
    });
});

describe("TLS option: under Pulumi mocks", function () {
    it("declares the Certificate before the seed pod and reports where clients find the CA", async () => {
        const run = installMocks();
        const redis = new RedisSentinel("cache", { namespace: "data", tls: { issuer: { kind: "ClusterIssuer", name: "internal-ca" } } });
        await run.settle();
        const cert = run.byName("cache-tls");
        assert.equal(cert.type, "kubernetes:cert-manager.io/v1:Certificate");
        assert.equal(cert.inputs.spec.issuerRef.name, "internal-ca");
        const seed = run.byType(SEED_POD_TYPE)[0];
        assert.ok(seed.dependencies.includes(cert.urn), "the seed pod waits for the Certificate");
        assert.equal(run.byType(DYNAMIC_TYPE)[0].inputs.tls, true, "the retirement execs redis-cli over TLS");
        assert.deepEqual(await valueOf(redis.tls), { enabled: true, caSecretName: "cache-tls", caSecretKey: "ca.crt" });
    });

    it("with a Secret: no Certificate; off: the output says so", async () => {
        let run = installMocks();
        const withSecret = new RedisSentinel("cache", { namespace: "data", tls: { secretName: "my-tls" }, metrics: { enabled: true } });
        await run.settle();
        assert.deepEqual(run.registrations.filter((r) => r.type.includes("cert-manager")), []);
        assert.deepEqual(await valueOf(withSecret.tls), { enabled: true, caSecretName: "my-tls", caSecretKey: "ca.crt" });
        const secret = run.byName("cache-auth");
        assert.ok(Object.keys(JSON.parse(secret.inputs.stringData["redis-exporter-passwords.json"])).includes("rediss://127.0.0.1:6379"));
        run = installMocks();
        const plain = new RedisSentinel("cache", { namespace: "data" });
        await run.settle();
        assert.deepEqual(await valueOf(plain.tls), { enabled: false });
        assert.ok(!("tls" in run.byType(DYNAMIC_TYPE)[0].inputs), "no tls input without TLS (existing stacks see no new input)");
    });
});

describe("TLS option: stack config", function () {
    it("tlsSecret and tlsIssuer map to tls.secretName and tls.issuer", () => {
        installMocks({ "redis-sentinel:tlsSecret": "redis-tls" });
        assert.deepEqual(argsFromConfig(new pulumi.Config("redis-sentinel")).tls, { secretName: "redis-tls" });
        installMocks({ "redis-sentinel:tlsIssuer": JSON.stringify({ kind: "ClusterIssuer", name: "internal-ca" }) });
        assert.deepEqual(argsFromConfig(new pulumi.Config("redis-sentinel")).tls, { issuer: { kind: "ClusterIssuer", name: "internal-ca" } });
        installMocks({});
        assert.equal(argsFromConfig(new pulumi.Config("redis-sentinel")).tls, undefined);
    });
});
