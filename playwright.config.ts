import { defineConfig, devices } from "@playwright/test";

// Berth is started once for the whole run by the global setup (a fresh database and data folder);
// its address reaches the specs through BERTH_E2E_BASE_URL, set there before any worker starts.
const baseURL = process.env.BERTH_E2E_BASE_URL;

export default defineConfig({
  testDir: "e2e",
  // Not test-results itself: Playwright empties its output folder, and other suites write there too.
  outputDir: "test-results/e2e-artifacts",
  fullyParallel: false,
  workers: 1,
  forbidOnly: true,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: [["list"], ["json", { outputFile: "test-results/e2e.json" }]],
  globalSetup: "./e2e/fixtures/global-setup.ts",
  globalTeardown: "./e2e/fixtures/global-teardown.ts",
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
  },
  projects: [
    {
      // Creates the administrator through the one-time setup link and adds a second user; every
      // other spec signs in as one of them.
      name: "setup",
      testMatch: /setup\.spec\.ts$/,
      use: { ...chromium() },
    },
    {
      name: "chromium",
      testIgnore: /setup\.spec\.ts$/,
      dependencies: ["setup"],
      use: { ...chromium() },
    },
  ],
});

function chromium() {
  return {
    ...devices["Desktop Chrome"],
    viewport: { width: 1280, height: 800 },
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    },
  };
}
