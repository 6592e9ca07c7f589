// "Chờ cấp số" (docs/server.md, "Numbering authority"), end to end on a real agency server, SQLite and
// PostgreSQL: A made the profile and is the register's home, B is another workstation of the agency.
// With the server out of reach, B refuses a plain registration but registers one the văn thư asked to
// register now, number later: the record holds a placeholder, the audit says so, the sync panel counts
// it. At the next contact B's waiting arrivals get the server's next numbers in the order received
// (after the home's offline numbers are reported), each with its audit entry and update event. A kill -9
// between the server's answer and B's write: the next round writes the same number (asked again under
// the record's global id). A round signed by a chuyên viên is refused by the server and numbers nothing.
// After syncing, both workstations hold every record under one number, 1..N.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { todayIso, yearOf } from '../../../common/dates';
import { DeskError } from '../../../common/errors';
import { isAwaitingNumber, numberWaiting, waitingCount } from '../../../main/core/documents/numberWaits';
import { incomingRegisterRows } from '../../../main/core/reports/incomingRegister';
import { LAYOUTS, rowProblem } from '../../../main/core/reports/registers';
import { numberingRound, pendingReports } from '../../../main/core/documents/sharedNumbering';
import { NumberClient } from '../../../main/core/sync/numbers/NumberClient';
import { SyncService } from '../../../main/core/sync/SyncService';
import { agencyPki, type AgencyPki } from '../../helpers/agencyServer';
import { registration, softIdentity } from '../../helpers/desk';
import { sharedRegister, type SharedRegister, type Station } from '../../helpers/numberingStations';
import { startPostgres, type TestPostgres } from '../../helpers/postgres';
import { softKey } from '../../helpers/softKey';

let pki: AgencyPki;
let pg: TestPostgres;
const cleanups: Array<() => unknown> = [];

before(async () => {
  [pki, pg] = await Promise.all([agencyPki(['vanthu1', 'vanthu2', 'chuyenvien']), startPostgres()]);
});

after(async () => {
  for (const c of cleanups.reverse()) {
    try { await c(); } catch { /* closed */ }
  }
  pg?.stop();
  pki?.pki.cleanup();
});

const thisYear = () => yearOf(todayIso(new Date()));
const gidOf = (st: Station, id: number) => st.desk.db.prepare('SELECT global_id FROM c_thuong.incoming WHERE id = ?').pluck().get(id) as string;
const numberOf = (st: Station, gid: string) => st.desk.db.prepare('SELECT arrival_number FROM c_thuong.incoming WHERE global_id = ?').pluck().get(gid) as number | undefined;

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`"Chờ cấp số" at a workstation that is not the register's home (${backend})`, () => {
    let net: SharedRegister;
    let serial = 0;
    const A = () => net.A();
    const B = () => net.B();
    const register = async (st: Station, awaitNumber = false) => {
      const input = await registration(st.desk, st.clerk, { subject: `Văn bản số ${++serial} vào sổ tại máy ${st.name}`, ...(awaitNumber ? { awaitNumber } : {}) });
      return st.desk.incoming.register(st.clerk, input);
    };
    /** Every registration: its global id and number (as its workstation holds it now). */
    const made = new Set<string>();

    before(async () => {
      net = await sharedRegister({
        backend, pg, pki, prefix: 'securedesk-await', cleanups,
        extraPeople: [{ person: 'p-chuyenvien', role: 'chuyen_vien', clearance: 'tuyet_mat', certificates: [pki.person('chuyenvien').certPath] }],
      });
    });

    test('online: A and B take the server\'s numbers', async () => {
      for (const st of [A(), B()]) {
        const r = await register(st);
        assert.equal(r.awaitingNumber, undefined);
        made.add(gidOf(st, r.id));
      }
      assert.deepEqual([...made].map((g) => numberOf(A(), g) ?? numberOf(B(), g)), [1, 2]);
    });

    test('the server out of reach: B registers "chờ cấp số" only when asked to, A (home) numbers on', async () => {
      await numberingRound(A().desk.db, A().numbers, new Date(), A().clerk.id); // the home hears of B's number
      await net.server().close();
      const plain = await register(B()).then(() => null, (e: unknown) => e);
      assert.ok(plain instanceof DeskError && plain.key === 'numbering.serverUnreachable', String(plain));
      // Asked to await: registered, with a placeholder that is no number, in the order of receipt.
      const w1 = await register(B(), true);
      const w2 = await register(B(), true);
      for (const w of [w1, w2]) {
        assert.equal(w.awaitingNumber, true);
        assert.ok(isAwaitingNumber(w.arrivalNumber), `a placeholder: ${w.arrivalNumber}`);
        made.add(gidOf(B(), w.id));
        const audit = JSON.parse(B().desk.db.prepare("SELECT details FROM audit_log WHERE action = 'incoming.register' AND entity_id = ?").pluck().get(w.id) as string) as Record<string, unknown>;
        assert.equal(audit.awaitingNumber, true);
        assert.equal(audit.arrivalNumber, undefined, 'no number in the audit entry: it has none yet');
      }
      assert.notEqual(w1.arrivalNumber, w2.arrivalNumber);
      // The register book: the numbered entries first, then the waiting ones, printed "Chờ cấp số", not refused.
      const registerId = B().desk.db.prepare("SELECT id FROM registers WHERE kind = 'incoming' AND name = 'Sổ đăng ký văn bản đến'").pluck().get() as number;
      const book = incomingRegisterRows(B().desk.context(), registerId, thisYear());
      assert.deepEqual(book.map((r) => isAwaitingNumber(r.arrivalNumber)), [false, true, true]);
      for (const r of book) assert.equal(rowProblem('incoming', r), null);
      assert.deepEqual(LAYOUTS.incoming.columns.find((c) => c.title === 'Số đến')!.cell(book[2]!), { text: 'Chờ cấp số' });
      assert.equal(waitingCount(B().desk.db), 2, 'the sync panel\'s figure');
      // Nothing owed back for them (the refused one owes its give-back): the number is asked again under the same record id.
      assert.deepEqual(B().desk.db.prepare("SELECT kind FROM number_reports").pluck().all(), ['give_back']);
      for (const w of [w1, w2]) assert.equal(B().desk.db.prepare('SELECT count(*) FROM number_reports WHERE record_global_id = ?').pluck().get(gidOf(B(), w.id)), 0);
      // The home ignores the choice: it numbers offline, to report.
      const h = await register(A(), true);
      assert.equal(h.awaitingNumber, undefined);
      assert.equal(h.arrivalNumber, 3);
      made.add(gidOf(A(), h.id));
      // A round while the server is away changes nothing.
      await assert.rejects(numberingRound(B().desk.db, B().numbers, new Date(), B().clerk.id));
      assert.equal(waitingCount(B().desk.db), 2);
    });

    test('a round signed by a chuyên viên is refused by the server: nothing numbered, the reason kept', async () => {
      await net.startServer();
      const key = softKey(pki.person('chuyenvien').certDer, pki.person('chuyenvien').keyPem);
      const sync = new SyncService(B().desk, { transport: net.transport(), signer: () => key, clearance: 'tuyet_mat' });
      try {
        const cv = new NumberClient(sync.client);
        // The owed give-back is refused first, which ends the round; the waits alone: refused too.
        await assert.rejects(numberingRound(B().desk.db, cv, new Date(), null), /403/);
        assert.deepEqual(await numberWaiting(B().desk.db, cv, new Date(), null), { numbered: 0, waiting: 2 });
      } finally {
        sync.close();
      }
      assert.equal(waitingCount(B().desk.db), 2);
      const problems = B().desk.db.prepare('SELECT problem FROM number_waits WHERE numbered_at IS NULL').pluck().all() as string[];
      assert.ok(problems.every((p) => /403/.test(p)), problems.join('; '));
      assert.equal(B().desk.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'incoming.numbered'").pluck().get(), 0);
    });

    test('the next contact: the home reports first, then B\'s waiting arrivals take the next numbers in order', async () => {
      await numberingRound(A().desk.db, A().numbers, new Date(), A().clerk.id);
      assert.equal(pendingReports(A().desk.db).length, 0);
      await numberingRound(B().desk.db, B().numbers, new Date(), B().clerk.id);
      assert.equal(waitingCount(B().desk.db), 0);
      const waits = B().desk.db.prepare('SELECT record_global_id AS g, number FROM number_waits ORDER BY id').all() as Array<{ g: string; number: number }>;
      assert.deepEqual(waits.map((w) => w.number), [4, 5]);
      for (const w of waits) {
        assert.equal(numberOf(B(), w.g), w.number);
        const id = B().desk.db.prepare('SELECT id FROM c_thuong.incoming WHERE global_id = ?').pluck().get(w.g) as number;
        const audit = B().desk.db.prepare("SELECT user_id, details FROM audit_log WHERE action = 'incoming.numbered' AND entity_id = ?").get(id) as { user_id: number; details: string };
        assert.equal(audit.user_id, B().clerk.id);
        assert.equal((JSON.parse(audit.details) as { arrivalNumber: number }).arrivalNumber, w.number);
        assert.equal(B().desk.db.prepare("SELECT count(*) FROM c_thuong.events WHERE entity = 'incoming' AND entity_id = ? AND kind = 'update'").pluck().get(w.g), 1, 'an update event carries it');
      }
      // The next registration anywhere follows them.
      const next = await register(B());
      made.add(gidOf(B(), next.id));
      assert.equal(next.arrivalNumber, 6);
    });

    test('kill -9 between the server\'s answer and the write: the next round writes the same number', async () => {
      await net.server().close();
      const w = await register(B(), true);
      const gid = gidOf(B(), w.id);
      made.add(gid);
      await net.startServer();
      net.close(B());
      const child = await new Promise<{ signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
        const id = softIdentity();
        const p = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'numberWaitChild.ts')], {
          env: {
            ...process.env,
            NUMBER_WAIT_CHILD: JSON.stringify({
              dir: B().dir, url: net.url, caPem: pki.ca.certPem, unlockCertPem: id.certPem, unlockKeyPem: id.keyPem,
              certPem: readFileSync(pki.person('vanthu2').certPath, 'utf8'), keyPem: pki.person('vanthu2').keyPem,
            }),
          },
        });
        let stdout = '';
        let stderr = '';
        p.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
        p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        const timer = setTimeout(() => p.kill('SIGTERM'), 90_000);
        p.on('close', (_status, signal) => { clearTimeout(timer); resolve({ signal, stdout, stderr }); });
      });
      assert.equal(child.signal, 'SIGKILL', child.stderr);
      const asked = JSON.parse(child.stdout) as { record: string; number: number };
      assert.deepEqual(asked, { record: gid, number: 7 });
      await net.reopen(1);
      assert.ok(isAwaitingNumber(numberOf(B(), gid)!), 'nothing written before the kill');
      assert.equal(waitingCount(B().desk.db), 1);
      await numberingRound(B().desk.db, B().numbers, new Date(), B().clerk.id);
      assert.equal(numberOf(B(), gid), 7, 'the number the server gave before the kill');
      assert.equal(waitingCount(B().desk.db), 0);
      const seq = { register: B().desk.db.prepare("SELECT global_id FROM registers WHERE kind = 'incoming' AND name = 'Sổ đăng ký văn bản đến'").pluck().get() as string, period: String(thisYear()), bucket: '*' };
      assert.equal((await B().numbers.last(seq)).last, 7, 'no number taken twice for it');
    });

    test('after syncing, A and B hold every record under one number, 1..N, no placeholder left', async () => {
      for (let i = 0; i < 3; i++) for (const st of net.stations) await st.sync.syncOnce();
      for (const st of net.stations) {
        const here = (st.desk.db.prepare('SELECT global_id AS g, arrival_number AS n FROM c_thuong.incoming WHERE year = ?').all(thisYear()) as Array<{ g: string; n: number }>);
        assert.equal(here.length, made.size, `${st.name} holds them all`);
        assert.deepEqual(here.map((r) => r.n).sort((x, y) => x - y), here.map((_, i) => i + 1), `${st.name}: 1..${here.length}`);
        assert.equal(st.desk.db.prepare('SELECT count(*) FROM c_thuong.sync_inbox WHERE problem IS NOT NULL').pluck().get(), 0);
      }
    });
  });
}
