// Global identifiers: every record carries a UUIDv7 beside its local rowid. Version 7 starts with the
// creation time in milliseconds, so ids sort by creation and index well; the agency server and other
// workstations know a record only by this id.
import { createHash } from 'node:crypto';
import { v7 as uuidv7, validate, version } from 'uuid';

export const newGlobalId = (): string => uuidv7();

export const isGlobalId = (s: string): boolean => validate(s) && version(s) === 7;

/**
 * A UUIDv7 every workstation derives alike for the same thing (`basis`, at `atMs`): records that two
 * workstations may both create for one fact (a status owed for a processing step, an arrival by its packet
 * id) are then one record whose two creates merge, instead of two records with one packet id.
 */
export function derivedGlobalId(basis: string, atMs: number): string {
  const h = createHash('sha256').update(basis).digest('hex');
  const t = Math.max(0, Math.min(Math.floor(atMs), 2 ** 48 - 1)).toString(16).padStart(12, '0');
  const variant = '89ab'[parseInt(h[3]!, 16) % 4]!;
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-7${h.slice(0, 3)}-${variant}${h.slice(4, 7)}-${h.slice(7, 19)}`;
}
