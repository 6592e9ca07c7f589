// What queuing a 1 MB packet costs the workstation's base database, per packet: the outbox insert (its
// own transaction, as PacketClient.send) and the "sent" update that drops the body, on a plain database
// (what the exchange bench's workstations open) and on an SQLCipher one (a real profile: every page
// encrypted and authenticated, each WAL frame written apart). The figure behind "the outbox body as a
// file" (tests/bench/README.md, "Exchange"), next to an encrypted file.   node --import tsx tests/bench/outboxInsert.ts [N]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { PacketFiles } from '../../server/storage/packetFiles';

const N = Number(process.argv[2] ?? 100);
const body = Buffer.alloc(1_045_897, 7); // the bench's sealed packet size
const out: Record<string, { userMs: number; systemMs: number }> = {};
for (const keyed of [false, true]) {
  const dir = mkdtempSync(join(tmpdir(), 'securedesk-outbox-insert-'));
  const db = new Database(join(dir, 'securedesk.db'));
  if (keyed) {
    db.pragma("cipher = 'sqlcipher'");
    db.pragma('legacy = 4');
    db.pragma(`key = "x'${'ab'.repeat(32)}'"`);
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL'); // as main/core/db/connection.ts
  db.exec('CREATE TABLE packet_outbox (id INTEGER PRIMARY KEY, bytes BLOB)');
  const insert = db.prepare('INSERT INTO packet_outbox (bytes) VALUES (?)');
  const sent = db.prepare('UPDATE packet_outbox SET bytes = NULL WHERE id = ?');
  const one = () => sent.run(db.transaction(() => insert.run(body).lastInsertRowid)());
  for (let i = 0; i < 10; i++) one(); // warm: the freed pages are reused from here on, as in a running outbox
  const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) one();
  const c = process.cpuUsage(c0);
  out[keyed ? 'sqlcipher' : 'plain'] = { userMs: Math.round(c.user / N) / 1000, systemMs: Math.round(c.system / N) / 1000 };
  db.close();
  rmSync(dir, { recursive: true, force: true });
}
// The alternative: the body as a file sealed under a key (AES-256-GCM), written, fdatasync'd and renamed,
// then removed once sent (the agency server's packetFiles.ts, as a stand-in for the workstation's).
{
  const dir = mkdtempSync(join(tmpdir(), 'securedesk-outbox-file-'));
  const files = new PacketFiles(dir, 'ab'.repeat(32), 0);
  const sha = 'a'.repeat(64);
  const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) {
    const id = `packet-${String(i).padStart(8, '0')}`;
    await files.put('out', id, sha, body);
    await files.drop('out', id, sha);
  }
  const c = process.cpuUsage(c0);
  out['encrypted file'] = { userMs: Math.round(c.user / N) / 1000, systemMs: Math.round(c.system / N) / 1000 };
  rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify({ packets: N, packetBytes: body.length, perPacket: out }));
