// The job's row checks look up the profile's duplicates set-wise (BatchDuplicates over up to 256 rows
// at once) where the dry run asks findDuplicates row by row: both must decide every row the same,
// across the look-up chunks, and neither may see records above the person's clearance (attack: a
// Thường clerk re-importing the Mật records' symbols and files must learn nothing of them).
import assert from 'node:assert/strict';
import { randomFillSync } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { suggestMapping } from '../../main/core/import/mapping';
import type { Actor } from '../../main/core/org/rights';
import { IMPORT_HEADERS, samplePdf, writeImportArchive, type ImportArchive } from '../bench/importArchive';
import { addActor, newDesk, tempDir } from '../helpers/desk';

const ROWS = 300;
let env: Awaited<ReturnType<typeof newDesk>>;
let work: ReturnType<typeof tempDir>;
let archive: ImportArchive;
let clerk: Actor;
const mapping = suggestMapping(IMPORT_HEADERS);
const header = IMPORT_HEADERS.map((h) => (h.includes(',') ? `"${h}"` : h)).join(',');

before(async () => {
  env = await newDesk('state');
  work = tempDir('securedesk-import-checkdups-');
  archive = writeImportArchive(work.dir, ROWS, { seed: 31, minKb: 2, maxKb: 8 });
  clerk = addActor(env.desk, 'van_thu', 'thuong', 'Lê Thị Thường');
  const first = await env.desk.imports.start(env.admin, archive.source, mapping);
  assert.deepEqual([first.job.state, first.job.imported], ['done', ROWS]);
});
after(() => { env.cleanup(); work.cleanup(); });

/** The first archive's rows, as cells (the CSV has no comma inside a field but the quoted subject). */
const original = () => readFileSync(archive.source, 'utf8').split('\n').slice(1).filter(Boolean)
  .map((l) => l.match(/("[^"]*"|[^,]*)(,|$)/g)!.slice(0, 8).map((c) => c.replace(/,$/, '')));

let extra = 0;
/** A new PDF beside the archive's scans, its path relative to the sources' folder. */
function newFile(): string {
  extra += 1;
  mkdirSync(join(work.dir, 'extra'), { recursive: true });
  const fill = Buffer.alloc(4096);
  randomFillSync(fill);
  writeFileSync(join(work.dir, 'extra', `${extra}.pdf`), samplePdf(`extra ${extra}`, 4096, fill));
  return `extra/${extra}.pdf`;
}

function writeSource(name: string, rows: string[][]): string {
  const path = join(work.dir, name);
  writeFileSync(path, `${[header, ...rows.map((r) => r.join(','))].join('\n')}\n`);
  return path;
}

const journalOf = (jobId: number) => env.desk.db.prepare('SELECT row_no AS row, outcome, reason FROM import_rows WHERE job_id = ? ORDER BY row_no')
  .all(jobId) as Array<{ row: number; outcome: string; reason: string }>;

test('the job decides each row as the dry run does: same record, same file, same symbol from another issuer, new', async () => {
  const rows = original().map((cells, k) => {
    const [num, arrival, symbol, docDate, issuer, subject, secrecy, file] = cells as [string, string, string, string, string, string, string, string];
    const i = k + 1;
    if (i <= 60) return [num, arrival, symbol, docDate, issuer, subject, secrecy, file]; // the same record again
    if (i <= 120) return [num, arrival, symbol, docDate, 'Sở Xây dựng', subject, secrecy, newFile()]; // same symbol and date, another issuer
    if (i <= 180) return [num, arrival, `${i}/B-UBND`, docDate, issuer, subject, secrecy, file]; // only the file is the same
    return [num, arrival, `${i}/N-UBND`, docDate, issuer, subject, secrecy, newFile()]; // new
  });
  const source = writeSource('so-den-2.csv', rows);
  const report = await env.desk.imports.dryRun(env.admin, source, mapping);
  // (every row warns: the issuers are not in the unit directory)
  assert.deepEqual([report.counts.ok + report.counts.warning, report.counts.duplicate, report.counts.rejected], [180, 120, 0]);
  assert.ok(report.rows.slice(60, 120).every((r) => r.reasons.some((x) => x.code === 'sameSymbolOtherIssuer')));
  const run = await env.desk.imports.start(env.admin, source, mapping);
  assert.deepEqual([run.job.state, run.job.imported, run.job.duplicates, run.job.rejected], ['done', 180, 120, 0]);
  const journal = journalOf(run.job.id);
  assert.equal(journal.length, ROWS);
  // Row by row (in two look-up chunks of the job's check: 256 rows, then the rest) the dry run's verdict.
  journal.forEach((j, k) => {
    const r = report.rows[k]!;
    assert.equal(j.row, r.row);
    if (r.status === 'duplicate') assert.deepEqual([j.outcome, j.reason], ['duplicate', r.reasons.map((x) => x.code).join(',')], `row ${r.row}`);
    else assert.equal(j.outcome, 'imported', `row ${r.row}`);
  });
});

test('a Thường clerk re-importing the Mật records (symbol, issuer, date and file) finds no duplicate: nothing above the clearance is looked at', async () => {
  const secret = original().filter((cells) => cells[6] === 'Mật');
  assert.equal(secret.length, ROWS / 20);
  const rows = secret.map((cells) => [...cells.slice(0, 6), 'Thường', cells[7]!]);
  const source = writeSource('so-den-mat.csv', rows);
  // The same rows at the admin's clearance are duplicates of the Mật records: the check can fail.
  const asAdmin = await env.desk.imports.dryRun(env.admin, source, mapping);
  assert.equal(asAdmin.counts.duplicate, secret.length);
  const run = await env.desk.imports.start(clerk, source, mapping);
  assert.deepEqual([run.job.state, run.job.imported, run.job.duplicates, run.job.rejected], ['done', secret.length, 0, 0]);
  assert.ok(journalOf(run.job.id).every((j) => j.outcome === 'imported' && j.reason === ''));
});
