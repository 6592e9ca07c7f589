// Pure parts of the bridge: PIN flag decoding, CKR mapping, schemas, r||s to DER. SoftHSM never
// sets FINAL_TRY or LOCKED (see bridge.test.ts), so the locked path is proven here.
//   node --import tsx --test tests/integration/token/decoding.test.ts
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, test } from 'node:test';
import { ckrOf, fromCkr, loginFailure } from '../../../native/bridge/ckr';
import { ecdsaRawToDer } from '../../../native/bridge/ecdsa';
import { TokenError } from '../../../native/bridge/errors';
import { CKF, tokenFlags, userPinStatus } from '../../../native/bridge/flags';
import { describeIssues, requestSchemas, ResponseEnvelopeSchema } from '../../../native/bridge/protocol';

describe('PIN flags', () => {
  test('each CK_TOKEN_INFO PIN bit decodes on its own', () => {
    assert.deepEqual(userPinStatus(0), { countLow: false, finalTry: false, locked: false, toBeChanged: false });
    assert.equal(userPinStatus(CKF.USER_PIN_COUNT_LOW).countLow, true);
    assert.equal(userPinStatus(CKF.USER_PIN_FINAL_TRY).finalTry, true);
    assert.equal(userPinStatus(CKF.USER_PIN_LOCKED).locked, true);
    assert.equal(userPinStatus(CKF.USER_PIN_TO_BE_CHANGED).toBeChanged, true);
    // SO bits are not user bits.
    assert.deepEqual(userPinStatus(CKF.SO_PIN_LOCKED | CKF.SO_PIN_COUNT_LOW), userPinStatus(0));
  });

  test('SoftHSM token flags 0x42d (and after a wrong PIN 0x1042d)', () => {
    const f = tokenFlags(0x42d);
    assert.equal(f.initialized, true);
    assert.equal(f.loginRequired, true);
    assert.equal(f.userPinInitialized, true);
    assert.equal(f.pinPad, false);
    assert.equal(tokenFlags(0x1042d).userPin.countLow, true);
    assert.equal(tokenFlags(0x42d | CKF.PROTECTED_AUTHENTICATION_PATH).pinPad, true);
  });
});

describe('login failures', () => {
  const pin = (p: Partial<ReturnType<typeof userPinStatus>>) => ({ ...userPinStatus(0), ...p });

  test('incorrect PIN carries the flags read after the try', () => {
    const e = loginFailure('CKR_PIN_INCORRECT', pin({ countLow: true, finalTry: true }));
    assert.equal(e.code, 'PIN_INCORRECT');
    assert.deepEqual(e.pin, pin({ countLow: true, finalTry: true }));
  });

  test('CKR_PIN_LOCKED, or CKR_PIN_INCORRECT on the try that locked it, is PIN_LOCKED', () => {
    assert.equal(loginFailure('CKR_PIN_LOCKED', undefined).code, 'PIN_LOCKED');
    const e = loginFailure('CKR_PIN_INCORRECT', pin({ locked: true }));
    assert.equal(e.code, 'PIN_LOCKED');
    assert.equal(e.ckr, 'CKR_PIN_INCORRECT');
  });

  test('other login answers map to their own codes', () => {
    assert.equal(loginFailure('CKR_PIN_LEN_RANGE', undefined).code, 'PIN_INVALID');
    assert.equal(loginFailure('CKR_PIN_EXPIRED', undefined).code, 'PIN_EXPIRED');
    assert.equal(loginFailure('CKR_FUNCTION_CANCELED', undefined).code, 'CANCELLED');
    assert.equal(loginFailure('CKR_DEVICE_REMOVED', undefined).code, 'DEVICE_REMOVED');
  });
});

describe('CKR mapping', () => {
  test('the return values the pitfalls list', () => {
    const cases: [string, string][] = [
      ['CKR_PIN_INCORRECT', 'PIN_INCORRECT'],
      ['CKR_PIN_LOCKED', 'PIN_LOCKED'],
      ['CKR_DEVICE_REMOVED', 'DEVICE_REMOVED'],
      ['CKR_TOKEN_NOT_PRESENT', 'TOKEN_NOT_PRESENT'],
      ['CKR_SESSION_HANDLE_INVALID', 'SESSION_CLOSED'],
      ['CKR_SESSION_CLOSED', 'SESSION_CLOSED'],
      ['CKR_USER_NOT_LOGGED_IN', 'NOT_LOGGED_IN'],
      ['CKR_MECHANISM_INVALID', 'MECHANISM_UNSUPPORTED'],
      ['CKR_ENCRYPTED_DATA_INVALID', 'DATA_INVALID'],
      ['CKR_GENERAL_ERROR', 'DEVICE_ERROR'],
      ['CKR_USER_ALREADY_LOGGED_IN', 'PKCS11_ERROR'], // handled by login itself, never surfaces
      ['CKR_SOMETHING_NEW', 'PKCS11_ERROR'],
    ];
    for (const [ckr, code] of cases) {
      const e = fromCkr(ckr, 'test');
      assert.equal(e.code, code, ckr);
      assert.equal(e.ckr, ckr);
    }
  });

  test('ckrOf reads pkcs11js errors and keeps vendor-defined numbers', () => {
    assert.equal(ckrOf(new Error('CKR_PIN_INCORRECT')), 'CKR_PIN_INCORRECT');
    assert.equal(ckrOf(Object.assign(new Error('CKR_VENDOR_DEFINED'), { code: 0x80000123 })), 'CKR_VENDOR_DEFINED(0x80000123)');
    assert.equal(ckrOf(new TypeError('Argument 0 has wrong type')), undefined);
    assert.equal(ckrOf('CKR_PIN_INCORRECT'), undefined);
  });

  test('TokenError survives the trip through its payload', () => {
    const e = new TokenError('PIN_INCORRECT', 'x', { ckr: 'CKR_PIN_INCORRECT', pin: userPinStatus(CKF.USER_PIN_FINAL_TRY) });
    const back = TokenError.fromPayload(e.toPayload());
    assert.deepEqual(back.toPayload(), e.toPayload());
    assert.ok(ResponseEnvelopeSchema.safeParse({ id: 1, ok: false, error: e.toPayload() }).success);
  });
});

describe('request schemas', () => {
  test('a rejected login request never quotes the PIN', () => {
    const pin = 'x'.repeat(300) + '4711';
    const r = requestSchemas.login.safeParse({ op: 'login', module: '/m.so', slot: { serial: 's' }, pin });
    assert.equal(r.success, false);
    if (!r.success) {
      const text = describeIssues(r.error);
      assert.match(text, /^pin: /);
      assert.ok(!text.includes('4711'));
    }
  });

  test('slot references, key ids and byte sizes are checked', () => {
    const base = { op: 'sign', module: '/m.so', keyId: '01', mechanism: { alg: 'ECDSA', hash: 'SHA-256' }, data: new Uint8Array(3) };
    assert.ok(requestSchemas.sign.safeParse({ ...base, slot: { serial: 'a' } }).success);
    assert.ok(requestSchemas.sign.safeParse({ ...base, slot: { slotId: '18446744073709551615' } }).success);
    assert.ok(!requestSchemas.sign.safeParse({ ...base, slot: { slotId: '12', serial: 'a' } }).success);
    assert.ok(!requestSchemas.sign.safeParse({ ...base, slot: { serial: 'a' }, keyId: '0G' }).success);
    assert.ok(!requestSchemas.sign.safeParse({ ...base, slot: { serial: 'a' }, data: 'abc' }).success);
    const big = { op: 'decrypt', module: '/m.so', slot: { serial: 'a' }, keyId: '01', mechanism: { alg: 'RSA_PKCS1' }, data: new Uint8Array(1025) };
    assert.ok(!requestSchemas.decrypt.safeParse(big).success);
  });
});

describe('ECDSA r||s to DER', () => {
  test('matches what node:crypto produces, including high-bit and leading-zero halves', () => {
    for (const curve of ['prime256v1', 'secp384r1', 'secp521r1']) {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
      for (let i = 0; i < 40; i++) {
        const data = Buffer.from(`message ${i}`);
        const raw = sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
        const der = ecdsaRawToDer(raw);
        assert.ok(verify('sha256', data, publicKey, der), `${curve} #${i}`);
      }
    }
    assert.deepEqual([...ecdsaRawToDer(Uint8Array.from([0, 0x80, 0, 1]))], [0x30, 7, 0x02, 2, 0, 0x80, 0x02, 1, 1]);
    assert.throws(() => ecdsaRawToDer(new Uint8Array(3)));
  });
});
