// The folded full-text index of incoming documents. The index is contentless: it holds the folded
// words only, fed by the service in the same transaction as the record.
import { foldVietnamese } from '../../../common/vietnamese';
import type { Db } from '../db/connection';

export interface IndexedFields {
  subject: string;
  numberSymbol: string;
  issuerName: string;
  notes: string;
}

export function indexText(f: IndexedFields): string {
  return foldVietnamese([f.subject, f.numberSymbol, f.issuerName, f.notes].join(' \n '));
}

export function indexIncoming(db: Db, id: number, f: IndexedFields): void {
  db.prepare('INSERT INTO incoming_fts (rowid, body) VALUES (?, ?)').run(id, indexText(f));
}

export function unindexIncoming(db: Db, id: number): void {
  db.prepare('DELETE FROM incoming_fts WHERE rowid = ?').run(id);
}
