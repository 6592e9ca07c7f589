// kill -9 during the first unlock's long steps, now on the database worker: the encryption in place of a
// plain profile (killed while its copy is being encrypted, a hot journal of plain pages beside it) and
// the split into compartments (killed while the records are copied, while they are indexed, and while the
// base is about to be / is being rewritten). Each time the next unlock finishes the work: every record in
// its level's compartment, found by search, nothing left half-made or in the clear, the files sound.
// The child kills itself at the point (a parent reacting to its progress was late on a loaded machine),
// so the size only has to span several batches (2,000 rows) of each step: 8,000 documents, the plain
// profile built once and copied for each kill.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DeskEvent } from '../../common/contract';
import { LEVELS } from '../../main/core/compartments/levels';
import { Desk } from '../../main/core/desk';
import { newGlobalId } from '../../main/core/events/globalId';
import { softIdentity, tempDir } from '../helpers/desk';
import { oldProfile } from '../helpers/legacyProfile';
import type { UnlockKillPoint } from '../fixtures/processes/unlockChild';

type Progress = Extract<DeskEvent, { type: 'work.progress' }>;
const DOCS = 8_000;

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

/**
 * Unlocks in a child process that kills itself (SIGKILL) at `at`, from inside the database worker doing
 * that step (tests/fixtures/processes/unlockChild.ts); resolves with the reports it made.
 */
async function unlockKilledAt(dir: string, at: UnlockKillPoint): Promise<Progress[]> {
  const id = softIdentity();
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/fixtures/processes/unlockChild.ts', dir], {
    // The kill point is code put before the database worker's own: the worker from sources, not the test run's bundle.
    stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, SECUREDESK_DEV_BUNDLES: '', SD_TEST_CERT_PEM: id.certPem, SD_TEST_KEY_PEM: id.keyPem, SD_TEST_KILL_AT: at },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, sig) => resolve(sig)));
  const lines = out.split('\n');
  const seen = lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Progress);
  assert.equal(signal, 'SIGKILL', `killed, not ended by itself (unlocked: ${lines.includes('unlocked')}); reports: ${JSON.stringify(seen.slice(-3))}`);
  assert.ok(lines.includes(`killing: ${at}`), `killed at the point (${at}), by the child itself`);
  return seen;
}

/** The profile's files (and its compartments'), by name. */
const filesOf = (dir: string): string[] => [dir, join(dir, 'compartments')].filter(existsSync).flatMap((d) => readdirSync(d));

const KILL_POINTS: Array<{ name: string; at: UnlockKillPoint; left: (files: string[]) => boolean }> = [
  // The copy is rekeyed page by page: its journal (the plain pages) beside it.
  { name: 'while the copy of the database is being encrypted', at: 'encrypting', left: (f) => f.includes('securedesk.db.encrypting') && f.includes('securedesk.db.encrypting-journal') },
  // A batch of records committed into the compartments being built, not all.
  { name: 'while the records are copied into the compartments', at: 'copying', left: (f) => f.some((n) => n.endsWith('.db.split')) },
  { name: 'while the records are indexed in the compartments', at: 'indexing', left: (f) => f.some((n) => n.endsWith('.db.split')) },
  // The compartments in place, the base not yet told (its moved tables still there).
  { name: 'as the base is to be rewritten', at: 'committing', left: (f) => f.includes('thuong.db') && !f.some((n) => n.endsWith('.split')) },
  // The base's moved tables dropped in its commit, the vacuum owed.
  { name: 'while the base is rewritten', at: 'vacuuming', left: (f) => f.includes('thuong.db') && !f.some((n) => n.endsWith('.split')) },
];

describe('kill -9 during the first unlock of a plain single-file profile', () => {
  // One plain profile, copied file for file before each kill (building it was the same work each time).
  const template = tempDir('securedesk-kill-template-');
  let expected: Record<string, number>;
  before(() => (expected = plainProfile(template.dir)));
  after(() => template.cleanup());

  for (const point of KILL_POINTS) {
    it(`${point.name}: the next unlock finishes it, every record in place`, async () => {
      const t = tempDir('securedesk-kill-');
      try {
        cpSync(template.dir, t.dir, { recursive: true });
        const seen = await unlockKilledAt(t.dir, point.at);
        const files = filesOf(t.dir);
        assert.ok(point.left(files), `the files of a kill ${point.name}: ${files.join(', ')}`);
        const left = files.filter((f) => /encrypting|plain-old|\.split|journal/.test(f));
        console.log(`killed ${point.at} after ${JSON.stringify(seen.at(-1))}; left: ${left.join(', ') || 'nothing half-made'}`);

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
          const found = desk.incoming.list(actor, { query: 'quyet toan ngan sach dot 4340', sort: { field: 'arrival', dir: 'desc' }, offset: 0, limit: 10 });
          assert.ok(found.some((r) => r.numberSymbol === '4340/STC-NS'), JSON.stringify(found.map((r) => r.numberSymbol)));
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
