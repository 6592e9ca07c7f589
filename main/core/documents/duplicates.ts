// Duplicate warning (NĐ 30/2020): the same number-symbol and document date, or the same file. The
// symbol is compared on its key (3/CĐ-TTg = 03/CĐ-TTg = 3/CĐ–TTg); the issuer is not part of the match,
// since one body is written many ways ("UBND tỉnh Quảng Ninh", "Ủy ban nhân dân tỉnh Quảng Ninh"): it is
// a second signal shown to the person (sameIssuer).
import type { DuplicateRef } from '../../../common/contract';
import { cleanTypedSymbol, numberSymbolKey as parsedKey } from '../../../common/numberSymbol';
import { foldVietnamese, searchTokens } from '../../../common/vietnamese';
import type { Db } from '../db/connection';
import { cached } from '../db/statements';
import { overArms, type Arm } from './arms';

/**
 * Comparison key of a number-symbol as stored in incoming.number_symbol_key: the parsed key (number
 * without leading zeros, notation folded); text that is not a number-symbol keeps its folded self.
 */
export const numberSymbolKey = (s: string): string =>
  parsedKey(s) ?? foldVietnamese(cleanTypedSymbol(s)).replace(/\s+/g, '');

/** Abbreviations of body names written either way. */
const ISSUER_WORDS: Record<string, string> = {
  ubnd: 'uy ban nhan dan',
  hdnd: 'hoi dong nhan dan',
  mttq: 'mat tran to quoc',
  tp: 'thanh pho',
};

/** Comparison key of an issuer name: folded words, common abbreviations spelled out. */
export const issuerKey = (s: string): string =>
  searchTokens(s).map((w) => ISSUER_WORDS[w] ?? w).join(' ');

const REF_COLUMNS = `i.id AS id, i.arrival_number AS arrivalNumber, r.name AS registerName, i.number_symbol AS numberSymbol,
  i.issuer_name AS issuerName, i.document_date AS documentDate`;

type Ref = Omit<DuplicateRef, 'reason' | 'sameIssuer'>;

export function findDuplicates(
  db: Db,
  arms: readonly Arm[],
  q: { numberSymbol: string; issuerName: string; documentDate: string; sha256s: string[] },
  maxRank: number,
): DuplicateRef[] {
  const out = new Map<number, DuplicateRef>();
  const key = q.numberSymbol ? parsedKey(q.numberSymbol) : null;
  if (key && q.documentDate) {
    const sq = overArms(arms, `SELECT ${REF_COLUMNS}, i.issuer_key AS issuerKey FROM {c}.incoming i JOIN registers r ON r.id = i.register_id
         WHERE i.number_symbol_key = ? AND i.document_date = ? AND i.secrecy_rank <= ?`, [key, q.documentDate, maxRank]);
    const rows = cached(db, `${sq.sql} ORDER BY id LIMIT 10`).all(...sq.params) as Array<Ref & { issuerKey: string }>;
    const issuer = q.issuerName.trim() ? issuerKey(q.issuerName) : null;
    for (const { issuerKey: k, ...r } of rows) {
      out.set(r.id, { ...r, reason: 'same_number_symbol', ...(issuer !== null ? { sameIssuer: k === issuer } : {}) });
    }
  }
  if (q.sha256s.length > 0) {
    // One file (a registration's usual case, and every import row's): a plain index look-up, no JSON.
    const one = q.sha256s.length === 1;
    const fq = overArms(arms, `SELECT DISTINCT ${REF_COLUMNS} FROM {c}.attachments a JOIN {c}.incoming i ON i.id = a.incoming_id
         JOIN registers r ON r.id = i.register_id
         WHERE a.sha256 ${one ? '= ?' : 'IN (SELECT value FROM json_each(?))'} AND i.secrecy_rank <= ?`, [one ? q.sha256s[0] : JSON.stringify(q.sha256s), maxRank]);
    const rows = cached(db, `${fq.sql} LIMIT 10`).all(...fq.params) as Ref[];
    for (const r of rows) if (!out.has(r.id)) out.set(r.id, { ...r, reason: 'same_file' });
  }
  return [...out.values()];
}
