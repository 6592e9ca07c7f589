// The token bridge against real SoftHSM2 tokens, real OpenSSL certificates and real child
// processes (never a mock of the token). Run:
//   node --import tsx --test tests/integration/token/bridge.test.ts
// One set of tokens is shared by the whole file; tests that damage a token (wrong PINs, removal)
// use the spare token and run last.
import assert from 'node:assert/strict';
import { constants, publicEncrypt, randomBytes, verify, X509Certificate } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TokenBridge } from '../../../native/bridge/client';
import { ecdsaRawToDer } from '../../../native/bridge/ecdsa';
import { TokenError } from '../../../native/bridge/errors';
import type { BridgeLostEvent, SlotRef, TokenRemovedEvent } from '../../../native/bridge/protocol';
import { createSoftHsm, keyOf, SOFTHSM_MODULE, type SoftHsm, type TokenFixture } from '../../fixtures/softhsm/tokens';
import { buildVendorModules, type VendorModules } from '../../fixtures/softhsm/vendorModules';

const M = SOFTHSM_MODULE;
const HANG_TIMEOUT_MS = 1_500;

async function rejectsWith(p: Promise<unknown>, code: string): Promise<TokenError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof TokenError, `expected a TokenError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return e;
  }
  assert.fail(`expected ${code}, the call succeeded`);
}

function nextEvent<T>(bridge: TokenBridge, name: 'tokenRemoved' | 'bridgeLost', ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${name} within ${ms} ms`)), ms);
    bridge.once(name, (ev: unknown) => {
      clearTimeout(timer);
      resolve(ev as T);
    });
  });
}

describe('token bridge on SoftHSM 2.6.1', () => {
  let hsm: SoftHsm;
  let vendor: VendorModules;
  let bridge: TokenBridge;
  const stderr: string[] = [];
  const ref = (t: TokenFixture): SlotRef => ({ serial: t.serial });

  before(async () => {
    const t0 = Date.now();
    hsm = await createSoftHsm();
    vendor = await buildVendorModules(hsm.root);
    bridge = new TokenBridge({ env: hsm.env, timeouts: { listSlots: HANG_TIMEOUT_MS }, slotPollMs: 250 });
    bridge.on('stderr', (t) => stderr.push(t));
    console.log(`fixture: ${Date.now() - t0} ms ${JSON.stringify(hsm.timings)}`);
  });

  after(async () => {
    await bridge?.close();
    await hsm?.cleanup();
  });

  test('library info', async () => {
    const info = await bridge.info(M);
    assert.deepEqual(info, {
      module: M,
      cryptokiVersion: '2.40',
      manufacturer: 'SoftHSM',
      description: 'Implementation of PKCS11',
      libraryVersion: '2.6',
    });
  });

  test('slot list: every token with decoded flags, plus the free slot', async () => {
    const slots = await bridge.listSlots(M);
    for (const t of Object.values(hsm.tokens)) {
      const slot = slots.find((s) => s.token?.serial === t.serial);
      assert.ok(slot, `token ${t.label} listed`);
      assert.equal(slot.slotId, t.slotId);
      assert.equal(slot.tokenPresent, true);
      assert.equal(slot.token?.label, t.label);
      assert.equal(slot.token?.model, 'SoftHSM v2');
      assert.equal(slot.token?.initialized, true);
      assert.equal(slot.token?.loginRequired, true);
      assert.equal(slot.token?.pinPad, false);
      assert.deepEqual(slot.token?.userPin, { countLow: false, finalTry: false, locked: false, toBeChanged: false });
    }
    // SoftHSM always offers one more slot with an uninitialised token.
    assert.ok(slots.some((s) => s.tokenPresent && s.token?.initialized === false));
  });

  test('certificates are listed before login, with CKA_ID, label and DER', async () => {
    const t = hsm.tokens.userRsa;
    const certs = await bridge.listCertificates(M, ref(t));
    assert.deepEqual(certs.map((c) => [c.id, c.label]).sort(), [['01', 'an-sign'], ['02', 'an-enc']]);
    for (const c of certs) {
      const key = t.keys.find((k) => k.id === c.id);
      assert.deepEqual(Buffer.from(c.der), key?.certDer);
      const x = new X509Certificate(c.der);
      assert.ok(x.checkIssued(new X509Certificate(hsm.ca.certPem)));
      assert.match(x.subject, /Nguyễn Văn An/);
    }
    const byId = await bridge.listCertificates(M, { slotId: hsm.tokens.userEc.slotId });
    assert.equal(byId.length, 2);
  });

  test('mechanisms: what SoftHSM offers for our algorithms', async (t) => {
    const mechs = await bridge.getMechanisms(M, ref(hsm.tokens.userRsa));
    const by = (name: string) => mechs.find((m) => m.name === name);
    t.diagnostic(`SoftHSM mechanisms: ${mechs.map((m) => m.name ?? `0x${m.type.toString(16)}`).join(' ')}`);
    assert.equal(by('CKM_SHA256_RSA_PKCS')?.sign, true);
    assert.equal(by('CKM_SHA256_RSA_PKCS_PSS')?.sign, true);
    assert.equal(by('CKM_RSA_PKCS_PSS')?.sign, true);
    assert.equal(by('CKM_ECDSA')?.sign, true);
    assert.equal(by('CKM_ECDSA_SHA256'), undefined, 'SoftHSM 2.6.1 has no hash-and-sign ECDSA');
    const oaep = by('CKM_RSA_PKCS_OAEP');
    assert.equal(oaep?.decrypt, true);
    assert.equal(oaep?.unwrap, true);
    assert.equal(oaep?.minKeySize, 512);
  });

  test('login, and logging in again checks the PIN again', async () => {
    const t = hsm.tokens.userRsa;
    const ok = await bridge.login(M, ref(t), t.pin);
    assert.deepEqual(ok, { slotId: t.slotId, serial: t.serial, label: t.label, reverified: false });
    // An unlock with a wrong PIN must fail although the token is logged in (no silent
    // CKR_USER_ALREADY_LOGGED_IN), and it ends the login.
    const e = await rejectsWith(bridge.login(M, ref(t), '000000'), 'PIN_INCORRECT');
    assert.deepEqual(e.loginLost, { module: M, serial: t.serial });
    assert.deepEqual(bridge.activeLogins(), []);
    await rejectsWith(bridge.sign(M, ref(t), '01', { alg: 'RSA_PKCS1', hash: 'SHA-256' }, Buffer.from('x')), 'NOT_LOGGED_IN');
    await bridge.login(M, ref(t), t.pin);
    assert.deepEqual(bridge.activeLogins(), [{ module: M, serial: t.serial }]);
  });

  test('RSA PKCS#1 v1.5 SHA-256 signature verifies with the certificate', async () => {
    const t = hsm.tokens.userRsa;
    const data = Buffer.from('Công văn số 12/CV-VP ngày 01/02/2026', 'utf8');
    const r = await bridge.sign(M, ref(t), '01', { alg: 'RSA_PKCS1', hash: 'SHA-256' }, data);
    assert.equal(r.mechanism, 'CKM_SHA256_RSA_PKCS');
    assert.equal(r.signature.length, 256);
    assert.ok(verify('sha256', data, keyOf(t, 'an-sign').publicKey, r.signature));
  });

  test('RSA-PSS SHA-256 signature verifies', async () => {
    const t = hsm.tokens.userRsa;
    const data = randomBytes(300);
    const r = await bridge.sign(M, ref(t), '01', { alg: 'RSA_PSS', hash: 'SHA-256', saltLength: 32 }, data);
    assert.equal(r.mechanism, 'CKM_SHA256_RSA_PKCS_PSS');
    const key = { key: keyOf(t, 'an-sign').publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
    assert.ok(verify('sha256', data, key, r.signature));
  });

  test('ECDSA P-256 and P-384: raw r||s, DER-encoded it verifies', async () => {
    const t = hsm.tokens.userEc;
    await bridge.login(M, ref(t), t.pin);
    const data = Buffer.from('ký số văn bản', 'utf8');
    const p256 = await bridge.sign(M, ref(t), '01', { alg: 'ECDSA', hash: 'SHA-256' }, data);
    assert.equal(p256.mechanism, 'CKM_ECDSA');
    assert.equal(p256.signature.length, 64);
    assert.ok(verify('sha256', data, keyOf(t, 'binh-sign').publicKey, ecdsaRawToDer(p256.signature)));
    assert.ok(verify('sha256', data, { key: keyOf(t, 'binh-sign').publicKey, dsaEncoding: 'ieee-p1363' }, p256.signature));
    // The token signs with the key of an expired certificate: refusing it is the app's job.
    const p384 = await bridge.sign(M, ref(t), '02', { alg: 'ECDSA', hash: 'SHA-384' }, data);
    assert.equal(p384.signature.length, 96);
    assert.ok(verify('sha384', data, keyOf(t, 'binh-old').publicKey, ecdsaRawToDer(p384.signature)));
  });

  test('signing errors are typed', async () => {
    const rsa = hsm.tokens.userRsa;
    await rejectsWith(bridge.sign(M, ref(rsa), '01', { alg: 'ECDSA', hash: 'SHA-256' }, Buffer.from('x')), 'KEY_NOT_USABLE');
    await rejectsWith(bridge.sign(M, ref(rsa), '7f', { alg: 'RSA_PKCS1', hash: 'SHA-256' }, Buffer.from('x')), 'KEY_NOT_FOUND');
    const rec = hsm.tokens.recovery;
    await rejectsWith(bridge.sign(M, ref(rec), '01', { alg: 'RSA_PKCS1', hash: 'SHA-256' }, Buffer.from('x')), 'NOT_LOGGED_IN');
    await rejectsWith(bridge.sign(M, ref(rsa), '01', { alg: 'RSA_PKCS1', hash: 'MD5' as 'SHA-1' }, Buffer.from('x')), 'BAD_REQUEST');
  });

  test('RSA-OAEP (SHA-1) unwraps a content key encrypted with node:crypto; other OAEP hashes are refused', async () => {
    const t = hsm.tokens.recovery;
    await bridge.login(M, ref(t), t.pin);
    const publicKey = keyOf(t, 'recovery').publicKey;
    const cek = randomBytes(32);
    const oaep = (hash: string) => publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, cek);

    const r = await bridge.decrypt(M, ref(t), '01', { alg: 'RSA_OAEP', hash: 'SHA-1', mgfHash: 'SHA-1' }, oaep('sha1'));
    assert.equal(r.mechanism, 'CKM_RSA_PKCS_OAEP');
    assert.deepEqual(Buffer.from(r.plaintext), cek);

    const e = await rejectsWith(
      bridge.decrypt(M, ref(t), '01', { alg: 'RSA_OAEP', hash: 'SHA-256', mgfHash: 'SHA-256' }, oaep('sha256')),
      'MECHANISM_PARAM_INVALID',
    );
    assert.equal(e.ckr, 'CKR_ARGUMENTS_BAD');

    const v15 = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, cek);
    const r15 = await bridge.decrypt(M, ref(t), '01', { alg: 'RSA_PKCS1' }, v15);
    assert.deepEqual(Buffer.from(r15.plaintext), cek);

    // A ciphertext for another key: SoftHSM says CKR_GENERAL_ERROR; the bridge reports DATA_INVALID
    // (the token is still there) and the login survives it.
    const other = publicEncrypt({ key: keyOf(hsm.tokens.userRsa, 'an-sign').publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING }, cek);
    const bad = await rejectsWith(bridge.decrypt(M, ref(t), '01', { alg: 'RSA_OAEP', hash: 'SHA-1', mgfHash: 'SHA-1' }, other), 'DATA_INVALID');
    assert.equal(bad.ckr, 'CKR_GENERAL_ERROR');
    assert.equal(bad.loginLost, undefined);
    const again = await bridge.decrypt(M, ref(t), '01', { alg: 'RSA_OAEP', hash: 'SHA-1', mgfHash: 'SHA-1' }, oaep('sha1'));
    assert.deepEqual(Buffer.from(again.plaintext), cek);
  });

  test('module path errors: not PKCS#11, missing, relative', async () => {
    await rejectsWith(bridge.info('/usr/lib/x86_64-linux-gnu/libz.so.1'), 'NOT_PKCS11');
    const text = join(hsm.root, 'not-a-module.so');
    await writeFile(text, 'just text\n');
    await rejectsWith(bridge.info(text), 'NOT_PKCS11');
    await rejectsWith(bridge.info(join(hsm.root, 'missing.so')), 'MODULE_NOT_FOUND');
    await rejectsWith(bridge.info('libsofthsm2.so'), 'BAD_REQUEST');
  });

  test('hanging module: BRIDGE_TIMEOUT in time, logins reported lost, next call works', async (t) => {
    const info = await bridge.info(vendor.hanging); // C_GetInfo behaves
    assert.equal(info.description, 'Hanging vendor module');
    const lost = nextEvent<BridgeLostEvent>(bridge, 'bridgeLost', 5_000);
    const t0 = Date.now();
    await rejectsWith(bridge.listSlots(vendor.hanging), 'BRIDGE_TIMEOUT');
    const took = Date.now() - t0;
    t.diagnostic(`BRIDGE_TIMEOUT after ${took} ms (timeout ${HANG_TIMEOUT_MS} ms)`);
    assert.ok(took >= HANG_TIMEOUT_MS - 50 && took < HANG_TIMEOUT_MS + 1_000, `timed out after ${took} ms`);
    const ev = await lost;
    assert.equal(ev.reason, 'timeout');
    assert.deepEqual(ev.lostLogins.map((l) => l.serial).sort(), [hsm.tokens.userRsa.serial, hsm.tokens.userEc.serial, hsm.tokens.recovery.serial].sort());
    // A fresh process answers; the logins are gone with the old one.
    assert.ok((await bridge.listSlots(M)).length >= 5);
    await rejectsWith(bridge.sign(M, ref(hsm.tokens.userEc), '01', { alg: 'ECDSA', hash: 'SHA-256' }, Buffer.from('x')), 'NOT_LOGGED_IN');
  });

  test('crashing module: BRIDGE_CRASHED, this process lives, next call works', async () => {
    const lost = nextEvent<BridgeLostEvent>(bridge, 'bridgeLost', 5_000);
    const e = await rejectsWith(bridge.listSlots(vendor.crashing), 'BRIDGE_CRASHED');
    assert.match(e.message, /SIGSEGV/);
    const ev = await lost;
    assert.equal(ev.reason, 'crashed');
    assert.equal(ev.signal, 'SIGSEGV');
    assert.equal((await bridge.info(M)).manufacturer, 'SoftHSM');
  });

  test('wrong PIN: PIN_INCORRECT with SoftHSM\'s count-low flag; SoftHSM never locks', async () => {
    const t = hsm.tokens.spare;
    const wrong = '987123';
    for (let i = 0; i < 12; i++) {
      const e = await rejectsWith(bridge.login(M, ref(t), wrong), 'PIN_INCORRECT');
      assert.equal(e.ckr, 'CKR_PIN_INCORRECT');
      // SoftHSM 2.6.1 sets CKF_USER_PIN_COUNT_LOW after any wrong PIN and has no retry counter:
      // never FINAL_TRY, never LOCKED, however many tries.
      assert.deepEqual(e.pin, { countLow: true, finalTry: false, locked: false, toBeChanged: false });
      assert.ok(!JSON.stringify(e.toPayload()).includes(wrong) && !e.message.includes(wrong), 'PIN echoed');
    }
    const slot = (await bridge.listSlots(M)).find((s) => s.token?.serial === t.serial);
    assert.equal(slot?.token?.userPin.countLow, true);
    await bridge.login(M, ref(t), t.pin); // still not locked
    const after = (await bridge.listSlots(M)).find((s) => s.token?.serial === t.serial);
    assert.equal(after?.token?.userPin.countLow, false, 'a good login clears the flag');
    // Shorter than SoftHSM's minimum of 4: SoftHSM still says CKR_PIN_INCORRECT, not CKR_PIN_LEN_RANGE.
    await rejectsWith(bridge.login(M, ref(t), '12'), 'PIN_INCORRECT');
    assert.ok(!stderr.join('').includes(wrong), 'PIN written to the bridge stderr');
  });

  test('logout', async () => {
    const t = hsm.tokens.spare;
    await bridge.login(M, ref(t), t.pin);
    assert.deepEqual(await bridge.logout(M, ref(t)), { wasLoggedIn: true, serial: t.serial });
    assert.deepEqual(await bridge.logout(M, ref(t)), { wasLoggedIn: false });
    await rejectsWith(bridge.sign(M, ref(t), '01', { alg: 'ECDSA', hash: 'SHA-256' }, Buffer.from('x')), 'NOT_LOGGED_IN');
  });

  test('token pulled while watched: tokenRemoved within ~2 s, login lost', async (ctx) => {
    const t = hsm.tokens.spare;
    await bridge.login(M, ref(t), t.pin);
    const stop = bridge.watchSlots(M);
    try {
      await new Promise((r) => setTimeout(r, 400)); // the first poll sets the baseline
      const removed = nextEvent<TokenRemovedEvent>(bridge, 'tokenRemoved', 2_000);
      const t0 = Date.now();
      await hsm.removeToken('spare');
      const ev = await removed;
      const took = Date.now() - t0;
      ctx.diagnostic(`tokenRemoved after ${took} ms (poll every 250 ms)`);
      assert.ok(took < 2_000, `noticed after ${took} ms`);
      assert.deepEqual(ev, { module: M, slotId: t.slotId, serial: t.serial, label: t.label, loginLost: true });
      await rejectsWith(bridge.sign(M, ref(t), '01', { alg: 'ECDSA', hash: 'SHA-256' }, Buffer.from('x')), 'NOT_LOGGED_IN');
      await rejectsWith(bridge.listCertificates(M, ref(t)), 'TOKEN_NOT_PRESENT');
    } finally {
      stop();
    }
  });

  test('token pulled during a session, nobody polling: the next operation says TOKEN_NOT_PRESENT', async () => {
    // SoftHSM enumerates tokens at C_Initialize: a re-initialised token needs a new bridge process.
    const t = await hsm.reinitToken('spare');
    await bridge.close();
    await bridge.login(M, ref(t), t.pin);
    await bridge.sign(M, ref(t), '01', { alg: 'ECDSA', hash: 'SHA-256' }, Buffer.from('x'));
    await hsm.removeToken('spare');
    const e = await rejectsWith(bridge.sign(M, ref(t), '01', { alg: 'ECDSA', hash: 'SHA-256' }, Buffer.from('x')), 'TOKEN_NOT_PRESENT');
    assert.deepEqual(e.loginLost, { module: M, serial: t.serial });
    assert.deepEqual(bridge.activeLogins(), []);
  });

  test('token pulled before the watch first answered: the token signed in on is reported removed', async () => {
    // The race seen on a loaded CI machine: the session's watch starts at sign-in, its first listing is
    // queued behind other calls, the token is pulled meanwhile, and that listing becomes the baseline.
    const t = await hsm.reinitToken('spare');
    await bridge.close();
    await bridge.login(M, ref(t), t.pin);
    await hsm.removeToken('spare');
    const listSlots = bridge.listSlots.bind(bridge);
    let answered = 0;
    bridge.listSlots = async (module: string) => {
      const slots = await listSlots(module);
      answered++;
      return slots;
    };
    const removedEvents: TokenRemovedEvent[] = [];
    const onRemoved = (ev: TokenRemovedEvent) => void removedEvents.push(ev);
    bridge.on('tokenRemoved', onRemoved);
    try {
      // Control: a watch that was not told of the token takes its first answer (no token) as the baseline.
      const blind = bridge.watchSlots(M);
      while (answered < 2) await new Promise((r) => setTimeout(r, 50));
      blind();
      assert.deepEqual(removedEvents, [], 'without the hint the removal is invisible: the hole this closes');

      const removed = nextEvent<TokenRemovedEvent>(bridge, 'tokenRemoved', 30_000);
      const stop = bridge.watchSlots(M, { serial: t.serial });
      try {
        const ev = await removed;
        assert.equal(ev.serial, t.serial);
        assert.equal(ev.module, M);
        assert.equal(ev.loginLost, true);
      } finally {
        stop();
      }
    } finally {
      bridge.off('tokenRemoved', onRemoved);
      bridge.listSlots = listSlots;
    }
  });
});
