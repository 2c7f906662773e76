import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { V1NetworkPolicy, V1PodSpec } from "@kubernetes/client-node";
import { loadAll } from "js-yaml";
import { afterAll, describe, expect, it } from "vitest";
import { config, loadConfig } from "../../lib/config";
import { buildJobManifest } from "../../lib/runtime/kubernetes/build-job";
import { kube } from "../helpers/kube";
import { allowsEgress, allowsIngress, type Peer, type Traffic } from "../k8s/network-policy";
import { podSecurityViolations, type PodSecurityLevel } from "../k8s/pod-security";

// k8s/ renders with kustomize, every object validates against the Kubernetes OpenAPI schemas
// (kubernetes-models), and it applies to the real API server of the test control plane and
// settles there. Rendering needs kustomize 4 or later (kubectl 1.21+: `resources:` naming
// directories; the control plane's own kubectl 1.20 has kustomize 2.0): the machine's kubectl, or
// BERTH_TEST_KUBECTL. Pod Security labels take effect on Kubernetes 1.23+ only, so k8s/ needs a
// recent cluster anyway.

const ROOT = path.resolve(import.meta.dirname, "../..");
const KUBECTL = process.env.BERTH_TEST_KUBECTL ?? "kubectl";
const SERVERS = "berth";
const BUILDS = "berth-builds";

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; [k: string]: unknown };

function kubectl(args: string[]) {
  return spawnSync(KUBECTL, args, { cwd: ROOT, encoding: "utf8" });
}

function render(dir: string): Obj[] {
  const version = kubectl(["version", "--client", "-o", "json"]);
  expect(version.status, `${KUBECTL} runs (set BERTH_TEST_KUBECTL to a kubectl 1.21 or later): ${version.error ?? version.stderr}`).toBe(0);
  const kustomize = (JSON.parse(version.stdout) as { kustomizeVersion?: string }).kustomizeVersion ?? "";
  expect(Number(/^v(\d+)/.exec(kustomize)?.[1] ?? 0), `${KUBECTL}'s kustomize ${kustomize} is older than v4`).toBeGreaterThanOrEqual(4);
  const r = kubectl(["kustomize", dir]);
  // No warnings either (a deprecated `bases:` is one).
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return (loadAll(r.stdout) as Obj[]).filter(Boolean);
}

async function validate(obj: Obj): Promise<void> {
  const [group, version] = obj.apiVersion.includes("/") ? obj.apiVersion.split("/") : [undefined, obj.apiVersion];
  const mod = (await import(group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`)) as Record<string, new (o: unknown) => { validate(): void }>;
  const Model = mod[obj.kind];
  expect(Model, `${obj.apiVersion} ${obj.kind} has a schema`).toBeTypeOf("function");
  new Model(obj).validate();
}

const byKind = (objs: Obj[], kind: string) => objs.filter((o) => o.kind === kind);
const named = (objs: Obj[], kind: string, name: string) => objs.find((o) => o.kind === kind && o.metadata.name === name)!;
const key = (o: Obj) => `${o.metadata.namespace ?? ""}/${o.kind}/${o.metadata.name}`;

/** The pod templates of the workloads in `objs`, with the Pod Security level their namespace enforces. */
function podTemplates(objs: Obj[]) {
  const levels = new Map(byKind(objs, "Namespace").map((n) => [n.metadata.name, n.metadata.labels?.["pod-security.kubernetes.io/enforce"] as PodSecurityLevel]));
  return objs
    .filter((o) => ["Deployment", "StatefulSet", "DaemonSet", "Job"].includes(o.kind))
    .map((o) => {
      const template = (o as Obj & { spec: { template: { metadata?: { annotations?: Record<string, string> }; spec: V1PodSpec } } }).spec.template;
      return { key: key(o), level: levels.get(o.metadata.namespace!), spec: template.spec, annotations: template.metadata?.annotations };
    });
}

const dnsPod: Peer = { pod: { namespace: "kube-system", labels: { "k8s-app": "kube-dns" }, namespaceLabels: { "kubernetes.io/metadata.name": "kube-system" } } };
const udp = (peer: Peer, port: number): Traffic => ({ peer, port, protocol: "UDP" });
const tcp = (peer: Peer, port: number): Traffic => ({ peer, port, protocol: "TCP" });
const ip = (address: string): Peer => ({ ip: address });

/** Egress both restricted policies must allow and refuse: DNS (cluster and NodeLocal DNSCache), the internet, nothing private. */
function expectDnsAndInternetOnly(np: V1NetworkPolicy) {
  for (const t of [udp(dnsPod, 53), tcp(dnsPod, 53), udp(ip("169.254.20.10"), 53), tcp(ip("169.254.20.10"), 53), tcp(ip("140.82.121.4"), 443), tcp(ip("151.101.0.223"), 80)]) {
    expect(allowsEgress(np, t), `${np.metadata?.name} allows ${JSON.stringify(t)}`).toBe(true);
  }
  for (const t of [
    // The cloud metadata service, on any port — DNS's included — and NodeLocal DNSCache on anything but DNS.
    tcp(ip("169.254.169.254"), 80),
    udp(ip("169.254.169.254"), 53),
    tcp(ip("169.254.20.10"), 80),
    tcp(ip("169.254.20.11"), 53),
    // Private ranges and the cluster's own pods.
    tcp(ip("10.96.0.1"), 443),
    tcp(ip("172.16.5.4"), 5432),
    tcp(ip("192.168.1.1"), 22),
    tcp(ip("100.64.0.1"), 80),
    tcp(ip("127.0.0.1"), 3000),
    tcp(dnsPod, 8080),
  ]) {
    expect(allowsEgress(np, t), `${np.metadata?.name} refuses ${JSON.stringify(t)}`).toBe(false);
  }
}

describe("k8s/ (kubectl apply -k k8s/)", () => {
  const objs = render("k8s");

  it("holds what the README says it deploys, in two namespaces", () => {
    expect(objs.map(key).sort()).toEqual(
      [
        "/Namespace/berth",
        "/Namespace/berth-builds",
        "berth/ConfigMap/berth-config",
        "berth/Deployment/berth",
        "berth/Ingress/berth",
        "berth/NetworkPolicy/berth-hub",
        "berth/NetworkPolicy/berth-user-servers",
        "berth/Role/berth",
        "berth/RoleBinding/berth",
        "berth/Service/berth",
        "berth/ServiceAccount/berth",
        "berth-builds/NetworkPolicy/berth-builds",
        "berth-builds/Role/berth-builder",
        "berth-builds/RoleBinding/berth-builder",
      ].sort(),
    );
  });

  it("uses `resources:` only, never the deprecated `bases:`", () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const f of readdirSync(dir)) {
        const p = path.join(dir, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (f === "kustomization.yaml") files.push(p);
      }
    };
    walk(path.join(ROOT, "k8s"));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const f of files) expect(readFileSync(f, "utf8"), f).not.toMatch(/^bases:/m);
  });

  it("validates every object against the Kubernetes OpenAPI schemas", async () => {
    for (const o of objs) await validate(o);
  });

  it("runs Berth as two non-root replicas with health probes and the Kubernetes runtime", () => {
    const d = byKind(objs, "Deployment")[0] as Obj & { spec: { replicas: number; template: { spec: { serviceAccountName: string; securityContext: { runAsNonRoot: boolean }; containers: { readinessProbe: { httpGet: { path: string } }; livenessProbe: { httpGet: { path: string } }; securityContext: { allowPrivilegeEscalation: boolean }; resources: { limits: object } }[] } } } };
    expect(d.spec.replicas).toBe(2);
    const pod = d.spec.template.spec;
    expect(pod.serviceAccountName).toBe("berth");
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.containers[0].readinessProbe.httpGet.path).toBe("/health?probe=ready");
    expect(pod.containers[0].livenessProbe.httpGet.path).toBe("/health?probe=live");
    expect(pod.containers[0].securityContext.allowPrivilegeEscalation).toBe(false);
    expect(pod.containers[0].resources.limits).toBeTruthy();
    const cm = byKind(objs, "ConfigMap")[0] as Obj & { data: Record<string, string> };
    expect(cm.data.BERTH_RUNTIME).toBe("kubernetes");
    expect(JSON.parse(cm.data["profiles.json"]).profiles[0]).toMatchObject({ cpu: "1", memory: "2Gi", storage: "2Gi" });
  });

  it("labels the servers' namespace for Pod Security `restricted` and the builds' for `baseline`, and every pod it deploys meets its namespace's level", () => {
    const labels = (ns: string) => named(objs, "Namespace", ns).metadata.labels ?? {};
    for (const mode of ["enforce", "warn", "audit"]) {
      expect(labels(SERVERS)[`pod-security.kubernetes.io/${mode}`], mode).toBe("restricted");
      expect(labels(BUILDS)[`pod-security.kubernetes.io/${mode}`], mode).toBe("baseline");
    }
    const templates = podTemplates(objs);
    expect(templates.map((t) => t.key)).toEqual(["berth/Deployment/berth"]);
    for (const t of templates) expect(podSecurityViolations(t.spec, t.level!, t.annotations), t.key).toEqual([]);
  });

  it("puts Berth's ServiceAccount and Secret in the servers' namespace only, and binds it in the builds' namespace too", () => {
    const d = byKind(objs, "Deployment")[0] as Obj & { spec: { template: { spec: { containers: { env: { valueFrom?: { secretKeyRef?: { name: string } } }[] }[] } } } };
    const secrets = new Set(d.spec.template.spec.containers[0].env.flatMap((e) => (e.valueFrom?.secretKeyRef ? [e.valueFrom.secretKeyRef.name] : [])));
    expect([...secrets]).toEqual(["berth-secrets"]);
    expect(d.metadata.namespace).toBe(SERVERS);
    // The build Job (in the builds' namespace) mounts the registry Secret only.
    const job = buildJobManifest(
      { imageName: "registry.example.org/berth/demo:0123456789abcdef0123456789abcdef01234567", commit: "0123456789abcdef0123456789abcdef01234567", fetchUrl: "https://example.org/demo", provider: "git", repo: "https://example.org/demo" },
      { namespace: BUILDS, builds: config().builds, registryUrl: "https://registry.example.org" },
    );
    expect(job.metadata?.namespace).toBe(BUILDS);
    expect(job.spec?.template.spec?.volumes?.flatMap((v) => (v.secret ? [v.secret.secretName] : []))).toEqual([config().builds.registrySecret]);
    for (const b of byKind(objs, "RoleBinding") as (Obj & { subjects: { kind: string; name: string; namespace: string }[] })[]) {
      expect(b.subjects, key(b)).toEqual([{ kind: "ServiceAccount", name: "berth", namespace: SERVERS }]);
    }
  });

  it("lets user servers take traffic only from Berth, and reach DNS (NodeLocal DNSCache too) and the internet but no private range or metadata service", () => {
    const np = named(objs, "NetworkPolicy", "berth-user-servers") as unknown as V1NetworkPolicy;
    expect(np.spec!.podSelector!.matchLabels!["app.kubernetes.io/component"]).toBe("singleuser-server");
    const hub: Peer = { pod: { namespace: SERVERS, labels: { "app.kubernetes.io/name": "berth", "app.kubernetes.io/component": "hub" }, namespaceLabels: {} } };
    expect(allowsIngress(np, tcp(hub, 8888))).toBe(true);
    expect(allowsIngress(np, tcp(hub, 22))).toBe(false);
    expect(allowsIngress(np, tcp({ pod: { namespace: SERVERS, labels: { "app.kubernetes.io/name": "berth", "app.kubernetes.io/component": "singleuser-server" }, namespaceLabels: {} } }, 8888))).toBe(false);
    expect(allowsIngress(np, tcp(ip("203.0.113.7"), 8888))).toBe(false);
    expectDnsAndInternetOnly(np);
  });

  it("selects the build Jobs' pods in the builds' namespace: no ingress (and no empty `ingress` key), DNS and the internet out, no private range", () => {
    const raw = named(objs, "NetworkPolicy", "berth-builds");
    const np = raw as unknown as V1NetworkPolicy;
    expect(raw.metadata.namespace).toBe(BUILDS);
    const job = buildJobManifest(
      { imageName: "registry.example.org/berth/demo:0123456789abcdef0123456789abcdef01234567", commit: "0123456789abcdef0123456789abcdef01234567", fetchUrl: "https://example.org/demo", provider: "git", repo: "https://example.org/demo" },
      { namespace: BUILDS, builds: config().builds, registryUrl: "https://registry.example.org" },
    );
    const podLabels = job.spec?.template.metadata?.labels ?? {};
    for (const [k, v] of Object.entries(np.spec!.podSelector!.matchLabels!)) expect(podLabels[k], k).toBe(v);
    expect(np.spec!.policyTypes).toEqual(["Ingress", "Egress"]);
    // The API server drops an empty list: `ingress: []` made every apply "configured" (see below).
    expect(Object.keys(np.spec!)).not.toContain("ingress");
    const hub: Peer = { pod: { namespace: SERVERS, labels: { "app.kubernetes.io/name": "berth", "app.kubernetes.io/component": "hub" }, namespaceLabels: {} } };
    for (const t of [tcp(hub, 8080), tcp(ip("203.0.113.7"), 443), udp(ip("10.0.0.5"), 53)]) expect(allowsIngress(np, t), JSON.stringify(t)).toBe(false);
    expectDnsAndInternetOnly(np);
  });

  it("grants no wildcard and nothing cluster-wide; Jobs and logs only in the builds' namespace, pods created only in the servers'", () => {
    type Role = Obj & { rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] };
    const grants = (r: Role) => r.rules.flatMap((rule) => rule.resources.flatMap((res) => rule.verbs.map((v) => `${v} ${res}`)));
    for (const role of byKind(objs, "Role") as Role[]) {
      for (const r of role.rules) {
        expect(r.verbs).not.toContain("*");
        expect(r.resources).not.toContain("*");
      }
    }
    expect(byKind(objs, "ClusterRole")).toEqual([]);
    expect(byKind(objs, "ClusterRoleBinding")).toEqual([]);
    const servers = grants(named(objs, "Role", "berth") as Role);
    const builds = grants(named(objs, "Role", "berth-builder") as Role);
    expect(servers.filter((g) => /jobs|pods\/log/.test(g))).toEqual([]);
    expect(builds).not.toContain("create pods");
    expect(builds.filter((g) => /persistentvolumeclaims|secrets/.test(g))).toEqual([]);
  });
});

describe("k8s/overlays/with-postgres", () => {
  it("adds a PostgreSQL reachable only from Berth, in the servers' namespace, meeting `restricted`, and validates", async () => {
    const objs = render("k8s/overlays/with-postgres");
    expect(objs.map(key)).toEqual(
      expect.arrayContaining(["berth/StatefulSet/berth-postgres", "berth/Service/berth-postgres", "berth/NetworkPolicy/berth-postgres", "berth/Deployment/berth", "berth-builds/NetworkPolicy/berth-builds", "berth-builds/Role/berth-builder"]),
    );
    for (const o of objs) await validate(o);
    const templates = podTemplates(objs);
    expect(templates.map((t) => t.key).sort()).toEqual(["berth/Deployment/berth", "berth/StatefulSet/berth-postgres"]);
    for (const t of templates) {
      expect(t.level, t.key).toBe("restricted");
      expect(podSecurityViolations(t.spec, t.level!, t.annotations), t.key).toEqual([]);
    }
  });
});

describe("k8s/ on a real API server", () => {
  const kubeconfig = () => ["--kubeconfig", kube().adminKubeconfig];
  const apply = (dir: string) => kubectl([...kubeconfig(), "apply", "-k", dir]);

  afterAll(() => {
    // Other files' namespaces are not these; let the namespace controller clear them meanwhile.
    kubectl([...kubeconfig(), "delete", "namespace", SERVERS, BUILDS, "--wait=false", "--ignore-not-found"]);
  });

  it("applies, and settles: a second `kubectl apply -k` changes nothing and `kubectl diff -k` is empty", () => {
    const first = apply("k8s");
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain("networkpolicy.networking.k8s.io/berth-builds created");
    const second = apply("k8s");
    expect(second.status, second.stderr).toBe(0);
    const lines = second.stdout.trim().split("\n");
    expect(lines).toHaveLength(render("k8s").length);
    expect(lines.filter((l) => !l.endsWith(" unchanged"))).toEqual([]);
    const diff = kubectl([...kubeconfig(), "diff", "-k", "k8s"]);
    expect(diff.stdout).toBe("");
    expect(diff.status, diff.stderr).toBe(0);
  });

  it("with PostgreSQL too: `kubectl diff -k` is empty after an apply", () => {
    const applied = apply("k8s/overlays/with-postgres");
    expect(applied.status, applied.stderr).toBe(0);
    const diff = kubectl([...kubeconfig(), "diff", "-k", "k8s/overlays/with-postgres"]);
    expect(diff.stdout).toBe("");
    expect(diff.status, diff.stderr).toBe(0);
  });
});

describe("k8s/overlays/user-servers-host", () => {
  it("routes the wildcard host to Berth with a wildcard certificate, sets BERTH_USER_SERVERS_HOST to it, and validates", async () => {
    const objs = render("k8s/overlays/user-servers-host");
    for (const o of objs) await validate(o);
    type Rule = { host: string; http: { paths: { path: string; backend: { service: { name: string; port: { name: string } } } }[] } };
    const ing = byKind(objs, "Ingress")[0] as Obj & { spec: { rules: Rule[]; tls: { hosts: string[]; secretName: string }[] } };
    expect(ing.spec.rules.map((r) => r.host)).toEqual(["berth.example.org", "*.notebooks.example.net"]);
    for (const r of ing.spec.rules) expect(r.http.paths).toEqual([expect.objectContaining({ path: "/", backend: { service: { name: "berth", port: { name: "http" } } } })]);
    expect(ing.spec.tls).toEqual([
      { hosts: ["berth.example.org"], secretName: "berth-tls" },
      { hosts: ["*.notebooks.example.net"], secretName: "berth-user-servers-tls" },
    ]);
    const cm = byKind(objs, "ConfigMap")[0] as Obj & { data: Record<string, string> };
    expect(cm.data.BERTH_USER_SERVERS_HOST).toBe("*.notebooks.example.net");
    // The base's settings survive the patch, and Berth accepts the value with the base's address.
    expect(cm.data.BERTH_RUNTIME).toBe("kubernetes");
    const c = loadConfig({ PATH: "/usr/bin", BERTH_PUBLIC_URL: "https://berth.example.org", BERTH_USER_SERVERS_HOST: cm.data.BERTH_USER_SERVERS_HOST } as unknown as NodeJS.ProcessEnv);
    expect(c.userServersHost).toEqual({ suffix: "notebooks.example.net", port: undefined, scheme: "https" });
  });
});
