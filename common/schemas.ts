// Input schemas shared by the renderer (errors at the field) and main (the real check).
import { z } from 'zod';
import {
  ARRIVAL_CHANNELS,
  AUTHORITY_KINDS,
  SIGNING_PREFIXES,
  UNIT_ROLES,
  checkDocumentType,
  DEADLINE_FILTERS,
  INCOMING_STATUSES,
  NUMBERING_PRESETS,
  RESET_PERIODS,
  ROLES,
  SECRECY_LEVELS,
  URGENCY_LEVELS,
} from './domain';
import { TRACKED } from './processing';
import { formatDateVn, isValidIsoDate, MIN_YEAR, todayIso, yearOf } from './dates';
import { checkIdentifierCode } from './identifierCode';
import { parseNumberSymbol } from './numberSymbol';
import { isLabelKey, keyOfVietnamese, LABELS_VI, viMessage, type LabelKey, type MessageKey, type MessageParams, type Msg } from './messages';

/**
 * A catalog message as a zod message. zod carries strings only: the message is the Vietnamese
 * text (what ZodError and the CLI show), and the text is remembered with its key and parameters so
 * fieldMessages() can hand the window the key to word in the person's language.
 */
const keyOfText = new Map<string, Msg>();
export function m(key: MessageKey, params?: MessageParams): string {
  const text = viMessage(key, params);
  if (!keyOfText.has(text)) keyOfText.set(text, params ? { key, params } : { key });
  return text;
}

// zod's own wording (English) for issues a schema gives no message for: keyed, generic ones.
z.config({
  customError: (iss) => {
    const origin = (iss as { origin?: string }).origin;
    const max = Number((iss as { maximum?: unknown }).maximum);
    const min = Number((iss as { minimum?: unknown }).minimum);
    switch (iss.code) {
      case 'too_big':
        return origin === 'string' ? m('value.tooLong', { max }) : origin === 'array' || origin === 'set' ? m('value.tooMany', { max }) : m('value.tooBig', { max });
      case 'too_small':
        return origin === 'string' ? m('value.tooShort', { min }) : origin === 'array' || origin === 'set' ? m('value.tooFew', { min }) : m('value.tooSmall', { min });
      case 'unrecognized_keys':
        return m('value.unknownKey');
      default:
        return m('value.invalid');
    }
  },
});

const text = (max: number, required: string) =>
  z.string({ error: required }).trim().min(1, required).max(max, m('value.tooLong', { max }));

/** The label key of a field named in Vietnamese (`isoDate('ngày văn bản')`), when the catalog has it. */
const labelKeyOf = (label: string): LabelKey | undefined =>
  isLabelKey(label) ? label : (Object.keys(LABELS_VI) as LabelKey[]).find((k) => LABELS_VI[k] === label);

export const isoDate = (label: string) => {
  const field = labelKeyOf(label);
  const required = field ? m('field.required', { field }) : `Chưa nhập ${label}.`;
  const invalid = field ? m('date.invalid', { field }) : `${capitalise(label)} không phải ngày hợp lệ (dd/mm/yyyy).`;
  return z.string({ error: required }).min(1, required).refine(isValidIsoDate, invalid);
};

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export const identifierCodeSchema = z.string().superRefine((v, ctx) => {
  const r = checkIdentifierCode(v);
  if (!r.ok) ctx.addIssue({ code: 'custom', message: m(r.key ?? 'unitCode.invalid', r.params) });
});

export const numberSymbolSchema = z.string().superRefine((v, ctx) => {
  const r = parseNumberSymbol(v);
  if (!r.ok) ctx.addIssue({ code: 'custom', message: m(r.msg.key, r.msg.params) });
});

/** A type from the list (its code), or written by name when it has none (common/domain checkDocumentType). */
export const documentTypeSchema = z.string({ error: m('docType.required') }).transform((v, ctx) => {
  const r = checkDocumentType(v);
  if (r.ok) return r.code;
  ctx.addIssue({ code: 'custom', message: r.reason });
  return z.NEVER;
});

export const secrecySchema = z.enum(SECRECY_LEVELS, { error: m('secrecy.invalid') });
export const urgencySchema = z.enum(URGENCY_LEVELS, { error: m('urgency.invalid') });
export const roleSchema = z.enum(ROLES, { error: m('role.invalid') });
const id = z.number().int().positive();

export const setupInputSchema = z.object({
  unit: z.object({
    name: text(300, m('field.required', { field: 'unitName' })),
    code: identifierCodeSchema,
    preset: z.enum(NUMBERING_PRESETS, { error: m('preset.required') }),
  }),
  admin: z.object({
    fullName: text(120, m('field.required', { field: 'fullName' })),
    position: text(120, m('field.required', { field: 'position' })),
    role: roleSchema,
    clearance: secrecySchema,
  }),
  /** The agency's own units (phòng, ban), one level, to choose recipients from; more later under Quản trị. */
  internalUnits: z.array(text(200, m('unit.nameRequired'))).max(100, m('units.tooMany', { max: 100 })).optional(),
});
export type SetupInput = z.infer<typeof setupInputSchema>;

/**
 * A token as the window names it: the opaque id of a PKCS#11 module that discovery found (never a
 * path: only the machine configuration and discovery decide which libraries are loaded) and the
 * token's serial number.
 */
export const MODULE_ID_PATTERN = /^[0-9a-f]{16}$/;
export const tokenRefSchema = z
  .object({
    moduleId: z.string().regex(MODULE_ID_PATTERN, 'Thiết bị ký số không hợp lệ.'),
    serial: z.string().min(1).max(64),
  })
  .strict();
/** The PIN crosses once to the token bridge; it is never stored, logged or echoed in an error. */
export const pinSchema = z
  .string({ error: m('field.required', { field: 'pin' }) })
  .min(4, m('pin.tooShort', { min: 4 }))
  .max(64, m('pin.tooLong', { max: 64 }))
  .optional();
export const setupWithTokenSchema = setupInputSchema.extend({ token: tokenRefSchema, pin: pinSchema }).strict();

export const newUserSchema = z
  .object({
    fullName: text(120, m('field.required', { field: 'fullName' })),
    position: text(120, m('field.required', { field: 'position' })),
    role: roleSchema,
    clearance: secrecySchema,
  })
  .strict();

/** A recipient inside the agency: one of its units, one of its people, or a name written freely. */
export const recipientSchema = z.union([
  z.string().trim().min(1, m('recipient.required')).max(200, m('value.tooLong', { max: 200 })),
  z.object({ unitId: id }).strict(),
  z.object({ userId: id }).strict(),
]);
export type RecipientInput = z.infer<typeof recipientSchema>;

const count = (field: LabelKey, max: number) =>
  z.number({ error: m('count.notNumber', { field }) }).int(m('count.notInteger', { field }))
    .min(1, m('count.tooSmall', { field, min: 1 })).max(max, m('count.tooBig', { field, max }));

/** Every field of a register entry as typed; the date rules are in makeIncomingRegisterSchema. */
export const incomingFieldsSchema = z.object({
  registerId: id.optional(),
  issuer: z.object({
    unitId: id.optional(),
    name: text(300, m('field.required', { field: 'issuer' })),
  }),
  numberSymbol: numberSymbolSchema,
  documentDate: isoDate('documentDate'),
  arrivalDate: isoDate('arrivalDate').optional(),
  typeCode: documentTypeSchema,
  subject: z.string().trim().max(500, m('subject.tooLong', { max: 500 })).default(''),
  secrecy: secrecySchema,
  urgency: urgencySchema,
  deadline: isoDate('deadline').optional(),
  recipients: z.array(recipientSchema).max(30, m('recipients.tooMany', { max: 30 })).default([]),
  notes: z.string().trim().max(2000, m('notes.tooLong', { max: 2000 })).default(''),
  /** Phụ lục VI: số trang, số bản, người ký, and how it arrived. */
  pageCount: count('pageCount', 100_000).optional(),
  copyCount: count('copyCount', 10_000).optional(),
  signer: z.string().trim().max(120, m('signer.tooLong', { max: 120 })).optional(),
  arrivalChannel: z.enum(ARRIVAL_CHANNELS, { error: m('arrivalChannel.required') }).optional(),
  /** "Tài liệu thu hồi": the document is to be returned to its sender. */
  recalled: z.boolean().optional(),
  /** "Chỉ người có tên mới được bóc bì": the person named on the envelope; only they open the files. */
  namedRecipient: id.optional(),
  /** A protection period shorter than the law's, written on the document (its end date). */
  protectionUntil: isoDate('protectionUntil').optional(),
  /** "Hạn chế phạm vi": a Thường record seen only by its distribution (need-to-know), not the whole agency. */
  restricted: z.boolean().optional(),
  stagedIds: z
    .array(z.string().regex(/^[0-9a-f]{32}$/, m('attachments.invalid')))
    .min(1, m('attachments.required'))
    .max(20, m('attachments.tooMany', { max: 20 })),
  acknowledgeDuplicates: z.boolean().default(false),
  /** The văn thư confirmed registering into a past year, or before the latest arrival of the register. */
  acknowledgeOutOfOrder: z.boolean().optional(),
  /** A shared register, the agency server out of reach, not the register's home: register now, the number later ("Chờ cấp số"). */
  awaitNumber: z.boolean().optional(),
});

/** A date rule broken at a field: the catalog message, and its Vietnamese text. */
export interface DateIssue { path: string; msg: Msg; message: string }

/** "Năm 1900 của ngày văn bản không hợp lệ …" for a year outside [min, max]; null when inside. */
function yearIssue(iso: string, field: LabelKey, min: number, max: number): Msg | null {
  const year = yearOf(iso);
  return year < min || year > max ? { key: 'date.yearRange', params: { year, field, min, max } } : null;
}

/**
 * The date rules of a registration, at the field that is wrong: the arrival date is not after today,
 * the document date is not after the arrival (nor after today when no arrival date is given), the
 * deadline is not before the document date, and every year is within bounds. `today` is a date in
 * Vietnam. Shared by the schema (the form, the router) and the core (with its own clock).
 */
export function incomingDateIssues(
  v: { documentDate?: string | undefined; arrivalDate?: string | undefined; deadline?: string | null | undefined },
  today: string,
): DateIssue[] {
  const issues: DateIssue[] = [];
  const thisYear = yearOf(today);
  const ok = (d: string | null | undefined): d is string => typeof d === 'string' && isValidIsoDate(d);
  const add = (path: string, msg: Msg | null) => {
    if (msg && !issues.some((i) => i.path === path)) issues.push({ path, msg, message: m(msg.key, msg.params) });
  };
  if (ok(v.arrivalDate)) {
    add('arrivalDate', yearIssue(v.arrivalDate, 'arrivalDate', MIN_YEAR, thisYear));
    if (v.arrivalDate > today) add('arrivalDate', { key: 'arrival.future', params: { today: formatDateVn(today) } });
  }
  if (ok(v.documentDate)) {
    add('documentDate', yearIssue(v.documentDate, 'documentDate', MIN_YEAR, thisYear + 1));
    if (ok(v.arrivalDate) && v.documentDate > v.arrivalDate && v.arrivalDate <= today)
      add('documentDate', { key: 'documentDate.afterArrivalOn', params: { arrival: formatDateVn(v.arrivalDate) } });
    else if (v.documentDate > today) add('documentDate', { key: 'documentDate.future', params: { today: formatDateVn(today) } });
  }
  if (ok(v.deadline)) {
    add('deadline', yearIssue(v.deadline, 'deadline', MIN_YEAR, thisYear + 5));
    if (ok(v.documentDate) && v.deadline < v.documentDate) add('deadline', { key: 'deadline.beforeDocument' });
  }
  return issues;
}

/** The registration schema for a clock: `today()` is today's date in Vietnam. */
export function makeIncomingRegisterSchema(today: () => string) {
  return incomingFieldsSchema.superRefine((v, ctx) => {
    // Tuyệt mật items are registered without their subject line (Law on State Secrets).
    if (v.secrecy !== 'tuyet_mat' && v.subject.length === 0)
      ctx.addIssue({ code: 'custom', path: ['subject'], message: m('field.required', { field: 'subject' }) });
    if (v.secrecy === 'tuyet_mat' && v.subject.length > 0)
      ctx.addIssue({
        code: 'custom',
        path: ['subject'],
        message: m('subject.tuyetMat'),
      });
    for (const issue of incomingDateIssues(v, today())) ctx.addIssue({ code: 'custom', path: [issue.path], message: issue.message });
  });
}

/** As the form and the router check it: today is the machine's today, in Vietnam. */
export const incomingRegisterSchema = makeIncomingRegisterSchema(() => todayIso());
export type IncomingRegisterInput = z.input<typeof incomingRegisterSchema>;

export const SORT_FIELDS = ['arrival', 'documentDate', 'deadline', 'numberSymbol', 'issuer'] as const;
export type SortField = (typeof SORT_FIELDS)[number];

export const incomingFilterSchema = z.object({
  query: z.string().max(200).optional(),
  year: z.number().int().min(1945).max(2200).optional(),
  registerId: id.optional(),
  secrecy: z.array(secrecySchema).max(4).optional(),
  urgency: z.array(urgencySchema).max(4).optional(),
  status: z.array(z.enum(INCOMING_STATUSES)).max(6).optional(),
  deadline: z.enum(DEADLINE_FILTERS).optional(),
  /** Only the arrivals waiting for their number from the agency server ("Chờ cấp số": a placeholder below 1). */
  awaitingNumber: z.literal(true).optional(),
});
export type IncomingFilter = z.infer<typeof incomingFilterSchema>;

export const incomingListSchema = incomingFilterSchema.extend({
  sort: z
    .object({ field: z.enum(SORT_FIELDS), dir: z.enum(['asc', 'desc']) })
    .default({ field: 'arrival', dir: 'desc' }),
  offset: z.number().int().min(0).max(10_000_000).default(0),
  limit: z.number().int().min(1).max(500).default(100),
});
export type IncomingListInput = z.input<typeof incomingListSchema>;

/** The catalog key and parameters of an issue worded with m() (or written out as a catalog text). */
export function issueMessage(issue: z.core.$ZodIssue): Msg | null {
  const known = keyOfText.get(issue.message);
  if (known) return known;
  const key = keyOfVietnamese(issue.message);
  return key ? { key } : null;
}

/** The first issue of each field, by its path ("issuer.name"; "_" for the whole input). */
function firstIssues(error: z.ZodError): Map<string, z.core.$ZodIssue> {
  const out = new Map<string, z.core.$ZodIssue>();
  for (const issue of error.issues) {
    const key = issue.path.map(String).join('.') || '_';
    if (!out.has(key)) out.set(key, issue);
  }
  return out;
}

/** Turn zod issues into { "issuer.name": "Chưa nhập …" } (Vietnamese) for errors at the field. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, issue] of firstIssues(error)) {
    out[field] = issue.message;
  }
  return out;
}

/** The same fields as fieldErrors(), as catalog keys and parameters (fields worded without one are left out). */
export function fieldMessages(error: z.ZodError): Record<string, Msg> {
  const out: Record<string, Msg> = {};
  for (const [field, issue] of firstIssues(error)) {
    const msg = issueMessage(issue);
    if (msg) out[field] = msg;
  }
  return out;
}

// ---- Registers, numbering scopes, the agency's units, hand-over and corrections ----

const scopeFields = {
  name: text(120, m('scope.nameRequired')),
  reset: z.enum(RESET_PERIODS, { error: m('scope.resetRequired') }),
  perType: z.boolean(),
  termStart: isoDate('termStart').optional(),
  termYears: z.number().int().min(1, m('scope.termYearsRange', { min: 1, max: 10 })).max(10, m('scope.termYearsRange', { min: 1, max: 10 })).optional(),
};
const termNeedsStart = (v: { reset?: string | undefined; termStart?: string | undefined }, ctx: z.RefinementCtx) => {
  if (v.reset === 'term' && !v.termStart)
    ctx.addIssue({ code: 'custom', path: ['termStart'], message: m('scope.termStartRequired') });
};
export const scopeInputSchema = z.object(scopeFields).strict().superRefine(termNeedsStart);
export type ScopeInput = z.infer<typeof scopeInputSchema>;
export const scopeUpdateSchema = z
  .object({ id, ...scopeFields, termStart: scopeFields.termStart.nullable() })
  .partial()
  .required({ id: true })
  .strict()
  .superRefine((v, ctx) => termNeedsStart({ reset: v.reset, termStart: v.termStart ?? undefined }, ctx));
export type ScopeUpdate = z.infer<typeof scopeUpdateSchema>;

const registerLevels = z.array(secrecySchema).min(1, m('register.levelsRequired')).max(4);
export const registerCreateSchema = z
  .object({
    name: text(200, m('register.nameRequired')),
    secrecy: registerLevels,
    /** An existing numbering scope (shared sequence), or a new one made with the register. */
    scopeId: id.optional(),
    scope: scopeInputSchema.optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if ((v.scopeId === undefined) === (v.scope === undefined))
      ctx.addIssue({ code: 'custom', path: ['scopeId'], message: m('register.scopeChoice') });
  });
export type RegisterCreate = z.infer<typeof registerCreateSchema>;
export const registerUpdateSchema = z
  .object({ id, name: text(200, m('register.nameRequired')), secrecy: registerLevels, scopeId: id, active: z.boolean() })
  .partial()
  .required({ id: true })
  .strict();
export type RegisterUpdate = z.infer<typeof registerUpdateSchema>;
/** An administrator moves a register's home workstation (the id as the agency server takes it) with a reason (5–500 characters, as the server requires). */
export const registerMoveHomeSchema = z
  .object({
    registerId: id,
    workstation: z.string().regex(/^[0-9A-Za-z-]{8,64}$/, m('input.invalid')),
    reason: z.string().trim().min(5, m('registerHome.reasonShort')).max(500, m('registerHome.reasonShort')),
  })
  .strict();
export const closeYearSchema = z
  .object({ registerId: id, year: z.number({ error: m('year.required') }).int().min(MIN_YEAR, m('year.invalid')).max(2200, m('year.invalid')) })
  .strict();

export const internalUnitAddSchema = z
  .object({ name: text(200, m('unit.nameRequired')), code: z.string().trim().max(20, m('value.tooLong', { max: 20 })).optional(), parentId: id.optional() })
  .strict();
export const internalUnitUpdateSchema = z
  .object({ id, name: text(200, m('unit.nameRequired')), parentId: id.nullable(), active: z.boolean() })
  .partial()
  .required({ id: true })
  .strict();
export type InternalUnitUpdate = z.infer<typeof internalUnitUpdateSchema>;

// The agency's structure over time (main/core/org/structure.ts).
const unitCode = z.string().trim().max(20, m('value.tooLong', { max: 20 }));
const decision = text(300, m('structure.decisionRequired'));
export const unitCreateSchema = z
  .object({ name: text(200, m('unit.nameRequired')), code: unitCode.optional(), parentId: id.optional(), validFrom: isoDate('validFrom').optional(), decision: z.string().trim().max(300).optional() })
  .strict();
export const unitRenameSchema = z
  .object({ id, name: text(200, m('unit.nameRequired')), code: unitCode.optional(), onDate: isoDate('effectiveOn'), decision })
  .strict();
const newUnit = z.object({ name: text(200, m('unit.nameRequired')), code: unitCode.optional() }).strict();
export const unitMergeSchema = z
  .object({ unitIds: z.array(id).min(1).max(50), into: z.union([z.object({ id }).strict(), newUnit.extend({ parentId: id.optional() }).strict()]), onDate: isoDate('effectiveOn'), decision })
  .strict();
export const unitSplitSchema = z
  .object({ unitId: id, into: z.array(newUnit).min(2, m('structure.splitTooFew')).max(20), onDate: isoDate('effectiveOn'), decision, members: z.record(z.string().regex(/^\d+$/), z.number().int().min(0).max(19)).optional() })
  .strict();
export const memberSetSchema = z
  .object({ userId: id, unitId: id.nullable(), unitRole: z.enum(UNIT_ROLES, { error: m('structure.capacityInvalid') }) })
  .strict();
export const authorityGrantSchema = z
  .object({
    userId: id,
    kind: z.enum(AUTHORITY_KINDS, { error: m('structure.kindInvalid') }),
    prefix: z.enum(SIGNING_PREFIXES, { error: m('structure.prefixInvalid') }),
    onBehalf: z.string().trim().max(200, m('value.tooLong', { max: 200 })),
    unitId: id.nullable(),
    validFrom: isoDate('validFrom'),
    validTo: isoDate('validTo').nullable(),
  })
  .strict();
export const authorityEndSchema = z.object({ id, onDate: isoDate('effectiveOn') }).strict();
export const structureImportSchema = z.object({ stagedId: z.string().regex(/^[0-9a-f]{32}$/), sha256: z.string().regex(/^[0-9a-f]{64}$/).optional() }).strict();

/** Hand-over inside the agency (ngày chuyển): to a unit, a person, or a person for a unit. */
export const handOverSchema = z
  .object({
    id,
    unitId: id.optional(),
    userId: id.optional(),
    /** The day it was handed over (defaults to today); a hand-over made earlier on paper is recorded later. */
    handedOn: isoDate('handedOn').optional(),
    note: z.string().trim().max(500, m('notes.tooLong', { max: 500 })).default(''),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.unitId === undefined && v.userId === undefined)
      ctx.addIssue({ code: 'custom', path: ['recipient'], message: m('recipient.choose') });
  });
export type HandOverInput = z.infer<typeof handOverSchema>;

/**
 * A correction of a registered entry: the fields that change and why. The arrival number and date,
 * the register and the secrecy level are not corrected here (they decide the number and who may see it).
 */
export const incomingCorrectionSchema = z
  .object({
    id,
    reason: text(500, m('correction.reasonRequired')),
    changes: z
      .object({
        issuer: incomingFieldsSchema.shape.issuer,
        numberSymbol: incomingFieldsSchema.shape.numberSymbol,
        documentDate: incomingFieldsSchema.shape.documentDate,
        typeCode: incomingFieldsSchema.shape.typeCode,
        subject: z.string().trim().max(500, m('subject.tooLong', { max: 500 })),
        urgency: urgencySchema,
        deadline: isoDate('deadline').nullable(),
        recipients: z.array(recipientSchema).max(30, m('recipients.tooMany', { max: 30 })),
        notes: z.string().trim().max(2000, m('notes.tooLong', { max: 2000 })),
        pageCount: count('pageCount', 100_000).nullable(),
        copyCount: count('copyCount', 10_000).nullable(),
        signer: z.string().trim().max(120, m('signer.tooLong', { max: 120 })),
        arrivalChannel: z.enum(ARRIVAL_CHANNELS, { error: m('arrivalChannel.required') }).nullable(),
      })
      .partial()
      .strict()
      .refine((c) => Object.keys(c).length > 0, m('correction.nothingChanged')),
  })
  .strict();
export type IncomingCorrectionInput = z.infer<typeof incomingCorrectionSchema>;

// ---- State-secret controls ----
const reasonText = text(1000, m('secret.reasonRequired'));
export const grantSchema = z.object({ incomingId: id, userId: id, reason: reasonText }).strict();
export type GrantInput = z.infer<typeof grantSchema>;
export const revokeGrantSchema = z.object({ grantId: id, reason: reasonText }).strict();
export type RevokeGrantInput = z.infer<typeof revokeGrantSchema>;
export const levelChangeSchema = z.object({
  incomingId: id,
  kind: z.enum(['raise', 'lower', 'declassify', 'declassify_part'], { error: m('value.invalid') }),
  toLevel: secrecySchema.optional(),
  authority: text(500, m('secret.authorityRequired')),
  reason: reasonText,
  part: z.string().trim().max(2000, m('value.tooLong', { max: 2000 })).optional(),
  decidedOn: isoDate('decidedOn'),
}).strict();
export type LevelChangeInput = z.infer<typeof levelChangeSchema>;
export const confirmLevelChangeSchema = z.object({ changeId: id }).strict();
export type ConfirmLevelChangeInput = z.infer<typeof confirmLevelChangeSchema>;
export const holdSchema = z.object({ incomingId: id, reason: reasonText }).strict();
export type HoldInput = z.infer<typeof holdSchema>;
export const releaseHoldSchema = z.object({ holdId: id }).strict();
export type ReleaseHoldInput = z.infer<typeof releaseHoldSchema>;
export const destroySchema = z.object({
  incomingId: id,
  decision: text(500, m('secret.decisionRequired')),
  authority: text(500, m('secret.authorityRequired')),
  reason: reasonText,
  decidedOn: isoDate('decidedOn'),
}).strict();
export type DestroyInput = z.infer<typeof destroySchema>;
const copyKind = z.enum(['print', 'sao_y', 'trich_sao', 'sao_luc'], { error: m('value.invalid') });
const copyCount = z.number({ error: m('value.invalid') }).int(m('value.invalid')).min(1, m('value.tooSmall', { min: 1 })).max(100, m('value.tooLarge', { max: 100 }));
export const allowCopySchema = z.object({ incomingId: id, kind: copyKind, copies: copyCount, forUserId: id, reason: reasonText }).strict();
export type AllowCopyInput = z.infer<typeof allowCopySchema>;
export const makeCopySchema = z.object({ incomingId: id, kind: copyKind, copies: copyCount, approvalId: id.optional(), reason: reasonText }).strict();
export type MakeCopyInput = z.infer<typeof makeCopySchema>;
export const registerOutputSchema = z.object({
  kind: z.enum(['secret_incoming', 'secret_copies', 'secret_handover'], { error: m('value.invalid') }),
  format: z.enum(['pdf', 'xlsx'], { error: m('value.invalid') }),
  from: isoDate('periodFrom'),
  to: isoDate('periodTo'),
}).strict();
export type RegisterOutputInput = z.infer<typeof registerOutputSchema>;
const secretRegisterKind = z.enum(['secret_incoming', 'secret_copies', 'secret_handover'], { error: m('value.invalid') });
export const secretRegisterViewSchema = z.object({ kind: secretRegisterKind, from: isoDate('periodFrom'), to: isoDate('periodTo') }).strict();
export type SecretRegisterViewInput = z.infer<typeof secretRegisterViewSchema>;
export const secretRegisterCloseSchema = z.object({
  kind: secretRegisterKind,
  year: z.number({ error: m('year.required') }).int().min(MIN_YEAR, m('year.invalid')).max(2200, m('year.invalid')),
}).strict();
export type SecretRegisterCloseInput = z.infer<typeof secretRegisterCloseSchema>;
export const extendProtectionSchema = z.object({
  incomingId: id,
  until: isoDate('protectionUntil'),
  authority: text(500, m('secret.authorityRequired')),
  reason: text(1000, m('secret.reasonRequired')),
}).strict();
export type ExtendProtectionInput = z.infer<typeof extendProtectionSchema>;
/** "Hạn chế phạm vi" set on (or lifted from) a Thường record by a leader or the văn thư. */
export const restrictSchema = z.object({
  incomingId: id,
  restricted: z.boolean(),
  reason: z.string().trim().max(1000).default(''),
}).strict();
export type RestrictInput = z.infer<typeof restrictSchema>;
// ---- The audit trail (administrators): a period in Vietnam days, a person, an action, an outcome.
const auditPeriod = {
  from: isoDate('periodFrom').optional(),
  to: isoDate('periodTo').optional(),
};
const periodInOrder = (v: { from?: string | undefined; to?: string | undefined }) => !v.from || !v.to || v.from <= v.to;
export const auditSearchSchema = z
  .object({
    ...auditPeriod,
    userId: z.number().int().positive().optional(),
    action: z.string().max(100).optional(),
    outcome: z.enum(['ok', 'refused', 'failed']).optional(),
    beforeSeq: z.number().int().positive().optional(),
    limit: z.number().int().min(1).max(500).default(100),
  })
  .strict()
  .refine(periodInOrder, { message: m('period.order'), path: ['to'] });
export type AuditSearch = z.infer<typeof auditSearchSchema>;
export const auditExportSchema = z.object(auditPeriod).strict().refine(periodInOrder, { message: m('period.order'), path: ['to'] });

// ---- Work files (hồ sơ công việc, main/core/workfiles) ----
const fileYear = z.number({ error: m('year.required') }).int().min(MIN_YEAR, m('year.invalid')).max(2200, m('year.invalid'));
/** The file's own notation inside the code (số và ký hiệu hồ sơ), e.g. "01.TH" or "05-VP". */
const fileNotation = z.string({ error: m('workFile.notationRequired') }).trim().min(1, m('workFile.notationRequired')).max(30, m('value.tooLong', { max: 30 }))
  .regex(/^[0-9A-Za-zĐđ][0-9A-Za-zĐđ.\-/]*$/, m('workFile.notationInvalid'));
/** Thời hạn bảo quản: a number of years, or "vĩnh viễn". */
export const retentionSchema = z.union([z.literal('vinh_vien'), z.number().int().min(1, m('workFile.retentionInvalid')).max(100, m('workFile.retentionInvalid'))], { error: m('workFile.retentionInvalid') });
const fileFields = {
  title: text(500, m('workFile.titleRequired')),
  retention: retentionSchema,
  accessRegime: z.string().trim().max(200, m('value.tooLong', { max: 200 })).optional(),
  language: z.string().trim().max(50, m('value.tooLong', { max: 50 })).optional(),
  description: z.string().trim().max(2000, m('value.tooLong', { max: 2000 })).optional(),
  responsibleUnitId: id.nullable().optional(),
  responsibleUserId: id.nullable().optional(),
};
export const workFileCreateSchema = z.object({ year: fileYear, notation: fileNotation, ...fileFields }).strict();
export type WorkFileCreateInput = z.infer<typeof workFileCreateSchema>;
export const workFileUpdateSchema = z.object({
  fileId: id, notation: fileNotation.optional(), title: fileFields.title.optional(), retention: retentionSchema.optional(),
  accessRegime: fileFields.accessRegime, language: fileFields.language, description: fileFields.description,
  responsibleUnitId: fileFields.responsibleUnitId, responsibleUserId: fileFields.responsibleUserId,
}).strict();
export type WorkFileUpdateInput = z.infer<typeof workFileUpdateSchema>;
/** A record named by its kind and id: incoming today; outgoing documents and drafts when they exist. */
export const WORK_FILE_ITEM_KINDS = ['incoming', 'outgoing', 'draft'] as const;
export const workFileItemSchema = z.object({ fileId: id, kind: z.enum(WORK_FILE_ITEM_KINDS, { error: m('workFile.kindUnknown') }), recordId: id }).strict();
export type WorkFileItemInput = z.infer<typeof workFileItemSchema>;
export const workFileCloseSchema = z.object({ fileId: id, closedOn: isoDate('closedOn').optional() }).strict();
export type WorkFileCloseInput = z.infer<typeof workFileCloseSchema>;
export const workFileYearSchema = z.object({ year: fileYear }).strict();
export const archiveTransferSchema = z.object({
  fileIds: z.array(id).min(1, m('archive.noFiles')).max(500, m('value.tooMany', { max: 500 })),
  transferredOn: isoDate('transferredOn'),
  receivedBy: text(120, m('archive.receiverRequired')),
  archiveName: text(200, m('archive.archiveRequired')),
  note: z.string().trim().max(1000, m('value.tooLong', { max: 1000 })).default(''),
}).strict();
export type ArchiveTransferInput = z.infer<typeof archiveTransferSchema>;
export const archiveDueSchema = z.object({ withinDays: z.number().int().min(0).max(3650).optional() }).strict();
// Processing incoming documents (main/core/processing): submission, direction, assignment, handling.
const procText = (max: number) => z.string().trim().max(max, m('value.tooLong', { max }));
const procDate = isoDate('deadline');
/** A person or an internal unit, exactly one. */
const assignee = z.object({ userId: id.optional(), unitId: id.optional(), deadline: procDate.optional() }).strict()
  .refine((a) => (a.userId === undefined) !== (a.unitId === undefined), m('processing.assigneeOne'));
export const processingSubmitSchema = z.object({ incomingId: id, leaderId: id, note: procText(1000).optional() }).strict();
export type ProcessingSubmitInput = z.infer<typeof processingSubmitSchema>;
export const processingDirectSchema = z.object({
  incomingId: id,
  text: text(4000, m('processing.directionRequired')),
  lead: assignee,
  cooperate: z.array(assignee).max(30).optional(),
  inform: z.array(assignee).max(50).optional(),
  /** The direction this one revises (a leader changes a direction explicitly, never by directing twice). */
  revisesStepId: id.optional(),
}).strict();
export type ProcessingDirectInput = z.infer<typeof processingDirectSchema>;
export const processingAssignSchema = z.object({ taskId: id, handlerId: id, deadline: procDate.optional(), note: procText(1000).optional() }).strict();
export type ProcessingAssignInput = z.infer<typeof processingAssignSchema>;
export const processingProgressSchema = z.object({
  taskId: id, percent: z.number().int().min(0, m('value.tooSmall', { min: 0 })).max(100, m('value.tooLarge', { max: 100 })), note: text(2000, m('processing.noteRequired')),
}).strict();
export type ProcessingProgressInput = z.infer<typeof processingProgressSchema>;
export const processingDraftSchema = z.object({ taskId: id, stagedId: z.string().min(1).max(100), note: procText(1000).optional() }).strict();
export type ProcessingDraftInput = z.infer<typeof processingDraftSchema>;
export const processingExtensionSchema = z.object({ taskId: id, until: procDate, reason: text(1000, m('processing.reasonRequired')) }).strict();
export type ProcessingExtensionInput = z.infer<typeof processingExtensionSchema>;
export const processingDecisionSchema = z.object({ taskId: id, grant: z.boolean(), note: procText(1000).optional() }).strict();
export type ProcessingDecisionInput = z.infer<typeof processingDecisionSchema>;
export const processingCompleteSchema = z.object({
  taskId: id,
  note: procText(2000).optional(),
  /** The reply: its number-symbol as written (the outgoing document may not be in SecureDesk yet), and its record id when it is. */
  reply: z.object({ numberSymbol: text(60, m('processing.replyRequired')), outgoingId: id.optional() }).strict().optional(),
}).strict();
export type ProcessingCompleteInput = z.infer<typeof processingCompleteSchema>;
export const processingReturnSchema = z.object({ incomingId: id, reason: text(1000, m('processing.reasonRequired')) }).strict();
export type ProcessingReturnInput = z.infer<typeof processingReturnSchema>;
export const processingInboxSchema = z.object({
  box: z.enum(['opinion', 'handle', 'unit', 'due', 'tracked'], { error: m('value.invalid') }),
  unitId: id.optional(),
  /** For 'tracked' (a figure of the leader's dashboard): whose work, and which. */
  userId: id.optional(),
  tracked: z.enum(TRACKED, { error: m('value.invalid') }).optional(),
  limit: z.number().int().min(1).max(500).optional(),
}).strict();
export type ProcessingInboxInput = z.infer<typeof processingInboxSchema>;
export const workCalendarSchema = z.object({
  weekend: z.array(z.number().int().min(0).max(6)).max(3),
  holidays: z.array(z.object({ date: isoDate('deadline'), name: text(100, m('processing.holidayNameRequired')) }).strict()).max(400),
}).strict();
export const processingRulesSchema = z.object({
  submitWorkingDays: z.number().int().min(0).max(10),
  urgentAtOnce: z.boolean(),
  remindBeforeDays: z.number().int().min(0).max(30),
  remindAfterDays: z.number().int().min(0).max(30),
}).strict();
export const trackingRegisterSchema = z.object({ from: isoDate('periodFrom'), to: isoDate('periodTo'), format: z.enum(['pdf', 'xlsx'], { error: m('value.invalid') }) }).strict();
export type TrackingRegisterInput = z.infer<typeof trackingRegisterSchema>;
// ---- Outgoing documents (main/core/outgoing): drafts, the approval chain, signing, issue, recall.
/** A recipient of an outgoing document: a unit of the agency, or an outside body (a known unit, or by its identifier code). */
export const outgoingRecipientSchema = z.union([
  z.object({ internalUnitId: id }).strict(),
  z.object({ unitId: id }).strict(),
  z.object({ code: identifierCodeSchema, name: text(200, m('recipient.required')) }).strict(),
]);
export type OutgoingRecipientInput = z.infer<typeof outgoingRecipientSchema>;
const outgoingFields = {
  typeCode: z.string({ error: m('docType.required') }).trim().min(1, m('docType.required')).max(60),
  subject: text(500, m('field.required', { field: 'subject' })),
  secrecy: secrecySchema,
  urgency: urgencySchema.default('thuong'),
  signerId: id,
  signerCompetence: z.string().trim().max(120).default(''),
  draftingUnit: z.string().trim().max(20).regex(/^[\p{L}\p{N}]*$/u, m('value.invalid')).default(''),
  approvers: z.array(id).max(10).default([]),
  recipients: z.array(outgoingRecipientSchema).max(200).default([]),
  issuedAmount: z.number().int().min(1).max(10000).optional(),
  replyDeadline: isoDate('deadline').optional(),
  pageCount: z.number().int().min(1).max(100000).optional(),
  notes: z.string().trim().max(2000).default(''),
  /**
   * Appendices inside the main PDF (NĐ 30/2020 Phụ lục I): the page (1-based) where each begins, in
   * order. Page 1 is the document itself; the core checks them against the main file's page count.
   */
  appendixPages: z.array(z.number({ error: m('outgoing.appendixPagesInvalid') }).int(m('outgoing.appendixPagesInvalid')).min(2, m('outgoing.appendixPagesInvalid')).max(100000, m('outgoing.appendixPagesInvalid')))
    .max(50).refine((a) => a.every((p, i) => i === 0 || p > a[i - 1]!), m('outgoing.appendixPagesOrder')).default([]),
};
const stagedId = z.string().regex(/^[0-9a-f]{32}$/);
export const outgoingCreateSchema = z.object({
  ...outgoingFields,
  /** The main file (a PDF) first, then the appendices. */
  stagedIds: z.array(stagedId).min(1, m('outgoing.mainFileRequired')).max(20),
  comment: z.string().trim().max(2000).default(''),
}).strict();
export type OutgoingCreateInput = z.infer<typeof outgoingCreateSchema>;
export const outgoingReviseSchema = z.object({
  id,
  // A field left out of a revision stays as it was: its create-time default is dropped, not applied.
  ...Object.fromEntries(Object.entries(outgoingFields).map(([k, v]) => [k, (v instanceof z.ZodDefault ? (v.unwrap() as z.ZodTypeAny) : (v as z.ZodTypeAny)).optional()])) as { [K in keyof typeof outgoingFields]: z.ZodOptional<(typeof outgoingFields)[K]> },
  stagedIds: z.array(stagedId).min(1).max(20).optional(),
  comment: text(2000, m('outgoing.commentRequired')),
}).strict();
export type OutgoingReviseInput = z.infer<typeof outgoingReviseSchema>;
export const outgoingStepSchema = z.object({ id, comment: z.string().trim().max(2000).default('') }).strict();
export type OutgoingStepInput = z.infer<typeof outgoingStepSchema>;
export const outgoingReturnSchema = z.object({ id, comment: text(2000, m('outgoing.commentRequired')) }).strict();
export const outgoingApproveChangesSchema = z.object({
  id,
  comment: text(2000, m('outgoing.commentRequired')),
  subject: text(500, m('field.required', { field: 'subject' })).optional(),
  stagedIds: z.array(stagedId).min(1).max(20).optional(),
}).strict();
export type OutgoingApproveChangesInput = z.infer<typeof outgoingApproveChangesSchema>;
export const outgoingRecallSchema = z.object({ id, reason: text(1000, m('outgoing.reasonRequired')) }).strict();
export const outgoingReplaceSchema = z.object({ id, replacesId: id }).strict();
/** Cập nhật: the issued document's metadata corrected (at least one field) and sent again to the same agencies. */
export const outgoingUpdateSchema = z.object({
  id,
  reason: text(1000, m('outgoing.reasonRequired')),
  subject: z.string().trim().min(1, m('field.required', { field: 'subject' })).max(500, m('subject.tooLong', { max: 500 })).optional(),
  replyDeadline: isoDate('deadline').nullable().optional(),
  pageCount: z.number().int().min(1).max(100000).nullable().optional(),
  issuedAmount: z.number().int().min(1).max(10000).nullable().optional(),
}).strict();
export type OutgoingUpdateInput = z.infer<typeof outgoingUpdateSchema>;
/** Lấy lại: an issued document taken back from one recipient agency (status 13), with a reason. */
export const outgoingTakeBackSchema = z.object({ id, dispatchId: id, reason: text(1000, m('outgoing.reasonRequired')) }).strict();
export type OutgoingTakeBackInput = z.infer<typeof outgoingTakeBackSchema>;
/** Gửi lại: a dispatch whose packet was refused on its way, sent again as a new packet. */
export const outgoingResendSchema = z.object({ id, dispatchId: id }).strict();
export type OutgoingResendInput = z.infer<typeof outgoingResendSchema>;
export const outgoingListSchema = z.object({
  status: z.enum(['draft', 'in_review', 'approved', 'signer_signed', 'agency_signed', 'issued', 'recalled']).optional(),
  mine: z.boolean().default(false),
  /** Words of the subject, number-symbol, notes, drafting unit or of the text read from its files; diacritics optional. */
  query: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(500).default(200),
}).strict();
export type OutgoingListInput = z.infer<typeof outgoingListSchema>;
export const outgoingRegisterSchema = z.object({
  kind: z.enum(['outgoing', 'secret_outgoing'], { error: m('value.invalid') }),
  format: z.enum(['pdf', 'xlsx', 'table'], { error: m('value.invalid') }),
  from: isoDate('periodFrom'),
  to: isoDate('periodTo'),
}).strict();
export type OutgoingRegisterInput = z.infer<typeof outgoingRegisterSchema>;
export const outgoingConfigSchema = z.object({
  issuerNotation: z.string().trim().min(1).max(20).regex(/^[\p{L}\p{N}]+(?:-[\p{L}\p{N}]+)*$/u, m('value.invalid')),
  sameDayIssue: z.boolean(),
  requireAgencySignature: z.boolean(),
  agencyCertificates: z.array(z.string().regex(/^[0-9a-f]{64}$/)).max(20),
  /** Types whose number carries the year (01/2026/NĐ-CP); absent: unchanged. */
  yearInNumber: z.array(z.string().trim().min(1).max(20)).max(60).optional(),
}).strict();
export type OutgoingConfigInput = z.infer<typeof outgoingConfigSchema>;
/** An uploaded seal image (PNG as base64, at most 512 KiB decoded), or null for the generated stand-in. */
export const outgoingSealSchema = z.object({ png: z.string().max(700_000).regex(/^[A-Za-z0-9+/]*={0,2}$/, m('value.invalid')).nullable() }).strict();
export type OutgoingSealInput = z.infer<typeof outgoingSealSchema>;
// ---- Register outputs closed at year end (main/core/reports/closedYears.ts) ----
export const registerCloseSchema = z.object({
  kind: z.enum(['outgoing', 'secret_outgoing', 'incoming_tracking'], { error: m('value.invalid') }),
  year: z.number({ error: m('year.required') }).int().min(MIN_YEAR, m('year.invalid')).max(2200, m('year.invalid')),
}).strict();
export type RegisterCloseInput = z.infer<typeof registerCloseSchema>;
export const workFileShareSchema = z.object({ fileId: id, userId: id }).strict();
export type WorkFileShareInput = z.infer<typeof workFileShareSchema>;

// ---- The exchange between agencies: Văn bản điện tử đến (main/core/exchange/inbox.ts) ----
export const EXCHANGE_INBOX_STATES = ['waiting', 'registered', 'refused', 'recalled', 'applied'] as const;
export const exchangeInboxListSchema = z.object({ state: z.enum(EXCHANGE_INBOX_STATES).optional() }).strict();
export const exchangeFileSchema = z.object({ id, index: z.number().int().min(0).max(499) }).strict();
/** "Tiếp nhận và vào sổ": what the văn thư may set beside the packet's own header (prefilled). */
export const exchangeRegisterSchema = z.object({
  id,
  registerId: id.optional(),
  typeCode: documentTypeSchema.optional(),
  subject: z.string().trim().max(500, m('subject.tooLong', { max: 500 })).optional(),
  deadline: isoDate('deadline').optional(),
  recipients: z.array(recipientSchema).max(30, m('recipients.tooMany', { max: 30 })).optional(),
  notes: z.string().trim().max(2000, m('notes.tooLong', { max: 2000 })).optional(),
  acknowledgeDuplicates: z.boolean().optional(),
  acknowledgeOutOfOrder: z.boolean().optional(),
  /** The agency server out of reach: register now, the decision and the number at the next contact ("Chờ cấp số"). */
  awaitNumber: z.boolean().optional(),
}).strict();
export type ExchangeRegisterInput = z.infer<typeof exchangeRegisterSchema>;
/** "Từ chối": the reason goes back to the sender in the status 02. */
export const exchangeRefuseSchema = z.object({
  id,
  reason: z.string().trim().min(5, m('exchange.reasonRequired')).max(500, m('value.tooLong', { max: 500 })),
}).strict();
export type ExchangeRefuseInput = z.infer<typeof exchangeRefuseSchema>;
/** A person's signature image (PNG or JPEG as base64, at most 512 KiB decoded; the core sniffs and checks it), or null to remove it. */
export const signatureImageSetSchema = z.object({ userId: id, image: z.string().max(700_000).regex(/^[A-Za-z0-9+/]*={0,2}$/, m('value.invalid')).nullable() }).strict();
export type SignatureImageSetInput = z.infer<typeof signatureImageSetSchema>;
/** Renumbering a registration the sync set aside (two workstations gave one arrival number offline): the record's global id. */
export const renumberSchema = z.object({ entityId: z.uuid({ error: m('renumber.invalidId') }) }).strict();
export type RenumberInput = z.infer<typeof renumberSchema>;
