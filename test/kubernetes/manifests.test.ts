import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { load, loadAll } from "js-yaml";
import { describe, expect, it } from "vitest";
import { config, loadConfig } from "../../lib/config";
import { buildJobManifest } from "../../lib/runtime/kubernetes/build-job";

// k8s/ renders with kubectl's own kustomize (the v1.20.2 kubectl built with the control plane),
// and every object validates against the Kubernetes OpenAPI schemas (kubernetes-models).

const ROOT = path.resolve(import.meta.dirname, "../..");
const CACHE = process.env.BERTH_K8S_CACHE ?? path.join(os.homedir(), ".cache/berth/k8s-v1.20.2");
const KUBECTL = path.join(CACHE, "bin/kubectl");

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [k: string]: unknown };

function render(dir: string): Obj[] {
  expect(existsSync(KUBECTL), `${KUBECTL} is built by scripts/k8s/build-control-plane.sh`).toBe(true);
  const r = spawnSync(KUBECTL, ["kustomize", dir], { cwd: ROOT, encoding: "utf8" });
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

describe("k8s/ (kubectl apply -k k8s/)", () => {
  const objs = render("k8s");

  it("holds what the README says it deploys", () => {
    expect(objs.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(
      [
        "ConfigMap/berth-config",
        "Deployment/berth",
        "Ingress/berth",
        "Namespace/berth",
        "NetworkPolicy/berth-hub",
        "NetworkPolicy/berth-user-servers",
        "NetworkPolicy/berth-builds",
        "Role/berth",
        "RoleBinding/berth",
        "Service/berth",
        "ServiceAccount/berth",
      ].sort(),
    );
    for (const o of objs) if (o.kind !== "Namespace") expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe("berth");
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

  it("lets user servers take traffic only from Berth, and reach DNS and the internet but no private range or metadata service", () => {
    const np = objs.find((o) => o.metadata.name === "berth-user-servers") as Obj & {
      spec: { podSelector: { matchLabels: Record<string, string> }; ingress: { from: { podSelector: { matchLabels: Record<string, string> } }[] }[]; egress: { to: { ipBlock?: { cidr: string; except: string[] } }[] }[] };
    };
    expect(np.spec.podSelector.matchLabels["app.kubernetes.io/component"]).toBe("singleuser-server");
    expect(np.spec.ingress).toHaveLength(1);
    expect(np.spec.ingress[0].from.map((f) => f.podSelector.matchLabels["app.kubernetes.io/component"])).toEqual(["hub"]);
    const block = np.spec.egress.flatMap((e) => e.to).find((t) => t.ipBlock)!.ipBlock!;
    expect(block.cidr).toBe("0.0.0.0/0");
    for (const cidr of ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"]) expect(block.except).toContain(cidr);
  });

  it("selects the build Jobs' pods for the build policy: no ingress, DNS and the internet out, no private range", () => {
    const np = objs.find((o) => o.metadata.name === "berth-builds") as Obj & {
      spec: { podSelector: { matchLabels: Record<string, string> }; policyTypes: string[]; ingress: unknown[]; egress: { to: { ipBlock?: { cidr: string; except: string[] } }[] }[] };
    };
    const job = buildJobManifest(
      { imageName: "registry.example.org/berth/demo:0123456789abcdef0123456789abcdef01234567", commit: "0123456789abcdef0123456789abcdef01234567", fetchUrl: "https://example.org/demo", provider: "git", repo: "https://example.org/demo" },
      { namespace: "berth", builds: config().builds, registryUrl: "https://registry.example.org" },
    );
    const podLabels = job.spec?.template.metadata?.labels ?? {};
    for (const [k, v] of Object.entries(np.spec.podSelector.matchLabels)) expect(podLabels[k], k).toBe(v);
    expect(np.spec.policyTypes).toEqual(["Ingress", "Egress"]);
    expect(np.spec.ingress).toEqual([]);
    const block = np.spec.egress.flatMap((e) => e.to).find((t) => t.ipBlock)!.ipBlock!;
    for (const cidr of ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"]) expect(block.except).toContain(cidr);
  });

  it("grants Berth's Role no wildcard and nothing beyond its namespace", () => {
    const role = byKind(objs, "Role")[0] as Obj & { rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] };
    const fromFile = load(readFileSync(path.join(ROOT, "k8s/base/role.yaml"), "utf8")) as typeof role;
    expect(role.rules).toEqual(fromFile.rules);
    for (const r of role.rules) {
      expect(r.verbs).not.toContain("*");
      expect(r.resources).not.toContain("*");
    }
    expect(byKind(objs, "ClusterRole")).toEqual([]);
  });
});

describe("k8s/overlays/with-postgres", () => {
  it("adds a PostgreSQL reachable only from Berth, and validates", async () => {
    const objs = render("k8s/overlays/with-postgres");
    expect(objs.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(expect.arrayContaining(["StatefulSet/berth-postgres", "Service/berth-postgres", "NetworkPolicy/berth-postgres", "Deployment/berth"]));
    for (const o of objs) await validate(o);
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
