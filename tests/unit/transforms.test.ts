/**
 * Pulumi's `transforms` resource option is the escape hatch for anything the component's
 * options do not cover: given to the component, the engine runs it on the component and
 * on every descendant. Shown here under mocks, with the engine's transform step emulated
 * (tests/unit/support/engineTransforms.ts).
 */
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { RESOURCE_TYPE, RedisSentinel } from "../../src";
import { emulateEngineTransforms } from "./support/engineTransforms";
import { installMocks } from "./support/mockedPulumi";

describe("the `transforms` resource option", function () {
    it("reaches every child of the component, and what it changes is what gets registered", async () => {
        const run = installMocks();
        emulateEngineTransforms();
        const seen: string[] = [];
        const transform: pulumi.ResourceTransform = async ({ type, name, props, opts }) => {
            seen.push(name);
            if (!type.startsWith("kubernetes:") || !props.metadata) return undefined;
            const metadata = { ...props.metadata, annotations: { ...props.metadata.annotations, "example.com/cost-center": "4711" } };
            if (type !== "kubernetes:apps/v1:StatefulSet") return { props: { ...props, metadata }, opts };
            // Something no option sets: a RuntimeClass for the pods of both sets.
            const template = { ...props.spec.template, spec: { ...props.spec.template.spec, runtimeClassName: "gvisor" } };
            return { props: { ...props, metadata, spec: { ...props.spec, template } }, opts };
        };
        new RedisSentinel("cache", { namespace: "data", metrics: { enabled: true, serviceMonitor: true }, serviceAccount: { create: true } },
            { transforms: [transform] });
        await run.settle();

        const registered = run.registrations.map((r) => r.name);
        assert.ok(registered.length >= 14, `only ${registered.length} registrations`);
        assert.deepEqual([...seen].sort(), [...registered].sort(), "the transform ran once for the component and each descendant");
        const componentUrn = run.byType(RESOURCE_TYPE)[0].urn;
        assert.ok(run.registrations.filter((r) => r.urn !== componentUrn).every((r) => r.parent === componentUrn));

        const kube = run.registrations.filter((r) => r.type.startsWith("kubernetes:"));
        assert.ok(kube.length >= 10, `only ${kube.length} kubernetes children`);
        for (const r of kube) assert.equal(r.inputs.metadata?.annotations?.["example.com/cost-center"], "4711", `${r.name} was not transformed`);
        const sets = run.byType("kubernetes:apps/v1:StatefulSet");
        assert.equal(sets.length, 2);
        for (const set of sets) assert.equal(set.inputs.spec.template.spec.runtimeClassName, "gvisor", set.name);
    });
});
