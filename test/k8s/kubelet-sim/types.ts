import type { ChildProcess } from "node:child_process";
import type { CoreV1Api, KubeConfig, V1Pod } from "@kubernetes/client-node";
import type { LogStore } from "./logs";

// Shared types, constants and small helpers of the kubelet simulator (see ../kubelet-sim.ts).

export type SimFault =
  /** never bound; PodScheduled=False, reason Unschedulable */
  | { kind: "unschedulable"; message?: string }
  /** bound; the first container to pull waits in ImagePullBackOff */
  | { kind: "imagePullBackOff" }
  /** the notebook container is OOMKilled right after it starts */
  | { kind: "oomKilled" }
  /** the notebook container exits at once with this code */
  | { kind: "exit"; code: number }
  /** build pods: fail (exit `code`, default 1) */
  | { kind: "buildFail"; code?: number }
  /** build pods: keep running until finishBuild() */
  | { kind: "hold" }
  /** Berth's build pods: succeed without pushing the image (as Kaniko with --no-push) */
  | { kind: "noPush" };

export interface BuildSettings {
  /** pause after each line of a simulated build's log (default 150 ms: a build takes about 1.5 s) */
  lineDelayMs: number;
}

export interface KubeletSimOptions {
  /** admin kubeconfig */
  kubeconfigPath: string;
  /** the namespaces whose pods and claims it runs (the servers' and the builds') */
  namespaces: string[];
  /** where volumes and container logs live */
  dir: string;
  nodeName?: string;
  /** first two octets of pod IPs on loopback, e.g. "127.77" */
  ipPrefix?: string;
  /** environment every container gets on top of its spec (PATH, LANG) */
  baseEnv?: Record<string, string>;
}

export interface SimPodInfo {
  namespace: string;
  name: string;
  uid: string;
  ip?: string;
  pid?: number;
  hostPath?: string;
  state: string;
}

export interface PodRun {
  uid: string;
  namespace: string;
  name: string;
  ip: string;
  state: "pending" | "binding" | "starting" | "running" | "ended" | "deleting";
  unschedulableReported?: boolean;
  child?: ChildProcess;
  exited?: Promise<void>;
  hostPath?: string;
  /** the reason a kill reports (OOMKilled when the test says so) */
  killReason?: string;
  holdResolve?: (ok: boolean) => void;
}

/** The simulator's state that its parts share. */
export interface SimContext {
  readonly opts: KubeletSimOptions;
  readonly nodeName: string;
  readonly kc: KubeConfig;
  readonly core: CoreV1Api;
  readonly faults: Map<string, SimFault>;
  /** the latest version of every pod seen, by uid */
  readonly latest: Map<string, V1Pod>;
  readonly logDir: string;
  readonly volumeDir: string;
  /** build pods' container logs, served by the kubelet endpoint */
  readonly logs: LogStore;
  /** how simulated builds behave (the control channel changes it) */
  readonly buildSettings: BuildSettings;
  isStopped(): boolean;
}

export const MARKER_ENV = "BERTH_KUBELET_SIM_POD";
export const HOME_IN_IMAGE = "/home/jovyan";
export const HOME_MARKER = ".berth-home-initialized";
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Read through a function: the state changes behind an await, which narrowing cannot know. */
export const deleting = (r: { state: string }) => r.state === "deleting";
export const now = () => new Date();

export function statusOf(err: unknown): number | undefined {
  const e = err as { code?: unknown; statusCode?: unknown };
  if (typeof e?.code === "number") return e.code;
  if (typeof e?.statusCode === "number") return e.statusCode;
  return undefined;
}
