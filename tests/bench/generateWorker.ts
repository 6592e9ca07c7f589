// Worker thread: fills the incoming register of an existing (compartment-layout) profile with N
// realistic documents spread over the four secrecy levels. It opens the base database through the
// core's openDatabase, keyed with the profile's data key, and attaches the four compartment files with
// their level keys (attachCompartment, as the vault does at unlock; the main thread unwrapped every key
// from its keyring with the văn thư's identity). Each document goes into its level's compartment with
// the statements of registerIncoming (main/core/documents/incoming.ts): the id from the base's record
// sequence (nextRecordId), the arrival number from takeNumber, the FTS row and vocabulary from
// indexIncoming into the compartment, number-symbol and issuer keys from duplicates.ts, one attachment
// row (its id from the same sequence), and the ordered events of both records in the compartment
// (recordChange with the compartment's schema). Batched transactions over the base and the four files.
// What it leaves out on purpose: the audit row per document and the blob files (fake sha256).
import { createHash } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { secrecyRank } from '../../common/domain';
import { formatNumberSymbol, parseNumberSymbol } from '../../common/numberSymbol';
import type { Secrecy } from '../../common/domain';
import { attachCompartment } from '../../main/core/compartments/attach';
import { nextRecordId } from '../../main/core/compartments/ids';
import { schemaOf, type Level } from '../../main/core/compartments/levels';
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
  /** Every level's compartment file and key (hex), unwrapped from the level keyrings by the main thread. */
  compartments: Array<{ level: Level; file: string; keyId: string; hexKey: string }>;
  /** Share of each level, lowest first (sums to 1): the level of a document is drawn with its own generator. */
  levelShares: Record<Level, number>;
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
  | { type: 'done'; done: number; insertMs: number; closeMs: number; batches: number; maxBatchMs: number; perLevel: Record<Level, number> };

// The statements registerIncoming runs for each document (its columns; page count, copies, signer and
// channel left at their defaults).
// Plus the global id, which the service gives the row in the insert too. `{c}`: the level's compartment.
const INSERT_INCOMING = `INSERT INTO {c}.incoming (id, register_id, period, arrival_number, arrival_date, year, issuer_unit_id, issuer_name,
          number_symbol, number_symbol_key, issuer_key, document_date, type_code, subject, secrecy, secrecy_rank, urgency,
          deadline, recipients, notes, registered_by, registered_at, attachment_count, global_id)
         VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`;
const INSERT_ATTACHMENT = 'INSERT INTO {c}.attachments (id, incoming_id, ordinal, name, size, mime, is_pdf, sha256, global_id) VALUES (?,?,?,?,?,?,?,?,?)';

const RECIPIENTS = [['Phòng Tổng hợp'], ['Phòng Hành chính - Tài chính'], ['Phòng Tổng hợp', 'Phòng Hành chính - Tài chính'], ['Lãnh đạo Văn phòng']];

const DAY_MS = 86_400_000;
const dayNumber = (iso: string): number => Date.parse(`${iso}T00:00:00Z`) / DAY_MS;
const isoOfDay = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

function run(job: GenerateJob): void {
  const port = parentPort!;
  const { db, readOnly } = openDatabase(job.dbFile, { hexKey: job.hexKey });
  if (readOnly) throw new Error('benchmark database opened read-only');
  db.pragma(`cache_size = -${Math.max(16, job.cacheMiB / 8) * 1024}`);
  for (const c of job.compartments) {
    attachCompartment(db, c.file, { level: c.level, keyId: c.keyId, key: Buffer.from(c.hexKey, 'hex') });
    // A bulk importer's page cache, in proportion to the level's share (the app keeps 32 MiB a compartment).
    db.pragma(`${schemaOf(c.level)}.cache_size = -${Math.max(16, Math.round(job.cacheMiB * job.levelShares[c.level])) * 1024}`);
  }
  const statements = (sql: string) => new Map(job.compartments.map((c) => [c.level, db.prepare(sql.replaceAll('{c}', schemaOf(c.level)))]));
  const insertIncoming = statements(INSERT_INCOMING);
  const insertAttachment = statements(INSERT_ATTACHMENT);
  const r = rng(job.seed);
  // The level comes from a generator of its own, so the texts are the sample generator's whatever the shares.
  const rLevel = rng(job.seed + 1);
  const shares = Object.entries(job.levelShares) as Array<[Level, number]>;
  const levelOf = (): Level => {
    let x = rLevel();
    for (const [level, share] of shares) if ((x -= share) < 0) return level;
    return shares[shares.length - 1]![0];
  };
  const perLevel = Object.fromEntries(shares.map(([l]) => [l, 0])) as Record<Level, number>;
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
    const secrecy: Secrecy = levelOf();
    perLevel[secrecy]++;
    const c = schemaOf(secrecy);
    // The sample generator leaves Tuyệt mật subjects blank: so does this level here; a sample drawn
    // Tuyệt mật but placed at another level takes the subject of the next sample with one.
    let subject = s.subject;
    for (let k = 1; secrecy !== 'tuyet_mat' && subject === ''; k++) subject = sampleIncoming(rng(job.seed * 7919 + serial * 31 + k), serial).subject;
    if (secrecy === 'tuyet_mat') subject = '';
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
    const id = nextRecordId(db);
    insertIncoming.get(secrecy)!.run(
      id, job.registerId, period, number, arrivalDate, Number(arrivalDate.slice(0, 4)), unitId, s.issuerName,
      numberSymbol, numberSymbolKey(numberSymbol), issuerKey(s.issuerName), documentDate, s.typeCode,
      subject, secrecy, secrecyRank(secrecy), s.urgency, deadline,
      JSON.stringify(recipients), '', job.userId, registeredAt, 1, newGlobalId(),
    );
    const at = new Date(registeredAt);
    recordChange(db, 'incoming', id, 'create', job.userId, at, c);
    const sha256 = createHash('sha256').update(`securedesk-bench:${job.seed}:${serial}`).digest('hex');
    const attachmentId = nextRecordId(db);
    insertAttachment.get(secrecy)!.run(attachmentId, id, 1, `${numberSymbol.replace(/\//g, '_')}.pdf`, size, 'application/pdf', 1, sha256, newGlobalId());
    recordChange(db, 'attachments', attachmentId, 'create', job.userId, at, c);
    indexIncoming(db, c, id, { subject, numberSymbol, issuerName: s.issuerName, notes: '' });
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
  for (const c of job.compartments) db.pragma(`${schemaOf(c.level)}.wal_checkpoint(TRUNCATE)`);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const closeMs = performance.now() - tc;
  port.postMessage({ type: 'done', done: job.docs, insertMs, closeMs, batches, maxBatchMs, perLevel } satisfies WorkerMessage);
}

if (parentPort) run(workerData as GenerateJob);
