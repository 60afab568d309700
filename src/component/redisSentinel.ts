import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import type { RedisSentinelArgs } from "../options/args";
import { DEFAULTS, SENTINEL_PORT } from "../options/defaults";
import { RedisSentinelConfigError, type ResolvedSpec, namespaceProblems, passwordProblems, resolveSpec } from "../options/validate";
import { type Manifests, buildManifests } from "../manifests";
import { authSecretData } from "../manifests/config";
import { exporterPasswordFile } from "../manifests/containers";
import { ENDPOINT_PORT } from "../manifests/endpoint";
import { scriptFiles } from "../scripts";
import type { V1Pod } from "@kubernetes/client-node";
import { SeedPod, SeedRetirement } from "../retirement/resource";
import { PasswordRotation, withPasswordRevision } from "../rotation/resource";
import { PREVIOUS_PASSWORD_SHA256_KEY } from "../manifests/containers";
import { StorageClassCheck, VolumeGuard } from "../storage";
import { TlsGuard } from "../tls/guardResource";
import { IdentityGuard } from "../guards/identityResource";

/** The Pulumi type token of the component. */
export const RESOURCE_TYPE = "redis-sentinel:index:RedisSentinel";

/** A Sentinel address as Redis clients take it (ioredis `sentinels`, node-redis `sentinelRootNodes`). */
export interface SentinelAddress {
    host: string;
    port: number;
}

/** What a client needs for TLS (`tls.enabled`): the Secret and key holding the CA that signed the servers' certificate. */
export interface TlsClientInfo {
    enabled: boolean;
    /** The Secret holding the CA (the certificate Secret the pods mount); set when enabled. */
    caSecretName?: string;
    /** Its key holding the CA certificate (PEM): `ca.crt`. */
    caSecretKey?: string;
}

/**
 * Highly available Redis on Kubernetes: a Redis master with replicas and a Sentinel quorum.
 *
 * Created in the order of the classic bootstrap procedure, with explicit `dependsOn`:
 * auth Secret and scripts ConfigMap, the seed Pod (master + first Sentinel), the Sentinel
 * Service, the Redis and Sentinel StatefulSets, then the seed retirement, which deletes the
 * seed Pod only after a confirmed switchover to a replica.
 */
export class RedisSentinel extends pulumi.ComponentResource {
    /** Namespace of every object. */
    public readonly namespace: pulumi.Output<string>;
    /** DNS name of the Sentinel Service. */
    public readonly sentinelHost: pulumi.Output<string>;
    /** Port of the Sentinel Service (26379). */
    public readonly sentinelPort: pulumi.Output<number>;
    /** Every Sentinel pod's stable address: pass as ioredis `sentinels` or node-redis `sentinelRootNodes`. */
    public readonly sentinels: pulumi.Output<SentinelAddress[]>;
    /** Sentinel master name (ioredis `name`, node-redis `name`). */
    public readonly masterName: pulumi.Output<string>;
    /** The Redis password (a Pulumi secret). */
    public readonly password: pulumi.Output<string>;
    /** Name of the Secret holding the password, under key {@link passwordSecretKey}. */
    public readonly passwordSecretName: pulumi.Output<string>;
    /** Key of the password in {@link passwordSecretName}. */
    public readonly passwordSecretKey: pulumi.Output<string>;
    /** Labels a client pod needs so the NetworkPolicy admits it. */
    public readonly clientLabels: pulumi.Output<Record<string, string>>;
    /** Name of the headless Service that gives every pod its DNS name. */
    public readonly headlessServiceName: pulumi.Output<string>;
    /** Name of the Sentinel Service. */
    public readonly sentinelServiceName: pulumi.Output<string>;
    /** Pod name of the master once the seed is retired (the seed pod when retirement is off). */
    public readonly currentMaster: pulumi.Output<string>;
    /** Stable DNS name of that master. */
    public readonly currentMasterHost: pulumi.Output<string>;
    /** How long writes were paused during the seed's switchover, in milliseconds. */
    public readonly writePauseMs: pulumi.Output<number>;
    /** DNS name of the master endpoint's Service (`endpoint.enabled`; undefined otherwise): always the current master, for clients without Sentinel. */
    public readonly masterHost: pulumi.Output<string | undefined>;
    /** Port of the master endpoint (6379; undefined without the endpoint). */
    public readonly masterPort: pulumi.Output<number | undefined>;
    /** TLS: whether it is on, and where clients find the CA (`{ enabled: false }` when off). */
    public readonly tls: pulumi.Output<TlsClientInfo>;

    constructor(name: string, args: RedisSentinelArgs = {}, opts: pulumi.ComponentResourceOptions = {}) {
        super(RESOURCE_TYPE, name, {}, opts);
        // Throws before any child is registered: bad input creates nothing.
        const spec = resolveSpec(name, args);
        const manifests = manifestsOf(spec);
        // A password given as an Output is checked once known, by the Secret's input: every child
        // declared after the Secret waits for it, so a bad one leaves nothing created.
        const passwordGate: pulumi.Resource[] = [];
        const child = (dependsOn: pulumi.Resource[] = []): pulumi.CustomResourceOptions => ({ parent: this, dependsOn: [...passwordGate, ...dependsOn] });
        // Every object has a fixed name (the scripts derive DNS names from them), so a
        // replacement must delete the old object first.
        const named = (dependsOn: pulumi.Resource[] = []): pulumi.CustomResourceOptions => ({ ...child(dependsOn), deleteBeforeReplace: true });

        const password = passwordOf(name, spec, this);
        // 1a. Before the Secret (which takes its output): on a password change every running
        // server accepts the new password and authenticates with it; its revision rolls both
        // sets onto the new Secret; the earlier passwords' SHA-256 stay accepted until dropped.
        const rotation = new PasswordRotation(`${name}-password-rotation`, {
            namespace: manifests.apply((m) => m.names.namespace),
            password,
            dropPreviousPasswords: spec.dropPreviousPasswords,
            seedPod: manifests.apply((m) => m.names.seedPod),
            redisPods: manifests.apply((m) => m.names.redisPods),
            sentinelPods: manifests.apply((m) => m.names.sentinelPods),
            headlessDomain: manifests.apply((m) => m.names.headlessDomain),
            kubeconfig: spec.kubeconfig,
            context: spec.kubeContext,
            timeoutSeconds: spec.retirement.timeoutSeconds,
        }, { parent: this });
        const previousPasswords = pulumi.secret(rotation.previousSha256);
        const secret = new k8s.core.v1.Secret(`${name}-auth`, {
            metadata: pick(manifests, (m) => m.secret.metadata),
            type: "Opaque",
            stringData: authSecretData(spec, (key) => (key === "password" ? password : key === PREVIOUS_PASSWORD_SHA256_KEY ? previousPasswords : password.apply((p) => exporterPasswordFile(p, spec.tls.enabled)))),
        }, named());
        if (spec.password !== undefined && typeof spec.password !== "string") passwordGate.push(secret);
        const configMap = new k8s.core.v1.ConfigMap(`${name}-scripts`, {
            metadata: pick(manifests, (m) => m.configMap.metadata),
            data: pick(manifests, (m) => m.configMap.data),
        }, named());
        const headless = new k8s.core.v1.Service(`${name}-headless`, {
            metadata: pick(manifests, (m) => m.headlessService.metadata),
            spec: pick(manifests, (m) => m.headlessService.spec),
        }, named());
        // Claims with no StorageClass: the preview fails if the cluster has no default one (they
        // would stay Pending), before anything stateful is created.
        const storageCheck = spec.persistence.enabled && !spec.persistence.storageClass
            ? new StorageClassCheck(`${name}-storage-check`, {
                namespace: manifests.apply((m) => m.names.namespace),
                claimName: manifests.apply((m) => `${firstClaimTemplate(m)}-${m.names.redisPods[0]}`),
                kubeconfig: spec.kubeconfig,
                context: spec.kubeContext,
            }, child())
            : undefined;
        // The options that shape the volumeClaimTemplates cannot change on a running deployment
        // (Pulumi would replace both sets, every pod at once): refused at preview, before the seed.
        const volumeGuard = new VolumeGuard(`${name}-volume-guard`, {
            enabled: spec.persistence.enabled,
            size: spec.persistence.size,
            sentinelSize: spec.persistence.sentinelSize,
            storageClass: spec.persistence.storageClass ?? "",
            redisSet: manifests.apply((m) => m.names.redisSet),
            sentinelSet: manifests.apply((m) => m.names.sentinelSet),
        }, child());
        // TLS cannot be turned on or off on a running deployment (the roll would stall at its
        // first pod): refused at preview, before the seed.
        const tlsGuard = new TlsGuard(`${name}-tls-guard`, {
            enabled: spec.tls.enabled,
            redisSet: manifests.apply((m) => m.names.redisSet),
            sentinelSet: manifests.apply((m) => m.names.sentinelSet),
        }, child());
        // Which deployment this is and how it is found (namespace, master name, DNS domain) cannot
        // change on a running deployment: refused at preview, before the seed.
        const identityGuard = new IdentityGuard(`${name}-identity-guard`, {
            namespace: manifests.apply((m) => m.names.namespace),
            masterName: spec.masterName,
            clusterDomain: spec.clusterDomain,
            redisSet: manifests.apply((m) => m.names.redisSet),
            sentinelSet: manifests.apply((m) => m.names.sentinelSet),
        }, child());
        // The pods' ServiceAccount, when the component creates it: the pods need it to exist.
        const serviceAccount = spec.serviceAccount.create ? new k8s.core.v1.ServiceAccount(`${name}-service-account`, {
            metadata: pick(manifests, (m) => m.serviceAccount!.metadata),
            automountServiceAccountToken: spec.serviceAccount.automountToken,
        }, named()) : undefined;

        // The certificate every pod mounts, from a cert-manager issuer (`tls.issuer`); the
        // provider waits until it is issued (its Ready condition).
        const tlsCertificate = spec.tls.enabled && spec.tls.issuer ? new k8s.apiextensions.CustomResource(`${name}-tls`, {
            apiVersion: "cert-manager.io/v1",
            kind: "Certificate",
            metadata: pick(manifests, (m) => m.certificate!.metadata),
            spec: pick(manifests, (m) => m.certificate!.spec),
        }, named()) : undefined;

        // 2. The seed: master + first Sentinel in one pod, owned by a dynamic resource (not a
        // kubernetes Pod resource): after its retirement it is gone on purpose, and its `read`
        // keeps it so in the state, so `pulumi refresh` never brings it back. Its spec is not
        // diffed (a config change does not recreate it). When the deployment already runs (its
        // first Redis pod exists: lost state, import), no seed is created at all.
        const seed = new SeedPod(`${name}-seed`, {
            namespace: manifests.apply((m) => m.names.namespace),
            name: manifests.apply((m) => m.names.seedPod),
            manifest: manifests.apply((m) => m.seedPod as unknown as V1Pod),
            runningPod: manifests.apply((m) => m.names.redisPods[0]),
            dataClaim: spec.persistence.enabled ? manifests.apply((m) => `${firstClaimTemplate(m)}-${m.names.redisPods[0]}`) : undefined,
            kubeconfig: spec.kubeconfig,
            context: spec.kubeContext,
            timeoutSeconds: spec.retirement.timeoutSeconds,
        }, child([secret, configMap, headless, volumeGuard, tlsGuard, identityGuard, ...(serviceAccount ? [serviceAccount] : []), ...(storageCheck ? [storageCheck] : []), ...(tlsCertificate ? [tlsCertificate] : [])]));

        // 3. The Sentinel Service, in front of the seed's Sentinel first.
        const sentinelService = new k8s.core.v1.Service(`${name}-sentinel-svc`, {
            metadata: pick(manifests, (m) => m.sentinelService.metadata),
            spec: pick(manifests, (m) => m.sentinelService.spec),
        }, named([seed]));

        // 4. Both sets, which find the master through the Sentinel Service.
        const redisSet = new k8s.apps.v1.StatefulSet(`${name}-redis`, {
            metadata: pick(manifests, (m) => m.redisSet.metadata),
            spec: pulumi.all([manifests, rotation.revision]).apply(([m, revision]) => withPasswordRevision(m.redisSet.spec, revision)),
        }, named([seed, sentinelService]));
        const sentinelSet = new k8s.apps.v1.StatefulSet(`${name}-sentinel`, {
            metadata: pick(manifests, (m) => m.sentinelSet.metadata),
            spec: pulumi.all([manifests, rotation.revision]).apply(([m, revision]) => withPasswordRevision(m.sentinelSet.spec, revision)),
        }, named([seed, sentinelService]));

        if (spec.podDisruptionBudgets) {
            (["redis", "sentinel"] as const).forEach((which, i) => new k8s.policy.v1.PodDisruptionBudget(`${name}-${which}-pdb`, {
                metadata: pick(manifests, (m) => m.disruptionBudgets[i].metadata),
                spec: pick(manifests, (m) => m.disruptionBudgets[i].spec),
            }, named()));
        }
        if (spec.networkPolicy.enabled) {
            new k8s.networking.v1.NetworkPolicy(`${name}-access`, {
                metadata: pick(manifests, (m) => m.networkPolicy!.metadata),
                spec: pick(manifests, (m) => m.networkPolicy!.spec),
            }, named());
        }
        if (spec.metrics.enabled) {
            const metricsService = new k8s.core.v1.Service(`${name}-metrics`, {
                metadata: pick(manifests, (m) => m.metricsService!.metadata),
                spec: pick(manifests, (m) => m.metricsService!.spec),
            }, named());
            if (spec.metrics.serviceMonitor) {
                new k8s.apiextensions.CustomResource(`${name}-service-monitor`, {
                    apiVersion: "monitoring.coreos.com/v1",
                    kind: "ServiceMonitor",
                    metadata: pick(manifests, (m) => m.serviceMonitor!.metadata),
                    spec: pick(manifests, (m) => m.serviceMonitor!.spec),
                }, named([metricsService]));
            }
        }

        // The master endpoint (HAProxy) for clients without Sentinel, beside the sets; the
        // retirement waits for it, so clients of the endpoint see the seed retired too.
        const endpoint = spec.endpoint.enabled ? this.masterEndpoint(name, manifests, named, [secret, seed, sentinelService], endpointPdb(spec), rotation.revision) : undefined;

        // 5. Retire the seed once both sets are up: switchover confirmed, then delete.
        let retirement: SeedRetirement | undefined;
        if (spec.retirement.enabled) {
            retirement = new SeedRetirement(`${name}-seed-retirement`, {
                namespace: manifests.apply((m) => m.names.namespace),
                seedPod: seed.metadata.name,
                // A recreated seed has a new uid: the next `pulumi up` retires it again.
                seedUid: seed.metadata.uid,
                masterName: spec.masterName,
                redisPods: manifests.apply((m) => m.names.redisPods),
                sentinelPods: manifests.apply((m) => m.names.sentinelPods),
                headlessDomain: manifests.apply((m) => m.names.headlessDomain),
                kubeconfig: spec.kubeconfig,
                context: spec.kubeContext,
                timeoutSeconds: spec.retirement.timeoutSeconds,
                // Its redis-cli execs in the pods connect over TLS.
                ...(spec.tls.enabled ? { tls: true } : {}),
                // Applied to the running Sentinels (SENTINEL SET): no pod template holds it.
                quorum: spec.quorum,
            }, child([redisSet, sentinelSet, ...(endpoint ? [endpoint.deployment, endpoint.service] : [])]));
        }

        this.seedPod = seed;
        this.seedRetirement = retirement;
        this.redisStatefulSet = redisSet;
        this.sentinelStatefulSet = sentinelSet;
        this.sentinelService = sentinelService;

        this.namespace = manifests.apply((m) => m.names.namespace);
        this.sentinelHost = manifests.apply((m) => m.names.sentinelServiceHost);
        this.sentinelPort = pulumi.output(SENTINEL_PORT);
        this.sentinels = manifests.apply((m) => m.names.sentinelHosts.map((host) => ({ host, port: SENTINEL_PORT })));
        this.masterName = pulumi.output(spec.masterName);
        this.password = password;
        this.passwordSecretName = secret.metadata.name;
        this.passwordSecretKey = pulumi.output("password");
        this.clientLabels = pulumi.output(spec.networkPolicy.clientLabels);
        this.headlessServiceName = headless.metadata.name;
        this.sentinelServiceName = sentinelService.metadata.name;
        // Without a retirement the seed stays the master.
        this.currentMaster = retirement ? retirement.currentMaster : seed.metadata.name;
        this.currentMasterHost = retirement ? retirement.currentMasterHost : manifests.apply((m) => m.names.seedHost);
        this.writePauseMs = retirement ? retirement.writePauseMs : pulumi.output(0);
        this.masterHost = manifests.apply((m) => m.endpoint?.names.serviceHost);
        this.masterPort = pulumi.output(endpoint ? ENDPOINT_PORT : undefined);
        this.tls = pulumi.output<TlsClientInfo>(spec.tls.enabled && spec.tls.secretName
            ? { enabled: true, caSecretName: spec.tls.secretName, caSecretKey: "ca.crt" }
            : { enabled: false });

        this.registerOutputs({
            namespace: this.namespace,
            sentinelHost: this.sentinelHost,
            sentinelPort: this.sentinelPort,
            sentinels: this.sentinels,
            masterName: this.masterName,
            password: this.password,
            passwordSecretName: this.passwordSecretName,
            passwordSecretKey: this.passwordSecretKey,
            clientLabels: this.clientLabels,
            headlessServiceName: this.headlessServiceName,
            sentinelServiceName: this.sentinelServiceName,
            currentMaster: this.currentMaster,
            currentMasterHost: this.currentMasterHost,
            writePauseMs: this.writePauseMs,
            masterHost: this.masterHost,
            masterPort: this.masterPort,
            tls: this.tls,
        });
    }

    /**
     * The master endpoint's objects: its HAProxy config, the Deployment (after the Secret, the
     * seed and the Sentinel Service; it starts routing once the Sentinels name a master), the
     * master Service and a PodDisruptionBudget. Its health checks authenticate with the password:
     * the password revision rolls it onto a new one, like the sets.
     */
    private masterEndpoint(name: string, manifests: pulumi.Output<Manifests>,
        named: (dependsOn?: pulumi.Resource[]) => pulumi.CustomResourceOptions, after: pulumi.Resource[], withPdb: boolean,
        passwordRevision: pulumi.Output<number>):
        { deployment: k8s.apps.v1.Deployment; service: k8s.core.v1.Service } {
        const config = new k8s.core.v1.ConfigMap(`${name}-endpoint-config`, {
            metadata: pick(manifests, (m) => m.endpoint!.configMap.metadata),
            data: pick(manifests, (m) => m.endpoint!.configMap.data),
        }, named());
        const deployment = new k8s.apps.v1.Deployment(`${name}-endpoint`, {
            metadata: pick(manifests, (m) => m.endpoint!.deployment.metadata),
            spec: pulumi.all([manifests, passwordRevision]).apply(([m, revision]) => withPasswordRevision(m.endpoint!.deployment.spec, revision)),
        }, named([config, ...after]));
        const service = new k8s.core.v1.Service(`${name}-master`, {
            metadata: pick(manifests, (m) => m.endpoint!.service.metadata),
            spec: pick(manifests, (m) => m.endpoint!.service.spec),
        }, named([deployment]));
        if (withPdb) {
            new k8s.policy.v1.PodDisruptionBudget(`${name}-endpoint-pdb`, {
                metadata: pick(manifests, (m) => m.endpoint!.pdb!.metadata),
                spec: pick(manifests, (m) => m.endpoint!.pdb!.spec),
            }, named());
        }
        return { deployment, service };
    }

    /** The seed pod's resource (a dynamic resource; the pod is gone once retired). */
    public readonly seedPod: SeedPod;
    /** The seed retirement (undefined when `retirement.enabled` is false). */
    public readonly seedRetirement: SeedRetirement | undefined;
    /** The Redis StatefulSet. */
    public readonly redisStatefulSet: k8s.apps.v1.StatefulSet;
    /** The Sentinel StatefulSet. */
    public readonly sentinelStatefulSet: k8s.apps.v1.StatefulSet;
    /** The Sentinel Service. */
    public readonly sentinelService: k8s.core.v1.Service;
}

function manifestsOf(spec: ResolvedSpec): pulumi.Output<Manifests> {
    const { password: _password, kubeconfig: _kubeconfig, namespace, ...rest } = spec;
    const scripts = scriptFiles();
    return pulumi.output(namespace).apply((ns) => {
        const problems = namespaceProblems(ns);
        if (problems.length > 0) throw new RedisSentinelConfigError(spec.name, problems);
        return buildManifests({ ...rest, namespace: ns }, scripts);
    });
}

/** Whether the endpoint gets a PodDisruptionBudget (the manifests' rule). */
function endpointPdb(spec: ResolvedSpec): boolean {
    return spec.podDisruptionBudgets && spec.endpoint.replicas > 1;
}

/** Name of the Redis set's (first) volume claim template: its claims are `<template>-<pod>`. */
function firstClaimTemplate(m: Manifests): string {
    const spec = m.redisSet.spec as { volumeClaimTemplates?: Array<{ metadata?: { name?: string } }> };
    return spec.volumeClaimTemplates?.[0]?.metadata?.name ?? "data";
}

function pick<T>(manifests: pulumi.Output<Manifests>, f: (m: Manifests) => T): pulumi.Output<pulumi.Unwrap<T>> {
    return manifests.apply((m) => pulumi.output(f(m)));
}

/** The given password (checked once known, never printed) or a generated one; a secret either way. */
function passwordOf(name: string, spec: ResolvedSpec, parent: pulumi.Resource): pulumi.Output<string> {
    if (spec.password === undefined) {
        // `result` is secret already; wrapping says so here too, whatever the provider reports.
        return pulumi.secret(new random.RandomPassword(`${name}-password`, {
            length: DEFAULTS.passwordLength,
            special: false,
        }, { parent }).result);
    }
    return pulumi.secret(pulumi.output(spec.password).apply((password) => {
        const problems = passwordProblems(password);
        if (problems.length > 0) throw new RedisSentinelConfigError(name, problems);
        return password;
    }));
}
