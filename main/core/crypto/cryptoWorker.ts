// The worker thread that streams large envelopes, so the main process never spends its time on
// AES. Public-key steps that need the token (unwrapping the content key) are asked of the main
// thread, which owns the token bridge; the worker never holds a private key.
import { parentPort, workerData } from 'node:worker_threads';
import { decryptFile, encryptFile, type DecryptOptions, type EncryptOptions } from './envelope';
import type { KeyTransportAlg, PrivateKeyOps } from './keyOps';

export type CryptoJob =
  | { op: 'encrypt'; input: string; output: string; recipients: EncryptOptions['recipients'] }
  | { op: 'decrypt'; input: string; output: string; certificate: Uint8Array; allowPkcs1v15KeyTransport: boolean };

export type WorkerToMain =
  | { type: 'unwrap'; id: number; alg: KeyTransportAlg; encryptedKey: Uint8Array }
  | { type: 'done'; result: unknown }
  | { type: 'failed'; error: { name: string; message: string; code?: string; messageVi?: string } };

export type MainToWorker = { type: 'unwrapped'; id: number; key?: Uint8Array; error?: { name: string; message: string; code?: string } };

const port = parentPort!;
const pending = new Map<number, { resolve: (k: Uint8Array) => void; reject: (e: Error) => void }>();
let nextId = 1;

port.on('message', (m: MainToWorker) => {
  const p = pending.get(m.id);
  if (!p) return;
  pending.delete(m.id);
  if (m.key) p.resolve(m.key);
  else p.reject(Object.assign(new Error(m.error?.message ?? 'unwrap failed'), { name: m.error?.name ?? 'Error', code: m.error?.code }));
});

function remoteKey(certificate: Uint8Array): PrivateKeyOps {
  return {
    certificate,
    sign: () => Promise.reject(new Error('signing is not done in the crypto worker')),
    unwrapKey: (alg, encryptedKey) =>
      new Promise<Uint8Array>((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        port.postMessage({ type: 'unwrap', id, alg, encryptedKey } satisfies WorkerToMain);
      }),
  };
}

async function run(job: CryptoJob): Promise<unknown> {
  if (job.op === 'encrypt') return encryptFile(job.input, job.output, { recipients: job.recipients });
  const opts: DecryptOptions = { key: remoteKey(job.certificate), allowPkcs1v15KeyTransport: job.allowPkcs1v15KeyTransport };
  return decryptFile(job.input, job.output, opts);
}

run(workerData as CryptoJob).then(
  (result) => port.postMessage({ type: 'done', result } satisfies WorkerToMain),
  (err: unknown) => {
    const e = err as { name?: string; message?: string; code?: string; messageVi?: string };
    port.postMessage({
      type: 'failed',
      error: { name: e.name ?? 'Error', message: e.message ?? String(err), ...(e.code ? { code: e.code } : {}), ...(e.messageVi ? { messageVi: e.messageVi } : {}) },
    } satisfies WorkerToMain);
  },
);
