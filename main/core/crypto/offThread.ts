// Encrypting and decrypting files on a worker thread (cryptoWorker.ts), in constant memory: the
// caller's event loop stays free while hundreds of megabytes go through AES-GCM.
import { startWorker } from '../workerThreads';
import type { CryptoJob, MainToWorker, WorkerToMain } from './cryptoWorker';
import type { DecryptResult, EncryptOptions, EncryptResult } from './envelope';
import { CryptoError, isCryptoError, type CryptoErrorCode } from './errors';
import type { PrivateKeyOps } from './keyOps';

function runJob<T>(job: CryptoJob, key?: PrivateKeyOps): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const worker = startWorker('crypto-worker.js', () => new URL('./cryptoWorker.ts', import.meta.url), { workerData: job });
    // A token error (wrong OAEP parameters, token pulled …) is given back to the caller as it was.
    let keyError: unknown = null;
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
      void worker.terminate();
    };
    worker.on('message', (m: WorkerToMain) => {
      if (m.type === 'unwrap') {
        if (!key) return;
        key.unwrapKey(m.alg, m.encryptedKey).then(
          (k) => worker.postMessage({ type: 'unwrapped', id: m.id, key: k } satisfies MainToWorker),
          (e: Error & { code?: string }) => {
            keyError = e;
            worker.postMessage({ type: 'unwrapped', id: m.id, error: { name: e.name, message: e.message, ...(e.code ? { code: e.code } : {}) } } satisfies MainToWorker);
          },
        );
      } else if (m.type === 'done') finish(() => resolve(m.result as T));
      else
        finish(() => {
          const e = m.error;
          if (keyError && !e.messageVi) return reject(keyError);
          reject(e.messageVi && e.code ? new CryptoError(e.code as CryptoErrorCode, e.message, e.messageVi) : Object.assign(new Error(e.message), { name: e.name, code: e.code }));
        });
    });
    worker.on('error', (err) => finish(() => reject(err)));
    worker.on('exit', (code) => finish(() => reject(new Error(`crypto worker exited with code ${code}`))));
  });
}

export function encryptFileOffThread(input: string, output: string, opts: EncryptOptions): Promise<EncryptResult> {
  return runJob<EncryptResult>({ op: 'encrypt', input, output, recipients: opts.recipients });
}

export function decryptFileOffThread(input: string, output: string, key: PrivateKeyOps, allowPkcs1v15KeyTransport = false): Promise<DecryptResult> {
  return runJob<DecryptResult>({ op: 'decrypt', input, output, certificate: key.certificate, allowPkcs1v15KeyTransport }, key);
}

export { isCryptoError };
