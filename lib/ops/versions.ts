import { config, type Config } from "../config";
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
export function versions(c: Pick<Config, "runtime" | "builds"> = config()): Versions {
  return {
    builder_info: { build_image: c.runtime === "kubernetes" ? c.builds.builderImage : "local: python venv" },
    binderhub: `berth ${BERTH_VERSION}`,
    berth: BERTH_VERSION,
  };
}
