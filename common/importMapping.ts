// The legacy import's mapping (which source column feeds which field of the register), shared by
// the core (main/core/import/mapping.ts), the IPC contract and the window's mapping screen.
import { z } from 'zod';
import { SECRECY_LEVELS, URGENCY_LEVELS } from './domain';

export const IMPORT_ENCODINGS = ['utf8', 'utf16le', 'utf16be', 'cp1258', 'tcvn3', 'vni'] as const;
export type ImportEncoding = (typeof IMPORT_ENCODINGS)[number];

export const TARGET_FIELDS = [
  'arrivalDate', 'arrivalNumber', 'issuer', 'numberSymbol', 'documentDate', 'typeCode', 'subject', 'secrecy', 'urgency',
  'deadline', 'recipients', 'notes', 'signer', 'pageCount', 'copyCount', 'file',
] as const;
export type TargetField = (typeof TARGET_FIELDS)[number];

export const TRANSFORMS = ['upper', 'lower', 'firstLine', 'stripLabel'] as const;
export type Transform = (typeof TRANSFORMS)[number];

export const mappingSchema = z.object({
  version: z.literal(1),
  /** Sheets to read (XLSX); all by default. */
  sheets: z.array(z.string().min(1)).optional(),
  headerRow: z.number().int().min(1).max(50).optional(),
  encoding: z.enum(IMPORT_ENCODINGS).optional(),
  delimiter: z.string().length(1).optional(),
  columns: z.array(z.object({
    source: z.string().min(1).max(200),
    field: z.enum(TARGET_FIELDS),
    transforms: z.array(z.enum(TRANSFORMS)).default([]),
  })).min(1),
  defaults: z.object({
    secrecy: z.enum(SECRECY_LEVELS).default('thuong'),
    urgency: z.enum(URGENCY_LEVELS).default('thuong'),
    typeCode: z.string().min(1).max(60).optional(),
    issuer: z.string().min(1).max(300).optional(),
  }).default({ secrecy: 'thuong', urgency: 'thuong' }),
  /** Two-digit years below this are 20xx. */
  datePivot: z.number().int().min(0).max(100).default(50),
  registerId: z.number().int().positive().optional(),
  /** Files: the folder path columns are relative to (default: the source file's folder), or a naming rule ("{so}-{nam}.pdf"). */
  files: z.object({ folder: z.string().min(1).optional(), pattern: z.string().min(1).max(200).optional() }).default({}),
  /** Issuer names not in the directory, mapped by the clerk to a unit id (keys as written). */
  units: z.record(z.string(), z.number().int().positive()).default({}),
}).strict();
export type Mapping = z.output<typeof mappingSchema>;
export type MappingInput = z.input<typeof mappingSchema>;

/**
 * The mapping as the window sends it: no folder (the window never names a path; files come from the
 * uploaded archive), only a naming rule.
 */
export const windowMappingSchema = mappingSchema.extend({
  files: z.object({ pattern: z.string().min(1).max(200).optional() }).strict().default({}),
});
