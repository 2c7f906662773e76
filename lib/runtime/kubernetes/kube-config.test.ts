import https from "node:https";
import { describe, expect, it } from "vitest";
import { PooledKubeConfig } from "./kube-config";

type Ctx = Parameters<PooledKubeConfig["applySecurityAuthentication"]>[0];

interface FakeContext {
  agent: https.Agent;
  headers: Record<string, string>;
}

/** The parts of client-node's RequestContext that applySecurityAuthentication uses. */
function context(): FakeContext {
  const c = { headers: {} } as FakeContext;
  return Object.assign(c, {
    setAgent: (a: https.Agent) => (c.agent = a),
    getAgent: () => c.agent,
    setHeaderParam: (k: string, v: string) => (c.headers[k] = v),
  });
}

const apply = (kc: PooledKubeConfig, c: FakeContext) => kc.applySecurityAuthentication(c as unknown as Ctx);

function config(caData: string) {
  const kc = new PooledKubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "c", server: "https://127.0.0.1:6443", caData: Buffer.from(caData).toString("base64"), skipTLSVerify: false }],
    users: [{ name: "u", token: "secret-token" }],
    contexts: [{ name: "x", cluster: "c", user: "u" }],
    currentContext: "x",
  });
  return kc;
}

describe("PooledKubeConfig", () => {
  it("gives every API call the same keep-alive agent, with the cluster's CA and the user's token", async () => {
    const kc = config("ca-one");
    const a = context();
    const b = context();
    await apply(kc, a);
    await apply(kc, b);
    expect(a.agent).toBeInstanceOf(https.Agent);
    expect(a.agent).toBe(b.agent);
    expect((a.agent as https.Agent & { keepAlive?: boolean }).keepAlive).toBe(true);
    expect(String(a.agent.options.ca)).toBe("ca-one");
    expect(a.headers.Authorization).toBe("Bearer secret-token");
    expect(kc.pooledAgents).toBe(1);
    kc.close();
    expect(kc.pooledAgents).toBe(0);
  });

  it("keeps configurations with other TLS settings apart", async () => {
    const one = context();
    const two = context();
    await apply(config("ca-one"), one);
    await apply(config("ca-two"), two);
    expect(one.agent).not.toBe(two.agent);
  });
});
