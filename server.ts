import path from "node:path";
import { config } from "./lib/config";
import { main } from "./lib/server/main";

const dev = process.argv.includes("--dev");
// next-auth reads these two from the environment; derive them from Berth's own settings.
process.env.NEXTAUTH_URL ??= config().publicUrl;
process.env.NEXT_TELEMETRY_DISABLED = "1";

main({ dev, dir: path.dirname(new URL(import.meta.url).pathname) }).catch((err: Error) => {
  process.stderr.write(`Berth could not start: ${err.message}\n`);
  process.exit(1);
});
