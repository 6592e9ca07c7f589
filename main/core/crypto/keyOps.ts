// The only way this layer touches a private key. The token bridge implements it over PKCS#11;
// tests implement it with software keys. Keeping it this small keeps the token's job small:
// sign a few hundred bytes of signed attributes, unwrap one content-encryption key.

export type HashAlg = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

/**
 * Signature schemes, each with its hash. The key hashes `data` itself (CKM_SHA256_RSA_PKCS…),
 * or hashes in Node and signs the digest where the token lacks the combined mechanism.
 * - RSA-PSS-SHA256: MGF1-SHA-256, salt length 32 (the hash length), trailer field 1.
 * - ECDSA-*: the returned value is the DER `ECDSA-Sig-Value` (SEQUENCE { r, s }), not raw r||s;
 *   `ecdsaRawToDer` in algorithms.ts converts what CKM_ECDSA returns.
 */
export type SignatureAlg = 'RSASSA-PKCS1-v1_5-SHA256' | 'RSA-PSS-SHA256' | 'ECDSA-SHA256' | 'ECDSA-SHA384';
export const SIGNATURE_ALGS: readonly SignatureAlg[] = ['RSASSA-PKCS1-v1_5-SHA256', 'RSA-PSS-SHA256', 'ECDSA-SHA256', 'ECDSA-SHA384'];

/** Key transport as read from the recipient entry; OAEP label is always empty. */
export type KeyTransportAlg =
  | { kind: 'RSA-OAEP'; hash: HashAlg; mgfHash: HashAlg }
  | { kind: 'RSAES-PKCS1-v1_5' };

export interface PrivateKeyOps {
  /** DER X.509 certificate of this key. */
  readonly certificate: Uint8Array;
  /** Signs `data` (the DER of the CMS signed attributes); returns the final signature value. */
  sign(alg: SignatureAlg, data: Uint8Array): Promise<Uint8Array>;
  /** Decrypts one wrapped content-encryption key. */
  unwrapKey(alg: KeyTransportAlg, encryptedKey: Uint8Array): Promise<Uint8Array>;
  /** Whether the key can do `alg` (C_GetMechanismInfo). Absent = assume yes. */
  supports?(alg: SignatureAlg | KeyTransportAlg): Promise<boolean>;
}

export const describeKeyTransport = (a: KeyTransportAlg): string =>
  a.kind === 'RSA-OAEP' ? `RSA-OAEP (${a.hash}, MGF1-${a.mgfHash})` : 'RSAES-PKCS1-v1_5';
