import { strict as assert } from "assert";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { renderYaml } from "../../src/cli/render";
import { RedisSentinel } from "../../src";
import { installMocks } from "./support/mockedPulumi";
import { OPTION_MATRIX, renderObjects } from "./support/renderManifests";
import { schemaErrors } from "./support/kubernetesSchema";

describe("Kubernetes OpenAPI schema: every rendered manifest", function () {
    for (const [what, args] of OPTION_MATRIX) {
        it(`validates (${what})`, () => {
            const objects = renderObjects(args);
            assert.ok(objects.length >= 7, `only ${objects.length} objects rendered`);
            const errors = objects.flatMap(schemaErrors);
            assert.deepEqual(errors, []);
        });
    }

    it("covers every kind the option matrix renders, the ServiceMonitor, the ServiceAccount and the Certificate included", () => {
        const kinds = new Set(OPTION_MATRIX.flatMap(([, args]) => renderObjects(args).map((o) => `${o.apiVersion}/${o.kind}`)));
        assert.deepEqual([...kinds].sort(), [
            "apps/v1/Deployment", "apps/v1/StatefulSet", "cert-manager.io/v1/Certificate", "monitoring.coreos.com/v1/ServiceMonitor", "networking.k8s.io/v1/NetworkPolicy",
            "policy/v1/PodDisruptionBudget", "v1/ConfigMap", "v1/Pod", "v1/Secret", "v1/Service", "v1/ServiceAccount",
        ]);
    });

    it("validates what `npm run render` prints for the root Pulumi.yaml", () => {
        const docs = parseAllDocuments(renderYaml({ projectDir: path.resolve(__dirname, "..", ".."), set: [] })).map((d) => d.toJSON());
        assert.ok(docs.length >= 7, `render printed ${docs.length} documents`);
        assert.deepEqual(docs.flatMap(schemaErrors), []);
    });

    it("validates what the component registers under Pulumi mocks (metrics and ServiceMonitor on)", async () => {
        const run = installMocks();
        new RedisSentinel("cache", { namespace: "data", metrics: { enabled: true, serviceMonitor: true } });
        await run.settle();
        const kube = run.registrations.filter((r) => r.type.startsWith("kubernetes:"));
        assert.ok(kube.some((r) => r.inputs.kind === "ServiceMonitor"), "no ServiceMonitor registered");
        const errors = kube.flatMap((r) => schemaErrors(r.inputs));
        assert.deepEqual(errors, []);
    });
});

describe("the schema check itself", function () {
    /** [what, object kind, how to break a rendered object] */
    const BROKEN: [string, string, (o: Record<string, any>) => void][] = [
        ["replicas as a string", "StatefulSet", (o) => (o.spec.replicas = "3")],
        ["a container without a name", "Pod", (o) => delete o.spec.containers[0].name],
        ["a port number as text", "Service", (o) => (o.spec.ports[0].port = "six")],
        ["runAsUser as text", "Pod", (o) => (o.spec.securityContext.runAsUser = "redis")],
        ["a selector that is a list", "PodDisruptionBudget", (o) => (o.spec.selector = ["app"])],
        ["an ingress rule port as an object", "NetworkPolicy", (o) => (o.spec.ingress[0].ports[0].port = { n: 1 })],
        ["a ServiceMonitor endpoint port as a number", "ServiceMonitor", (o) => (o.spec.endpoints[0].port = 9121)],
        ["a ConfigMap value that is not a string", "ConfigMap", (o) => (o.data["common.sh"] = 42)],
        ["dnsNames that are not a list", "Certificate", (o) => (o.spec.dnsNames = "redis.example")],
    ];

    for (const [what, kind, breakIt] of BROKEN) {
        it(`rejects ${kind} with ${what}`, () => {
            const objects = renderObjects({ metrics: { enabled: true, serviceMonitor: true }, tls: { issuer: { kind: "ClusterIssuer", name: "ca" } } });
            const target = objects.find((o) => o.kind === kind)!;
            assert.deepEqual(schemaErrors(target), [], "the unbroken object must pass first");
            breakIt(target);
            const errors = schemaErrors(target);
            assert.equal(errors.length, 1, `a ${kind} with ${what} passed the schema`);
        });
    }

    it("refuses a kind it has no schema for", () => {
        assert.throws(() => schemaErrors({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } }), /no schema for example.com\/v1\/Widget/);
    });
});
