// Part of `npm run build` (after `next build`): compiles Berth's server for scripts/start.mjs.
import path from "node:path";
import { buildServerBundle, bundleFile, root } from "./lib/server-bundle.mjs";

const ms = await buildServerBundle();
console.log(`Compiled Berth's server in ${ms} ms (${path.relative(root, bundleFile)}).`);
