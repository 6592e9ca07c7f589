// A workstation's sync run in its own process, for the kill -9 tests: it pushes or pulls once and,
// when told, kills itself with SIGKILL at the n-th time it reaches a given step.
import { readFileSync } from 'node:fs';
import { ServerClient, type SyncStep } from '../../../main/core/sync/ServerClient';
import type { Channel } from '../../../main/core/sync/protocol';
import { softKey } from '../../helpers/softKey';
import { openWorkstation } from '../../helpers/workstation';

interface Args { dir: string; url: string; caPath: string; certPath: string; keyPath: string; mode: 'push' | 'pull'; crashAt?: SyncStep; crashNth?: number; keyId: string; keyHex: string }
const a = JSON.parse(process.env.SYNC_CHILD!) as Args;
const db = openWorkstation(a.dir, ['thuong', 'mat']);
db.exec('CREATE TABLE IF NOT EXISTS received (event_id TEXT PRIMARY KEY, channel TEXT NOT NULL, batch_seq INTEGER NOT NULL)');
const certPem = readFileSync(a.certPath, 'utf8');
const key = softKey(new Uint8Array(Buffer.from(certPem.replace(/-----[^-]+-----|\s+/g, ''), 'base64')), readFileSync(a.keyPath, 'utf8'));
const levelKey = Buffer.from(a.keyHex, 'hex');
let seen = 0;
const channels: Channel[] = ['base', 'thuong', 'mat'];
const client = new ServerClient({
  db, transport: { url: a.url, caPem: readFileSync(a.caPath, 'utf8') }, signer: () => key, channels: () => channels,
  keys: { current: (l) => (l === 'mat' ? { keyId: a.keyId, key: levelKey } : null), byId: (l, id) => (l === 'mat' && id === a.keyId ? levelKey : null) },
  apply: (b) => {
    const ins = db.prepare('INSERT INTO received (event_id, channel, batch_seq) VALUES (?,?,?)');
    for (const e of b.events) ins.run(e.id, b.channel, b.seq);
  },
  batchEvents: 10,
  onStep: (step) => {
    if (step === a.crashAt && ++seen === (a.crashNth ?? 1)) process.kill(process.pid, 'SIGKILL');
  },
});
try {
  if (a.mode === 'push') {
    client.fillOutbox();
    await client.flush();
  } else {
    for (const c of channels) await client.pull(c);
  }
  process.stdout.write(JSON.stringify(client.status()));
} finally {
  client.close();
  db.close();
}
