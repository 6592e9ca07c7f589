// Decoding of CK_SLOT_INFO, CK_TOKEN_INFO and CK_MECHANISM_INFO flag words. Values are the
// PKCS#11 v2.40 constants, written out so this file loads without the native addon (unit tests).
import type { PinStatus } from './protocol';

export const CKF = {
  // CK_SLOT_INFO
  TOKEN_PRESENT: 0x1,
  REMOVABLE_DEVICE: 0x2,
  HW_SLOT: 0x4,
  // CK_TOKEN_INFO
  WRITE_PROTECTED: 0x2,
  LOGIN_REQUIRED: 0x4,
  USER_PIN_INITIALIZED: 0x8,
  PROTECTED_AUTHENTICATION_PATH: 0x100,
  TOKEN_INITIALIZED: 0x400,
  USER_PIN_COUNT_LOW: 0x10000,
  USER_PIN_FINAL_TRY: 0x20000,
  USER_PIN_LOCKED: 0x40000,
  USER_PIN_TO_BE_CHANGED: 0x80000,
  SO_PIN_COUNT_LOW: 0x100000,
  SO_PIN_FINAL_TRY: 0x200000,
  SO_PIN_LOCKED: 0x400000,
  SO_PIN_TO_BE_CHANGED: 0x800000,
  // CK_MECHANISM_INFO
  HW: 0x1,
  ENCRYPT: 0x100,
  DECRYPT: 0x200,
  DIGEST: 0x400,
  SIGN: 0x800,
  VERIFY: 0x2000,
  GENERATE_KEY_PAIR: 0x10000,
  WRAP: 0x20000,
  UNWRAP: 0x40000,
  DERIVE: 0x80000,
} as const;

const has = (flags: number, bit: number): boolean => (flags & bit) !== 0;

export function userPinStatus(tokenFlags: number): PinStatus {
  return {
    countLow: has(tokenFlags, CKF.USER_PIN_COUNT_LOW),
    finalTry: has(tokenFlags, CKF.USER_PIN_FINAL_TRY),
    locked: has(tokenFlags, CKF.USER_PIN_LOCKED),
    toBeChanged: has(tokenFlags, CKF.USER_PIN_TO_BE_CHANGED),
  };
}

export function soPinStatus(tokenFlags: number): PinStatus {
  return {
    countLow: has(tokenFlags, CKF.SO_PIN_COUNT_LOW),
    finalTry: has(tokenFlags, CKF.SO_PIN_FINAL_TRY),
    locked: has(tokenFlags, CKF.SO_PIN_LOCKED),
    toBeChanged: has(tokenFlags, CKF.SO_PIN_TO_BE_CHANGED),
  };
}

export function tokenFlags(flags: number) {
  return {
    initialized: has(flags, CKF.TOKEN_INITIALIZED),
    loginRequired: has(flags, CKF.LOGIN_REQUIRED),
    userPinInitialized: has(flags, CKF.USER_PIN_INITIALIZED),
    pinPad: has(flags, CKF.PROTECTED_AUTHENTICATION_PATH),
    writeProtected: has(flags, CKF.WRITE_PROTECTED),
    userPin: userPinStatus(flags),
    soPin: soPinStatus(flags),
  };
}

export function slotFlags(flags: number) {
  return {
    tokenPresent: has(flags, CKF.TOKEN_PRESENT),
    removableDevice: has(flags, CKF.REMOVABLE_DEVICE),
    hardwareSlot: has(flags, CKF.HW_SLOT),
  };
}

export function mechanismFlags(flags: number) {
  return {
    hw: has(flags, CKF.HW),
    encrypt: has(flags, CKF.ENCRYPT),
    decrypt: has(flags, CKF.DECRYPT),
    digest: has(flags, CKF.DIGEST),
    sign: has(flags, CKF.SIGN),
    verify: has(flags, CKF.VERIFY),
    wrap: has(flags, CKF.WRAP),
    unwrap: has(flags, CKF.UNWRAP),
    derive: has(flags, CKF.DERIVE),
    generateKeyPair: has(flags, CKF.GENERATE_KEY_PAIR),
  };
}
