import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { V1Container } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../lib/db/client";
import { POD_BOOTSTRAP } from "../../lib/runtime/jupyter-auth/jupyter-auth";
import { DNS1123_LABEL } from "../../lib/runtime/kubernetes/names";
import { createServer } from "../../lib/servers/create-server";
import { deleteServer } from "../../lib/servers/delete-server";
import { startServer } from "../../lib/servers/start-server";
import { stopServer } from "../../lib/servers/stop-server";
import type { Actor } from "../../lib/auth/actor";
import { makeUser, waitForState } from "../helpers";
import { listClaims, listPods, readClaim, readPod } from "../helpers/kube";

// The objects a start leaves in the API server, as the cluster stored them (after admission and
// defaulting), against DESIGN.md §5.

const profilesDir = mkdtempSync(path.join(tmpdir(), "berth-profiles-"));
const profilesFile = path.join(profilesDir, "profiles.json");
writeFileSync(
  profilesFile,
  JSON.stringify({
    profiles: [
      { slug: "standard", displayName: "Standard", default: true },
      { slug: "big", displayName: "Big", cpu: "2", memory: "4Gi", storage: "5Gi", image: "registry.example.org/big-notebook:2" },
    ],
  }),
);
process.env.BERTH_PROFILES_FILE = profilesFile;

let alice: Actor;

beforeAll(async () => {
  alice = await makeUser("alice");
});

afterAll(() => {
  rmSync(profilesDir, { recursive: true, force: true });
});

function expectLockedDown(c: V1Container) {
  expect(c.securityContext).toMatchObject({
    runAsNonRoot: true,
    runAsUser: 1000,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  });
  expect(c.securityContext?.privileged).toBeFalsy();
  expect(c.securityContext?.capabilities?.add ?? []).toEqual([]);
}

describe("the pod and claim of a server (DESIGN.md §5)", () => {
  it("names, labels and annotates them, locks the pod down, and sizes it from the default profile", async () => {
    const created = await createServer(alice, "alice", { name: "analysis" });
    await startServer(alice, "alice", "analysis");
    const running = await waitForState(created.id, "running");

    const pod = (await readPod("jupyter-alice--analysis"))!;
    const claim = (await readClaim("claim-alice--analysis"))!;
    expect(pod).toBeDefined();
    expect(claim).toBeDefined();
    expect(running.runtimeRef).toBe("jupyter-alice--analysis");

    for (const obj of [pod, claim]) {
      expect(obj.metadata?.labels).toMatchObject({
        "app.kubernetes.io/name": "berth",
        "app.kubernetes.io/component": "singleuser-server",
        "berth/user": "alice",
        "berth/server": "analysis",
      });
      expect(obj.metadata?.annotations).toMatchObject({ "berth/user": "alice", "berth/server": "analysis" });
    }

    // Pod: non-root, no privilege escalation, no capabilities, RuntimeDefault seccomp.
    const spec = pod.spec!;
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, fsGroup: 100, seccompProfile: { type: "RuntimeDefault" } });
    expect(spec.restartPolicy).toBe("Never");
    // No service-account token: not mounted, and the API server added no token volume.
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.volumes?.map((v) => v.name)).toEqual(["home"]);
    for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
      expectLockedDown(c);
      expect(c.volumeMounts?.some((m) => m.mountPath.startsWith("/var/run/secrets"))).toBe(false);
    }

    // Resources from the profile: limits 1 CPU / 2Gi, requests below them.
    const [notebook] = spec.containers;
    expect(spec.containers).toHaveLength(1);
    expect(notebook.resources?.limits).toEqual({ cpu: "1", memory: "2Gi" });
    expect(notebook.resources?.requests).toEqual({ cpu: "100m", memory: "512Mi" });
    expect(notebook.image).toBe("quay.io/jupyter/base-notebook:2025-10-20");

    // Jupyter with the server's base URL, started through the constant script that writes Berth's
    // authenticator from the environment (the image's entrypoint still runs: args, not command);
    // this start's secret in the environment, not in argv; the claim mounted as home.
    expect(notebook.command).toBeUndefined();
    expect(notebook.args?.slice(0, 4)).toEqual(["sh", "-c", POD_BOOTSTRAP, "sh"]);
    expect(notebook.args).toEqual(expect.arrayContaining(["--NotebookApp.base_url=/user/alice/analysis/", "--NotebookApp.port=8888", "--NotebookApp.ip=0.0.0.0", "--NotebookApp.token="]));
    expect(notebook.args).toContain("--NotebookApp.login_handler_class=berth_jupyter_auth.NotebookLoginHandler");
    expect(notebook.args?.join(" ")).not.toContain(running.token);
    expect(notebook.env).toEqual(expect.arrayContaining([{ name: "BERTH_PROXY_SECRET", value: running.token }, { name: "HOME", value: "/home/jovyan" }]));
    expect(notebook.env?.find((e) => e.name === "BERTH_JUPYTER_AUTH")?.value).toContain("class NotebookLoginHandler");
    expect(notebook.env?.some((e) => e.name === "JUPYTER_TOKEN")).toBe(false);
    expect(notebook.volumeMounts).toEqual([{ name: "home", mountPath: "/home/jovyan" }]);
    expect(notebook.readinessProbe?.httpGet).toMatchObject({ path: "/user/alice/analysis/api", port: 8888 });
    expect(spec.volumes?.[0].persistentVolumeClaim?.claimName).toBe("claim-alice--analysis");

    // The init container copies the image's home folder into the claim on first start only.
    const init = spec.initContainers ?? [];
    expect(init).toHaveLength(1);
    expect(init[0].image).toBe(notebook.image);
    expect(init[0].volumeMounts).toEqual([{ name: "home", mountPath: "/mnt/home" }]);
    // (The script itself is run against real folders in lib/runtime/kubernetes/objects.test.ts.)
    expect(init[0].command?.slice(0, 2)).toEqual(["sh", "-c"]);
    expect(init[0].command?.[2]).toContain("/mnt/home/.berth-home-initialized");
    expect(init[0].env).toEqual([{ name: "BERTH_IMAGE", value: notebook.image }]);
    expect(init[0].resources?.limits).toEqual({ cpu: "1", memory: "2Gi" });

    // Claim: 2Gi, one writer, bound by the cluster.
    expect(claim.spec?.resources?.requests).toEqual({ storage: "2Gi" });
    expect(claim.spec?.accessModes).toEqual(["ReadWriteOnce"]);
    expect(claim.status?.phase).toBe("Bound");

    await deleteServer(alice, "alice", "analysis");
    expect(await readPod("jupyter-alice--analysis")).toBeUndefined();
    expect(await readClaim("claim-alice--analysis")).toBeUndefined();
  });

  it("takes CPU, memory, storage and image from the chosen profile", async () => {
    const created = await createServer(alice, "alice", { name: "heavy", profile: "big" });
    await startServer(alice, "alice", "heavy");
    await waitForState(created.id, "running");
    const pod = (await readPod("jupyter-alice--heavy"))!;
    const claim = (await readClaim("claim-alice--heavy"))!;
    const [notebook] = pod.spec!.containers;
    expect(notebook.image).toBe("registry.example.org/big-notebook:2");
    expect(pod.spec!.initContainers?.[0].image).toBe("registry.example.org/big-notebook:2");
    expect(notebook.resources?.limits).toEqual({ cpu: "2", memory: "4Gi" });
    expect(claim.spec?.resources?.requests).toEqual({ storage: "5Gi" });
    await stopServer(alice, "alice", "heavy");
    // The claim outlives the pod.
    expect(await readPod("jupyter-alice--heavy")).toBeUndefined();
    expect((await readClaim("claim-alice--heavy"))?.status?.phase).toBe("Bound");
    await deleteServer(alice, "alice", "heavy");
  });

  it("escapes names that are not DNS labels, with a hash suffix, keeping the raw names in annotations", async () => {
    // Jira logins keep ".", "_", "+" and "@" (lib/auth/jira/login-name.ts), none of which a DNS label may hold.
    const user = await db().user.create({ data: { name: "dr.zoe_o+brien@smith.the.third.of.many.names" } });
    const zoe: Actor = { id: user.id, name: user.name, isAdmin: false };
    const created = await createServer(zoe, zoe.name, { name: "my-analysis" });
    await startServer(zoe, zoe.name, "my-analysis");
    const running = await waitForState(created.id, "running");

    const [pod] = await listPods(`berth/server-id=${created.id}`);
    const [claim] = await listClaims(`berth/server-id=${created.id}`);
    expect(pod.metadata?.name).toBe(running.runtimeRef);
    for (const [obj, prefix] of [[pod, "jupyter-"], [claim, "claim-"]] as const) {
      const name = obj.metadata!.name!;
      expect(name).toMatch(DNS1123_LABEL);
      expect(name.length).toBeLessThanOrEqual(63);
      expect(name.startsWith(prefix)).toBe(true);
      expect(name).toMatch(/---[0-9a-f]{10}$/);
      expect(obj.metadata?.annotations).toMatchObject({ "berth/user": zoe.name, "berth/server": "my-analysis" });
      expect(obj.metadata?.labels?.["berth/user"]).toMatch(/^[a-z0-9]([-a-z0-9_.]{0,61}[a-z0-9])?$/i);
    }
    expect(pod.spec?.containers[0].args).toContain(`--NotebookApp.base_url=/user/${encodeURIComponent(zoe.name)}/my-analysis/`);
    await deleteServer(zoe, zoe.name, "my-analysis");
    expect(await listPods(`berth/server-id=${created.id}`)).toEqual([]);
    expect(await listClaims(`berth/server-id=${created.id}`)).toEqual([]);
  });
});
