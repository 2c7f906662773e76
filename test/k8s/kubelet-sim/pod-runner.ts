import { chownSync, existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { V1Pod } from "@kubernetes/client-node";
import { isBerthBuildPod, runBuildPod } from "./build-pod";
import { faultFor, reportEarlyExit, reportImagePullBackOff } from "./faults";
import { spawnNotebook } from "./processes";
import { containerStatus, finishContainers, podAddresses, setCondition, updateStatus } from "./status";
import { deleting, HOME_MARKER, now, sleep, type PodRun, type SimContext } from "./types";
import type { Volumes } from "./volumes";

// The pod runner: a bound pod's life on the node. A Berth server pod's notebook container runs for
// real (Ready once the readiness probe's URL answers); Berth's build pods run a simulated build
// (build-pod.ts); other Job pods succeed unless a fault says otherwise; other pods just run.
export async function runPod(ctx: SimContext, volumes: Volumes, pod: V1Pod, r: PodRun) {
  const spec = pod.spec!;
  const uid = r.uid;
  const fault = faultFor(ctx.faults, pod);
  const init = spec.initContainers ?? [];
  const containers = spec.containers ?? [];
  const isJob = pod.metadata?.ownerReferences?.some((o) => o.kind === "Job") ?? false;
  const main = containers.find((c) => c.name === "notebook");
  const isServer = pod.metadata?.labels?.["app.kubernetes.io/component"] === "singleuser-server" && main !== undefined;

  if (fault?.kind === "imagePullBackOff") {
    await reportImagePullBackOff(ctx.core, pod, r);
    return;
  }

  // Init containers run (the home folder copy is the only one Berth has).
  if (init.length) {
    await updateStatus(ctx.core, pod, (st) => {
      st.phase = "Pending";
      podAddresses(st, r);
      setCondition(st, "Initialized", "False", "ContainersNotInitialized", `containers with incomplete status: [${init.map((c) => c.name).join(" ")}]`);
      setCondition(st, "ContainersReady", "False", "ContainersNotReady");
      setCondition(st, "Ready", "False", "ContainersNotReady");
      st.initContainerStatuses = init.map((c, i) => containerStatus(c, i === 0 ? { running: { startedAt: now() } } : { waiting: { reason: "PodInitializing" } }, false, uid));
      st.containerStatuses = containers.map((c) => containerStatus(c, { waiting: { reason: "PodInitializing" } }));
    });
  }
  const claim = spec.volumes?.find((v) => v.persistentVolumeClaim)?.persistentVolumeClaim?.claimName;
  if (claim) r.hostPath = await volumes.claimFolder(r.namespace, claim);
  if (isServer && r.hostPath && !existsSync(path.join(r.hostPath, HOME_MARKER))) {
    // The init container's copy of the image's home folder: an empty home, marked as done.
    writeFileSync(path.join(r.hostPath, HOME_MARKER), "");
    chownSync(path.join(r.hostPath, HOME_MARKER), 1000, 100);
  }
  if (deleting(r)) return;
  const startedAt = now();
  const initDone = init.map((c) => containerStatus(c, { terminated: { exitCode: 0, reason: "Completed", startedAt, finishedAt: now() } }, false, uid));

  if (isServer && (fault?.kind === "oomKilled" || fault?.kind === "exit")) {
    await reportEarlyExit(ctx.core, pod, r, fault, startedAt, initDone);
    return;
  }

  if (isServer) {
    spawnNotebook(ctx, pod, r);
    if (deleting(r)) return;
  }
  r.state = "running";
  await updateStatus(ctx.core, pod, (st) => {
    st.phase = "Running";
    podAddresses(st, r);
    setCondition(st, "Initialized", "True");
    const ready = !isServer && !isJob;
    setCondition(st, "ContainersReady", ready ? "True" : "False", ready ? undefined : "ContainersNotReady");
    setCondition(st, "Ready", ready ? "True" : "False", ready ? undefined : "ContainersNotReady");
    st.initContainerStatuses = initDone;
    st.containerStatuses = containers.map((c) => containerStatus(c, { running: { startedAt } }, ready, uid));
  });

  if (isJob && isBerthBuildPod(pod)) {
    await runBuildPod(ctx, pod, r, fault, startedAt);
    return;
  }
  if (isJob) {
    const ok = fault?.kind === "buildFail" ? false : fault?.kind === "hold" ? await new Promise<boolean>((res) => (r.holdResolve = res)) : true;
    if (deleting(r)) return;
    await finishContainers(ctx.core, pod, r, ok ? 0 : 1, ok ? "Completed" : "Error");
    return;
  }
  if (!isServer) return;

  // Readiness probe: the probe's URL on the pod IP.
  const probe = main!.readinessProbe?.httpGet;
  const url = `http://${r.ip}:${probe?.port ?? 8888}${probe?.path ?? "/"}`;
  while (r.state === "running" && r.child && r.child.exitCode === null && r.child.signalCode === null && !ctx.isStopped()) {
    const ok = await fetch(url, { signal: AbortSignal.timeout(2000) }).then((res) => res.status < 400, () => false);
    if (ok) {
      await updateStatus(ctx.core, pod, (st) => {
        setCondition(st, "ContainersReady", "True");
        setCondition(st, "Ready", "True");
        st.containerStatuses = containers.map((c) => containerStatus(c, { running: { startedAt } }, true, uid));
      });
      return;
    }
    await sleep(200);
  }
}
