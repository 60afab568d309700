import type * as k8s from "@pulumi/kubernetes";
import type { ManifestSpec } from "./spec";
import { type Names, deriveNames } from "./names";
import { authSecret, scriptsChecksum, scriptsConfigMap } from "./config";
import { headlessService, metricsService, sentinelService } from "./services";
import { type ServiceMonitorManifest, serviceMonitor } from "./monitoring";
import { redisStatefulSet, seedPod, sentinelStatefulSet } from "./workloads";
import { disruptionBudgets, networkPolicy } from "./policy";
import { serviceAccount } from "./serviceAccount";
import { type EndpointManifests, endpointManifests } from "./endpoint";
import { type CertificateManifest, certificate } from "./tls";

export type { ManifestSpec } from "./spec";
export type { ServiceMonitorManifest } from "./monitoring";
export type { EndpointManifests, EndpointNames } from "./endpoint";
export type { CertificateManifest } from "./tls";
export { REDACTED } from "./config";
export * from "./names";

/** Every Kubernetes object of one deployment, as plain data. */
export interface Manifests {
    names: Names;
    secret: k8s.types.input.core.v1.Secret;
    configMap: k8s.types.input.core.v1.ConfigMap;
    /** cert-manager Certificate of the pods' TLS Secret (`tls.issuer`). */
    certificate?: CertificateManifest;
    /** The pods' ServiceAccount (`serviceAccount.create`). */
    serviceAccount?: k8s.types.input.core.v1.ServiceAccount;
    headlessService: k8s.types.input.core.v1.Service;
    seedPod: k8s.types.input.core.v1.Pod;
    sentinelService: k8s.types.input.core.v1.Service;
    redisSet: k8s.types.input.apps.v1.StatefulSet;
    sentinelSet: k8s.types.input.apps.v1.StatefulSet;
    disruptionBudgets: k8s.types.input.policy.v1.PodDisruptionBudget[];
    networkPolicy?: k8s.types.input.networking.v1.NetworkPolicy;
    /** The exporter sidecars' Service (metrics on). */
    metricsService?: k8s.types.input.core.v1.Service;
    /** prometheus-operator ServiceMonitor (`metrics.serviceMonitor` on). */
    serviceMonitor?: ServiceMonitorManifest;
    /** The master endpoint (`endpoint.enabled`): HAProxy config, Deployment, master Service, PDB. */
    endpoint?: EndpointManifests;
}

/** Pure: the resolved spec and the script files in, every object out. */
export function buildManifests(spec: ManifestSpec, scripts: Record<string, string>): Manifests {
    const names = deriveNames(spec.name, spec.namespace, spec.clusterDomain, spec.replicas, spec.sentinels);
    const checksum = scriptsChecksum(scripts);
    return {
        names,
        secret: authSecret(spec, names),
        configMap: scriptsConfigMap(spec, names, scripts),
        certificate: certificate(spec, names),
        serviceAccount: serviceAccount(spec, names),
        headlessService: headlessService(spec, names),
        seedPod: seedPod(spec, names),
        sentinelService: sentinelService(spec, names),
        redisSet: redisStatefulSet(spec, names, checksum),
        sentinelSet: sentinelStatefulSet(spec, names, checksum),
        disruptionBudgets: disruptionBudgets(spec, names),
        networkPolicy: networkPolicy(spec, names),
        metricsService: metricsService(spec, names),
        serviceMonitor: serviceMonitor(spec, names),
        endpoint: endpointManifests(spec, names),
    };
}

/** The objects in the order `pulumi up` creates them (what `npm run render` prints). */
export function manifestList(m: Manifests): object[] {
    return [
        m.secret, m.configMap, ...(m.certificate ? [m.certificate] : []), ...(m.serviceAccount ? [m.serviceAccount] : []), m.headlessService, m.seedPod, m.sentinelService, m.redisSet, m.sentinelSet,
        ...m.disruptionBudgets, ...(m.networkPolicy ? [m.networkPolicy] : []),
        ...(m.metricsService ? [m.metricsService] : []), ...(m.serviceMonitor ? [m.serviceMonitor] : []),
        ...(m.endpoint ? [m.endpoint.configMap, m.endpoint.deployment, m.endpoint.service, ...(m.endpoint.pdb ? [m.endpoint.pdb] : [])] : []),
    ];
}
