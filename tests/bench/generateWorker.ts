// Worker thread: fills the incoming register of an existing profile with N realistic documents.
// It opens the same (encrypted) database file through the core's openDatabase, keyed with the
// profile's data key (hex, from workerData: the main thread unwrapped it from keyring.cms), and inserts in batched
// transactions with the statement shape of registerIncoming (main/core/documents/incoming.ts):
// same columns, arrival number from takeNumber inside the transaction, FTS row from indexIncoming
// (indexText), number-symbol and issuer keys from duplicates.ts, one attachment row per document, and
// the ordered events of both records (recordChange, with their global ids).
// What it leaves out on purpose: the audit row per document and the blob files (fake sha256).
import { createHash } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { secrecyRank } from '../../common/domain';
import { formatNumberSymbol, parseNumberSymbol } from '../../common/numberSymbol';
import { openDatabase } from '../../main/core/db/connection';
import { issuerKey, numberSymbolKey } from '../../main/core/documents/duplicates';
import { takeNumber } from '../../main/core/documents/numbering';
import { recordChange } from '../../main/core/events/eventLog';
import { newGlobalId } from '../../main/core/events/globalId';
import { indexIncoming } from '../../main/core/documents/search';
import { rng, sampleIncoming } from '../../main/devhost/sampleData';

export interface GenerateJob {
  dbFile: string;
  /** The profile's data key (hex): benchmark data, handed over as the app would hand it to an importer thread. */
  hexKey: string;
  docs: number;
  seed: number;
  /** First and last arrival date (yyyy-mm-dd); documents are spread evenly between them in id order. */
  firstDay: string;
  lastDay: string;
  registerId: number;
  scopeId: number;
  userId: number;
  /** Known units by name: documents from these issuers carry issuer_unit_id, as the form's unit picker does. */
  unitIds: Record<string, number>;
  batchSize: number;
  /** Page cache of the worker's connection (a bulk importer's choice; the app keeps the default). */
  cacheMiB: number;
}

export type WorkerMessage =
  | { type: 'progress'; done: number; ms: number }
  | { type: 'done'; done: number; insertMs: number; closeMs: number; batches: number; maxBatchMs: number };

// Verbatim from registerIncoming: the statement the service runs for each document.
// Plus the global id, which the service gives the row in a second statement (recordChange's globalIdOf):
// the same rows, one UPDATE fewer per record.
const INSERT_INCOMING = `INSERT INTO incoming (register_id, period, arrival_number, arrival_date, year, issuer_unit_id, issuer_name,
          number_symbol, number_symbol_key, issuer_key, document_date, type_code, subject, secrecy, secrecy_rank, urgency,
          deadline, recipients, notes, registered_by, registered_at, attachment_count, global_id)
         VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`;
const INSERT_ATTACHMENT = 'INSERT INTO attachments (incoming_id, ordinal, name, size, mime, is_pdf, sha256, global_id) VALUES (?,?,?,?,?,?,?,?)';

const RECIPIENTS = [['Phòng Tổng hợp'], ['Phòng Hành chính - Tài chính'], ['Phòng Tổng hợp', 'Phòng Hành chính - Tài chính'], ['Lãnh đạo Văn phòng']];

const DAY_MS = 86_400_000;
const dayNumber = (iso: string): number => Date.parse(`${iso}T00:00:00Z`) / DAY_MS;
const isoOfDay = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

function run(job: GenerateJob): void {
  const port = parentPort!;
  const { db, readOnly } = openDatabase(job.dbFile, { hexKey: job.hexKey });
  if (readOnly) throw new Error('benchmark database opened read-only');
  db.pragma(`cache_size = -${job.cacheMiB * 1024}`);

  const insertIncoming = db.prepare(INSERT_INCOMING);
  const insertAttachment = db.prepare(INSERT_ATTACHMENT);
  const r = rng(job.seed);
  const first = dayNumber(job.firstDay);
  const span = dayNumber(job.lastDay) - first + 1;
  const isoCache = new Map<number, string>();
  const iso = (day: number): string => {
    let s = isoCache.get(day);
    if (s === undefined) isoCache.set(day, (s = isoOfDay(day)));
    return s;
  };

  const insertOne = (serial: number): void => {
    const s = sampleIncoming(r, serial);
    // Arrival dates grow with the id, as in a real register: several years, a few hundred a day.
    const day = first + Math.floor(((serial - 1) * span) / job.docs);
    const arrivalDate = iso(day);
    const documentDate = iso(day - Math.floor(r() * 5));
    const deadline = r() < 0.35 ? iso(day + 5 + Math.floor(r() * 30)) : null;
    const recipients = RECIPIENTS[Math.floor(r() * RECIPIENTS.length)]!;
    const parsed = parseNumberSymbol(s.numberSymbol);
    if (!parsed.ok) throw new Error(`sample number-symbol rejected: ${s.numberSymbol}`);
    const numberSymbol = formatNumberSymbol(parsed.value);
    const unitId = job.unitIds[s.issuerName] ?? null;
    const registeredAt = `${arrivalDate}T${String(1 + Math.floor(r() * 9)).padStart(2, '0')}:${String(Math.floor(r() * 60)).padStart(2, '0')}:00.000Z`;
    const size = 30_000 + Math.floor(r() * 2_000_000);

    const { number, period } = takeNumber(db, job.scopeId, arrivalDate, s.typeCode);
    const res = insertIncoming.run(
      job.registerId, period, number, arrivalDate, Number(arrivalDate.slice(0, 4)), unitId, s.issuerName,
      numberSymbol, numberSymbolKey(numberSymbol), issuerKey(s.issuerName), documentDate, s.typeCode,
      s.subject, s.secrecy, secrecyRank(s.secrecy), s.urgency, deadline,
      JSON.stringify(recipients), '', job.userId, registeredAt, 1, newGlobalId(),
    );
    const id = Number(res.lastInsertRowid);
    const at = new Date(registeredAt);
    recordChange(db, 'incoming', id, 'create', job.userId, at);
    const sha256 = createHash('sha256').update(`securedesk-bench:${job.seed}:${serial}`).digest('hex');
    const attachmentId = Number(insertAttachment.run(id, 1, `${numberSymbol.replace(/\//g, '_')}.pdf`, size, 'application/pdf', 1, sha256, newGlobalId()).lastInsertRowid);
    recordChange(db, 'attachments', attachmentId, 'create', job.userId, at);
    indexIncoming(db, 'main', id, { subject: s.subject, numberSymbol, issuerName: s.issuerName, notes: '' });
  };

  const insertBatch = db.transaction((from: number, to: number) => {
    for (let serial = from; serial <= to; serial++) insertOne(serial);
  });

  const t0 = performance.now();
  let batches = 0;
  let maxBatchMs = 0;
  for (let from = 1; from <= job.docs; from += job.batchSize) {
    const to = Math.min(job.docs, from + job.batchSize - 1);
    const tb = performance.now();
    insertBatch(from, to);
    batches++;
    maxBatchMs = Math.max(maxBatchMs, performance.now() - tb);
    port.postMessage({ type: 'progress', done: to, ms: performance.now() - t0 } satisfies WorkerMessage);
  }
  const insertMs = performance.now() - t0;
  const tc = performance.now();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const closeMs = performance.now() - tc;
  port.postMessage({ type: 'done', done: job.docs, insertMs, closeMs, batches, maxBatchMs } satisfies WorkerMessage);
}

if (parentPort) run(workerData as GenerateJob);
