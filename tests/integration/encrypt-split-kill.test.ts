// kill -9 during the first unlock's long steps, now on the database worker: the encryption in place of a
// plain profile (killed while its copy is being encrypted, a hot journal of plain pages beside it) and
// the split into compartments (killed while the records are copied, while they are indexed, and while the
// base is rewritten). Each time the next unlock finishes the work: every record in its level's
// compartment, found by search, nothing left half-made or in the clear, the files sound.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { DeskEvent } from '../../common/contract';
import { LEVELS } from '../../main/core/compartments/levels';
import { Desk } from '../../main/core/desk';
import { newGlobalId } from '../../main/core/events/globalId';
import { softIdentity, tempDir } from '../helpers/desk';
import { oldProfile } from '../helpers/legacyProfile';

type Progress = Extract<DeskEvent, { type: 'work.progress' }>;
const DOCS = 20_000;

/** A plain schema-7 profile with DOCS more documents over every level; returns the count per level. */
function plainProfile(dir: string): Record<string, number> {
  let counts: Record<string, number> = {};
  oldProfile(dir, 'party', {
    extra: (db, userId) => {
      const insert = db.prepare(`INSERT INTO incoming (register_id, period, arrival_number, arrival_date, year, issuer_name, number_symbol,
        number_symbol_key, issuer_key, document_date, type_code, subject, secrecy, secrecy_rank, urgency, registered_by, registered_at, global_id)
        VALUES (1, '2026', ?, '2026-10-04', 2026, 'Sở Tài chính', ?, ?, 'so tai chinh', '2026-10-03', 'CV', ?, ?, ?, 'thuong', ?, '2026-10-04T02:00:00.000Z', ?)`);
      db.transaction(() => {
        for (let n = 3; n < DOCS + 3; n++) {
          const level = n % 10 === 0 ? 'mat' : n % 25 === 0 ? 'toi_mat' : n % 97 === 0 ? 'tuyet_mat' : 'thuong';
          insert.run(n, `${n}/STC-NS`, `${n}/stc-ns`, `Về việc quyết toán ngân sách đợt ${n}`, level, LEVELS.indexOf(level), userId, newGlobalId());
        }
      })();
      db.prepare('UPDATE number_counters SET last = ? WHERE scope_id = 1').run(DOCS + 2);
      counts = Object.fromEntries(db.prepare('SELECT secrecy, count(*) FROM incoming GROUP BY secrecy').raw().all() as Array<[string, number]>);
    },
  });
  return counts;
}

/** Unlocks in a child process and kills it (SIGKILL) at the first report `at` accepts; resolves with the reports it made. */
async function unlockKilledAt(dir: string, at: (e: Progress) => boolean): Promise<Progress[]> {
  const id = softIdentity();
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/fixtures/processes/unlockChild.ts', dir], {
    stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, SD_TEST_CERT_PEM: id.certPem, SD_TEST_KEY_PEM: id.keyPem },
  });
  const seen: Progress[] = [];
  let rest = '';
  let unlocked = false;
  child.stdout.on('data', (d: Buffer) => {
    const lines = (rest + d.toString()).split('\n');
    rest = lines.pop()!;
    for (const line of lines) {
      if (line === 'unlocked') unlocked = true;
      if (!line.startsWith('{')) continue;
      const e = JSON.parse(line) as Progress;
      seen.push(e);
      if (at(e)) child.kill('SIGKILL');
    }
  });
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, sig) => resolve(sig)));
  assert.equal(signal, 'SIGKILL', `killed, not ended by itself (unlocked: ${unlocked}); reports: ${JSON.stringify(seen.slice(-3))}`);
  return seen;
}

const KILL_POINTS: Array<{ name: string; at: (e: Progress) => boolean }> = [
  { name: 'while the copy of the database is being encrypted', at: (e) => e.task === 'encrypt' && e.step === 2 && e.done > 0 },
  { name: 'while the records are copied into the compartments', at: (e) => e.task === 'split' && e.step === 1 && e.done > 0 },
  { name: 'while the records are indexed in the compartments', at: (e) => e.task === 'split' && e.step === 2 && e.done > 0 },
  { name: 'while the base is rewritten', at: (e) => e.task === 'split' && e.step === 4 },
];

describe('kill -9 during the first unlock of a plain single-file profile', () => {
  for (const point of KILL_POINTS) {
    it(`${point.name}: the next unlock finishes it, every record in place`, async () => {
      const t = tempDir('securedesk-kill-');
      try {
        const expected = plainProfile(t.dir);
        const seen = await unlockKilledAt(t.dir, point.at);
        const last = seen[seen.length - 1]!;
        assert.ok(point.at(last), `killed at the point: ${JSON.stringify(last)}`);
        const left = [t.dir, join(t.dir, 'compartments')].filter(existsSync).flatMap((d) => readdirSync(d)).filter((f) => /encrypting|plain-old|\.split|journal/.test(f));
        console.log(`killed at ${JSON.stringify(last)}; left: ${left.join(', ') || 'nothing half-made'}`);

        const desk = await Desk.open({ profileDir: t.dir });
        try {
          const session = await desk.unlock(softIdentity());
          assert.equal((await desk.verdict()).ok, true, 'the files are sound');
          const counts = Object.fromEntries(LEVELS.map((l) => [l, desk.db.prepare(`SELECT count(*) FROM c_${l}.incoming`).pluck().get() as number]));
          assert.deepEqual(counts, expected, 'every record in its level, none twice');
          for (const l of LEVELS) {
            assert.equal(desk.db.prepare(`SELECT count(*) FROM c_${l}.incoming_fts`).pluck().get(), expected[l], `${l}: every record indexed once`);
          }
          const actor = { ...session.user, rights: session.rights };
          const found = desk.incoming.list(actor, { query: 'quyet toan ngan sach dot 12340', sort: { field: 'arrival', dir: 'desc' }, offset: 0, limit: 10 });
          assert.ok(found.some((r) => r.numberSymbol === '12340/STC-NS'), JSON.stringify(found.map((r) => r.numberSymbol)));
          assert.equal(desk.db.prepare("SELECT value FROM settings WHERE key = 'layout'").pluck().get(), 'compartments');
          assert.equal(desk.db.prepare("SELECT value FROM settings WHERE key = 'vacuum_pending'").pluck().get(), undefined, 'the base was vacuumed');
          assert.equal(desk.db.prepare("SELECT count(*) FROM main.sqlite_master WHERE name = 'incoming'").pluck().get(), 0, 'no document table left in the base');
        } finally {
          desk.close();
        }
        // Nothing half-made is left, and no database file is in the clear.
        const after = [t.dir, join(t.dir, 'compartments')].filter(existsSync).flatMap((d) => readdirSync(d).map((f) => join(d, f)));
        assert.deepEqual(after.filter((f) => /encrypting|plain-old|\.split|-journal$/.test(f)), [], 'no leftover');
        for (const f of after.filter((x) => /\.db$/.test(x))) {
          assert.notEqual(readFileSync(f).subarray(0, 15).toString('latin1'), 'SQLite format 3', `${f} is encrypted`);
        }
      } finally {
        t.cleanup();
      }
    });
  }
});
