import { announceInstance } from "../../lib/db/installation";

// Stands in for a running Berth in the CLI's tests: announces itself exactly as lib/server/main.ts
// does at start (same function, same records), then waits to be stopped.
// Usage: tsx test/helpers/announce-berth.ts <installationId> <dataDir> <database> <external: 0|1>
const [installationId, dataDir, database, external] = process.argv.slice(2);
announceInstance({ installationId, dataDir, database, external: external === "1" });
process.stdout.write("announced\n");
setInterval(() => undefined, 60_000);
process.on("SIGTERM", () => process.exit(0));
