import path from "node:path";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

// The RBAC suite compares the calls every other Kubernetes file made with the Role, so it runs last.
class RbacLastSequencer extends BaseSequencer {
  async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const last = (f: TestSpecification) => (f.moduleId.endsWith("test/kubernetes/rbac.test.ts") ? 1 : 0);
    return [...sorted].sort((a, b) => last(a) - last(b));
  }
}

// Three projects: `unit` (pure code beside its source in lib/ and components/, no services), `integration` (real
// PostgreSQL and real Jupyter; see test/setup) and `kubernetes` (the Kubernetes runtime against a
// real control plane with a simulated kubelet; see test/setup/global-kube.ts).
// `npm run test:unit` / `npm run test:integration` / `vitest run --project kubernetes`.
export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    teardownTimeout: 30_000,
    sequence: { sequencer: RbacLastSequencer },
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          environment: "node",
          include: ["lib/**/*.test.ts", "components/**/*.test.ts"],
          exclude: ["**/node_modules/**", "lib/generated/**", "**/*.int.test.ts"],
          // Not about time: a few unit tests run real tools (kubectl's YAML, git), slow on a busy machine.
          testTimeout: 30_000,
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
          // Generous: a test fails on a state it waited for (waitFor's own 60 s), not on a busy machine.
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: "kubernetes",
          environment: "node",
          include: ["test/kubernetes/**/*.test.ts"],
          // A fresh database (as for integration), then the control plane, Berth's ServiceAccount
          // and Role, and the kubelet simulator, once for the run.
          globalSetup: ["test/setup/global-db.ts", "test/setup/global-kube.ts"],
          setupFiles: ["test/setup/integration-env.ts", "test/setup/kubernetes-env.ts"],
          // One namespace, one node: files one at a time.
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
      {
        extends: true,
        test: {
          // The JupyterHub REST API against a real JupyterHub (Debian's jupyterhub) and a real
          // Berth (server.ts on the production build), both started by the files themselves.
          name: "compat",
          environment: "node",
          include: ["test/compat/**/*.test.ts"],
          globalSetup: ["test/setup/global-db.ts", "test/compat/global-build.ts"],
          setupFiles: ["test/setup/integration-env.ts"],
          fileParallelism: false,
          // Two hubs start, and notebook servers start and stop on both, on a shared machine.
          testTimeout: 240_000,
          hookTimeout: 240_000,
        },
      },
      {
        extends: true,
        test: {
          // Launching repositories (lib/launch) against a real `git http-backend` and a real
          // docker-registry, both started on loopback by the files themselves; no database.
          name: "launch",
          environment: "node",
          include: ["test/launch/**/*.test.ts"],
          setupFiles: ["test/launch/setup.ts"],
          fileParallelism: false,
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
    ],
  },
});
