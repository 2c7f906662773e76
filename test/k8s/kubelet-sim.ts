// A kubelet (plus the scheduler's binding step and a volume provisioner) for a control plane
// with no nodes. It talks to the cluster only through the real API, with the admin credentials:
//
// - registers a Node and keeps its Ready condition fresh (the node lifecycle controller evicts
//   pods from a node whose heartbeat stops);
// - binds Pending pods in its namespaces (the servers' and the builds') to that node (POST pods/binding), once their claims are bound;
// - provisions a hostPath PersistentVolume for every claim, pre-bound to it, so the real PV
//   binder binds the pair; deletes the volume and its folder when the claim goes;
// - "runs" pods: a Berth server pod's notebook container runs for real as a child process (its
//   args and env from the pod spec, home = the volume's folder, its own loopback address as the
//   pod IP), and its status is reported through pods/status as a kubelet would: PodScheduled,
//   Initialized, ContainersReady, Ready (once the readiness probe's URL answers), podIP,
//   init and container statuses;
// - finishes graceful deletions: kills the pod's processes, then deletes with grace period 0;
// - fails on demand (`faults`, keyed by pod name, `image:<image>` or `job:<job name>`);
// - serves the kubelet's /containerLogs endpoint over HTTPS (its port in the Node's status), so
//   `pods/log` works through the real API server.
//
// Berth's build pods print a repo2docker-like log line by line and push their image to the
// registry they name; other Job pods succeed unless a fault says otherwise; other pods just run.
//
// The parts live in ./kubelet-sim/:
//   types.ts       shared types (SimFault, KubeletSimOptions, SimPodInfo), constants and helpers
//   sim.ts         KubeletSim: list+watch wiring, per-pod sync (binding, deletion), test controls
//   node.ts        node registration and heartbeat
//   watch.ts       list-then-watch loop
//   volumes.ts     PersistentVolumes for claims, and their folders
//   pod-runner.ts  a bound pod's life: init, server notebook, build Job, readiness probe
//   build-pod.ts   a Berth build pod: its log, its push, its containers' ends
//   registry-push.ts  an image push through the OCI distribution API
//   logs.ts        build pods' container logs
//   kubelet-server.ts the kubelet's HTTPS /containerLogs endpoint
//   processes.ts   container processes: spawn, find by marker, signal, kill
//   status.ts      pods/status reporting (conditions, container statuses)
//   faults.ts      failure modes on demand
//   control.ts     the HTTP control channel and its client (KubeletSimClient)

export { KubeletSim } from "./kubelet-sim/sim";
export { KubeletSimClient } from "./kubelet-sim/control";
export type { BuildSettings, KubeletSimOptions, SimFault, SimPodInfo } from "./kubelet-sim/types";
