// A job killed between the base's commit and the compartment's (SQLite's WAL commits attached files
// one at a time): the journal says imported, the records are not there. The compartment's half of the
// last transaction is taken away here as that kill leaves it; resume redoes those rows, numbers dense.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { suggestMapping } from '../../main/core/import/mapping';
import { newDesk, tempDir } from '../helpers/desk';

const ROWS = 300;
const LOST = 37;

test('journal rows whose records never reached the compartment are redone on resume; the counter gives their numbers back', async () => {
  const env = await newDesk('state');
  const work = tempDir('securedesk-import-recover-');
  try {
    const headers = ['Số ký hiệu', 'Ngày văn bản', 'Cơ quan ban hành', 'Trích yếu'];
    const lines = [headers.join(',')];
    for (let i = 1; i <= ROWS; i++) lines.push(`${i}/CV-UBND,2025-03-${String(1 + (i % 28)).padStart(2, '0')},Sở Nội vụ,Về việc số ${i}`);
    const source = join(work.dir, 'so-den.csv');
    writeFileSync(source, `${lines.join('\n')}\n`);
    const first = await env.desk.imports.start(env.admin, source, suggestMapping(headers), { workers: 1 });
    assert.deepEqual([first.job.state, first.job.imported], ['done', ROWS]);
    const db = env.desk.db;

    // The compartment's half of the last transaction never committed: its records and their rows are gone.
    const lost = db.prepare(`SELECT id FROM c_thuong.incoming ORDER BY arrival_number DESC LIMIT ${LOST}`).pluck().all() as number[];
    const ids = lost.join(',');
    const dependents = db.prepare("SELECT name FROM c_thuong.sqlite_master WHERE type = 'table' AND sql LIKE '%incoming_id INTEGER%'").pluck().all() as string[];
    db.pragma('foreign_keys = OFF');
    for (const t of dependents) db.exec(`DELETE FROM c_thuong.${t} WHERE incoming_id IN (${ids})`);
    db.exec(`DELETE FROM c_thuong.incoming WHERE id IN (${ids})`);
    db.pragma('foreign_keys = ON');

    const done = await env.desk.imports.resume(env.admin, first.job.id, { workers: 1 });
    assert.deepEqual([done.job.state, done.job.total, done.job.imported, done.job.duplicates, done.job.rejected], ['done', ROWS, ROWS, 0, 0]);
    const records = db.prepare('SELECT count(*) AS n, count(DISTINCT number_symbol_key) AS s, count(DISTINCT arrival_number) AS d, min(arrival_number) AS lo, max(arrival_number) AS hi FROM c_thuong.incoming').get();
    assert.deepEqual(records, { n: ROWS, s: ROWS, d: ROWS, lo: 1, hi: ROWS });
    assert.equal(db.prepare("SELECT count(*) FROM import_rows WHERE outcome = 'imported' AND record_id NOT IN (SELECT id FROM c_thuong.incoming)").pluck().get(), 0);
    const audit = JSON.parse(db.prepare("SELECT details FROM audit_log WHERE action = 'import.recovered' AND entity_id = ?").pluck().get(first.job.id) as string) as { lostRecordIds: number[] };
    assert.deepEqual([...audit.lostRecordIds].sort((a, b) => a - b), [...lost].sort((a, b) => a - b));
  } finally {
    env.cleanup();
    work.cleanup();
  }
});
