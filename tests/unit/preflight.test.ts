// The preflight (scripts/preflight.mjs) on made-up machines: a PATH folder with only some of the
// programs, a file tree with only some of the files, root or not. It never runs apt-get here: the
// root case is checked on the plan it would run. The npm step runs the real `npm ci` on a small
// project whose only dependency is a local folder (no network).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  ensureNodeModules, expectedStamp, fileExists, findExecutable, installState, missingPackages, nodeVersionProblem, planSystem,
  preflight, PROJECT_DIR, STAMP, SYSTEM_PACKAGES, writeStamp,
} from '../../scripts/preflight.mjs';

let dir: string;
/** A PATH folder holding these executables (and pkcs11-tool as a file that is not executable). */
let binDir: string;
const PRESENT_BINS = ['chromium', 'Xvfb', 'softhsm2-util', 'make', 'cc', 'g++', 'python3', 'openssl', 'apt-get', 'certutil', 'pk12util', 'xmlsec1', 'tesseract'];

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'securedesk-preflight-'));
  chmodSync(dir, 0o755);
  binDir = join(dir, 'bin');
  mkdirSync(binDir);
  for (const b of PRESENT_BINS) writeFileSync(join(binDir, b), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  writeFileSync(join(binDir, 'pkcs11-tool'), 'not executable', { mode: 0o644 });
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** A file tree with the given absolute paths present under it. */
function fsTree(name: string, files: string[]): string {
  const root = join(dir, name);
  for (const f of files) {
    mkdirSync(dirname(join(root, f)), { recursive: true });
    writeFileSync(join(root, f), '');
  }
  return root;
}
const allFiles = SYSTEM_PACKAGES.flatMap((p) => p.files ?? []);

describe('system packages', () => {
  test('finds executables only, in PATH order', () => {
    assert.equal(findExecutable('chromium', `/nonexistent:${binDir}`), join(binDir, 'chromium'));
    assert.equal(findExecutable('pkcs11-tool', binDir), null, 'a file without the x bit is not a program');
    assert.equal(findExecutable('chromium', ''), null);
    assert.equal(findExecutable('chromium', undefined), null);
  });

  test('names each missing package with what is absent', () => {
    const fonts = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
    const root = fsTree('some-files', allFiles.filter((f) => f !== fonts));
    const missing = missingPackages({ pathEnv: binDir, fsRoot: root });
    assert.deepEqual(missing.map((p) => [p.name, p.absent]), [
      ['opensc', ['pkcs11-tool']],
      ['fonts-dejavu-core', [fonts]],
      ['poppler-utils', ['pdftoppm', 'pdftotext', 'pdfinfo']],
    ]);
  });

  test('a `*` in a file path matches any one folder (PostgreSQL keeps its version in the path)', () => {
    const root = fsTree('pg-15', ['/usr/lib/postgresql/15/bin/initdb']);
    assert.equal(fileExists(root, '/usr/lib/postgresql/*/bin/initdb'), true);
    assert.equal(fileExists(root, '/usr/lib/postgresql/*/bin/pg_ctl'), false);
    assert.equal(fileExists(fsTree('pg-none', ['/usr/lib/other/x']), '/usr/lib/postgresql/*/bin/initdb'), false);
    const noPg = fsTree('no-postgres', allFiles.filter((f) => !f.includes('postgresql')));
    assert.deepEqual(missingPackages({ pathEnv: binDir, fsRoot: noPg }).find((p) => p.name === 'postgresql')?.absent, ['/usr/lib/postgresql/*/bin/initdb', '/usr/lib/postgresql/*/bin/pg_ctl']);
  });

  test("OCR: Tesseract's program and its Vietnamese data are each required", () => {
    const vie = '/usr/share/tesseract-ocr/*/tessdata/vie.traineddata';
    const root = fsTree('no-vie', allFiles.filter((f) => f !== vie));
    assert.deepEqual(missingPackages({ pathEnv: binDir, fsRoot: root }).find((p) => p.name === 'tesseract-ocr-vie')?.absent, [vie]);
    assert.equal(fileExists(fsTree('vie-5', ['/usr/share/tesseract-ocr/5/tessdata/vie.traineddata']), vie), true);
    const noTesseract = join(dir, 'bin-no-tesseract');
    mkdirSync(noTesseract, { recursive: true });
    assert.deepEqual(missingPackages({ pathEnv: noTesseract, fsRoot: root }).find((p) => p.name === 'tesseract-ocr')?.absent, ['tesseract']);
  });

  test('a package with its program but without its library is missing', () => {
    const root = fsTree('no-softhsm-lib', allFiles.filter((f) => !f.includes('softhsm')));
    const missing = missingPackages({ pathEnv: binDir, fsRoot: root });
    assert.deepEqual(missing.find((p) => p.name === 'softhsm2')?.absent, ['/usr/lib/softhsm/libsofthsm2.so']);
  });

  test('nothing missing: nothing to do', () => {
    assert.deepEqual(planSystem({ missing: [], isRoot: false, hasAptGet: true, hasSudo: true }), { action: 'none' });
  });

  const missing = () => missingPackages({ pathEnv: binDir, fsRoot: fsTree('all-files', allFiles) });

  test('root with apt-get: plans apt-get update, then the install of exactly the missing packages', () => {
    const plan = planSystem({ missing: missing(), isRoot: true, hasAptGet: true, hasSudo: false });
    assert.deepEqual(plan, {
      action: 'install',
      packages: ['opensc', 'poppler-utils'],
      commands: [['apt-get', 'update'], ['apt-get', 'install', '-y', '--no-install-recommends', 'opensc', 'poppler-utils']],
    });
  });

  test('not root, with sudo: stops with the sudo command', () => {
    const plan = planSystem({ missing: missing(), isRoot: false, hasAptGet: true, hasSudo: true });
    assert.equal(plan.action, 'stop');
    if (plan.action !== 'stop') return;
    assert.equal(plan.command, 'sudo apt-get update && sudo apt-get install -y --no-install-recommends opensc poppler-utils');
    assert.ok(plan.message.endsWith(`\n  ${plan.command}`), plan.message);
    assert.match(plan.message, /opensc +pkcs11-tool, which makes the keys on the test tokens \(missing: pkcs11-tool\)/);
  });

  test('not root, no sudo: the command is to be run as root', () => {
    const plan = planSystem({ missing: missing(), isRoot: false, hasAptGet: true, hasSudo: false });
    assert.ok(plan.action === 'stop');
    assert.equal(plan.command, 'apt-get update && apt-get install -y --no-install-recommends opensc poppler-utils');
    assert.match(plan.message, /as root/);
  });

  test('root without apt-get (not Debian): stops, names the Debian packages', () => {
    const plan = planSystem({ missing: missing(), isRoot: true, hasAptGet: false, hasSudo: false });
    assert.ok(plan.action === 'stop');
    assert.match(plan.message, /no apt-get/);
    assert.ok(plan.message.includes('apt-get install -y --no-install-recommends opensc poppler-utils'));
  });

  test('preflight() as a non-root user stops before touching node_modules', () => {
    const project = join(dir, 'project-nonroot');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'p', version: '1.0.0', engines: { node: '>=20' } }));
    const logged: string[] = [];
    const problem = preflight({ projectDir: project, pathEnv: binDir, fsRoot: fsTree('all-files', allFiles), isRoot: false, log: (l) => logged.push(l) });
    assert.ok(problem);
    assert.ok(problem.endsWith('\n  apt-get update && apt-get install -y --no-install-recommends opensc poppler-utils'), problem);
    assert.deepEqual(logged, []);
    assert.throws(() => readFileSync(join(project, 'node_modules', STAMP)), /ENOENT/);
  });

  test('the script exits 1 at once with the exact command (real process, PATH without the programs)', () => {
    // As root the script would install; run it as nobody, as a developer without root would.
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const t0 = Date.now();
    const res = spawnSync(process.execPath, [join(PROJECT_DIR, 'scripts', 'preflight.mjs')], {
      env: { PATH: binDir, HOME: dir }, encoding: 'utf8', ...asUser,
    });
    const expected = planSystem({ missing: missingPackages({ pathEnv: binDir }), isRoot: false, hasAptGet: true, hasSudo: false });
    assert.ok(expected.action === 'stop');
    assert.equal(res.status, 1, res.stderr);
    assert.equal(res.stdout, '');
    assert.ok(res.stderr.includes(`\n  ${expected.command}\n`), res.stderr);
    assert.ok(expected.command.includes(' opensc poppler-utils'), 'the packages whose programs are not in PATH are named');
    assert.ok(Date.now() - t0 < 5000, 'stops at once');
  });
});

describe('Node.js version', () => {
  test('checks the engines range', () => {
    assert.match(nodeVersionProblem('>=20.19', '20.18.1') ?? '', /Node\.js >=20\.19 is needed .* this is 20\.18\.1/);
    assert.match(nodeVersionProblem('>=20.19', '18.19.0') ?? '', /needed/);
    assert.equal(nodeVersionProblem('>=20.19', '20.19.0'), null);
    assert.equal(nodeVersionProblem('>=20.19', '22.1.0'), null);
    assert.equal(nodeVersionProblem(undefined, '1.0.0'), null);
  });
});

describe('node_modules', () => {
  const ABI = 'abi-1';
  function project(name: string): string {
    const p = join(dir, name);
    mkdirSync(p);
    writeFileSync(join(p, 'package-lock.json'), '{"lockfileVersion":3}\n');
    return p;
  }

  test('absent, then fresh after a stamped install', () => {
    const p = project('nm-absent');
    assert.equal(installState(p, ABI).state, 'absent');
    writeStamp(p, expectedStamp(p, ABI));
    assert.equal(installState(p, ABI).state, 'ok');
  });

  test('stale when package-lock.json changed, or Node.js ABI changed', () => {
    const p = project('nm-stale');
    writeStamp(p, expectedStamp(p, ABI));
    assert.deepEqual(installState(p, 'abi-2'), { state: 'stale', reason: 'Node.js changed since the last install (ABI abi-1, now abi-2)', want: expectedStamp(p, 'abi-2') });
    writeFileSync(join(p, 'package-lock.json'), '{"lockfileVersion":3,"changed":true}\n');
    const st = installState(p, ABI);
    assert.equal(st.state, 'stale');
    assert.equal(st.state === 'stale' && st.reason, 'package-lock.json changed since the last install');
  });

  test('without a stamp: trusts an npm install newer than the lock, else stale', () => {
    const p = project('nm-nostamp');
    mkdirSync(join(p, 'node_modules'));
    assert.equal(installState(p, ABI).state, 'stale', 'no hidden lockfile: npm never finished here');
    const hidden = join(p, 'node_modules', '.package-lock.json');
    writeFileSync(hidden, '{}');
    const lock = join(p, 'package-lock.json');
    utimesSync(hidden, new Date(2026, 0, 2), new Date(2026, 0, 2));
    utimesSync(lock, new Date(2026, 0, 1), new Date(2026, 0, 1));
    assert.deepEqual(installState(p, ABI), { state: 'ok', adopt: true, want: expectedStamp(p, ABI) });
    utimesSync(lock, new Date(2026, 0, 3), new Date(2026, 0, 3));
    const st = installState(p, ABI);
    assert.equal(st.state === 'stale' && st.reason, 'package-lock.json is newer than node_modules');
  });

  test('with a stamp, a changed lock is stale even when npm rewrote its own .package-lock.json', () => {
    // `npm install --package-lock-only` rewrites node_modules/.package-lock.json without installing.
    const p = project('nm-lock-only');
    writeStamp(p, expectedStamp(p, ABI));
    writeFileSync(join(p, 'package-lock.json'), '{"lockfileVersion":3,"x":true}\n');
    writeFileSync(join(p, 'node_modules', '.package-lock.json'), '{}');
    const st = installState(p, ABI);
    assert.equal(st.state === 'stale' && st.reason, 'package-lock.json changed since the last install');
  });

  test("a linked node_modules (another checkout's) is never adopted or reinstalled", () => {
    const other = project('nm-shared-target');
    writeStamp(other, expectedStamp(other, ABI));
    const p = project('nm-shared');
    symlinkSync(join(other, 'node_modules'), join(p, 'node_modules'));
    assert.equal(installState(p, ABI).state, 'ok');
    writeFileSync(join(p, 'package-lock.json'), '{"lockfileVersion":3,"other":true}\n');
    assert.equal(installState(p, ABI).state, 'shared-stale');
    const logged: string[] = [];
    ensureNodeModules({ projectDir: p, log: (l) => logged.push(l) });
    assert.match(logged.join('\n'), /links to another checkout's install; not reinstalling/);
    assert.deepEqual(JSON.parse(readFileSync(join(other, 'node_modules', STAMP), 'utf8')), expectedStamp(other, ABI));
  });

  test('runs npm ci when absent and again when the lock changes, then stamps', () => {
    const p = join(dir, 'nm-real');
    mkdirSync(join(p, 'dep'), { recursive: true });
    writeFileSync(join(p, 'dep', 'package.json'), JSON.stringify({ name: 'dep', version: '1.0.0' }));
    const writePkg = (version: string) =>
      writeFileSync(join(p, 'package.json'), JSON.stringify({ name: 'nm-real', version, private: true, dependencies: { dep: 'file:dep' } }));
    writePkg('1.0.0');
    const npm = (...args: string[]) => {
      const r = spawnSync('npm', args, { cwd: p, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    };
    npm('install', '--package-lock-only', '--no-audit', '--no-fund');

    const logged: string[] = [];
    const log = (l: string) => logged.push(l);
    ensureNodeModules({ projectDir: p, log });
    assert.deepEqual(logged, ['preflight: node_modules is absent: npm ci']);
    assert.equal(readFileSync(join(p, 'node_modules', 'dep', 'package.json'), 'utf8').includes('"dep"'), true);
    assert.equal(installState(p).state, 'ok');

    logged.length = 0;
    ensureNodeModules({ projectDir: p, log });
    assert.deepEqual(logged, [], 'nothing to do');

    writePkg('1.0.1');
    npm('install', '--package-lock-only', '--no-audit', '--no-fund');
    assert.equal(installState(p).state, 'stale');
    ensureNodeModules({ projectDir: p, log });
    assert.deepEqual(logged, ['preflight: package-lock.json changed since the last install: npm ci']);
    assert.deepEqual(JSON.parse(readFileSync(join(p, 'node_modules', STAMP), 'utf8')), expectedStamp(p));
  });
});
