// sign / verify / encrypt / decrypt for files, on the same crypto layer the app uses.
import { createReadStream, promises as fsp } from 'node:fs';
import { DeskError } from '../../common/errors';
import {
  decryptFileOffThread, encryptFileOffThread, parseCertificate, parseCrlFiles, parseCrls, pemToDer, signDetached, verifyDetached, type CertInput, type RecipientSpec,
  type VerifyResult,
} from '../core/crypto';
import { toDeskError } from '../core/session/tokenErrors';
import type { SignedInToken } from '../core/session/tokens';

export async function readCertificates(paths: readonly string[]): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const p of paths) {
    const bytes = await fsp.readFile(p).catch(() => {
      throw new DeskError('FILE_UNREADABLE', `Không đọc được tệp chứng thư "${p}".`);
    });
    const text = bytes.toString('latin1');
    const ders = text.includes('-----BEGIN') ? pemToDer(bytes.toString('utf8')) : [new Uint8Array(bytes)];
    if (ders.length === 0) throw new DeskError('VALIDATION', `Tệp "${p}" không có chứng thư nào.`);
    for (const d of ders) {
      try {
        parseCertificate(d);
      } catch {
        throw new DeskError('VALIDATION', `Tệp "${p}" không phải chứng thư X.509.`);
      }
    }
    out.push(...ders);
  }
  return out;
}

export async function signFile(file: string, out: string, token: SignedInToken): Promise<{ signer: string; out: string }> {
  const key = token.signingKeys[0];
  if (!key) throw new DeskError('TOKEN_UNSUITABLE', 'Thiết bị ký số không có chứng thư dùng để ký.');
  try {
    const sig = await signDetached(createReadStream(file), { key });
    await fsp.writeFile(out, sig, { flag: 'wx' });
    return { signer: parseCertificate(key.certificate).commonName, out };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new DeskError('VALIDATION', `Tệp "${out}" đã có; chọn tên khác bằng --out.`);
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new DeskError('FILE_UNREADABLE', `Không đọc được tệp "${file}".`);
    throw toDeskError(err);
  }
}

/** CRL files named on the command line: each must be readable and a CRL (a typo must not pass as "not checked"). */
export async function readCrlFiles(paths: readonly string[]): Promise<Array<{ path: string; bytes: Uint8Array }>> {
  const out: Array<{ path: string; bytes: Uint8Array }> = [];
  for (const p of paths) {
    const bytes = new Uint8Array(await fsp.readFile(p).catch(() => {
      throw new DeskError('FILE_UNREADABLE', `Không đọc được tệp danh sách thu hồi "${p}".`);
    }));
    try {
      parseCrls([bytes]);
    } catch {
      throw new DeskError('VALIDATION', `Tệp "${p}" không phải danh sách thu hồi chứng thư (CRL).`);
    }
    out.push({ path: p, bytes });
  }
  return out;
}

/**
 * Verifies a detached signature. `crlFiles`: CRLs to check revocation with (those that do not parse
 * are left out: one damaged file in the machine's CRL folder must not stop verification).
 */
export async function verifyFile(file: string, sigFile: string, anchors: readonly CertInput[], crlFiles: ReadonlyArray<{ path: string; bytes: Uint8Array }> = []): Promise<VerifyResult> {
  const sig = await fsp.readFile(sigFile).catch(() => {
    throw new DeskError('FILE_UNREADABLE', `Không đọc được tệp chữ ký "${sigFile}".`);
  });
  try {
    await fsp.access(file);
    return await verifyDetached(new Uint8Array(sig), createReadStream(file), { trustAnchors: anchors, crls: parseCrlFiles(crlFiles).crls });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new DeskError('FILE_UNREADABLE', `Không đọc được tệp "${file}".`);
    throw toDeskError(err);
  }
}

export async function encryptForRecipients(file: string, out: string, recipients: readonly RecipientSpec[]): Promise<{ bytes: number }> {
  try {
    const r = await encryptFileOffThread(file, out, { recipients });
    return { bytes: r.plaintextBytes };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new DeskError('FILE_UNREADABLE', `Không đọc được tệp "${file}".`);
    throw toDeskError(err);
  }
}

/** Tries each key on the token able to unwrap; refuses PKCS#1 v1.5 key transport unless allowed. */
export async function decryptWithToken(file: string, out: string, token: SignedInToken, allowPkcs1v15: boolean): Promise<{ bytes: number; authenticated: boolean }> {
  const keys = [...token.identity.unlockKeys];
  if (keys.length === 0) throw new DeskError('TOKEN_UNSUITABLE', 'Thiết bị ký số không có khóa giải mã (RSA).');
  let last: unknown;
  for (const key of keys) {
    try {
      const r = await decryptFileOffThread(file, out, key, allowPkcs1v15);
      return { bytes: r.plaintextBytes, authenticated: r.authenticated };
    } catch (err) {
      last = err;
      if ((err as { code?: string }).code !== 'NOT_A_RECIPIENT') break;
    }
  }
  if ((last as NodeJS.ErrnoException).code === 'ENOENT') throw new DeskError('FILE_UNREADABLE', `Không đọc được tệp "${file}".`);
  throw toDeskError(last);
}
