// The migrations of an older profile run on the database worker at unlock, and the window is told how
// far they are (work.progress, task 'migrate'): a profile left at schema 7 with 20,000 documents goes
// through the reindex of migration 8 (every record's keys and words) while the main thread keeps
// serving timers; every step is reported, the long one record by record, and the last report ends it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Desk } from '../../main/core/desk';
import { MIGRATIONS } from '../../main/core/db/migrations';
import { newGlobalId } from '../../main/core/events/globalId';
import type { DeskEvent } from '../../common/contract';
import Database from 'better-sqlite3-multiple-ciphers';
import { rmSync } from 'node:fs';
import { applyKey } from '../../main/core/db/keying';
import { migrateCompartmentOffThread } from '../../main/core/db/offThread';
import { COMPARTMENT_MIGRATIONS, compartmentIdentity } from '../../main/core/compartments/schema';
import { compartmentFile, levelKeyringFile } from '../../main/core/compartments/levels';
import { openLevelKeyring } from '../../main/core/compartments/keyrings';
import { newDesk, softIdentity, tempDir } from '../helpers/desk';
import { oldProfile } from '../helpers/legacyProfile';

type Migrating = Extract<DeskEvent, { type: 'work.progress'; task: 'migrate' }>;
const DOCS = 20_000;

describe('migrations at unlock', () => {
  it('run on the database worker, step by step, with the long reindex reported record by record', async () => {
    const t = tempDir();
    try {
      oldProfile(t.dir, 'state', {
        extra: (db, userId) => {
          const insert = db.prepare(`INSERT INTO incoming (register_id, period, arrival_number, arrival_date, year, issuer_name, number_symbol,
            number_symbol_key, issuer_key, document_date, type_code, subject, secrecy, secrecy_rank, urgency, registered_by, registered_at, global_id)
            VALUES (1, '2026', ?, '2026-10-04', 2026, 'Sở Tài chính', ?, ?, 'so tai chinh', '2026-10-03', 'CV', ?, 'thuong', 0, 'thuong', ?, '2026-10-04T02:00:00.000Z', ?)`);
          db.transaction(() => {
            for (let n = 2; n < DOCS + 2; n++) insert.run(n, `${n}/STC-NS`, `${n}/stc-ns`, `Về việc quyết toán ngân sách đợt ${n}`, userId, newGlobalId());
          })();
          db.prepare('UPDATE number_counters SET last = ? WHERE scope_id = 1').run(DOCS + 1);
        },
      });
      const desk = await Desk.open({ profileDir: t.dir });
      const shown: Array<Migrating & { at: number }> = [];
      const stop = desk.onWork((e) => {
        if (e.task === 'migrate') shown.push({ ...e, at: performance.now() });
      });
      // The main thread's timers while the unlock runs: a migration on it would hold them all.
      const ticks: number[] = [];
      const timer = setInterval(() => ticks.push(performance.now()), 5);
      let session!: Awaited<ReturnType<Desk['unlock']>>;
      try {
        session = await desk.unlock(softIdentity());
      } finally {
        clearInterval(timer);
        stop();
      }
      try {
        assert.equal(desk.db.pragma('user_version', { simple: true }), MIGRATIONS.length, 'brought to this build');
        assert.ok(shown.length > 0, 'the window was told');
        const steps = shown[0]!.steps;
        assert.equal(steps, MIGRATIONS.length - 7, 'every step still to run is counted');
        assert.equal(shown[0]!.step, 1);
        assert.ok(shown.every((e, i) => i === 0 || e.step > shown[i - 1]!.step || (e.step === shown[i - 1]!.step && e.done >= shown[i - 1]!.done) || e.total !== shown[i - 1]!.total),
          `steps in order, never back: ${JSON.stringify(shown.slice(0, 12))}`);
        const last = shown[shown.length - 1]!;
        assert.ok(last.step === steps && last.done === last.total, 'the last report ends it');
        // Migration 8 (the first step here) reports its records: from 0 to all of them.
        const reindex = shown.filter((e) => e.step === 1 && e.total >= DOCS);
        assert.ok(reindex.length >= 2, JSON.stringify(reindex));
        assert.equal(reindex[0]!.done, 0);
        assert.equal(reindex[reindex.length - 1]!.done, reindex[reindex.length - 1]!.total);
        assert.ok(reindex[reindex.length - 1]!.total >= DOCS + 2, 'every record of the old profile');
        // Off the main thread: its timers fired while the reindex was under way.
        const [from, to] = [reindex[0]!.at, reindex[reindex.length - 1]!.at];
        assert.ok(ticks.some((x) => x > from && x < to), `a timer fired between ${from.toFixed(0)} and ${to.toFixed(0)} ms`);
        // And what it migrated is there: every record, found by its new key and words.
        assert.equal(desk.db.prepare('SELECT count(*) FROM c_thuong.incoming').pluck().get(), DOCS + 1);
        const found = desk.incoming.list({ ...session.user, rights: session.rights }, { query: 'quyet toan ngan sach dot 12345', sort: { field: 'arrival', dir: 'desc' }, offset: 0, limit: 10 });
        assert.ok(found.some((r) => r.numberSymbol === '12345/STC-NS'), JSON.stringify(found.map((r) => r.numberSymbol)));
      } finally {
        desk.close();
      }
    } finally {
      t.cleanup();
    }
  });

  it('bring an older compartment to this build on the worker too, and leave another profile\'s file untouched', async () => {
    const env = await newDesk('state');
    try {
      env.desk.close();
      const key = await openLevelKeyring(levelKeyringFile(env.dir, 'mat'), 'mat', env.identity.unlockKeys[0]!);
      const hex = key.key.toString('hex');
      const file = compartmentFile(env.dir, 'mat');
      // The Mật compartment as the previous build left it: every migration but the last.
      const profile = (() => {
        const db = new Database(file);
        applyKey(db, hex, 'raw');
        try { return compartmentIdentity(db).profile!; } finally { db.close(); }
      })();
      for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
      const old = new Database(file);
      applyKey(old, hex, 'raw');
      old.pragma('journal_mode = WAL');
      for (const [v, step] of COMPARTMENT_MIGRATIONS.slice(0, -1).entries()) {
        old.exec(step);
        if (v === 0) old.prepare("INSERT INTO compartment (key, value) VALUES ('level', 'mat'), ('profile', ?)").run(profile);
        old.pragma(`user_version = ${v + 1}`);
      }
      old.close();

      // A file that says it belongs to another profile is not touched by the worker.
      const foreign = await migrateCompartmentOffThread(file, hex, 'mat', 'another-profile', () => {});
      assert.deepEqual(foreign.result, { from: COMPARTMENT_MIGRATIONS.length - 1, to: COMPARTMENT_MIGRATIONS.length - 1, foreign: true });

      const desk = await Desk.open({ profileDir: env.dir });
      const shown: Migrating[] = [];
      const stop = desk.onWork((e) => { if (e.task === 'migrate') shown.push(e); });
      try {
        await desk.unlock(env.identity);
        assert.equal(desk.db.pragma('c_mat.user_version', { simple: true }), COMPARTMENT_MIGRATIONS.length, 'attached at this build\'s schema');
        assert.deepEqual(shown, [
          { type: 'work.progress', task: 'migrate', step: 1, steps: 1, done: 0, total: 1 },
          { type: 'work.progress', task: 'migrate', step: 1, steps: 1, done: 1, total: 1 },
        ]);
      } finally {
        stop();
        desk.close();
      }
    } finally {
      env.cleanup();
    }
  });
});
