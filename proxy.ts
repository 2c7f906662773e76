import { NextResponse, type NextRequest } from "next/server";
import { config as berthConfig } from "@/lib/config";
import { contentSecurityPolicy, newNonce } from "@/lib/http/csp";
import { refusal } from "@/lib/http/request-origin";

// Next.js's request hook (Next 16 renamed middleware to proxy; not the notebook proxy in
// lib/proxy/, which answers /user/* before Next sees it). Two things for every request Berth
// itself answers:
// - a change (POST, DELETE, …) from a notebook page or another site is refused before any route
//   runs, including next-auth's own sign-in and sign-out handlers, which do not use route();
// - a fresh nonce and the Content-Security-Policy that names it, on the request (Next takes the
//   nonce from there for the scripts it renders) and on the response.
export function proxy(request: NextRequest) {
  const refused = refusal(request.method, request.headers);
  if (refused) {
    // The JupyterHub-compatible API answers errors in JupyterHub's shape.
    const body = request.nextUrl.pathname.startsWith("/hub/api/") ? { status: 403, message: refused.message } : refused;
    return NextResponse.json(body, { status: 403, headers: { "content-security-policy": contentSecurityPolicy(newNonce()) } });
  }

  const policy = contentSecurityPolicy(newNonce(), { dev: berthConfig().env === "development" });
  const headers = new Headers(request.headers);
  headers.set("content-security-policy", policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("content-security-policy", policy);
  return response;
}

export const config = {
  // /user/* never reaches Next (lib/server/main.ts sends it to the notebook proxy); excluded here too.
  matcher: ["/((?!user/).*)"],
};
