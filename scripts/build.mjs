#!/usr/bin/env node
// Builds every runtime: the renderer with Vite (React, code-split pdf.js, its worker as a file), and
// the main process, the preload, the token bridge and the CLI with esbuild (one small bundle each;
// native modules and electron stay external). Vite for the page, esbuild for Node targets: the
// renderer needs HTML/CSS/asset handling, the others only a fast TypeScript bundle.
import { build } from 'esbuild';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const external = ['electron', 'better-sqlite3-multiple-ciphers', 'pkcs11js', 'original-fs'];
// ESM bundles that contain CommonJS dependencies need a real `require`.
const esmBanner = { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" };
// Whitespace and comments out: V8 keeps a bundle's source text in every thread that loads it (the main
// bundle 11.4 → 8.1 MB, the import's file worker 6.2 → 4.4 MB). The source map keeps
// stack traces readable.
const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, minifyWhitespace: true, external, logLevel: 'warning', legalComments: 'none' };

rmSync('dist', { recursive: true, force: true });

const vite = spawnSync('npx', ['vite', 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn'], { stdio: 'inherit' });
if (vite.status !== 0) process.exit(vite.status ?? 1);

const jobs = [
  build({ ...common, entryPoints: ['main/cli/index.ts'], outfile: 'dist/cli/securedesk.js', format: 'esm', banner: esmBanner }),
];
if (existsSync('main/app/main.ts'))
  // CommonJS: Electron's main entry (package.json "main") loads it without ESM loader quirks.
  jobs.push(build({ ...common, entryPoints: ['main/app/main.ts'], outfile: 'dist/main/app.cjs', format: 'cjs', logOverride: { 'empty-import-meta': 'silent' } }));
if (existsSync('preload/index.ts'))
  // Sandboxed preloads cannot require npm modules: bundle everything into one CommonJS file.
  jobs.push(build({ ...common, entryPoints: ['preload/index.ts'], outfile: 'dist/preload/index.cjs', format: 'cjs', platform: 'browser', external: ['electron'], minify: true }));
// The crypto worker sits next to each bundle that starts it (main process and CLI).
// ESM with a real `require` (package.json says "type": "module", so a .js worker is an ES module).
for (const dir of ['dist/main', 'dist/cli'])
  jobs.push(build({ ...common, entryPoints: ['main/core/crypto/cryptoWorker.ts'], outfile: `${dir}/crypto-worker.js`, format: 'esm', banner: esmBanner }));
// The database worker (integrity check, one-time rekey) the same way, beside the same bundles.
for (const dir of ['dist/main', 'dist/cli'])
  jobs.push(build({ ...common, entryPoints: ['main/core/db/dbWorker.ts'], outfile: `${dir}/db-worker.js`, format: 'esm', banner: esmBanner }));
// The legacy import's worker threads (source parsing, file checks and encryption) the same way.
for (const dir of ['dist/main', 'dist/cli'])
  jobs.push(build({ ...common, entryPoints: ['main/core/import/fileWorker.ts'], outfile: `${dir}/import-worker.js`, format: 'esm', banner: esmBanner }));
// The legacy import's database worker (its write transactions on a connection of its own).
for (const dir of ['dist/main', 'dist/cli'])
  jobs.push(build({ ...common, entryPoints: ['main/core/import/writeWorker.ts'], outfile: `${dir}/import-write-worker.js`, format: 'esm', banner: esmBanner }));
if (existsSync('native/bridge/worker.ts'))
  jobs.push(build({ ...common, entryPoints: ['native/bridge/worker.ts'], outfile: 'dist/native/bridge-worker.js', format: 'esm', banner: esmBanner }));
await Promise.all(jobs);
// The fonts printouts and register PDFs embed (main/core/print/fonts.ts looks beside the bundle).
for (const dir of ['dist/main', 'dist/cli']) if (existsSync(dir)) cpSync('main/core/print/fonts', `${dir}/fonts`, { recursive: true });
process.stdout.write('build: dist/ ready\n');
