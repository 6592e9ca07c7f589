// The workstation's sync client against the real agency server (SQLite and PostgreSQL back ends):
// events of the base, Thường and Mật logs travel from one workstation to another (Mật sealed under
// the level key), the outbox survives a server that is down (backoff with jitter, attempts kept),
// a session without the level key waits, and a child process killed with SIGKILL between any two
// steps of a send or a receive still ends with every event stored and applied exactly once.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunningServer } from '../../../server/app';
import type { Db } from '../../../main/core/db/connection';
import { ServerClient, SyncError, type ReceivedBatch, type SyncStep } from '../../../main/core/sync/ServerClient';
import { cursor, pullCursorKey } from '../../../main/core/sync/outbox';
import { TransportError } from '../../../main/core/sync/transport';
import { agencyPki, startAgencyServer, type AgencyPki, type Backend } from '../../helpers/agencyServer';
import { tempDir } from '../../helpers/desk';
import { startPostgres, type TestPostgres } from '../../helpers/postgres';
import { softKey } from '../../helpers/softKey';
import { appendEvent, openWorkstation } from '../../helpers/workstation';

let pki: AgencyPki;
let pg: TestPostgres;
let tmp: { dir: string; cleanup(): void };

before(async () => {
  tmp = tempDir('securedesk-sync-');
  [pki, pg] = await Promise.all([agencyPki(['an', 'binh', 'cuong']), startPostgres()]);
});
after(() => {
  pg?.stop();
  pki?.pki.cleanup();
  tmp?.cleanup();
});

const KEY_ID = randomBytes(16).toString('hex');
const LEVEL_KEY = randomBytes(32);

function client(db: Db, server: RunningServer, person: string, o: { withMat?: boolean; url?: string; clock?: () => number; received?: ReceivedBatch[] } = {}): ServerClient {
  const key = softKey(pki.person(person).certDer, pki.person(person).keyPem);
  const withMat = o.withMat ?? true;
  return new ServerClient({
    db, transport: { url: o.url ?? `https://localhost:${server.port}`, caPem: pki.ca.certPem, timeoutMs: 5_000 }, signer: () => key,
    channels: () => (withMat ? ['base', 'thuong', 'mat'] : ['base', 'thuong']),
    keys: { current: (l) => (withMat && l === 'mat' ? { keyId: KEY_ID, key: LEVEL_KEY } : null), byId: (l, id) => (withMat && l === 'mat' && id === KEY_ID ? LEVEL_KEY : null) },
    apply: (b) => o.received?.push(b),
    batchEvents: 10, backoff: { baseMs: 1_000, capMs: 60_000 },
    ...(o.clock ? { clock: o.clock } : {}),
  });
}

for (const backend of ['sqlite', 'postgres'] as Backend[]) {
  describe(`sync client with the server on ${backend}`, () => {
    let server: RunningServer;
    const people = [
      { person: 'p-an', role: 'van_thu' as const, clearance: 'toi_mat' as const, certificates: [pki?.person('an').certPath ?? ''] },
    ];
    before(async () => {
      people[0]!.certificates = [pki.person('an').certPath];
      server = await startAgencyServer({
        backend, pg, dir: join(tmp.dir, backend), pki,
        people: [...people, { person: 'p-binh', role: 'chuyen_vien', clearance: 'mat', certificates: [pki.person('binh').certPath] },
          { person: 'p-cuong', role: 'chuyen_vien', clearance: 'thuong', certificates: [pki.person('cuong').certPath] }],
        limits: { inlineBytes: 16 << 10, signInPerSecond: 100, signInBurst: 500 },
        logger: { log: () => {} },
      });
    });
    after(async () => server?.close());

    test('events of the base, Thường and Mật logs go from one workstation to another; Mật sealed, in order, once', async () => {
      const d1 = join(tmp.dir, backend, 'ws1');
      const d2 = join(tmp.dir, backend, 'ws2');
      mkdirSync(d1, { recursive: true });
      mkdirSync(d2, { recursive: true });
      const w1 = openWorkstation(d1, ['thuong', 'mat']);
      const w2 = openWorkstation(d2, ['thuong', 'mat']);
      const ids = { base: [] as string[], thuong: [] as string[], mat: [] as string[] };
      for (let i = 0; i < 25; i++) ids.base.push(appendEvent(w1, 'main', 'units', { name: `Phòng ${i}` }));
      for (let i = 0; i < 12; i++) ids.thuong.push(appendEvent(w1, 'c_thuong', 'incoming', { subject: `Công văn ${i}` }));
      for (let i = 0; i < 7; i++) ids.mat.push(appendEvent(w1, 'c_mat', 'incoming', { subject: `Trích yếu mật ${i}` }));
      const c1 = client(w1, server, 'an');
      const received: ReceivedBatch[] = [];
      const c2 = client(w2, server, 'binh', { received });
      try {
        const r1 = await c1.syncOnce();
        assert.equal(r1.sent, 3 + 2 + 1);
        assert.equal(c1.status().outbox.batches, 0);
        const r2 = await c2.syncOnce();
        assert.equal(r2.applied, 6);
        for (const ch of ['base', 'thuong', 'mat'] as const) {
          assert.deepEqual(received.filter((b) => b.channel === ch).flatMap((b) => b.events.map((e) => e.id)), ids[ch], `${ch}: every event, in order`);
        }
        const mat = received.find((b) => b.channel === 'mat')!;
        assert.equal(mat.events[0]!.data.subject, 'Trích yếu mật 0');
        const stored = await server.store.db.selectFrom('batches').selectAll().where('channel', '=', 'mat').execute();
        assert.ok(stored.every((s) => s.encoding === 'aes-256-gcm' && !Buffer.from(s.payload).includes(Buffer.from('Trích yếu'))));
        // Nothing new: a second round moves nothing.
        assert.deepEqual(await c2.syncOnce(), { sent: 0, applied: 0 });
        assert.deepEqual(await c1.syncOnce(), { sent: 0, applied: 0 });
        assert.ok(c2.status().lastContact);
      } finally {
        c1.close();
        c2.close();
        w1.close();
        w2.close();
      }
    });

    test('a person without Mật: the server refuses the channel; a session without the level key leaves the Mật cursor where it was', async () => {
      const d = join(tmp.dir, backend, 'ws3');
      mkdirSync(d, { recursive: true });
      const w = openWorkstation(d, ['thuong', 'mat']);
      const low = client(w, server, 'cuong', { withMat: true });
      const noKey = client(w, server, 'binh', { withMat: false });
      try {
        const e = await low.pull('mat').then(() => null, (x: unknown) => x);
        assert.ok(e instanceof TransportError && e.status === 403, String(e));
        const e2 = await noKey.pull('mat').then(() => null, (x: unknown) => x);
        assert.ok(e2 instanceof SyncError && e2.code === 'key-unavailable', String(e2));
        assert.equal(cursor(w, pullCursorKey('mat')), 0);
      } finally {
        low.close();
        noKey.close();
        w.close();
      }
    });

    test('server unreachable: the batch stays in the outbox with its attempts and a jittered next attempt; later it is sent once', async () => {
      const d = join(tmp.dir, backend, 'ws4');
      mkdirSync(d, { recursive: true });
      const w = openWorkstation(d, ['thuong', 'mat']);
      const id = appendEvent(w, 'main', 'units', { name: 'Phòng Hành chính' });
      let now = Date.now();
      const down = client(w, server, 'an', { url: 'https://localhost:1', clock: () => now });
      try {
        assert.equal(down.fillOutbox(), 1);
        await assert.rejects(down.flush(), (e: unknown) => e instanceof TransportError && e.transient);
        const row = w.prepare('SELECT attempts, next_attempt_at, last_error FROM sync_outbox').get() as { attempts: number; next_attempt_at: string; last_error: string };
        assert.equal(row.attempts, 1);
        const wait = Date.parse(row.next_attempt_at) - now;
        assert.ok(wait >= 0 && wait <= 1_000, `first retry within the base delay (${wait} ms)`);
        // Too early: nothing is tried.
        assert.equal(await down.flush(), 0);
      } finally {
        down.close();
      }
      now += 2_000;
      const up = client(w, server, 'an', { clock: () => now });
      try {
        assert.equal(await up.flush(), 1);
        assert.equal(await up.flush(), 0);
        const n = await server.store.db.selectFrom('batch_events').select('event_id').where('event_id', '=', id).execute();
        assert.equal(n.length, 1);
      } finally {
        up.close();
        w.close();
      }
    });

    test('kill -9 between any two steps of a send and of a receive: every event stored and applied exactly once', { timeout: 300_000 }, async () => {
      const d1 = join(tmp.dir, backend, 'kill-sender');
      const d2 = join(tmp.dir, backend, 'kill-receiver');
      mkdirSync(d1, { recursive: true });
      mkdirSync(d2, { recursive: true });
      const sender = openWorkstation(d1, ['thuong', 'mat']);
      const made = new Set<string>();
      const caPath = pki.ca.certPath;
      // Asynchronous: the server runs in this process and must keep answering while the child runs.
      const run = (dir: string, person: string, mode: 'push' | 'pull', crashAt?: SyncStep, crashNth = 2) => new Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'syncChild.ts')], {
          env: { ...process.env, SYNC_CHILD: JSON.stringify({ dir, url: `https://localhost:${server.port}`, caPath, certPath: pki.person(person).certPath, keyPath: pki.person(person).keyPath, mode, crashAt, crashNth, keyId: KEY_ID, keyHex: LEVEL_KEY.toString('hex') }) },
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        const timer = setTimeout(() => child.kill('SIGTERM'), 60_000);
        child.on('close', (status, signal) => {
          clearTimeout(timer);
          resolve({ status, signal, stdout, stderr });
        });
      });
      const more = () => {
        for (let i = 0; i < 12; i++) made.add(appendEvent(sender, 'main', 'units', { name: `Đơn vị ${made.size}` }));
        for (let i = 0; i < 12; i++) made.add(appendEvent(sender, 'c_mat', 'incoming', { subject: `Mật ${made.size}` }));
        // One large event: its batch is above the inline size, so it is downloaded by parts.
        made.add(appendEvent(sender, 'c_thuong', 'incoming', { subject: 'Lớn', body: randomBytes(400_000).toString('base64') }));
      };
      const storedIds = async () => new Set((await server.store.db.selectFrom('batch_events').select('event_id').execute()).map((r) => r.event_id));
      const pushSteps: SyncStep[] = ['outbox-filled', 'batch-sending', 'batch-sent', 'batch-acknowledged', 'batch-cleared'];
      const pullSteps: SyncStep[] = ['part-saved', 'batch-downloaded', 'batch-applied'];
      try {
        for (const step of [...pushSteps, ...pullSteps]) {
          more();
          const pushCrash = pushSteps.includes(step);
          const killed = await run(d1, 'an', 'push', pushCrash ? step : undefined);
          if (pushCrash) assert.equal(killed.signal, 'SIGKILL', `push killed at ${step}: ${killed.stderr}`);
          else assert.equal(killed.status, 0, killed.stderr);
          const done = await run(d1, 'an', 'push');
          assert.equal(done.status, 0, `push after a kill at ${step}: ${done.stderr}`);
          assert.equal(JSON.parse(done.stdout).outbox.batches, 0);
          const stored = await storedIds();
          for (const id of made) assert.ok(stored.has(id), `event lost after a kill at ${step}`);
          if (!pushCrash) {
            const k = await run(d2, 'binh', 'pull', step, 1);
            assert.equal(k.signal, 'SIGKILL', `pull killed at ${step}: ${k.stderr}`);
          }
          const p = await run(d2, 'binh', 'pull');
          assert.equal(p.status, 0, `pull after a kill at ${step}: ${p.stderr}`);
        }
        const counts = await server.store.counts();
        const total = Object.values(counts).reduce((n, c) => n + c.events, 0);
        const mine = [...(await storedIds())].filter((id) => made.has(id));
        assert.equal(mine.length, made.size, 'stored once each');
        assert.ok(total >= made.size);
        const receiver = openWorkstation(d2, ['thuong', 'mat']);
        try {
          const got = receiver.prepare('SELECT event_id FROM received').pluck().all() as string[];
          const fromSender = got.filter((id) => made.has(id));
          assert.equal(fromSender.length, made.size, 'every event applied');
          assert.equal(new Set(fromSender).size, fromSender.length, 'none applied twice');
          assert.equal((receiver.prepare('SELECT count(*) FROM sync_download_parts').pluck().get() as number), 0, 'no download left half-way');
        } finally {
          receiver.close();
        }
      } finally {
        sender.close();
      }
    });
  });
}
