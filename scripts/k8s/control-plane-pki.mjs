// The files a test control plane needs (scripts/k8s/start-control-plane.mjs): a CA, the API
// server's serving certificate and the service-account key pair, made with the openssl CLI, and a
// kubeconfig that authenticates with a bearer token.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

/** The first IP of the service range (start-control-plane.mjs): the `kubernetes` service, named in the serving certificate. */
export const SERVICE_IP = "10.96.0.1";

function openssl(args, cwd) {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

/** CA, apiserver serving cert, service-account key pair; existing files are kept. */
export function ensurePki(dir) {
  const f = (n) => path.join(dir, n);
  if (!fs.existsSync(f("ca.crt")) || !fs.existsSync(f("ca.key"))) {
    fs.writeFileSync(
      f("ca.cnf"),
      [
        "[req]", "distinguished_name=dn", "prompt=no", "x509_extensions=v3_ca",
        "[dn]", "CN=berth-test-kubernetes-ca",
        "[v3_ca]", "basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign,cRLSign,digitalSignature",
        "subjectKeyIdentifier=hash", "",
      ].join("\n"),
    );
    openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "3650",
      "-config", "ca.cnf", "-keyout", "ca.key", "-out", "ca.crt"], dir);
    for (const n of ["apiserver.crt", "apiserver.key"]) fs.rmSync(f(n), { force: true });
  }
  if (!fs.existsSync(f("apiserver.crt")) || !fs.existsSync(f("apiserver.key"))) {
    const sans = [
      "IP:127.0.0.1", `IP:${SERVICE_IP}`, "DNS:localhost", "DNS:kubernetes", "DNS:kubernetes.default",
      "DNS:kubernetes.default.svc", "DNS:kubernetes.default.svc.cluster.local",
    ];
    fs.writeFileSync(
      f("apiserver.ext"),
      [
        "basicConstraints=CA:FALSE", "keyUsage=critical,digitalSignature,keyEncipherment",
        "extendedKeyUsage=serverAuth", `subjectAltName=${sans.join(",")}`,
        "authorityKeyIdentifier=keyid", "subjectKeyIdentifier=hash", "",
      ].join("\n"),
    );
    openssl(["req", "-new", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=kube-apiserver",
      "-keyout", "apiserver.key", "-out", "apiserver.csr"], dir);
    openssl(["x509", "-req", "-sha256", "-days", "3650", "-in", "apiserver.csr", "-CA", "ca.crt",
      "-CAkey", "ca.key", "-CAcreateserial", "-extfile", "apiserver.ext", "-out", "apiserver.crt"], dir);
  }
  if (!fs.existsSync(f("sa.key")) || !fs.existsSync(f("sa.pub"))) {
    openssl(["genrsa", "-out", "sa.key", "2048"], dir);
    openssl(["rsa", "-in", "sa.key", "-pubout", "-out", "sa.pub"], dir);
  }
  for (const n of ["ca.key", "apiserver.key", "sa.key"]) fs.chmodSync(f(n), 0o600);
}

/** A kubeconfig for this control plane, authenticating with a bearer token. */
export function kubeconfig({ server, caFile, token, user = "admin", namespace }) {
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: berth-test",
    "  cluster:",
    `    server: ${server}`,
    `    certificate-authority: ${JSON.stringify(caFile)}`,
    "users:",
    `- name: ${user}`,
    "  user:",
    `    token: ${token}`,
    "contexts:",
    "- name: berth-test",
    "  context:",
    "    cluster: berth-test",
    ...(namespace ? [`    namespace: ${namespace}`] : []),
    `    user: ${user}`,
    "current-context: berth-test",
    "",
  ].join("\n");
}
