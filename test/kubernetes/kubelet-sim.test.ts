import { BatchV1Api, type V1Job } from "@kubernetes/client-node";
import { afterAll, describe, expect, it } from "vitest";
import { waitFor } from "../helpers";
import { adminApi, kube, listPods, sim } from "../helpers/kube";

// The kubelet simulator itself, on what no Berth suite exercises yet: its node, and build Jobs
// (run by the real Job controller; the simulator only runs their pods).

const batch = () => adminApi().kc.makeApiClient(BatchV1Api);

function job(name: string): V1Job {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: 600,
      ttlSecondsAfterFinished: 600,
      template: {
        metadata: { labels: { "app.kubernetes.io/name": "berth", "app.kubernetes.io/component": "build" } },
        spec: { restartPolicy: "Never", containers: [{ name: "build", image: "example.org/repo2docker:1", args: ["--no-run"] }] },
      },
    },
  };
}

async function finished(name: string) {
  return waitFor(`job ${name} to finish`, async () => {
    const j = await batch().readNamespacedJob({ name, namespace: kube().buildNamespace });
    return j.status?.succeeded || j.status?.failed ? j : undefined;
  });
}

afterAll(async () => {
  await batch().deleteCollectionNamespacedJob({ namespace: kube().buildNamespace, propagationPolicy: "Background" });
  await sim().clearFault();
});

describe("the kubelet simulator", () => {
  it("keeps a Ready node registered", async () => {
    const nodes = (await adminApi().core.listNode()).items;
    expect(nodes).toHaveLength(1);
    expect(nodes[0].status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
    expect(nodes[0].spec?.taints ?? []).toEqual([]);
  });

  it("runs a build Job's pod to success by default", async () => {
    await batch().createNamespacedJob({ namespace: kube().buildNamespace, body: job("build-ok") });
    const j = await finished("build-ok");
    expect(j.status?.succeeded).toBe(1);
    const [pod] = await listPods("job-name=build-ok", kube().buildNamespace);
    expect(pod.status?.phase).toBe("Succeeded");
    expect(pod.status?.containerStatuses?.[0].state?.terminated).toMatchObject({ exitCode: 0, reason: "Completed" });
  });

  it("fails a build Job's pod on demand", async () => {
    await sim().setFault("job:build-bad", { kind: "buildFail" });
    await batch().createNamespacedJob({ namespace: kube().buildNamespace, body: job("build-bad") });
    const j = await finished("build-bad");
    expect(j.status?.failed).toBe(1);
    expect(j.status?.conditions?.find((c) => c.type === "Failed")?.status).toBe("True");
    const [pod] = await listPods("job-name=build-bad", kube().buildNamespace);
    expect(pod.status?.phase).toBe("Failed");
    expect(pod.status?.containerStatuses?.[0].state?.terminated).toMatchObject({ exitCode: 1, reason: "Error" });
  });

  it("holds a build Job's pod running until told how it ends", async () => {
    await sim().setFault("job:build-held", { kind: "hold" });
    await batch().createNamespacedJob({ namespace: kube().buildNamespace, body: job("build-held") });
    const pod = await waitFor("the build pod to run", async () => (await listPods("job-name=build-held", kube().buildNamespace)).find((p) => p.status?.phase === "Running"));
    expect((await batch().readNamespacedJob({ name: "build-held", namespace: kube().buildNamespace })).status?.active).toBe(1);
    expect(await sim().finishBuild(kube().buildNamespace, pod.metadata!.name!, true)).toBe(true);
    expect((await finished("build-held")).status?.succeeded).toBe(1);
  });
});
