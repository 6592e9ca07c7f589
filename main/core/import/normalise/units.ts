// Issuers matched to the directory of known bodies (units): by identifier code, or by name folded
// (case, diacritics, spacing, the usual abbreviations such as UBND). What matches nothing is listed
// for the clerk to map (mapping.units), and registered meanwhile under the name as written.
import { checkIdentifierCode } from '../../../../common/identifierCode';
import type { Db } from '../../db/connection';
import { issuerKey } from '../../documents/duplicates';

export interface UnitRef { id: number; name: string; code: string | null }

export interface UnitDirectory {
  byCode: Map<string, UnitRef>;
  byName: Map<string, UnitRef>;
}

export function unitDirectory(db: Db): UnitDirectory {
  const units = db.prepare('SELECT id, name, code FROM units WHERE is_self = 0 ORDER BY id').all() as UnitRef[];
  const byCode = new Map<string, UnitRef>();
  const byName = new Map<string, UnitRef>();
  for (const u of units) {
    if (u.code) byCode.set(u.code.toUpperCase(), u);
    const k = issuerKey(u.name);
    if (!byName.has(k)) byName.set(k, u);
  }
  return { byCode, byName };
}

export type UnitMatch = { kind: 'code' | 'name' | 'mapped'; unit: UnitRef } | { kind: 'unknown'; name: string };

/**
 * Matches issuers against one directory and one set of choices, each distinct text folded once: a
 * register of 60 000 rows names a few hundred bodies, and folding (Unicode decomposition, the
 * abbreviations) is the cost, not the lookups. The units are indexed by id once, for the choices.
 */
export class UnitMatcher {
  private readonly byId = new Map<number, UnitRef>();
  private readonly known = new Map<string, UnitMatch>();

  /** `mapped`: the clerk's choices for names not in the directory (folded name -> unit id). */
  constructor(private readonly dir: UnitDirectory, private readonly mapped: ReadonlyMap<string, number>) {
    // The first unit of an id wins, by name then by code (they are the same row either way).
    for (const u of [...dir.byName.values(), ...dir.byCode.values()]) if (!this.byId.has(u.id)) this.byId.set(u.id, u);
  }

  match(text: string): UnitMatch {
    let m = this.known.get(text);
    if (m === undefined) this.known.set(text, (m = this.fold(text)));
    return m;
  }

  private fold(text: string): UnitMatch {
    const t = text.trim();
    const code = checkIdentifierCode(t);
    if (code.ok) {
      const u = this.dir.byCode.get(code.code!);
      if (u) return { kind: 'code', unit: u };
    }
    const k = issuerKey(t);
    const byName = this.dir.byName.get(k);
    if (byName) return { kind: 'name', unit: byName };
    const id = this.mapped.get(k);
    if (id !== undefined) {
      const u = this.byId.get(id);
      if (u) return { kind: 'mapped', unit: u };
    }
    return { kind: 'unknown', name: t };
  }
}
