import { createHash } from "node:crypto";
import https from "node:https";
import { KubeConfig } from "@kubernetes/client-node";

// @kubernetes/client-node 1.x makes a new https.Agent for every API call, so every call opens its
// own TCP connection and TLS handshake to the API server: a burst of starts pays one handshake
// per request on both sides (CPU on a two-core machine; and a network round trip or two more per
// call against a remote API server). This KubeConfig hands the generated API clients one
// keep-alive agent per set of TLS settings instead, so calls reuse warm connections. Watches keep
// their own connection each (they are long-lived anyway).

type RequestContext = Parameters<KubeConfig["applySecurityAuthentication"]>[0];

export class PooledKubeConfig extends KubeConfig {
  private agents = new Map<string, https.Agent>();

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const made = context.getAgent();
    // Proxy agents (a kubeconfig's proxy-url) and plain HTTP are left as client-node makes them.
    if (!made || made.constructor !== https.Agent) return;
    const o = (made as https.Agent).options;
    const key = createHash("sha256")
      .update(JSON.stringify([o.ca, o.cert, o.key, o.pfx, o.passphrase, o.rejectUnauthorized, o.servername].map((v) => (Buffer.isBuffer(v) ? v.toString("base64") : v))))
      .digest("hex");
    let agent = this.agents.get(key);
    if (!agent) {
      agent = new https.Agent({ ...o, keepAlive: true });
      this.agents.set(key, agent);
    }
    context.setAgent(agent);
  }

  /** How many pooled agents exist (one per set of TLS settings; for tests). */
  get pooledAgents(): number {
    return this.agents.size;
  }

  /** Closes the pooled connections. */
  close(): void {
    for (const a of this.agents.values()) a.destroy();
    this.agents.clear();
  }
}
