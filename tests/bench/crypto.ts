// Figure 4: envelopes and signatures. A file of N MB (default 200) encrypted and decrypted by the
// core (encryptFileOffThread / decryptFileOffThread: CMS AuthEnvelopedData, AES-256-GCM streamed on
// a worker thread) next to `openssl cms -encrypt` / `-decrypt` on the same file in the same run;
// decryption with a software key and with the SoftHSM key 'an-enc' through the real token bridge;
// CAdES-BES detached signatures per second on SoftHSM (RSA 2048, EC P-256) and with software keys.
//
// Every operation runs in a process of its own (ours: cryptoChild.ts bundled by esbuild, on plain
// node, as the app ships), under /usr/bin/time, so its peak RSS is its own. Encryption and
// decryption rounds alternate which side goes first; each figure is the median of the rounds. A
// global `sync` (untimed) before each run keeps one run's dirty pages out of the next run's time.
// The work is checked: every decrypted output of the last round equals the original bytes, openssl
// decrypts our envelope (that is its timed run), ours decrypts openssl's, and the kept signatures
// verify.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { closeSync, createReadStream, fsyncSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';
import { verifyDetached } from '../../main/core/crypto';
import { createSoftHsm, keyOf, type SoftHsm } from '../fixtures/softhsm/tokens';
import { TestPki, type Party } from '../helpers/pki';
import type { ChildJob, ChildResult, SoftKeyRef, TokenKeyRef } from './cryptoChild';
import { loadNow } from './machine';
import { median, ms, percentile, progress } from './stats';

/** Encryption at no less than 70% of openssl cms -encrypt's throughput on the same file, peak RSS under 150 MB. */
export const CRYPTO_TARGETS = { encryptVsOpensslMin: 0.7, peakRssMBMax: 150 };

const ROUNDS = 3;
const SIGNATURES = 200;
const SIGN_MAX_MS = 10_000;
const DOCUMENT_BYTES = 8 * 1024;

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = fileURLToPath(new URL('../../', import.meta.url));

/** One timed run: the operation (ours: timed inside its process), the whole process, and its peak RSS. */
interface Run {
  ms: number;
  processMs: number;
  /** /usr/bin/time %M: maximum resident set size of the process (MB = 10^6 bytes). */
  peakRssMB: number;
  loadAvg1m: number;
  child?: ChildResult;
}

export interface OpFigures {
  what: string;
  runs: Run[];
  medianMs: number;
  medianProcessMs: number;
  /** File MB (10^6 bytes) / median operation time. */
  mbPerSec: number;
  mbPerSecWithProcess: number;
  /** The highest peak of the runs. */
  peakRssMB: number;
}

export interface SignFigures {
  what: string;
  signatures: number;
  perSec: number;
  perSignatureMs: { p50: number; p95: number; max: number };
  /** The signing process (the token bridge is a process of its own: bridgeHwmMB). */
  peakRssMB: number;
  bridgeStartAndLoginMs?: number;
  bridgeHwmMB?: number | null;
  samplesVerified: number;
  samples: number;
}

export interface CryptoFigures {
  summary: CryptoSummary;
  details: CryptoDetails;
}

export type CryptoSummary = ReturnType<typeof summarize>;

export interface CryptoDetails {
    fileBytes: number;
    rounds: number;
    note: string;
    encrypt: Record<'ours' | 'opensslStream' | 'opensslNoStream' | 'oursForTokenRecipient', OpFigures>;
    /** fsync of openssl -stream's output right after its run: what ours pays inside its time (the core fsyncs before its rename). */
    opensslStreamOutputFsyncMs: number;
    decrypt: Record<'oursSoftKey' | 'oursToken' | 'openssl' | 'oursOfOpensslStream' | 'opensslOfOpensslNoStream', OpFigures>;
    /** decryptFileOffThread on the token: the one unwrap of the content key, and the bridge. */
    tokenDecrypt: { unwrapsPerFile: number; unwrapMs: number; bridgeStartAndLoginMs: number; bridgeHwmMB: number | null };
    signatures: Record<string, SignFigures>;
    verified: Verified;
    softhsm: { version: string; provisioningMs: Record<string, number> };
    load: { start: ReturnType<typeof loadNow>; end: ReturnType<typeof loadNow> };
    buildMs: number;
}

interface Verified {
  /** sha256 of every decrypted output of the last round, against the original. */
  decryptedEqualsOriginal: Record<string, boolean>;
  /** openssl cms -decrypt of our envelope (its timed runs) gave the original bytes. */
  opensslDecryptsOurs: boolean;
  /** Our decryption of openssl's -stream envelope (one untimed-for-the-table run) gave the original bytes. */
  oursDecryptsOpensslStream: boolean;
  /** openssl's definite-length envelope of the last round, decrypted by openssl (timed once: decrypt.opensslOfOpensslNoStream). */
  opensslEnvelopeDecrypts: boolean;
  signaturesVerified: number;
  signaturesChecked: number;
}

const mb = (kib: number) => Math.round(((kib * 1024) / 1e6) * 10) / 10;

async function sha256(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

function makeFile(file: string, bytes: number): string {
  const fd = openSync(file, 'w');
  const h = createHash('sha256');
  const block = Buffer.allocUnsafe(1 << 20);
  try {
    for (let left = bytes; left > 0; left -= block.length) {
      const piece = block.subarray(0, Math.min(block.length, left));
      randomFillSync(piece);
      h.update(piece);
      writeSync(fd, piece);
    }
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

/**
 * Bundles the child, the crypto worker and the bridge worker next to each other, as scripts/build.mjs
 * lays out the CLI (ESM, native modules external): offThread.ts finds crypto-worker.js beside the
 * bundle that starts it. package.json makes the .js files ESM; node_modules is the repository's.
 */
async function buildChild(dir: string): Promise<{ child: string; bridgeWorker: string; ms: number }> {
  const t0 = performance.now();
  const { build } = await import('esbuild');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const common: BuildOptions = {
    bundle: true, platform: 'node', target: 'node20', format: 'esm', logLevel: 'warning', legalComments: 'none',
    external: ['electron', 'better-sqlite3-multiple-ciphers', 'pkcs11js', 'original-fs', 'esbuild'],
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  };
  await Promise.all([
    build({ ...common, entryPoints: [join(here, 'cryptoChild.ts')], outfile: join(dir, 'child.js') }),
    build({ ...common, entryPoints: [join(repo, 'main/core/crypto/cryptoWorker.ts')], outfile: join(dir, 'crypto-worker.js') }),
    build({ ...common, entryPoints: [join(repo, 'native/bridge/worker.ts')], outfile: join(dir, 'bridge-worker.js') }),
  ]);
  return { child: join(dir, 'child.js'), bridgeWorker: join(dir, 'bridge-worker.js'), ms: performance.now() - t0 };
}

/** Runs cmd under /usr/bin/time; the process time is taken here, the peak RSS from time's %M. */
function timedProcess(cmd: string, args: string[], env: NodeJS.ProcessEnv): { processMs: number; peakRssMB: number; stdout: string } {
  execFileSync('sync');
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', cmd, ...args], { env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const processMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.slice(0, 3).join(' ')} … failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const kib = Number(r.stderr.trim().split('\n').pop()!.split(' ')[1]);
  return { processMs, peakRssMB: mb(kib), stdout: r.stdout };
}

interface Ctx {
  child: string;
  env: NodeJS.ProcessEnv;
  plain: string;
  bytes: number;
  dir: string;
}

function runChild(ctx: Ctx, job: ChildJob): Run {
  const load = loadNow().loadAvg1m;
  const p = timedProcess(process.execPath, [ctx.child, JSON.stringify(job)], ctx.env);
  const child = JSON.parse(p.stdout.trim().split('\n').pop()!) as ChildResult;
  return { ms: child.ms, processMs: p.processMs, peakRssMB: p.peakRssMB, loadAvg1m: load, child };
}

function runOpenssl(ctx: Ctx, args: string[]): Run {
  const load = loadNow().loadAvg1m;
  const p = timedProcess('openssl', args, ctx.env);
  return { ms: p.processMs, processMs: p.processMs, peakRssMB: p.peakRssMB, loadAvg1m: load };
}

function figures(what: string, runs: Run[], bytes: number): OpFigures {
  const m = median(runs.map((r) => r.ms));
  const pm = median(runs.map((r) => r.processMs));
  return {
    what,
    runs: runs.map((r) => ({ ...r, ms: ms(r.ms), processMs: ms(r.processMs) })),
    medianMs: ms(m),
    medianProcessMs: ms(pm),
    mbPerSec: Math.round(bytes / 1e6 / (m / 1000)),
    mbPerSecWithProcess: Math.round(bytes / 1e6 / (pm / 1000)),
    peakRssMB: Math.max(...runs.map((r) => r.peakRssMB)),
  };
}

const softRef = (p: Party): SoftKeyRef => ({ certPem: p.certPem, keyPem: p.keyPem });

export async function measureCrypto(opts: { sizeMb: number }): Promise<CryptoFigures> {
  const loadStart = loadNow();
  const dir = mkdtempSync(join(tmpdir(), 'securedesk-bench-crypto-'));
  mkdirSync(join(dir, 'pki'));
  const pki = new TestPki(join(dir, 'pki'));
  let hsm: SoftHsm | undefined;
  try {
    progress('crypto: bundling the child, the crypto worker and the bridge worker; software keys; SoftHSM tokens');
    const built = await buildChild(join(dir, 'build'));
    await pki.generateKeys({ ca: 'rsa2048', rsa: 'rsa2048', ec: 'ec-p256' });
    const ca = pki.issue('ca', { subject: '/C=VN/O=SecureDesk Bench/CN=Bench CA', ca: true });
    const rsa = pki.issue('rsa', { subject: '/C=VN/O=SecureDesk Bench/CN=Đo tốc độ RSA', issuer: ca });
    const ec = pki.issue('ec', { subject: '/C=VN/O=SecureDesk Bench/CN=Đo tốc độ EC', issuer: ca, keyUsage: 'digitalSignature, nonRepudiation' });
    hsm = await createSoftHsm({ tokens: ['userRsa', 'userEc'] });
    const userRsa = hsm.tokens.userRsa;
    const userEc = hsm.tokens.userEc;
    const tokenRef = (t: typeof userRsa, label: string): TokenKeyRef => {
      const k = keyOf(t, label);
      return { module: hsm!.modulePath, serial: t.serial, pin: t.pin, keyId: k.id, certPem: k.certPem, bridgeWorker: built.bridgeWorker };
    };
    const anEnc = tokenRef(userRsa, 'an-enc');

    const bytes = opts.sizeMb * 1_000_000;
    const plain = join(dir, 'plain.bin');
    progress(`crypto: a ${opts.sizeMb} MB file of random bytes`);
    const plainSha = makeFile(plain, bytes);
    const ctx: Ctx = { child: built.child, env: hsm.env, plain, bytes, dir };
    const f = (name: string) => join(dir, name);
    const recip = [ '-recip', rsa.certPath, '-keyopt', 'rsa_padding_mode:oaep' ];

    // ---- encryption ----
    const enc: Record<'ours' | 'opensslStream' | 'opensslNoStream', Run[]> = { ours: [], opensslStream: [], opensslNoStream: [] };
    const fsyncs: number[] = [];
    const encOps: Record<keyof typeof enc, () => Run> = {
      ours: () => runChild(ctx, { op: 'encrypt', input: plain, output: f('ours.p7m'), certPem: rsa.certPem }),
      opensslStream: () => {
        const r = runOpenssl(ctx, ['cms', '-encrypt', '-binary', '-aes-256-gcm', '-stream', ...recip, '-outform', 'DER', '-in', plain, '-out', f('ossl-stream.p7m')]);
        const fd = openSync(f('ossl-stream.p7m'), 'r+');
        const t0 = performance.now();
        fsyncSync(fd);
        fsyncs.push(performance.now() - t0);
        closeSync(fd);
        return r;
      },
      opensslNoStream: () => runOpenssl(ctx, ['cms', '-encrypt', '-binary', '-aes-256-gcm', ...recip, '-outform', 'DER', '-in', plain, '-out', f('ossl.p7m')]),
    };
    for (let r = 0; r < ROUNDS; r++) {
      const order = (Object.keys(encOps) as Array<keyof typeof enc>);
      for (const name of r % 2 === 0 ? order : [...order].reverse()) enc[name].push(encOps[name]());
      progress(`crypto: encryption round ${r + 1}/${ROUNDS}: ours ${enc.ours[r]!.ms.toFixed(0)} ms (${enc.ours[r]!.peakRssMB} MB), openssl -stream ${enc.opensslStream[r]!.ms.toFixed(0)} ms (${enc.opensslStream[r]!.peakRssMB} MB), without -stream ${enc.opensslNoStream[r]!.ms.toFixed(0)} ms (${enc.opensslNoStream[r]!.peakRssMB} MB)`);
    }
    // The envelope for the token's encryption key (SoftHSM 2.6 does RSA-OAEP with SHA-1 only).
    const forToken = runChild(ctx, { op: 'encrypt', input: plain, output: f('token.p7m'), certPem: anEnc.certPem, oaepHash: 'SHA-1' });

    // ---- decryption (all of the same envelope for ours and openssl; the token's is the same file for its key) ----
    const dec: Record<'oursSoftKey' | 'oursToken' | 'openssl', Run[]> = { oursSoftKey: [], oursToken: [], openssl: [] };
    const decOps: Record<keyof typeof dec, () => Run> = {
      oursSoftKey: () => runChild(ctx, { op: 'decrypt', input: f('ours.p7m'), output: f('out-ours.bin'), soft: softRef(rsa) }),
      openssl: () => runOpenssl(ctx, ['cms', '-decrypt', '-binary', '-inform', 'DER', '-in', f('ours.p7m'), '-out', f('out-ossl.bin'), '-recip', rsa.certPath, '-inkey', rsa.keyPath]),
      oursToken: () => runChild(ctx, { op: 'decrypt', input: f('token.p7m'), output: f('out-token.bin'), token: anEnc }),
    };
    for (let r = 0; r < ROUNDS; r++) {
      const order = (Object.keys(decOps) as Array<keyof typeof dec>);
      for (const name of r % 2 === 0 ? order : [...order].reverse()) dec[name].push(decOps[name]());
      progress(`crypto: decryption round ${r + 1}/${ROUNDS}: ours (software key) ${dec.oursSoftKey[r]!.ms.toFixed(0)} ms (${dec.oursSoftKey[r]!.peakRssMB} MB), ours (SoftHSM an-enc) ${dec.oursToken[r]!.ms.toFixed(0)} ms (${dec.oursToken[r]!.peakRssMB} MB), openssl ${dec.openssl[r]!.ms.toFixed(0)} ms (${dec.openssl[r]!.peakRssMB} MB)`);
    }

    // ---- the work is correct ----
    progress('crypto: checking the outputs');
    const decryptedEqualsOriginal: Record<string, boolean> = {};
    for (const [name, file] of [['oursSoftKey', 'out-ours.bin'], ['oursToken', 'out-token.bin'], ['openssl', 'out-ossl.bin']] as const) {
      decryptedEqualsOriginal[name] = (await sha256(f(file))) === plainSha;
      rmSync(f(file), { force: true });
    }
    const interop = runChild(ctx, { op: 'decrypt', input: f('ossl-stream.p7m'), output: f('out-interop.bin'), soft: softRef(rsa) });
    const oursDecryptsOpensslStream = (await sha256(f('out-interop.bin'))) === plainSha;
    rmSync(f('out-interop.bin'), { force: true });
    // openssl decrypting its own definite-length envelope: one run, for reference (it reads the whole
    // envelope into memory either way; its -stream envelope is checked above by our decryption).
    const opensslOwn = runOpenssl(ctx, ['cms', '-decrypt', '-binary', '-inform', 'DER', '-in', f('ossl.p7m'), '-out', f('out-check.bin'), '-recip', rsa.certPath, '-inkey', rsa.keyPath]);
    const opensslEnvelopeDecrypts = (await sha256(f('out-check.bin'))) === plainSha;
    rmSync(f('out-check.bin'), { force: true });
    for (const env of ['ours.p7m', 'ossl-stream.p7m', 'ossl.p7m', 'token.p7m']) rmSync(f(env), { force: true });

    // ---- signatures ----
    const document = f('document.bin');
    writeFileSync(document, randomFillSync(Buffer.alloc(DOCUMENT_BYTES)));
    const documentBytes = readFileSync(document);
    const signOps: Record<string, { what: string; soft?: Party; token?: TokenKeyRef; anchor: Uint8Array }> = {
      softhsmRsa2048: { what: "SoftHSM userRsa 'an-sign' (RSA 2048, RSASSA-PKCS1-v1_5 SHA-256) through the bridge process", token: tokenRef(userRsa, 'an-sign'), anchor: hsm.ca.certDer },
      softhsmEcP256: { what: "SoftHSM userEc 'binh-sign' (EC P-256, ECDSA SHA-256 hashed in Node) through the bridge process", token: tokenRef(userEc, 'binh-sign'), anchor: hsm.ca.certDer },
      softwareRsa2048: { what: 'software RSA 2048 key (node:crypto), for reference', soft: rsa, anchor: ca.certDer },
      softwareEcP256: { what: 'software EC P-256 key (node:crypto), for reference', soft: ec, anchor: ca.certDer },
    };
    const signatures: Record<string, SignFigures> = {};
    let checked = 0;
    let verifiedCount = 0;
    for (const [name, op] of Object.entries(signOps)) {
      const sampleDir = f(`sigs-${name}`);
      mkdirSync(sampleDir);
      const run = runChild(ctx, {
        op: 'sign', document, sampleDir, count: SIGNATURES, maxMs: SIGN_MAX_MS,
        ...(op.token ? { token: op.token } : { soft: softRef(op.soft!) }),
      });
      const s = run.child!.signatures!;
      let ok = 0;
      for (const sample of s.samples) {
        const result = await verifyDetached(readFileSync(sample.file), documentBytes, { trustAnchors: [op.anchor] });
        if (result.valid) ok++;
      }
      checked += s.samples.length;
      verifiedCount += ok;
      signatures[name] = {
        what: op.what,
        signatures: s.count,
        perSec: Math.round((s.count / (run.ms / 1000)) * 10) / 10,
        perSignatureMs: { p50: ms(percentile(s.perSignatureMs, 50)), p95: ms(percentile(s.perSignatureMs, 95)), max: ms(Math.max(...s.perSignatureMs)) },
        peakRssMB: run.peakRssMB,
        ...(run.child!.bridge ? { bridgeStartAndLoginMs: run.child!.bridge.startAndLoginMs, bridgeHwmMB: run.child!.bridge.hwmKiB === null ? null : mb(run.child!.bridge.hwmKiB) } : {}),
        samplesVerified: ok,
        samples: s.samples.length,
      };
      progress(`crypto: ${name}: ${signatures[name]!.perSec} signatures/s (${s.count} in ${run.ms.toFixed(0)} ms), ${ok}/${s.samples.length} samples verify`);
    }

    const encrypt = {
      ours: figures('encryptFileOffThread (AuthEnvelopedData AES-256-GCM, one RSA-OAEP SHA-256 recipient; worker thread; fsync before rename)', enc.ours, bytes),
      opensslStream: figures('openssl cms -encrypt -binary -aes-256-gcm -stream -recip cert -keyopt rsa_padding_mode:oaep -outform DER', enc.opensslStream, bytes),
      opensslNoStream: figures('the same without -stream (the whole envelope is built in memory, definite lengths)', enc.opensslNoStream, bytes),
      oursForTokenRecipient: figures("encryptFileOffThread for SoftHSM 'an-enc' (RSA-OAEP SHA-1), one run: the envelope the token decryption reads", [forToken], bytes),
    };
    const decrypt = {
      oursSoftKey: figures('decryptFileOffThread, software RSA key (unwrap on the main side, AES-GCM on the worker; fsync before rename)', dec.oursSoftKey, bytes),
      oursToken: figures("decryptFileOffThread, SoftHSM userRsa 'an-enc' through the bridge process (login not counted: bridgeStartAndLoginMs)", dec.oursToken, bytes),
      openssl: figures('openssl cms -decrypt -binary -inform DER -recip cert -inkey key, on our envelope (reads the whole envelope into memory)', dec.openssl, bytes),
      oursOfOpensslStream: figures('decryptFileOffThread of the openssl -stream envelope (4 KiB pieces), one run (interoperability check)', [interop], bytes),
      opensslOfOpensslNoStream: figures('openssl cms -decrypt of its own definite-length envelope (no -stream), one run (reference)', [opensslOwn], bytes),
    };
    const tokenRuns = dec.oursToken.map((r) => r.child!);
    const verified: Verified = {
      decryptedEqualsOriginal,
      opensslDecryptsOurs: decryptedEqualsOriginal.openssl!,
      oursDecryptsOpensslStream,
      opensslEnvelopeDecrypts,
      signaturesVerified: verifiedCount,
      signaturesChecked: checked,
    };
    const details: CryptoDetails = {
      fileBytes: statSync(plain).size,
      rounds: ROUNDS,
      note: 'ms: the operation (ours: timed inside its process, worker-thread start included, node start-up not; openssl: its whole process). processMs: the whole process for both. peakRssMB: /usr/bin/time %M of the process (MB = 10^6 bytes); the token bridge is a process of its own (bridgeHwmMB). A global sync (untimed) precedes every run.',
      encrypt,
      opensslStreamOutputFsyncMs: ms(median(fsyncs)),
      decrypt,
      tokenDecrypt: {
        unwrapsPerFile: Math.max(...tokenRuns.map((c) => c.unwraps?.count ?? 0)),
        unwrapMs: ms(median(tokenRuns.map((c) => c.unwraps?.ms ?? 0))),
        bridgeStartAndLoginMs: ms(median(tokenRuns.map((c) => c.bridge?.startAndLoginMs ?? 0))),
        bridgeHwmMB: tokenRuns[0]?.bridge?.hwmKiB == null ? null : mb(tokenRuns[0].bridge.hwmKiB),
      },
      signatures,
      verified,
      softhsm: { version: execFileSync('softhsm2-util', ['--version'], { encoding: 'utf8' }).trim(), provisioningMs: hsm.timings },
      load: { start: loadStart, end: loadNow() },
      buildMs: ms(built.ms),
    };
    return { summary: summarize(details), details };
  } finally {
    await hsm?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
}

const r2 = (x: number) => Math.round(x * 100) / 100;

/** The headline crypto figures, flat, next to their targets. */
function summarize(d: CryptoDetails) {
  const e = d.encrypt;
  const x = d.decrypt;
  const ratio = (a: OpFigures, b: OpFigures) => r2(a.mbPerSec / b.mbPerSec);
  const withFsync = e.opensslStream.medianMs + d.opensslStreamOutputFsyncMs;
  return {
    fileMB: d.fileBytes / 1e6,
    encrypt: {
      oursMBps: e.ours.mbPerSec,
      opensslStreamMBps: e.opensslStream.mbPerSec,
      opensslNoStreamMBps: e.opensslNoStream.mbPerSec,
      /** The fair comparison: -stream streams in constant memory and writes indefinite-length BER, as ours does. */
      fairComparison: 'opensslStream',
      ratioVsOpensslStream: ratio(e.ours, e.opensslStream),
      ratioVsOpensslNoStream: ratio(e.ours, e.opensslNoStream),
      /** Whole processes on both sides (ours: node start-up and module loading included). */
      ratioVsOpensslStreamWithProcess: r2(e.ours.mbPerSecWithProcess / e.opensslStream.mbPerSecWithProcess),
      /** openssl -stream plus an fsync of its output: durable like ours. */
      ratioVsOpensslStreamPlusFsync: r2(withFsync / e.ours.medianMs),
      peakRssMB: { ours: e.ours.peakRssMB, opensslStream: e.opensslStream.peakRssMB, opensslNoStream: e.opensslNoStream.peakRssMB },
    },
    decrypt: {
      oursSoftKeyMBps: x.oursSoftKey.mbPerSec,
      oursTokenMBps: x.oursToken.mbPerSec,
      opensslMBps: x.openssl.mbPerSec,
      opensslOfItsOwnNoStreamEnvelopeMBps: x.opensslOfOpensslNoStream.mbPerSec,
      ratioSoftKeyVsOpenssl: ratio(x.oursSoftKey, x.openssl),
      ratioTokenVsOpenssl: ratio(x.oursToken, x.openssl),
      tokenUnwrapsPerFile: d.tokenDecrypt.unwrapsPerFile,
      tokenUnwrapMs: d.tokenDecrypt.unwrapMs,
      peakRssMB: { oursSoftKey: x.oursSoftKey.peakRssMB, oursToken: x.oursToken.peakRssMB, openssl: x.openssl.peakRssMB, tokenBridge: d.tokenDecrypt.bridgeHwmMB },
    },
    signaturesPerSec: Object.fromEntries(Object.entries(d.signatures).map(([k, s]) => [k, {
      perSec: s.perSec, p50Ms: s.perSignatureMs.p50, peakRssMB: s.peakRssMB, ...(s.bridgeHwmMB !== undefined ? { bridgeHwmMB: s.bridgeHwmMB } : {}),
    }])),
    verified: {
      decryptedEqualsOriginal: Object.values(d.verified.decryptedEqualsOriginal).every(Boolean) && d.verified.oursDecryptsOpensslStream && d.verified.opensslEnvelopeDecrypts,
      signatures: `${d.verified.signaturesVerified}/${d.verified.signaturesChecked}`,
    },
    load: d.load,
    targets: {
      encryptAtLeast70PctOfOpensslStream: ratio(e.ours, e.opensslStream) >= CRYPTO_TARGETS.encryptVsOpensslMin,
      encryptPeakRssUnder150MB: e.ours.peakRssMB < CRYPTO_TARGETS.peakRssMBMax,
      // Not the issue's target, reported alongside: our decryption in the same memory bound.
      decryptPeakRssUnder150MB: x.oursSoftKey.peakRssMB < CRYPTO_TARGETS.peakRssMBMax && x.oursToken.peakRssMB < CRYPTO_TARGETS.peakRssMBMax,
    },
  };
}
