import type { V1LabelSelector, V1NetworkPolicy, V1NetworkPolicyPeer, V1NetworkPolicyPort } from "@kubernetes/client-node";

// What one NetworkPolicy lets through, by the rules of the NetworkPolicy API
// (https://kubernetes.io/docs/concepts/services-networking/network-policies/): a policy isolates
// its pods for each of its policyTypes; an isolated direction allows only what some rule matches
// (a rule without `to`/`from` matches every peer, without `ports` every port); an ipBlock matches
// its CIDR minus its `except`; pod and namespace selectors match pods only. Tests use it to ask
// the manifests in k8s/ questions such as "may a build pod reach 169.254.169.254?".

export interface Peer {
  /** an address outside the cluster's pods (the internet, a node-local cache, the metadata service) */
  ip?: string;
  /** a pod, with its namespace's labels */
  pod?: { namespace: string; labels: Record<string, string>; namespaceLabels: Record<string, string> };
}

export interface Traffic {
  peer: Peer;
  port: number;
  protocol?: "TCP" | "UDP" | "SCTP";
}

function ipv4(ip: string): number {
  const parts = ip.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`not an IPv4 address: ${ip}`);
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

export function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split("/");
  const n = Number(bits ?? 32);
  const mask = n === 0 ? 0 : (~0 << (32 - n)) >>> 0;
  return ((ipv4(ip) & mask) >>> 0) === ((ipv4(base) & mask) >>> 0);
}

function selects(selector: V1LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = e.key in labels;
    const value = labels[e.key];
    if (e.operator === "In" && !(has && e.values?.includes(value))) return false;
    if (e.operator === "NotIn" && has && e.values?.includes(value)) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}

function peerMatches(p: V1NetworkPolicyPeer, peer: Peer, policyNamespace: string): boolean {
  if (p.ipBlock) {
    if (!peer.ip) return false;
    return inCidr(peer.ip, p.ipBlock.cidr) && !(p.ipBlock.except ?? []).some((c) => inCidr(peer.ip!, c));
  }
  if (!peer.pod) return false;
  // A podSelector alone selects pods in the policy's own namespace.
  if (!p.namespaceSelector && peer.pod.namespace !== policyNamespace) return false;
  return selects(p.namespaceSelector, peer.pod.namespaceLabels) && selects(p.podSelector, peer.pod.labels);
}

function portMatches(ports: V1NetworkPolicyPort[] | undefined, t: Traffic): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => {
    if ((p.protocol ?? "TCP") !== (t.protocol ?? "TCP")) return false;
    if (p.port === undefined) return true;
    if (typeof p.port !== "number") throw new Error(`named port ${p.port}: not modelled`);
    return p.endPort ? t.port >= p.port && t.port <= p.endPort : t.port === p.port;
  });
}

function types(np: V1NetworkPolicy): string[] {
  // Without policyTypes: Ingress always, Egress when there are egress rules.
  return np.spec?.policyTypes ?? ["Ingress", ...(np.spec?.egress ? ["Egress"] : [])];
}

/** Whether `np` lets its pods send `t` (true when it does not isolate egress at all). */
export function allowsEgress(np: V1NetworkPolicy, t: Traffic): boolean {
  if (!types(np).includes("Egress")) return true;
  const ns = np.metadata?.namespace ?? "default";
  return (np.spec?.egress ?? []).some((r) => (!r.to || r.to.length === 0 || r.to.some((p) => peerMatches(p, t.peer, ns))) && portMatches(r.ports, t));
}

/** Whether `np` lets its pods receive `t` (true when it does not isolate ingress at all). */
export function allowsIngress(np: V1NetworkPolicy, t: Traffic): boolean {
  if (!types(np).includes("Ingress")) return true;
  const ns = np.metadata?.namespace ?? "default";
  return (np.spec?.ingress ?? []).some((r) => {
    // `from` in YAML and the API; `_from` in client-node's typed objects.
    const from = (r as { from?: V1NetworkPolicyPeer[] }).from ?? r._from;
    return (!from || from.length === 0 || from.some((p) => peerMatches(p, t.peer, ns))) && portMatches(r.ports, t);
  });
}
