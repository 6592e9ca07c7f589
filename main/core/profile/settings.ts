import type { Db } from '../db/connection';
import { cached } from '../db/statements';

export type SettingKey = 'self_unit_id' | 'numbering_preset' | 'attachment_limit_bytes' | 'workstation_id'
  // Roles that may register documents (JSON array; org/registerPolicy.ts).
  | 'register_roles'
  // Compartments (compartments/split.ts): the layout, a vacuum still owed, this profile's own id.
  | 'layout' | 'vacuum_pending' | 'profile_id'
  // Processing (main/core/processing/rules.ts): the working calendar and the processing rules (JSON).
  | 'work_calendar' | 'processing_rules'
  // Outgoing documents (outgoing/config.ts): issuer notation, same-day issue, agency certificates (JSON).
  | 'outgoing_config'
  // The agency's seal image (outgoing/seal.ts): a PNG, base64.
  | 'agency_seal'
  // The legacy import's mappings saved by name (import/savedMappings.ts, JSON).
  | 'import_mappings'
  // A hash of the computer the profile runs on (sync/machineBinding.ts).
  | 'workstation_machine';

export function getSetting(db: Db, key: SettingKey): string | undefined {
  // Cached: every change event reads the workstation id (a bulk import writes thousands in a row).
  return cached(db, 'SELECT value FROM settings WHERE key = ?').pluck().get(key) as string | undefined;
}

export function setSetting(db: Db, key: SettingKey, value: string): void {
  db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
}
