/**
 * Validates plain Kubernetes objects against the OpenAPI (JSON) schemas that
 * kubernetes-models generates from the Kubernetes API, and the ServiceMonitor against the
 * prometheus-operator CRD schema (@kubernetes-models/prometheus-operator), the cert-manager
 * Certificate against cert-manager's (@kubernetes-models/cert-manager).
 */
import { ConfigMap, Pod, Secret, Service, ServiceAccount } from "kubernetes-models/v1";
import { Deployment, StatefulSet } from "kubernetes-models/apps/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";
import { Certificate } from "@kubernetes-models/cert-manager/cert-manager.io/v1";

interface Validatable {
    validate(): void;
}
type ModelFactory = (o: any) => Validatable;

const MODELS: Record<string, ModelFactory> = {
    "v1/Secret": (o) => new Secret(o),
    "v1/ConfigMap": (o) => new ConfigMap(o),
    "v1/Service": (o) => new Service(o),
    "v1/ServiceAccount": (o) => new ServiceAccount(o),
    "v1/Pod": (o) => new Pod(o),
    "apps/v1/StatefulSet": (o) => new StatefulSet(o),
    "apps/v1/Deployment": (o) => new Deployment(o),
    "policy/v1/PodDisruptionBudget": (o) => new PodDisruptionBudget(o),
    "networking.k8s.io/v1/NetworkPolicy": (o) => new NetworkPolicy(o),
    "monitoring.coreos.com/v1/ServiceMonitor": (o) => new ServiceMonitor(o),
    "cert-manager.io/v1/Certificate": (o) => new Certificate(o),
};

/** The schema errors of one object; throws for a kind no schema here covers (so none slips through unchecked). */
export function schemaErrors(object: Record<string, any>): string[] {
    const key = `${object.apiVersion}/${object.kind}`;
    const model = MODELS[key];
    if (!model) throw new Error(`no schema for ${key} (${object.metadata?.name}): add its model to tests/unit/support/kubernetesSchema.ts`);
    try {
        model(object).validate();
        return [];
    } catch (e) {
        return [`${key} ${object.metadata?.name}: ${(e as Error).message}`];
    }
}

export const SCHEMA_KINDS = Object.keys(MODELS);
