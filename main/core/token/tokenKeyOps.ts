// PrivateKeyOps over the token bridge: the private key never leaves the token; the bridge process
// does the PKCS#11 calls. Mechanism choices follow what tokens actually offer (SoftHSM 2.6.1: no
// CKM_ECDSA_SHA256, OAEP with SHA-1 only), see native/README.md.
import { ecdsaRawToDer, type KeyTransportAlg, type PrivateKeyOps, type SignatureAlg } from '../crypto';
import type { DecryptMechanism, SignMechanism, SlotRef } from '../../../native/bridge/protocol';
import type { TokenBridge } from '../../../native/bridge/client';

export interface TokenKeyRef {
  module: string;
  slot: SlotRef;
  /** CKA_ID of the private key (lower-case hex), shared with its certificate. */
  keyId: string;
  certificate: Uint8Array;
}

const SIGN_MECHANISMS: Record<SignatureAlg, SignMechanism> = {
  'RSASSA-PKCS1-v1_5-SHA256': { alg: 'RSA_PKCS1', hash: 'SHA-256' },
  'RSA-PSS-SHA256': { alg: 'RSA_PSS', hash: 'SHA-256', saltLength: 32 },
  'ECDSA-SHA256': { alg: 'ECDSA', hash: 'SHA-256' },
  'ECDSA-SHA384': { alg: 'ECDSA', hash: 'SHA-384' },
};

const decryptMechanism = (alg: KeyTransportAlg): DecryptMechanism =>
  alg.kind === 'RSA-OAEP' ? { alg: 'RSA_OAEP', hash: alg.hash, mgfHash: alg.mgfHash } : { alg: 'RSA_PKCS1' };

export function tokenKeyOps(bridge: TokenBridge, ref: TokenKeyRef): PrivateKeyOps {
  return {
    certificate: ref.certificate,
    async sign(alg, data) {
      const mech = SIGN_MECHANISMS[alg];
      const { signature } = await bridge.sign(ref.module, ref.slot, ref.keyId, mech, data);
      return mech.alg === 'ECDSA' ? ecdsaRawToDer(signature) : signature;
    },
    async unwrapKey(alg, encryptedKey) {
      const { plaintext } = await bridge.decrypt(ref.module, ref.slot, ref.keyId, decryptMechanism(alg), encryptedKey);
      return plaintext;
    },
  };
}
