import { BatchV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { config } from "../../lib/config";
import { db } from "../../lib/db/client";
import type { LaunchEvent } from "../../lib/launch/events";
import { launchRepository, type LaunchOptions } from "../../lib/launch/launch-repository";
import { planLaunch } from "../../lib/launch/plan-launch";
import { clearRegistryCache, imageExists } from "../../lib/registry/registry";
import { BUILD_SELECTOR, buildJobName } from "../../lib/runtime/kubernetes/build-job";
import { deleteServer } from "../../lib/servers/delete-server";
import type { Actor } from "../../lib/auth/actor";
import { startGitServer, type GitServerDouble } from "../doubles/git-server";
import { startRegistry, type RegistryDouble } from "../doubles/registry";
import { makeUser } from "../helpers";
import { adminApi, kube, readPod } from "../helpers/kube";

// A launch on the Kubernetes runtime, end to end through the services: the ref resolved against a
// real git http-backend, the image looked up in a real docker-registry, built by a Job (the
// simulated kubelet "runs" the build pod, serves its log through the real pods/log, and pushes a
// manifest on success), then a server pod on that image. Berth is authenticated as its
// ServiceAccount bound to k8s/base/role.yaml (servers) and k8s/builds/role.yaml (build Jobs, in
// their own namespace with the registry Secret).

let git: GitServerDouble;
let alice: Actor;
let bob: Actor;
const commits: Record<string, string> = {};

// Set before the first config() call of this file (the setup files only set the cluster).
const registry: RegistryDouble = await startRegistry({ auth: "basic" });
Object.assign(process.env, {
  BERTH_REGISTRY_URL: registry.url,
  BERTH_REGISTRY_USERNAME: registry.username,
  BERTH_REGISTRY_PASSWORD: registry.password,
  BERTH_LAUNCH_ALLOW_PRIVATE_HOSTS: "true",
  BERTH_IMAGE_PREFIX: "berth-launch/",
});

const batch = () => adminApi().kc.makeApiClient(BatchV1Api);

beforeAll(async () => {
  git = await startGitServer();
  alice = await makeUser("alice");
  bob = await makeUser("bob");
  commits.demo = await git.createRepo("octo/k8s-demo", { "requirements.txt": "numpy\n", "index.ipynb": "{}" });
  const r = registry;
  const dockerConfig = { auths: { [r.host]: { auth: Buffer.from(`${r.username}:${r.password}`).toString("base64") } } };
  await adminApi().core.createNamespacedSecret({
    namespace: kube().buildNamespace,
    body: { metadata: { name: config().builds.registrySecret }, type: "kubernetes.io/dockerconfigjson", data: { ".dockerconfigjson": Buffer.from(JSON.stringify(dockerConfig)).toString("base64") } },
  });
}, 60_000);

afterAll(async () => {
  await adminApi().core.deleteNamespacedSecret({ name: config().builds.registrySecret, namespace: kube().buildNamespace }).catch(() => undefined);
  await batch().deleteCollectionNamespacedJob({ namespace: kube().buildNamespace, propagationPolicy: "Background", labelSelector: BUILD_SELECTOR }).catch(() => undefined);
  await git?.close();
  await registry.close();
});

const spec = (repo: string) => `${encodeURIComponent(git.repoUrl(repo))}/HEAD`;

async function launch(actor: Actor, repo: string, opts: Partial<LaunchOptions> = {}): Promise<LaunchEvent[]> {
  const events: LaunchEvent[] = [];
  await launchRepository(actor, "git", spec(repo), { open: {}, ...opts }, (e) => events.push(e), new AbortController().signal);
  return events;
}

const last = (events: LaunchEvent[]) => events[events.length - 1];
const phases = (events: LaunchEvent[]) => [...new Set(events.map((e) => e.phase))];

describe("launching a repository on Kubernetes", () => {
  it("builds the commit in a Job, pushes the image, and starts the server pod on it", async () => {
    const events = await launch(alice, "octo/k8s-demo", { open: { labpath: "index.ipynb" } });
    expect(last(events).message).not.toMatch(/fail|could not/i);
    expect(phases(events)).toEqual(["waiting", "fetching", "building", "built", "launching", "ready"]);
    const image = events.find((e) => e.phase === "built")!.imageName!;
    expect(image.startsWith(`${registry.host}/berth-launch/`) && image.endsWith(`:${commits.demo}`)).toBe(true);
    // The build's own log, read from the build pod through the API server.
    expect(events.filter((e) => e.phase === "building").length).toBeGreaterThan(2);
    clearRegistryCache();
    expect(await imageExists(image)).toBe(true);

    const ready = last(events);
    expect(ready).toMatchObject({ phase: "ready", server: "k8s-demo", url: `${config().publicUrl}/user/alice/k8s-demo/`, open_url: `${config().publicUrl}/user/alice/k8s-demo/notebooks/index.ipynb` });
    const pod = await readPod("jupyter-alice--k8s-demo");
    expect(pod?.spec?.containers[0].image).toBe(image);
    expect(pod?.spec?.initContainers?.[0].image).toBe(image);
    const row = await db().build.findFirstOrThrow({ where: { commit: commits.demo } });
    expect(row).toMatchObject({ state: "built", runtime: "kubernetes" });
  });

  it("the same commit again is a cache hit: no Job, the running server opens", async () => {
    await batch().deleteCollectionNamespacedJob({ namespace: kube().buildNamespace, propagationPolicy: "Background", labelSelector: BUILD_SELECTOR });
    const events = await launch(alice, "octo/k8s-demo");
    expect(phases(events)).toEqual(["waiting", "fetching", "built", "launching", "ready"]);
    expect(events.find((e) => e.phase === "built")!.message).toMatch(/no build needed/);
    const jobs = await batch().listNamespacedJob({ namespace: kube().buildNamespace, labelSelector: BUILD_SELECTOR });
    expect(jobs.items).toHaveLength(0);
    expect(await db().build.count({ where: { commit: commits.demo } })).toBe(1);
  });

  it("an image already in the registry (pushed by anyone, as a manifest list too) is launched without a build", async () => {
    commits.seeded = await git.addCommit("octo/k8s-demo", { "seeded.txt": "pushed elsewhere\n" });
    const plan = await planLaunch(alice, "git", spec("octo/k8s-demo"));
    expect(plan).toMatchObject({ commit: commits.seeded, built: false });
    const [, repository] = plan.imageName.match(/^[^/]+\/(.+):[0-9a-f]{40}$/)!;
    await registry.pushImage(repository, commits.seeded, "oci-index");
    clearRegistryCache();
    const events = await launch(alice, "octo/k8s-demo", { buildOnly: true });
    expect(phases(events)).toEqual(["waiting", "fetching", "built", "ready"]);
    const jobs = await batch().listNamespacedJob({ namespace: kube().buildNamespace, labelSelector: BUILD_SELECTOR });
    expect(jobs.items.map((j) => j.metadata?.name)).not.toContain(buildJobName(plan.imageName));
  });

  it("a new commit launched by two people at once is one Job; each gets a server on the new image", async () => {
    commits.demo2 = await git.addCommit("octo/k8s-demo", { "second.ipynb": "{}" });
    const [a, b] = await Promise.all([launch(alice, "octo/k8s-demo", { server: "k8s-demo" }), launch(bob, "octo/k8s-demo")]);
    for (const events of [a, b]) expect(last(events).phase, events.map((e) => e.message).join("")).toBe("ready");
    const image = a.find((e) => e.phase === "built")!.imageName!;
    expect(image.endsWith(`:${commits.demo2}`)).toBe(true);
    const jobs = (await batch().listNamespacedJob({ namespace: kube().buildNamespace, labelSelector: BUILD_SELECTOR })).items;
    expect(jobs.map((j) => j.metadata?.name)).toEqual([buildJobName(image)]);
    expect(await db().build.count({ where: { commit: commits.demo2 } })).toBe(1);
    // Alice's server restarted on the new image, keeping its claim.
    expect((await readPod("jupyter-alice--k8s-demo"))?.spec?.containers[0].image).toBe(image);
    expect((await readPod("jupyter-bob--k8s-demo"))?.spec?.containers[0].image).toBe(image);
    await deleteServer(alice, "alice", "k8s-demo");
    await deleteServer(bob, "bob", "k8s-demo");
  });
});
