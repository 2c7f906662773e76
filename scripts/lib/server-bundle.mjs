// Berth's own server (server.ts and the lib/ it imports) compiled once into one ES module, so that
// a production start runs plain JavaScript instead of transpiling some hundred TypeScript files
// with tsx on every start. Packages stay external (node_modules, as installed); only the
// repository's own TypeScript is bundled. Built by `npm run build` and, when missing or older than
// any source file, by scripts/start.mjs before it starts Berth.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

export const root = path.resolve(import.meta.dirname, "../..");
// Two folders below the root, like lib/db/: code that finds the repository with
// import.meta.dirname + "../.." behaves the same bundled or not.
export const bundleDir = path.join(root, ".next", "berth-server");
export const bundleFile = path.join(bundleDir, "server.mjs");
const stampFile = path.join(bundleDir, "sources.json");

const SOURCE = /\.(ts|mts)$/;
const SKIP = /(\.test\.ts|\.d\.ts)$/;

function newestSource() {
  let newest = statSync(path.join(root, "server.ts")).mtimeMs;
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (SOURCE.test(e.name) && !SKIP.test(e.name)) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  walk(path.join(root, "lib"));
  for (const f of ["package.json", "tsconfig.json", "scripts/lib/server-bundle.mjs"]) newest = Math.max(newest, statSync(path.join(root, f)).mtimeMs);
  return newest;
}

/** Whether the bundle exists and no source file changed since it was built. */
export function bundleIsFresh() {
  if (!existsSync(bundleFile) || !existsSync(stampFile)) return false;
  try {
    const stamp = JSON.parse(readFileSync(stampFile, "utf8"));
    return stamp.newest >= newestSource();
  } catch {
    return false;
  }
}

// import.meta.url / import.meta.dirname keep meaning "this source file" inside the bundle: each is
// rewritten to the file's place relative to the bundle, resolved at run time (so the checkout can
// move). lib/generated (Prisma's client) and lib/db/installation.ts rely on it.
function importMetaPlugin(outDir) {
  return {
    name: "berth-import-meta",
    setup(build) {
      build.onLoad({ filter: /\.(ts|mts)$/ }, (args) => {
        if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        let contents = readFileSync(args.path, "utf8");
        if (contents.includes("import.meta.")) {
          const relDir = path.relative(outDir, path.dirname(args.path)).split(path.sep).join("/");
          const dir = `__berthPath.join(import.meta.dirname, ${JSON.stringify(relDir)})`;
          contents = contents
            .replaceAll("import.meta.dirname", dir)
            .replaceAll("import.meta.filename", `__berthPath.join(${dir}, ${JSON.stringify(path.basename(args.path))})`)
            .replaceAll("import.meta.url", `__berthUrl.pathToFileURL(__berthPath.join(${dir}, ${JSON.stringify(path.basename(args.path))})).href`);
        }
        return { contents, loader: "ts" };
      });
    },
  };
}

// @kubernetes/client-node takes seconds to load (thousands of generated API models), and a Berth on
// the local runtime never calls it; static imports would load it at every start. In the bundle, the
// package is a stand-in whose classes load the real one on first use (require of an ES module,
// Node >= 20.19): \`new\`, static members and \`instanceof\` all reach the real class.
const LAZY_KUBE_NAMES = ["ApiException", "BatchV1Api", "CoreV1Api", "KubeConfig", "Watch"];
function lazyKubernetesPlugin() {
  const lazy = `import { createRequire } from "node:module";
const load = () => (globalThis.__berthKube ??= createRequire(import.meta.url)("@kubernetes/client-node"));
const lazyClass = (name) => new Proxy(function () {}, {
  construct: (_t, args, nt) => Reflect.construct(load()[name], args, nt === _t ? load()[name] : nt),
  get: (_t, key) => (key === Symbol.hasInstance ? (v) => v instanceof load()[name] : Reflect.get(load()[name], key)),
  apply: (_t, self, args) => Reflect.apply(load()[name], self, args),
});
${LAZY_KUBE_NAMES.map((n) => `export const ${n} = lazyClass(${JSON.stringify(n)});`).join("\n")}
`;
  return {
    name: "berth-lazy-kubernetes",
    setup(build) {
      build.onResolve({ filter: /^@kubernetes\/client-node$/ }, (args) => (args.pluginData === "real" ? undefined : { path: "lazy-kubernetes", namespace: "berth-lazy" }));
      build.onLoad({ filter: /.*/, namespace: "berth-lazy" }, () => ({ contents: lazy, loader: "js", resolveDir: root }));
    },
  };
}

/**
 * Builds the bundle (esbuild, which tsx already brings); returns how long it took in ms. `outDir`
 * (tests) must also be two folders below the repository's root.
 */
export async function buildServerBundle(outDir = bundleDir) {
  const t = Date.now();
  const outFile = path.join(outDir, "server.mjs");
  const newest = newestSource();
  const { build } = await import("esbuild");
  const out = await build({
    write: false,
    entryPoints: [path.join(root, "server.ts")],
    outfile: outFile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    tsconfig: path.join(root, "tsconfig.json"),
    sourcemap: "linked",
    logLevel: "warning",
    banner: { js: 'import __berthPath from "node:path"; import __berthUrl from "node:url";' },
    plugins: [lazyKubernetesPlugin(), importMetaPlugin(outDir)],
  });
  // Written beside and renamed into place: Berths starting at the same time (tests start several)
  // may build at once, and none may import a half-written file.
  mkdirSync(outDir, { recursive: true });
  for (const f of out.outputFiles) {
    const tmp = `${f.path}.${process.pid}.tmp`;
    writeFileSync(tmp, f.contents);
    renameSync(tmp, f.path);
  }
  writeFileSync(path.join(outDir, "sources.json"), JSON.stringify({ newest, builtAt: new Date().toISOString() }));
  return Date.now() - t;
}
