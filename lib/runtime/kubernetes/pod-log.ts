import http from "node:http";
import https from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import { call } from "./kube-api";

// A container's log, followed live through the API server (`pods/log?follow=true`, which the API
// server proxies from the node's kubelet). client-node's Log class hides the kubelet's answer
// when a container has not started (400 "…is waiting to start") and never reports a stream
// that broke off, so the request is made here, with the kubeconfig's credentials, through the
// `call` gate (retries, RBAC refusals as errors people can act on, the record for the Role).

export type LogEnd = "ended" | "dropped";

export type LogOpen =
  | { kind: "streaming"; done: Promise<LogEnd>; abort: () => void }
  /** 400: the container has not started yet (or the pod is not on a node) */
  | { kind: "waiting"; message: string }
  /** 404: the pod (or the container) is gone */
  | { kind: "gone" };

class LogHttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

function statusMessage(body: string): string {
  try {
    return (JSON.parse(body) as { message?: string }).message ?? body;
  } catch {
    return body;
  }
}

async function open(kc: KubeConfig, namespace: string, pod: string, container: string, onData: (chunk: string) => void): Promise<LogOpen> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error("the kubeconfig has no current cluster");
  const url = new URL(`${cluster.server.replace(/\/+$/, "")}/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`);
  url.searchParams.set("container", container);
  url.searchParams.set("follow", "true");
  const opts: https.RequestOptions = { method: "GET", headers: { Accept: "*/*" } };
  await kc.applyToHTTPSOptions(opts);
  const mod = url.protocol === "https:" ? https : http;
  return new Promise<LogOpen>((resolve, reject) => {
    const req = mod.request(url, opts, (res) => {
      res.setEncoding("utf8");
      if (res.statusCode !== 200) {
        let body = "";
        res.on("data", (c: string) => (body = (body + c).slice(0, 8192)));
        res.on("end", () => {
          const message = statusMessage(body);
          if (res.statusCode === 400) resolve({ kind: "waiting", message });
          else if (res.statusCode === 404) resolve({ kind: "gone" });
          else reject(new LogHttpError(res.statusCode ?? 0, message || `the API server answered ${res.statusCode}`));
        });
        res.on("error", reject);
        return;
      }
      const done = new Promise<LogEnd>((settle) => {
        let ended = false;
        res.on("data", onData);
        res.on("end", () => {
          ended = true;
          settle("ended");
        });
        res.on("error", () => settle("dropped"));
        res.on("close", () => settle(ended ? "ended" : "dropped"));
      });
      resolve({ kind: "streaming", done, abort: () => req.destroy() });
    });
    req.on("error", reject);
    req.end();
  });
}

/** Opens `container`'s log in `pod`, following it; chunks go to `onData` as they arrive. */
export function openPodLog(kc: KubeConfig, namespace: string, pod: string, container: string, onData: (chunk: string) => void): Promise<LogOpen> {
  return call("get", "pods/log", namespace, () => open(kc, namespace, pod, container, onData));
}

/**
 * Splits a log stream into lines, skipping the lines a previous connection already gave: a
 * reconnection reads the log from its start again.
 */
export class LineSplitter {
  private partial = "";
  private seen = 0;

  constructor(
    private onLine: (line: string) => void,
    /** complete lines delivered so far, over all connections */
    public delivered = 0,
  ) {}

  /** Call before each connection. */
  reset(): void {
    this.partial = "";
    this.seen = 0;
  }

  push(chunk: string): void {
    const parts = (this.partial + chunk).split("\n");
    this.partial = parts.pop() ?? "";
    for (const raw of parts) {
      this.seen++;
      if (this.seen <= this.delivered) continue;
      this.delivered++;
      this.onLine(raw.replace(/\r$/, ""));
    }
  }

  /** The log has ended for good: a last line without a newline counts too. */
  flush(): void {
    if (this.partial) this.push("\n");
  }
}
