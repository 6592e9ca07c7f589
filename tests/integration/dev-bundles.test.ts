// The bundles the test runner builds (SECUREDESK_DEV_BUNDLES) are taken only by code running from its
// TypeScript sources: a build of the app ignores the variable, so a script on the workstation that sets
// it cannot make the app start a worker thread or a token bridge of its choosing. And a worker started
// from those bundles answers like one started from the sources.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { build } from 'esbuild';

const ROOT = join(import.meta.dirname, '..', '..');
// Inside the repository: the bundles' native modules resolve from its node_modules.
const dir = mkdtempSync(join(ROOT, 'test-results', 'dev-bundles-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// An "attacker's" directory holding a worker and a bridge that only say who they are.
const planted = join(dir, 'planted');
mkdirSync(join(planted, 'main'), { recursive: true });
mkdirSync(join(planted, 'native'), { recursive: true });
writeFileSync(join(planted, 'main', 'db-worker.js'), "import { parentPort } from 'node:worker_threads'; parentPort.postMessage({ type: 'done', result: 'planted', ms: 0 });\n");
writeFileSync(join(planted, 'native', 'bridge-worker.js'), "process.send({ planted: true });\n");

/** Runs `script` (TypeScript, through tsx) in a child with the variable set; its stdout, parsed. */
function probe(script: string, file: string): unknown {
  writeFileSync(file, script);
  const r = spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8', cwd: ROOT, env: { ...process.env, SECUREDESK_DEV_BUNDLES: planted } });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('a build never takes a worker or a bridge from SECUREDESK_DEV_BUNDLES', async () => {
  const out = join(dir, 'app');
  await build({
    stdin: {
      contents: [
        "import { builtWorker } from './main/core/workerThreads';",
        "import { defaultWorkerPath } from './native/bridge/spawn';",
        "process.stdout.write(JSON.stringify({ worker: builtWorker('db-worker.js'), bridge: defaultWorkerPath() }));",
      ].join('\n'),
      resolveDir: ROOT, loader: 'ts',
    },
    outfile: join(out, 'probe.mjs'), bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'silent',
    external: ['better-sqlite3-multiple-ciphers', 'pkcs11js'],
  });
  const r = spawnSync(process.execPath, [join(out, 'probe.mjs')], { encoding: 'utf8', env: { ...process.env, SECUREDESK_DEV_BUNDLES: planted } });
  assert.equal(r.status, 0, r.stderr);
  const seen = JSON.parse(r.stdout) as { worker: string | null; bridge: string };
  assert.equal(seen.worker, null, 'no db-worker.js beside the bundle: the source, never the planted one');
  assert.equal(seen.bridge, join(out, 'worker.ts'), 'no worker.js beside the bundle: the source path, never the planted one');
});

test('from sources the variable is taken, and the worker it names is the one that runs', () => {
  const seen = probe(
    [
      `import { builtWorker, startWorker } from ${JSON.stringify(join(ROOT, 'main/core/workerThreads.ts'))};`,
      `import { defaultWorkerPath } from ${JSON.stringify(join(ROOT, 'native/bridge/spawn.ts'))};`,
      "const w = startWorker('db-worker.js', () => { throw new Error('the source was asked for'); });",
      "w.once('message', (m) => { process.stdout.write(JSON.stringify({ worker: builtWorker('db-worker.js'), bridge: defaultWorkerPath(), answer: m.result })); void w.terminate(); });",
    ].join('\n'),
    join(dir, 'probe-src.mts'),
  );
  assert.deepEqual(seen, { worker: join(planted, 'main', 'db-worker.js'), bridge: join(planted, 'native', 'bridge-worker.js'), answer: 'planted' });
});
