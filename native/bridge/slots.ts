// Slots, tokens and mechanisms of a loaded module, read without logging in.
import pkcs11js from 'pkcs11js';
import { ckrOf, fromCkr } from './ckr';
import { TokenError } from './errors';
import { mechanismFlags, slotFlags, tokenFlags } from './flags';
import type { LoadedModule } from './loader';
import type { LibraryInfo, MechanismEntry, SlotInfo, SlotRef, TokenInfo } from './protocol';

/** CK_SLOT_ID travels as a decimal string: CK_ULONG is 64-bit on Linux/macOS, 32-bit on Windows. */
export function slotIdOf(handle: Buffer): string {
  if (handle.length === 8) return handle.readBigUInt64LE(0).toString();
  if (handle.length === 4) return handle.readUInt32LE(0).toString();
  return BigInt(`0x${Buffer.from(handle).reverse().toString('hex') || '0'}`).toString();
}

// CK_UTF8CHAR fields are blank-padded to a fixed width.
const text = (s: string): string => s.replace(/[\s\0]+$/, '');
const ver = (v: { major: number; minor: number }): string => `${v.major}.${v.minor}`;

export function libraryInfo(mod: LoadedModule): LibraryInfo {
  const info = call(() => mod.lib.C_GetInfo(), 'C_GetInfo');
  return {
    module: mod.path,
    cryptokiVersion: ver(info.cryptokiVersion),
    manufacturer: text(info.manufacturerID),
    description: text(info.libraryDescription),
    libraryVersion: ver(info.libraryVersion),
  };
}

export function decodeTokenInfo(t: pkcs11js.TokenInfo): TokenInfo {
  return {
    label: text(t.label),
    serial: text(t.serialNumber),
    manufacturer: text(t.manufacturerID),
    model: text(t.model),
    ...tokenFlags(t.flags),
    minPinLength: t.minPinLen,
    maxPinLength: t.maxPinLen,
    flags: t.flags,
  };
}

export function listSlots(mod: LoadedModule): SlotInfo[] {
  // All slots, not only those with a token: a reader whose token was pulled stays listed as empty.
  const handles = call(() => mod.lib.C_GetSlotList(false), 'C_GetSlotList');
  return handles.map((h) => describeSlot(mod, h));
}

function describeSlot(mod: LoadedModule, handle: Buffer): SlotInfo {
  const slotId = slotIdOf(handle);
  const s = call(() => mod.lib.C_GetSlotInfo(handle), 'C_GetSlotInfo');
  const flags = slotFlags(s.flags);
  const base = {
    slotId,
    description: text(s.slotDescription),
    manufacturer: text(s.manufacturerID),
    removableDevice: flags.removableDevice,
    hardwareSlot: flags.hardwareSlot,
  };
  if (!flags.tokenPresent) return { ...base, tokenPresent: false };
  try {
    return { ...base, tokenPresent: true, token: decodeTokenInfo(mod.lib.C_GetTokenInfo(handle)) };
  } catch (e) {
    // SoftHSM answers CKR_GENERAL_ERROR once the token's files are gone; real readers say
    // CKR_TOKEN_NOT_PRESENT or CKR_DEVICE_REMOVED. Either way there is no usable token.
    return { ...base, tokenPresent: false, tokenError: ckrOf(e) ?? 'unknown error' };
  }
}

export interface ResolvedSlot {
  handle: Buffer;
  slotId: string;
  token: TokenInfo;
}

/** The slot holding the referenced token, which must be present and initialised. */
export function resolveSlot(mod: LoadedModule, ref: SlotRef): ResolvedSlot {
  const handles = call(() => mod.lib.C_GetSlotList(true), 'C_GetSlotList');
  for (const handle of handles) {
    const slotId = slotIdOf(handle);
    if ('slotId' in ref && ref.slotId !== slotId) continue;
    let token: TokenInfo;
    try {
      token = decodeTokenInfo(mod.lib.C_GetTokenInfo(handle));
    } catch (e) {
      if ('slotId' in ref) throw fromCkr(ckrOf(e) ?? 'CKR_TOKEN_NOT_PRESENT', `slot ${slotId}`);
      continue;
    }
    if ('serial' in ref && ref.serial !== token.serial) continue;
    if (!token.initialized) throw new TokenError('TOKEN_NOT_RECOGNIZED', `The token in slot ${slotId} is not initialised`);
    return { handle, slotId, token };
  }
  if ('serial' in ref) throw new TokenError('TOKEN_NOT_PRESENT', `No token with serial ${ref.serial} is present`);
  throw new TokenError('TOKEN_NOT_PRESENT', `No token in slot ${ref.slotId}`);
}

export function listMechanisms(mod: LoadedModule, slot: Buffer): MechanismEntry[] {
  const types = call(() => mod.lib.C_GetMechanismList(slot), 'C_GetMechanismList');
  return types.map((type) => {
    const info = call(() => mod.lib.C_GetMechanismInfo(slot, type), 'C_GetMechanismInfo');
    return {
      type,
      name: mechanismName(type),
      minKeySize: info.minKeySize,
      maxKeySize: info.maxKeySize,
      flags: info.flags,
      ...mechanismFlags(info.flags),
    };
  });
}

// pkcs11js lacks the v3.0 EdDSA names SoftHSM 2.6.1 lists, and some values have two names
// (CKM_ECDSA_KEY_PAIR_GEN is the old name of CKM_EC_KEY_PAIR_GEN): these entries win.
const EXTRA_MECHANISMS: Record<number, string> = {
  0x1040: 'CKM_EC_KEY_PAIR_GEN',
  0x1055: 'CKM_EC_EDWARDS_KEY_PAIR_GEN',
  0x1057: 'CKM_EDDSA',
};
let mechanismNames: Map<number, string> | undefined;

export function mechanismName(type: number): string | null {
  if (!mechanismNames) {
    mechanismNames = new Map();
    for (const [name, value] of Object.entries(pkcs11js)) {
      if (name.startsWith('CKM_') && typeof value === 'number' && !mechanismNames.has(value)) {
        mechanismNames.set(value, name);
      }
    }
    for (const [value, name] of Object.entries(EXTRA_MECHANISMS)) mechanismNames.set(Number(value), name);
  }
  return mechanismNames.get(type) ?? null;
}

/** Run a PKCS#11 call and turn a CKR into the typed error. */
export function call<T>(fn: () => T, context: string): T {
  try {
    return fn();
  } catch (e) {
    const ckr = ckrOf(e);
    if (ckr) throw fromCkr(ckr, context);
    throw e;
  }
}
