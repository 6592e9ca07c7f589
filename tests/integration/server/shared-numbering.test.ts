// A shared register numbered by the agency server (docs/server.md, "Numbering authority"), end to end:
// three workstation profiles of one agency (A made the profile and holds the register; B and C start
// from its snapshot with their own workstation ids) register into the same incoming register at the
// same time through a real agency server (SQLite). The server is stopped mid-way: A, the register's
// home, keeps numbering from the last number it knows; B and C refuse with the specific message and keep
// the staged files. The server comes back (same database): A reports its offline numbers first, then
// the three go on. After syncing, every workstation holds every registration with the same number, no
// number twice and none missing (1..N in this year).
import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RegisterResult } from '../../../common/contract';
import { DeskError } from '../../../common/errors';
import { todayIso, yearOf } from '../../../common/dates';
import { Desk } from '../../../main/core/desk';
import { numberingRound, pendingReports } from '../../../main/core/documents/sharedNumbering';
import { workstationId } from '../../../main/core/events/eventLog';
import type { Actor } from '../../../main/core/org/rights';
import { actorFor, getUser } from '../../../main/core/org/users';
import { NumberClient } from '../../../main/core/sync/numbers/NumberClient';
import { SyncService } from '../../../main/core/sync/SyncService';
import { takeNewWorkstationId } from '../../../main/core/sync/workstation';
import { startServer, type RunningServer } from '../../../server/app';
import type { ServerConfig } from '../../../server/config';
import { agencyPki, startAgencyServer, type AgencyPki } from '../../helpers/agencyServer';
import { newDesk, registration, tempDir } from '../../helpers/desk';
import { softKey } from '../../helpers/softKey';

interface Station { name: string; desk: Desk; clerk: Actor; sync: SyncService; numbers: NumberClient }

let pki: AgencyPki;
let server: RunningServer;
let config: ServerConfig;
const stations: Station[] = [];
const cleanups: Array<() => void> = [];
const quiet = { log: () => {} };

before(async () => {
  const tmp = tempDir('securedesk-shared-numbers-');
  cleanups.push(tmp.cleanup);
  pki = await agencyPki(['vanthu1', 'vanthu2', 'vanthu3']);
  cleanups.push(() => pki.pki.cleanup());
  const s = await startAgencyServer({
    backend: 'sqlite', dir: join(tmp.dir, 'server'), pki, logger: quiet,
    people: ['vanthu1', 'vanthu2', 'vanthu3'].map((p) => ({ person: `p-${p}`, role: 'van_thu' as const, clearance: 'tuyet_mat' as const, certificates: [pki.person(p).certPath] })),
  });
  server = s;
  config = s.config;
  config.listen.port = s.port; // a restart listens where the workstations look
  const env = await newDesk('state');
  cleanups.push(env.cleanup);
  env.desk.close();
  const dirs = [env.dir];
  for (const n of ['b', 'c']) {
    const copy = tempDir(`securedesk-shared-numbers-${n}-`);
    cleanups.push(copy.cleanup);
    cpSync(env.dir, copy.dir, { recursive: true });
    dirs.push(copy.dir);
  }
  const transport = { url: `https://localhost:${s.port}`, caPem: pki.ca.certPem, timeoutMs: 5_000 };
  for (const [i, dir] of dirs.entries()) {
    const desk = await Desk.open({ profileDir: dir });
    await desk.unlock(env.identity);
    if (i > 0) takeNewWorkstationId(desk.db, new Date());
    const key = softKey(pki.person(`vanthu${i + 1}`).certDer, pki.person(`vanthu${i + 1}`).keyPem);
    const sync = new SyncService(desk, { transport, signer: () => key, clearance: 'tuyet_mat' });
    const numbers = new NumberClient(sync.client);
    desk.incoming.numbering = numbers;
    stations.push({ name: 'ABC'[i]!, desk, clerk: actorFor(getUser(desk.db, env.admin.id)!), sync, numbers });
    cleanups.unshift(() => sync.close(), () => desk.close());
  }
});

after(async () => {
  for (const c of cleanups) {
    try { c(); } catch { /* closed */ }
  }
  await server?.close().catch(() => undefined);
});

const A = () => stations[0]!;
const B = () => stations[1]!;
const C = () => stations[2]!;
let serial = 0;
const register = async (st: Station) => {
  const input = await registration(st.desk, st.clerk, { subject: `Văn bản số ${++serial} vào sổ tại máy ${st.name}` });
  return st.desk.incoming.register(st.clerk, input);
};
const thisYear = () => yearOf(todayIso(new Date()));
const numbersOn = (desk: Desk) => new Map((desk.db.prepare('SELECT global_id, arrival_number FROM c_thuong.incoming WHERE year = ? ORDER BY arrival_number').all(thisYear()) as Array<{ global_id: string; arrival_number: number }>)
  .map((r) => [r.global_id, r.arrival_number]));
/** Every registration made anywhere: its number, from the workstation that made it. */
const made = new Map<string, number>();
const remember = (st: Station, r: { id: number; arrivalNumber: number }) => {
  made.set(st.desk.db.prepare('SELECT global_id FROM c_thuong.incoming WHERE id = ?').pluck().get(r.id) as string, r.arrivalNumber);
};
const assertDense = (numbers: Iterable<number>, what: string) => {
  const sorted = [...numbers].sort((x, y) => x - y);
  assert.deepEqual(sorted, sorted.map((_, i) => i + 1), `${what}: 1..${sorted.length}, each once`);
};

describe('one register, three workstations, the agency server numbering', () => {
  test('the register\'s home is the workstation that made the profile, on all three', () => {
    const home = workstationId(A().desk.db);
    for (const st of stations) {
      assert.equal(st.desk.db.prepare("SELECT home_workstation FROM registers WHERE kind = 'incoming' AND name = 'Sổ đăng ký văn bản đến'").pluck().get(), home);
    }
    assert.notEqual(workstationId(B().desk.db), home);
  });

  test('registering at the same time on three workstations: consecutive numbers, none twice', async () => {
    const rounds = await Promise.all(stations.map(async (st) => {
      const out = [];
      for (let i = 0; i < 4; i++) out.push(await register(st));
      return out.map((r) => ({ st, r }));
    }));
    for (const { st, r } of rounds.flat()) remember(st, r);
    assertDense(made.values(), 'online');
  });

  test('the server stops mid-way: the home numbers on, the others refuse and keep their files', async () => {
    // Registrations in flight on all three when the server goes away.
    const inFlight = stations.map((st) => register(st).then((r) => ({ st, r }), (e: unknown) => ({ st, e })));
    await new Promise((r) => setTimeout(r, 30));
    await server.close();
    for (const x of await Promise.all(inFlight)) {
      if ('r' in x) remember(x.st, x.r);
      else assert.ok(x.e instanceof DeskError && x.st !== A(), `only a non-home workstation refuses: ${String(x.e)}`);
    }
    const offline: RegisterResult[] = [];
    for (let i = 0; i < 3; i++) offline.push(await register(A()));
    for (const r of offline) remember(A(), r);
    assert.deepEqual(offline.map((r) => r.arrivalNumber), [0, 1, 2].map((k) => offline[0]!.arrivalNumber + k), 'consecutive at the home');
    assert.ok(pendingReports(A().desk.db).length >= 3);
    for (const st of [B(), C()]) {
      const input = await registration(st.desk, st.clerk, { subject: `Văn bản chờ máy chủ tại máy ${st.name}` });
      const e = await st.desk.incoming.register(st.clerk, input).then(() => null, (err: unknown) => err);
      assert.ok(e instanceof DeskError, String(e));
      assert.equal(e.code, 'VALIDATION');
      assert.equal(e.key, 'numbering.serverUnreachable');
      assert.match(e.message, /Chưa liên lạc được máy chủ của cơ quan nên chưa cấp được số đến cho “Sổ đăng ký văn bản đến”/);
      // Nothing written, the staged file is still there for the next try.
      assert.equal([...numbersOn(st.desk).keys()].filter((g) => !made.has(g)).length, 0);
      assert.ok(await st.desk.context().store.stagedMeta(input.stagedIds[0]!, st.clerk.id));
    }
  });

  test('the server comes back: the home reports first (a clash is renumbered at once), then all three go on', async () => {
    server = await startServer(config, { logger: quiet });
    // B and C's owed give-backs (an allocation whose answer was lost) go at their next contact.
    for (const st of [B(), C()]) await numberingRound(st.desk.db, st.numbers, new Date(), st.clerk.id);
    const sent = await numberingRound(A().desk.db, A().numbers, new Date(), A().clerk.id);
    assert.equal(sent.conflicts, 0, 'every clash renumbered');
    assert.equal(pendingReports(A().desk.db).length, 0);
    // A registration in flight at the cut may have clashed and been renumbered: A's own records as they are now.
    for (const [gid, n] of numbersOn(A().desk)) if (made.has(gid)) made.set(gid, n);
    assertDense(made.values(), 'once the home has reported');
    const rounds = await Promise.all(stations.map(async (st) => {
      const out = [];
      for (let i = 0; i < 3; i++) out.push(await register(st));
      return out.map((r) => ({ st, r }));
    }));
    for (const { st, r } of rounds.flat()) remember(st, r);
    assertDense(made.values(), 'after the return');
  });

  test('the window before a cut: B numbers, the server stops before A hears of it, A gives the same number offline; at the return A\'s is renumbered', async () => {
    await numberingRound(A().desk.db, A().numbers, new Date(), A().clerk.id);
    const onB = await register(B());
    remember(B(), onB);
    await server.close();
    const onA = await register(A());
    assert.equal(onA.arrivalNumber, onB.arrivalNumber, 'the same number: A could not know');
    const gidA = A().desk.db.prepare('SELECT global_id FROM c_thuong.incoming WHERE id = ?').pluck().get(onA.id) as string;
    server = await startServer(config, { logger: quiet });
    const sent = await numberingRound(A().desk.db, A().numbers, new Date(), A().clerk.id);
    assert.deepEqual([sent.renumbered, sent.conflicts], [1, 0]);
    const now = A().desk.db.prepare('SELECT arrival_number FROM c_thuong.incoming WHERE id = ?').pluck().get(onA.id) as number;
    assert.equal(now, onB.arrivalNumber + 1, "A's record takes the server's next number");
    made.set(gidA, now);
    const correction = A().desk.db.prepare('SELECT reason, old_values, new_values FROM c_thuong.incoming_corrections WHERE incoming_id = ?').get(onA.id) as { reason: string; old_values: string; new_values: string };
    assert.match(correction.reason, /đã được máy chủ của cơ quan cấp cho văn bản khác/);
    assert.deepEqual([JSON.parse(correction.old_values), JSON.parse(correction.new_values)], [{ arrivalNumber: onB.arrivalNumber }, { arrivalNumber: now }]);
    assert.equal(A().desk.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'incoming.renumber' AND entity_id = ?").pluck().get(onA.id), 1);
    // And the next registration anywhere continues after it.
    const next = await register(C());
    remember(C(), next);
    assert.equal(next.arrivalNumber, now + 1);
  });

  test('after syncing, every workstation holds every registration under the same number', async () => {
    for (let i = 0; i < 3; i++) for (const st of stations) await st.sync.syncOnce();
    for (const st of stations) {
      const here = numbersOn(st.desk);
      assert.equal(here.size, made.size, `${st.name} holds them all`);
      for (const [gid, n] of made) assert.equal(here.get(gid), n, `${st.name}: ${gid}`);
      assertDense(here.values(), `on ${st.name}`);
      assert.equal(st.desk.db.prepare('SELECT count(*) FROM c_thuong.sync_inbox WHERE problem IS NOT NULL').pluck().get(), 0, `nothing set aside on ${st.name}`);
    }
  });

  test('a clash from a workstation that numbered without the server is resolved with the server\'s next number', async () => {
    // B unlinked for a moment (an old profile, a link not started yet) numbers from its own counter.
    B().desk.incoming.numbering = null;
    const onB = await register(B());
    B().desk.incoming.numbering = B().numbers;
    const onA = await register(A()); // the server's next number: the same one
    assert.equal(onA.arrivalNumber, onB.arrivalNumber);
    await B().sync.syncOnce();
    await A().sync.syncOnce();
    const [x] = A().desk.incoming.setAside(A().clerk);
    assert.ok(x);
    assert.equal(x.renumbers, 'local', "A's registration is the later one");
    const r = await A().desk.incoming.renumber(A().clerk, { entityId: x.entityId });
    const seq = { register: A().desk.db.prepare("SELECT global_id FROM registers WHERE kind = 'incoming' AND name = 'Sổ đăng ký văn bản đến'").pluck().get() as string, period: String(thisYear()), bucket: '*' };
    assert.equal(r.newNumber, onA.arrivalNumber + 1, "the server's next number");
    assert.equal((await A().numbers.last(seq)).last, r.newNumber, 'allocated at the server');
    // The next registration anywhere continues after it.
    const next = await register(C());
    assert.equal(next.arrivalNumber, r.newNumber + 1);
    for (let i = 0; i < 3; i++) for (const st of stations) await st.sync.syncOnce();
    for (const st of stations) {
      const here = numbersOn(st.desk);
      assertDense(here.values(), `on ${st.name}`);
      assert.equal(st.desk.db.prepare('SELECT count(*) FROM c_thuong.sync_inbox WHERE problem IS NOT NULL').pluck().get(), 0, `nothing set aside on ${st.name}`);
    }
  });
});
