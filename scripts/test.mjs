#!/usr/bin/env node
// `npm test`: typecheck, lint, build, then unit + integration tests and the end-to-end tests in
// Chromium, all on node's test runner; ends with one line "N passed, N failed, N skipped".
// First the preflight (preflight.mjs): the Debian packages and node_modules, installed or asked for.
// Nothing here imports an npm package: node_modules may not exist yet.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { preflight } from './preflight.mjs';

const problem = preflight();
if (problem) {
  process.stderr.write(`\npreflight: stopped, no test ran.\n${problem}\n\n`);
  process.exit(1);
}

const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : null;
const want = (stage) => !only || only.includes(stage);
const totals = { passed: 0, failed: 0, skipped: 0 };
let broken = false;

function run(title, cmd, cmdArgs, env = {}) {
  process.stdout.write(`\n=== ${title} ===\n`);
  const t0 = Date.now();
  const res = spawnSync(cmd, cmdArgs, { stdio: 'inherit', env: { ...process.env, ...env } });
  process.stdout.write(`=== ${title}: ${res.status === 0 ? 'ok' : `FAILED (exit ${res.status ?? res.signal})`} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  return res.status === 0;
}

function testFiles(dir) {
  let out = [];
  let entries = [];
  try { entries = readdirSync(dir); } catch { return out; }
  for (const e of entries.sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out = out.concat(testFiles(p));
    else if (e.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

function runTests(title, files, extra = [], env = {}) {
  if (files.length === 0) {
    process.stdout.write(`\n=== ${title}: no test files ===\n`);
    broken = true;
    return;
  }
  mkdirSync('test-results', { recursive: true });
  const tap = join('test-results', `${title.replace(/\W+/g, '-')}.tap`);
  const times = join('test-results', `${title.replace(/\W+/g, '-')}.files.txt`);
  const ok = run(title, process.execPath, [
    '--import', 'tsx', '--test', ...extra,
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`,
    '--test-reporter=./scripts/fileTimes.mjs', `--test-reporter-destination=${times}`,
    ...files,
  ], env);
  try {
    const slowest = readFileSync(times, 'utf8').split('\n').filter(Boolean).slice(0, 15);
    process.stdout.write(`\n--- ${title}: the 15 slowest files (wall time; all in ${times}) ---\n${slowest.join('\n')}\n`);
  } catch { /* no times: the run's own failure says why */ }
  const text = readFileSync(tap, 'utf8');
  const count = (k) => Number(new RegExp(`^# ${k} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  totals.passed += count('pass');
  totals.failed += count('fail') + count('cancelled');
  totals.skipped += count('skipped') + count('todo');
  if (!ok) broken = true;
}

if (want('static')) {
  if (!run('typecheck', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit'])) broken = true;
  if (!run('typecheck renderer', 'npx', ['tsc', '-p', 'renderer/tsconfig.json', '--noEmit'])) broken = true;
  if (!run('lint', 'npx', ['eslint', '--max-warnings=0', '.'])) broken = true;
}
if (want('unit') || want('integration')) {
  const files = [...(want('unit') ? testFiles('tests/unit') : []), ...(want('integration') ? testFiles('tests/integration') : [])];
  // The CLI, the token bridge and the worker threads the tests start, bundled from these sources first:
  // each then starts in a third of the time it takes through tsx (scripts/nodeBundles.mjs).
  const bundles = resolve('test-results', 'bundles');
  if (!run('bundles for the tests', process.execPath, ['-e', `import('./scripts/nodeBundles.mjs').then((m) => m.buildNodeBundles(${JSON.stringify(bundles)}, { electron: false }))`])) broken = true;
  else runTests('unit and integration tests', files, ['--test-concurrency=2'], { SECUREDESK_DEV_BUNDLES: bundles });
}
if (want('e2e')) {
  if (!run('build', process.execPath, ['scripts/build.mjs'])) broken = true;
  else runTests('end-to-end tests (Chromium)', testFiles('tests/e2e'), ['--test-concurrency=1'], { SECUREDESK_DEV_BUNDLES: resolve('dist') });
}

process.stdout.write(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
process.exit(broken || totals.failed > 0 ? 1 : 0);
