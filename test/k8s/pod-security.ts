import type { V1Container, V1PodSpec, V1SecurityContext } from "@kubernetes/client-node";

// The Pod Security Standards (https://kubernetes.io/docs/concepts/security/pod-security-standards/,
// the `latest` version that Pod Security admission enforces on Kubernetes 1.25 and later), as
// checks of a pod spec. The test control plane is v1.20, which has no Pod Security admission: its
// namespaces carry the labels k8s/ sets, and the suites hold the pods Berth makes to them with this.
// Windows-only rules are left out (Berth's pods are Linux pods).

export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

/** Capabilities `baseline` lets a container add (beyond these it must not). */
const BASELINE_CAPABILITIES = new Set(["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"]);
const SAFE_SYSCTLS = new Set([
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
]);
const SELINUX_TYPES = new Set(["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"]);
/** The only volume types `restricted` allows. */
const RESTRICTED_VOLUMES = new Set(["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"]);

type Ctx = V1SecurityContext & { appArmorProfile?: { type?: string } };

function containersOf(spec: V1PodSpec): V1Container[] {
  return [...(spec.initContainers ?? []), ...spec.containers, ...((spec.ephemeralContainers ?? []) as V1Container[])];
}

/** What keeps a pod from `level`, one line per violation; empty when it meets it. */
export function podSecurityViolations(spec: V1PodSpec, level: PodSecurityLevel, annotations: Record<string, string> = {}): string[] {
  if (level === "privileged") return [];
  const out: string[] = [];
  const pod = (spec.securityContext ?? {}) as Ctx & { sysctls?: { name: string }[]; windowsOptions?: { hostProcess?: boolean } };
  const containers = containersOf(spec).map((c) => ({ name: c.name, sc: (c.securityContext ?? {}) as Ctx, ports: c.ports ?? [] }));

  // ---- baseline ----
  if (pod.windowsOptions?.hostProcess) out.push("pod: hostProcess");
  for (const key of ["hostNetwork", "hostPID", "hostIPC"] as const) if (spec[key]) out.push(`pod: ${key}`);
  for (const v of spec.volumes ?? []) if (v.hostPath) out.push(`volume ${v.name}: hostPath`);
  const seccompPod = pod.seccompProfile?.type;
  if (seccompPod === "Unconfined") out.push("pod: seccompProfile Unconfined");
  const seLinux = (where: string, o: { type?: string; user?: string; role?: string } | undefined) => {
    if (!o) return;
    if (!SELINUX_TYPES.has(o.type ?? "")) out.push(`${where}: seLinuxOptions.type ${o.type}`);
    if (o.user || o.role) out.push(`${where}: seLinuxOptions user/role`);
  };
  seLinux("pod", pod.seLinuxOptions);
  for (const s of pod.sysctls ?? []) if (!SAFE_SYSCTLS.has(s.name)) out.push(`pod: sysctl ${s.name}`);
  const appArmor = (where: string, type: string | undefined) => {
    if (type !== undefined && type !== "RuntimeDefault" && type !== "Localhost") out.push(`${where}: AppArmor ${type}`);
  };
  appArmor("pod", pod.appArmorProfile?.type);
  for (const [k, v] of Object.entries(annotations)) {
    if (k.startsWith("container.apparmor.security.beta.kubernetes.io/") && v !== "runtime/default" && !v.startsWith("localhost/")) out.push(`annotation ${k}: ${v}`);
  }
  for (const { name, sc, ports } of containers) {
    const where = `container ${name}`;
    if (sc.windowsOptions?.hostProcess) out.push(`${where}: hostProcess`);
    if (sc.privileged) out.push(`${where}: privileged`);
    for (const cap of sc.capabilities?.add ?? []) if (!BASELINE_CAPABILITIES.has(cap)) out.push(`${where}: adds capability ${cap}`);
    for (const p of ports) if (p.hostPort) out.push(`${where}: hostPort ${p.hostPort}`);
    seLinux(where, sc.seLinuxOptions);
    if (sc.procMount && sc.procMount !== "Default") out.push(`${where}: procMount ${sc.procMount}`);
    if (sc.seccompProfile?.type === "Unconfined") out.push(`${where}: seccompProfile Unconfined`);
    appArmor(where, sc.appArmorProfile?.type);
  }
  if (level === "baseline") return out;

  // ---- restricted ----
  for (const v of spec.volumes ?? []) {
    const types = Object.entries(v as object).flatMap(([k, value]) => (k !== "name" && value != null ? [k] : []));
    for (const t of types) if (!RESTRICTED_VOLUMES.has(t)) out.push(`volume ${v.name}: type ${t}`);
  }
  if (pod.runAsUser === 0) out.push("pod: runAsUser 0");
  for (const { name, sc } of containers) {
    const where = `container ${name}`;
    if (sc.allowPrivilegeEscalation !== false) out.push(`${where}: allowPrivilegeEscalation not false`);
    if (sc.runAsNonRoot === false || (sc.runAsNonRoot !== true && pod.runAsNonRoot !== true)) out.push(`${where}: runAsNonRoot not true`);
    if (sc.runAsUser === 0) out.push(`${where}: runAsUser 0`);
    const seccomp = sc.seccompProfile?.type ?? seccompPod;
    if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") out.push(`${where}: seccompProfile neither RuntimeDefault nor Localhost`);
    if (!sc.capabilities?.drop?.includes("ALL")) out.push(`${where}: does not drop ALL capabilities`);
    for (const cap of sc.capabilities?.add ?? []) if (cap !== "NET_BIND_SERVICE") out.push(`${where}: adds capability ${cap} (restricted: NET_BIND_SERVICE only)`);
  }
  return out;
}
