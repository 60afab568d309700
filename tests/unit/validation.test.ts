import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { installMocks } from "./support/mockedPulumi";
import { discardPendingPulumiPromises } from "./support/pulumiLeaks";
import { RedisSentinel, RedisSentinelConfigError, type RedisSentinelArgs } from "../../src";
import { resolveSpec } from "../../src/options/validate";

/** [what, args, substrings the message must contain (option, value, what is allowed)] */
const INVALID: [string, RedisSentinelArgs, string[]][] = [
    ["zero replicas", { replicas: 0 }, ["`replicas` = 0", "whole number from 1 to 100"]],
    ["fractional replicas", { replicas: 2.5 }, ["`replicas` = 2.5", "whole number"]],
    ["replicas as a string", { replicas: "3" as unknown as number }, ['`replicas` = "3"', "whole number"]],
    ["negative sentinels", { sentinels: -1 }, ["`sentinels` = -1", "whole number from 1 to 15"]],
    ["two sentinels without opt-in", { sentinels: 2 }, ["`sentinels` = 2", "allowFewerThanThreeSentinels"]],
    ["quorum above sentinels", { quorum: 4 }, ["`quorum` = 4", "must not exceed `sentinels` (3)"]],
    ["quorum below a majority", { sentinels: 5, quorum: 2 }, ["`quorum` = 2", "majority of 5 sentinels (3..5)"]],
    ["master name with a space", { masterName: "my master" }, ['`masterName` = "my master"', "[A-Za-z0-9._-]"]],
    ["namespace not a DNS label", { namespace: "Prod_NS" }, ['`namespace` = "Prod_NS"', "DNS-1123 label"]],
    ["bad volume size", { persistence: { size: "lots" } }, ['`persistence.size` = "lots"', "Kubernetes quantity"]],
    ["bad storage class", { persistence: { storageClass: "Fast SSD" } }, ['`persistence.storageClass` = "Fast SSD"', "StorageClass name"]],
    ["bad memory limit", { redisResources: { limits: { memory: "1 GB" } } }, ['`redisResources.limits.memory` = "1 GB"', "quantity"]],
    ["down-after too small", { sentinel: { downAfterMilliseconds: 10 } }, ["`sentinel.downAfterMilliseconds` = 10", "100 to 3600000"]],
    ["failover timeout below down-after", { sentinel: { downAfterMilliseconds: 30000, failoverTimeoutMilliseconds: 10000 } },
        ["`sentinel.failoverTimeoutMilliseconds` = 10000", "at least `sentinel.downAfterMilliseconds` (30000)"]],
    ["parallel syncs above replicas", { replicas: 2, sentinel: { parallelSyncs: 3 } }, ["`sentinel.parallelSyncs` = 3", "from 1 to `replicas` (2)"]],
    ["retirement deadline too short", { retirement: { timeoutSeconds: 1 } }, ["`retirement.timeoutSeconds` = 1", "10 to 86400"]],
    ["spread typo", { spread: "strict" as "hard" }, ['`spread` = "strict"', '"soft", "hard" or "none", or an object such as { zone: "hard", node: "soft" }']],
    ["spread level typo", { spread: { zone: "strict" as "hard" } }, ['`spread.zone` = "strict"', 'must be "soft", "hard" or "none"']],
    ["spread as a number", { spread: 2 as unknown as "hard" }, ["`spread` = 2", '"soft", "hard" or "none", or an object']],
    ["unknown spread topology", { spread: { rack: "hard" } } as unknown as RedisSentinelArgs, ["unknown option `spread.rack`", "known options: zone, node"]],
    ["pull policy typo", { imagePullPolicy: "always" as "Always" }, ['`imagePullPolicy` = "always"', '"Always", "IfNotPresent" or "Never"']],
    ["image with spaces", { image: "redis 7" }, ['`image` = "redis 7"', "no spaces"]],
    ["bad client label value", { networkPolicy: { clientLabels: { app: "has space" } } }, ["`networkPolicy.clientLabels.app`", "label values"]],
    ["unknown option with a near miss", { replica: 3 } as unknown as RedisSentinelArgs, ["unknown option `replica`", "did you mean `replicas`?"]],
    ["unknown nested option", { persistence: { sise: "1Gi" } } as unknown as RedisSentinelArgs, ["unknown option `persistence.sise`"]],
    ["short password", { password: "short" }, ["`password` = [secret, 5 characters]", "8-512 characters"]],
    ["password with a newline", { password: "pass\nword123" }, ["`password` = [secret, 12 characters]", "no control characters"]],
    // Production hardening options (issue 6): persistence, network policy, budgets, spread, resources, labels.
    ["persistence as a boolean", { persistence: true as unknown as RedisSentinelArgs["persistence"] }, ["`persistence` = true", "must be an object such as"]],
    ["persistence switch as a string", { persistence: { enabled: "no" as unknown as boolean } }, ['`persistence.enabled` = "no"', "true or false"]],
    ["bad sentinel volume size", { persistence: { sentinelSize: "64 MB" } }, ['`persistence.sentinelSize` = "64 MB"', "Kubernetes quantity"]],
    // The API server refuses a claim of 0 ("must be greater than zero"), after other objects exist.
    ["zero volume size", { persistence: { size: "0" } }, ['`persistence.size` = "0"', "at least 1Mi"]],
    ["tiny sentinel volume", { persistence: { sentinelSize: "100Ki" } }, ['`persistence.sentinelSize` = "100Ki"', "at least 1Mi"]],
    ["bad sentinel cpu request", { sentinelResources: { requests: { cpu: "lots" } } }, ['`sentinelResources.requests.cpu` = "lots"', "quantity"]],
    ["resources as a string", { redisResources: "1Gi" as unknown as RedisSentinelArgs["redisResources"] }, ['`redisResources` = "1Gi"', "must be an object such as { requests"]],
    ["resources key typo", { redisResources: { limit: { memory: "1Gi" } } } as unknown as RedisSentinelArgs, ["unknown option `redisResources.limit`", "did you mean `limits`?"]],
    ["network policy switch as a string", { networkPolicy: { enabled: "false" as unknown as boolean } }, ['`networkPolicy.enabled` = "false"', "true or false"]],
    ["bad client namespace label key", { networkPolicy: { clientNamespaceLabels: { "bad key!": "x" } } }, ["`networkPolicy.clientNamespaceLabels.bad key!`", "label keys"]],
    ["budgets switch as a string", { podDisruptionBudgets: "yes" as unknown as boolean }, ['`podDisruptionBudgets` = "yes"', "true or false"]],
    ["label value too long", { labels: { team: "x".repeat(64) } }, ["`labels.team`", "at most 63 characters"]],
    ["cluster domain with capitals", { clusterDomain: "Cluster.Local" }, ['`clusterDomain` = "Cluster.Local"', "DNS name"]],
    ["retirement switch as a number", { retirement: { enabled: 1 as unknown as boolean } }, ["`retirement.enabled` = 1", "true or false"]],
    ["zero parallel syncs", { sentinel: { parallelSyncs: 0 } }, ["`sentinel.parallelSyncs` = 0", "whole number from 1 to 100"]],
    ["opt-in as a string", { allowFewerThanThreeSentinels: "yes" as unknown as boolean }, ['`allowFewerThanThreeSentinels` = "yes"', "true or false"]],
    ["empty kube context", { kubeContext: "" }, ['`kubeContext` = ""', "must not be empty"]],
    ["kubeconfig as a number", { kubeconfig: 42 as unknown as string }, ["`kubeconfig` = [secret]", "must be a string, a pulumi Output or a Promise"]],
    // Metrics (off by default).
    ["metrics as a boolean", { metrics: true as unknown as RedisSentinelArgs["metrics"] }, ["`metrics` = true", "must be an object such as { enabled: true"]],
    ["metrics switch as a string", { metrics: { enabled: "true" as unknown as boolean } }, ['`metrics.enabled` = "true"', "true or false"]],
    ["metrics key typo", { metrics: { enable: true } } as unknown as RedisSentinelArgs, ["unknown option `metrics.enable`", "did you mean `enabled`?"]],
    ["unknown metrics option", { metrics: { enabled: true, port: 9121 } } as unknown as RedisSentinelArgs, ["unknown option `metrics.port`", "known options: enabled, image"]],
    ["exporter image with spaces", { metrics: { enabled: true, image: "redis exporter" } }, ['`metrics.image` = "redis exporter"', "no spaces"]],
    ["bad exporter memory limit", { metrics: { enabled: true, resources: { limits: { memory: "64 megs" } } } },
        ['`metrics.resources.limits.memory` = "64 megs"', "Kubernetes quantity"]],
    ["ServiceMonitor switch as a string", { metrics: { enabled: true, serviceMonitor: "yes" as unknown as boolean } }, ['`metrics.serviceMonitor` = "yes"', "true or false"]],
    ["ServiceMonitor without the exporter", { metrics: { serviceMonitor: true } }, ["`metrics.serviceMonitor` = true", "set `metrics.enabled: true`"]],
    ["bad ServiceMonitor label", { metrics: { enabled: true, serviceMonitor: true, serviceMonitorLabels: { release: "kube prometheus" } } },
        ["`metrics.serviceMonitorLabels.release`", "label values"]],
    ["ServiceMonitor labels without a ServiceMonitor", { metrics: { enabled: true, serviceMonitorLabels: { release: "prom" } } },
        ['`metrics.serviceMonitorLabels` = {"release":"prom"}', "only applies to the ServiceMonitor"]],
    ["scrape interval in words", { metrics: { enabled: true, serviceMonitor: true, scrapeInterval: "30 seconds" } },
        ['`metrics.scrapeInterval` = "30 seconds"', 'Prometheus duration such as "15s"']],
    ["zero scrape interval", { metrics: { enabled: true, serviceMonitor: true, scrapeInterval: "0" } }, ['`metrics.scrapeInterval` = "0"', "Prometheus duration"]],
    ["scrape interval without a ServiceMonitor", { metrics: { enabled: true, scrapeInterval: "30s" } },
        ['`metrics.scrapeInterval` = "30s"', "only applies to the ServiceMonitor"]],
    ["bad scrape namespace label key", { metrics: { enabled: true, scrapeNamespaceLabels: { "-monitoring": "true" } } },
        ["`metrics.scrapeNamespaceLabels.-monitoring`", "label keys"]],
    ["bad scraper pod label value", { metrics: { enabled: true, scrapePodLabels: { app: "prometheus server" } } },
        ["`metrics.scrapePodLabels.app`", "label values"]],
    // Redis maxmemory from the memory limit.
    ["maxmemory percent too small", { maxmemoryPercent: 5 }, ["`maxmemoryPercent` = 5", "whole number from 10 to 95"]],
    ["maxmemory percent too large", { maxmemoryPercent: 100 }, ["`maxmemoryPercent` = 100", "whole number from 10 to 95"]],
    ["fractional maxmemory percent", { maxmemoryPercent: 75.5 }, ["`maxmemoryPercent` = 75.5", "whole number"]],
    ["maxmemory percent as a string", { maxmemoryPercent: "75%" as unknown as number }, ['`maxmemoryPercent` = "75%"', "whole number"]],
    ["maxmemory percent without a memory limit", { redisResources: { requests: { memory: "128Mi" } }, maxmemoryPercent: 50 },
        ["`maxmemoryPercent` = 50", "`redisResources.limits.memory`, which is not set"]],
    ["maxmemory policy typo", { maxmemoryPolicy: "lru" as "allkeys-lru" }, ['`maxmemoryPolicy` = "lru"', '"noeviction", "allkeys-lru"', '"volatile-ttl"']],
    ["memory limit that is no quantity", { redisResources: { limits: { memory: "1.2.3Gi" } } },
        ['`redisResources.limits.memory` = "1.2.3Gi"', "Kubernetes quantity"]],
    // Scheduling and pod customisation (issue 13).
    ["bad node selector value", { nodeSelector: { disktype: "fast ssd" } }, ["`nodeSelector.disktype`", "label values"]],
    ["tolerations not a list", { tolerations: { key: "dedicated" } as unknown as [] }, ['`tolerations` = {"key":"dedicated"}', "must be a list such as [{ key:"]],
    ["toleration operator typo", { tolerations: [{ key: "dedicated", operator: "Equals" as "Equal" }] },
        ['`tolerations.0.operator` = "Equals"', 'must be one of "Exists", "Equal"']],
    ["toleration value with Exists", { tolerations: [{ key: "dedicated", operator: "Exists", value: "redis" }] },
        ['`tolerations.0.value` = "redis"', 'must be empty with operator "Exists"']],
    ["toleration with neither key nor Exists", { tolerations: [{ value: "redis" }] }, ["`tolerations.0.operator`", 'must be "Exists" when no key is given']],
    ["toleration seconds without NoExecute", { tolerations: [{ key: "k", operator: "Exists", effect: "NoSchedule", tolerationSeconds: 30 }] },
        ["`tolerations.0.tolerationSeconds` = 30", 'only applies with effect "NoExecute"']],
    ["toleration effect typo", { tolerations: [{ key: "k", operator: "Exists", effect: "NoScheduling" as "NoSchedule" }] },
        ['`tolerations.0.effect` = "NoScheduling"', '"NoSchedule", "PreferNoSchedule", "NoExecute"']],
    ["toleration key typo", { tolerations: [{ kye: "dedicated" }] } as unknown as RedisSentinelArgs, ["unknown option `tolerations.0.kye`", "did you mean `key`?"]],
    ["affinity key typo", { affinity: { nodeAfinity: {} } } as unknown as RedisSentinelArgs, ["unknown option `affinity.nodeAfinity`", "did you mean `nodeAffinity`?"]],
    ["node affinity In without values", { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "disktype", operator: "In" }] }] } } } },
        ["`affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.0.matchExpressions.0.values` = undefined", 'at least one value with operator "In"']],
    ["node affinity Gt with a word", { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, preference: { matchExpressions: [{ key: "cores", operator: "Gt", values: ["many"] }] } }] } } },
        ['matchExpressions.0.values` = ["many"]', 'exactly one whole number (as a string) with operator "Gt"']],
    ["no node selector terms", { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } } },
        ["`affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms` = []", "at least one term"]],
    ["node field other than metadata.name", { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: "spec.unschedulable" as "metadata.name", operator: "In", values: ["x"] }] }] } } } },
        ['matchFields.0.key` = "spec.unschedulable"', 'must be "metadata.name"']],
    ["pod anti-affinity without a topology key", { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: "x" } } } as never] } } },
        ["`affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution.0.topologyKey` = undefined", 'is required, e.g. "kubernetes.io/hostname"']],
    ["affinity weight 0", { affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 0, podAffinityTerm: { topologyKey: "kubernetes.io/hostname" } }] } } },
        ["`affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution.0.weight` = 0", "whole number from 1 to 100"]],
    ["label selector operator typo", { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: "kubernetes.io/hostname", labelSelector: { matchExpressions: [{ key: "app", operator: "Equals" as "In" }] } }] } } },
        ['labelSelector.matchExpressions.0.operator` = "Equals"', 'must be one of "In", "NotIn", "Exists", "DoesNotExist"']],
    ["priority class with spaces", { priorityClassName: "High Priority" }, ['`priorityClassName` = "High Priority"', "must be the name of a PriorityClass"]],
    ["pull secrets as a string", { imagePullSecrets: "regcred" as unknown as string[] }, ['`imagePullSecrets` = "regcred"', 'must be a list of Secret names such as ["registry-credentials"]']],
    ["pull secret listed twice", { imagePullSecrets: ["regcred", "regcred"] }, ['`imagePullSecrets.1` = "regcred"', "is listed twice"]],
    ["bad pull secret name", { imagePullSecrets: ["Reg_Cred"] }, ['`imagePullSecrets.0` = "Reg_Cred"', "must be the name of a Secret"]],
    ["bad pod annotation key", { podAnnotations: { "bad key": "x" } }, ["`podAnnotations.bad key`", "annotation keys must be"]],
    ["pod annotation value not a string", { podAnnotations: { "example.com/n": 1 as unknown as string } }, ["`podAnnotations.example.com/n` = 1", "annotation values must be strings"]],
    ["scrape annotation with metrics on", { metrics: { enabled: true }, podAnnotations: { "prometheus.io/port": "9999" } },
        ['`podAnnotations.prometheus.io/port` = "9999"', "sets prometheus.io/scrape, prometheus.io/port, prometheus.io/path itself"]],
    ["pod label the component selects by", { podLabels: { "app.kubernetes.io/component": "cache" } },
        ['`podLabels.app.kubernetes.io/component` = "cache"', "selects its pods by it"]],
    ["bad pod label value", { podLabels: { team: "cache team" } }, ["`podLabels.team`", "label values"]],
    ["service account as a string", { serviceAccount: "redis" as unknown as RedisSentinelArgs["serviceAccount"] },
        ['`serviceAccount` = "redis"', 'must be an object such as { create: true } or { name: "redis" }']],
    ["bad service account name", { serviceAccount: { name: "Redis_SA" } }, ['`serviceAccount.name` = "Redis_SA"', "must be the name of a ServiceAccount"]],
    ["service account annotations without create", { serviceAccount: { name: "existing", annotations: { "eks.amazonaws.com/role-arn": "arn" } } },
        ["`serviceAccount.annotations`", "set `serviceAccount.create: true`"]],
    ["token switch as a string", { serviceAccount: { automountToken: "yes" as unknown as boolean } }, ['`serviceAccount.automountToken` = "yes"', "true or false"]],
    // The validation sweep (issue 12): values the API server or the kubelet refuses only after other objects exist.
    ["volume size with a doubled suffix", { persistence: { size: "1Gii" } }, ['`persistence.size` = "1Gii"', "Kubernetes quantity"]],
    ["volume size in lower-case units", { persistence: { size: "1mi" } }, ['`persistence.size` = "1mi"', "Kubernetes quantity"]],
    ["cpu request with a doubled suffix", { redisResources: { requests: { cpu: "100mm" } } }, ['`redisResources.requests.cpu` = "100mm"', "Kubernetes quantity"]],
    ["memory request with two dots", { sentinelResources: { requests: { memory: "1.2.3Mi" } } }, ['`sentinelResources.requests.memory` = "1.2.3Mi"', "Kubernetes quantity"]],
    ["negative cpu request", { redisResources: { requests: { cpu: "-100m" } } }, ['`redisResources.requests.cpu` = "-100m"', "must not be negative"]],
    ["negative memory limit", { metrics: { enabled: true, resources: { limits: { memory: "-64Mi" } } } }, ['`metrics.resources.limits.memory` = "-64Mi"', "must not be negative"]],
    ["memory request above the limit", { redisResources: { requests: { memory: "1Gi" }, limits: { memory: "512Mi" } } },
        ['`redisResources.requests.memory` = "1Gi"', 'at most `redisResources.limits.memory` ("512Mi")']],
    ["cpu request above the limit", { sentinelResources: { requests: { cpu: "2" }, limits: { cpu: "500m" } } },
        ['`sentinelResources.requests.cpu` = "2"', 'at most `sentinelResources.limits.cpu` ("500m")']],
    ["exporter memory request above the default limit", { metrics: { enabled: true, resources: { requests: { memory: "128Mi" }, limits: { memory: "64Mi" } } } },
        ['`metrics.resources.requests.memory` = "128Mi"', 'at most `metrics.resources.limits.memory` ("64Mi")']],
    ["storage class longer than 253 characters", { persistence: { storageClass: "a".repeat(254) } }, ["`persistence.storageClass`", "at most 253 characters"]],
    ["cluster domain label longer than 63 characters", { clusterDomain: `${"a".repeat(64)}.local` }, [`\`clusterDomain\` = "${"a".repeat(64)}.local"`, "at most 63 characters"]],
    ["image with an upper-case repository", { image: "Redis:7" }, ['`image` = "Redis:7"', "image reference"]],
    ["image with an empty tag", { image: "redis:" }, ['`image` = "redis:"', "image reference"]],
    ["image with a short digest", { image: "redis@sha256:abc" }, ['`image` = "redis@sha256:abc"', "image reference"]],
    ["exporter image with an upper-case name", { metrics: { enabled: true, image: "oliver006/Redis_Exporter:v1.88.0" } },
        ['`metrics.image` = "oliver006/Redis_Exporter:v1.88.0"', "image reference"]],
    ["label the component sets on every object", { labels: { "app.kubernetes.io/instance": "other" } },
        ['`labels.app.kubernetes.io/instance` = "other"', "the component sets this label"]],
    ["replicas that is no finite number", { replicas: Infinity }, ["`replicas` = Infinity", "whole number from 1 to 100"]],
];

describe("RedisSentinel validation", function () {
    for (const [what, args, expected] of INVALID) {
        it(`rejects ${what} with a message naming the option, the value and what is allowed`, () => {
            let error: unknown;
            try {
                resolveSpec("cache", args);
            } catch (e) {
                error = e;
            }
            assert.ok(error instanceof RedisSentinelConfigError, `expected a RedisSentinelConfigError for ${JSON.stringify(args)}`);
            for (const part of expected) assert.ok(error.message.includes(part), `message lacks ${JSON.stringify(part)}:\n${error.message}`);
            assert.ok(error.message.startsWith('RedisSentinel "cache": invalid configuration'));
        });
    }

    it("never puts a password in an error message", () => {
        assert.throws(() => resolveSpec("cache", { password: "pw\twith tab" }), (e: Error) => !e.message.includes("with tab"));
        assert.equal(resolveSpec("cache", { password: `p@ss "w0rd" \\ $x'y` }).password, `p@ss "w0rd" \\ $x'y`, "the scripts quote any printable password");
    });

    it("lists every problem at once", () => {
        assert.throws(() => resolveSpec("cache", { replicas: 0, sentinels: 0, masterName: "" }), (e: RedisSentinelConfigError) => {
            assert.equal(e.problems.length, 3, e.message);
            return true;
        });
    });

    it("rejects a component name that cannot name Kubernetes objects", () => {
        for (const bad of ["Cache", "1cache", "cache_1", "x".repeat(44)]) {
            assert.throws(() => resolveSpec(bad, {}), /resource name .* DNS-1035 label/, bad);
        }
        assert.doesNotThrow(() => resolveSpec("x".repeat(43), {}));
    });

    it("accepts the documented opt-ins and edge values", () => {
        assert.equal(resolveSpec("c", { sentinels: 1, allowFewerThanThreeSentinels: true }).quorum, 1);
        assert.equal(resolveSpec("c", { sentinels: 5 }).quorum, 3);
        assert.equal(resolveSpec("c", { sentinels: 4 }).quorum, 3);
        assert.equal(resolveSpec("c", { replicas: undefined }).replicas, 3, "undefined means the default");
    });

    it("registers nothing when the options are invalid", async () => {
        const run = installMocks();
        assert.throws(() => new RedisSentinel("cache", { replicas: 0 }), RedisSentinelConfigError);
        await run.settle();
        assert.deepEqual(run.registrations.filter((r) => r.type !== "redis-sentinel:index:RedisSentinel").map((r) => r.name), []);
    });

    it("registers nothing for any invalid case of the matrix (the error comes at preview, before any child)", async () => {
        for (const [what, args] of INVALID) {
            const run = installMocks();
            assert.throws(() => new RedisSentinel("cache", args), RedisSentinelConfigError, what);
            await run.settle();
            const children = run.registrations.filter((r) => r.type !== "redis-sentinel:index:RedisSentinel").map((r) => r.name);
            assert.deepEqual(children, [], `${what}: registered ${children.join(", ")}`);
        }
    });

    it("accepts the scheduling and pod options the API server accepts", () => {
        const spec = resolveSpec("c", {
            tolerations: [{ key: "", operator: "Exists" }, { key: "n", operator: "Exists", effect: "NoExecute", tolerationSeconds: 0 }, { key: "dedicated", value: "redis" }],
            affinity: {
                nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [
                    { matchExpressions: [{ key: "cores", operator: "Gt", values: ["4"] }, { key: "spot", operator: "DoesNotExist" }] },
                    { matchFields: [{ key: "metadata.name", operator: "In", values: ["node-1"] }] },
                ] } },
                podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: "topology.kubernetes.io/zone", namespaces: ["apps"],
                    labelSelector: { matchExpressions: [{ key: "app", operator: "In", values: ["web"] }] }, matchLabelKeys: ["pod-template-hash"] }] },
            },
            podAnnotations: { "prometheus.io/scrape": "false" },
            serviceAccount: { create: true, annotations: { "iam.gke.io/gcp-service-account": "redis@p.iam.gserviceaccount.com" } },
        });
        assert.equal(spec.tolerations.length, 3);
        assert.equal(spec.serviceAccount.name, "c", "a created ServiceAccount is named after the component");
        assert.deepEqual(resolveSpec("c", {}).serviceAccount, { create: false, name: undefined, annotations: {}, automountToken: false });
    });

    it("accepts the image references, quantities and names the kubelet and the API server accept", () => {
        const digest = `sha256:${"0123456789abcdef".repeat(4)}`;
        for (const image of ["redis", "redis:7.2.5", "docker.io/library/redis:7.2.5-alpine", "localhost:5000/cache/redis:7", "registry.example.com:443/a/b__c/d-e.f:v1_2",
            `redis@${digest}`, `registry.local/redis:7.2.5@${digest}`, "[fd00::1]:5000/redis:7"]) {
            assert.equal(resolveSpec("c", { image }).image, image);
        }
        const spec = resolveSpec("c", {
            redisResources: { requests: { cpu: "0.5", memory: "1.5Gi" }, limits: { cpu: "500m", memory: "1610612736" } },
            sentinelResources: { requests: { cpu: "1e-1" }, limits: { memory: "1e8" } },
            persistence: { size: "+10Gi", storageClass: "a".repeat(253) },
            clusterDomain: `${"a".repeat(63)}.local`,
        });
        assert.equal(spec.redisResources.requests?.memory, "1.5Gi", "a request equal to its limit is fine");
        assert.equal(spec.clusterDomain, `${"a".repeat(63)}.local`);
    });

    it("applies the maxmemory defaults and accepts every policy and the edge percentages", () => {
        const spec = resolveSpec("c", {});
        assert.equal(spec.maxmemoryPercent, 40);
        assert.equal(spec.maxmemoryPolicy, "noeviction");
        for (const policy of ["noeviction", "allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"] as const) {
            assert.equal(resolveSpec("c", { maxmemoryPolicy: policy }).maxmemoryPolicy, policy);
        }
        assert.equal(resolveSpec("c", { maxmemoryPercent: 10 }).maxmemoryPercent, 10);
        assert.equal(resolveSpec("c", { maxmemoryPercent: 95, redisResources: { limits: { memory: "1.5Gi" } }, persistence: { size: "6Gi" } }).maxmemoryPercent, 95);
    });

    it("accepts every metrics option together and applies the metrics defaults", () => {
        const off = resolveSpec("c", {}).metrics;
        assert.deepEqual(off, {
            enabled: false, image: "oliver006/redis_exporter:v1.88.0", serviceMonitor: false, serviceMonitorLabels: {}, scrapeInterval: undefined,
            scrapeNamespaceLabels: {}, scrapePodLabels: { "app.kubernetes.io/name": "prometheus" },
            resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "64Mi" } },
        });
        const on = resolveSpec("c", { metrics: {
            enabled: true, image: "registry.local/redis_exporter:v1.62.0", resources: { requests: { cpu: "5m" } }, serviceMonitor: true,
            serviceMonitorLabels: { release: "prom" }, scrapeInterval: "1m30s", scrapeNamespaceLabels: { "kubernetes.io/metadata.name": "monitoring" },
        } }).metrics;
        assert.equal(on.scrapeInterval, "1m30s");
        assert.deepEqual(on.resources, { requests: { cpu: "5m" } });
    });

    it("checks a namespace and a password that are Outputs once they are known", async () => {
        const run = installMocks();
        const failures: string[] = [];
        const redis = new RedisSentinel("cache", { namespace: pulumi.output("Bad NS"), password: pulumi.output("x") });
        await run.settle();
        const outcome = (o: pulumi.Output<unknown>) => new Promise<string>((resolve) => {
            (o as any).promise().then(() => resolve("resolved"), (e: Error) => resolve(e.message));
        });
        failures.push(await outcome(redis.sentinelHost), await outcome(redis.password));
        assert.match(failures[0], /`namespace` = "Bad NS": must be a DNS-1123 label/);
        assert.match(failures[1], /`password` = \[secret, 1 characters\]/);
        // The deployment failed on purpose: its children wait forever on the rejected namespace.
        assert.ok(discardPendingPulumiPromises() > 0);
    });

    it("registers no child when a password given as an Output turns out invalid: every child waits for the Secret, which checks it", async () => {
        const run = installMocks();
        new RedisSentinel("cache", { password: pulumi.output("x") });
        await run.settle();
        const children = run.registrations.filter((r) => r.type !== "redis-sentinel:index:RedisSentinel").map((r) => r.name);
        assert.deepEqual(children, [], `registered before the password was checked: ${children.join(", ")}`);
        discardPendingPulumiPromises();

        const good = installMocks();
        new RedisSentinel("cache", { password: pulumi.output("a-good-password-from-elsewhere") });
        await good.settle();
        const secret = good.byName("cache-auth");
        // The password rotation takes the password itself (a rejected one stops it as well).
        for (const r of good.registrations.filter((r) => r.parent && !["cache-auth", "cache-password-rotation"].includes(r.name))) {
            assert.ok(r.dependencies.includes(secret.urn), `${r.name} does not wait for the Secret`);
        }
        assert.ok(good.byName("cache-scripts") && good.byName("cache-redis"), "a good password deploys everything");
    });
});
