// The legacy import writes each transaction's registrations set-wise (documents/incomingBatch.ts:
// multi-row INSERTs, change events built from the values in hand, the audit chain hashed in memory).
// The result must be the one the registrations written one by one give (RunOptions.perRow, the
// window's way): the same archive imported both ways into two identical profiles leaves the same rows
// in every table the import writes — records, files, recipients, events and their payloads, the
// full-text index and its vocabulary, the OCR queue, the audit entries, the journal, the counters —
// apart from what must differ (global ids, mapped to the record they name; times; hashes).
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { appendAudit, deferAudits, dropDeferredAudits } from '../../main/core/audit/auditLog';
import { verifyAuditChain } from '../../main/core/audit/verify';
import { countRecordIds, dropRecordIds, nextRecordId } from '../../main/core/compartments/ids';
import { countNumbers, dropNumbers, takeNumber } from '../../main/core/documents/numbering';
import type { Db } from '../../main/core/db/connection';
import { suggestMapping } from '../../main/core/import/mapping';
import { newDesk, tempDir } from '../helpers/desk';
import { samplePdf } from '../bench/importArchive';

const ROWS = 150;
const HEADERS = ['Số đến', 'Ngày đến', 'Số, ký hiệu', 'Ngày văn bản', 'Cơ quan ban hành', 'Trích yếu', 'Độ mật', 'Độ khẩn', 'Nơi nhận', 'Người ký', 'Ghi chú', 'Tệp'];
const ISSUERS = ['UBND tỉnh Quảng Ninh', 'Sở Nội vụ', 'Sở Tài chính', 'Công an tỉnh'];
const SUBJECTS = ['Về việc triển khai nhiệm vụ', 'Thông báo kết luận cuộc họp', 'Kế hoạch kiểm tra công tác', 'Báo cáo tình hình thực hiện'];

let work: ReturnType<typeof tempDir>;
let source: string;

/**
 * A register with what a registration reacts to: arrivals out of order (acknowledged, against records
 * of the same transaction too), the same number-symbol from another issuer (a duplicate acknowledged),
 * the same file twice, Mật rows, recipients, signers, notes, urgencies, rows without a file, a
 * rejected row, and rows repeated (duplicates in the batch).
 */
function writeArchive(dir: string): string {
  mkdirSync(join(dir, 'scans'), { recursive: true });
  const vn = (day: number) => { const d = new Date(Date.UTC(2024, 0, 2) + day * 86_400_000); return `${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()}`; };
  const lines = [HEADERS.map((h) => (h.includes(',') ? `"${h}"` : h)).join(',')];
  const fill = Buffer.alloc(8 * 1024, 7);
  for (let i = 1; i <= ROWS; i++) {
    // Mostly in order; every ninth row arrives three days before the row before it.
    // Every eleventh row (from the fifth) arrived in 2023, a year closed in the register before the import.
    const day = i % 11 === 5 ? -30 - i : i * 2 - (i % 9 === 0 ? 7 : 0);
    let symbol = `${i}/CV-UBND`;
    let issuer = ISSUERS[i % ISSUERS.length]!;
    let docDay = day - (i % 4);
    // The same number-symbol and date as the row before, from another issuer.
    if (i % 13 === 0 && (i - 1) % 11 !== 5) { symbol = `${i - 1}/CV-UBND`; docDay = (i - 1) * 2 - ((i - 1) % 4) - ((i - 1) % 9 === 0 ? 7 : 0); issuer = ISSUERS[(i + 1) % ISSUERS.length]!; }
    let file = `scans/${i}.pdf`;
    if (i % 17 === 0) file = `scans/${i - 2}.pdf`; // the same scan as an earlier row
    else if (i % 10 === 3) file = ''; // no scan
    else writeFileSync(join(dir, file), samplePdf(`${symbol} ${i}`, 4096 + (i % 5) * 1024, fill));
    const row = [
      String(i), vn(day), symbol, vn(docDay), issuer, `"${SUBJECTS[i % SUBJECTS.length]!} số ${i}"`,
      i % 5 === 0 ? 'Mật' : 'Thường', i % 6 === 0 ? 'Khẩn' : 'Thường',
      i % 3 === 0 ? '"Phòng Hành chính; Phòng Tài vụ"' : i % 7 === 0 ? 'Ban Giám đốc' : '',
      i % 2 === 0 ? 'Nguyễn Văn An' : '', i % 4 === 1 ? `"Ghi chú dòng ${i}"` : '', file,
    ];
    lines.push(row.join(','));
    // A row repeated word for word: a duplicate in the batch. A row with an impossible date: rejected.
    if (i % 29 === 0) lines.push(row.join(','));
    if (i % 31 === 0) lines.push([`${i}b`, '31/02/2024', `${i}b/CV-UBND`, vn(docDay), issuer, '"Ngày sai"', 'Thường', '', '', '', '', ''].join(','));
  }
  const path = join(dir, 'so-den.csv');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

before(() => {
  work = tempDir('securedesk-import-setwise-');
  source = writeArchive(work.dir);
});
after(() => work.cleanup());

const COMPARTMENTS = ['c_thuong', 'c_mat'];
const TIME_COLUMNS = new Set(['registered_at', 'at', 'queued_at', 'created_at', 'updated_at']);

/** Every table the import writes, normalised: global ids named by their record, times blanked, hashes left out. */
function snapshot(db: Db, auditFrom: number): Record<string, unknown> {
  const names = new Map<string, string>();
  for (const c of COMPARTMENTS) {
    for (const t of ['incoming', 'attachments', 'incoming_recipients']) {
      for (const r of db.prepare(`SELECT id, global_id FROM ${c}.${t}`).all() as Array<{ id: number; global_id: string }>) names.set(r.global_id, `${t}#${r.id}`);
    }
  }
  for (const r of db.prepare('SELECT id, global_id FROM users').all() as Array<{ id: number; global_id: string }>) names.set(r.global_id, `users#${r.id}`);
  names.set(db.prepare("SELECT value FROM settings WHERE key = 'workstation_id'").pluck().get() as string, 'workstation');
  const norm = (v: unknown, key?: string): unknown => {
    if (key && TIME_COLUMNS.has(key) && v !== null) return 'TIME';
    if (typeof v === 'string') return names.get(v) ?? v;
    if (Array.isArray(v)) return v.map((x) => norm(x));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, norm(x, k)]));
    return v;
  };
  const rows = (sql: string) => (db.prepare(sql).all() as Array<Record<string, unknown>>).map((r) => norm(r));
  const out: Record<string, unknown> = {};
  for (const c of COMPARTMENTS) {
    out[`${c}.incoming`] = rows(`SELECT * FROM ${c}.incoming ORDER BY id`);
    out[`${c}.attachments`] = rows(`SELECT * FROM ${c}.attachments ORDER BY id`);
    out[`${c}.incoming_recipients`] = rows(`SELECT * FROM ${c}.incoming_recipients ORDER BY id`);
    // The events in their log's order, each payload parsed (its keys' order kept: compared as text too).
    out[`${c}.events`] = (db.prepare(`SELECT seq, at, origin, actor, entity, entity_id, kind, data, received FROM ${c}.events ORDER BY seq`).all() as Array<Record<string, unknown>>)
      .map((e) => ({ ...(norm(e) as object), data: norm(JSON.parse(e.data as string)), keys: Object.keys(JSON.parse(e.data as string)).join(',') }));
    out[`${c}.ocr_queue`] = rows(`SELECT * FROM ${c}.ocr_queue ORDER BY attachment_id`);
    out[`${c}.search_terms`] = rows(`SELECT term FROM ${c}.search_terms ORDER BY term`);
    out[`${c}.incoming_fts_docsize`] = rows(`SELECT id, sz FROM ${c}.incoming_fts_docsize ORDER BY id`);
    // The contentless index answers each word of the vocabulary with the same records.
    const terms = db.prepare(`SELECT term FROM ${c}.search_terms ORDER BY term`).pluck().all() as string[];
    const match = db.prepare(`SELECT rowid FROM ${c}.incoming_fts WHERE incoming_fts MATCH ? ORDER BY rowid`).pluck();
    out[`${c}.incoming_fts`] = terms.filter((t) => t !== '').map((t) => [t, match.all(`"${t.replace(/"/g, '""')}"`)]);
    out[`${c}.change_counters`] = rows(`SELECT * FROM ${c}.change_counters ORDER BY name`);
  }
  out['audit_log'] = rows(`SELECT id, v, at, workstation, user_id, actor_gid, action, entity, entity_id, entity_gid, outcome, reason, details FROM audit_log WHERE id > ${auditFrom} ORDER BY id`);
  out['import_rows'] = rows('SELECT job_id, row_key, sheet, row_no, outcome, record_id, reason FROM import_rows ORDER BY job_id, sheet, row_no, row_key');
  out['import_jobs'] = rows('SELECT id, state, total, imported, duplicates, rejected FROM import_jobs ORDER BY id');
  out['number_counters'] = rows('SELECT * FROM number_counters ORDER BY scope_id, period, bucket');
  out['id_sequence'] = rows('SELECT * FROM id_sequence ORDER BY name');
  return out;
}

/** Imports the archive into a new profile, one way or the other; its tables' snapshot. */
async function importInto(perRow: boolean): Promise<Record<string, unknown>> {
  const env = await newDesk('state');
  try {
    const db = env.desk.db;
    const register = env.desk.registers.overview(env.admin).registers.find((r) => r.name === 'Sổ đăng ký văn bản đến')!;
    await env.desk.registers.closeYear(env.admin, { registerId: register.id, year: 2023 });
    const auditFrom = db.prepare('SELECT max(id) FROM audit_log').pluck().get() as number;
    const out = await env.desk.imports.start(env.admin, source, suggestMapping(HEADERS), { batchSize: 40, workers: 2, perRow, txMs: 5 });
    assert.equal(out.job.state, 'done');
    assert.equal(verifyAuditChain(db), null, 'the audit chain verifies');
    return snapshot(db, auditFrom);
  } finally {
    env.cleanup();
  }
}

test('the set-wise writes leave every table as the per-row registrations do', async () => {
  const perRow = await importInto(true);
  const setWise = await importInto(false);
  // What the archive exercises (else the comparison proves little).
  const incoming = [...(perRow['c_thuong.incoming'] as Array<Record<string, unknown>>), ...(perRow['c_mat.incoming'] as Array<Record<string, unknown>>)];
  assert.ok(incoming.length > 120 && (perRow['c_mat.incoming'] as unknown[]).length > 20, `${incoming.length} records`);
  assert.ok(incoming.some((r) => r.signer === 'Nguyễn Văn An') && incoming.some((r) => r.urgency === 'khan') && incoming.some((r) => r.attachment_count === 0));
  assert.ok((perRow['c_thuong.incoming_recipients'] as unknown[]).length > 30, 'recipients');
  const audit = perRow['audit_log'] as Array<{ action: string; details: string }>;
  assert.ok(audit.some((a) => a.details.includes('before_latest')), 'an arrival out of order acknowledged');
  assert.ok(audit.some((a) => a.details.includes('acknowledgedDuplicates')), 'a duplicate acknowledged');
  // Refusals audited between registrations of the same transaction: the chain keeps their order.
  const refusals = audit.filter((a) => a.action === 'incoming.register' && (a as { outcome?: string }).outcome === 'refused');
  assert.ok(refusals.length >= 5, `${refusals.length} refusals audited`);
  const jobs = perRow['import_jobs'] as Array<{ duplicates: number; rejected: number }>;
  assert.ok(jobs[0]!.duplicates > 0 && jobs[0]!.rejected > 0, JSON.stringify(jobs));
  for (const table of Object.keys(perRow)) assert.deepEqual(setWise[table], perRow[table], table);
});

test('a set-wise transaction rolled back leaves nothing, and the connection numbers, counts ids and appends directly again', async () => {
  const env = await newDesk('state');
  try {
    const db = env.desk.db;
    const seq = () => db.prepare("SELECT last FROM id_sequence WHERE name = 'record'").pluck().get() as number;
    const entries = () => db.prepare('SELECT count(*) FROM audit_log').pluck().get() as number;
    const [ids0, audit0] = [seq(), entries()];
    const scope = db.prepare('SELECT scope_id FROM registers ORDER BY id LIMIT 1').pluck().get() as number;
    const counter = () => db.prepare("SELECT last FROM number_counters WHERE scope_id = ? AND period = '2024'").pluck().get(scope) as number | undefined;
    db.exec('BEGIN IMMEDIATE');
    countRecordIds(db);
    countNumbers(db);
    deferAudits(db);
    try {
      assert.equal(nextRecordId(db), ids0 + 1);
      assert.equal(takeNumber(db, scope, '2024-05-01', 'CV').number, 1);
      appendAudit(db, { userId: env.admin.id, action: 'document.view', entity: 'incoming', entityId: 1, details: {} });
      // Counted and kept in memory: nothing written yet.
      assert.deepEqual([seq(), entries(), counter()], [ids0, audit0, undefined]);
    } finally {
      db.exec('ROLLBACK');
      dropRecordIds(db);
      dropNumbers(db);
      dropDeferredAudits(db);
    }
    assert.deepEqual([seq(), entries(), counter()], [ids0, audit0, undefined], 'nothing of the rolled-back transaction');
    db.exec('BEGIN IMMEDIATE');
    assert.equal(nextRecordId(db), ids0 + 1, 'ids from the sequence again');
    assert.equal(takeNumber(db, scope, '2024-05-01', 'CV').number, 1);
    appendAudit(db, { userId: env.admin.id, action: 'document.view', entity: 'incoming', entityId: 1, details: {} });
    db.exec('COMMIT');
    assert.deepEqual([seq(), entries(), counter()], [ids0 + 1, audit0 + 1, 1], 'written directly');
    assert.equal(verifyAuditChain(db), null);
  } finally {
    env.cleanup();
  }
});
