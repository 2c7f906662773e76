import { randomBytes } from "node:crypto";
import { BatchV1Api, KubeConfig, type V1Job } from "@kubernetes/client-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { config, loadConfig, type Config } from "../../lib/config";
import { AppError } from "../../lib/errors";
import type { BuildRequest } from "../../lib/runtime/types";
import { imageName } from "../../lib/registry/image-name";
import { clearRegistryCache, imageExists } from "../../lib/registry/registry";
import { parseSpec } from "../../lib/launch/repo-spec";
import { BUILD_SELECTOR, buildJobName } from "../../lib/runtime/kubernetes/build-job";
import { KubeBuilder } from "../../lib/runtime/kubernetes/kube-builder";
import { startRegistry, type RegistryDouble } from "../doubles/registry";
import { waitFor } from "../helpers";
import { adminApi, kube, listPods, sim } from "../helpers/kube";

// Builds as Jobs (lib/runtime/kubernetes/kube-builder.ts) against the real API server and Job
// controller, Berth authenticated as its ServiceAccount, the simulated kubelet running the build
// pods (printing a repo2docker-like log, served through the real pods/log) and pushing to a real
// docker-registry behind htpasswd, whose credentials reach the build only through the Secret — in
// the builds' namespace (BERTH_KUBE_BUILD_NAMESPACE), where the Jobs run, apart from the servers'.

const batch = () => adminApi().kc.makeApiClient(BatchV1Api);
let reg: RegistryDouble;
let registry: Config["registry"];
const builders: KubeBuilder[] = [];

function builder(over: Partial<Config["builds"]> = {}): KubeBuilder {
  const kc = new KubeConfig();
  kc.loadFromFile(kube().berthKubeconfig);
  const b = new KubeBuilder({ kc, namespace: kube().buildNamespace, builds: { ...config().builds, timeoutSeconds: 120, ...over }, registry });
  builders.push(b);
  return b;
}

function request(): BuildRequest {
  const commit = randomBytes(20).toString("hex");
  const source = parseSpec("gh", `berth-tests/demo-${commit.slice(0, 6)}/HEAD`, config().launch.providers);
  return { imageName: imageName(source, commit, registry), commit, fetchUrl: `https://github.com/berth-tests/demo-${commit.slice(0, 6)}`, provider: "gh", repo: source.repo };
}

function readJob(req: BuildRequest): Promise<V1Job> {
  return batch().readNamespacedJob({ name: buildJobName(req.imageName), namespace: kube().buildNamespace });
}

async function jobsOf(req: BuildRequest): Promise<V1Job[]> {
  return (await batch().listNamespacedJob({ namespace: kube().buildNamespace, labelSelector: BUILD_SELECTOR })).items.filter((j) => j.metadata?.name === buildJobName(req.imageName));
}

/** Collects a caller's log lines with the moment each arrived. */
function collector() {
  const lines: { at: number; line: string }[] = [];
  return { lines, onLog: (line: string) => lines.push({ at: Date.now(), line }), text: () => lines.map((l) => l.line) };
}

const never = () => new AbortController().signal;

/** Ends a held build once it has reached the point where it waits. */
async function release(req: BuildRequest, ok = true) {
  await waitFor("the held build to wait", async () => {
    const [pod] = await listPods(`job-name=${buildJobName(req.imageName)}`, kube().buildNamespace);
    return pod && (await sim().finishBuild(kube().buildNamespace, pod.metadata!.name!, ok));
  }, 30_000, 100);
}

beforeAll(async () => {
  reg = await startRegistry({ auth: "basic" });
  registry = loadConfig({ BERTH_REGISTRY_URL: reg.url, BERTH_REGISTRY_USERNAME: reg.username, BERTH_REGISTRY_PASSWORD: reg.password, BERTH_IMAGE_PREFIX: "berth-test/" } as unknown as NodeJS.ProcessEnv).registry;
  // What an operator creates with `kubectl create secret docker-registry berth-registry …`.
  const dockerConfig = { auths: { [reg.host]: { auth: Buffer.from(`${reg.username}:${reg.password}`).toString("base64") } } };
  await adminApi().core.createNamespacedSecret({
    namespace: kube().buildNamespace,
    body: { metadata: { name: config().builds.registrySecret }, type: "kubernetes.io/dockerconfigjson", data: { ".dockerconfigjson": Buffer.from(JSON.stringify(dockerConfig)).toString("base64") } },
  });
});

afterEach(async () => {
  for (const b of builders.splice(0)) b.shutdown();
  await sim().clearFault();
  await sim().setBuildSettings({ lineDelayMs: 150 });
  await batch().deleteCollectionNamespacedJob({ namespace: kube().buildNamespace, propagationPolicy: "Background", labelSelector: BUILD_SELECTOR });
  await waitFor("build pods to be gone", async () => (await listPods(BUILD_SELECTOR, kube().buildNamespace)).length === 0, 60_000, 200);
  clearRegistryCache();
});

afterAll(async () => {
  await adminApi().core.deleteNamespacedSecret({ name: config().builds.registrySecret, namespace: kube().buildNamespace }).catch(() => undefined);
  await reg?.close();
});

describe("builds as Kubernetes Jobs", () => {
  it("builds: one Job as DESIGN.md §5 describes, the log live, the image in the registry", async () => {
    const b = builder();
    const req = request();
    expect(await b.isBuilt(req)).toBe(false);
    const log = collector();
    await b.build(req, log.onLog, never());

    expect(log.text()[0]).toBe("Picked Git content provider.");
    expect(log.text()).toContain(`HEAD is now at ${req.commit.slice(0, 7)} Simulated commit`);
    expect(log.text().at(-1)).toMatch(/^Pushed .*@sha256:/);
    // Live: the lines came over the build's duration, not all at the end.
    expect(log.lines.at(-1)!.at - log.lines[0].at).toBeGreaterThan(800);
    clearRegistryCache();
    expect(await imageExists(req.imageName, registry)).toBe(true);
    expect(await b.isBuilt(req)).toBe(true);

    const job = await readJob(req);
    expect(job.status?.succeeded).toBe(1);
    expect(job.metadata?.labels).toMatchObject({ "app.kubernetes.io/name": "berth", "app.kubernetes.io/component": "build" });
    expect(job.metadata?.annotations).toMatchObject({ "berth/image": req.imageName, "berth/commit": req.commit, "berth/repository": req.repo });
    expect(job.spec).toMatchObject({ backoffLimit: 0, activeDeadlineSeconds: 120, ttlSecondsAfterFinished: config().builds.ttlSeconds });
    const pod = job.spec!.template.spec!;
    expect(pod.restartPolicy).toBe("Never");
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.containers.map((c) => c.name)).toEqual(["builder", "kaniko"]);
    expect(pod.containers[0].args?.slice(-2)).toEqual(["--", req.fetchUrl]);
    expect(JSON.stringify(job)).not.toContain(reg.password);
    expect(b.stats.created).toBe(1);
  });

  it("lets a second caller attach mid-build: it gets the earlier lines too, both finish, one Job", async () => {
    const req = request();
    // Held half-way: the build prints nothing more until released, so whatever the second caller
    // gets before that are lines printed before it attached.
    await sim().setFault(`job:${buildJobName(req.imageName)}`, { kind: "hold" });
    const first = collector();
    const second = collector();
    const a = builder();
    const b = builder(); // another replica
    const building = a.build(req, first.onLog, never());
    await waitFor("the lines before the hold", async () => first.lines.length >= 5, 60_000, 50);
    expect(await a.runningBuilds()).toBe(1);
    const attached = b.build(req, second.onLog, never());
    await waitFor("the second caller to catch up", async () => second.lines.length >= first.lines.length, 60_000, 50);
    expect(second.text()).toEqual(first.text());
    await release(req);
    await Promise.all([building, attached]);

    expect(second.text()).toEqual(first.text());
    expect(first.text().at(-1)).toMatch(/^Pushed .*@sha256:/);
    expect(a.stats.created + b.stats.created).toBe(1);
    expect(await jobsOf(req)).toHaveLength(1);
    const pods = (await sim().podUids());
    expect(Object.entries(pods).filter(([name]) => name.startsWith(`${buildJobName(req.imageName)}-`)).flatMap(([, uids]) => uids)).toHaveLength(1);
    expect(await a.runningBuilds()).toBe(0);
  });

  it("rejects a failing build with the exit code and the log's last lines, then replaces the failed Job on the next request", async () => {
    const req = request();
    await sim().setFault(`job:${buildJobName(req.imageName)}`, { kind: "buildFail", code: 3 });
    const b = builder();
    const err = await b.build(req, () => undefined, never()).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).message).toMatch(/repo2docker exited with code 3/);
    expect((err as AppError).message).toContain("No matching distribution found for berth-no-such-package");
    expect((err as AppError).details).toMatchObject({ reason: "build_failed", exitCode: 3 });
    const failed = await readJob(req);
    expect(failed.status?.failed).toBe(1);

    // The failed Job is still there (its TTL has not passed): a new request must not fail on it.
    await sim().clearFault();
    const again = builder();
    await again.build(req, () => undefined, never());
    expect(again.stats).toEqual({ created: 1, replaced: 1 });
    const fresh = await readJob(req);
    expect(fresh.metadata?.uid).not.toBe(failed.metadata?.uid);
    expect(fresh.status?.succeeded).toBe(1);
  });

  it("stops following when the signal aborts and leaves the Job running; a later request attaches", async () => {
    const req = request();
    await sim().setFault(`job:${buildJobName(req.imageName)}`, { kind: "hold" });
    const b = builder();
    const ac = new AbortController();
    const log = collector();
    const following = b.build(req, log.onLog, ac.signal).then(() => undefined, (e: unknown) => e);
    await waitFor("a line", async () => log.lines.length >= 2, 30_000, 50);
    ac.abort();
    const err = await following;
    expect((err as AppError).details).toMatchObject({ reason: "build_detached" });

    const job = await readJob(req);
    expect(job.status?.active).toBe(1);
    const [pod] = await listPods(`job-name=${buildJobName(req.imageName)}`, kube().buildNamespace);
    expect(pod.status?.phase).toBe("Running");
    await release(req);
    await b.build(req, () => undefined, never());
    expect(b.stats.created).toBe(1);
  });

  it("an administrator's cancel deletes the running Job and its pod; the follower ends at once", async () => {
    const req = request();
    await sim().setFault(`job:${buildJobName(req.imageName)}`, { kind: "hold" });
    const b = builder();
    const cancel = new AbortController();
    const log = collector();
    const following = b.build(req, log.onLog, never(), { cancel: cancel.signal }).then(() => undefined, (e: unknown) => e);
    await waitFor("a line", async () => log.lines.length >= 2, 30_000, 50);
    cancel.abort();
    const err = await following;
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).details).toMatchObject({ reason: "build_deleted" });
    await waitFor("the Job to be gone", async () => (await jobsOf(req)).length === 0, 60_000, 200);
    await waitFor("its pod to be gone", async () => (await listPods(`job-name=${buildJobName(req.imageName)}`, kube().buildNamespace)).length === 0, 60_000, 200);
    // Deleting from another replica (the console's request) when there is nothing left: false, no error.
    expect(await builder().cancelJob(req.imageName)).toBe(false);
  });

  it("a rebuild replaces the finished Job of an image that exists, and pushes again", async () => {
    const req = request();
    const b = builder();
    await b.build(req, () => undefined, never());
    const first = await readJob(req);
    expect(first.status?.succeeded).toBe(1);
    const log = collector();
    await b.build(req, log.onLog, never(), { force: true });
    const second = await readJob(req);
    expect(second.metadata?.uid).not.toBe(first.metadata?.uid);
    expect(second.status?.succeeded).toBe(1);
    expect(log.text().at(-1)).toMatch(/^Pushed .*@sha256:/);
    expect(b.stats).toEqual({ created: 2, replaced: 1 });
  });

  it("re-attaches by name after a Berth restart, with the log from its start", async () => {
    const req = request();
    await sim().setFault(`job:${buildJobName(req.imageName)}`, { kind: "hold" });
    const before = builder();
    const ac = new AbortController();
    const earlier = collector();
    const gone = before.build(req, earlier.onLog, ac.signal).catch(() => undefined);
    await waitFor("a few lines", async () => earlier.lines.length >= 4, 30_000, 50);
    ac.abort();
    before.shutdown();
    await gone;

    const after = builder();
    const log = collector();
    const resumed = after.build(req, log.onLog, never());
    await waitFor("the log so far", async () => log.lines.length >= 4, 30_000, 50);
    expect(log.text().slice(0, 4)).toEqual(earlier.text().slice(0, 4));
    await release(req);
    await resumed;
    expect(after.stats.created).toBe(0);
    expect(await jobsOf(req)).toHaveLength(1);
    clearRegistryCache();
    expect(await imageExists(req.imageName, registry)).toBe(true);
  });

  it("fails a build that outlives its deadline (enforced by the Job controller), saying so", async () => {
    const req = request();
    await sim().setFault(`job:${buildJobName(req.imageName)}`, { kind: "hold" });
    const b = builder({ timeoutSeconds: 3 });
    const started = Date.now();
    const err = await b.build(req, () => undefined, never()).then(() => undefined, (e: unknown) => e);
    expect((err as AppError).message).toMatch(/took longer than 3 seconds/);
    expect((err as AppError).details).toMatchObject({ reason: "build_timeout" });
    expect(Date.now() - started).toBeLessThan(30_000);
    const job = await readJob(req);
    expect(job.status?.conditions?.find((c) => c.type === "Failed")?.reason).toBe("DeadlineExceeded");
  });

  it("says so when the build finished but its image is not in the registry, and builds again on the next request", async () => {
    const req = request();
    await sim().setFault(`job:${buildJobName(req.imageName)}`, { kind: "noPush" });
    const b = builder();
    const err = await b.build(req, () => undefined, never()).then(() => undefined, (e: unknown) => e);
    expect((err as AppError).message).toMatch(/The build finished, but its image .* is not in the container registry/);
    expect((err as AppError).details).toMatchObject({ reason: "image_missing" });
    expect((await readJob(req)).status?.succeeded).toBe(1);

    // A finished Job whose image is gone is not attached to: the next request builds again.
    await sim().clearFault();
    await b.build(req, () => undefined, never());
    expect(b.stats).toEqual({ created: 2, replaced: 1 });
    expect(await b.isBuilt(req)).toBe(true);
  });
});
