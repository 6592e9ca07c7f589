// Starting one of the app's worker threads. A build has the worker's bundle beside its own (dist/main,
// dist/cli: scripts/nodeBundles.mjs). From sources the worker is its TypeScript file, which registers
// the tsx loader itself (workers do not inherit it), unless the test runner built the bundles of these
// same sources first and named their directory in SECUREDESK_DEV_BUNDLES: a worker started through tsx
// costs about 0.45 s of CPU more. A build never reads that variable, so nothing outside the app's
// own files can choose the code a worker runs.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

export type WorkerBundle = 'crypto-worker.js' | 'db-worker.js' | 'import-worker.js' | 'import-write-worker.js';

/** True when this module runs from its TypeScript source (tsx), false inside a bundle. */
const fromSources = (): boolean => typeof __dirname !== 'string' && (import.meta.url ?? '').endsWith('.ts');

/** The bundle to run, or null when the TypeScript source has to be loaded through tsx. */
export function builtWorker(bundle: WorkerBundle): string | null {
  if (!fromSources()) {
    const here = typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url));
    const built = join(here, bundle);
    return existsSync(built) ? built : null;
  }
  const dev = process.env.SECUREDESK_DEV_BUNDLES;
  if (!dev) return null;
  const built = join(dev, 'main', bundle);
  return existsSync(built) ? built : null;
}

/** `source` is the worker's TypeScript file, asked for only when no bundle is found. */
export function startWorker(bundle: WorkerBundle, source: () => URL, options: WorkerOptions = {}): Worker {
  const built = builtWorker(bundle);
  if (built) return new Worker(built, options);
  const url = source();
  return new Worker(`import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`, { ...options, eval: true });
}
