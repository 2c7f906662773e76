// `npm start`: Berth's production start. Runs the compiled server (scripts/lib/server-bundle.mjs,
// built by `npm run build`, or here when missing or older than a source file) in this process, so
// start-up does not transpile TypeScript. Should the bundle not build (a read-only checkout that
// changed after its image was built), it falls back to running server.ts through tsx, as before.
import path from "node:path";
import { pathToFileURL } from "node:url";
import { buildServerBundle, bundleFile, bundleIsFresh, root } from "./lib/server-bundle.mjs";

let entry = bundleFile;
if (!bundleIsFresh()) {
  try {
    const ms = await buildServerBundle();
    process.stderr.write(`Compiled Berth's server in ${ms} ms (${path.relative(root, bundleFile)}).\n`);
  } catch (err) {
    process.stderr.write(`Could not compile Berth's server (${err instanceof Error ? err.message : String(err)}); running server.ts through tsx.\n`);
    const { register } = await import("tsx/esm/api");
    register();
    entry = path.join(root, "server.ts");
  }
}
await import(pathToFileURL(entry).href);
