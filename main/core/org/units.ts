// Known units: this agency itself and the bodies it corresponds with (issuers of incoming documents).
import type { KnownUnit } from '../../../common/contract';
import { foldVietnamese } from '../../../common/vietnamese';
import type { Db } from '../db/connection';
import { recordChange } from '../events/eventLog';

export function addUnit(db: Db, name: string, code: string | null, isSelf = false, by: number | null = null, now = new Date()): number {
  const res = db
    .prepare('INSERT INTO units (name, name_folded, code, is_self, created_at) VALUES (?,?,?,?,?)')
    .run(name, foldVietnamese(name), code, isSelf ? 1 : 0, now.toISOString());
  const id = Number(res.lastInsertRowid);
  recordChange(db, 'units', id, 'create', by, now);
  return id;
}

export function findUnit(db: Db, id: number): KnownUnit | undefined {
  return db.prepare('SELECT id, name, code FROM units WHERE id = ?').get(id) as KnownUnit | undefined;
}

/** Units whose folded name contains every folded word of the query ("quan uy ba dinh"). */
export function searchUnits(db: Db, query: string, limit: number): KnownUnit[] {
  const words = foldVietnamese(query).split(/\s+/).filter(Boolean).slice(0, 8);
  const where = words.map(() => "name_folded LIKE ? ESCAPE '\\'").join(' AND ');
  const params = words.map((w) => `%${w.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  const sql = `SELECT id, name, code FROM units WHERE is_self = 0 ${where ? `AND ${where}` : ''} ORDER BY name_folded LIMIT ?`;
  return db.prepare(sql).all(...params, limit) as KnownUnit[];
}
