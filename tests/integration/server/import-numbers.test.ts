// The legacy import on a workstation linked to its agency server (docs/legacy-import.md, docs/server.md
// "Numbering authority"), on a real agency server, SQLite and PostgreSQL: A (the registers' home) and B
// (another workstation of the agency). The import gives each record a new number in its register, asked
// of the server many at a time under record ids derived from the job and the row:
// - A imports a few hundred rows while B registers arrivals into the same register: one dense sequence;
// - the import's process killed with SIGKILL right after the server's answer for a batch, before it is
//   written, then resumed: the records get exactly the numbers the server gave, no gap, none twice;
// - the server out of reach: A (home) imports on from its counter and reports later; B's job pauses with
//   numbering.importServerUnreachable, numbers nothing, and resumes once the server is back;
// - attack: a văn thư whose clearance does not reach the register's level gets no number from the server
//   (the job stops with numbering.serverRefused, nothing imported).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { todayIso, yearOf } from '../../../common/dates';
import { DeskError } from '../../../common/errors';
import { numberingRound, pendingReports, sendPending, sequenceOf } from '../../../main/core/documents/sharedNumbering';
import { workstationId } from '../../../main/core/events/eventLog';
import { importRecordId } from '../../../main/core/import/importNumbering';
import { getJob } from '../../../main/core/import/journal';
import { saveMapping, suggestMapping } from '../../../main/core/import/mapping';
import { NumberClient } from '../../../main/core/sync/numbers/NumberClient';
import { SyncService } from '../../../main/core/sync/SyncService';
import { agencyPki, type AgencyPki } from '../../helpers/agencyServer';
import { registration, softIdentity, tempDir } from '../../helpers/desk';
import { sharedRegister, type SharedRegister, type Station } from '../../helpers/numberingStations';
import { startPostgres, type TestPostgres } from '../../helpers/postgres';
import { softKey } from '../../helpers/softKey';

let pki: AgencyPki;
let pg: TestPostgres;
let work: { dir: string; cleanup(): void };
const cleanups: Array<() => unknown> = [];

before(async () => {
  [pki, pg] = await Promise.all([agencyPki(['vanthu1', 'vanthu2', 'vtthuong']), startPostgres()]);
  work = tempDir('securedesk-import-numbers-src-');
});

after(async () => {
  for (const c of cleanups.reverse()) {
    try { await c(); } catch { /* closed */ }
  }
  pg?.stop();
  pki?.pki.cleanup();
  work?.cleanup();
});

const HEADERS = ['Số ký hiệu', 'Ngày văn bản', 'Cơ quan ban hành', 'Trích yếu', 'Độ mật'];
const thisYear = () => yearOf(todayIso(new Date()));

/** A legacy register of `n` rows dated this year (up to today), symbols `i/CV-tag` (tag: capitals); `secrecy` in the Độ mật column. */
function source(name: string, tag: string, n: number, secrecy = 'Thường'): string {
  const year = thisYear();
  const today = todayIso(new Date());
  const lines = [HEADERS.join(',')];
  for (let i = 1; i <= n; i++) {
    const candidate = `${year}-01-${String(1 + (i % 28)).padStart(2, '0')}`;
    const day = candidate <= today ? candidate : `${year}-01-01`;
    const [y, m, d] = day.split('-');
    lines.push(`${i}/CV-${tag},${d}/${m}/${y},Sở Nội vụ,"Về việc ${tag} số ${i}",${secrecy}`);
  }
  const path = join(work.dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

const mapping = () => suggestMapping(HEADERS);

/** Every record of this year's Thường register on the stations, by global id (a record on both has one number). */
function numbersOn(stations: Station[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const st of stations) {
    const rows = st.desk.db.prepare('SELECT global_id AS gid, arrival_number AS n FROM c_thuong.incoming WHERE year = ?').all(thisYear()) as Array<{ gid: string; n: number }>;
    for (const r of rows) {
      const known = out.get(r.gid);
      if (known !== undefined) assert.equal(known, r.n, `record ${r.gid}: one number everywhere`);
      out.set(r.gid, r.n);
    }
  }
  return out;
}

const assertDense = (numbers: Iterable<number>, what: string) => {
  const sorted = [...numbers].sort((x, y) => x - y);
  assert.deepEqual(sorted, sorted.map((_, i) => i + 1), `${what}: 1..${sorted.length}, each once`);
};

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`the legacy import numbered by the agency server (${backend})`, () => {
    let net: SharedRegister;
    const code = backend === 'sqlite' ? 'SQ' : 'PG';
    const A = () => net.A();
    const B = () => net.B();
    let serial = 0;
    const registerOn = async (st: Station) =>
      st.desk.incoming.register(st.clerk, await registration(st.desk, st.clerk, { subject: `Văn bản ${++serial} vào sổ tại máy ${st.name}` }));
    const link = () => { for (const st of [A(), B()]) st.desk.imports.numbering = st.numbers; };
    const importedOf = (st: Station, jobId: number) =>
      st.desk.db.prepare(`SELECT r.row_key AS key, i.global_id AS gid, i.arrival_number AS n FROM import_rows r JOIN c_thuong.incoming i ON i.id = r.record_id
        WHERE r.job_id = ? AND r.outcome = 'imported' ORDER BY r.row_no`).all(jobId) as Array<{ key: string; gid: string; n: number }>;
    const thuongSequence = (st: Station) => {
      const reg = st.desk.db.prepare("SELECT id, name, scope_id FROM registers WHERE kind = 'incoming' AND name = 'Sổ đăng ký văn bản đến'").get() as { id: number; name: string; scope_id: number };
      return sequenceOf(st.desk.db, reg, todayIso(new Date()), 'CV').sequence;
    };

    before(async () => {
      net = await sharedRegister({
        backend, pg, pki, prefix: 'securedesk-impnum', cleanups,
        // A slow answer on a loaded machine must not pass for an outage (the home would number offline).
        timeoutMs: 60_000,
        extraPeople: [{ person: 'p-vtthuong', role: 'van_thu', clearance: 'thuong', certificates: [pki.person('vtthuong').certPath] }],
      });
      // The registers' levels reach the server (base channel): it checks clearance against them.
      await A().sync.syncOnce();
      link();
    });

    test('A imports 300 rows while B registers arrivals in the same register: one dense sequence, the server\'s numbers', async () => {
      const path = source(`online-${backend}.csv`, `ON${code}`, 300);
      const fromB: Array<Promise<unknown>> = [];
      // B registers after each of A's commits: its numbers are asked between A's batches.
      const run = await A().desk.imports.start(A().clerk, path, mapping(), {
        batchSize: 60, workers: 1,
        onProgress: (p) => { if (p.state === 'running' && fromB.length < 8) fromB.push(registerOn(B())); },
      });
      await Promise.all(fromB);
      assert.equal(run.job.state, 'done');
      assert.equal(run.job.imported, 300);
      assert.ok(fromB.length >= 2, 'B registered while the job ran');
      const all = numbersOn([A(), B()]);
      assert.equal(all.size, 300 + fromB.length);
      assertDense(all.values(), 'the import and B together');
      // Each record's id is derived from the job and its row; the server holds its number under that id.
      const job = getJob(A().desk.db, run.job.id)!;
      const imported = importedOf(A(), run.job.id);
      const me = workstationId(A().desk.db);
      for (const r of imported) assert.equal(r.gid, importRecordId(me, job.id, job.createdAt, r.key));
      const seq = thuongSequence(A());
      for (const r of [imported[0]!, imported[137]!, imported[299]!]) {
        const again = await A().numbers.allocate({ ...seq, record: r.gid, home: me });
        assert.equal(again.allocation.number, r.n, 'asked again: the same number');
      }
      assert.equal((await A().numbers.last(seq)).last, all.size, 'nothing allocated beyond the records');
      // The rows' old numbers are not the register's: the record's number is the server's (its row's symbol stays).
      assert.equal(A().desk.db.prepare("SELECT count(*) FROM c_thuong.incoming WHERE number_symbol LIKE ?").pluck().get(`%/CV-ON${code}`), 300);
    });

    test('kill -9 between the server\'s answer and the batch\'s commit, then resume: exactly the numbers the server gave', async () => {
      const path = source(`crash-${backend}.csv`, `KILL${code}`, 200);
      const mappingFile = join(work.dir, `mapping-${backend}.json`);
      await saveMapping(mappingFile, mapping());
      const dir = A().dir;
      const clerkId = A().clerk.id;
      net.close(A());
      const unlock = softIdentity();
      const person = pki.person('vanthu1');
      const child = spawn(process.execPath, ['--import', 'tsx', 'tests/fixtures/processes/importNumbersChild.ts'], {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: {
          ...process.env,
          IMPORT_NUMBERS_CHILD: JSON.stringify({
            dir, source: path, mapping: mappingFile, clerkId, killAfter: 2, ...net.transport(),
            unlockCertPem: unlock.certPem, unlockKeyPem: unlock.keyPem, personCertDer: Buffer.from(person.certDer).toString('base64'), personKeyPem: person.keyPem,
          }),
        },
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, sig) => resolve(sig)));
      assert.equal(signal, 'SIGKILL', `the child died by its own kill -9: ${out}`);
      const given = new Map(out.trim().split('\n').map((l) => JSON.parse(l) as { record: string; number: number }).map((x) => [x.record, x.number]));
      assert.equal(given.size, 50, 'the second batch\'s numbers were given');
      // Meanwhile B registers: its number comes after every number the server gave the dead job.
      const onB = await registerOn(B());
      assert.equal(onB.arrivalNumber, Math.max(...given.values()) + 1);

      await net.reopen(0);
      link();
      const jobId = A().desk.db.prepare('SELECT max(id) FROM import_jobs').pluck().get() as number;
      assert.equal(getJob(A().desk.db, jobId)!.imported, 50, `the first batch committed, the second not: ${out}`);
      const run = await A().desk.imports.resume(A().clerk, jobId, { batchSize: 50, workers: 1 });
      assert.equal(run.job.state, 'done');
      assert.equal(run.job.imported, 200);
      const imported = importedOf(A(), jobId);
      const second = imported.filter((r) => given.has(r.gid));
      assert.equal(second.length, 50, 'the same record ids asked again');
      for (const r of second) assert.equal(r.n, given.get(r.gid), 'the number the server gave before the kill');
      const all = numbersOn([A(), B()]);
      assertDense(all.values(), 'after the kill and the resume');
      assert.equal((await A().numbers.last(thuongSequence(A()))).last, all.size, 'no number lost at the server');
    });

    test('the server out of reach: A (home) imports from its counter and reports later, B pauses and resumes once it is back', async () => {
      await numberingRound(A().desk.db, A().numbers, new Date(), A().clerk.id); // the home hears of B's numbers
      await net.server().close();
      const onB = source(`offline-b-${backend}.csv`, `OFFB${code}`, 30);
      const e = await B().desk.imports.start(B().clerk, onB, mapping(), { batchSize: 20, workers: 1 }).then(() => null, (err: unknown) => err);
      assert.ok(e instanceof DeskError && e.key === 'numbering.importServerUnreachable', String(e));
      assert.match(e.message, /tạm dừng/);
      const bJob = B().desk.db.prepare('SELECT max(id) FROM import_jobs').pluck().get() as number;
      assert.equal(getJob(B().desk.db, bJob)!.state, 'cancelled', 'paused, resumable');
      assert.equal(B().desk.db.prepare("SELECT count(*) FROM c_thuong.incoming WHERE number_symbol LIKE ?").pluck().get(`%/CV-OFFB${code}`), 0, 'B numbered nothing');

      const onA = source(`offline-a-${backend}.csv`, `OFFA${code}`, 40);
      const before = Math.max(...numbersOn([A(), B()]).values());
      const run = await A().desk.imports.start(A().clerk, onA, mapping(), { batchSize: 20, workers: 1 });
      assert.equal(run.job.imported, 40);
      assert.deepEqual(importedOf(A(), run.job.id).map((r) => r.n), Array.from({ length: 40 }, (_, i) => before + 1 + i), 'the home continues its counter');
      assert.equal(pendingReports(A().desk.db).length, 40, 'each offline number owed to the server');

      await net.restart();
      link();
      const sent = await sendPending(A().desk.db, A().numbers, new Date(), A().clerk.id);
      assert.deepEqual([sent.reported, sent.conflicts], [40, 0]);
      const resumed = await B().desk.imports.resume(B().clerk, bJob, { batchSize: 20, workers: 1 });
      assert.equal(resumed.job.state, 'done');
      assert.equal(resumed.job.imported, 30);
      assert.deepEqual(importedOf(B(), bJob).map((r) => r.n), Array.from({ length: 30 }, (_, i) => before + 41 + i), 'after the home\'s reported numbers');
      assertDense(numbersOn([A(), B()]).values(), 'after the outage');
    });

    test('attack: a văn thư cleared to Thường gets no numbers of the BMNN register from the server; nothing imported', async () => {
      const key = softKey(pki.person('vtthuong').certDer, pki.person('vtthuong').keyPem);
      const sync = new SyncService(B().desk, { transport: net.transport(), signer: () => key, clearance: 'thuong' });
      try {
        B().desk.imports.numbering = new NumberClient(sync.client);
        const path = source(`secret-${backend}.csv`, `MAT${code}`, 10, 'Mật');
        const e = await B().desk.imports.start(B().clerk, path, mapping(), { batchSize: 20, workers: 1 }).then(() => null, (err: unknown) => err);
        assert.ok(e instanceof DeskError && e.key === 'numbering.serverRefused', String(e));
        assert.match(String((e.details as { status?: number }).status), /403/);
        assert.equal(B().desk.db.prepare("SELECT count(*) FROM c_mat.incoming WHERE number_symbol LIKE ?").pluck().get(`%/CV-MAT${code}`), 0);
      } finally {
        sync.close();
        link();
      }
    });
  });
}
