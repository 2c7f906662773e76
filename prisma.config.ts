import { defineConfig } from "prisma/config";

// Only `prisma generate` uses this file; the app reads its settings from lib/config.ts.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});
