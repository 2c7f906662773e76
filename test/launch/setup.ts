// Runs before each launch test file. lib/config.ts reads the environment on the first config()
// call; the suites pass their launch and registry settings explicitly (loadConfig), so only what
// the rest of lib/ reads on its own is set here.
process.env.BERTH_LOG_LEVEL ??= "error";
Object.assign(process.env, { NODE_ENV: "test" });
