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
