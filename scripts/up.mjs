// `npm run up`: from a fresh clone to Berth on http://localhost:3000 with the embedded database,
// the local runtime and local accounts. Migrations are applied by the server as it starts.
import { spawn } from "node:child_process";
import { ensureDebianPackages, ensureNpmDependencies, must, root } from "./lib/system.mjs";

ensureNpmDependencies();
// The local runtime runs servers with Jupyter; without it Berth starts but servers cannot.
ensureDebianPackages({ "jupyter-notebook": "jupyter-notebook", "/usr/lib/python3/dist-packages/ipykernel": "python3-ipykernel", "/usr/lib/python3/dist-packages/pip": "python3-pip", "/usr/share/doc/python3-venv": "python3-venv" }, "Starting notebook servers and building launched repositories");
console.log("▸ Building");
must("npx", ["next", "build"], { env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
must("node", ["scripts/build-server.mjs"]);
console.log("▸ Starting Berth");
// The compiled server (scripts/start.mjs, what `npm start` runs): no TypeScript to transpile at start.
const child = spawn(process.execPath, ["scripts/start.mjs"], { cwd: root, stdio: "inherit", env: { ...process.env, NODE_ENV: "production" } });
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code) => process.exit(code ?? 0));
