#!/usr/bin/env node
// The set-up step in front of `npm test`, `npm run start:browser` and `npm run bench` (and .ci/run,
// which calls `npm test`): it installs what is missing, or stops at once with the one command that
// would install it, instead of letting dozens of tests fail on a missing tool.
//   1. Node.js as package.json's engines asks.
//   2. The Debian packages the tests, the demo and the benchmark use, found by their programs and
//      files. As root with apt-get they are installed; otherwise it stops with the exact command.
//      They come before the npm dependencies: the native modules need the compiler to build.
//   3. The npm dependencies: `npm ci` when node_modules is absent or was installed from another
//      package-lock.json or another Node.js ABI (a stamp in node_modules records both).
// Plain Node.js and no dependencies: it runs before node_modules exists. Nothing to do takes a few
// milliseconds and prints nothing.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const TRIPLET = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' }[process.arch] ?? 'x86_64-linux-gnu';

/**
 * The one list of Debian packages. A package counts as present when all its programs are in PATH
 * and all its files exist. .ci/run and the README point here.
 */
export const SYSTEM_PACKAGES = [
  { name: 'chromium', why: 'the browser of the end-to-end tests and the demo', bins: ['chromium'] },
  { name: 'xvfb', why: 'a display for Chromium when headless is not enough', bins: ['Xvfb'] },
  { name: 'softhsm2', why: 'real PKCS#11 tokens for the tests and the demo', bins: ['softhsm2-util'], files: ['/usr/lib/softhsm/libsofthsm2.so'] },
  { name: 'opensc', why: 'pkcs11-tool, which makes the keys on the test tokens', bins: ['pkcs11-tool'] },
  { name: 'libengine-pkcs11-openssl', why: "OpenSSL's pkcs11 engine: certificate requests signed by the token", files: [`/usr/lib/${TRIPLET}/engines-3/pkcs11.so`] },
  { name: 'fonts-dejavu-core', why: 'Vietnamese glyphs in the PDFs made for the tests and the demo', files: ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf'] },
  { name: 'poppler-utils', why: 'PDF checks; the OCR job reads page counts, text layers and page images with it', bins: ['pdftoppm', 'pdftotext', 'pdfinfo'] },
  { name: 'tesseract-ocr', why: 'OCR of scanned pages (main/core/ocr)', bins: ['tesseract'] },
  { name: 'tesseract-ocr-vie', why: "Tesseract's Vietnamese data", files: ['/usr/share/tesseract-ocr/*/tessdata/vie.traineddata'] },
  { name: 'libnss3-tools', why: "certutil and pk12util: the NSS database pdfsig trusts the test CA from, and pdfsig's own signer for the PAdES tests", bins: ['certutil', 'pk12util'] },
  { name: 'build-essential', why: 'node-gyp builds the native modules; tests compile fake token drivers', bins: ['make', 'cc', 'g++'] },
  { name: 'python3', why: 'node-gyp', bins: ['python3'] },
  { name: 'openssl', why: 'the test CA and the interoperability checks', bins: ['openssl'] },
  { name: 'xmlsec1', why: "the oracle for the edXML packets' XML-DSig signatures", bins: ['xmlsec1'] },
  { name: 'time', why: "/usr/bin/time measures the benchmark's peak memory", files: ['/usr/bin/time'] },
  { name: 'ca-certificates', why: 'TLS for the npm and node-gyp downloads', files: ['/etc/ssl/certs/ca-certificates.crt'] },
  // The server's version is in its path (/usr/lib/postgresql/15/bin on Debian 12): `*` matches any one folder.
  { name: 'postgresql', why: "the agency server's production storage: its tests start a real PostgreSQL (initdb, pg_ctl)", files: ['/usr/lib/postgresql/*/bin/initdb', '/usr/lib/postgresql/*/bin/pg_ctl'], user: 'postgres' },
];

/** The stamp npm never writes: what node_modules was last installed from. */
export const STAMP = '.securedesk-preflight.json';

/** The executable called name in a PATH string, or null. */
export function findExecutable(name, pathEnv) {
  for (const dir of (pathEnv ?? '').split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, name);
    try {
      if (statSync(file).isFile()) {
        accessSync(file, constants.X_OK);
        return file;
      }
    } catch { /* not in this folder */ }
  }
  return null;
}

/** Whether a file exists under fsRoot; a path segment `*` matches any folder (a version number). */
export function fileExists(fsRoot, path) {
  const parts = path.split('/').filter(Boolean);
  const walk = (dir, i) => {
    if (i === parts.length - 1) {
      try { return statSync(join(dir, parts[i])).isFile(); } catch { return false; }
    }
    if (parts[i] !== '*') return walk(join(dir, parts[i]), i + 1);
    let names = [];
    try { names = readdirSync(dir); } catch { return false; }
    return names.some((n) => walk(join(dir, n), i + 1));
  };
  return walk(fsRoot, 0);
}

/** Whether a system user exists (getent passwd). */
export function userExists(name) {
  return spawnSync('getent', ['passwd', name], { stdio: 'ignore' }).status === 0;
}

/**
 * The packages of list that are missing, each with what was not found. pathEnv is the PATH to
 * search, fsRoot the folder the packages' absolute files are looked up under ('/' for real).
 */
export function missingPackages({ pathEnv = process.env.PATH, fsRoot = '/', list = SYSTEM_PACKAGES } = {}) {
  const missing = [];
  for (const pkg of list) {
    const absent = [
      ...(pkg.bins ?? []).filter((b) => !findExecutable(b, pathEnv)),
      ...(pkg.files ?? []).filter((f) => !fileExists(fsRoot, f)),
    ];
    if (absent.length > 0) missing.push({ ...pkg, absent });
  }
  return missing;
}

/**
 * What to do about missing packages: nothing; install them (root with apt-get: the commands to
 * run, in order); or stop with a message that ends with the exact command for a person to run.
 */
export function planSystem({ missing, isRoot, hasAptGet, hasSudo }) {
  if (missing.length === 0) return { action: 'none' };
  const names = missing.map((p) => p.name);
  const update = ['apt-get', 'update'];
  const install = ['apt-get', 'install', '-y', '--no-install-recommends', ...names];
  if (isRoot && hasAptGet) return { action: 'install', packages: names, commands: [update, install] };
  const sudo = !isRoot && hasSudo ? 'sudo ' : '';
  const command = `${sudo}${update.join(' ')} && ${sudo}${install.join(' ')}`;
  const width = Math.max(...names.map((n) => n.length));
  const lines = missing.map((p) => `  ${p.name.padEnd(width)}  ${p.why} (missing: ${p.absent.join(', ')})`);
  const how = !hasAptGet
    ? 'This system has no apt-get: install the equivalents of these Debian packages. On Debian the command is:'
    : isRoot || hasSudo
      ? 'Install them with this command, then run yours again:'
      : 'Install them as root with this command, then run yours again:';
  return {
    action: 'stop',
    packages: names,
    command,
    message: ['The tests and the demo need Debian packages that are not installed:', ...lines, how, `  ${command}`].join('\n'),
  };
}

/** Node.js's version against a ">=X.Y[.Z]" engines range; null when it satisfies it. */
export function nodeVersionProblem(range, version = process.versions.node) {
  const want = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec((range ?? '').trim());
  if (!want) return null;
  const have = version.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const w = Number(want[i + 1] ?? 0);
    const h = have[i] ?? 0;
    if (h > w) return null;
    if (h < w) return `Node.js ${range} is needed (package.json "engines"); this is ${version}. Install a newer Node.js, then run your command again.`;
  }
  return null;
}

/** What node_modules was installed from, as the stamp records it. */
export function expectedStamp(projectDir, abi = `${process.versions.modules}-${process.platform}-${process.arch}`) {
  const lock = readFileSync(join(projectDir, 'package-lock.json'));
  return { lock: createHash('sha256').update(lock).digest('hex'), abi };
}

/**
 * Whether node_modules fits package-lock.json: 'ok', 'absent', 'stale', or 'shared-stale' (stale
 * but a link to another checkout's node_modules, which is not ours to reinstall). With a stamp,
 * only its hashes count: npm also rewrites its own node_modules/.package-lock.json without
 * installing (`npm install --package-lock-only`), so that file's age proves nothing. Without a
 * stamp (installed by hand before the preflight existed) it trusts an npm install newer than the
 * lock, and `adopt` says to stamp it.
 */
export function installState(projectDir, abi) {
  const want = expectedStamp(projectDir, abi);
  const nm = join(projectDir, 'node_modules');
  let shared;
  try { shared = lstatSync(nm).isSymbolicLink(); } catch { return { state: 'absent', reason: 'node_modules is absent', want }; }
  let have = null;
  try { have = JSON.parse(readFileSync(join(nm, STAMP), 'utf8')); } catch { /* installed by hand, or never */ }
  let reason = null;
  if (have) {
    if (have.lock !== want.lock) reason = 'package-lock.json changed since the last install';
    else if (have.abi !== want.abi) reason = `Node.js changed since the last install (ABI ${have.abi}, now ${want.abi})`;
  } else {
    let hidden = null;
    try { hidden = statSync(join(nm, '.package-lock.json')).mtimeMs; } catch { /* no npm install finished here */ }
    if (hidden === null) reason = 'node_modules was not installed by npm from package-lock.json';
    else if (statSync(join(projectDir, 'package-lock.json')).mtimeMs > hidden) reason = 'package-lock.json is newer than node_modules';
  }
  if (reason) return { state: shared ? 'shared-stale' : 'stale', reason, want };
  return { state: 'ok', adopt: !have && !shared, want };
}

/** Records what node_modules was installed from. */
export function writeStamp(projectDir, stamp) {
  // A project without dependencies gets no node_modules from npm.
  mkdirSync(join(projectDir, 'node_modules'), { recursive: true });
  writeFileSync(join(projectDir, 'node_modules', STAMP), `${JSON.stringify(stamp)}\n`);
}

/** A reason to stop that a person can act on (no stack trace). */
export class PreflightStop extends Error {}

function run(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (res.status !== 0) {
    const how = res.error ? res.error.message : `exit ${res.status ?? res.signal}`;
    throw new PreflightStop(`${[cmd, ...args].join(' ')} failed (${how}); see its output above.`);
  }
}

function systemStep({ pathEnv, fsRoot, isRoot, log }) {
  if (process.platform !== 'linux') {
    log(`preflight: not Linux (${process.platform}); the Debian packages are not checked.`);
    return;
  }
  const missing = missingPackages({ pathEnv, fsRoot });
  const plan = planSystem({ missing, isRoot, hasAptGet: !!findExecutable('apt-get', pathEnv), hasSudo: !!findExecutable('sudo', pathEnv) });
  if (plan.action === 'none') return;
  if (plan.action === 'stop') throw new PreflightStop(plan.message);
  log(`preflight: installing Debian packages: ${plan.packages.join(' ')}`);
  for (const p of missing) log(`  ${p.name}: ${p.why}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const [cmd, ...args] of plan.commands) {
    log(`preflight: ${[cmd, ...args].join(' ')}`);
    run(cmd, args, { env, stdio: ['ignore', 'inherit', 'inherit'] });
  }
  const still = missingPackages({ pathEnv, fsRoot });
  if (still.length > 0)
    throw new PreflightStop(`apt-get finished but these are still missing: ${still.map((p) => `${p.name} (${p.absent.join(', ')})`).join('; ')}.`);
  // postgresql-common makes the `postgres` user; a minimal image without it gets one here (the
  // tests run initdb and pg_ctl as that user: PostgreSQL refuses root).
  for (const p of missing) {
    if (!p.user || userExists(p.user)) continue;
    log(`preflight: creating the system user ${p.user} (${p.name})`);
    run('useradd', ['--system', '--user-group', '--home-dir', `/var/lib/${p.user}`, '--shell', '/bin/bash', p.user], { stdio: ['ignore', 'inherit', 'inherit'] });
  }
}

/** Step 3: (re)installs node_modules with `npm ci` when it does not fit package-lock.json. */
export function ensureNodeModules({ projectDir = PROJECT_DIR, log = (line) => process.stdout.write(`${line}\n`) } = {}) {
  let st;
  try { st = installState(projectDir); } catch (e) {
    throw new PreflightStop(`Cannot read ${join(projectDir, 'package-lock.json')}: ${e.message}. It is part of the repository; restore it.`);
  }
  if (st.state === 'ok') {
    if (st.adopt) writeStamp(projectDir, st.want);
    return;
  }
  if (st.state === 'shared-stale') {
    log(`preflight: warning: ${st.reason}, but node_modules links to another checkout's install; not reinstalling it from here.`);
    return;
  }
  log(`preflight: ${st.reason}: npm ci`);
  // Under `npm test` npm_execpath is the npm that runs us: use the same one.
  const npm = process.env.npm_execpath && /npm-cli\.js$/.test(process.env.npm_execpath)
    ? [process.execPath, process.env.npm_execpath] : ['npm'];
  // Electron's binary cannot be downloaded here; its package brings the types, which is all we use.
  const env = { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' };
  run(npm[0], [...npm.slice(1), 'ci', '--no-audit', '--no-fund'], { cwd: projectDir, env, shell: process.platform === 'win32' });
  writeStamp(projectDir, st.want);
}

/**
 * Runs the three steps. Returns null when the project is ready, else the message that says why
 * not (and what to run). The options exist for the tests.
 */
export function preflight({
  projectDir = PROJECT_DIR,
  pathEnv = process.env.PATH,
  fsRoot = '/',
  isRoot = process.getuid?.() === 0,
  log = (line) => process.stdout.write(`${line}\n`),
} = {}) {
  const t0 = Date.now();
  let acted = false;
  const say = (line) => { acted = true; log(line); };
  try {
    const pkg = JSON.parse(readFileSync(join(projectDir, 'package.json'), 'utf8'));
    const nodeProblem = nodeVersionProblem(pkg.engines?.node);
    if (nodeProblem) throw new PreflightStop(nodeProblem);
    systemStep({ pathEnv, fsRoot, isRoot, log: say });
    ensureNodeModules({ projectDir, log: say });
  } catch (e) {
    if (e instanceof PreflightStop) return e.message;
    throw e;
  }
  if (acted) log(`preflight: ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return null;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const problem = preflight();
  if (problem) {
    process.stderr.write(`\npreflight: stopped.\n${problem}\n\n`);
    process.exit(1);
  }
}
