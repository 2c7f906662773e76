import { randomBytes } from "node:crypto";

// The Content-Security-Policy of every answer Berth itself gives (pages, API, assets; not the
// notebook servers under /user/, whose Jupyter brings its own). Set by the root proxy.ts, which
// also hands the policy to Next.js in the request: Next reads the 'nonce-…' from it and puts that
// nonce on every script and style element it renders, so no inline script runs without it
// (pages are rendered per request: the root layout reads the session).

export function newNonce(): string {
  return randomBytes(18).toString("base64");
}

export function contentSecurityPolicy(nonce: string, opts: { dev?: boolean } = {}): string {
  return [
    "default-src 'self'",
    // 'strict-dynamic': scripts Next's nonce-bearing bootstrap loads (route chunks) may run;
    // 'unsafe-eval' only in development, where React rebuilds server error stacks with eval.
    `script-src 'nonce-${nonce}' 'strict-dynamic'${opts.dev ? " 'unsafe-eval'" : ""}`,
    `style-src-elem 'self' 'nonce-${nonce}'`,
    // Style attributes cannot carry a nonce; a few bars set their width with one. Styles cannot
    // run code, so allowing attributes (not <style> elements) costs little.
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}
