// One crypto operation in a process of its own, so that its peak memory is its own. crypto.ts
// bundles this file with esbuild and runs it on plain node, next to the crypto worker and the token
// bridge worker bundled the same way, as the app ships them (from sources, tsx's loader thread alone
// would add ~30 MiB to every figure). The job comes as JSON in argv[2]; the result is ONE JSON line
// on stdout.
//  - encrypt: encryptFileOffThread (AES-256-GCM AuthEnvelopedData streamed on a worker thread);
//  - decrypt: decryptFileOffThread with a software key, or with a key on a SoftHSM token through the
//    real bridge process (the worker asks the main side to unwrap the content key; the token
//    does that one RSA decryption and nothing else);
//  - sign: signDetached (CAdES-BES, detached) over a small document N times, software key or token.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { TokenBridge } from '../../native/bridge/client';
import { forkSpawner } from '../../native/bridge/spawn';
import { pemToDer, signDetached, type PrivateKeyOps } from '../../main/core/crypto';
import { decryptFileOffThread, encryptFileOffThread } from '../../main/core/crypto/offThread';
import type { HashAlg } from '../../main/core/crypto/keyOps';
import { moduleId } from '../../native/modules/discovery';
import { TokenService } from '../../main/core/session/tokens';
import { tokenKeyOps } from '../../main/core/token/tokenKeyOps';
import { softKey } from '../helpers/softKey';

export interface SoftKeyRef { certPem: string; keyPem: string }
/** A key on a token: the bridge logs in with the PIN; keyId is the CKA_ID shared by key and certificate. */
export interface TokenKeyRef { module: string; serial: string; pin: string; keyId: string; certPem: string; bridgeWorker: string }

export type ChildJob =
  | { op: 'encrypt'; input: string; output: string; certPem: string; oaepHash?: HashAlg }
  | { op: 'decrypt'; input: string; output: string; soft?: SoftKeyRef; token?: TokenKeyRef }
  | { op: 'sign'; document: string; sampleDir: string; count: number; maxMs: number; soft?: SoftKeyRef; token?: TokenKeyRef };

export interface ChildResult {
  /** The operation alone, timed inside the process (worker thread start-up included; node start-up not). */
  ms: number;
  /** process.resourceUsage().maxRSS of this process in KiB (its threads included; the bridge process not). */
  maxRssKiB: number;
  /** The token bridge process, when one was used: its start and login, and its own peak RSS (VmHWM, KiB). */
  bridge?: { startAndLoginMs: number; hwmKiB: number | null };
  /** decrypt: the content-key unwraps asked of the key, and the time they took. */
  unwraps?: { count: number; ms: number };
  /** sign: per-signature times (ms) and the sample kept for verification (indexes into the run). */
  signatures?: { count: number; perSignatureMs: number[]; samples: Array<{ index: number; file: string }> };
}

function hwmKiB(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

interface Opened { key: PrivateKeyOps; close(): Promise<void>; bridge?: ChildResult['bridge'] }

async function openSoft(ref: SoftKeyRef): Promise<Opened> {
  const cert = pemToDer(ref.certPem)[0]!;
  return { key: softKey(cert, ref.keyPem), close: async () => undefined };
}

/**
 * The token key through the real bridge process. For signing, the key comes from TokenService.signIn
 * (as the app signs in); for decryption, by its CKA_ID (the encryption-only key is no signing key).
 */
async function openToken(ref: TokenKeyRef, purpose: 'sign' | 'decrypt'): Promise<Opened> {
  let pid: number | undefined;
  const spawn = forkSpawner(ref.bridgeWorker);
  const bridge = new TokenBridge({ env: process.env, spawn: (env) => { const p = spawn(env); pid = p.pid; return p; } });
  const cert = pemToDer(ref.certPem)[0]!;
  const t0 = performance.now();
  let key: PrivateKeyOps | undefined;
  if (purpose === 'sign') {
    const signedIn = await new TokenService(bridge, async () => [ref.module]).signIn({ moduleId: moduleId(ref.module), serial: ref.serial }, ref.pin);
    key = signedIn.signingKeys.find((k) => Buffer.compare(Buffer.from(k.certificate), cert) === 0);
  } else {
    await bridge.login(ref.module, { serial: ref.serial }, ref.pin);
    key = tokenKeyOps(bridge, { module: ref.module, slot: { serial: ref.serial }, keyId: ref.keyId, certificate: cert });
  }
  const startAndLoginMs = performance.now() - t0;
  if (!key) throw new Error('the token offers no signing key with that certificate');
  const info = { startAndLoginMs: Math.round(startAndLoginMs * 10) / 10, hwmKiB: null as number | null };
  return {
    key,
    bridge: info,
    close: async () => {
      info.hwmKiB = hwmKiB(pid);
      await bridge.close();
    },
  };
}

async function run(job: ChildJob): Promise<ChildResult> {
  const done = (ms: number, extra: Partial<ChildResult> = {}): ChildResult => ({ ms, maxRssKiB: process.resourceUsage().maxRSS, ...extra });
  if (job.op === 'encrypt') {
    const recipient = { certificate: pemToDer(job.certPem)[0]!, ...(job.oaepHash ? { oaepHash: job.oaepHash } : {}) };
    const t0 = performance.now();
    await encryptFileOffThread(job.input, job.output, { recipients: [recipient] });
    return done(performance.now() - t0);
  }
  const opened = job.token ? await openToken(job.token, job.op === 'sign' ? 'sign' : 'decrypt') : await openSoft(job.soft!);
  try {
    if (job.op === 'decrypt') {
      const unwraps = { count: 0, ms: 0 };
      const inner = opened.key;
      const counted: PrivateKeyOps = {
        certificate: inner.certificate,
        sign: (alg, data) => inner.sign(alg, data),
        unwrapKey: async (alg, encryptedKey) => {
          const t = performance.now();
          try {
            return await inner.unwrapKey(alg, encryptedKey);
          } finally {
            unwraps.count++;
            unwraps.ms += performance.now() - t;
          }
        },
      };
      const t0 = performance.now();
      await decryptFileOffThread(job.input, job.output, counted);
      const ms = performance.now() - t0;
      await opened.close();
      return done(ms, { unwraps: { count: unwraps.count, ms: Math.round(unwraps.ms * 100) / 100 }, ...(opened.bridge ? { bridge: opened.bridge } : {}) });
    }
    const document = readFileSync(job.document);
    const keep = new Set([0, Math.floor(job.count / 2), job.count - 1]);
    const per: number[] = [];
    const samples: Array<{ index: number; file: string }> = [];
    const save = (index: number, sig: Uint8Array) => {
      const file = join(job.sampleDir, `sig-${index}.p7s`);
      writeFileSync(file, sig);
      samples.push({ index, file });
    };
    let last: Uint8Array | undefined;
    const t0 = performance.now();
    for (let i = 0; i < job.count && performance.now() - t0 < job.maxMs; i++) {
      const ts = performance.now();
      last = await signDetached(document, { key: opened.key });
      per.push(performance.now() - ts);
      if (keep.has(i)) save(i, last);
    }
    const ms = performance.now() - t0;
    // The last signature of a run cut short by maxMs is kept too.
    if (last && !keep.has(per.length - 1)) save(per.length - 1, last);
    await opened.close();
    return done(ms, { signatures: { count: per.length, perSignatureMs: per.map((x) => Math.round(x * 1000) / 1000), samples }, ...(opened.bridge ? { bridge: opened.bridge } : {}) });
  } catch (err) {
    await opened.close().catch(() => undefined);
    throw err;
  }
}

if (process.argv[2]) {
  run(JSON.parse(process.argv[2]) as ChildJob).then(
    (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
