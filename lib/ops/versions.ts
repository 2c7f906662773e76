import { runtime } from "../runtime";
import type { Runtime } from "../runtime/types";
// Server-side only (route handlers and tests); the client bundle never imports this file.
import packageJson from "../../package.json";

export const BERTH_VERSION: string = packageJson.version;

export interface Versions {
  builder_info: { build_image: string };
  binderhub: string;
  berth: string;
}

/**
 * What /versions answers, in BinderHub's shape (tools that ask a BinderHub for its version and
 * builder keep working): the builder image on Kubernetes, the local Python builder otherwise.
 */
export function versions(rt: Pick<Runtime, "buildInfo"> = runtime()): Versions {
  return {
    builder_info: { build_image: rt.buildInfo.image },
    binderhub: `berth ${BERTH_VERSION}`,
    berth: BERTH_VERSION,
  };
}
