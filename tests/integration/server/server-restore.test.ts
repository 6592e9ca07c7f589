// An agency server restored from a backup to an older point (issue 9 §5; docs/server.md "Backup"), on
// both back ends over real HTTPS: two workstations sync before the backup and after it, the store is
// put back to the backup (the SQLite file copied back; PostgreSQL's database recreated from a template
// copy taken at the backup) and started again.
//   - Not marked: a workstation that read past the restored head stops with `server-behind` and moves
//     no cursor (reading on would skip what the others send again).
//   - Marked by the operator's command (`server/main.ts --mark-restored`, a child process): each
//     workstation reads again from the restored head and sends again its own events the store lost,
//     Mật sealed as before; keyring cursors and sent marks go back too. Then every event of both
//     workstations is in the store exactly once, a fresh workstation receives each exactly once, and
//     each workstation has the other's events, including one made after the restore.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startServer, type RunningServer } from '../../../server/app';
import { Store } from '../../../server/storage/store';
import { lastNumbersAfterRestore, numberingRound, planNumber, sendPending, settleRestoreClashes } from '../../../main/core/documents/sharedNumbering';
import { TransportError } from '../../../main/core/sync/transport';
import { AFTER_RESTORE_RENUMBER_REASON } from '../../../main/core/documents/numberConflicts';
import { restoreNumberClashes } from '../../../main/core/sync/restoreNumberClashes';
import { syncPanel } from '../../../main/core/sync/panel';
import type { Actor } from '../../../main/core/org/rights';
import { NumberClient } from '../../../main/core/sync/numbers/NumberClient';
import { numberedRecordsAbove, sendNumberedRecords, sequenceKey } from '../../../main/core/documents/numberedRecords';
import type { NumberAuthority } from '../../../main/core/documents/sharedNumbering';
import { AFTER_RESTORE_MAX, type NumberedRecord } from '../../../main/core/sync/numbers/protocol';
import { NUMBERS_AFTER_RESTORE_KEY, NUMBERS_REPORTED_KEY } from '../../../main/core/sync/restore';
import { newGlobalId } from '../../../main/core/events/globalId';
import { recordChange, workstationId } from '../../../main/core/events/eventLog';
import type { Db } from '../../../main/core/db/connection';
import { syncErrorVi } from '../../../main/core/sync/exchangeQueue';
import { cursor, getState, keyringPullKey, keyringSentKey, pullCursorKey, setState } from '../../../main/core/sync/outbox';
import type { Channel, RestoreMark } from '../../../main/core/sync/protocol';
import { ServerClient, SyncError, type ReceivedBatch, type ServerClientOptions } from '../../../main/core/sync/ServerClient';
import { adoptRestores, checkpoints, cursorsToVerify, noteCheckpoint, resendKey, resendLostEvents, settleVerification, VERIFY_KEY } from '../../../main/core/sync/restore';
import { pushCursorKey } from '../../../main/core/sync/outbox';
import { agencyPki, startAgencyServer, type AgencyPki, type Backend } from '../../helpers/agencyServer';
import { tempDir } from '../../helpers/desk';
import { backupStore, restoreStore } from '../../helpers/storeBackup';
import { startPostgres, type TestPostgres } from '../../helpers/postgres';
import { softKey } from '../../helpers/softKey';
import { appendEvent, openWorkstation } from '../../helpers/workstation';

let pki: AgencyPki;
let pg: TestPostgres;
let tmp: { dir: string; cleanup(): void };

before(async () => {
  tmp = tempDir('securedesk-restore-');
  [pki, pg] = await Promise.all([agencyPki(['an', 'binh']), startPostgres()]);
});
after(() => {
  pg?.stop();
  pki?.pki.cleanup();
  tmp?.cleanup();
});

const KEY_ID = randomBytes(16).toString('hex');
const LEVEL_KEY = randomBytes(32);
const CHANNELS: Channel[] = ['base', 'thuong', 'mat'];
const SCHEMA: Record<string, string> = { base: 'main', thuong: 'c_thuong', mat: 'c_mat' };

/** How many after-restore clashes the sync panel lists for `actor`. */
const syncPanelRow = (db: Db, actor: Actor): number =>
  syncPanel(db, ['thuong', 'mat'], { service: null, server: null, running: false }, actor).restoreNumberClashes.length;

function client(db: Db, port: number, person: string, received: ReceivedBatch[], onStep?: ServerClientOptions['onStep']): ServerClient {
  const key = softKey(pki.person(person).certDer, pki.person(person).keyPem);
  return new ServerClient({
    db, transport: { url: `https://localhost:${port}`, caPem: pki.ca.certPem, timeoutMs: 10_000 }, signer: () => key,
    channels: () => CHANNELS,
    keys: { current: (l) => (l === 'mat' ? { keyId: KEY_ID, key: LEVEL_KEY } : null), byId: (l, id) => (l === 'mat' && id === KEY_ID ? LEVEL_KEY : null) },
    apply: (b) => received.push(b),
    ...(onStep ? { onStep } : {}),
    // Small batches and chunks: the re-send check runs over several of them.
    batchEvents: 3, backoff: { baseMs: 1_000, capMs: 60_000 },
  });
}

const idsOf = (received: readonly ReceivedBatch[]) => received.flatMap((b) => b.events.map((e) => e.id));

const quiet = { log: () => {} };

/** An agency server with an (văn thư, Tối mật) and bình (chuyên viên, Mật), in a folder of its own. */
async function agencyOf(backend: Backend, name: string): Promise<{ dir: string; first: Awaited<ReturnType<typeof startAgencyServer>> }> {
  const dir = join(tmp.dir, name);
  mkdirSync(dir, { recursive: true });
  const people = [
    { person: 'p-an', role: 'van_thu' as const, clearance: 'toi_mat' as const, certificates: [pki.person('an').certPath] },
    { person: 'p-binh', role: 'chuyen_vien' as const, clearance: 'mat' as const, certificates: [pki.person('binh').certPath] },
  ];
  return { dir, first: await startAgencyServer({ backend, pg, dir, pki, people, logger: quiet, limits: { signInPerSecond: 100, signInBurst: 500 } }) };
}

/**
 * A register's creation pushed as the base's clear event, as the workstation that made it pushes it: the
 * server then knows the register and its lowest level (after a restore, numbers of a register it does
 * not know are left out).
 */
async function pushRegisters(c: ServerClient, origin: string, registers: Array<{ register: string; secrecy: string[] }>): Promise<void> {
  const wire = registers.map((r) => ({ id: newGlobalId(), at: new Date().toISOString(), origin, actor: null, entity: 'registers', entityId: r.register, kind: 'create',
    data: { kind: 'incoming', name: 'Sổ', secrecy: JSON.stringify(r.secrecy), scope_id: null, active: 1 } }));
  const pushed = await c.request('POST', '/v1/events', { headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify({
    batchId: newGlobalId(), channel: 'base', keyId: null, encoding: 'clear', eventIds: wire.map((e) => e.id), payload: Buffer.from(JSON.stringify(wire)).toString('base64') })) });
  assert.ok(pushed.status < 300, `${pushed.status}`);
}

/** `--mark-restored` as the operator runs it: a child process of the server's command. */
function markRestored(configFile: string): RestoreMark {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'server/main.ts', '--config', configFile, '--mark-restored'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return JSON.parse(out.trim().split('\n').pop()!) as RestoreMark;
}

for (const backend of ['sqlite', 'postgres'] as Backend[]) {
  describe(`a server restored to an older point (${backend})`, () => {
    test('unmarked: sync stops with server-behind; marked: read again, lost events sent again, each stored and received once', async () => {
      const { dir, first } = await agencyOf(backend, backend);
      const { config, configFile } = first;
      let server: RunningServer = first;
      const storage = config.storage;
      const backup = () => backupStore(storage, pg);
      const restore = () => restoreStore(storage, pg);
      const d1 = join(dir, 'ws1');
      const d2 = join(dir, 'ws2');
      mkdirSync(d1);
      mkdirSync(d2);
      const w1 = openWorkstation(d1, ['thuong', 'mat']);
      const w2 = openWorkstation(d2, ['thuong', 'mat']);
      const made = { w1: [] as string[], w2: [] as string[] };
      const recv = { w1: [] as ReceivedBatch[], w2: [] as ReceivedBatch[] };
      const make = (w: 'w1' | 'w2', channel: Channel, n: number, label: string) => {
        for (let i = 0; i < n; i++) made[w].push(appendEvent(w === 'w1' ? w1 : w2, SCHEMA[channel]!, channel === 'base' ? 'units' : 'incoming', { subject: `${label} ${i}`, name: `${label} ${i}` }));
      };
      const round = async (port: number) => {
        for (const w of ['w1', 'w2', 'w1'] as const) {
          const c = client(w === 'w1' ? w1 : w2, port, w === 'w1' ? 'an' : 'binh', recv[w]);
          try {
            await c.syncOnce();
          } finally {
            c.close();
          }
        }
      };
      try {
        make('w1', 'base', 3, 'Phòng trước sao lưu');
        make('w1', 'thuong', 4, 'Công văn trước sao lưu');
        make('w1', 'mat', 2, 'Trích yếu mật trước sao lưu');
        make('w2', 'thuong', 2, 'Tờ trình trước sao lưu');
        await round(server.port);
        await server.close();
        backup();
        server = await startServer(config, { logger: quiet });
        // After the backup: both push, both read the other's.
        make('w1', 'thuong', 5, 'Công văn sau sao lưu');
        make('w1', 'mat', 4, 'Trích yếu mật sau sao lưu');
        make('w2', 'base', 2, 'Phòng sau sao lưu');
        make('w2', 'thuong', 3, 'Tờ trình sau sao lưu');
        await round(server.port);
        assert.ok(made.w2.every((id) => idsOf(recv.w1).includes(id)), 'before the restore, w1 had all of w2');
        // w1's keyring state, to see it go back with the cursors.
        setState(w1, keyringPullKey('mat'), '9999');
        setState(w1, keyringSentKey('mat'), 'a'.repeat(64));
        const pulledBefore = cursor(w2, pullCursorKey('thuong'));
        await server.close();
        restore();

        // Restored, not marked: w2 read past the restored head and stops, its cursor where it was.
        server = await startServer(config, { logger: quiet });
        const restoredHead = await server.store.headSeq();
        assert.ok(restoredHead < pulledBefore, `the restored head ${restoredHead} is below what w2 read (${pulledBefore})`);
        const c2 = client(w2, server.port, 'binh', recv.w2);
        const e = await c2.syncOnce().then(() => null, (x: unknown) => x);
        c2.close();
        assert.ok(e instanceof SyncError && e.code === 'server-behind', String(e));
        assert.match(syncErrorVi(e.message) ?? '', /khôi phục từ bản sao lưu/);
        assert.equal(cursor(w2, pullCursorKey('thuong')), pulledBefore);
        await server.close();

        // The operator marks the restore (the service stopped), then starts it again.
        const mark = markRestored(configFile);
        assert.equal(mark.batchesHead, restoredHead);
        server = await startServer(config, { logger: quiet });
        make('w1', 'thuong', 1, 'Công văn sau khôi phục');
        await round(server.port);
        await round(server.port);

        // The store holds every event of both workstations, each once.
        const stored = await server.store.db.selectFrom('batch_events').select(['channel', 'event_id']).execute();
        const storedIds = stored.map((r) => r.event_id);
        assert.equal(new Set(storedIds).size, storedIds.length, 'no event stored twice');
        assert.deepEqual([...storedIds].sort(), [...made.w1, ...made.w2].sort(), 'every event of both workstations is in the store');
        // Mật went again sealed.
        const mat = await server.store.db.selectFrom('batches').select(['encoding', 'payload']).where('channel', '=', 'mat').execute();
        assert.ok(mat.length && mat.every((b) => b.encoding === 'aes-256-gcm' && !Buffer.from(b.payload).includes(Buffer.from('Trích yếu'))));
        // Each has the other's, the event made after the restore included.
        assert.ok(made.w2.every((id) => idsOf(recv.w1).includes(id)), 'w1 has every event of w2');
        assert.ok(made.w1.every((id) => idsOf(recv.w2).includes(id)), 'w2 has every event of w1');
        assert.equal(getState(w1, 'server-incarnation'), mark.id);
        assert.equal(cursor(w1, keyringPullKey('mat')), 0, 'keyrings read again from the start (the restored head may count entries taken before the mark)');
        assert.equal(getState(w1, keyringSentKey('mat')), '', 'keyring to be sent again');

        // A workstation set up after the restore receives every event once.
        const d3 = join(dir, 'ws3');
        mkdirSync(d3);
        const w3 = openWorkstation(d3, ['thuong', 'mat']);
        const r3: ReceivedBatch[] = [];
        const c3 = client(w3, server.port, 'binh', r3);
        try {
          await c3.syncOnce();
          const got = idsOf(r3);
          assert.equal(new Set(got).size, got.length, 'nothing received twice');
          assert.deepEqual([...got].sort(), [...made.w1, ...made.w2].sort());
          const subjects = r3.filter((b) => b.channel === 'mat').flatMap((b) => b.events.map((x) => x.data.subject));
          assert.ok(subjects.includes('Trích yếu mật sau sao lưu 3'), 'a Mật event lost by the restore came back, opened with the level key');
        } finally {
          c3.close();
          w3.close();
        }
        // Nothing left to send or to read.
        const c1 = client(w1, server.port, 'an', recv.w1);
        try {
          assert.deepEqual(await c1.syncOnce(), { sent: 0, applied: 0 });
        } finally {
          c1.close();
        }
      } finally {
        if (server.server.listening) await server.close();
        w1.close();
        w2.close();
      }
    });
  });
}

for (const backend of ['sqlite', 'postgres'] as Backend[]) {
  test(`restored and run before it was marked: a workstation that read past the backup stops rather than skip, and after the mark reads what was sent meanwhile (${backend})`, async () => {
    const { dir, first } = await agencyOf(backend, `${backend}-run-before-mark`);
    const { config, configFile } = first;
    let server: RunningServer = first;
    // w1 sends; w2 reads; w3 lags (it read nothing after the backup) and sends on the restored store.
    const ws = { w1: 'an', w2: 'binh', w3: 'binh' } as const;
    type W = keyof typeof ws;
    const db = {} as Record<W, Db>;
    const made = { w1: [] as string[], w2: [] as string[], w3: [] as string[] };
    const recv = { w1: [] as ReceivedBatch[], w2: [] as ReceivedBatch[], w3: [] as ReceivedBatch[] };
    const steps: Array<{ w: W; step: string; channel: string; seq: number | undefined }> = [];
    for (const w of Object.keys(ws) as W[]) {
      mkdirSync(join(dir, w));
      db[w] = openWorkstation(join(dir, w), ['thuong', 'mat']);
    }
    const make = (w: W, n: number, label: string) => {
      for (let i = 0; i < n; i++) made[w].push(appendEvent(db[w], 'c_thuong', 'incoming', { subject: `${label} ${i}` }));
    };
    const sync = async (w: W) => {
      const c = client(db[w], server.port, ws[w], recv[w], (step, d) => steps.push({ w, step, channel: d.channel, seq: d.seq }));
      try {
        return await c.syncOnce();
      } finally {
        c.close();
      }
    };
    try {
      make('w1', 3, 'Công văn trước sao lưu');
      for (const w of ['w1', 'w2', 'w3'] as const) await sync(w);
      await server.close();
      backupStore(config.storage, pg);
      server = await startServer(config, { logger: quiet });
      // After the backup: one batch of w1 (3 events a batch), read by w2.
      make('w1', 3, 'Công văn sau sao lưu');
      await sync('w1');
      await sync('w2');
      const readTo = cursor(db.w2, pullCursorKey('thuong'));
      await server.close();
      restoreStore(config.storage, pg);

      // The service runs on the restored store before anyone marks it; w3, whose view is older than the
      // backup, sends two batches: the store's head is past w2's cursor again, at seqs w2 read other batches.
      server = await startServer(config, { logger: quiet });
      const restoredHead = await server.store.headSeq();
      assert.ok(restoredHead < readTo);
      make('w3', 6, 'Tờ trình sau khôi phục');
      await sync('w3');
      assert.ok((await server.store.headSeq()) >= readTo, 'the head alone no longer tells w2 the store went back');
      const e = await sync('w2').then(() => null, (x: unknown) => x);
      assert.ok(e instanceof SyncError && e.code === 'server-behind', String(e));
      assert.match(e.message, /another batch at seq/);
      assert.match(syncErrorVi(e.message) ?? '', /khôi phục từ bản sao lưu/);
      assert.equal(cursor(db.w2, pullCursorKey('thuong')), readTo, 'w2 read nothing past the seqs it knows');
      assert.ok(!made.w3.some((id) => idsOf(recv.w2).includes(id)), 'nothing of the other timeline applied');
      await server.close();

      // Marked now: the mark's head counts w3's batches, so w1 and w2 go back further than it, to what
      // the store still holds as they read it, and read w3's batches.
      const mark = markRestored(configFile);
      assert.ok(mark.batchesHead >= readTo);
      server = await startServer(config, { logger: quiet });
      for (let i = 0; i < 2; i++) for (const w of ['w1', 'w2', 'w3'] as const) await sync(w);
      const reread = steps.filter((s) => s.step === 'restore-reread' && s.channel === 'thuong');
      assert.deepEqual(reread.map((s) => s.w).sort(), ['w1', 'w2'], 'both went back further than the mark');
      assert.ok(reread.every((s) => (s.seq ?? Infinity) <= restoredHead));
      for (const w of ['w1', 'w2', 'w3'] as const) {
        const others = (Object.keys(made) as W[]).filter((x) => x !== w).flatMap((x) => made[x]);
        const got = idsOf(recv[w]);
        assert.ok(others.every((id) => got.includes(id)), `${w} has every event of the others`);
      }
      const stored = (await server.store.db.selectFrom('batch_events').select('event_id').execute()).map((r) => r.event_id);
      assert.equal(new Set(stored).size, stored.length, 'no event stored twice');
      assert.deepEqual([...stored].sort(), [...made.w1, ...made.w2, ...made.w3].sort());
      // And each workstation's checkpoints agree with the store again: a round reads nothing and stops on nothing.
      for (const w of ['w1', 'w2', 'w3'] as const) assert.deepEqual(await sync(w), { sent: 0, applied: 0 });
    } finally {
      if (server.server.listening) await server.close();
      for (const w of Object.values(db)) w.close();
    }
  });
}

for (const backend of ['sqlite', 'postgres'] as Backend[]) {
  test(`numbers given after the backup are not given again: each workstation tells the restored store its last numbers (${backend})`, async () => {
    const dir = join(tmp.dir, `${backend}-numbers`);
    mkdirSync(dir, { recursive: true });
    const people = [{ person: 'p-an', role: 'van_thu' as const, clearance: 'toi_mat' as const, certificates: [pki.person('an').certPath] }];
    const first = await startAgencyServer({ backend, pg, dir, pki, people, logger: quiet, limits: { signInPerSecond: 100, signInBurst: 500 } });
    const { config } = first;
    let server: RunningServer = first;
    const storage = config.storage;
    mkdirSync(join(dir, 'ws'));
    const w = openWorkstation(join(dir, 'ws'), ['thuong', 'mat']);
    const register = newGlobalId();
    const scope = Number(w.prepare("INSERT INTO main.numbering_scopes (name, reset) VALUES ('Sổ công văn đến', 'year')").run().lastInsertRowid);
    w.prepare("INSERT INTO main.registers (kind, name, secrecy, scope_id, global_id) VALUES ('incoming', 'Sổ công văn đến', ?, ?, ?)").run(JSON.stringify(['thuong']), scope, register);
    const home = workstationId(w);
    const sequence = { register, period: '2026', bucket: '*' };
    const numbered: number[] = [];
    // As a registration does: the server's number, and the local counter follows it (followServerNumber).
    const allocate = async (numbers: NumberClient) => {
      const r = await numbers.allocate({ ...sequence, record: newGlobalId(), home });
      w.prepare(`INSERT INTO main.number_counters (scope_id, period, bucket, last) VALUES (?, '2026', '*', ?)
        ON CONFLICT (scope_id, period, bucket) DO UPDATE SET last = max(last, excluded.last)`).run(scope, r.allocation.number);
      numbered.push(r.allocation.number);
      return r.allocation.number;
    };
    const connect = (port: number) => {
      const c = client(w, port, 'an', []);
      return { c, numbers: new NumberClient(c) };
    };
    try {
      let { c, numbers } = connect(server.port);
      await pushRegisters(c, home, [{ register, secrecy: ['thuong'] }]);
      await allocate(numbers);
      await allocate(numbers);
      c.close();
      await server.close();
      backupStore(storage, pg);
      server = await startServer(config, { logger: quiet });
      ({ c, numbers } = connect(server.port));
      for (let i = 0; i < 3; i++) await allocate(numbers);
      await c.syncOnce(); // the workstation's cursors now past the backup's head
      c.close();
      // Not while a service runs on the store (its heartbeat): the operator stops it first.
      await assert.rejects(server.store.markRestored(new Date()), /a service seems to be running on this store/);
      await server.close();
      restoreStore(storage, pg);
      const offline = await Store.open(storage);
      const mark = await offline.markRestored(new Date());
      await offline.close();
      server = await startServer(config, { logger: quiet });
      ({ c, numbers } = connect(server.port));
      // The hazard: the restored store's last number is the backup's.
      assert.equal((await numbers.last(sequence)).last, 2);
      await c.syncOnce();
      assert.equal(getState(w, NUMBERS_AFTER_RESTORE_KEY), mark.id, 'adopting the restore queues the last numbers');
      await numberingRound(w, numbers, new Date());
      assert.equal(getState(w, NUMBERS_AFTER_RESTORE_KEY), null, 'told once the server took them');
      assert.equal((await numbers.last(sequence)).last, 5);
      assert.equal(await allocate(numbers), 6, 'the next number follows the last one given before the restore');
      assert.deepEqual(numbered, [1, 2, 3, 4, 5, 6]);
      assert.equal(await lastNumbersAfterRestore(w, numbers), null, 'nothing left to tell');
      const reports = await server.store.db.selectFrom('restore_number_reports').selectAll().execute();
      assert.deepEqual(reports.map((r) => [r.restore_id, r.workstation, r.raised]), [[mark.id, home, 1]]);
      // A workstation that adopted the restore before its reports were kept (no record of having told
      // it) tells it once more, and then no more: the server waits for a register's home.
      w.prepare('DELETE FROM main.sync_state WHERE key = ?').run(NUMBERS_REPORTED_KEY);
      const again = await lastNumbersAfterRestore(w, numbers);
      assert.deepEqual([again?.raised, getState(w, NUMBERS_REPORTED_KEY), getState(w, NUMBERS_AFTER_RESTORE_KEY)], [0, mark.id, null]);
      assert.equal(await lastNumbersAfterRestore(w, numbers), null, 'told once');
      // A stale mark is refused (the workstation reads the new one first).
      await assert.rejects(numbers.afterRestore({ restore: newGlobalId(), counters: [] }), /403/);
      c.close();
    } finally {
      if (server.server.listening) await server.close();
      w.close();
    }
  });
}

for (const backend of ['sqlite', 'postgres'] as Backend[]) {
  test(`numbers given after the backup get their allocation rows back: asked again, the same number; clashes kept and reported; an interrupted send resumes (${backend})`, async () => {
    const dir = join(tmp.dir, `${backend}-numbered-records`);
    mkdirSync(dir, { recursive: true });
    const people = [
      { person: 'p-an', role: 'van_thu' as const, clearance: 'toi_mat' as const, certificates: [pki.person('an').certPath] },
      { person: 'p-binh', role: 'van_thu' as const, clearance: 'tuyet_mat' as const, certificates: [pki.person('binh').certPath] },
    ];
    const first = await startAgencyServer({ backend, pg, dir, pki, people, logger: quiet, limits: { signInPerSecond: 100, signInBurst: 500 } });
    const { config } = first;
    let server: RunningServer = first;
    const logged: Array<{ level: string; msg: string; fields: Record<string, unknown> }> = [];
    const logger = { log: (level: string, msg: string, fields: Record<string, unknown> = {}) => { logged.push({ level, msg, fields }); } };
    mkdirSync(join(dir, 'ws'));
    const w = openWorkstation(join(dir, 'ws'), ['thuong', 'mat']);
    const register = newGlobalId();
    const scope = Number(w.prepare("INSERT INTO main.numbering_scopes (name, reset) VALUES ('Sổ công văn đến', 'year')").run().lastInsertRowid);
    const registerId = Number(w.prepare("INSERT INTO main.registers (kind, name, secrecy, scope_id, global_id) VALUES ('incoming', 'Sổ công văn đến', ?, ?, ?)").run(JSON.stringify(['thuong']), scope, register).lastInsertRowid);
    const home = workstationId(w);
    // The register's home: another workstation of the agency (it reports after the restore, below).
    mkdirSync(join(dir, 'home'));
    const homeDb = openWorkstation(join(dir, 'home'), ['thuong']);
    const registerHome = workstationId(homeDb);
    w.prepare('UPDATE main.registers SET home_workstation = ? WHERE id = ?').run(registerHome, registerId);
    const sequence = { register, period: '2026', bucket: '*' };
    const records: string[] = [];
    const insertArrival = (record: string, registerId: number, n: number) => {
      const id = w.prepare(`INSERT INTO c_thuong.incoming (global_id, register_id, period, arrival_number, arrival_date, year, issuer_name, number_symbol, number_symbol_key,
          issuer_key, document_date, type_code, subject, secrecy, secrecy_rank, urgency, registered_by, registered_at)
        VALUES (?, ?, '2026', ?, '2026-03-02', 2026, 'Sở Tài chính', ?, ?, 'so tai chinh', '2026-03-01', 'CV', ?, 'thuong', 0, 'thuong', 1, ?)`)
        .run(record, registerId, n, `${n}/STC`, `${n}/stc`, `Công văn ${n}`, new Date().toISOString()).lastInsertRowid;
      recordChange(w, 'incoming', Number(id), 'create', null, new Date(), 'c_thuong');
    };
    // As a registration does: the server's number under the record's global id, the record written
    // in its compartment with it (and its create event, from this workstation), and the local counter following it.
    const registerOne = async (numbers: NumberClient) => {
      const record = newGlobalId();
      const n = (await numbers.allocate({ ...sequence, record, home: registerHome })).allocation.number;
      insertArrival(record, registerId, n);
      w.prepare(`INSERT INTO main.number_counters (scope_id, period, bucket, last) VALUES (?, '2026', '*', ?)
        ON CONFLICT (scope_id, period, bucket) DO UPDATE SET last = max(last, excluded.last)`).run(scope, n);
      records[n] = record;
      return n;
    };
    const connect = (port: number) => {
      const c = client(w, port, 'an', []);
      return { c, numbers: new NumberClient(c) };
    };
    const rowsOf = async () => (await server.store.db.selectFrom('number_allocations').selectAll().where('register_gid', '=', register).orderBy('number').execute())
      .map((r) => [Number(r.number), r.record_gid, r.source]);
    // A register only Tuyệt mật may number into (its level known from the base's clear events).
    const topSecret = newGlobalId();
    try {
      let { c, numbers } = connect(server.port);
      // Created at the register's home: the workstation that sends the create event is its home at the server.
      const creator = client(homeDb, server.port, 'an', []);
      await pushRegisters(creator, registerHome, [{ register, secrecy: ['thuong'] }, { register: topSecret, secrecy: ['tuyet_mat'] }]);
      creator.close();
      await registerOne(numbers);
      await registerOne(numbers);
      c.close();
      await server.close();
      backupStore(config.storage, pg);
      server = await startServer(config, { logger: quiet });
      ({ c, numbers } = connect(server.port));
      for (let i = 0; i < 3; i++) await registerOne(numbers);
      await c.syncOnce();
      c.close();
      await server.close();
      restoreStore(config.storage, pg);
      const offline = await Store.open(config.storage);
      const mark = await offline.markRestored(new Date());
      await offline.close();
      server = await startServer(config, { logger });
      ({ c, numbers } = connect(server.port));
      assert.deepEqual(await rowsOf(), [[1, records[1], 'server'], [2, records[2], 'server']], 'the restored store knows only the backup\'s');
      // No number before the register's home has told the restored store its last numbers (it could be
      // one the home gave since the backup): this workstation's arrival would wait for its number.
      const other = newGlobalId();
      await assert.rejects(numbers.allocate({ ...sequence, record: other, home: registerHome }), (e: unknown) => e instanceof TransportError && e.status === 409 && e.code === 'home-not-reported');
      assert.equal((await numbers.allocate({ ...sequence, record: records[1]!, home: registerHome })).allocation.number, 1, 'a record asking again for its number gets it');
      const wait = await planNumber(w, numbers, { id: registerId, name: 'Sổ công văn đến', scope_id: scope }, '2026-03-02', 'CV', newGlobalId(), new Date(), null, true);
      assert.equal(wait.kind, 'awaiting', 'registered, waiting for its number');
      await assert.rejects(planNumber(w, numbers, { id: registerId, name: 'Sổ công văn đến', scope_id: scope }, '2026-03-02', 'CV', newGlobalId(), new Date()), /numbering.homeNotReported|khôi phục/);
      // The home had heard of numbers up to 2 before the backup was taken, and tells that: the numbers the
      // server gave this workstation after the home's last contact (3 to 5) are the window that remains.
      // Before this workstation reports, another record is given number 3 again (the hazard).
      const homeClient = client(homeDb, server.port, 'an', []);
      await new NumberClient(homeClient).afterRestore({ restore: mark.id, counters: [{ ...sequence, last: 2 }] });
      homeClient.close();
      // Reported by someone cleared for Tối mật: the Tuyệt mật register the home holds still waits.
      const cleared3 = client(w, server.port, 'binh', []);
      await assert.rejects(new NumberClient(cleared3).allocate({ register: topSecret, period: '2026', bucket: '*', record: newGlobalId(), home: registerHome }),
        (e: unknown) => e instanceof TransportError && e.code === 'home-not-reported');
      cleared3.close();
      assert.equal((await numbers.allocate({ ...sequence, record: other, home: registerHome })).allocation.number, 3);
      await c.syncOnce();
      assert.equal(getState(w, NUMBERS_AFTER_RESTORE_KEY), mark.id);

      // One record a request, and the connection lost before the second: the mark stays, the first is taken.
      const sent: string[] = [];
      let failAt = 2;
      let calls = 0;
      const flaky = {
        afterRestore: (q: Parameters<NumberClient['afterRestore']>[0]) => numbers.afterRestore(q),
        afterRestoreRecords: async (q: Parameters<NumberClient['afterRestoreRecords']>[0]) => {
          if (++calls === failAt) throw new Error('connection lost');
          sent.push(...q.records.map((r) => r.record));
          return numbers.afterRestoreRecords(q);
        },
      };
      const authority = { ...numbers, allocate: numbers.allocate.bind(numbers), allocateMany: numbers.allocateMany.bind(numbers), giveBack: numbers.giveBack.bind(numbers), report: numbers.report.bind(numbers), last: numbers.last.bind(numbers), ...flaky };
      await assert.rejects(lastNumbersAfterRestore(w, authority, { chunk: 1 }), /connection lost/);
      assert.equal(getState(w, NUMBERS_AFTER_RESTORE_KEY), mark.id, 'kept until everything was taken');
      assert.deepEqual(sent, [records[3]]);

      // Another workstation cannot plant rows for the numbers between the floor and the counter: not for
      // a sequence it did not report for this restore, nor above the last it reported.
      mkdirSync(join(dir, 'ws2'));
      const w2 = openWorkstation(join(dir, 'ws2'), ['thuong']);
      try {
        const c2 = client(w2, server.port, 'an', []);
        const numbers2 = new NumberClient(c2);
        const plant = (n: number) => numbers2.afterRestoreRecords({ restore: mark.id, records: [{ ...sequence, record: newGlobalId(), number: n }] });
        assert.deepEqual([await plant(4), await plant(5)].map((r) => [r.rebuilt, r.skipped]), [[0, 1], [0, 1]], 'not reported: no row');
        // A report is whole once a chunk shorter than a full one came (after full chunks, an empty one).
        const wholeOf = async () => (await server.store.db.selectFrom('restore_number_reports').select('complete').where('restore_id', '=', mark.id)
          .where('workstation', '=', workstationId(w2)).executeTakeFirst())?.complete;
        const full = Array.from({ length: AFTER_RESTORE_MAX }, (_, i) => ({ register: newGlobalId(), period: '2026', bucket: '*', last: i + 1 }));
        assert.equal((await numbers2.afterRestore({ restore: mark.id, counters: full })).skipped, AFTER_RESTORE_MAX);
        assert.equal(Number(await wholeOf()), 0, 'a full chunk: more may follow');
        await numbers2.afterRestore({ restore: mark.id, counters: [{ ...sequence, last: 3 }] });
        assert.equal(Number(await wholeOf()), 1);
        assert.deepEqual([(await plant(4)).skipped, (await plant(5)).skipped], [1, 1], 'above the last it reported: no row');
        assert.deepEqual((await rowsOf()).map((r) => r[0]), [1, 2, 3]);
        c2.close();
      } finally {
        w2.close();
      }
      failAt = -1;
      const done = await lastNumbersAfterRestore(w, authority, { chunk: 1 });
      assert.deepEqual(sent, [records[3], records[4], records[5]], 'resumed after the record taken: none sent twice');
      assert.deepEqual({ ...done, clashes: done?.clashes.length }, { raised: 0, rebuilt: 2, held: 0, skipped: 0, aboveClearance: 0, clashes: 0 }, 'the counter was raised by the first try');
      assert.equal(getState(w, NUMBERS_AFTER_RESTORE_KEY), null);
      assert.equal(getState(w, 'numbers-after-restore-records'), null);

      // The rows are back, naming their records; number 3 stays the other record's.
      assert.deepEqual(await rowsOf(), [[1, records[1], 'server'], [2, records[2], 'server'], [3, other, 'server'], [4, records[4], 'rebuilt'], [5, records[5], 'rebuilt']]);
      const rebuilt = await server.store.db.selectFrom('number_allocations').selectAll().where('record_gid', '=', records[4]!).executeTakeFirstOrThrow();
      assert.deepEqual([rebuilt.workstation, rebuilt.person], [home, 'p-an']);
      const clashLog = logged.find((l) => l.msg === 'a record reported after a restore clashes with the store');
      assert.deepEqual(clashLog && [clashLog.fields.reason, clashLog.fields.record, clashLog.fields.number, clashLog.fields.workstation, clashLog.fields.person],
        ['number-taken', records[3], 3, home, 'p-an'], 'the clash is logged with the workstation and person');

      // Sent again: nothing changes; the clash is answered again, never overwritten.
      const again = await numbers.afterRestoreRecords({ restore: mark.id, records: [3, 4, 5].map((n) => ({ ...sequence, record: records[n]!, number: n })) });
      assert.deepEqual(again, { rebuilt: 0, held: 2, skipped: 0, aboveClearance: 0, clashes: [{ ...sequence, record: records[3], number: 3, reason: 'number-taken' }] });
      // A record holding another number is a clash too, and a number at or below the restored store's last is left out.
      const moved = await numbers.afterRestoreRecords({ restore: mark.id, records: [{ ...sequence, record: records[4]!, number: 5 }, { ...sequence, record: newGlobalId(), number: 2 }] });
      assert.deepEqual([moved.rebuilt, moved.skipped, moved.clashes.map((x) => x.reason)], [0, 1, ['record-numbered']]);
      assert.equal((await rowsOf()).length, 5);

      // Asked again for its record, number 4 answers 4 (not a new number). A rebuilt number given back,
      // though the last, never lowers the counter (it may be on paper already): it stays a gap, and the
      // next number is a new one.
      const asked = await numbers.allocate({ ...sequence, record: records[4]!, home: registerHome });
      assert.deepEqual([asked.allocation.number, asked.last], [4, 5]);
      assert.deepEqual(await numbers.giveBack({ ...sequence, record: records[5]! }), { givenBack: false, last: 5 });
      assert.deepEqual((await rowsOf()).at(-1), [5, `${records[5]}.void.5`, 'void'], 'a gap, under a key the record cannot revive');
      assert.equal((await numbers.allocate({ ...sequence, record: newGlobalId(), home: registerHome })).allocation.number, 6, 'never the number given back');

      // A record numbered in a register above the person's clearance is left out, not answered as a
      // clash (which would tell that it is numbered there).
      const hidden = newGlobalId();
      await server.store.db.insertInto('number_allocations').values({ record_gid: hidden, register_gid: topSecret, period: '2026', bucket: '*', number: 1,
        workstation: 'ws-other', person: 'p-other', allocated_at: new Date().toISOString(), source: 'server' }).execute();
      assert.deepEqual(await numbers.afterRestoreRecords({ restore: mark.id, records: [{ ...sequence, record: hidden, number: 4 }] }),
        { rebuilt: 0, held: 0, skipped: 1, aboveClearance: 0, clashes: [] });
      await server.store.db.deleteFrom('number_allocations').where('record_gid', '=', hidden).execute();

      // A register the server does not know: neither its counter raised nor rows written; at most 50 registers a request.
      const unknown = { register: newGlobalId(), period: '2026', bucket: '*' };
      assert.deepEqual(await numbers.afterRestore({ restore: mark.id, counters: [{ ...unknown, last: 7 }] }), { raised: 0, skipped: 1, aboveClearance: 0, already: true, floors: [] });
      assert.equal((await numbers.last(unknown)).last, 0);
      assert.deepEqual(await numbers.afterRestoreRecords({ restore: mark.id, records: [{ ...unknown, record: newGlobalId(), number: 7 }] }),
        { rebuilt: 0, held: 0, skipped: 1, aboveClearance: 0, clashes: [] });
      const many = Array.from({ length: 51 }, () => ({ register: newGlobalId(), period: '2026', bucket: '*', record: newGlobalId(), number: 1 }));
      await assert.rejects(numbers.afterRestoreRecords({ restore: mark.id, records: many }), /400/);
      assert.equal((await numbers.afterRestoreRecords({ restore: mark.id, records: many.slice(0, 50) })).skipped, 50);

      // No rows planted in a register above the person's clearance, nor under a malformed record id.
      const planted = await numbers.afterRestoreRecords({ restore: mark.id, records: [{ register: topSecret, period: '2026', bucket: '*', record: newGlobalId(), number: 1 }] });
      assert.deepEqual(planted, { rebuilt: 0, held: 0, skipped: 1, aboveClearance: 1, clashes: [] });
      assert.equal((await server.store.db.selectFrom('number_allocations').select('record_gid').where('register_gid', '=', topSecret).execute()).length, 0);
      await assert.rejects(numbers.afterRestoreRecords({ restore: mark.id, records: [{ ...sequence, record: 'x.void.9', number: 9 }] }), /400/);
      await assert.rejects(numbers.afterRestoreRecords({ restore: newGlobalId(), records: [{ ...sequence, record: newGlobalId(), number: 9 }] }), /403/);

      // Numbers of a register above the signed-in person's clearance: the mark stays (one try a round,
      // each ending), and a round by someone cleared for it finishes it.
      const secretScope = Number(w.prepare("INSERT INTO main.numbering_scopes (name, reset) VALUES ('Sổ tuyệt mật', 'year')").run().lastInsertRowid);
      const secretId = Number(w.prepare("INSERT INTO main.registers (kind, name, secrecy, scope_id, global_id) VALUES ('incoming', 'Sổ tuyệt mật', ?, ?, ?)").run(JSON.stringify(['tuyet_mat']), secretScope, topSecret).lastInsertRowid);
      const secretRecord = newGlobalId();
      insertArrival(secretRecord, secretId, 1);
      w.prepare("INSERT INTO main.number_counters (scope_id, period, bucket, last) VALUES (?, '2026', '*', 1)").run(secretScope);
      setState(w, NUMBERS_AFTER_RESTORE_KEY, mark.id);
      for (let round = 0; round < 2; round++) {
        const low = await lastNumbersAfterRestore(w, numbers);
        assert.ok(low && low.aboveClearance > 0, 'above the clearance, counted');
        assert.equal(getState(w, NUMBERS_AFTER_RESTORE_KEY), mark.id, 'kept for someone cleared for it');
      }
      assert.equal((await server.store.db.selectFrom('number_allocations').select('record_gid').where('register_gid', '=', topSecret).execute()).length, 0);
      c.close();
      const cleared = client(w, server.port, 'binh', []);
      const high = await lastNumbersAfterRestore(w, new NumberClient(cleared));
      assert.equal(high?.aboveClearance, 0);
      assert.equal(getState(w, NUMBERS_AFTER_RESTORE_KEY), null, 'done once someone cleared for it told the server');
      assert.deepEqual((await server.store.db.selectFrom('number_allocations').selectAll().where('register_gid', '=', topSecret).execute()).map((r) => [Number(r.number), r.record_gid, r.source]),
        [[1, secretRecord, 'rebuilt']]);

      // The clash of number 3 was kept with the chunk that got it (the try that failed after it): the
      // arrival is owed to the server, naming the restore, listed on the sync panel for the văn thư.
      const owed = w.prepare("SELECT number, after_restore AS restore, reported_at AS reported, json_extract(problem, '$.error') AS error FROM main.number_reports WHERE record_global_id = ?").get(records[3]);
      assert.deepEqual({ ...owed as object }, { number: 3, restore: mark.id, reported: null, error: 'number-taken' });
      const clerkId = Number(w.prepare("INSERT INTO main.users (full_name, position, role, clearance, created_at) VALUES ('Lê Thị An', 'Văn thư', 'van_thu', 'toi_mat', ?)").run(new Date().toISOString()).lastInsertRowid);
      const clerk = { id: clerkId, clearance: 'toi_mat', rights: ['doc.register'] } as unknown as Actor;
      // Number 5 too: given back above (a gap at the server) while the record here still holds it.
      const arrivalOf = (n: number) => w.prepare('SELECT id FROM c_thuong.incoming WHERE global_id = ?').pluck().get(records[n]) as number;
      const arrival3 = arrivalOf(3);
      assert.deepEqual(restoreNumberClashes(w, ['thuong', 'mat'], clerk), [3, 5].map((n) => ({
        register: 'Sổ công văn đến', kind: 'incoming', number: n, givenAt: w.prepare('SELECT at FROM c_thuong.events WHERE entity_id = ? ORDER BY seq LIMIT 1').pluck().get(records[n]),
        level: 'thuong', document: { kind: 'incoming', id: arrivalOf(n), subject: `Công văn ${n}` }, reason: 'number-taken', renumbers: true,
      })));
      assert.equal(syncPanelRow(w, clerk), 2, 'on the panel');
      // Reports of offline numbers leave it alone (another workstation than the home would be refused).
      const cleared2 = new NumberClient(cleared);
      assert.deepEqual(await sendPending(w, cleared2, new Date(), clerkId), { reported: 0, givenBack: 0, conflicts: 0, renumbered: 0 });
      // Nobody who registers signed in: it waits. A văn thư signed in: renumbered from the server's next
      // number, asked under the correction's id (the one numberedRecordsAbove sends after a restore).
      assert.equal(await settleRestoreClashes(w, cleared2, new Date(), null), 0);
      assert.equal(await settleRestoreClashes(w, cleared2, new Date(), clerkId), 2);
      assert.deepEqual([3, 5].map((n) => w.prepare('SELECT arrival_number FROM c_thuong.incoming WHERE id = ?').pluck().get(arrivalOf(n))), [7, 8], 'after 6, the last the server gave');
      const fix = w.prepare('SELECT global_id, reason, old_values, new_values FROM c_thuong.incoming_corrections WHERE incoming_id = ?').all(arrival3) as Array<{ global_id: string; reason: string; old_values: string; new_values: string }>;
      assert.deepEqual(fix.map((f) => [f.reason, JSON.parse(f.old_values), JSON.parse(f.new_values)]), [[AFTER_RESTORE_RENUMBER_REASON, { arrivalNumber: 3 }, { arrivalNumber: 7 }]]);
      assert.deepEqual((await rowsOf()).find((r) => r[0] === 7), [7, fix[0]!.global_id, 'server']);
      assert.ok(numberedRecordsAbove(w, new Map([[sequenceKey(sequence), 6]])).some((r) => r.record === fix[0]!.global_id && r.number === 7), 'sent after a later restore under the id the server holds it by');
      const audit = JSON.parse(w.prepare("SELECT details FROM main.audit_log WHERE action = 'incoming.renumber' AND entity_id = ?").pluck().get(arrival3) as string) as Record<string, unknown>;
      assert.deepEqual([audit.oldNumber, audit.newNumber, audit.reason, audit.restore], [3, 7, 'number_taken_after_restore', mark.id]);
      assert.deepEqual(restoreNumberClashes(w, ['thuong', 'mat'], clerk), [], 'settled');
      assert.equal(syncPanelRow(w, clerk), 0);
      cleared.close();
    } finally {
      if (server.server.listening) await server.close();
      w.close();
      homeDb.close();
    }
  });
}

test('the records sent after a restore: arrivals and issued documents this workstation numbered above the floor, a renumbered arrival under its correction\'s id, no placeholder, none received, each once; a clash the server answers kept only for a record sent with its number', async () => {
  const d = join(tmp.dir, 'numbered-records');
  mkdirSync(d, { recursive: true });
  const w = openWorkstation(d, ['thuong', 'mat']);
  try {
    const scope = Number(w.prepare("INSERT INTO main.numbering_scopes (name, reset) VALUES ('Số đến', 'year')").run().lastInsertRowid);
    const register = newGlobalId();
    const registerId = Number(w.prepare("INSERT INTO main.registers (kind, name, secrecy, scope_id, global_id) VALUES ('incoming', 'Sổ đến', ?, ?, ?)").run(JSON.stringify(['thuong', 'mat']), scope, register).lastInsertRowid);
    const outScope = Number(w.prepare("INSERT INTO main.numbering_scopes (name, reset, per_type) VALUES ('Số đi', 'year', 1)").run().lastInsertRowid);
    const outRegister = newGlobalId();
    const outId = Number(w.prepare("INSERT INTO main.registers (kind, name, secrecy, scope_id, global_id) VALUES ('outgoing', 'Sổ đi', ?, ?, ?)").run(JSON.stringify(['thuong']), outScope, outRegister).lastInsertRowid);
    // Made here: the record's create event comes from this workstation (as a registration writes it).
    const arrival = (c: string, n: number, made: 'here' | 'received' = 'here') => {
      const gid = newGlobalId();
      const id = Number(w.prepare(`INSERT INTO ${c}.incoming (global_id, register_id, period, arrival_number, arrival_date, year, issuer_name, number_symbol, number_symbol_key,
          issuer_key, document_date, type_code, subject, secrecy, secrecy_rank, urgency, registered_by, registered_at)
        VALUES (?, ?, '2026', ?, '2026-03-02', 2026, 'Sở', ?, ?, 'so', '2026-03-01', 'CV', 'Công văn', ?, ?, 'thuong', 1, '2026-03-02T00:00:00Z')`)
        .run(gid, registerId, n, `${n}/S`, `${n}/s`, c === 'c_mat' ? 'mat' : 'thuong', c === 'c_mat' ? 1 : 0).lastInsertRowid);
      if (made === 'here') recordChange(w, 'incoming', id, 'create', null, new Date(), c);
      else {
        // As sync applies another workstation's create event: its origin, marked received.
        const row = w.prepare(`SELECT * FROM ${c}.incoming WHERE id = ?`).get(id) as Record<string, unknown>;
        w.prepare(`INSERT INTO ${c}.events (id, at, origin, actor, entity, entity_id, kind, data, received) VALUES (?, ?, ?, NULL, 'incoming', ?, 'create', ?, 1)`)
          .run(newGlobalId(), new Date().toISOString(), newGlobalId(), gid, JSON.stringify(row));
      }
      return { gid, id };
    };
    arrival('c_thuong', 2);
    const a3 = arrival('c_thuong', 3);
    const a4 = arrival('c_mat', 4);
    arrival('c_thuong', -123456); // "chờ cấp số": a placeholder, no number
    // Number 5 renumbered after a clash: the server holds it under the correction's id.
    const a5 = arrival('c_thuong', 5);
    // Numbered by another workstation and received by sync (then edited here): that workstation's to send.
    const received = arrival('c_thuong', 6, 'received');
    w.prepare("UPDATE c_thuong.incoming SET notes = 'đã xem' WHERE id = ?").run(received.id);
    recordChange(w, 'incoming', received.id, 'update', null, new Date(), 'c_thuong');
    const correction = newGlobalId();
    w.prepare(`INSERT INTO c_thuong.incoming_corrections (global_id, incoming_id, corrected_by, corrected_at, reason, old_values, new_values)
      VALUES (?, ?, 1, '2026-03-03T00:00:00Z', 'renumbered', '{"arrivalNumber":3}', '{"arrivalNumber":5}')`).run(correction, a5.id);
    const issued = newGlobalId();
    const issuedId = Number(w.prepare(`INSERT INTO c_thuong.outgoing (global_id, status, type_code, subject, secrecy, secrecy_rank, urgency, signer_id, drafted_by, created_at, updated_at, register_id, period, bucket, number)
      VALUES (?, 'issued', 'QĐ', 'Quyết định', 'thuong', 0, 'thuong', 1, 1, '2026-03-01T00:00:00Z', '2026-03-01T00:00:00Z', ?, '2026', 'QĐ', 7)`).run(issued, outId).lastInsertRowid);
    recordChange(w, 'outgoing', issuedId, 'create', null, new Date(), 'c_thuong');
    const floors = new Map([[sequenceKey({ register, period: '2026', bucket: '*' }), 2], [sequenceKey({ register: outRegister, period: '2026', bucket: 'QĐ' }), 6]]);
    const sent = numberedRecordsAbove(w, floors).map((r) => [r.register === register ? 'đến' : 'đi', r.bucket, r.number, r.record]);
    const expected = [['đến', '*', 3, a3.gid], ['đến', '*', 4, a4.gid], ['đến', '*', 5, correction], ['đi', 'QĐ', 7, issued]];
    assert.deepEqual(sent.sort((a, b) => String(a[3]).localeCompare(String(b[3]))), expected.sort((a, b) => String(a[3]).localeCompare(String(b[3]))));
    assert.deepEqual(numberedRecordsAbove(w, new Map([[sequenceKey({ register, period: '2026', bucket: '*' }), 4]])).map((r) => r.record), [correction], 'only above the floor');
    assert.deepEqual(numberedRecordsAbove(w, new Map()), []);
    // Malformed floors (a server's answer) are ignored; a huge map does not throw.
    assert.deepEqual(numberedRecordsAbove(w, new Map([[sequenceKey({ register, period: '2026', bucket: '*' }), -1], [sequenceKey({ register: outRegister, period: '2026', bucket: 'QĐ' }), 1.5]])), []);
    const huge = new Map(Array.from({ length: 500_000 }, (_, i) => [`x${i}`, i] as [string, number]));
    huge.set(sequenceKey({ register, period: '2026', bucket: '*' }), 4);
    assert.deepEqual(numberedRecordsAbove(w, huge).map((r) => r.record), [correction]);

    // A server's clashes are not trusted to name what was not sent: another number, another sequence, a
    // record not sent keep nothing. An issued document's clash and a record the server holds under
    // another number are listed for a person (never renumbered by the software).
    const answering = {
      afterRestoreRecords: async (q: { records: NumberedRecord[] }) => {
        const sentOf = (gid: string) => q.records.find((r) => r.record === gid);
        const clashes = [
          sentOf(issued) && { ...sentOf(issued)!, reason: 'number-taken' },
          sentOf(a3.gid) && { ...sentOf(a3.gid)!, number: 9, reason: 'number-taken' },
          sentOf(a4.gid) && { ...sentOf(a4.gid)!, bucket: 'CV', reason: 'number-taken' },
          { register, period: '2026', bucket: '*', record: received.gid, number: 6, reason: 'number-taken' },
          sentOf(correction) && { ...sentOf(correction)!, reason: 'record-numbered' },
        ].filter(Boolean);
        return { rebuilt: 0, held: 0, skipped: 0, aboveClearance: 0, clashes };
      },
    } as unknown as NumberAuthority;
    const result = await sendNumberedRecords(w, answering, 'restore-1', floors);
    assert.equal(result.clashes.length, 5);
    assert.deepEqual(w.prepare('SELECT record_global_id AS r, number, after_restore AS a FROM main.number_reports ORDER BY record_global_id').all().map((x) => ({ ...x as object })),
      [{ r: issued, number: 7, a: 'restore-1' }, { r: correction, number: 5, a: 'restore-1' }].sort((x, y) => x.r.localeCompare(y.r)));
    const clerk = { id: 1, clearance: 'toi_mat', rights: ['doc.register'] } as unknown as Actor;
    const listed = restoreNumberClashes(w, ['thuong', 'mat'], clerk).map((c) => [c.kind, c.number, c.reason, c.renumbers, c.document]);
    assert.deepEqual(listed.sort((x, y) => String(x[0]).localeCompare(String(y[0]))), [
      ['incoming', 5, 'record-numbered', false, { kind: 'incoming', id: a5.id, subject: 'Công văn' }],
      ['outgoing', 7, 'number-taken', false, { kind: 'outgoing', id: issuedId, subject: 'Quyết định' }],
    ]);
    // From a compartment this session does not hold, the document is left out, the number still listed.
    const low = { id: 1, clearance: 'mat', rights: ['doc.register'] } as unknown as Actor;
    assert.equal(restoreNumberClashes(w, ['mat'], low).every((c) => c.document === null), true, 'from a compartment this session does not hold: no document');
  } finally {
    w.close();
  }
});

test('a workstation that never read nor sent anything takes a mark as known and only tells the server it gave no number', () => {
  const d = join(tmp.dir, 'untouched');
  mkdirSync(d, { recursive: true });
  const w = openWorkstation(d, ['thuong']);
  try {
    appendEvent(w, 'c_thuong', 'incoming', { subject: 'Công văn chưa gửi' });
    const adopted = adoptRestores(w, [{ id: 'r1', markedAt: '2026-12-07T10:00:00.000Z', batchesHead: 40, keyringsHead: 2 }]);
    assert.deepEqual(adopted?.resend, []);
    assert.equal(getState(w, 'server-incarnation'), 'r1');
    assert.equal(getState(w, NUMBERS_AFTER_RESTORE_KEY), 'r1', 'it tells that it has no numbers (registers it is home for wait for it)');
    assert.equal(getState(w, 'server-restore'), null, 'nothing for the sync page');
  } finally {
    w.close();
  }
});

test('the re-send check resumes where it stopped: a failure between chunks queues nothing twice and skips nothing', async () => {
  const d = join(tmp.dir, 'resume');
  mkdirSync(d, { recursive: true });
  const w = openWorkstation(d, ['thuong']);
  try {
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push(appendEvent(w, 'c_thuong', 'incoming', { subject: `Công văn ${i}` }));
    setState(w, pushCursorKey('thuong'), '10');
    // The restored store holds every third event; the rest were lost.
    const held = new Set(ids.filter((_, i) => i % 3 === 0));
    const adopted = adoptRestores(w, [{ id: 'r1', markedAt: '2026-12-07T10:00:00.000Z', batchesHead: 0, keyringsHead: 0 }]);
    assert.deepEqual(adopted?.resend, ['thuong']);
    const queued: string[] = [];
    let calls = 0;
    const hooks = (failAt: number) => ({
      db: w, channel: 'thuong' as const, schema: 'c_thuong', chunk: 3,
      known: async (asked: string[]) => {
        if (++calls === failAt) throw new Error('server gone');
        return asked.filter((id) => held.has(id));
      },
      enqueue: (events: Array<{ id: string }>) => { queued.push(...events.map((e) => e.id)); },
    });
    await assert.rejects(resendLostEvents(hooks(2)), /server gone/);
    assert.deepEqual(queued, ids.slice(0, 3).filter((id) => !held.has(id)), 'the first chunk went, with its progress');
    calls = 0;
    assert.equal(await resendLostEvents(hooks(-1)), 6 - 2);
    assert.deepEqual(queued, ids.filter((id) => !held.has(id)), 'each lost event queued once, in order');
    assert.equal(getState(w, resendKey('thuong')), null, 'done: the mark is gone');
  } finally {
    w.close();
  }
});

test('checkpoints stay bounded, the newest as they came, the oldest kept; settling picks the highest the store agrees with', () => {
  const d = join(tmp.dir, 'checkpoints');
  mkdirSync(d, { recursive: true });
  const w = openWorkstation(d, ['thuong']);
  try {
    for (let n = 1; n <= 500; n++) noteCheckpoint(w, 'thuong', n * 10, `fp${n * 10}`);
    const list = checkpoints(w, 'thuong');
    assert.ok(list.length <= 64, `${list.length} kept`);
    assert.deepEqual(list[0], [10, 'fp10'], 'the first is never thinned away');
    assert.deepEqual(list.slice(-32).map(([n]) => n), Array.from({ length: 32 }, (_, i) => (500 - 31 + i) * 10), 'the newest 32 as they came');
    assert.ok(list.every(([n], i) => i === 0 || n > list[i - 1]![0]), 'in order');
    // A mark whose head is 4 000 (cursor 5 000 goes back to it); the store agrees up to 3 900 only.
    setState(w, pullCursorKey('thuong'), '5000');
    adoptRestores(w, [{ id: 'r1', markedAt: '2026-12-07T10:00:00.000Z', batchesHead: 4000, keyringsHead: 0 }]);
    assert.equal(cursor(w, pullCursorKey('thuong')), 4000);
    const plan = cursorsToVerify(w, ['thuong'])!;
    const asked = plan[0]!.asked;
    assert.ok(asked.length && asked.every(([n]) => n <= 4000), 'only what is at or below the cursor is asked');
    const storeAt = asked.map(([n, fp]) => (n <= 3900 ? fp : 'another'));
    assert.deepEqual(settleVerification(w, plan, storeAt), [{ channel: 'thuong', from: 4000, to: Math.max(...asked.map(([n]) => n).filter((n) => n <= 3900)) }]);
    assert.equal(cursorsToVerify(w, ['thuong']), null, 'done once');
    assert.ok(checkpoints(w, 'thuong').every(([n]) => n <= cursor(w, pullCursorKey('thuong'))), 'checkpoints past the cursor dropped');
    // Nothing the store agrees with: from the start.
    setState(w, VERIFY_KEY, 'r1');
    const again = cursorsToVerify(w, ['thuong'])!;
    settleVerification(w, again, again[0]!.asked.map(() => null));
    assert.equal(cursor(w, pullCursorKey('thuong')), 0);
  } finally {
    w.close();
  }
});
