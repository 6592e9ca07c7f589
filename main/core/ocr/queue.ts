// The OCR queue of a compartment and the text it yields. A file is queued in the transaction that
// adds it (registration, the legacy import: a row, nothing read), so registering never waits for OCR;
// the job (OcrService) reads it later, page by page. The text of each page done is kept in the
// level's own database (ocr_pages) and folded into the record's full-text index, so a query without
// diacritics finds the words of a scanned page.
import { cached } from '../db/statements';
import type { Db } from '../db/connection';
import { searchTokens } from '../../../common/vietnamese';

/** The kinds of file the job reads: PDFs (their pages without a text layer) and scanned images. */
export const OCR_MIMES = ['application/pdf', 'image/tiff', 'image/jpeg', 'image/png'] as const;
const MIMES_SQL = OCR_MIMES.map((m) => `'${m}'`).join(',');

const listeners = new Set<() => void>();
let notifying = false;
/** Hears that files were queued (the job wakes up); returns the unsubscribe function. */
export function onOcrQueued(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * Wakes the listeners up once, after the caller's synchronous transaction has committed (an import
 * queues thousands). Also for files queued on another thread's connection (the import's writer).
 */
export function announceOcrQueued(): void {
  if (listeners.size === 0 || notifying) return;
  notifying = true;
  setImmediate(() => {
    notifying = false;
    for (const l of listeners) l();
  });
}

export type OcrSelection =
  | { incomingId: number } | { attachmentIds: readonly number[] }
  | { outgoingId: number } | { outgoingFileIds: readonly number[] }
  | { all: true };

/**
 * Queues files of compartment `c` for OCR (inside the caller's transaction; idempotent: a file queued
 * or done is left as it is). Files sealed for a named person ("Chỉ người có tên mới được bóc bì") are
 * never read: nobody but that person may see inside, and the job runs as nobody. A handler's draft is
 * not the document's file. Returns how many were queued.
 *
 * An outgoing document's files are queued for its current version only: the draft in the approval
 * chain is the document itself (its drafter, approvers and signer search the register for it), so its
 * files are read like a registered one's; a version superseded since is not read (the job drops it),
 * and a file carried over unchanged into a new version takes the pages already read (OcrService).
 * Outgoing documents have no envelope sealed for a named person.
 */
export function enqueueOcr(db: Db, c: string, sel: OcrSelection, at: Date = new Date()): number {
  const iso = at.toISOString();
  const base = `INSERT OR IGNORE INTO ${c}.ocr_queue (attachment_id, incoming_id, queued_at)
    SELECT a.id, a.incoming_id, ? FROM ${c}.attachments a
    WHERE a.sealed_for IS NULL AND a.draft_step_id IS NULL AND a.mime IN (${MIMES_SQL})`;
  const out = `INSERT OR IGNORE INTO ${c}.ocr_queue (attachment_id, outgoing_id, queued_at)
    SELECT f.id, f.outgoing_id, ? FROM ${c}.outgoing_files f JOIN ${c}.outgoing o ON o.id = f.outgoing_id
    WHERE f.version = o.version AND f.mime IN (${MIMES_SQL})`;
  let changes: number;
  if ('incomingId' in sel) changes = cached(db, `${base} AND a.incoming_id = ?`).run(iso, sel.incomingId).changes;
  else if ('attachmentIds' in sel) changes = cached(db, `${base} AND a.id IN (SELECT value FROM json_each(?))`).run(iso, JSON.stringify(sel.attachmentIds)).changes;
  else if ('outgoingId' in sel) changes = cached(db, `${out} AND f.outgoing_id = ?`).run(iso, sel.outgoingId).changes;
  else if ('outgoingFileIds' in sel) changes = cached(db, `${out} AND f.id IN (SELECT value FROM json_each(?))`).run(iso, JSON.stringify(sel.outgoingFileIds)).changes;
  else changes = db.prepare(base).run(iso).changes + (hasOutgoingOcr(db, c) ? db.prepare(out).run(iso).changes : 0);
  if (changes > 0) announceOcrQueued();
  return changes;
}

const present = new WeakMap<Db, Map<string, boolean>>();

/** Whether compartment `c` has the OCR tables (a base in the old single-file layout has none). */
export function hasOcrTables(db: Db, c: string): boolean {
  let known = present.get(db);
  if (!known) present.set(db, (known = new Map()));
  let has = known.get(c);
  if (has === undefined) {
    has = db.prepare(`SELECT 1 FROM ${c}.sqlite_master WHERE type = 'table' AND name = 'ocr_pages'`).get() !== undefined;
    // Only a yes is remembered: a compartment migrated later in the session gains the tables.
    if (has) known.set(c, has);
  }
  return has;
}

/** Whether compartment `c` can queue outgoing files (compartment migration 14). */
export function hasOutgoingOcr(db: Db, c: string): boolean {
  let known = present.get(db);
  if (!known) present.set(db, (known = new Map()));
  if (known.get(`${c}.outgoing`)) return true;
  const has = db.prepare(`SELECT 1 FROM ${c}.sqlite_master WHERE type = 'table' AND name = 'outgoing_fts'`).get() !== undefined;
  if (has) known.set(`${c}.outgoing`, true);
  return has;
}

/** The folded words of every page read of a record's files, for its full-text index ('' when none). */
export function ocrIndexText(db: Db, c: string, incomingId: number): string {
  if (!hasOcrTables(db, c)) return '';
  const texts = cached(db, `SELECT text FROM ${c}.ocr_pages WHERE incoming_id = ? ORDER BY attachment_id, page`).pluck().all(incomingId) as string[];
  return texts.length === 0 ? '' : searchTokens(texts.join('\n')).join(' ');
}

/** The OCR rows of a record move with it to another compartment (a level change), before it is indexed there. */
export function copyOcr(db: Db, from: string, to: string, incomingId: number): void {
  if (!hasOcrTables(db, from) || !hasOcrTables(db, to)) return;
  db.prepare(`INSERT OR IGNORE INTO ${to}.ocr_pages SELECT * FROM ${from}.ocr_pages WHERE incoming_id = ?`).run(incomingId);
  db.prepare(`INSERT OR IGNORE INTO ${to}.ocr_queue SELECT * FROM ${from}.ocr_queue WHERE incoming_id = ?`).run(incomingId);
}

/** Removes a record's OCR rows (the record left the compartment or was destroyed). */
export function purgeOcr(db: Db, c: string, incomingId: number): void {
  if (!hasOcrTables(db, c)) return;
  db.prepare(`DELETE FROM ${c}.ocr_pages WHERE incoming_id = ?`).run(incomingId);
  db.prepare(`DELETE FROM ${c}.ocr_queue WHERE incoming_id = ?`).run(incomingId);
}

/**
 * Puts the words read from an outgoing document's current files into its entry of outgoing_fts (the
 * register's search reads the metadata beside it). A superseded version's words leave the entry.
 */
export function indexOutgoingOcr(db: Db, c: string, outgoingId: number): void {
  if (!hasOutgoingOcr(db, c)) return;
  const texts = cached(db, `SELECT p.text FROM ${c}.ocr_pages p JOIN ${c}.outgoing_files f ON f.id = p.attachment_id
    JOIN ${c}.outgoing o ON o.id = f.outgoing_id WHERE p.outgoing_id = ? AND f.version = o.version ORDER BY f.ordinal, p.page`).pluck().all(outgoingId) as string[];
  cached(db, `DELETE FROM ${c}.outgoing_fts WHERE rowid = ?`).run(outgoingId);
  const words = texts.length === 0 ? '' : [...new Set(searchTokens(texts.join('\n')))].join(' ');
  if (words) cached(db, `INSERT INTO ${c}.outgoing_fts (rowid, body) VALUES (?, ?)`).run(outgoingId, words);
}

/** An outgoing document's files, added in the caller's transaction (a new draft or version): queued, and its entry follows the version. */
export function queueOutgoingFiles(db: Db, c: string, outgoingId: number, at: Date): void {
  if (!hasOutgoingOcr(db, c)) return;
  enqueueOcr(db, c, { outgoingId }, at);
  indexOutgoingOcr(db, c, outgoingId);
}
