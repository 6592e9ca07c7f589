// Mappings saved by name in the profile (settings "import_mappings"), shared by the clerks of the
// workstation: the same old register is usually imported year after year with the same columns.
import { DeskError } from '../../../common/errors';
import type { Db } from '../db/connection';
import { writeTx } from '../db/transaction';
import { getSetting, setSetting } from '../profile/settings';
import { parseMapping, type Mapping } from './mapping';

export interface SavedMapping { name: string; mapping: Mapping; savedBy: number; savedAt: string }

function all(db: Db): Record<string, SavedMapping> {
  const raw = getSetting(db, 'import_mappings');
  if (!raw) return {};
  const parsed = JSON.parse(raw) as Record<string, SavedMapping>;
  // A mapping saved by an older version that no longer parses is dropped from the list, not fatal.
  const out: Record<string, SavedMapping> = {};
  for (const [k, v] of Object.entries(parsed)) {
    try { out[k] = { ...v, mapping: parseMapping(v.mapping) }; } catch { /* skipped */ }
  }
  return out;
}

export function listMappings(db: Db): SavedMapping[] {
  return Object.values(all(db)).sort((a, b) => a.name.localeCompare(b.name, 'vi'));
}

export function getMapping(db: Db, name: string): SavedMapping {
  const m = all(db)[name.normalize('NFC').trim()];
  if (!m) throw DeskError.keyed('NOT_FOUND', 'import.mapping.notFound', { name });
  return m;
}

/** Saves (or replaces) a mapping under its name. */
export function saveMapping(db: Db, name: string, mapping: Mapping, by: number, now: Date): SavedMapping {
  const key = name.normalize('NFC').trim();
  const entry: SavedMapping = { name: key, mapping: parseMapping(mapping), savedBy: by, savedAt: now.toISOString() };
  writeTx(db, () => setSetting(db, 'import_mappings', JSON.stringify({ ...all(db), [key]: entry })));
  return entry;
}

export function deleteMapping(db: Db, name: string): void {
  const key = name.normalize('NFC').trim();
  writeTx(db, () => {
    const rest = all(db);
    if (!rest[key]) throw DeskError.keyed('NOT_FOUND', 'import.mapping.notFound', { name });
    delete rest[key];
    setSetting(db, 'import_mappings', JSON.stringify(rest));
  });
}
