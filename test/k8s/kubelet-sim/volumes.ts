import { chownSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import type { V1PersistentVolumeClaim } from "@kubernetes/client-node";
import { statusOf, type SimContext } from "./types";

// Volume provisioning: a hostPath PersistentVolume for every claim, pre-bound to it, so the real
// PV binder binds the pair; the volume and its folder are deleted when the claim goes.
export class Volumes {
  /** claim uid -> PersistentVolume name */
  private claimVolumes = new Map<string, string>();

  constructor(
    private ctx: SimContext,
    /** syncs a pod again (one waiting for a claim to bind) */
    private enqueue: (uid: string) => void,
  ) {}

  onClaim(type: string, claim: V1PersistentVolumeClaim) {
    const uid = claim.metadata!.uid!;
    if (type === "DELETED") {
      void this.releaseVolume(uid);
      return;
    }
    if (claim.status?.phase === "Bound") {
      // Pods waiting for this claim can be bound now.
      for (const pod of this.ctx.latest.values()) {
        if (pod.spec?.volumes?.some((v) => v.persistentVolumeClaim?.claimName === claim.metadata!.name)) this.enqueue(pod.metadata!.uid!);
      }
      return;
    }
    if (!claim.spec?.volumeName && !this.claimVolumes.has(uid)) void this.provision(claim);
  }

  private async provision(claim: V1PersistentVolumeClaim) {
    const uid = claim.metadata!.uid!;
    const name = `pvc-${uid}`;
    this.claimVolumes.set(uid, name);
    const folder = path.join(this.ctx.volumeDir, name);
    mkdirSync(folder, { recursive: true, mode: 0o2775 });
    // fsGroup 100: the group owns the volume and may write to it.
    chownSync(folder, 1000, 100);
    try {
      await this.ctx.core.createPersistentVolume({
        body: {
          apiVersion: "v1",
          kind: "PersistentVolume",
          metadata: { name, labels: { "berth-test/provisioner": "kubelet-sim" } },
          spec: {
            capacity: { storage: claim.spec?.resources?.requests?.storage ?? "1Gi" },
            accessModes: claim.spec?.accessModes ?? ["ReadWriteOnce"],
            persistentVolumeReclaimPolicy: "Retain",
            storageClassName: claim.spec?.storageClassName ?? "",
            volumeMode: "Filesystem",
            hostPath: { path: folder, type: "Directory" },
            claimRef: { apiVersion: "v1", kind: "PersistentVolumeClaim", namespace: claim.metadata!.namespace, name: claim.metadata!.name, uid },
          },
        },
      });
    } catch (err) {
      if (statusOf(err) !== 409) {
        this.claimVolumes.delete(uid);
        process.stderr.write(`kubelet-sim: could not provision ${name}: ${String(err)}\n`);
      }
    }
  }

  private async releaseVolume(uid: string) {
    const name = this.claimVolumes.get(uid) ?? `pvc-${uid}`;
    this.claimVolumes.delete(uid);
    try {
      await this.ctx.core.deletePersistentVolume({ name });
    } catch (err) {
      if (statusOf(err) !== 404) process.stderr.write(`kubelet-sim: could not delete ${name}: ${String(err)}\n`);
    }
    rmSync(path.join(this.ctx.volumeDir, name), { recursive: true, force: true });
  }

  /** The host folder of a bound claim's volume. */
  async claimFolder(namespace: string, claimName: string): Promise<string | undefined> {
    const claim = await this.ctx.core.readNamespacedPersistentVolumeClaim({ name: claimName, namespace });
    if (claim.status?.phase !== "Bound" || !claim.spec?.volumeName) return undefined;
    const pv = await this.ctx.core.readPersistentVolume({ name: claim.spec.volumeName });
    return pv.spec?.hostPath?.path;
  }
}
