import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // These hold native handles, WebAssembly or process state shared with server.ts through
  // globalThis; Next must load them from node_modules rather than bundle a second copy.
  serverExternalPackages: ["@prisma/client", "@prisma/adapter-pg", "pg", "@electric-sql/pglite", "@electric-sql/pglite-socket", "http-proxy"],
  poweredByHeader: false,
  // `npm test` typechecks the whole tree (with the route types this build generates) as its own
  // suite; doing it here too would only make `npm run up` slower.
  typescript: { ignoreBuildErrors: true },
  reactStrictMode: true,
  typedRoutes: false,
  // forbidden() from next/navigation: pages answer "not yours" with a real 403 (app/forbidden.tsx).
  experimental: { authInterrupts: true },
  // JupyterHub's page addresses, for people, bookmarks and links coming from a JupyterHub:
  // each goes to Berth's page for the same thing (the query string is kept).
  async redirects() {
    return [
      { source: "/hub", destination: "/servers", permanent: false },
      { source: "/hub/home", destination: "/servers", permanent: false },
      { source: "/hub/admin", destination: "/admin", permanent: false },
      { source: "/hub/token", destination: "/tokens", permanent: false },
      { source: "/hub/login", destination: "/signin", permanent: false },
      { source: "/hub/logout", destination: "/signout", permanent: false },
      { source: "/hub/spawn/:path*", destination: "/spawn/:path*", permanent: false },
      { source: "/hub/user/:path*", destination: "/user/:path*", permanent: false },
    ];
  },
  async headers() {
    return [
      {
        source: "/((?!user/).*)",
        headers: [
          { key: "X-Frame-Options", value: "DENY" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "same-origin" },
        ],
      },
    ];
  },
};

export default nextConfig;
