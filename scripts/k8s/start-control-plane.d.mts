// Types for start-control-plane.mjs (plain JavaScript, so it also runs as a CLI without a build).
export interface ControlPlane {
  server: string;
  caFile: string;
  adminToken: string;
  kubeconfigPath: string;
  dir: string;
  version: string;
  ports: { apiserver: number; etcdClient: number; etcdPeer: number; controllerManager: number };
  logs: Record<string, string>;
  stop(): Promise<void>;
  /** Another kube-apiserver on the same etcd (stopped by stop()); its own /metrics count only its clients' requests. */
  addApiserver(opts?: { apiserverArgs?: string[]; timeoutMs?: number }): Promise<{ server: string; log: string }>;
}
export const K8S_VERSION: string;
export function defaultCacheDir(): string;
export function kubeconfig(o: { server: string; caFile: string; token: string; user?: string; namespace?: string }): string;
export function startControlPlane(opts: {
  dir: string;
  binDir?: string;
  etcd?: string;
  timeoutMs?: number;
  apiserverArgs?: string[];
  controllerManagerArgs?: string[];
}): Promise<ControlPlane>;
export function waitForServiceAccount(cp: ControlPlane, namespace: string, name?: string, timeoutMs?: number): Promise<void>;
