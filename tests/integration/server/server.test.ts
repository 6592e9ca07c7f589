// The agency server on both back ends (SQLite file, real PostgreSQL started here): sign-in by a
// signed nonce with real SoftHSM tokens and software keys, the refusals (foreign CA, revoked, not
// enrolled, replayed or expired nonce, a signature for another server), clearance on every channel,
// idempotent batches, opaque classified payloads, ranged downloads, limits, logs, and the client's
// pinning of the server certificate to the agency CA.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { PersonEntry } from '../../../server/config';
import type { RunningServer } from '../../../server/app';
import { API, authChallenge, type BatchPage, type BatchUpload, type SessionResponse } from '../../../main/core/sync/protocol';
import type { AgencyWorkstationsPage } from '../../../main/core/sync/packets/protocol';
import { sealBatch } from '../../../main/core/sync/seal';
import { Transport, TransportError } from '../../../main/core/sync/transport';
import { tokenKeyOps } from '../../../main/core/token/tokenKeyOps';
import type { PrivateKeyOps } from '../../../main/core/crypto';
import { parseCertificate } from '../../../main/core/crypto/certificates';
import { newGlobalId } from '../../../main/core/events/globalId';
import { TokenBridge } from '../../../native/bridge/client';
import { createSoftHsm, keyOf, type SoftHsm } from '../../fixtures/softhsm/tokens';
import { agencyPki, startAgencyServer, type AgencyPki, type Backend } from '../../helpers/agencyServer';
import { startPostgres, type TestPostgres } from '../../helpers/postgres';
import { softKey } from '../../helpers/softKey';
import { softIdentity, tempDir } from '../../helpers/desk';
import { Writable } from 'node:stream';
import { encryptStream } from '../../../main/core/crypto';

const PEOPLE = ['vanthu', 'chuyenvien', 'nhanvien', 'quantri', 'revoked', 'unenrolled', 'ratelimited'];

let pki: AgencyPki;
let hsm: SoftHsm;
let bridge: TokenBridge;
let pg: TestPostgres;
let tmp: { dir: string; cleanup(): void };
let crlPath: string;

before(async () => {
  tmp = tempDir('securedesk-server-');
  [pki, hsm, pg] = await Promise.all([agencyPki(PEOPLE), createSoftHsm({ tokens: ['userRsa', 'userEc'] }), startPostgres()]);
  pki.pki.revoke(pki.person('revoked'), pki.ca);
  crlPath = pki.pki.crl(pki.ca);
  bridge = new TokenBridge({ env: hsm.env });
  await bridge.login(hsm.modulePath, { serial: hsm.tokens.userRsa.serial }, hsm.tokens.userRsa.pin);
  await bridge.login(hsm.modulePath, { serial: hsm.tokens.userEc.serial }, hsm.tokens.userEc.pin);
});

after(async () => {
  await bridge?.close();
  await hsm?.cleanup();
  pg?.stop();
  pki?.pki.cleanup();
  tmp?.cleanup();
});

const ws = () => newGlobalId();
const keyOf_ = (name: string): PrivateKeyOps => softKey(pki.person(name).certDer, pki.person(name).keyPem);

function people(): PersonEntry[] {
  const p = (person: string, role: PersonEntry['role'], clearance: PersonEntry['clearance'], cert: string): PersonEntry => ({ person, role, clearance, certificates: [cert] });
  return [
    p('p-vanthu', 'van_thu', 'toi_mat', pki.person('vanthu').certPath),
    p('p-chuyenvien', 'chuyen_vien', 'mat', pki.person('chuyenvien').certPath),
    p('p-nhanvien', 'chuyen_vien', 'thuong', pki.person('nhanvien').certPath),
    p('p-quantri', 'quan_tri', 'thuong', pki.person('quantri').certPath),
    p('p-revoked', 'chuyen_vien', 'mat', pki.person('revoked').certPath),
    p('p-ratelimited', 'chuyen_vien', 'thuong', pki.person('ratelimited').certPath),
    p('p-an', 'lanh_dao', 'tuyet_mat', writeCert('an', keyOf(hsm.tokens.userRsa, 'an-sign').certPem)),
    p('p-binh', 'chuyen_vien', 'mat', writeCert('binh', keyOf(hsm.tokens.userEc, 'binh-sign').certPem)),
  ];
}

function writeCert(name: string, pem: string): string {
  const file = join(tmp.dir, `${name}-enrolled.pem`);
  writeFileSync(file, pem);
  return file;
}

/** A raw session (no ServerClient) for one key, on a fresh workstation id. */
async function session(t: Transport, key: PrivateKeyOps, workstation = ws()): Promise<SessionResponse & { workstation: string }> {
  const { data: n } = await t.json<{ nonce: string }>('POST', `${API}/auth/nonce`, {});
  const algorithm = parseCertificate(key.certificate).publicKey.algorithm === 'EC' ? 'ECDSA-SHA256' : 'RSASSA-PKCS1-v1_5-SHA256';
  const signature = await key.sign(algorithm, authChallenge(n.nonce, workstation, t.serverCertSha256!));
  const { data } = await t.json<SessionResponse>('POST', `${API}/auth/session`, {
    nonce: n.nonce, workstation, certificate: Buffer.from(key.certificate).toString('base64'), algorithm, signature: Buffer.from(signature).toString('base64'),
  });
  return { ...data, workstation };
}

const bearer = (s: { token: string }) => ({ authorization: `Bearer ${s.token}` });

function clearBatch(n: number, marker = 'Thường'): BatchUpload {
  const events = Array.from({ length: n }, (_, i) => ({ id: newGlobalId(), seq: i + 1, entity: 'units', entityId: newGlobalId(), kind: 'create', data: { name: `${marker} ${i}` } }));
  return { batchId: newGlobalId(), channel: 'thuong', keyId: null, encoding: 'clear', eventIds: events.map((e) => e.id), payload: Buffer.from(JSON.stringify(events)).toString('base64') };
}

function sealedBatch(level: 'mat' | 'toi_mat', marker: string): BatchUpload {
  const events = [{ id: newGlobalId(), seq: 1, entity: 'incoming', entityId: newGlobalId(), kind: 'create', data: { subject: marker } }];
  const batchId = newGlobalId();
  const keyId = randomBytes(16).toString('hex');
  const payload = sealBatch(randomBytes(32), { channel: level, keyId, batchId, eventIds: events.map((e) => e.id) }, Buffer.from(JSON.stringify(events)));
  return { batchId, channel: level, keyId, encoding: 'aes-256-gcm', eventIds: events.map((e) => e.id), payload: payload.toString('base64') };
}

async function refused(p: Promise<unknown>, status: number, code?: string): Promise<TransportError> {
  const e = await p.then(() => null, (x: unknown) => x);
  assert.ok(e instanceof TransportError, `expected a refusal ${status}, got ${String(e)}`);
  assert.equal(e.status, status, e.message);
  if (code) assert.equal(e.code, code);
  return e;
}

for (const backend of ['sqlite', 'postgres'] as Backend[]) {
  describe(`agency server on ${backend}`, () => {
    let server: RunningServer;
    let t: Transport;
    let skew = 0;
    /** The server's clock stopped (a burst measured without refills), or null. */
    let frozen: number | null = null;
    const logs: string[] = [];
    const secrets: string[] = [];

    before(async () => {
      server = await startAgencyServer({
        backend, pg, dir: tmp.dir, pki, people: people(), extraAnchors: [hsm.ca.certPath], crls: [crlPath],
        limits: { maxBodyBytes: 1 << 20, maxBlobBytes: 2 << 20, requestsPerSecond: 5, burst: 40, inlineBytes: 64 << 10, nonceTtlSeconds: 30, sessionTtlSeconds: 600, signInPerSecond: 100, signInBurst: 500 },
        logger: { log: (level, msg, fields) => logs.push(JSON.stringify({ level, msg, ...fields })) },
        clock: () => frozen ?? Date.now() + skew,
      });
      t = new Transport({ url: `https://localhost:${server.port}`, caPem: pki.ca.certPem });
    });
    after(async () => {
      t?.close();
      await server?.close();
    });

    test('GET /health answers without a session and names the storage', async () => {
      const { status, data } = await t.json<{ status: string; storage: string }>('GET', '/health');
      assert.equal(status, 200);
      assert.deepEqual([data.status, data.storage], ['ok', backend]);
    });

    test('real SoftHSM tokens (RSA and EC) sign the nonce; the session is the enrolled person of that certificate', async () => {
      const an = tokenKeyOps(bridge, { module: hsm.modulePath, slot: { serial: hsm.tokens.userRsa.serial }, keyId: '01', certificate: hsm.tokens.userRsa.keys[0]!.certDer });
      const binh = tokenKeyOps(bridge, { module: hsm.modulePath, slot: { serial: hsm.tokens.userEc.serial }, keyId: '01', certificate: keyOf(hsm.tokens.userEc, 'binh-sign').certDer });
      const a = await session(t, an);
      const b = await session(t, binh);
      secrets.push(a.token, b.token);
      assert.deepEqual([a.person, a.clearance, a.role], ['p-an', 'tuyet_mat', 'lanh_dao']);
      assert.deepEqual([b.person, b.clearance], ['p-binh', 'mat']);
      const page = await t.json<BatchPage>('GET', `${API}/events?channel=tuyet_mat&after=0`, undefined, bearer(a));
      assert.equal(page.status, 200);
    });

    test('refused: a foreign CA, a revoked certificate (CRL), a certificate not enrolled, a key that is not the certificate\'s', async () => {
      const stranger = await agencyPkiStranger();
      await refused(session(t, stranger), 401, 'unauthenticated');
      const e = await refused(session(t, keyOf_('revoked')), 401);
      assert.match(e.message, /revoked/);
      await refused(session(t, keyOf_('unenrolled')), 403, 'forbidden');
      // The certificate of vanthu with the key of chuyenvien: the signature does not verify.
      const wrong = softKey(pki.person('vanthu').certDer, pki.person('chuyenvien').keyPem);
      await refused(session(t, wrong), 401);
    });

    test('a nonce is single-use and short-lived; a signature made for another server does not open a session here', async () => {
      const key = keyOf_('vanthu');
      const workstation = ws();
      const { data: n } = await t.json<{ nonce: string }>('POST', `${API}/auth/nonce`, {});
      const sig = Buffer.from(await key.sign('ECDSA-SHA256', authChallenge(n.nonce, workstation, t.serverCertSha256!))).toString('base64');
      const body = { nonce: n.nonce, workstation, certificate: Buffer.from(key.certificate).toString('base64'), algorithm: 'ECDSA-SHA256', signature: sig };
      secrets.push(n.nonce, sig);
      const ok = await t.json<SessionResponse>('POST', `${API}/auth/session`, body);
      secrets.push(ok.data.token);
      const replay = await refused(t.json('POST', `${API}/auth/session`, body), 401);
      assert.match(replay.message, /already used/);

      const { data: n2 } = await t.json<{ nonce: string }>('POST', `${API}/auth/nonce`, {});
      skew += 31_000;
      try {
        const late = Buffer.from(await key.sign('ECDSA-SHA256', authChallenge(n2.nonce, workstation, t.serverCertSha256!))).toString('base64');
        const e = await refused(t.json('POST', `${API}/auth/session`, { ...body, nonce: n2.nonce, signature: late }), 401);
        assert.match(e.message, /expired/);
      } finally {
        skew -= 31_000;
      }
      const { data: n3 } = await t.json<{ nonce: string }>('POST', `${API}/auth/nonce`, {});
      const forOther = Buffer.from(await key.sign('ECDSA-SHA256', authChallenge(n3.nonce, workstation, createHash('sha256').update('another server').digest('hex')))).toString('base64');
      await refused(t.json('POST', `${API}/auth/session`, { ...body, nonce: n3.nonce, signature: forOther }), 401);
    });

    test('sessions expire', async () => {
      const s = await session(t, keyOf_('nhanvien'));
      secrets.push(s.token);
      assert.equal((await t.json('GET', `${API}/events?channel=thuong&after=0`, undefined, bearer(s))).status, 200);
      skew += 601_000;
      try {
        await refused(t.json('GET', `${API}/events?channel=thuong&after=0`, undefined, bearer(s)), 401, 'unauthenticated');
      } finally {
        skew -= 601_000;
      }
      await refused(t.json('GET', `${API}/events?channel=thuong&after=0`), 401, 'unauthenticated');
    });

    test('a batch is stored once: a retry stores nothing twice; the others pull it after their cursor, its origin does not', async () => {
      const a = await session(t, keyOf_('vanthu'));
      const b = await session(t, keyOf_('nhanvien'));
      secrets.push(a.token, b.token);
      const before = (await server.store.counts()).thuong?.events ?? 0;
      const batch = clearBatch(3);
      const first = await t.json<{ seq: number; stored: boolean }>('POST', `${API}/events`, batch, bearer(a));
      const again = await t.json<{ seq: number; stored: boolean }>('POST', `${API}/events`, batch, bearer(a));
      assert.deepEqual([first.status, first.data.stored, again.status, again.data.stored, again.data.seq], [201, true, 200, false, first.data.seq]);
      assert.equal((await server.store.counts()).thuong!.events, before + 3);
      // One of its events in another batch is a conflict, not a second copy.
      const stolen = clearBatch(1);
      const ev = JSON.parse(Buffer.from(batch.payload, 'base64').toString()) as Array<{ id: string }>;
      const forged = { ...stolen, eventIds: [ev[0]!.id], payload: Buffer.from(JSON.stringify([ev[0]])).toString('base64') };
      await refused(t.json('POST', `${API}/events`, forged, bearer(a)), 409, 'conflict');

      const page = await t.json<BatchPage>('GET', `${API}/events?channel=thuong&after=${first.data.seq - 1}`, undefined, bearer(b));
      assert.deepEqual(page.data.batches.map((x) => [x.batchId, x.origin, x.eventIds.length]), [[batch.batchId, a.workstation, 3]]);
      assert.equal(Buffer.from(page.data.batches[0]!.payload!, 'base64').toString('base64'), batch.payload);
      assert.equal(page.data.next, first.data.seq);
      const own = await t.json<BatchPage>('GET', `${API}/events?channel=thuong&after=${first.data.seq - 1}`, undefined, bearer(a));
      assert.equal(own.data.batches.length, 0, 'a workstation does not get its own batches back');
      const later = await t.json<BatchPage>('GET', `${API}/events?channel=thuong&after=${first.data.seq}`, undefined, bearer(b));
      assert.equal(later.data.batches.length, 0);
    });

    test('clearance: nobody receives, sends or fetches a level above theirs', async () => {
      const hi = await session(t, keyOf_('vanthu')); // Tối mật
      const mat = await session(t, keyOf_('chuyenvien')); // Mật
      const low = await session(t, keyOf_('nhanvien')); // Thường
      secrets.push(hi.token, mat.token, low.token);
      const tm = sealedBatch('toi_mat', 'MẬT-DANH-TOI-MAT');
      const stored = await t.json<{ seq: number }>('POST', `${API}/events`, tm, bearer(hi));
      await refused(t.json('GET', `${API}/events?channel=toi_mat&after=0`, undefined, bearer(mat)), 403, 'forbidden');
      await refused(t.json('GET', `${API}/events?channel=mat&after=0`, undefined, bearer(low)), 403, 'forbidden');
      await refused(t.json('POST', `${API}/events`, sealedBatch('toi_mat', 'x'), bearer(mat)), 403, 'forbidden');
      await refused(t.json('GET', `${API}/batches/${stored.data.seq}/payload`, undefined, bearer(mat)), 404, 'not-found');
      await refused(t.json('GET', `${API}/keyrings?channel=toi_mat`, undefined, bearer(mat)), 403);
      // Mật pulls of the mật channel never carry a Tối mật batch.
      const matPage = await t.json<BatchPage>('GET', `${API}/events?channel=mat&after=0`, undefined, bearer(mat));
      assert.ok(matPage.data.batches.every((b) => b.channel === 'mat'));
      // The same Tối mật person on another workstation receives it.
      const elsewhere = await session(t, keyOf_('vanthu'));
      secrets.push(elsewhere.token);
      const hiPage = await t.json<BatchPage>('GET', `${API}/events?channel=toi_mat&after=0`, undefined, bearer(elsewhere));
      assert.ok(hiPage.data.batches.some((b) => b.batchId === tm.batchId));
    });

    test('classified batches are stored as the sealed bytes; a readable one is refused', async () => {
      const s = await session(t, keyOf_('chuyenvien'));
      secrets.push(s.token);
      const marker = 'Kế hoạch phòng thủ khu vực XYZ-7781';
      const b = sealedBatch('mat', marker);
      const r = await t.json<{ seq: number }>('POST', `${API}/events`, b, bearer(s));
      const row = await server.store.db.selectFrom('batches').selectAll().where('seq', '=', r.data.seq).executeTakeFirstOrThrow();
      assert.equal(Buffer.from(row.payload).toString('base64'), b.payload);
      assert.ok(!Buffer.from(row.payload).includes(Buffer.from(marker)), 'the server holds ciphertext');
      assert.ok(!Buffer.from(row.payload).includes(Buffer.from('incoming')));
      assert.deepEqual([row.channel, row.encoding, row.key_id, row.event_count], ['mat', 'aes-256-gcm', b.keyId, 1]);
      const clear = { ...clearBatch(1, marker), channel: 'mat' as const };
      await refused(t.json('POST', `${API}/events`, clear, bearer(s)), 400, 'bad-request');
      await refused(t.json('POST', `${API}/events`, { ...clear, encoding: 'aes-256-gcm', keyId: 'ab'.repeat(16) }, bearer(s)), 400, 'bad-request');
    });

    test('a large payload is fetched by ranges and resumes where it stopped (If-Range on its hash)', async () => {
      const s = await session(t, keyOf_('vanthu'));
      const r = await session(t, keyOf_('nhanvien'));
      secrets.push(s.token, r.token);
      const big = clearBatch(400, 'x'.repeat(300));
      const { data } = await t.json<{ seq: number }>('POST', `${API}/events`, big, bearer(s));
      const page = await t.json<BatchPage>('GET', `${API}/events?channel=thuong&after=${data.seq - 1}`, undefined, bearer(r));
      const listed = page.data.batches[0]!;
      assert.equal(listed.payload, undefined, 'not inlined above inlineBytes');
      const whole = Buffer.from(big.payload, 'base64');
      assert.equal(listed.size, whole.length);
      const path = `${API}/batches/${data.seq}/payload`;
      const head = await t.request('GET', path, { headers: { ...bearer(r), range: 'bytes=0-9999' } });
      assert.equal(head.status, 206);
      assert.equal(head.headers['content-range'], `bytes 0-9999/${whole.length}`);
      const rest = await t.request('GET', path, { headers: { ...bearer(r), range: 'bytes=10000-', 'if-range': `"${listed.sha256}"` } });
      assert.equal(rest.status, 206);
      assert.ok(Buffer.concat([head.body, rest.body]).equals(whole));
      const stale = await t.request('GET', path, { headers: { ...bearer(r), range: 'bytes=10000-', 'if-range': '"0000"' } });
      assert.equal(stale.status, 200, 'another version: the whole payload');
      assert.equal(stale.body.length, whole.length);
      const bad = await t.request('GET', path, { headers: { ...bearer(r), range: `bytes=${whole.length}-` } });
      assert.equal(bad.status, 416);
    });

    test('limits: a body over the limit is 413; a session over its rate gets 429 with Retry-After', async () => {
      const s = await session(t, keyOf_('ratelimited'));
      secrets.push(s.token);
      // Burst 40, 5 a second. The server's clock stands still from here to the end of the burst, so
      // nothing refills however long a loaded machine takes: exactly the burst is served, less the one
      // request the oversized body took (with the clock running, a slow enough machine refilled all 120
      // and none was refused).
      frozen = Date.now() + skew;
      const t2 = new Transport({ url: `https://localhost:${server.port}`, caPem: pki.ca.certPem });
      try {
        const huge = clearBatch(1, 'y'.repeat(1_200_000));
        await refused(t.json('POST', `${API}/events`, huge, bearer(s)), 413, 'too-large');
        let results: unknown[];
        try {
          results = await Promise.all(Array.from({ length: 120 }, () => t2.json('GET', `${API}/events?channel=thuong&after=999999`, undefined, bearer(s)).then(() => null, (e: unknown) => e)));
        } finally {
          frozen = null;
        }
        const limited = results.filter((e): e is TransportError => e instanceof TransportError && e.status === 429);
        const served = results.filter((e) => e === null).length;
        assert.equal(served + limited.length, 120, 'every request either served or refused with 429');
        assert.equal(served, 40 - 1, 'the burst, less the oversized request, no more');
        assert.ok(limited.every((e) => e.retryAfterMs !== null && e.retryAfterMs >= 1000));
        // Time runs again: a second later the bucket has refilled and the session is served.
        skew += 1_000;
        try {
          await t2.json('GET', `${API}/events?channel=thuong&after=999999`, undefined, bearer(s));
        } finally {
          skew -= 1_000;
        }
      } finally {
        frozen = null;
        t2.close();
      }
    });

    test('keyring entries travel as opaque envelopes, once per content, listed only to whom they are addressed', async () => {
      const s = await session(t, keyOf_('chuyenvien'));
      secrets.push(s.token);
      // A real CMS envelope addressed to someone else's (RSA) certificate: stored, never listed to him.
      const sink: Buffer[] = [];
      await encryptStream([randomBytes(200)], new Writable({ write(c: Buffer, _e, cb) { sink.push(c); cb(); } }), { recipients: [{ certificate: softIdentity().unlockKeys[0]!.certificate }] });
      const cms = Buffer.concat(sink).toString('base64');
      const keyId = randomBytes(16).toString('hex');
      const a = await t.json<{ stored: boolean }>('POST', `${API}/keyrings`, { channel: 'mat', keyId, payload: cms }, bearer(s));
      const b = await t.json<{ stored: boolean }>('POST', `${API}/keyrings`, { channel: 'mat', keyId, payload: cms }, bearer(s));
      assert.deepEqual([a.data.stored, b.data.stored], [true, false]);
      const rows = await server.store.db.selectFrom('keyrings').select('payload').where('key_id', '=', keyId).execute();
      assert.deepEqual(rows.map((r) => Buffer.from(r.payload).toString('base64')), [cms]);
      const list = await t.json<{ keyrings: Array<{ keyId: string; payload: string }> }>('GET', `${API}/keyrings?channel=mat`, undefined, bearer(s));
      assert.deepEqual(list.data.keyrings.filter((k) => k.keyId === keyId), [], 'not addressed to him: not listed');
      await refused(t.json('POST', `${API}/keyrings`, { channel: 'mat', keyId, payload: randomBytes(900).toString('base64') }, bearer(s)), 400);
    });

    test('files: uploaded sealed once per hash, downloaded whole or by range, gated by clearance, bounded in size', async () => {
      const s = await session(t, keyOf_('chuyenvien')); // Mật
      const low = await session(t, keyOf_('nhanvien')); // Thường
      secrets.push(s.token, low.token);
      const sealed = randomBytes(300_000);
      const sealedSha = createHash('sha256').update(sealed).digest('hex');
      const sha = randomBytes(32).toString('hex');
      const put = (who: { token: string }, body: Buffer, declared: string, level = 'mat') =>
        t.request('PUT', `${API}/blobs/${level}/${sha}`, { body, headers: { ...bearer(who), 'content-type': 'application/octet-stream', 'x-sealed-sha256': declared } });
      assert.equal((await put(s, sealed, sealedSha.replace(/^./, (c) => (c === '0' ? '1' : '0')))).status, 400, 'bytes not matching their declared hash');
      assert.equal((await put(low, sealed, sealedSha)).status, 404, 'a level above the clearance');
      assert.equal((await put(s, sealed, sealedSha)).status, 201);
      assert.equal((await put(s, sealed, sealedSha)).status, 200, 'idempotent');
      const big = randomBytes((2 << 20) + 1);
      const tooBig = await put(s, big, createHash('sha256').update(big).digest('hex')).catch((e: unknown) => e);
      assert.ok(tooBig instanceof TransportError || (tooBig as { status: number }).status === 413, String((tooBig as { status?: number }).status));
      const whole = await t.request('GET', `${API}/blobs/mat/${sha}`, { headers: bearer(s) });
      assert.equal(whole.status, 200);
      assert.ok(whole.body.equals(sealed));
      assert.equal(whole.headers.etag, `"${sealedSha}"`);
      const rest = await t.request('GET', `${API}/blobs/mat/${sha}`, { headers: { ...bearer(s), range: 'bytes=100000-', 'if-range': `"${sealedSha}"` } });
      assert.equal(rest.status, 206);
      assert.equal(rest.headers['content-range'], `bytes 100000-299999/300000`);
      assert.ok(rest.body.equals(sealed.subarray(100000)));
      const stale = await t.request('GET', `${API}/blobs/mat/${sha}`, { headers: { ...bearer(s), range: 'bytes=100000-', 'if-range': `"${'0'.repeat(64)}"` } });
      assert.equal(stale.status, 200, 'another version: the whole file');
      assert.equal((await t.request('GET', `${API}/blobs/mat/${sha}`, { headers: bearer(low) })).status, 404, 'not told to someone not cleared');
      const q = await t.json<{ present: string[] }>('POST', `${API}/blobs/query`, { channel: 'mat', sha256: [sha] }, bearer(low));
      assert.deepEqual(q.data.present, []);
      const q2 = await t.json<{ present: string[] }>('POST', `${API}/blobs/query`, { channel: 'mat', sha256: [sha] }, bearer(s));
      assert.deepEqual(q2.data.present, [sha]);
    });

    test('the administrator view is for quan_tri only', async () => {
      const admin = await session(t, keyOf_('quantri'));
      const other = await session(t, keyOf_('nhanvien'));
      secrets.push(admin.token, other.token);
      const v = await t.json<{ workstations: Array<{ id: string }>; head: number }>('GET', `${API}/admin/workstations`, undefined, bearer(admin));
      assert.ok(v.data.workstations.some((w) => w.id === admin.workstation));
      assert.ok(Number.isInteger(v.data.head) && v.data.head >= 0);
      await refused(t.json('GET', `${API}/admin/workstations`, undefined, bearer(other)), 403);
      // Declared lost: the seen workstation keeps its contact and shows the declaration; one never seen is listed too.
      const unseen = ws();
      for (const target of [other.workstation, unseen]) {
        const d = await t.json('POST', `${API}/admin/workstations/${target}/lost`, { reason: 'Máy bị mất cắp' }, bearer(admin));
        assert.equal(d.status, 201);
      }
      const listed = await t.json<AgencyWorkstationsPage>('GET', `${API}/admin/workstations`, undefined, bearer(admin));
      const row = (id: string) => listed.data.workstations.find((w) => w.id === id);
      assert.equal(row(other.workstation)?.lastPerson, 'p-nhanvien');
      assert.ok(row(other.workstation)?.lastSeen);
      assert.deepEqual({ ...row(other.workstation)?.lost, declaredAt: undefined }, { declaredBy: 'p-quantri', reason: 'Máy bị mất cắp', declaredAt: undefined });
      assert.deepEqual({ ...row(unseen), lost: undefined }, { id: unseen, firstSeen: null, lastSeen: null, lastPerson: null, pushed: 0, lost: undefined });
      assert.equal(row(unseen)?.lost?.declaredBy, 'p-quantri');
      assert.equal(row(admin.workstation)?.lost, null);
      const ids = listed.data.workstations.map((w) => w.id);
      assert.deepEqual(ids, [...ids].sort(), 'ordered by id');
      await refused(t.json('GET', `${API}/admin/workstations`, undefined, bearer(other)), 401, 'unauthenticated');
      await refused(session(t, keyOf_('nhanvien'), other.workstation), 403, 'workstation-lost');
    });

    test('the client pins the agency CA: a server with another CA\'s certificate is refused, and so is a client pinned elsewhere', async () => {
      const foreign = await startAgencyServer({ backend: 'sqlite', dir: tmp.dir, pki, people: [], foreignCertificate: true, logger: { log: () => {} } });
      try {
        const c = new Transport({ url: `https://localhost:${foreign.port}`, caPem: pki.ca.certPem });
        const e = await c.json('GET', '/health').then(() => null, (x: unknown) => x);
        c.close();
        assert.ok(e instanceof TransportError && e.code === 'untrusted-server', String(e));
        // The same client reaches the agency's own server.
        const ok = new Transport({ url: `https://localhost:${server.port}`, caPem: pki.ca.certPem });
        assert.equal((await ok.json('GET', '/health')).status, 200);
        ok.close();
      } finally {
        await foreign.close();
      }
      const wrongPin = new Transport({ url: `https://localhost:${server.port}`, caPem: pki.otherCa.certPem });
      const e2 = await wrongPin.json('GET', '/health').then(() => null, (x: unknown) => x);
      wrongPin.close();
      assert.ok(e2 instanceof TransportError && e2.code === 'untrusted-server', String(e2));
    });

    test('logs are JSON lines with no token, nonce, signature or body', () => {
      assert.ok(logs.length > 20);
      const parsed = logs.map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.ok(parsed.some((p) => p.route === 'events.push' && p.status === 201 && typeof p.ms === 'number' && typeof p.person === 'string'));
      assert.ok(parsed.some((p) => p.status === 429));
      const all = logs.join('\n');
      for (const s of secrets) assert.ok(!all.includes(s), 'a secret reached the log');
      assert.ok(!all.includes('XYZ-7781'), 'no event content in the log');
    });
  });
}

async function agencyPkiStranger(): Promise<PrivateKeyOps> {
  return softKey(pki.otherServer.certDer, readFileSync(pki.otherServer.keyPath, 'utf8'));
}
