// A workstation's packet run in its own process, for the kill -9 tests: it sends what its outbox holds
// (mode 'send') or fetches and hands over what arrived (mode 'receive': each packet handed over is a
// row of `handed`, written in the transaction that marks it taken) and, when told, kills itself with
// SIGKILL the n-th time it reaches a given step.
import { readFileSync } from 'node:fs';
import { PacketClient, type PacketStep } from '../../../main/core/sync/packets/PacketClient';
import { ServerClient } from '../../../main/core/sync/ServerClient';
import { softKey } from '../../helpers/softKey';
import { openWorkstation } from '../../helpers/workstation';

interface Args { dir: string; url: string; caPath: string; certPath: string; keyPath: string; mode: 'send' | 'receive'; crashAt?: PacketStep; crashNth?: number; resumableAboveBytes?: number; uploadChunkBytes?: number }
const a = JSON.parse(process.env.PACKET_CHILD!) as Args;
const db = openWorkstation(a.dir, []);
db.exec('CREATE TABLE IF NOT EXISTS handed (packet_id TEXT NOT NULL, from_code TEXT NOT NULL, size INTEGER NOT NULL)');
const certPem = readFileSync(a.certPath, 'utf8');
const key = softKey(new Uint8Array(Buffer.from(certPem.replace(/-----[^-]+-----|\s+/g, ''), 'base64')), readFileSync(a.keyPath, 'utf8'));
const server = new ServerClient({
  db, transport: { url: a.url, caPem: readFileSync(a.caPath, 'utf8') }, signer: () => key, channels: () => [], keys: { current: () => null, byId: () => null }, apply: () => {},
});
let seen = 0;
/** The offsets a resumable upload started from (the server's answer when asked), reported with the status. */
const resumedAt: number[] = [];
const packets = new PacketClient({
  db, server, backoff: { baseMs: 1, capMs: 1 }, partBytes: 128 << 10,
  ...(a.resumableAboveBytes !== undefined ? { resumableAboveBytes: a.resumableAboveBytes } : {}),
  ...(a.uploadChunkBytes !== undefined ? { uploadChunkBytes: a.uploadChunkBytes } : {}),
  onPacket: (p) => void db.prepare('INSERT INTO handed (packet_id, from_code, size) VALUES (?,?,?)').run(p.packetId, p.from, p.bytes.length),
  onStep: (step, d) => {
    if (step === 'packet-upload-resumed') resumedAt.push(d.offset ?? -1);
    if (step === a.crashAt && ++seen === (a.crashNth ?? 1)) process.kill(process.pid, 'SIGKILL');
  },
});
try {
  if (a.mode === 'send') await packets.flush();
  else {
    await packets.pull();
    packets.drain();
  }
  process.stdout.write(JSON.stringify({ ...packets.status(), resumedAt }));
} finally {
  server.close();
  db.close();
}
