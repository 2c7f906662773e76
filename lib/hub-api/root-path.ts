// JupyterHub's clients ask for its version at GET /hub/api/ (with the slash); Next.js would answer
// that with a 308 to /hub/api. The custom server (lib/server/main.ts) hands Next the address
// without the slash, so the version answers directly, as JupyterHub's does.
export function hubApiRootUrl(url: string): string {
  return /^\/hub\/api\/(?=\?|$)/.test(url) ? `/hub/api${url.slice("/hub/api/".length)}` : url;
}
