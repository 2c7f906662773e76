// `prisma generate` needs no engine, but the CLI insists on a schema-engine path it can find.
// Pointing it at /bin/false keeps generation offline; the generated client uses the WASM
// query compiler with a driver adapter, so nothing native is needed at run time.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY) env.PRISMA_SCHEMA_ENGINE_BINARY = existsSync("/bin/false") ? "/bin/false" : "false";
const cli = new URL("../node_modules/prisma/build/index.js", import.meta.url);
if (!existsSync(cli)) {
  console.log("prisma CLI not installed (production install): using the committed generated client");
  process.exit(0);
}
const r = spawnSync(process.execPath, [cli.pathname, "generate"], { stdio: "inherit", env });
process.exit(r.status ?? 1);
