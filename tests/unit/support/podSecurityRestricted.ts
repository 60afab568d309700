/**
 * The Pod Security Standards (https://kubernetes.io/docs/concepts/security/pod-security-standards/),
 * "baseline" and "restricted" profiles, checked on a plain pod spec, control by control as
 * the page lists them (Linux pods; Kubernetes 1.34 list). Plus this project's own rules
 * (`checkHardening`): read-only root filesystem, writable mounts only on emptyDir or
 * claimed volumes, no service account token.
 *
 * Test-side only: it reads the objects the manifests render, it changes nothing.
 */

export type Profile = "baseline" | "restricted";

export interface Violation {
    /** The control's name as the page gives it. */
    control: string;
    /** Where, e.g. `spec.containers[redis].securityContext.privileged`. */
    field: string;
    value: unknown;
    allowed: string;
}

/** A pod's metadata and spec, as a Pod or a pod template holds them. */
export interface PodLike {
    metadata?: { annotations?: Record<string, string> } & Record<string, unknown>;
    spec: Record<string, any>;
}

const BASELINE_CAPABILITIES = new Set([
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
    "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
]);
const RESTRICTED_CAPABILITIES = new Set(["NET_BIND_SERVICE"]);
const SELINUX_TYPES = new Set(["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"]);
const SAFE_SYSCTLS = new Set([
    "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
]);
const RESTRICTED_VOLUME_SOURCES = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];
const CONTAINER_LISTS = ["containers", "initContainers", "ephemeralContainers"] as const;
const PROBES = ["livenessProbe", "readinessProbe", "startupProbe"] as const;
const HOOKS = ["postStart", "preStop"] as const;

interface ContainerAt {
    path: string;
    container: Record<string, any>;
}

function containersOf(spec: Record<string, any>): ContainerAt[] {
    const out: ContainerAt[] = [];
    for (const list of CONTAINER_LISTS) {
        for (const [i, c] of ((spec[list] ?? []) as Record<string, any>[]).entries()) {
            out.push({ path: `spec.${list}[${c.name ?? i}]`, container: c });
        }
    }
    return out;
}

const isUnset = (v: unknown): boolean => v === undefined || v === null;

/** Every violation of `profile` (restricted includes baseline). Empty means the pod passes. */
export function checkPodSecurity(pod: PodLike, profile: Profile): Violation[] {
    const v: Violation[] = [];
    const spec = pod.spec ?? {};
    const podSc: Record<string, any> = spec.securityContext ?? {};
    const containers = containersOf(spec);
    const add = (control: string, field: string, value: unknown, allowed: string) => v.push({ control, field, value, allowed });

    // ---- baseline ----
    const hostProcess: [string, unknown][] = [["spec.securityContext.windowsOptions.hostProcess", podSc.windowsOptions?.hostProcess],
        ...containers.map(({ path, container }): [string, unknown] => [`${path}.securityContext.windowsOptions.hostProcess`, container.securityContext?.windowsOptions?.hostProcess])];
    for (const [field, value] of hostProcess) if (!isUnset(value) && value !== false) add("HostProcess", field, value, "undefined or false");

    for (const ns of ["hostNetwork", "hostPID", "hostIPC"]) {
        if (!isUnset(spec[ns]) && spec[ns] !== false) add("Host Namespaces", `spec.${ns}`, spec[ns], "undefined or false");
    }
    for (const { path, container } of containers) {
        const sc: Record<string, any> = container.securityContext ?? {};
        if (!isUnset(sc.privileged) && sc.privileged !== false) add("Privileged Containers", `${path}.securityContext.privileged`, sc.privileged, "undefined or false");
        for (const cap of (sc.capabilities?.add ?? []) as string[]) {
            if (!BASELINE_CAPABILITIES.has(cap)) add("Capabilities", `${path}.securityContext.capabilities.add`, cap, [...BASELINE_CAPABILITIES].join(", "));
        }
        for (const port of (container.ports ?? []) as Record<string, any>[]) {
            if (!isUnset(port.hostPort) && port.hostPort !== 0) add("Host Ports", `${path}.ports[${port.name ?? port.containerPort}].hostPort`, port.hostPort, "undefined or 0");
        }
        const handlers: [string, Record<string, any> | undefined][] = [
            ...PROBES.map((p): [string, Record<string, any> | undefined] => [`${path}.${p}`, container[p]]),
            ...HOOKS.map((h): [string, Record<string, any> | undefined] => [`${path}.lifecycle.${h}`, container.lifecycle?.[h]]),
        ];
        for (const [at, handler] of handlers) {
            for (const kind of ["httpGet", "tcpSocket"]) {
                const host = handler?.[kind]?.host;
                if (!isUnset(host) && host !== "") add("Host Probes / Lifecycle Hooks", `${at}.${kind}.host`, host, 'undefined or ""');
            }
        }
        if (!isUnset(sc.procMount) && sc.procMount !== "Default") add("/proc Mount Type", `${path}.securityContext.procMount`, sc.procMount, 'undefined or "Default"');
    }
    for (const [i, vol] of ((spec.volumes ?? []) as Record<string, any>[]).entries()) {
        if (!isUnset(vol.hostPath)) add("HostPath Volumes", `spec.volumes[${vol.name ?? i}].hostPath`, vol.hostPath, "undefined");
    }
    const securityContexts: [string, Record<string, any>][] = [["spec.securityContext", podSc],
        ...containers.map(({ path, container }): [string, Record<string, any>] => [`${path}.securityContext`, container.securityContext ?? {}])];
    for (const [at, sc] of securityContexts) {
        const apparmor = sc.appArmorProfile?.type;
        if (!isUnset(apparmor) && apparmor !== "RuntimeDefault" && apparmor !== "Localhost") {
            add("AppArmor", `${at}.appArmorProfile.type`, apparmor, 'undefined, "RuntimeDefault" or "Localhost"');
        }
        const se = sc.seLinuxOptions ?? {};
        if (!isUnset(se.type) && !SELINUX_TYPES.has(se.type)) add("SELinux", `${at}.seLinuxOptions.type`, se.type, [...SELINUX_TYPES].map((t) => JSON.stringify(t)).join(", "));
        for (const key of ["user", "role"]) if (!isUnset(se[key]) && se[key] !== "") add("SELinux", `${at}.seLinuxOptions.${key}`, se[key], 'undefined or ""');
        const seccomp = sc.seccompProfile?.type;
        if (!isUnset(seccomp) && seccomp !== "RuntimeDefault" && seccomp !== "Localhost") {
            add("Seccomp", `${at}.seccompProfile.type`, seccomp, 'undefined, "RuntimeDefault" or "Localhost" (never "Unconfined")');
        }
    }
    for (const [key, value] of Object.entries(pod.metadata?.annotations ?? {})) {
        if (key.startsWith("container.apparmor.security.beta.kubernetes.io/") && value !== "runtime/default" && !value.startsWith("localhost/")) {
            add("AppArmor", `metadata.annotations[${key}]`, value, 'undefined, "runtime/default" or "localhost/*"');
        }
    }
    for (const sysctl of (podSc.sysctls ?? []) as { name: string }[]) {
        if (!SAFE_SYSCTLS.has(sysctl.name)) add("Sysctls", "spec.securityContext.sysctls[*].name", sysctl.name, [...SAFE_SYSCTLS].join(", "));
    }
    if (profile === "baseline") return v;

    // ---- restricted ----
    for (const [i, vol] of ((spec.volumes ?? []) as Record<string, any>[]).entries()) {
        const sources = Object.keys(vol).filter((k) => k !== "name" && !isUnset(vol[k]));
        if (!sources.some((s) => RESTRICTED_VOLUME_SOURCES.includes(s))) {
            add("Volume Types", `spec.volumes[${vol.name ?? i}]`, sources.join(", ") || "no source", RESTRICTED_VOLUME_SOURCES.join(", "));
        }
    }
    if (podSc.runAsNonRoot === false) add("Running as Non-root", "spec.securityContext.runAsNonRoot", false, "true");
    if (podSc.runAsUser === 0) add("Running as Non-root user", "spec.securityContext.runAsUser", 0, "any non-zero value, or undefined");
    const podSeccompOk = podSc.seccompProfile?.type === "RuntimeDefault" || podSc.seccompProfile?.type === "Localhost";
    for (const { path, container } of containers) {
        const sc: Record<string, any> = container.securityContext ?? {};
        if (sc.allowPrivilegeEscalation !== false) {
            add("Privilege Escalation", `${path}.securityContext.allowPrivilegeEscalation`, sc.allowPrivilegeEscalation, "false");
        }
        if (sc.runAsNonRoot === false || (isUnset(sc.runAsNonRoot) && podSc.runAsNonRoot !== true)) {
            add("Running as Non-root", `${path}.securityContext.runAsNonRoot`, sc.runAsNonRoot, "true (or undefined when spec.securityContext.runAsNonRoot is true)");
        }
        if (sc.runAsUser === 0) add("Running as Non-root user", `${path}.securityContext.runAsUser`, 0, "any non-zero value, or undefined");
        if (isUnset(sc.seccompProfile?.type) && !podSeccompOk) {
            add("Seccomp", `${path}.securityContext.seccompProfile.type`, undefined,
                '"RuntimeDefault" or "Localhost" (or undefined when spec.securityContext.seccompProfile.type is one of them)');
        }
        const drop = (sc.capabilities?.drop ?? []) as string[];
        if (!drop.includes("ALL")) add("Capabilities", `${path}.securityContext.capabilities.drop`, drop, "a list that includes ALL");
        for (const cap of (sc.capabilities?.add ?? []) as string[]) {
            if (!RESTRICTED_CAPABILITIES.has(cap)) add("Capabilities", `${path}.securityContext.capabilities.add`, cap, "undefined or NET_BIND_SERVICE");
        }
    }
    return v;
}

/**
 * This project's rules beyond "restricted": every container has a read-only root
 * filesystem and writes only to emptyDir volumes or claimed volumes (`claimNames`: the
 * StatefulSet's volumeClaimTemplates), and no pod gets a service account token.
 */
export function checkHardening(pod: PodLike, claimNames: string[] = []): Violation[] {
    const v: Violation[] = [];
    const spec = pod.spec ?? {};
    const writable = new Set<string>(claimNames);
    for (const vol of (spec.volumes ?? []) as Record<string, any>[]) {
        if (vol.emptyDir || vol.persistentVolumeClaim || vol.ephemeral) writable.add(vol.name);
    }
    if (spec.automountServiceAccountToken !== false) {
        v.push({ control: "Service account token", field: "spec.automountServiceAccountToken", value: spec.automountServiceAccountToken, allowed: "false" });
    }
    for (const { path, container } of containersOf(spec)) {
        if (container.securityContext?.readOnlyRootFilesystem !== true) {
            v.push({ control: "Read-only root filesystem", field: `${path}.securityContext.readOnlyRootFilesystem`,
                value: container.securityContext?.readOnlyRootFilesystem, allowed: "true" });
        }
        for (const mount of (container.volumeMounts ?? []) as Record<string, any>[]) {
            if (mount.readOnly !== true && !writable.has(mount.name)) {
                v.push({ control: "Writable volumes", field: `${path}.volumeMounts[${mount.name}]`, value: mount.mountPath,
                    allowed: "readOnly: true, unless the volume is an emptyDir or a claimed volume" });
            }
        }
    }
    return v;
}

/** One line per violation, for assertion messages. */
export function describeViolations(violations: Violation[]): string {
    return violations.map((x) => `${x.control}: ${x.field} = ${JSON.stringify(x.value)} (allowed: ${x.allowed})`).join("\n");
}
