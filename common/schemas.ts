// Input schemas shared by the renderer (errors at the field) and main (the real check).
import { z } from 'zod';
import {
  checkDocumentType,
  DEADLINE_FILTERS,
  INCOMING_STATUSES,
  NUMBERING_PRESETS,
  ROLES,
  SECRECY_LEVELS,
  URGENCY_LEVELS,
} from './domain';
import { isValidIsoDate } from './dates';
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

export const incomingRegisterSchema = z
  .object({
    registerId: id.optional(),
    issuer: z.object({
      unitId: id.optional(),
      name: text(300, m('field.required', { field: 'issuer' })),
    }),
    numberSymbol: numberSymbolSchema,
    documentDate: isoDate('ngày văn bản'),
    arrivalDate: isoDate('ngày đến').optional(),
    typeCode: documentTypeSchema,
    subject: z.string().trim().max(500, m('subject.tooLong', { max: 500 })).default(''),
    secrecy: secrecySchema,
    urgency: urgencySchema,
    deadline: isoDate('hạn xử lý').optional(),
    recipients: z.array(z.string().trim().min(1).max(200)).max(30, m('recipients.tooMany', { max: 30 })).default([]),
    notes: z.string().trim().max(2000, m('notes.tooLong', { max: 2000 })).default(''),
    stagedIds: z
      .array(z.string().regex(/^[0-9a-f]{32}$/, m('attachments.invalid')))
      .min(1, m('attachments.required'))
      .max(20, m('attachments.tooMany', { max: 20 })),
    acknowledgeDuplicates: z.boolean().default(false),
  })
  .superRefine((v, ctx) => {
    // Tuyệt mật items are registered without their subject line (Law on State Secrets).
    if (v.secrecy !== 'tuyet_mat' && v.subject.length === 0)
      ctx.addIssue({ code: 'custom', path: ['subject'], message: m('field.required', { field: 'subject' }) });
    if (v.secrecy === 'tuyet_mat' && v.subject.length > 0)
      ctx.addIssue({
        code: 'custom',
        path: ['subject'],
        message: m('subject.tuyetMat'),
      });
    if (v.deadline && v.deadline < v.documentDate)
      ctx.addIssue({ code: 'custom', path: ['deadline'], message: m('deadline.beforeDocument') });
    if (v.arrivalDate && v.arrivalDate < v.documentDate)
      ctx.addIssue({ code: 'custom', path: ['arrivalDate'], message: m('arrival.beforeDocument') });
  });
export type IncomingRegisterInput = z.input<typeof incomingRegisterSchema>;

export const SORT_FIELDS = ['arrival', 'documentDate', 'deadline', 'numberSymbol', 'issuer'] as const;
export type SortField = (typeof SORT_FIELDS)[number];

export const incomingFilterSchema = z.object({
  query: z.string().max(200).optional(),
  year: z.number().int().min(1945).max(2200).optional(),
  registerId: id.optional(),
  secrecy: z.array(secrecySchema).max(4).optional(),
  urgency: z.array(urgencySchema).max(4).optional(),
  status: z.array(z.enum(INCOMING_STATUSES)).max(5).optional(),
  deadline: z.enum(DEADLINE_FILTERS).optional(),
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
