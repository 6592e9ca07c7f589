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

/** What a batch's duplicate look-up needs to know of a record written after it ran (in the same transaction). */
export interface WrittenRef extends Ref { numberSymbolKey: string | null; issuerKey: string; sha256s: readonly string[]; secrecyRank: number }

/**
 * findDuplicates for many registrations at once (the bulk import's write slice): two queries for the
 * whole batch instead of two per row, then each row's answer as findDuplicates would give it, with the
 * records the batch wrote before that row (`written`, added as they are) included. Runs inside the
 * caller's write transaction, so nothing else writes between the look-up and the rows.
 */
export class BatchDuplicates {
  private readonly bySymbol = new Map<string, Array<Ref & { issuerKey: string }>>();
  private readonly byFile = new Map<string, Ref[]>();
  private readonly keysLooked = new Set<string>();
  private readonly filesLooked = new Set<string>();

  constructor(
    private readonly db: Db, private readonly arms: readonly Arm[],
    qs: ReadonlyArray<{ numberSymbol: string; documentDate: string; sha256s: readonly string[] }>, private readonly maxRank: number,
  ) {
    this.lookUp(qs.flatMap((q) => {
      const key = q.numberSymbol && q.documentDate ? parsedKey(q.numberSymbol) : null;
      return key ? [key] : [];
    }), qs.flatMap((q) => q.sha256s));
  }

  /** The records with these symbol keys or file hashes, each key and hash looked up once. */
  private lookUp(keyList: readonly string[], fileList: readonly string[]): void {
    const keys = [...new Set(keyList)].filter((k) => !this.keysLooked.has(k));
    if (keys.length > 0) {
      for (const k of keys) this.keysLooked.add(k);
      const sq = overArms(this.arms, `SELECT ${REF_COLUMNS}, i.issuer_key AS issuerKey, i.number_symbol_key AS k FROM {c}.incoming i JOIN registers r ON r.id = i.register_id
           WHERE i.number_symbol_key IN (SELECT value FROM json_each(?)) AND i.secrecy_rank <= ?`, [JSON.stringify(keys), this.maxRank]);
      for (const { k, ...r } of cached(this.db, sq.sql).all(...sq.params) as Array<Ref & { issuerKey: string; k: string }>) {
        push(this.bySymbol, `${k}\u0000${r.documentDate}`, r);
      }
    }
    const files = [...new Set(fileList)].filter((f) => !this.filesLooked.has(f));
    if (files.length > 0) {
      for (const f of files) this.filesLooked.add(f);
      const fq = overArms(this.arms, `SELECT DISTINCT ${REF_COLUMNS}, a.sha256 AS sha FROM {c}.attachments a JOIN {c}.incoming i ON i.id = a.incoming_id
           JOIN registers r ON r.id = i.register_id WHERE a.sha256 IN (SELECT value FROM json_each(?)) AND i.secrecy_rank <= ?`, [JSON.stringify(files), this.maxRank]);
      for (const { sha, ...r } of cached(this.db, fq.sql).all(...fq.params) as Array<Ref & { sha: string }>) push(this.byFile, sha, r);
    }
  }

  /** A record written by the batch after the look-up: later rows see it as findDuplicates would. */
  written(w: WrittenRef): void {
    if (w.secrecyRank > this.maxRank) return;
    const { numberSymbolKey: k, issuerKey: ik, sha256s, secrecyRank: _rank, ...ref } = w;
    // Only under keys and hashes already looked up: one looked up later finds the record in the table.
    if (k && this.keysLooked.has(k)) push(this.bySymbol, `${k}\u0000${ref.documentDate}`, { ...ref, issuerKey: ik });
    for (const sha of new Set(sha256s)) if (this.filesLooked.has(sha)) push(this.byFile, sha, ref);
  }

  /** The same answer as findDuplicates(db, arms, q, maxRank) at this point of the transaction. */
  find(q: { numberSymbol: string; issuerName: string; documentDate: string; sha256s: readonly string[] }): DuplicateRef[] {
    const out = new Map<number, DuplicateRef>();
    const key = q.numberSymbol ? parsedKey(q.numberSymbol) : null;
    // A row the batch was not told of (its symbol spelled otherwise here) is looked up now.
    this.lookUp(key && q.documentDate ? [key] : [], q.sha256s);
    if (key && q.documentDate) {
      const rows = byId(this.bySymbol.get(`${key}\u0000${q.documentDate}`) ?? []).slice(0, 10);
      const issuer = q.issuerName.trim() ? issuerKey(q.issuerName) : null;
      for (const { issuerKey: k, ...r } of rows) out.set(r.id, { ...r, reason: 'same_number_symbol', ...(issuer !== null ? { sameIssuer: k === issuer } : {}) });
    }
    if (q.sha256s.length > 0) {
      const rows = byId(q.sha256s.flatMap((sha) => this.byFile.get(sha) ?? [])).slice(0, 10);
      for (const r of rows) if (!out.has(r.id)) out.set(r.id, { ...r, reason: 'same_file' });
    }
    return [...out.values()];
  }
}

/** Each record once, in id order. */
function byId<T extends { id: number }>(rows: readonly T[]): T[] {
  return [...new Map(rows.map((r) => [r.id, r])).values()].sort((a, b) => a.id - b.id);
}

function push<T>(m: Map<string, T[]>, k: string, v: T): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}
