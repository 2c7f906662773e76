import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net, { type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { GET as getHealth } from "../../app/health/route";
import { config } from "../../lib/config";
import { checkCluster, checkHealth } from "../../lib/ops/health";
import { kube } from "../helpers/kube";
import { kubeconfigText } from "../setup/global-kube";

// /health's cluster check against the real kube-apiserver, as Berth's ServiceAccount: one
// `list pods` (limit 1) in its namespace, a verb its Role grants already (the RBAC suite checks
// the Role still equals the calls made). And what it says when it may not, cannot log in, or
// gets no answer.

const dir = mkdtempSync(path.join(tmpdir(), "berth-health-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let serial = 0;
function kubeconfigFile(server: string, token = "not-a-valid-token"): string {
  const file = path.join(dir, `kubeconfig-${++serial}`);
  writeFileSync(file, kubeconfigText({ server, caFile: kube().caFile, token, user: "someone" }), { mode: 0o600 });
  return file;
}

const get = (url: string) => getHealth(new Request(`http://berth.test${url}`), { params: Promise.resolve({}) });

interface HealthBody {
  status: string;
  message?: string;
  checks: Record<string, { ok: boolean; durationMs: number; message?: string }>;
}

describe("the cluster check", () => {
  it("passes on the Kubernetes runtime with Berth's Role, and is part of /health but not of readiness", async () => {
    expect(config().runtime).toBe("kubernetes");
    const res = await get("/health");
    const body = (await res.json()) as HealthBody;
    expect(res.status).toBe(200);
    expect(Object.keys(body.checks).sort()).toEqual(["cluster", "database"]);
    expect(body.checks.cluster.ok).toBe(true);
    expect(body.checks.cluster.durationMs).toBeGreaterThanOrEqual(0);
    const ready = (await (await get("/health?probe=ready")).json()) as HealthBody;
    expect(Object.keys(ready.checks)).toEqual(["database"]);
  });

  it("answers 503 naming the namespace when Berth may not list pods there", async () => {
    const k = config().kubernetes;
    const saved = k.namespace;
    // Berth's ServiceAccount has no Role in "default".
    k.namespace = "default";
    try {
      const res = await get("/health");
      expect(res.status).toBe(503);
      const body = (await res.json()) as HealthBody;
      expect(body.checks.database.ok).toBe(true);
      expect(body.checks.cluster).toMatchObject({ ok: false, message: 'Berth may not list pods in namespace "default"; apply the Role in k8s/ (RBAC).' });
      expect(body.message).toBe(body.checks.cluster.message);
    } finally {
      k.namespace = saved;
    }
  });

  it("says when the API server refuses the credentials", async () => {
    const message = await checkCluster({ kubeconfig: kubeconfigFile(kube().server), namespace: kube().namespace });
    expect(message).toBe("The Kubernetes API refused Berth's credentials (401).");
  });

  it("says when nothing answers, and gives up at its deadline when the API server hangs", async () => {
    // A port that was just free: the connection is refused.
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const freePort = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const refused = await checkCluster({ kubeconfig: kubeconfigFile(`https://127.0.0.1:${freePort}`), namespace: kube().namespace });
    expect(refused).toBe("The Kubernetes API is not answering (ECONNREFUSED).");

    // Accepts the connection and never says a word (not even the TLS handshake).
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const started = Date.now();
      const report = await checkHealth({
        only: ["cluster"],
        timeoutMs: 500,
        cluster: { kubeconfig: kubeconfigFile(`https://127.0.0.1:${(silent.address() as AddressInfo).port}`), namespace: kube().namespace },
      });
      expect(Date.now() - started).toBeLessThan(2000);
      expect(report.ok).toBe(false);
      expect(report.checks.cluster).toMatchObject({ ok: false, message: "The Kubernetes API did not answer within 0.5 s." });
    } finally {
      await new Promise<void>((resolve) => {
        silent.close(() => resolve());
        // Connections the client left open would keep close() waiting.
        setTimeout(resolve, 100);
      });
    }
  });
});
