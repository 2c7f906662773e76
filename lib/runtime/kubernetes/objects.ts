import type { V1PersistentVolumeClaim, V1Pod } from "@kubernetes/client-node";
import type { Profile } from "../../config";
import { parseBytes, parseCpu } from "../../policy/quantity";
import { jupyterAuthSource, MODULE_ENV, POD_BOOTSTRAP, SECRET_ENV } from "../jupyter-auth/jupyter-auth";
import { jupyterArgs, type JupyterCommand } from "../local/jupyter-command";
import type { ServerSpec } from "../types";
import { labelValue, objectName } from "./names";

// The objects of one server (DESIGN.md §5): a Pod that can be deleted at will, and a PVC that
// holds the person's home folder across stops.

export const LABELS = {
  name: "app.kubernetes.io/name",
  component: "app.kubernetes.io/component",
  managedBy: "app.kubernetes.io/managed-by",
  user: "berth/user",
  server: "berth/server",
  serverId: "berth/server-id",
} as const;
export const SELECTOR = `${LABELS.name}=berth,${LABELS.component}=singleuser-server`;
export const ANNOTATIONS = { user: "berth/user", server: "berth/server", startId: "berth/start-id" } as const;

export const HOME = "/home/jovyan";
export const PORT = 8888;
const MARKER = ".berth-home-initialized";
export const INIT_HOME = [
  `m=/mnt/home/${MARKER};`,
  `if [ ! -e "$m" ]; then cp -a ${HOME}/. /mnt/home/ && printf '%s\\n' "$BERTH_IMAGE" > "$m";`,
  `elif [ "$(cat "$m")" != "$BERTH_IMAGE" ]; then cp -an ${HOME}/. /mnt/home/ && printf '%s\\n' "$BERTH_IMAGE" > "$m"; fi`,
].join(" ");

export interface PodOptions {
  namespace: string;
  image: string;
  imagePullPolicy: "Always" | "IfNotPresent" | "Never";
  storageClass?: string;
  cpuRequest: string;
  memoryRequest: string;
  jupyter: JupyterCommand;
}

function labels(spec: Pick<ServerSpec, "user" | "name" | "serverId">) {
  return {
    [LABELS.name]: "berth",
    [LABELS.component]: "singleuser-server",
    [LABELS.managedBy]: "berth",
    [LABELS.user]: labelValue(spec.user),
    [LABELS.server]: labelValue(spec.name),
    [LABELS.serverId]: spec.serverId,
  };
}

/** Requests never exceed limits (Kubernetes refuses a pod whose request is above its limit). */
function resources(profile: Profile, o: PodOptions) {
  const cpuReq = parseCpu(o.cpuRequest) > parseCpu(profile.cpu) ? profile.cpu : o.cpuRequest;
  const memReq = parseBytes(o.memoryRequest) > parseBytes(profile.memory) ? profile.memory : o.memoryRequest;
  return { limits: { cpu: profile.cpu, memory: profile.memory }, requests: { cpu: cpuReq, memory: memReq } };
}

export function pvcManifest(spec: ServerSpec, o: PodOptions): V1PersistentVolumeClaim {
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: {
      name: objectName("claim", spec.user, spec.name),
      namespace: o.namespace,
      labels: labels(spec),
      annotations: { [ANNOTATIONS.user]: spec.user, [ANNOTATIONS.server]: spec.name },
    },
    spec: {
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: spec.profile.storage } },
      ...(o.storageClass ? { storageClassName: o.storageClass } : {}),
    },
  };
}

export function podManifest(spec: ServerSpec, o: PodOptions, startId: string): V1Pod {
  const image = spec.environment?.image ?? spec.profile.image ?? o.image;
  const containerSecurity = {
    runAsNonRoot: true,
    runAsUser: 1000,
    runAsGroup: 100,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: objectName("jupyter", spec.user, spec.name),
      namespace: o.namespace,
      labels: labels(spec),
      annotations: { [ANNOTATIONS.user]: spec.user, [ANNOTATIONS.server]: spec.name, [ANNOTATIONS.startId]: startId },
    },
    spec: {
      restartPolicy: "Never",
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 100, fsGroup: 100, seccompProfile: { type: "RuntimeDefault" } },
      initContainers: [
        {
          // The image's home folder (the repository's files) into the volume: all of it on the
          // first start; on a start with another image (a new commit of a launched repository),
          // only the files the person does not have (cp -n), so their work is never overwritten.
          // The image name reaches the shell as a variable, never inside the script.
          name: "init-home",
          image,
          imagePullPolicy: o.imagePullPolicy,
          command: ["sh", "-c", INIT_HOME],
          env: [{ name: "BERTH_IMAGE", value: image }],
          volumeMounts: [{ name: "home", mountPath: "/mnt/home" }],
          securityContext: containerSecurity,
          resources: resources(spec.profile, o),
        },
      ],
      containers: [
        {
          name: "notebook",
          image,
          imagePullPolicy: o.imagePullPolicy,
          // As args, not command: the image's entrypoint (repo2docker's start script, tini) still
          // runs. sh writes Berth's authenticator from the environment, then execs Jupyter.
          args: ["sh", "-c", POD_BOOTSTRAP, "sh", ...jupyterArgs(o.jupyter, { port: PORT, baseUrl: spec.baseUrl, root: HOME, ip: "0.0.0.0" })],
          env: [
            { name: SECRET_ENV, value: spec.token },
            { name: MODULE_ENV, value: jupyterAuthSource() },
            { name: "HOME", value: HOME },
            { name: "JUPYTERHUB_USER", value: spec.user },
            { name: "JUPYTERHUB_SERVER_NAME", value: spec.name },
            { name: "JUPYTERHUB_SERVICE_PREFIX", value: spec.baseUrl },
          ],
          ports: [{ name: "notebook", containerPort: PORT }],
          // /api answers without a token on Jupyter Server and Notebook alike.
          readinessProbe: { httpGet: { path: `${spec.baseUrl}api`, port: PORT }, periodSeconds: 2, failureThreshold: 3 },
          resources: resources(spec.profile, o),
          securityContext: containerSecurity,
          volumeMounts: [{ name: "home", mountPath: HOME }],
        },
      ],
      volumes: [{ name: "home", persistentVolumeClaim: { claimName: objectName("claim", spec.user, spec.name) } }],
    },
  };
}
