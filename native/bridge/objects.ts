// Finding certificates and private keys on a token. Certificates are public objects (readable
// before login); the app parses subject, issuer, validity and key usage itself.
import pkcs11js from 'pkcs11js';
import { ckrOf, fromCkr } from './ckr';
import { TokenError } from './errors';
import type { CertificateEntry } from './protocol';
import { call } from './slots';

const MAX_OBJECTS = 256; // a token holds a handful; this only bounds a misbehaving module

type Lib = pkcs11js.PKCS11;

function findObjects(lib: Lib, session: Buffer, template: pkcs11js.Template): Buffer[] {
  call(() => lib.C_FindObjectsInit(session, template), 'C_FindObjectsInit');
  try {
    return call(() => lib.C_FindObjects(session, MAX_OBJECTS), 'C_FindObjects');
  } finally {
    try {
      lib.C_FindObjectsFinal(session);
    } catch {
      /* the search is over either way */
    }
  }
}

/** One attribute at a time: a missing attribute must not hide the others. */
function attribute(lib: Lib, session: Buffer, handle: Buffer, type: number): Buffer | undefined {
  try {
    return lib.C_GetAttributeValue(session, handle, [{ type }])[0]?.value;
  } catch (e) {
    const ckr = ckrOf(e);
    if (ckr === 'CKR_ATTRIBUTE_TYPE_INVALID' || ckr === 'CKR_ATTRIBUTE_SENSITIVE') return undefined;
    if (ckr) throw fromCkr(ckr, 'C_GetAttributeValue');
    throw e;
  }
}

/** A copy with its own exact-size buffer: never ship a view over a larger (pooled) buffer. */
export const exact = (b: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(b);

export function listCertificates(lib: Lib, session: Buffer): CertificateEntry[] {
  const handles = findObjects(lib, session, [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_CERTIFICATE },
    { type: pkcs11js.CKA_CERTIFICATE_TYPE, value: pkcs11js.CKC_X_509 },
  ]);
  const out: CertificateEntry[] = [];
  for (const h of handles) {
    const der = attribute(lib, session, h, pkcs11js.CKA_VALUE);
    if (!der || der.length === 0) continue;
    out.push({
      id: (attribute(lib, session, h, pkcs11js.CKA_ID) ?? Buffer.alloc(0)).toString('hex'),
      label: (attribute(lib, session, h, pkcs11js.CKA_LABEL) ?? Buffer.alloc(0)).toString('utf8'),
      der: exact(der),
    });
  }
  return out;
}

export type KeyType = 'RSA' | 'EC' | 'OTHER';

export interface PrivateKey {
  handle: Buffer;
  keyType: KeyType;
}

export function findPrivateKey(lib: Lib, session: Buffer, keyIdHex: string): PrivateKey {
  const [handle] = findObjects(lib, session, [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
    { type: pkcs11js.CKA_ID, value: Buffer.from(keyIdHex, 'hex') },
  ]);
  if (!handle) throw new TokenError('KEY_NOT_FOUND', `No private key with id ${keyIdHex} on the token`);
  const raw = attribute(lib, session, handle, pkcs11js.CKA_KEY_TYPE);
  // CK_KEY_TYPE is a CK_ULONG: 8 bytes on Linux/macOS, 4 on Windows.
  const type = raw?.length === 8 ? Number(raw.readBigUInt64LE(0)) : raw?.length === 4 ? raw.readUInt32LE(0) : -1;
  const keyType: KeyType = type === pkcs11js.CKK_RSA ? 'RSA' : type === pkcs11js.CKK_EC ? 'EC' : 'OTHER';
  return { handle, keyType };
}
