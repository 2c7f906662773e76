// @jupyterhub/binderhub-client ships plain ES modules without types; these describe the parts
// Berth's launch page uses (lib/client.js and lib/spec.js of version 0.5).

declare module "@jupyterhub/binderhub-client/client.js" {
  import type { LaunchEvent } from "@/lib/launch/events";

  /** What the client yields: the events Berth sends (lib/launch/events.ts), plus its own "unknown" while it reconnects. */
  export type BinderEvent = Omit<LaunchEvent, "phase"> & { phase: LaunchEvent["phase"] | "unknown" };

  export class BinderRepository {
    constructor(providerSpec: string, buildEndpointUrl: URL, options?: { apiToken?: string; buildToken?: string; buildOnly?: boolean });
    readonly buildUrl: URL;
    fetch(): AsyncIterable<BinderEvent>;
    close(): void;
  }
}

declare module "@jupyterhub/binderhub-client/spec.js" {
  export class LaunchSpec {
    constructor(urlPath: string);
    readonly urlPath: string;
    getJupyterServerRedirectUrl(serverUrl: URL, token: string): URL;
    static fromSearchParams(searchParams: URLSearchParams): LaunchSpec;
  }
}
