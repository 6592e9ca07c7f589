// Signing and key decryption with a logged-in token. Mechanisms are chosen from what the token
// lists (C_GetMechanismList/Info), because tokens differ: SoftHSM 2.6.1 has no CKM_ECDSA_SHA256
// and takes OAEP only with SHA-1; some USB tokens have CKM_RSA_PKCS but no CKM_SHA256_RSA_PKCS.
import { createHash } from 'node:crypto';
import pkcs11js from 'pkcs11js';
import { ckrOf, fromCkr } from './ckr';
import { TokenError } from './errors';
import { CKF } from './flags';
import { exact, findPrivateKey, type KeyType } from './objects';
import type { DecryptMechanism, HashName, ResultOf, SignMechanism } from './protocol';
import { inLogin, type Login } from './sessions';
import { call, mechanismName } from './slots';

const CKZ_DATA_SPECIFIED = 1; // not exported by pkcs11js
const OUT_BYTES = 1024; // room for an 8192-bit RSA result

interface HashInfo {
  node: string;
  ckm: number;
  mgf: number;
  rsaPkcs: number; // CKM_SHAxxx_RSA_PKCS
  rsaPss: number; // CKM_SHAxxx_RSA_PKCS_PSS
  digestInfo: string; // DER prefix of DigestInfo, for CKM_RSA_PKCS
}

const HASHES: Record<HashName, HashInfo> = {
  'SHA-1': {
    node: 'sha1',
    ckm: pkcs11js.CKM_SHA_1,
    mgf: pkcs11js.CKG_MGF1_SHA1,
    rsaPkcs: pkcs11js.CKM_SHA1_RSA_PKCS,
    rsaPss: pkcs11js.CKM_SHA1_RSA_PKCS_PSS,
    digestInfo: '3021300906052b0e03021a05000414',
  },
  'SHA-256': {
    node: 'sha256',
    ckm: pkcs11js.CKM_SHA256,
    mgf: pkcs11js.CKG_MGF1_SHA256,
    rsaPkcs: pkcs11js.CKM_SHA256_RSA_PKCS,
    rsaPss: pkcs11js.CKM_SHA256_RSA_PKCS_PSS,
    digestInfo: '3031300d060960864801650304020105000420',
  },
  'SHA-384': {
    node: 'sha384',
    ckm: pkcs11js.CKM_SHA384,
    mgf: pkcs11js.CKG_MGF1_SHA384,
    rsaPkcs: pkcs11js.CKM_SHA384_RSA_PKCS,
    rsaPss: pkcs11js.CKM_SHA384_RSA_PKCS_PSS,
    digestInfo: '3041300d060960864801650304020205000430',
  },
  'SHA-512': {
    node: 'sha512',
    ckm: pkcs11js.CKM_SHA512,
    mgf: pkcs11js.CKG_MGF1_SHA512,
    rsaPkcs: pkcs11js.CKM_SHA512_RSA_PKCS,
    rsaPss: pkcs11js.CKM_SHA512_RSA_PKCS_PSS,
    digestInfo: '3051300d060960864801650304020305000440',
  },
};

const digest = (hash: HashName, data: Uint8Array): Buffer => createHash(HASHES[hash].node).update(data).digest();

interface Plan {
  mechanism: pkcs11js.Mechanism;
  input: Buffer;
  name: string;
}

export function sign(entry: Login, keyId: string, mech: SignMechanism, data: Uint8Array): ResultOf<'sign'> {
  return inLogin(entry, (session) => {
    const lib = entry.mod.lib;
    const key = findPrivateKey(lib, session, keyId);
    const plan = planSign(entry, key.keyType, mech, data);
    call(() => lib.C_SignInit(session, plan.mechanism, key.handle), `C_SignInit(${plan.name})`);
    const out = Buffer.alloc(OUT_BYTES);
    const sig = call(() => lib.C_Sign(session, plan.input, out), `C_Sign(${plan.name})`);
    if (mech.alg === 'ECDSA' && (sig.length === 0 || sig.length % 2 !== 0)) {
      throw new TokenError('DEVICE_ERROR', `CKM_ECDSA returned ${sig.length} bytes, not r||s`);
    }
    return { signature: exact(sig), mechanism: plan.name };
  });
}

function planSign(entry: Login, keyType: KeyType, mech: SignMechanism, data: Uint8Array): Plan {
  const h = HASHES[mech.hash];
  const offered = mechanisms(entry);
  const can = (type: number) => ((offered.get(type) ?? 0) & CKF.SIGN) !== 0;
  const need = (type: KeyType) => {
    if (keyType !== type) throw new TokenError('KEY_NOT_USABLE', `${mech.alg} needs an ${type} key, this one is ${keyType}`);
  };

  switch (mech.alg) {
    case 'RSA_PKCS1': {
      need('RSA');
      if (can(h.rsaPkcs)) return { mechanism: { mechanism: h.rsaPkcs }, input: Buffer.from(data), name: nameOf(h.rsaPkcs) };
      if (can(pkcs11js.CKM_RSA_PKCS)) {
        const input = Buffer.concat([Buffer.from(h.digestInfo, 'hex'), digest(mech.hash, data)]);
        return { mechanism: { mechanism: pkcs11js.CKM_RSA_PKCS }, input, name: 'CKM_RSA_PKCS' };
      }
      break;
    }
    case 'RSA_PSS': {
      need('RSA');
      const parameter = { type: pkcs11js.CK_PARAMS_RSA_PSS, hashAlg: h.ckm, mgf: h.mgf, saltLen: mech.saltLength };
      if (can(h.rsaPss)) return { mechanism: { mechanism: h.rsaPss, parameter }, input: Buffer.from(data), name: nameOf(h.rsaPss) };
      if (can(pkcs11js.CKM_RSA_PKCS_PSS)) {
        return {
          mechanism: { mechanism: pkcs11js.CKM_RSA_PKCS_PSS, parameter },
          input: digest(mech.hash, data),
          name: 'CKM_RSA_PKCS_PSS',
        };
      }
      break;
    }
    case 'ECDSA': {
      need('EC');
      if (can(pkcs11js.CKM_ECDSA)) {
        return { mechanism: { mechanism: pkcs11js.CKM_ECDSA }, input: digest(mech.hash, data), name: 'CKM_ECDSA' };
      }
      break;
    }
  }
  throw new TokenError('MECHANISM_UNSUPPORTED', `The token offers no mechanism for ${mech.alg} with ${mech.hash}`);
}

export function decrypt(entry: Login, keyId: string, mech: DecryptMechanism, data: Uint8Array): ResultOf<'decrypt'> {
  return inLogin(entry, (session) => {
    const lib = entry.mod.lib;
    const key = findPrivateKey(lib, session, keyId);
    if (key.keyType !== 'RSA') throw new TokenError('KEY_NOT_USABLE', `Key ${keyId} is not an RSA key`);
    const type = mech.alg === 'RSA_OAEP' ? pkcs11js.CKM_RSA_PKCS_OAEP : pkcs11js.CKM_RSA_PKCS;
    const name = nameOf(type);
    if (((mechanisms(entry).get(type) ?? 0) & CKF.DECRYPT) === 0) {
      throw new TokenError('MECHANISM_UNSUPPORTED', `The token cannot decrypt with ${name}`);
    }
    const mechanism: pkcs11js.Mechanism = { mechanism: type };
    if (mech.alg === 'RSA_OAEP') {
      const oaep: pkcs11js.RsaOAEP = {
        type: pkcs11js.CK_PARAMS_RSA_OAEP,
        hashAlg: HASHES[mech.hash].ckm,
        mgf: HASHES[mech.mgfHash].mgf,
        source: CKZ_DATA_SPECIFIED,
      };
      if (mech.label && mech.label.length > 0) oaep.sourceData = Buffer.from(mech.label);
      mechanism.parameter = oaep;
    }
    try {
      lib.C_DecryptInit(session, mechanism, key.handle);
    } catch (e) {
      const ckr = ckrOf(e);
      // SoftHSM answers CKR_ARGUMENTS_BAD to OAEP with SHA-256; the spec says MECHANISM_PARAM_INVALID.
      if (mech.alg === 'RSA_OAEP' && (ckr === 'CKR_ARGUMENTS_BAD' || ckr === 'CKR_MECHANISM_PARAM_INVALID')) {
        throw new TokenError(
          'MECHANISM_PARAM_INVALID',
          `The token refused OAEP with ${mech.hash}/MGF1-${mech.mgfHash}${mech.label ? ' and a label' : ''} (${ckr})`,
          { ckr },
        );
      }
      throw e;
    }
    const out = Buffer.alloc(OUT_BYTES);
    try {
      const plain = lib.C_Decrypt(session, Buffer.from(data), out);
      return { plaintext: exact(plain), mechanism: name };
    } catch (e) {
      const ckr = ckrOf(e);
      // SoftHSM (and some tokens) answer a padding failure - ciphertext for another key, wrong
      // OAEP label - with CKR_GENERAL_ERROR. inLogin still checks the token is there.
      if (ckr === 'CKR_GENERAL_ERROR' || ckr === 'CKR_FUNCTION_FAILED') {
        throw new TokenError('DATA_INVALID', `C_Decrypt(${name}): the token could not decrypt this ciphertext (${ckr})`, { ckr });
      }
      throw ckr ? fromCkr(ckr, `C_Decrypt(${name})`) : e;
    } finally {
      out.fill(0); // the scratch buffer held key material
    }
  });
}

/** Mechanisms of the login's token with their flags, read once per login. */
function mechanisms(entry: Login): Map<number, number> {
  if (!entry.mechanisms) {
    const lib = entry.mod.lib;
    const types = call(() => lib.C_GetMechanismList(entry.slot), 'C_GetMechanismList');
    entry.mechanisms = new Map(types.map((t) => [t, call(() => lib.C_GetMechanismInfo(entry.slot, t), 'C_GetMechanismInfo').flags]));
  }
  return entry.mechanisms;
}

const nameOf = (type: number): string => mechanismName(type) ?? `0x${type.toString(16)}`;
