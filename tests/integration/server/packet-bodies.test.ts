// Bodies of packets waiting to leave as files sealed under the profile's key (main/core/sync/packets/bodies.ts;
// docs/exchange.md, "Packet bodies"): a real SQLCipher base database, a real agency server and hub over
// loopback HTTPS. The queue's row keeps the digest and no bytes; the file holds none of the packet's bytes
// in clear and is not named by its digest; a restarted process sends from the file; once the agency server
// has passed the packet on the file goes; an altered or swapped file is refused (the packet marked refused, the queue goes on); the sweep
// removes what a crash left and keeps what a row names or may be about to name.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startServer, type RunningServer } from '../../../server/app';
import type { ServerConfig } from '../../../server/config';
import { startHub, type RunningHub } from '../../../server/hub';
import type { Logger } from '../../../server/log';
import { BlobIntegrityError } from '../../../main/core/attachments/blobCipher';
import { PacketBodies, PacketBodyMissingError } from '../../../main/core/sync/packets/bodies';
import { PacketClient } from '../../../main/core/sync/packets/PacketClient';
import { sentState, sha256Hex } from '../../../main/core/sync/packets/queue';
import { tempDir } from '../../helpers/desk';
import { agencyConfig, clearPacket, CODES, hubConfig, networkPki, readdressed, sealedPacket, waitFor, workstation, type NetworkPki, type TestWorkstation } from '../../helpers/network';

const KEY_HEX = 'ab'.repeat(32);
const quiet: Logger = { log: () => {} };
let n: NetworkPki;
let tmp: { dir: string; cleanup(): void };
let hub: RunningHub;
let A: RunningServer;
let ws: TestWorkstation;
let bodies: PacketBodies;
let bodiesDir: string;
let packet: { packetId: string; bytes: Buffer };

const files = () => (existsSync(bodiesDir) ? readdirSync(bodiesDir).sort() : []);
const clientWith = (b: PacketBodies) => new PacketClient({ db: ws.db, server: ws.server, bodies: b, backoff: { baseMs: 20, capMs: 200 } });
const contains = (hay: Buffer, needle: Buffer) => hay.indexOf(needle) >= 0;

before(async () => {
  tmp = tempDir('securedesk-packet-bodies-');
  n = await networkPki();
  const hubCfg: ServerConfig = hubConfig(n, join(tmp.dir, 'hub'));
  hub = await startHub(hubCfg, { logger: quiet });
  const cfgA = agencyConfig(n, 'A', join(tmp.dir, 'A'), { backend: 'sqlite', hubUrl: `https://localhost:${hub.port}`, pollMs: 30 });
  A = await startServer(cfgA, { logger: quiet });
  bodiesDir = join(tmp.dir, 'ws', 'packets');
  bodies = new PacketBodies(bodiesDir, Buffer.from(KEY_HEX, 'hex'));
  ws = workstation(n, join(tmp.dir, 'ws'), A.port, n.agencies.A.vanThu, { keyHex: KEY_HEX, bodies });
  const inner = await clearPacket(n, 'A', [CODES.B], { attachmentBytes: 1_000_000, subject: 'Về việc bảo vệ bí mật nhà nước trong tình hình mới' });
  packet = readdressed((await sealedPacket(n, CODES.A, ['B'], inner.bytes)).bytes);
});
after(async () => {
  ws?.close();
  await A?.close();
  await hub?.close();
  n?.pki.cleanup();
  tmp?.cleanup();
});

describe('packet bodies as sealed files', () => {
  test('queued: the row keeps the digest and no bytes, the file none of the packet in clear; a new process sends from the file; sent: the file goes', async () => {
    const sha = sha256Hex(packet.bytes);
    assert.equal(ws.packets.send(packet), 'queued');
    const row = ws.db.prepare('SELECT sha256, size, bytes FROM main.packet_outbox WHERE packet_id = ?').get(packet.packetId) as { sha256: string; size: number; bytes: Buffer | null };
    assert.equal(row.sha256, sha);
    assert.equal(row.size, packet.bytes.length);
    assert.equal(row.bytes, null, 'no body in the database');
    const [name, ...more] = files();
    assert.equal(more.length, 0);
    assert.match(name!, /^[0-9a-f]{64}$/);
    assert.notEqual(name, sha, 'not named by its digest');
    const sealed = readFileSync(join(bodiesDir, name!));
    for (const at of [0, 4096, 500_000, packet.bytes.length - 64]) assert.ok(!contains(sealed, packet.bytes.subarray(at, at + 64)), `no 64 bytes of the packet at ${at} in clear`);
    // Sent again with the same bytes: the same file, no second one.
    assert.equal(ws.packets.send(packet), 'duplicate');
    assert.equal(files().length, 1);

    // A process started anew holds no copy: the body is read from its file, authenticated.
    const fresh = clientWith(new PacketBodies(bodiesDir, Buffer.from(KEY_HEX, 'hex')));
    assert.equal(await fresh.flush(), 1);
    // (flush checks the digest the agency server acknowledges against the row's.)
    assert.ok(await A.packets.outboundState(packet.packetId), 'the agency server has it');
    assert.equal(sentState(ws.db, packet.packetId)?.state, 'sent');
    assert.equal(files().length, 1, 'the body stays until the agency server has passed the packet on (a restored server may lose it)');
    await waitFor('A passed it on to the hub', async () => (await A.packets.outboundState(packet.packetId))?.state === 'forwarded', 20_000, 20);
    assert.deepEqual(await fresh.checkPassedOn({ force: true }), { passed: 1, requeued: [] });
    assert.deepEqual(files(), [], 'the body file goes once the agency server has passed the packet on');
    assert.deepEqual(await fresh.checkPassedOn(), { passed: 0, requeued: [] }, 'nothing left to ask (and not asked again so soon)');
  });

  test('an altered body file: the packet is refused here (the văn thư sees why), the next one still goes', async () => {
    const bad = readdressed(packet.bytes);
    const good = readdressed(packet.bytes);
    ws.packets.send(bad);
    ws.packets.send(good);
    // Both have the same bytes but for the routing header: two files.
    assert.equal(files().length, 2);
    const badFile = bodies.fileOf(sha256Hex(bad.bytes));
    const b = readFileSync(badFile);
    b.writeUInt8(b.readUInt8(b.length - 100) ^ 0x01, b.length - 100);
    writeFileSync(badFile, b);
    assert.throws(() => bodies.get(sha256Hex(bad.bytes)), BlobIntegrityError);
    const fresh = clientWith(bodies);
    assert.equal(await fresh.flush(), 1, 'the good one sent');
    const s = sentState(ws.db, bad.packetId);
    assert.equal(s?.state, 'refused');
    assert.equal(s?.errorCode, 'body-unreadable');
    assert.match(s?.error ?? '', /failed authentication/);
    assert.equal(sentState(ws.db, good.packetId)?.state, 'sent');
    assert.deepEqual(files(), [basename(bodies.fileOf(sha256Hex(good.bytes)))], 'the refused one\'s file let go at once (it is never sent), the sent one\'s kept');
    await waitFor('A passed the good one on', async () => (await A.packets.outboundState(good.packetId))?.state === 'forwarded', 20_000, 20);
    assert.deepEqual(await fresh.checkPassedOn({ force: true }), { passed: 1, requeued: [] });
    assert.deepEqual(files(), [], 'both files let go');
  });

  test('a body file swapped for another packet\'s, a missing one, another profile\'s key: each refused, never another packet\'s bytes', () => {
    const x = Buffer.from('packet X '.repeat(1000));
    const y = Buffer.from('packet Y '.repeat(1000));
    const [sx, sy] = [sha256Hex(x), sha256Hex(y)];
    bodies.put(sx, x);
    bodies.put(sy, y);
    assert.deepEqual(bodies.get(sx), x);
    const path = (sha: string) => bodies.fileOf(sha);
    const yPath = path(sy);
    copyFileSync(path(sx), yPath);
    assert.throws(() => bodies.get(sy), BlobIntegrityError, 'X\'s sealed body under Y\'s name');
    assert.throws(() => new PacketBodies(bodiesDir, Buffer.alloc(32, 7)).get(sx), PacketBodyMissingError, 'another key names another file');
    // The right name under another key: copied over, it does not open.
    const other = new PacketBodies(join(tmp.dir, 'other'), Buffer.alloc(32, 7));
    other.put(sx, x);
    copyFileSync(join(tmp.dir, 'other', readdirSync(join(tmp.dir, 'other'))[0]!), path(sx));
    assert.throws(() => bodies.get(sx), BlobIntegrityError);
  });

  test('the sweep: a crash\'s leftovers go (a dead process\'s temporary, an old body no row names); a named body and a young one stay', () => {
    for (const f of files()) writeFileSync(join(bodiesDir, f), ''); // the previous test's files, now orphans
    const old = new Date(Date.now() - 2 * 60 * 60_000);
    for (const f of files()) utimesSync(join(bodiesDir, f), old, old);
    const orphans = files();
    const young = Buffer.from('a body whose row is about to commit');
    bodies.put(sha256Hex(young), young);
    const named = readdressed(packet.bytes);
    ws.packets.send(named); // queued, not flushed: its row names the file
    const namedFile = basename(bodies.fileOf(sha256Hex(named.bytes)));
    utimesSync(join(bodiesDir, namedFile), old, old);
    const deadTemp = `${'0'.repeat(64)}.999999.0badc0de.tmp`;
    const liveTemp = `${'1'.repeat(64)}.${process.pid}.0badc0de.tmp`;
    writeFileSync(join(bodiesDir, deadTemp), 'cut');
    writeFileSync(join(bodiesDir, liveTemp), 'being written');

    const { removed } = bodies.sweep(ws.db);
    assert.equal(removed, orphans.length + 1);
    const left = files();
    for (const o of orphans) assert.ok(!left.includes(o), `old orphan ${o.slice(0, 8)} removed`);
    assert.ok(!left.includes(deadTemp), 'a dead process\'s temporary removed');
    assert.ok(left.includes(liveTemp), 'a live process\'s temporary kept');
    assert.ok(left.includes(namedFile), 'a body a queued row names kept, however old');
    assert.ok(bodies.has(sha256Hex(young)), 'a young body kept');
    assert.deepEqual(bodies.get(sha256Hex(named.bytes)), named.bytes);
  });
});
