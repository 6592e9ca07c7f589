// The outgoing documents a package selection holds: issued (or issued and recalled) documents of the
// levels this session holds, that the person may read (main/core/outgoing/records.ts maySee: cleared
// for the level and, above Thường, in the document's life or keeping the register), filtered as the
// selection says. Drafts never travel: a package carries what the agency issued.
import { foldVietnamese } from '../../../common/vietnamese';
import type { Arm } from '../compartments/levels';
import type { Db } from '../db/connection';
import { maySee, type OutgoingDbRow } from '../outgoing/records';
import type { Actor } from '../org/rights';
import type { PackageSelection } from './PackageService';

const folded = (s: string): string => foldVietnamese(s).toLowerCase();

export function selectOutgoing(db: Db, arms: readonly Arm[], actor: Actor, sel: PackageSelection): OutgoingDbRow[] {
  const out: OutgoingDbRow[] = [];
  const words = sel.query ? folded(sel.query).split(/\s+/).filter(Boolean) : [];
  for (const a of arms) {
    if (a.level === null || (sel.secrecy && !sel.secrecy.includes(a.level))) continue;
    const rows = db.prepare(`SELECT * FROM ${a.schema}.outgoing WHERE status IN ('issued','recalled')
        AND (? IS NULL OR substr(issued_date, 1, 4) = ?) AND (? IS NULL OR register_id = ?) ORDER BY issued_at, id`)
      .all(sel.year ?? null, sel.year ? String(sel.year) : null, sel.registerId ?? null, sel.registerId ?? null) as OutgoingDbRow[];
    for (const r of rows) {
      if (!maySee(r, actor)) continue;
      const text = folded(`${r.number_symbol ?? ''} ${r.subject}`);
      if (words.every((w) => text.includes(w))) out.push(r);
    }
  }
  return out;
}
