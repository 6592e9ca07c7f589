// PrivateKeyOps over a software key (node:crypto KeyObject), for tests. It is a real key doing
// real RSA/ECDSA, not a mock of the token: the token-backed implementation is the bridge's.
// `limits` lets a test describe a key that can do less (e.g. only OAEP-SHA1, like SoftHSM 2.6).
import { constants, createPrivateKey, privateDecrypt, sign, type KeyObject } from 'node:crypto';
import type { HashAlg, KeyTransportAlg, PrivateKeyOps, SignatureAlg } from '../../main/core/crypto/keyOps';

const NODE_HASH: Record<HashAlg, string> = { 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

export interface SoftKeyLimits {
  /** OAEP hashes the key accepts (MGF1 hash must equal it). Default: all. */
  oaepHashes?: readonly HashAlg[];
  /** Whether PKCS#1 v1.5 unwrapping is available. Default true. */
  pkcs1v15?: boolean;
}

export interface SoftKey extends PrivateKeyOps {
  /** Every operation asked of the key, for assertions. */
  readonly log: Array<{ op: 'sign'; alg: SignatureAlg } | { op: 'unwrap'; alg: KeyTransportAlg }>;
}

/** EME-PKCS1-v1_5 decoding after a raw RSA operation (Node 20 refuses RSA_PKCS1_PADDING decryption). */
function unpadPkcs1v15(em: Buffer): Buffer {
  if (em[0] !== 0 || em[1] !== 2) throw new Error('PKCS#1 v1.5: bad block type');
  const sep = em.indexOf(0, 2);
  if (sep < 10) throw new Error('PKCS#1 v1.5: bad padding');
  return em.subarray(sep + 1);
}

export function softKey(certificate: Uint8Array, privateKeyPem: string | KeyObject, limits: SoftKeyLimits = {}): SoftKey {
  const key = typeof privateKeyPem === 'string' ? createPrivateKey(privateKeyPem) : privateKeyPem;
  const log: SoftKey['log'] = [];
  const can = (alg: SignatureAlg | KeyTransportAlg): boolean => {
    if (typeof alg === 'string') return alg.startsWith('ECDSA') ? key.asymmetricKeyType === 'ec' : key.asymmetricKeyType === 'rsa';
    if (key.asymmetricKeyType !== 'rsa') return false;
    if (alg.kind === 'RSAES-PKCS1-v1_5') return limits.pkcs1v15 ?? true;
    return alg.hash === alg.mgfHash && (limits.oaepHashes ?? ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512']).includes(alg.hash);
  };
  return {
    certificate,
    log,
    async supports(alg) {
      return can(alg);
    },
    async sign(alg, data) {
      log.push({ op: 'sign', alg });
      if (!can(alg)) throw new Error(`soft key cannot sign with ${alg}`);
      switch (alg) {
        case 'RSASSA-PKCS1-v1_5-SHA256':
          return sign('sha256', data, { key, padding: constants.RSA_PKCS1_PADDING });
        case 'RSA-PSS-SHA256':
          return sign('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
        case 'ECDSA-SHA256':
          return sign('sha256', data, { key, dsaEncoding: 'der' });
        case 'ECDSA-SHA384':
          return sign('sha384', data, { key, dsaEncoding: 'der' });
      }
    },
    async unwrapKey(alg, encryptedKey) {
      log.push({ op: 'unwrap', alg });
      if (!can(alg)) throw new Error(`soft key cannot unwrap with ${alg.kind}`);
      if (alg.kind === 'RSA-OAEP') return privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: NODE_HASH[alg.hash] }, encryptedKey);
      return unpadPkcs1v15(privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, encryptedKey));
    },
  };
}
