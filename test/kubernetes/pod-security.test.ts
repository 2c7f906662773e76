import { KubeConfig, type V1Pod, type V1PodSpec } from "@kubernetes/client-node";
import { afterAll, describe, expect, it } from "vitest";
import { config } from "../../lib/config";
import { buildJobName } from "../../lib/runtime/kubernetes/build-job";
import { KubeBuilder } from "../../lib/runtime/kubernetes/kube-builder";
import { createServer } from "../../lib/servers/create-server";
import { startServer } from "../../lib/servers/start-server";
import { makeUser, waitFor, waitForState } from "../helpers";
import { adminApi, kube, listPods, readPod, sim } from "../helpers/kube";
import { podSecurityViolations, type PodSecurityLevel } from "../k8s/pod-security";

// Pod Security: the servers' namespace is labelled `restricted`, the builds' `baseline` (k8s/base and
// k8s/builds; the test namespaces carry the same labels). Kubernetes 1.25+ enforces those labels
// at admission; the test control plane (1.20) has no Pod Security admission, so this suite holds
// the pods Berth really makes — as the API server stored them, defaults and all — to the level
// their namespace is labelled with, using the standard's rules (test/k8s/pod-security.ts).

async function enforced(namespace: string): Promise<PodSecurityLevel> {
  const ns = await adminApi().core.readNamespace({ name: namespace });
  return ns.metadata?.labels?.["pod-security.kubernetes.io/enforce"] as PodSecurityLevel;
}

const restrictedContainer = {
  name: "c",
  image: "example.org/i:1",
  securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } },
};
const restrictedPod = (): V1PodSpec => ({ containers: [structuredClone(restrictedContainer)], volumes: [{ name: "home", persistentVolumeClaim: { claimName: "claim" } }] });

describe("the Pod Security rules the suites check with", () => {
  it("pass a restricted pod, and name what breaks `baseline` or only `restricted`", () => {
    expect(podSecurityViolations(restrictedPod(), "restricted")).toEqual([]);
    const breaks = (change: (p: V1PodSpec) => void, level: PodSecurityLevel) => {
      const p = restrictedPod();
      change(p);
      return podSecurityViolations(p, level);
    };
    // Beyond baseline: refused in both namespaces.
    expect(breaks((p) => (p.hostNetwork = true), "baseline")).toEqual(["pod: hostNetwork"]);
    expect(breaks((p) => p.volumes!.push({ name: "host", hostPath: { path: "/" } }), "baseline")).toEqual(["volume host: hostPath"]);
    expect(breaks((p) => (p.containers[0].securityContext!.privileged = true), "baseline")).toEqual(["container c: privileged"]);
    expect(breaks((p) => (p.containers[0].securityContext!.capabilities!.add = ["SYS_ADMIN"]), "baseline")).toContain("container c: adds capability SYS_ADMIN");
    expect(breaks((p) => (p.containers[0].ports = [{ containerPort: 80, hostPort: 80 }]), "baseline")).toEqual(["container c: hostPort 80"]);
    expect(breaks((p) => (p.securityContext = { seccompProfile: { type: "Unconfined" } }), "baseline")).toEqual(["pod: seccompProfile Unconfined"]);
    // Within baseline, not restricted: root, privilege escalation, capabilities kept, no seccomp profile.
    const rootKaniko = (p: V1PodSpec) => (p.containers[0].securityContext = {});
    expect(breaks(rootKaniko, "baseline")).toEqual([]);
    expect(breaks(rootKaniko, "restricted")).toEqual([
      "container c: allowPrivilegeEscalation not false",
      "container c: runAsNonRoot not true",
      "container c: seccompProfile neither RuntimeDefault nor Localhost",
      "container c: does not drop ALL capabilities",
    ]);
    expect(breaks((p) => (p.containers[0].securityContext!.runAsUser = 0), "restricted")).toEqual(["container c: runAsUser 0"]);
    expect(breaks((p) => p.volumes!.push({ name: "nfs", nfs: { server: "nfs.example.org", path: "/" } }), "restricted")).toEqual(["volume nfs: type nfs"]);
    // The pod's settings count for its containers.
    expect(breaks((p) => {
      p.securityContext = { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } };
      p.containers[0].securityContext = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } };
    }, "restricted")).toEqual([]);
  });
});

describe("the pods Berth makes meet their namespace's Pod Security level", () => {
  const builders: KubeBuilder[] = [];
  afterAll(async () => {
    for (const b of builders) b.shutdown();
    await sim().clearFault();
  });

  it("a server pod, as the API server stored it, meets `restricted`, its namespace's level", async () => {
    expect(await enforced(kube().namespace)).toBe("restricted");
    const alice = await makeUser("alice");
    const s = await createServer(alice, "alice", { name: "secure" });
    await startServer(alice, "alice", "secure");
    await waitForState(s.id, "running");
    const pod = (await readPod("jupyter-alice--secure"))!;
    expect(pod.spec?.initContainers).toHaveLength(1);
    expect(podSecurityViolations(pod.spec!, "restricted", pod.metadata?.annotations)).toEqual([]);
  });

  it("a build pod, as the Job controller made it, meets `baseline`, its namespace's level — not `restricted`: Kaniko runs as root", async () => {
    expect(await enforced(kube().buildNamespace)).toBe("baseline");
    const kc = new KubeConfig();
    kc.loadFromFile(kube().berthKubeconfig);
    const b = new KubeBuilder({ kc, namespace: kube().buildNamespace, builds: config().builds, registry: config().registry });
    builders.push(b);
    const commit = "b".repeat(40);
    const req = { imageName: `berth-test/pod-security:${commit}`, commit, fetchUrl: "https://example.org/pod-security.git", provider: "git" as const, repo: "https://example.org/pod-security.git" };
    await sim().setFault(`job:${buildJobName(req.imageName)}`, { kind: "hold" });
    const ac = new AbortController();
    const building = b.build(req, () => undefined, ac.signal).catch(() => undefined);
    const pod = await waitFor("the build pod", async () => (await listPods(`job-name=${buildJobName(req.imageName)}`, kube().buildNamespace))[0] as V1Pod | undefined);
    ac.abort();
    await building;
    expect(pod.metadata?.namespace).toBe(kube().buildNamespace);
    expect(podSecurityViolations(pod.spec!, "baseline", pod.metadata?.annotations)).toEqual([]);
    expect(podSecurityViolations(pod.spec!, "restricted", pod.metadata?.annotations)).toContain("container kaniko: runAsNonRoot not true");
    // No server pod was made in the builds' namespace, and no build pod among the servers.
    expect(await listPods("app.kubernetes.io/component=build")).toEqual([]);
  });
});
