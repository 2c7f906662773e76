// @jupyterhub/binderhub-client ships plain ES modules without types; these describe the parts
// Berth's launch page uses (lib/client.js and lib/spec.js of version 0.5).

declare module "@jupyterhub/binderhub-client/client.js" {
  export interface BinderEvent {
    phase?: string;
    message?: string;
    imageName?: string;
    url?: string;
    token?: string;
    image?: string;
    repo_url?: string;
    binder_ref_url?: string;
    binder_request?: string;
    binder_persistent_request?: string;
    // Berth's additions to the ready and failed events.
    open_url?: string;
    server?: string;
    servers_url?: string;
    [key: string]: unknown;
  }

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
