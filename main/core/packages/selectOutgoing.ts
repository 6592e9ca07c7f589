// The outgoing documents a package selection holds: issued (or issued and recalled) documents of the
// levels this session holds, that the person may read (main/core/outgoing/records.ts maySee: cleared
// for the level and, above Thường, in the document's life or keeping the register), filtered as the
// selection says. Drafts never travel: a package carries what the agency issued. A selected work file
// must be one the person may know of (else NOT_FOUND, as if it did not exist).
import { DeskError } from '../../../common/errors';
import { foldVietnamese } from '../../../common/vietnamese';
import type { Arm } from '../compartments/levels';
import type { Db } from '../db/connection';
import { maySee, type OutgoingDbRow } from '../outgoing/records';
import type { Actor } from '../org/rights';
import { mayKnowFile, type FileFacts } from '../workfiles/rules';
import type { PackageSelection } from './PackageService';

const folded = (s: string): string => foldVietnamese(s).toLowerCase();

/** The records of `kind` filed in work file `id`, which the person must be allowed to know of. */
export function workFileRecords(db: Db, arms: readonly Arm[], actor: Actor, id: number, kind: 'incoming' | 'outgoing'): Set<number> {
  const f = db.prepare('SELECT * FROM main.work_files WHERE id = ?').get(id) as FileFacts | undefined;
  if (!f || !mayKnowFile(db, actor, f)) throw DeskError.keyed('NOT_FOUND', 'workFile.notFound');
  return new Set(arms.flatMap((a) => db.prepare(`SELECT record_id FROM ${a.schema}.work_file_items WHERE kind = ? AND work_file_id = ?`).pluck().all(kind, id) as number[]));
}

export function selectOutgoing(db: Db, arms: readonly Arm[], actor: Actor, sel: PackageSelection): OutgoingDbRow[] {
  const out: OutgoingDbRow[] = [];
  const inFile = sel.workFileId === undefined ? null : workFileRecords(db, arms, actor, sel.workFileId, 'outgoing');
  const words = sel.query ? folded(sel.query).split(/\s+/).filter(Boolean) : [];
  for (const a of arms) {
    if (a.level === null || (sel.secrecy && !sel.secrecy.includes(a.level))) continue;
    const rows = db.prepare(`SELECT * FROM ${a.schema}.outgoing WHERE status IN ('issued','recalled')
        AND (? IS NULL OR substr(issued_date, 1, 4) = ?) AND (? IS NULL OR register_id = ?) ORDER BY issued_at, id`)
      .all(sel.year ?? null, sel.year ? String(sel.year) : null, sel.registerId ?? null, sel.registerId ?? null) as OutgoingDbRow[];
    for (const r of rows) {
      if (!maySee(r, actor) || (inFile && !inFile.has(r.id))) continue;
      const text = folded(`${r.number_symbol ?? ''} ${r.subject}`);
      if (words.every((w) => text.includes(w))) out.push(r);
    }
  }
  return out;
}
