import { strict as assert } from "assert";
import { RedisSentinel } from "../../src";
import { installMocks, SEED_POD_TYPE } from "./support/mockedPulumi";
import { OPTION_MATRIX, podsOf, renderObjects } from "./support/renderManifests";
import { type PodLike, checkHardening, checkPodSecurity, describeViolations } from "./support/podSecurityRestricted";

describe("Pod Security Standards: every pod the component renders", function () {
    for (const [what, args] of OPTION_MATRIX) {
        it(`passes "restricted" and our hardening rules (${what})`, () => {
            const pods = podsOf(renderObjects(args));
            const endpoint = args.endpoint?.enabled ? ["Deployment cache-endpoint"] : [];
            assert.deepEqual(pods.map((p) => p.owner), ["Pod cache-seed", "StatefulSet cache-redis", "StatefulSet cache-sentinel", ...endpoint]);
            for (const { owner, pod, claimNames } of pods) {
                const violations = [...checkPodSecurity(pod, "restricted"), ...checkHardening(pod, claimNames)];
                assert.equal(violations.length, 0, `${owner} (${what}):\n${describeViolations(violations)}`);
            }
        });
    }

    it("checks the exporter sidecar too when metrics are on (seed and Redis set)", () => {
        const pods = podsOf(renderObjects({ metrics: { enabled: true } }));
        const names = pods.map((p) => `${p.owner}: ${p.pod.spec.containers.map((c: any) => c.name).join(",")}`);
        assert.deepEqual(names, ["Pod cache-seed: redis,sentinel,metrics", "StatefulSet cache-redis: redis,metrics", "StatefulSet cache-sentinel: sentinel"]);
    });

    it("passes for the pods the component actually registers (Pulumi mocks, metrics on)", async () => {
        const run = installMocks();
        new RedisSentinel("cache", { namespace: "data", metrics: { enabled: true, serviceMonitor: true } });
        await run.settle();
        const objects = run.registrations
            .filter((r) => r.type === SEED_POD_TYPE || r.type === "kubernetes:apps/v1:StatefulSet")
            .map((r) => (r.type === SEED_POD_TYPE ? r.inputs.manifest : { kind: r.type.split(":").pop(), ...r.inputs }));
        const pods = podsOf(objects);
        assert.equal(pods.length, 3);
        for (const { owner, pod, claimNames } of pods) {
            const violations = [...checkPodSecurity(pod, "restricted"), ...checkHardening(pod, claimNames)];
            assert.equal(violations.length, 0, `${owner}:\n${describeViolations(violations)}`);
        }
    });
});

/** A pod that passes "restricted" and the hardening rules; each case below breaks one control. */
function goodPod(): PodLike {
    return {
        metadata: { annotations: {} },
        spec: {
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, runAsUser: 999, seccompProfile: { type: "RuntimeDefault" } },
            containers: [{
                name: "app",
                image: "x",
                ports: [{ containerPort: 80 }],
                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true },
                volumeMounts: [{ name: "tmp", mountPath: "/tmp" }, { name: "conf", mountPath: "/conf", readOnly: true }],
            }],
            volumes: [{ name: "tmp", emptyDir: {} }, { name: "conf", configMap: { name: "c" } }],
        },
    };
}

type Breaker = (pod: PodLike) => void;
const c0 = (pod: PodLike) => pod.spec.containers[0];

/** [control, profile that first forbids it, how to break it] */
const BREAKERS: [string, "baseline" | "restricted", Breaker][] = [
    ["HostProcess", "baseline", (p) => (p.spec.securityContext.windowsOptions = { hostProcess: true })],
    ["Host Namespaces", "baseline", (p) => (p.spec.hostNetwork = true)],
    ["Host Namespaces", "baseline", (p) => (p.spec.hostPID = true)],
    ["Host Namespaces", "baseline", (p) => (p.spec.hostIPC = true)],
    ["Privileged Containers", "baseline", (p) => (c0(p).securityContext.privileged = true)],
    ["Capabilities", "baseline", (p) => (c0(p).securityContext.capabilities.add = ["SYS_ADMIN"])],
    ["HostPath Volumes", "baseline", (p) => p.spec.volumes.push({ name: "host", hostPath: { path: "/" } })],
    ["Host Ports", "baseline", (p) => (c0(p).ports[0].hostPort = 8080)],
    ["Host Probes / Lifecycle Hooks", "baseline", (p) => (c0(p).livenessProbe = { httpGet: { host: "10.0.0.1", path: "/", port: 80 } })],
    ["Host Probes / Lifecycle Hooks", "baseline", (p) => (c0(p).lifecycle = { preStop: { tcpSocket: { host: "evil", port: 1 } } })],
    ["AppArmor", "baseline", (p) => (c0(p).securityContext.appArmorProfile = { type: "Unconfined" })],
    ["AppArmor", "baseline", (p) => (p.metadata!.annotations!["container.apparmor.security.beta.kubernetes.io/app"] = "unconfined")],
    ["SELinux", "baseline", (p) => (p.spec.securityContext.seLinuxOptions = { type: "spc_t" })],
    ["SELinux", "baseline", (p) => (c0(p).securityContext.seLinuxOptions = { user: "system_u" })],
    ["/proc Mount Type", "baseline", (p) => (c0(p).securityContext.procMount = "Unmasked")],
    ["Seccomp", "baseline", (p) => (c0(p).securityContext.seccompProfile = { type: "Unconfined" })],
    ["Sysctls", "baseline", (p) => (p.spec.securityContext.sysctls = [{ name: "kernel.msgmax", value: "1" }])],
    ["Volume Types", "restricted", (p) => p.spec.volumes.push({ name: "nfs", nfs: { server: "s", path: "/" } })],
    ["Privilege Escalation", "restricted", (p) => delete c0(p).securityContext.allowPrivilegeEscalation],
    ["Running as Non-root", "restricted", (p) => delete p.spec.securityContext.runAsNonRoot],
    ["Running as Non-root", "restricted", (p) => (c0(p).securityContext.runAsNonRoot = false)],
    ["Running as Non-root user", "restricted", (p) => (c0(p).securityContext.runAsUser = 0)],
    ["Seccomp", "restricted", (p) => delete p.spec.securityContext.seccompProfile],
    ["Capabilities", "restricted", (p) => (c0(p).securityContext.capabilities = { drop: ["NET_RAW"] })],
    ["Capabilities", "restricted", (p) => (c0(p).securityContext.capabilities.add = ["CHOWN"])],
];

const HARDENING_BREAKERS: [string, Breaker][] = [
    ["Read-only root filesystem", (p) => delete c0(p).securityContext.readOnlyRootFilesystem],
    ["Writable volumes", (p) => delete c0(p).volumeMounts[1].readOnly],
    ["Service account token", (p) => delete p.spec.automountServiceAccountToken],
];

describe("the Pod Security checker itself", function () {
    it("passes a pod that keeps every rule (so the cases below each break exactly one)", () => {
        assert.deepEqual(checkPodSecurity(goodPod(), "restricted"), []);
        assert.deepEqual(checkHardening(goodPod()), []);
    });

    for (const [control, profile, breakIt] of BREAKERS) {
        it(`reports "${control}" (${profile}): ${breakIt.toString().replace(/\s+/g, " ").slice(7, 90)}`, () => {
            const pod = goodPod();
            breakIt(pod);
            const restricted = checkPodSecurity(pod, "restricted");
            const baseline = checkPodSecurity(pod, "baseline");
            const controls = (vs: typeof restricted) => [...new Set(vs.map((v) => v.control))];
            if (profile === "baseline") {
                assert.deepEqual(controls(baseline), [control], describeViolations(baseline));
                // restricted includes baseline (and may add its stricter form of the same breach)
                assert.ok(controls(restricted).includes(control), describeViolations(restricted));
            } else {
                assert.deepEqual(controls(restricted), [control], describeViolations(restricted));
                assert.deepEqual(baseline, [], `"${control}" is a restricted-only control, yet baseline reported:\n${describeViolations(baseline)}`);
            }
        });
    }

    for (const [control, breakIt] of HARDENING_BREAKERS) {
        it(`reports our "${control}" rule`, () => {
            const pod = goodPod();
            breakIt(pod);
            assert.deepEqual(checkHardening(pod).map((v) => v.control), [control]);
        });
    }

    it("allows what the standard allows: NET_BIND_SERVICE, Localhost seccomp on every container, safe sysctls, claimed writable volumes", () => {
        const pod = goodPod();
        c0(pod).securityContext.capabilities.add = ["NET_BIND_SERVICE"];
        delete pod.spec.securityContext.seccompProfile;
        c0(pod).securityContext.seccompProfile = { type: "Localhost", localhostProfile: "p.json" };
        pod.spec.securityContext.sysctls = [{ name: "net.ipv4.ip_unprivileged_port_start", value: "0" }];
        c0(pod).volumeMounts.push({ name: "data", mountPath: "/data" });
        assert.deepEqual(checkPodSecurity(pod, "restricted"), []);
        assert.deepEqual(checkHardening(pod, ["data"]), []);
        assert.equal(checkHardening(pod).length, 1, "a writable mount of an unknown volume is reported");
    });
});
