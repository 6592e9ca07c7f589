// Large packet bodies as files beside an SQLite store (server/storage/packetFiles.ts): the row keeps the
// metadata, the file the bytes, written durably before the row commits. A 300 KB sealed packet goes
// workstation → A (SQLite, encrypted) → hub → B (SQLite) → workstation intact across a restart of every
// server; an encrypted store's files hold no clear byte and a file moved under another packet's name is
// refused; inline listings and ranges read from the files; the hub's purge removes the file; small
// packets stay in their rows.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunningServer } from '../../../server/app';
import type { ServerConfig } from '../../../server/config';
import type { RunningHub } from '../../../server/hub';
import { PACKET_FILE_ABOVE_BYTES } from '../../../server/storage/packetFiles';
import { PacketStore } from '../../../server/storage/packetStore';
import { Store } from '../../../server/storage/store';
import type { InboundPacket } from '../../../main/core/sync/packets/queue';
import { sha256Hex } from '../../../main/core/sync/packets/queue';
import { tempDir } from '../../helpers/desk';
import {
  agencyConfig, clearPacket, CODES, hubConfig, networkPki, readdressed, sealedPacket, startAgency, startTestHub, waitFor, workstation, type NetworkPki, type TestWorkstation,
} from '../../helpers/network';

const KEY = 'ab'.repeat(32);
const SEALED_MAGIC = Buffer.from('SECUREDESK-EDXML-SEALED/1', 'latin1');
let n: NetworkPki;
let tmp: { dir: string; cleanup(): void };
let sealed300k: Buffer;

before(async () => {
  tmp = tempDir('securedesk-packet-files-');
  n = await networkPki();
  const inner = await clearPacket(n, 'A', [CODES.B], { attachmentBytes: 220_000, subject: 'Tài liệu lớn' });
  sealed300k = (await sealedPacket(n, CODES.A, ['B'], inner.bytes)).bytes;
  assert.ok(sealed300k.length > 256 << 10, `a sealed packet above the default inline size (${sealed300k.length})`);
});
after(() => {
  n?.pki.cleanup();
  tmp?.cleanup();
});

const files = (dir: string) => (existsSync(dir) ? readdirSync(dir) : []);

describe('packet bodies as files, through the network', () => {
  let hubCfg: ServerConfig;
  let cfgA: ServerConfig;
  let cfgB: ServerConfig;
  let hub: RunningHub;
  let A: RunningServer;
  let B: RunningServer;
  let wsA: TestWorkstation;
  let wsB: TestWorkstation;
  const got: InboundPacket[] = [];

  before(async () => {
    hubCfg = hubConfig(n, join(tmp.dir, 'hub'));
    hub = await startTestHub(hubCfg);
    hubCfg.listen.port = hub.port;
    const hubUrl = `https://localhost:${hub.port}`;
    cfgA = agencyConfig(n, 'A', join(tmp.dir, 'A'), { backend: 'sqlite', hubUrl, pollMs: 30 });
    cfgA.storage = { ...(cfgA.storage as Extract<ServerConfig['storage'], { kind: 'sqlite' }>), keyHex: KEY };
    cfgB = agencyConfig(n, 'B', join(tmp.dir, 'B'), { backend: 'sqlite', hubUrl, pollMs: 30 });
    [A, B] = await Promise.all([startAgency(cfgA), startAgency(cfgB)]);
    wsA = workstation(n, join(tmp.dir, 'wsA'), A.port, n.agencies.A.vanThu);
    wsB = workstation(n, join(tmp.dir, 'wsB'), B.port, n.agencies.B.vanThu, { onPacket: (p) => got.push(p) });
  });
  after(async () => {
    wsA?.close();
    wsB?.close();
    await Promise.all([A?.close(), B?.close()]);
    await hub?.close();
  });

  const fileOf = (cfg: ServerConfig) => `${(cfg.storage as { file: string }).file}.packets`;

  test('a 300 KB sealed packet and a small one arrive intact and once, across restarts of every server; the large body is a file at each hop', async () => {
    const big = readdressed(sealed300k);
    const small = await clearPacket(n, 'A', [CODES.B], { subject: 'Văn bản nhỏ' });
    wsA.packets.send(big);
    wsA.packets.send(small);
    assert.equal(await wsA.packets.flush(), 2);
    // A holds the large body in a file, encrypted: no clear byte of the packet in it; the small one stays in its row.
    const aFiles = files(join(fileOf(cfgA), 'out'));
    assert.deepEqual(aFiles, [`${big.packetId}.${sha256Hex(big.bytes)}`]);
    const onDisk = readFileSync(join(fileOf(cfgA), 'out', aFiles[0]!));
    assert.equal(onDisk.indexOf(SEALED_MAGIC), -1, 'the routing header is not in clear');
    assert.equal(onDisk.indexOf(big.bytes.subarray(big.bytes.length - 4096)), -1, 'nor the CMS');
    const held = await A.store.db.selectFrom('packets_out_payloads').select('payload').execute();
    assert.deepEqual(held.map((r) => Buffer.from(r.payload).length).sort((x, y) => x - y), [0, small.bytes.length]);

    // Every server restarts before the packet goes on: the files and rows are what carries it.
    await Promise.all([A.close(), B.close()]);
    await hub.close();
    hub = await startTestHub(hubCfg);
    [A, B] = await Promise.all([startAgency(cfgA), startAgency(cfgB)]);
    await waitFor('both at the hub', async () => (await hub.packets.hubCounts()).packets >= 2, 30_000, 20);
    assert.deepEqual(files(join(`${(hubCfg.storage as { file: string }).file}.packets`, 'hub')), [`${big.packetId}.${sha256Hex(big.bytes)}`], 'the hub stores the body as a plain file (its store is not encrypted)');
    assert.ok(readFileSync(join(`${(hubCfg.storage as { file: string }).file}.packets`, 'hub', `${big.packetId}.${sha256Hex(big.bytes)}`)).equals(big.bytes));
    await waitFor('both at B', async () => (await B.packets.inboundCount()) >= 2, 30_000, 20);
    await B.close();
    B = await startAgency(cfgB);
    await waitFor('both at B\'s workstation', async () => {
      await wsB.packets.syncOnce().catch(() => null);
      return got.length >= 2;
    }, 30_000, 30);
    assert.deepEqual(got.map((p) => p.packetId).sort(), [big.packetId, small.packetId].sort());
    assert.ok(got.find((p) => p.packetId === big.packetId)!.bytes.equals(big.bytes));
    assert.ok(got.find((p) => p.packetId === small.packetId)!.bytes.equals(small.bytes));
    assert.deepEqual(files(join(fileOf(cfgB), 'in')), [`${big.packetId}.${sha256Hex(big.bytes)}`]);
    await wsB.packets.syncOnce();
    assert.equal(got.length, 2, 'nothing arrives twice');
  });
});

describe('packet bodies as files, in the store', () => {
  const open = async (name: string, keyHex?: string) => {
    const store = await Store.open({ kind: 'sqlite', file: join(tmp.dir, `${name}.db`), ...(keyHex ? { keyHex } : {}) });
    return { store, packets: new PacketStore(store.db, store.packetFiles) };
  };
  const now = new Date('2026-12-06T02:00:00Z');
  const packet = (bytes: Buffer) => ({ packetId: readdressed(sealed300k).packetId, sha256: sha256Hex(bytes), kind: 'sealed' as const, from: CODES.A, to: [CODES.B], payload: bytes, now });

  test('attack: an encrypted store\'s file moved under another packet\'s name does not decrypt; a truncated plain file is refused', async () => {
    // The files are what an attacker at rest can touch: each read below is by a store opened again (a
    // restarted server), which has no body in memory and reads, decrypts and checks the file.
    let s = await open('swap', KEY);
    const one = readdressed(sealed300k);
    const two = readdressed(sealed300k);
    try {
      for (const p of [one, two]) assert.equal(await s.packets.submitOutbound({ ...packet(p.bytes), packetId: p.packetId, person: 'p', workstation: 'w' }), 'stored');
    } finally {
      await s.store.close();
    }
    s = await open('swap', KEY);
    try {
      assert.deepEqual(s.store.packetFiles!.recentHeld(), { bodies: 0, bytes: 0 }, 'a store opened again holds no body in memory');
      const head = await s.packets.headOfOutbound(now);
      assert.ok(head && head !== 'waiting' && head.payload.equals(one.bytes), 'read back and decrypted');
    } finally {
      await s.store.close();
    }
    const dir = join(tmp.dir, 'swap.db.packets', 'out');
    copyFileSync(join(dir, `${two.packetId}.${sha256Hex(two.bytes)}`), join(dir, `${one.packetId}.${sha256Hex(one.bytes)}`));
    s = await open('swap', KEY);
    try {
      await assert.rejects(s.packets.headOfOutbound(now), /unable to authenticate|auth/i);
    } finally {
      await s.store.close();
    }
    let plain = await open('truncate');
    const p = readdressed(sealed300k);
    const l = { seq: 1, packetId: p.packetId, from: CODES.A, to: [CODES.B], size: p.bytes.length, sha256: sha256Hex(p.bytes), receivedAt: now.toISOString() };
    try {
      assert.equal(await plain.packets.acceptInbound(l, p.bytes, now, 'hub:pull'), true);
    } finally {
      await plain.store.close();
    }
    const f = join(tmp.dir, 'truncate.db.packets', 'in', `${p.packetId}.${l.sha256}`);
    const { truncateSync } = await import('node:fs');
    truncateSync(f, 1000);
    plain = await open('truncate');
    try {
      await assert.rejects(plain.packets.inboundSlice(1, 0, -1), /ends before/);
    } finally {
      await plain.store.close();
    }
  });

  test('a body just stored is served from memory (no read of its file) until read whole, up to a bound; the file stays the durable copy', async () => {
    const { store, packets } = await open('recent');
    const files = store.packetFiles!;
    try {
      const a = readdressed(sealed300k);
      const la = { seq: 1, packetId: a.packetId, from: CODES.A, to: [CODES.B], size: a.bytes.length, sha256: sha256Hex(a.bytes), receivedAt: now.toISOString() };
      assert.equal(await packets.acceptInbound(la, a.bytes, now, 'hub:pull'), true);
      const f = join(files.dir, 'in', `${a.packetId}.${la.sha256}`);
      assert.ok(readFileSync(f).equals(a.bytes), 'written durably to its file');
      assert.equal(files.recentHeld().bodies, 1);
      // Served while its file is gone: from memory (the bytes that were hashed and written).
      const { renameSync } = await import('node:fs');
      renameSync(f, `${f}.away`);
      assert.ok((await packets.inboundSlice(1, 100, 199))!.bytes.equals(a.bytes.subarray(100, 200)));
      assert.ok((await packets.inboundSlice(1, 0, a.bytes.length - 1))!.bytes.equals(a.bytes), 'read whole, from memory');
      assert.deepEqual(files.recentHeld(), { bodies: 0, bytes: 0 }, 'a body read whole is on its way: memory lets it go');
      await assert.rejects(packets.inboundSlice(1, 0, 99), /ENOENT/, 'then read from its file');
      renameSync(`${f}.away`, f);
      assert.ok((await packets.inboundSlice(1, 0, 99))!.bytes.equals(a.bytes.subarray(0, 100)));
    } finally {
      await store.close();
    }
    // The bound: a store that may hold one body keeps the latest only; the older one is read from its file.
    const { PacketFiles } = await import('../../../server/storage/packetFiles');
    const small = new PacketFiles(join(tmp.dir, 'recent-bound'), undefined, sealed300k.length + 10);
    const x = readdressed(sealed300k);
    const y = readdressed(sealed300k);
    await small.put('in', x.packetId, sha256Hex(x.bytes), x.bytes);
    await small.put('in', y.packetId, sha256Hex(y.bytes), y.bytes);
    assert.deepEqual(small.recentHeld(), { bodies: 1, bytes: y.bytes.length });
    assert.ok((await small.read('in', x.packetId, sha256Hex(x.bytes), x.bytes.length)).equals(x.bytes), 'the older body, from its file');
    await small.drop('in', y.packetId, sha256Hex(y.bytes));
    assert.deepEqual(small.recentHeld(), { bodies: 0, bytes: 0 }, 'a dropped body leaves memory too');
    await assert.rejects(small.read('in', y.packetId, sha256Hex(y.bytes), y.bytes.length), /ENOENT/);
  });

  test('inline listings and ranges read from the files; the same packet again keeps one file; the hub\'s purge removes it; small bodies stay in rows', async () => {
    const { store, packets } = await open('hub');
    try {
      const mid = Buffer.concat([readdressed(sealed300k).bytes.subarray(0, 100_000)]); // above the file size, below the default inline size
      assert.ok(mid.length > PACKET_FILE_ABOVE_BYTES);
      const p = { ...packet(mid) };
      assert.equal(await packets.hubPut(p), 'stored');
      assert.equal(await packets.hubPut(p), 'duplicate');
      const small = { ...packet(Buffer.from('nhỏ'.repeat(100))) };
      assert.equal(await packets.hubPut(small), 'stored');
      const dir = join(store.packetFiles!.dir, 'hub');
      assert.deepEqual(files(dir), [`${p.packetId}.${p.sha256}`]);
      const page = await packets.hubList(CODES.B, 0, 10, 256 << 10);
      assert.equal(page.rows.length, 2);
      assert.ok(Buffer.from(page.rows[0]!.payload!, 'base64').equals(mid), 'the inline copy comes from the file');
      assert.ok(Buffer.from(page.rows[1]!.payload!, 'base64').equals(small.payload));
      const s = (await packets.hubSlice(CODES.B, page.rows[0]!.seq, 1000, 1999))!;
      assert.ok(s.bytes.equals(mid.subarray(1000, 2000)));
      assert.equal(await packets.hubSlice(CODES.A, page.rows[0]!.seq, 0, 10), null, 'only for its recipient');
      await packets.hubAck(CODES.B, page.rows[1]!.seq, now);
      assert.deepEqual(await packets.hubSweep(new Date(now.getTime() + 1000), 0), { deliveries: 2, delivered: 2, purged: 0 });
      assert.deepEqual(files(dir), [`${p.packetId}.${p.sha256}`], 'delivered, not yet purged: the file stays');
      assert.deepEqual(await packets.hubSweep(new Date(now.getTime() + 2000), 0), { deliveries: 0, delivered: 0, purged: 2 });
      assert.deepEqual(files(dir), [], 'the purged body\'s file is gone');
      assert.equal(await packets.hubPut(p), 'duplicate', 'a resent copy is still a duplicate');
      assert.deepEqual(files(dir), []);
    } finally {
      await store.close();
    }
  });
});
