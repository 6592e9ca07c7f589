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

const text = (max: number, required: string) =>
  z.string({ error: required }).trim().min(1, required).max(max, `Tối đa ${max} ký tự.`);

export const isoDate = (label: string) =>
  z
    .string({ error: `Chưa nhập ${label}.` })
    .min(1, `Chưa nhập ${label}.`)
    .refine(isValidIsoDate, `${capitalise(label)} không phải ngày hợp lệ (dd/mm/yyyy).`);

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export const identifierCodeSchema = z.string().superRefine((v, ctx) => {
  const r = checkIdentifierCode(v);
  if (!r.ok) ctx.addIssue({ code: 'custom', message: r.reason ?? 'Mã định danh không hợp lệ.' });
});

export const numberSymbolSchema = z.string().superRefine((v, ctx) => {
  const r = parseNumberSymbol(v);
  if (!r.ok) ctx.addIssue({ code: 'custom', message: r.reason });
});

/** A type from the list (its code), or written by name when it has none (common/domain checkDocumentType). */
export const documentTypeSchema = z.string({ error: 'Chọn loại văn bản.' }).transform((v, ctx) => {
  const r = checkDocumentType(v);
  if (r.ok) return r.code;
  ctx.addIssue({ code: 'custom', message: r.reason });
  return z.NEVER;
});

export const secrecySchema = z.enum(SECRECY_LEVELS, { error: 'Độ mật không hợp lệ.' });
export const urgencySchema = z.enum(URGENCY_LEVELS, { error: 'Độ khẩn không hợp lệ.' });
export const roleSchema = z.enum(ROLES, { error: 'Vai trò không hợp lệ.' });
const id = z.number().int().positive();

export const setupInputSchema = z.object({
  unit: z.object({
    name: text(300, 'Chưa nhập tên cơ quan.'),
    code: identifierCodeSchema,
    preset: z.enum(NUMBERING_PRESETS, { error: 'Chọn quy tắc đánh số.' }),
  }),
  admin: z.object({
    fullName: text(120, 'Chưa nhập họ và tên.'),
    position: text(120, 'Chưa nhập chức vụ.'),
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
  .string({ error: 'Chưa nhập mã PIN.' })
  .min(4, 'Mã PIN có ít nhất 4 ký tự.')
  .max(64, 'Mã PIN dài tối đa 64 ký tự.')
  .optional();
export const setupWithTokenSchema = setupInputSchema.extend({ token: tokenRefSchema, pin: pinSchema }).strict();

export const newUserSchema = z
  .object({
    fullName: text(120, 'Chưa nhập họ và tên.'),
    position: text(120, 'Chưa nhập chức vụ.'),
    role: roleSchema,
    clearance: secrecySchema,
  })
  .strict();

export const incomingRegisterSchema = z
  .object({
    registerId: id.optional(),
    issuer: z.object({
      unitId: id.optional(),
      name: text(300, 'Chưa nhập cơ quan ban hành.'),
    }),
    numberSymbol: numberSymbolSchema,
    documentDate: isoDate('ngày văn bản'),
    arrivalDate: isoDate('ngày đến').optional(),
    typeCode: documentTypeSchema,
    subject: z.string().trim().max(500, 'Trích yếu dài tối đa 500 ký tự.').default(''),
    secrecy: secrecySchema,
    urgency: urgencySchema,
    deadline: isoDate('hạn xử lý').optional(),
    recipients: z.array(z.string().trim().min(1).max(200)).max(30, 'Tối đa 30 nơi nhận.').default([]),
    notes: z.string().trim().max(2000, 'Ghi chú dài tối đa 2000 ký tự.').default(''),
    stagedIds: z
      .array(z.string().regex(/^[0-9a-f]{32}$/, 'Tệp đính kèm không hợp lệ.'))
      .min(1, 'Cần ít nhất một tệp đính kèm (bản điện tử của văn bản).')
      .max(20, 'Tối đa 20 tệp đính kèm.'),
    acknowledgeDuplicates: z.boolean().default(false),
  })
  .superRefine((v, ctx) => {
    // Tuyệt mật items are registered without their subject line (Law on State Secrets).
    if (v.secrecy !== 'tuyet_mat' && v.subject.length === 0)
      ctx.addIssue({ code: 'custom', path: ['subject'], message: 'Chưa nhập trích yếu.' });
    if (v.secrecy === 'tuyet_mat' && v.subject.length > 0)
      ctx.addIssue({
        code: 'custom',
        path: ['subject'],
        message: 'Văn bản Tuyệt mật được vào sổ không ghi trích yếu.',
      });
    if (v.deadline && v.deadline < v.documentDate)
      ctx.addIssue({ code: 'custom', path: ['deadline'], message: 'Hạn xử lý không được trước ngày văn bản.' });
    if (v.arrivalDate && v.arrivalDate < v.documentDate)
      ctx.addIssue({ code: 'custom', path: ['arrivalDate'], message: 'Ngày đến không được trước ngày văn bản.' });
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

/** Turn zod issues into { "issuer.name": "Chưa nhập …" } for errors at the field. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join('.') || '_';
    if (!(key in out)) out[key] = issue.message;
  }
  return out;
}
