import { createHash } from "node:crypto";
import type { V1Container, V1Job } from "@kubernetes/client-node";
import type { Config } from "../../config";
import type { BuildRequest } from "../types";
import { registryImageHost } from "../../registry/image-name";
import { parseBytes, parseCpu } from "../../policy/quantity";
import { LABELS } from "./objects";

// The Job that builds one image (DESIGN.md §5): repo2docker with repo2kaniko's Kaniko engine in
// the `builder` container, the kaniko-runner (Kaniko's executor behind a socket) in the `kaniko`
// container, both sharing an emptyDir at /workspace. The name is a hash of the image name, so
// every replica, and Berth after a restart, finds the build of a commit under the same name.
//
// Ending the sidecar: kaniko-runner serves builds until it is killed and has no "one build, then
// exit" flag, and Kubernetes 1.20 has no sidecar containers, so a pod whose builder has ended
// would run (and its Job stay active) until the deadline. The builder therefore leaves a marker,
// /workspace/.berth-builder-exit holding repo2docker's exit code, and the kaniko container's
// script stops the runner and exits once that marker exists. Both scripts are constants: the
// request's values reach repo2docker only as separate argv entries ("$@"), never inside a
// script, and the builder's `args` are exactly repo2docker's argv.

export const BUILD_SELECTOR = `${LABELS.name}=berth,${LABELS.component}=build`;
export const BUILD_LABELS = { imageHash: "berth/image-hash" } as const;
export const BUILD_ANNOTATIONS = { image: "berth/image", commit: "berth/commit", repository: "berth/repository", provider: "berth/provider" } as const;
export const BUILDER_CONTAINER = "builder";
export const KANIKO_CONTAINER = "kaniko";

const WORKSPACE = "/workspace";
const SOCKET = `${WORKSPACE}/.kaniko-runner.sock`;
const EXIT_MARKER = `${WORKSPACE}/.berth-builder-exit`;
/** Where the registry Secret (a docker config) is mounted in the kaniko container; DOCKER_CONFIG points here. */
export const REGISTRY_CONFIG_DIR = "/berth/registry";
/** Set only for a plain-http registry: the kaniko container then runs the executor with --insecure-registry for it. */
const INSECURE_ENV = "BERTH_INSECURE_REGISTRY";
const INSECURE_EXECUTOR = "/kaniko/berth-executor";

/**
 * The builder: waits (at most a minute) for the runner's socket, runs "$@" (repo2docker's argv
 * as given), leaves its exit code for the kaniko container, and exits with it.
 */
export const BUILDER_SCRIPT = [
  "i=0",
  `while [ ! -S ${SOCKET} ]; do`,
  `  i=$((i+1)); if [ "$i" -gt 600 ]; then echo "The Kaniko runner did not start within a minute." >&2; echo 1 > ${EXIT_MARKER}; exit 1; fi`,
  "  sleep 0.1",
  "done",
  '"$@"',
  "code=$?",
  `echo "$code" > ${EXIT_MARKER}`,
  'exit "$code"',
].join("\n");

/**
 * The kaniko container (kaniko-runner's image: Kaniko's debug executor, which has busybox, plus
 * /kaniko/kaniko-runner): starts the runner on a socket in the shared folder and ends it once the
 * builder's marker appears. For a plain-http registry it first writes an executor wrapper adding
 * --insecure-registry, because repo2kaniko has no setting for extra executor flags.
 */
export const RUNNER_SCRIPT = [
  `if [ -n "$${INSECURE_ENV}" ]; then`,
  `  printf '%s\\n' '#!/busybox/sh' 'exec /kaniko/executor --insecure-registry="$${INSECURE_ENV}" "$@"' > ${INSECURE_EXECUTOR}`,
  `  chmod 755 ${INSECURE_EXECUTOR}`,
  "fi",
  `/kaniko/kaniko-runner -address=unix://${SOCKET} &`,
  "runner=$!",
  `while [ ! -e ${EXIT_MARKER} ]; do`,
  '  if ! kill -0 "$runner" 2>/dev/null; then echo "kaniko-runner stopped before the build ended." >&2; exit 1; fi',
  "  sleep 1",
  "done",
  'kill "$runner" 2>/dev/null',
  "exit 0",
].join("\n");

export interface BuildJobOptions {
  namespace: string;
  builds: Config["builds"];
  /** BERTH_REGISTRY_URL: an http:// address makes Kaniko push over plain HTTP. */
  registryUrl?: string;
}

/** A full sha256 of the image name in hex; its first 32 digits name the Job and label it. */
export function imageHash(imageName: string): string {
  return createHash("sha256").update(imageName, "utf8").digest("hex").slice(0, 32);
}

/** `build-<hash>`: deterministic, a DNS-1123 label (38 characters). */
export function buildJobName(imageName: string): string {
  return `build-${imageHash(imageName)}`;
}

function checkRequest(req: BuildRequest): void {
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/i.test(req.commit)) throw new Error(`a build needs a resolved commit id, got ${JSON.stringify(req.commit)}`);
  let url: URL;
  try {
    url = new URL(req.fetchUrl);
  } catch {
    throw new Error(`a build needs the repository's address, got ${JSON.stringify(req.fetchUrl)}`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error(`builds fetch over http(s) only, got ${url.protocol}`);
}

/** The registry host Kaniko must reach over plain HTTP, when BERTH_REGISTRY_URL says http://. */
export function insecureRegistryHost(registryUrl: string | undefined): string | undefined {
  return registryUrl && new URL(registryUrl).protocol === "http:" ? registryImageHost(registryUrl) : undefined;
}

/** repo2docker's argv: options first, the repository's address last, after `--`. */
export function builderArgs(req: BuildRequest, o: Pick<BuildJobOptions, "registryUrl">): string[] {
  checkRequest(req);
  return [
    "repo2docker",
    "--engine=kaniko",
    "--no-run",
    "--user-id=1000",
    "--user-name=jovyan",
    `--image-name=${req.imageName}`,
    `--ref=${req.commit}`,
    `--KanikoEngine.kaniko_address=unix://${SOCKET}`,
    "--KanikoEngine.push_image=true",
    ...(insecureRegistryHost(o.registryUrl) ? [`--KanikoEngine.kaniko_executable=${INSECURE_EXECUTOR}`] : []),
    "--",
    req.fetchUrl,
  ];
}

function resources(b: Config["builds"]) {
  // Kubernetes refuses a request above its limit.
  const cpu = parseCpu(b.cpuRequest) > parseCpu(b.cpuLimit) ? b.cpuLimit : b.cpuRequest;
  const memory = parseBytes(b.memoryRequest) > parseBytes(b.memoryLimit) ? b.memoryLimit : b.memoryRequest;
  return { limits: { cpu: b.cpuLimit, memory: b.memoryLimit }, requests: { cpu, memory } };
}

export function buildJobManifest(req: BuildRequest, o: BuildJobOptions): V1Job {
  const name = buildJobName(req.imageName);
  const labels = { [LABELS.name]: "berth", [LABELS.component]: "build", [LABELS.managedBy]: "berth", [BUILD_LABELS.imageHash]: imageHash(req.imageName) };
  const annotations = {
    [BUILD_ANNOTATIONS.image]: req.imageName,
    [BUILD_ANNOTATIONS.commit]: req.commit,
    [BUILD_ANNOTATIONS.repository]: req.repo,
    [BUILD_ANNOTATIONS.provider]: req.provider,
  };
  const insecure = insecureRegistryHost(o.registryUrl);
  const workspace = { name: "workspace", mountPath: WORKSPACE };
  const builder: V1Container = {
    name: BUILDER_CONTAINER,
    image: o.builds.builderImage,
    imagePullPolicy: "IfNotPresent",
    command: ["/bin/sh", "-c", BUILDER_SCRIPT, "berth-build"],
    args: builderArgs(req, o),
    resources: resources(o.builds),
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } },
    volumeMounts: [workspace],
  };
  // Kaniko unpacks images and runs the Dockerfile's steps in its own container: it needs root.
  const kaniko: V1Container = {
    name: KANIKO_CONTAINER,
    image: o.builds.kanikoImage,
    imagePullPolicy: "IfNotPresent",
    command: ["/busybox/sh", "-c", RUNNER_SCRIPT],
    env: [{ name: "DOCKER_CONFIG", value: REGISTRY_CONFIG_DIR }, ...(insecure ? [{ name: INSECURE_ENV, value: insecure }] : [])],
    resources: resources(o.builds),
    volumeMounts: [workspace, { name: "registry", mountPath: REGISTRY_CONFIG_DIR, readOnly: true }],
  };
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, namespace: o.namespace, labels, annotations },
    spec: {
      backoffLimit: 0,
      completions: 1,
      parallelism: 1,
      activeDeadlineSeconds: o.builds.timeoutSeconds,
      ttlSecondsAfterFinished: o.builds.ttlSeconds,
      template: {
        metadata: { labels, annotations },
        spec: {
          restartPolicy: "Never",
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          containers: [builder, kaniko],
          volumes: [
            { name: "workspace", emptyDir: {} },
            // A kubernetes.io/dockerconfigjson Secret (kubectl create secret docker-registry),
            // read by Kaniko as $DOCKER_CONFIG/config.json. Optional: a registry that takes
            // anonymous pushes needs none. The password never appears in the Job.
            { name: "registry", secret: { secretName: o.builds.registrySecret, optional: true, items: [{ key: ".dockerconfigjson", path: "config.json" }] } },
          ],
        },
      },
    },
  };
}
