import { Watch, type KubernetesObject } from "@kubernetes/client-node";
import { sleep, type SimContext } from "./types";

/** List, then watch from the list's version; any end of the watch lists again (idempotent handlers). */
export function watchLoop(
  ctx: SimContext,
  watches: AbortController[],
  ns: string,
  resource: "pods" | "persistentvolumeclaims",
  handle: (type: string, obj: KubernetesObject) => void,
) {
  const known = new Map<string, KubernetesObject>();
  const run = async () => {
    while (!ctx.isStopped()) {
      try {
        const list: { items: KubernetesObject[]; metadata?: { resourceVersion?: string } } =
          resource === "pods" ? await ctx.core.listNamespacedPod({ namespace: ns }) : await ctx.core.listNamespacedPersistentVolumeClaim({ namespace: ns });
        const seen = new Set<string>();
        for (const item of list.items) {
          seen.add(item.metadata!.uid!);
          known.set(item.metadata!.uid!, item);
          handle("MODIFIED", item);
        }
        for (const [uid, obj] of known) {
          if (!seen.has(uid)) {
            known.delete(uid);
            handle("DELETED", obj);
          }
        }
        await new Promise<void>((resolve) => {
          void new Watch(ctx.kc)
            .watch(
              `/api/v1/namespaces/${ns}/${resource}`,
              { resourceVersion: list.metadata?.resourceVersion, allowWatchBookmarks: false, timeoutSeconds: 60 },
              (type: string, obj: KubernetesObject) => {
                if (type === "ERROR" || type === "BOOKMARK" || !obj?.metadata?.uid) return;
                if (type === "DELETED") known.delete(obj.metadata.uid);
                else known.set(obj.metadata.uid, obj);
                handle(type, obj);
              },
              () => resolve(),
            )
            .then((c) => watches.push(c));
        });
      } catch (err) {
        if (!ctx.isStopped()) process.stderr.write(`kubelet-sim: ${resource} watch failed: ${String(err)}\n`);
        await sleep(500);
      }
    }
  };
  void run();
}
