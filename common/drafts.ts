// Drafts of unfinished forms, kept (in the encrypted profile) for the same person across a lock.
// What a draft may hold is bounded here: the renderer saves it, main checks it with these schemas.
import { z } from 'zod';
import { ARRIVAL_CHANNELS } from './domain';
import { m, secrecySchema, urgencySchema } from './schemas';

export const DRAFT_KINDS = ['incoming.register'] as const;
export type DraftKind = (typeof DRAFT_KINDS)[number];

/** Largest draft accepted, as JSON (UTF-8 bytes): a form's text, never its files. */
export const DRAFT_MAX_BYTES = 64 * 1024;

const STAGED_ID = /^[0-9a-f]{32}$/;
const text = (max: number) => z.string().max(max);

/** A staged file the draft refers to (the bytes stay in staging, encrypted, owned by the person). */
export const draftFileSchema = z
  .object({
    stagedId: z.string().regex(STAGED_ID),
    name: text(255),
    size: z.number().int().min(0),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    isPdf: z.boolean(),
  })
  .strict();
export type DraftFileRef = z.infer<typeof draftFileSchema>;

/**
 * "Vào sổ văn bản đến" as typed, which may not be valid yet (dates as typed, dd/mm/yyyy). Fields
 * the form gains later travel along unchecked until they are listed here; the whole draft is
 * bounded by DRAFT_MAX_BYTES.
 */
export const incomingRegisterDraftSchema = z.looseObject({
  secrecy: secrecySchema,
  urgency: urgencySchema,
  registerId: z.number().int().positive().nullable(),
  issuerName: text(1000),
  issuerUnitId: z.number().int().positive().nullable(),
  issuerCode: text(64).nullable(),
  numberSymbol: text(200),
  documentDate: text(20),
  arrivalDate: text(20),
  deadline: text(20),
  typeCode: text(100),
  typeChosen: z.boolean(),
  subject: text(4000),
  recipients: z.array(z.union([
    text(300),
    z.object({ kind: z.enum(['unit', 'user']), id: z.number().int().positive(), name: text(300) }).strict(),
    z.object({ kind: z.literal('text'), name: text(300) }).strict(),
  ])).max(100),
  notes: text(8000),
  signer: text(500),
  pageCount: text(20),
  copyCount: text(20),
  arrivalChannel: z.enum(ARRIVAL_CHANNELS),
  // The marks of a secret document (optional: drafts saved before they existed restore without them).
  protectionUntil: text(20).optional(),
  recalled: z.boolean().optional(),
  namedOnly: z.boolean().optional(),
  namedRecipient: z.array(z.union([
    z.object({ kind: z.enum(['unit', 'user']), id: z.number().int().positive(), name: text(300) }).strict(),
    z.object({ kind: z.literal('text'), name: text(300) }).strict(),
  ])).max(1).optional(),
  /** "Hạn chế phạm vi" ticked (Thường only). */
  restricted: z.boolean().optional(),
  files: z.array(draftFileSchema).max(20),
});
export type IncomingRegisterDraft = z.infer<typeof incomingRegisterDraftSchema>;

const withinSize = (data: unknown) => new TextEncoder().encode(JSON.stringify(data)).length <= DRAFT_MAX_BYTES;
const tooLarge = m('draft.tooLarge', { max: DRAFT_MAX_BYTES / 1024 });

export const draftSaveSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('incoming.register'), data: incomingRegisterDraftSchema.refine(withinSize, tooLarge) }).strict(),
]);
export type DraftSaveInput = z.infer<typeof draftSaveSchema>;

export const draftKindSchema = z.object({ kind: z.enum(DRAFT_KINDS) }).strict();

/** A saved draft as it comes back: its data and when it was saved (ISO). */
export interface SavedDraft<K extends DraftKind = DraftKind> {
  kind: K;
  data: IncomingRegisterDraft;
  savedAt: string;
}
