import type { V1Pod } from "@kubernetes/client-node";
import { credentialsFor, pushImage, splitImage } from "./registry-push";
import { containerStatus, setCondition, updateStatus } from "./status";
import { deleting, now, sleep, statusOf, type PodRun, type SimContext, type SimFault } from "./types";

// A Berth build pod (lib/runtime/kubernetes/build-job.ts: a `builder` container running
// repo2docker, a `kaniko` container running kaniko-runner) as the node would run it, minus the
// containers: the builder "prints" a repo2docker build's log, a line every
// `buildSettings.lineDelayMs`, readable live through pods/log; on success it pushes a small image
// under the --image-name it was given to that registry (credentials from the mounted registry
// Secret, plain HTTP when the kaniko container names the registry insecure), then the builder
// ends with its exit code and the kaniko container with 0, as the real pair does.
//
// Faults: `buildFail` (the builder fails half-way with `code`, default 1, after error lines),
// `hold` (half-way, the build waits for finishBuild()), `noPush` (succeeds without pushing). A
// pod deleted meanwhile (the Job's deadline) just stops.

export function isBerthBuildPod(pod: V1Pod): boolean {
  return Boolean(pod.spec?.containers.find((c) => c.name === "builder")?.args?.some((a) => a.startsWith("--image-name=")));
}

class Stopped extends Error {}

async function registryCredentials(ctx: SimContext, pod: V1Pod, host: string): Promise<string | undefined> {
  const secretName = pod.spec?.volumes?.find((v) => v.secret)?.secret?.secretName;
  if (!secretName) return undefined;
  try {
    const secret = await ctx.core.readNamespacedSecret({ name: secretName, namespace: pod.metadata!.namespace! });
    const data = secret.data?.[".dockerconfigjson"];
    return credentialsFor(data ? Buffer.from(data, "base64").toString("utf8") : undefined, host);
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw err;
  }
}

export async function runBuildPod(ctx: SimContext, pod: V1Pod, r: PodRun, fault: SimFault | undefined, startedAt: Date): Promise<void> {
  const ns = r.namespace;
  const containers = pod.spec!.containers;
  const builder = containers.find((c) => c.name === "builder")!;
  const kaniko = containers.find((c) => c.name === "kaniko");
  const args = builder.args ?? [];
  const opt = (key: string) => args.find((a) => a.startsWith(`--${key}=`))?.slice(key.length + 3);
  const image = opt("image-name") ?? "";
  const commit = opt("ref") ?? "";
  const insecure = kaniko?.env?.find((e) => e.name === "BERTH_INSECURE_REGISTRY")?.value;
  for (const c of containers) ctx.logs.start(ns, r.name, r.uid, c.name);
  const say = async (line: string, container = "builder") => {
    if (deleting(r) || ctx.isStopped()) throw new Stopped();
    ctx.logs.append(ns, r.name, r.uid, container, line);
    await sleep(ctx.buildSettings.lineDelayMs);
  };

  const push = async (): Promise<number> => {
    await say(`Pushing image to ${image}`);
    try {
      const credentials = await registryCredentials(ctx, pod, splitImage(image).host);
      const digest = await pushImage(image, { insecure: Boolean(insecure), credentials });
      await say(`Pushed ${image.slice(0, image.lastIndexOf(":"))}@${digest}`);
      return 0;
    } catch (err) {
      if (err instanceof Stopped) throw err;
      await say(`error pushing image: ${(err as Error).message}`);
      return 1;
    }
  };

  let exitCode = 0;
  try {
    if (kaniko) ctx.logs.append(ns, r.name, r.uid, "kaniko", "Listening on unix:///workspace/.kaniko-runner.sock");
    await say("Picked Git content provider.");
    await say(`Cloning into '/tmp/repo2docker${r.uid.slice(0, 8)}'...`);
    await say(`HEAD is now at ${commit.slice(0, 7)} Simulated commit`);
    await say("Using PythonBuildPack builder");
    await say("Step 1/5 : FROM docker.io/library/buildpack-deps:jammy");
    let ok = fault?.kind !== "buildFail";
    if (fault?.kind === "hold") ok = await new Promise<boolean>((resolve) => (r.holdResolve = resolve));
    if (deleting(r) || ctx.isStopped()) throw new Stopped();
    if (!ok) {
      await say("ERROR: Could not find a version that satisfies the requirement berth-no-such-package (from versions: none)");
      await say("ERROR: No matching distribution found for berth-no-such-package");
      await say("error building image: error building stage: failed to execute command: waiting for process to exit: exit status 1");
      exitCode = fault?.kind === "buildFail" ? (fault.code ?? 1) : 1;
    } else {
      await say("Step 2/5 : RUN ${KERNEL_PYTHON_PREFIX}/bin/pip install --no-cache -r requirements.txt");
      await say("Successfully installed numpy-2.1.0");
      if (fault?.kind === "noPush") await say("Skipping push to container registry due to --no-push flag");
      else exitCode = await push();
    }
  } catch (err) {
    ctx.logs.end(ns, r.name, r.uid);
    if (err instanceof Stopped) return;
    throw err;
  }
  ctx.logs.end(ns, r.name, r.uid);
  r.state = "ended";
  const finishedAt = now();
  await updateStatus(ctx.core, pod, (st) => {
    st.phase = exitCode === 0 ? "Succeeded" : "Failed";
    setCondition(st, "ContainersReady", "False", "ContainersNotReady");
    setCondition(st, "Ready", "False", "ContainersNotReady");
    st.containerStatuses = containers.map((c) => {
      const code = c.name === "builder" ? exitCode : 0;
      return containerStatus(c, { terminated: { exitCode: code, reason: code === 0 ? "Completed" : "Error", startedAt, finishedAt, containerID: `sim://${r.uid}-${c.name}` } }, false, r.uid);
    });
  });
}
