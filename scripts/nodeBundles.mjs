// The Node targets of a build, with esbuild: the CLI, the Electron main process, the preload, the token
// bridge and the worker threads, one small bundle each (native modules and electron stay external).
// scripts/build.mjs writes them into dist/ beside the renderer; scripts/test.mjs writes the ones that
// run under plain Node into a directory of its own before the tests, so that the tests' child processes
// and worker threads start from bundles (about 0.7 s against 2.1 s for the CLI) and not through tsx.
import { build } from 'esbuild';
import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const external = ['electron', 'better-sqlite3-multiple-ciphers', 'pkcs11js', 'original-fs'];
// ESM bundles that contain CommonJS dependencies need a real `require`.
const esmBanner = { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" };
// Whitespace and comments out: V8 keeps a bundle's source text in every thread that loads it (the main
// bundle 11.4 → 8.1 MB, the import's file worker 6.2 → 4.4 MB). The source map keeps
// stack traces readable.
const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, minifyWhitespace: true, external, logLevel: 'warning', legalComments: 'none' };
const esm = (entry, outfile) => build({ ...common, entryPoints: [entry], outfile, format: 'esm', banner: esmBanner });

// The worker threads, beside each bundle that starts them (main/core/workerThreads.ts looks there).
const WORKERS = [
  ['main/core/crypto/cryptoWorker.ts', 'crypto-worker.js'], // files through AES-GCM
  ['main/core/db/dbWorker.ts', 'db-worker.js'], // integrity check, one-time rekey, migrations
  ['main/core/import/fileWorker.ts', 'import-worker.js'], // the legacy import's parsing, checks, encryption
  ['main/core/import/writeWorker.ts', 'import-write-worker.js'], // the legacy import's write transactions
];

/**
 * Builds into `out`: cli/securedesk.js, native/bridge-worker.js and the workers with their fonts beside
 * cli/ and main/; with `electron`, main/app.cjs and preload/index.cjs as well.
 */
export async function buildNodeBundles(out, { electron = true } = {}) {
  const jobs = [esm('main/cli/index.ts', join(out, 'cli/securedesk.js')), esm('native/bridge/worker.ts', join(out, 'native/bridge-worker.js'))];
  if (electron) {
    // CommonJS: Electron's main entry (package.json "main") loads it without ESM loader quirks.
    jobs.push(build({ ...common, entryPoints: ['main/app/main.ts'], outfile: join(out, 'main/app.cjs'), format: 'cjs', logOverride: { 'empty-import-meta': 'silent' } }));
    // Sandboxed preloads cannot require npm modules: bundle everything into one CommonJS file.
    jobs.push(build({ ...common, entryPoints: ['preload/index.ts'], outfile: join(out, 'preload/index.cjs'), format: 'cjs', platform: 'browser', external: ['electron'], minify: true }));
  }
  // ESM with a real `require` (package.json says "type": "module", so a .js worker is an ES module).
  for (const dir of ['main', 'cli']) for (const [entry, file] of WORKERS) jobs.push(esm(entry, join(out, dir, file)));
  await Promise.all(jobs);
  // The fonts printouts and register PDFs embed (main/core/print/fonts.ts looks beside the bundle).
  for (const dir of ['main', 'cli']) if (existsSync(join(out, dir))) cpSync('main/core/print/fonts', join(out, dir, 'fonts'), { recursive: true });
}
