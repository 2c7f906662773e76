import path from "node:path";
import { defineConfig } from "vitest/config";

// Two projects: `unit` (pure code beside its source, no services) and `integration` (real
// PostgreSQL and real Jupyter; see test/setup). `npm run test:unit` / `npm run test:integration`.
export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    teardownTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          environment: "node",
          include: ["lib/**/*.test.ts"],
          exclude: ["**/node_modules/**", "lib/generated/**", "**/*.int.test.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          environment: "node",
          include: ["test/integration/**/*.test.ts"],
          // One fresh database per run, created and dropped here.
          globalSetup: ["test/setup/global-db.ts"],
          // Per file: a temporary data folder, the environment, the database connection, cleanup.
          setupFiles: ["test/setup/integration-env.ts"],
          // Files share the database and the machine's two cores; one at a time keeps them apart.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
