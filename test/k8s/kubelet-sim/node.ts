import type { CoreV1Api } from "@kubernetes/client-node";
import { now, statusOf } from "./types";

// Node registration and heartbeat: the node lifecycle controller evicts pods from a node whose
// heartbeat stops. The status names the kubelet endpoint (kubelet-server.ts) the API server reads logs from.

function nodeStatus(kubeletPort: number) {
  const capacity = { cpu: "4", memory: "16Gi", pods: "110", "ephemeral-storage": "100Gi" };
  const t = now();
  const cond = (type: string, status: string, reason: string, message: string) => ({ type, status, reason, message, lastHeartbeatTime: t, lastTransitionTime: t });
  return {
    capacity,
    allocatable: capacity,
    conditions: [
      cond("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
      cond("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
      cond("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
      cond("Ready", "True", "KubeletReady", "kubelet (simulated) is posting ready status"),
    ],
    // Only an address the API server can reach: it connects to the first of Hostname,
    // InternalDNS, InternalIP… the node reports (for pods/log), and the node's name resolves nowhere.
    addresses: [{ type: "InternalIP", address: "127.0.0.1" }],
    daemonEndpoints: { kubeletEndpoint: { Port: kubeletPort } },
    nodeInfo: {
      architecture: "amd64",
      bootID: "sim",
      containerRuntimeVersion: "sim://1",
      kernelVersion: "sim",
      kubeProxyVersion: "v1.20.2",
      kubeletVersion: "v1.20.2",
      machineID: "sim",
      operatingSystem: "linux",
      osImage: "berth kubelet simulator",
      systemUUID: "sim",
    },
  };
}

export async function registerNode(core: CoreV1Api, nodeName: string, kubeletPort: number) {
  const body = {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: nodeName, labels: { "kubernetes.io/hostname": nodeName, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64" } },
    status: nodeStatus(kubeletPort),
  };
  try {
    await core.createNode({ body });
  } catch (err) {
    if (statusOf(err) !== 409) throw err;
  }
  await renewNode(core, nodeName, kubeletPort);
}

export async function renewNode(core: CoreV1Api, nodeName: string, kubeletPort: number) {
  for (let i = 0; i < 5; i++) {
    const node = await core.readNodeStatus({ name: nodeName });
    const fresh = nodeStatus(kubeletPort);
    const old = new Map((node.status?.conditions ?? []).map((c) => [c.type, c]));
    for (const c of fresh.conditions) if (old.get(c.type)?.status === c.status) c.lastTransitionTime = old.get(c.type)!.lastTransitionTime ?? c.lastTransitionTime;
    // Replaced, not merged: an address list from an older simulator must not linger.
    node.status = { ...node.status, ...fresh, addresses: fresh.addresses };
    try {
      await core.replaceNodeStatus({ name: nodeName, body: node });
      return;
    } catch (err) {
      if (statusOf(err) !== 409) throw err;
    }
  }
}
