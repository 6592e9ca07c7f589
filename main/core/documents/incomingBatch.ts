// A write transaction's registrations written set-wise (the legacy import's: import/writeSlice.ts).
// Each registration is checked, numbered and built one by one as in the window (incoming.ts), then
// waits here; flush() writes them all: a multi-row INSERT per table, their change events built from
// the values in hand (not read back), the full-text entries and vocabulary, the OCR queue. The result
// is the one the registrations written one by one give, row for row and in the same order (tests/
// integration/import-setwise.test.ts compares the two). Until the flush, the records are not in their
// tables: the registration's checks that read them ask this batch too (the register's latest arrival),
// and the duplicates are the slice's BatchDuplicates' (told of each registration).
import type { Db } from '../db/connection';
import { insertRows } from '../db/insertRows';
import { cached } from '../db/statements';
import { createEventRow, eventAuthor, EVENT_COLUMNS } from '../events/eventLog';
import { announceOcrQueued, OCR_MIMES } from '../ocr/queue';
import type { IncomingRows } from './incoming';
import { RECIPIENT_COLUMNS } from './recipients';
import { indexText } from './search';

const OCR_READS = new Set<string>(OCR_MIMES);

export class IncomingBatch {
  private waiting: IncomingRows[] = [];
  /** The latest arrival date waiting per register and year (`${registerId}:${year}`). */
  private readonly latest = new Map<string, string>();
  /** Look-ups of tables this transaction does not write (registers, closed years): kept for the transaction. */
  private readonly kept = new Map<string, unknown>();
  /** Look-ups of tables the flush writes (the register's latest arrival stored): kept until the next flush. */
  private readonly keptUntilFlush = new Map<string, unknown>();

  constructor(private readonly db: Db) {}

  /**
   * Whether a registration can wait here: a compartment's record (the base's single-file layout has
   * no marks) without a restriction (its record and event are written one by one, in order).
   */
  static takes(p: { marks: boolean }, input: { restricted?: boolean | undefined }): boolean {
    return p.marks && !input.restricted;
  }

  add(w: IncomingRows): void {
    this.waiting.push(w);
    const key = `${w.record.register_id}:${w.record.year}`;
    const seen = this.latest.get(key);
    if (seen === undefined || w.record.arrival_date > seen) this.latest.set(key, w.record.arrival_date);
  }

  /** The latest arrival date waiting in a register's year (what the register's table will hold once written). */
  latestArrival(registerId: number, year: number): string | undefined {
    return this.latest.get(`${registerId}:${year}`);
  }

  /**
   * `look()`'s answer, asked once per transaction: for what only another connection could change, and
   * none writes while this transaction holds the database (BEGIN IMMEDIATE).
   */
  once<T>(key: string, look: () => T): T {
    return remembered(this.kept, key, look);
  }

  /** `look()`'s answer until the next flush (a table the flush writes, or a record written one by one after it). */
  untilFlush<T>(key: string, look: () => T): T {
    return remembered(this.keptUntilFlush, key, look);
  }

  /** Writes every registration waiting, in order, and empties the batch. */
  flush(): void {
    this.keptUntilFlush.clear();
    const all = this.waiting;
    if (all.length === 0) return;
    this.waiting = [];
    this.latest.clear();
    const byCompartment = new Map<string, IncomingRows[]>();
    for (const w of all) {
      const list = byCompartment.get(w.c);
      if (list) list.push(w);
      else byCompartment.set(w.c, [w]);
    }
    const authors = new Map<number, ReturnType<typeof eventAuthor>>();
    const author = (by: number) => {
      let a = authors.get(by);
      if (!a) authors.set(by, (a = eventAuthor(this.db, by)));
      return a;
    };
    let queued = 0;
    for (const [c, ws] of byCompartment) {
      insertAll(this.db, `${c}.incoming`, ws.map((w) => w.record));
      insertAll(this.db, `${c}.attachments`, ws.flatMap((w) => w.attachments));
      insertRows(this.db, `${c}.incoming_recipients`, RECIPIENT_COLUMNS, ws.flatMap((w) => w.recipients.map((r) => RECIPIENT_COLUMNS.map((k) => r[k]))));
      // Each registration's events in the order writeIncoming appends them: the record, its files, its recipients.
      const events: unknown[][] = [];
      for (const w of ws) {
        const who = author(w.record.registered_by as number);
        events.push(createEventRow(this.db, c, 'incoming', w.record, w.registeredAt, who));
        for (const a of w.attachments) events.push(createEventRow(this.db, c, 'attachments', a, w.registeredAt, who));
        for (const r of w.recipients) events.push(createEventRow(this.db, c, 'incoming_recipients', r, w.registeredAt, who));
      }
      insertRows(this.db, `${c}.events`, EVENT_COLUMNS, events);
      // A new record's index entry holds no OCR words yet (its files were never read: their ids are new).
      const texts = ws.map((w) => indexText(w.index));
      insertRows(this.db, `${c}.incoming_fts`, ['rowid', 'body'], ws.map((w, i) => [w.record.id, texts[i]]));
      const terms = new Set<string>();
      for (const t of texts) for (const term of t.split(' ')) terms.add(term);
      cached(this.db, `INSERT OR IGNORE INTO ${c}.search_terms (term) SELECT value FROM json_each(?)`).run(JSON.stringify([...terms]));
      // enqueueOcr's choice: files of the record not sealed for a named person, of a kind the job reads.
      const ocr = ws.flatMap((w) => (w.ocr ? w.attachments.filter((a) => (a.sealed_for ?? null) === null && OCR_READS.has(a.mime)).map((a) => [a.id, w.record.id, w.registeredAt.toISOString()]) : []));
      insertRows(this.db, `${c}.ocr_queue`, ['attachment_id', 'incoming_id', 'queued_at'], ocr, 'INSERT OR IGNORE');
      queued += ocr.length;
    }
    if (queued > 0) announceOcrQueued();
  }
}

function remembered<T>(map: Map<string, unknown>, key: string, look: () => T): T {
  if (map.has(key)) return map.get(key) as T;
  const value = look();
  map.set(key, value);
  return value;
}

/** Rows given as column → value objects, grouped by their columns (one shape per table and compartment in practice). */
function insertAll(db: Db, table: string, rows: ReadonlyArray<Record<string, unknown>>): void {
  const shapes = new Map<string, { columns: string[]; values: unknown[][] }>();
  for (const r of rows) {
    const columns = Object.keys(r);
    const key = columns.join(',');
    let shape = shapes.get(key);
    if (!shape) shapes.set(key, (shape = { columns, values: [] }));
    shape.values.push(Object.values(r));
  }
  // Two shapes would change the rows' order between them: ids stay what they are, only the insert order differs.
  for (const { columns, values } of shapes.values()) insertRows(db, table, columns, values);
}
