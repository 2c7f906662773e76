import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import https from "node:https";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { LogStore } from "./logs";

// The kubelet's HTTPS endpoint, as far as the API server uses it for `pods/log`: the API server
// finds the node's address (status.addresses, in --kubelet-preferred-address-types order; the
// simulator reports only InternalIP 127.0.0.1) and port (status.daemonEndpoints.kubeletEndpoint)
// and GETs https://<address>:<port>/containerLogs/<ns>/<pod>/<container>?follow=…. Started
// without --kubelet-certificate-authority (scripts/k8s/start-control-plane.mjs), the API server
// does not verify the kubelet's certificate, so a self-signed one made here with openssl does.

export interface KubeletServer {
  port: number;
  close(): Promise<void>;
}

function certificate(dir: string): { key: Buffer; cert: Buffer } {
  mkdirSync(dir, { recursive: true });
  const key = path.join(dir, "kubelet.key");
  const cert = path.join(dir, "kubelet.crt");
  if (!existsSync(key) || !existsSync(cert)) {
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "30", "-subj", "/CN=berth-sim-node", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert], {
      stdio: ["ignore", "ignore", "pipe"],
    });
  }
  return { key: readFileSync(key), cert: readFileSync(cert) };
}

export async function startKubeletServer(dir: string, logs: LogStore, isRunning: (ns: string, pod: string) => boolean): Promise<KubeletServer> {
  const server = https.createServer(certificate(dir), (req, res) => {
    const u = new URL(req.url ?? "/", "https://kubelet");
    const parts = u.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    if (req.method !== "GET" || parts[0] !== "containerLogs" || parts.length !== 4) {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("404 page not found\n");
      return;
    }
    const [, ns, pod, container] = parts;
    const log = logs.get(ns, pod, container);
    if (!log) {
      // Containers the simulator keeps no log for (a server's notebook, generic Job pods): empty while running.
      if (isRunning(ns, pod)) res.writeHead(200, { "Content-Type": "text/plain" }).end();
      else res.writeHead(400, { "Content-Type": "text/plain" }).end(`container "${container}" in pod "${pod}" is waiting to start: ContainerCreating`);
      return;
    }
    const follow = u.searchParams.get("follow") === "true";
    const timestamps = u.searchParams.get("timestamps") === "true";
    const tail = u.searchParams.get("tailLines");
    let sent = tail ? Math.max(0, log.entries.length - Number(tail)) : 0;
    res.writeHead(200, { "Content-Type": "text/plain", "Transfer-Encoding": "chunked" });
    const flush = () => {
      for (; sent < log.entries.length; sent++) {
        const e = log.entries[sent];
        res.write(timestamps ? `${e.time.toISOString()} ${e.text}` : e.text);
      }
      if (!follow || log.ended) {
        log.listeners.delete(flush);
        res.end();
      }
    };
    if (follow) {
      log.listeners.add(flush);
      req.on("close", () => log.listeners.delete(flush));
    }
    flush();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
