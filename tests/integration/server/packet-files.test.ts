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
    const { store, packets } = await open('swap', KEY);
    try {
      const one = readdressed(sealed300k);
      const two = readdressed(sealed300k);
      for (const p of [one, two]) assert.equal(await packets.submitOutbound({ ...packet(p.bytes), packetId: p.packetId, person: 'p', workstation: 'w' }), 'stored');
      const head = await packets.headOfOutbound(now);
      assert.ok(head && head !== 'waiting' && head.payload.equals(one.bytes), 'read back and decrypted');
      const dir = join(store.packetFiles!.dir, 'out');
      copyFileSync(join(dir, `${two.packetId}.${sha256Hex(two.bytes)}`), join(dir, `${one.packetId}.${sha256Hex(one.bytes)}`));
      await assert.rejects(packets.headOfOutbound(now), /unable to authenticate|auth/i);
    } finally {
      await store.close();
    }
    const plain = await open('truncate');
    try {
      const p = readdressed(sealed300k);
      const l = { seq: 1, packetId: p.packetId, from: CODES.A, to: [CODES.B], size: p.bytes.length, sha256: sha256Hex(p.bytes), receivedAt: now.toISOString() };
      assert.equal(await plain.packets.acceptInbound(l, p.bytes, now, 'hub:pull'), true);
      const f = join(plain.store.packetFiles!.dir, 'in', `${p.packetId}.${l.sha256}`);
      copyFileSync(f, `${f}.whole`);
      const { truncateSync } = await import('node:fs');
      truncateSync(f, 1000);
      await assert.rejects(plain.packets.inboundSlice(1, 0, -1), /ends before/);
    } finally {
      await plain.store.close();
    }
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
