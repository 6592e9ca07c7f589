// Duplicate warning (NĐ 30/2020): same number-symbol + issuer + document date, or the same file.
import type { DuplicateRef } from '../../../common/contract';
import { foldVietnamese } from '../../../common/vietnamese';
import type { Db } from '../db/connection';

/** Comparison key of a number-symbol: folded, without spaces ("15/QĐ-UBND" ~ "15/qd-ubnd"). */
export const numberSymbolKey = (s: string): string => foldVietnamese(s).replace(/\s+/g, '');
/** Comparison key of an issuer name: folded, single-spaced. */
export const issuerKey = (s: string): string => foldVietnamese(s).replace(/\s+/g, ' ').trim();

const REF_COLUMNS = `i.id, i.arrival_number AS arrivalNumber, r.name AS registerName, i.number_symbol AS numberSymbol,
  i.issuer_name AS issuerName, i.document_date AS documentDate`;

export function findDuplicates(
  db: Db,
  q: { numberSymbol: string; issuerName: string; documentDate: string; sha256s: string[] },
  maxRank: number,
): DuplicateRef[] {
  const out = new Map<number, DuplicateRef>();
  if (q.numberSymbol && q.documentDate) {
    const rows = db
      .prepare(
        `SELECT ${REF_COLUMNS} FROM incoming i JOIN registers r ON r.id = i.register_id
         WHERE i.number_symbol_key = ? AND i.document_date = ? AND i.issuer_key = ? AND i.secrecy_rank <= ? LIMIT 10`,
      )
      .all(numberSymbolKey(q.numberSymbol), q.documentDate, issuerKey(q.issuerName), maxRank) as Omit<DuplicateRef, 'reason'>[];
    for (const r of rows) out.set(r.id, { ...r, reason: 'same_number_symbol' });
  }
  if (q.sha256s.length > 0) {
    const rows = db
      .prepare(
        `SELECT DISTINCT ${REF_COLUMNS} FROM attachments a JOIN incoming i ON i.id = a.incoming_id
         JOIN registers r ON r.id = i.register_id
         WHERE a.sha256 IN (SELECT value FROM json_each(?)) AND i.secrecy_rank <= ? LIMIT 10`,
      )
      .all(JSON.stringify(q.sha256s), maxRank) as Omit<DuplicateRef, 'reason'>[];
    for (const r of rows) if (!out.has(r.id)) out.set(r.id, { ...r, reason: 'same_file' });
  }
  return [...out.values()];
}
