// Sổ đăng ký văn bản đi (Thường documents) and Sổ đăng ký bí mật nhà nước đi (Mật, Tối mật, Tuyệt
// mật) for a period: the issued documents (recalled ones too, marked in the notes), from the
// compartments held and within need-to-know, as the window's table, a PDF in the decree's layout
// (A4 landscape, fonts embedded) or an XLSX. Tuyệt mật rows carry no subject (reports/registers.ts).
// Readers: the ordinary register, the văn thư and leaders; the secret one, the readers of the
// state-secret registers (secrets/registerRules.ts). Every output is audited.
import { createHash } from 'node:crypto';
import type { OutgoingRegisterTable } from '../../../common/contract';
import { formatDateVn, yearOf } from '../../../common/dates';
import { documentTypeName, type Secrecy } from '../../../common/domain';
import { isFailedStatus, statusLabel } from '../../../common/edxml';
import { DeskError } from '../../../common/errors';
import type { OutgoingRegisterInput } from '../../../common/schemas';
import { appendAudit } from '../audit/auditLog';
import type { CoreContext } from '../context';
import { writeTx } from '../db/transaction';
import { canSeeAll } from '../documents/needToKnow';
import { authorize, type Actor } from '../org/rights';
import { registerClosing } from '../reports/closedYears';
import { cellText, registerPdf } from '../reports/registerPdf';
import { LAYOUTS, type Column, type OutgoingRegisterRow } from '../reports/registers';
import { registerXlsx } from '../reports/registerXlsx';
import { mayReadSecretRegisters } from '../secrets/registerRules';
import { auditRefusal } from '../secrets/registerYears';
import { involved, userName, type OutgoingDbRow } from './records';

type Kind = OutgoingRegisterInput['kind'];

function assertReader(ctx: CoreContext, actor: Actor, kind: Kind): void {
  authorize(actor, 'doc.read');
  const ok = kind === 'secret_outgoing' ? mayReadSecretRegisters(ctx.db, actor) : actor.rights.includes('doc.register') || actor.role === 'lanh_dao';
  if (!ok) {
    auditRefusal(ctx, actor, 'register.read', 'secretRegister.notReader', { kind });
    throw DeskError.keyed('FORBIDDEN', 'secretRegister.notReader');
  }
}

export function outgoingRegisterRows(ctx: CoreContext, actor: Actor, kind: Kind, from: string, to: string): OutgoingRegisterRow[] {
  assertReader(ctx, actor, kind);
  if (from > to) throw DeskError.keyed('VALIDATION', 'report.badPeriod', undefined, { at: 'to' });
  if (yearOf(from) !== yearOf(to)) throw DeskError.keyed('VALIDATION', 'report.oneYear', undefined, { at: 'to' });
  const { db } = ctx;
  const levels: Secrecy[] = kind === 'outgoing' ? ['thuong'] : ['mat', 'toi_mat', 'tuyet_mat'];
  const out: Array<OutgoingRegisterRow & { n: number }> = [];
  // A closed year's rows are read as they stood at the closing (reports/closedYears.ts): a recall or a
  // replacement made afterwards is on the document, not written into the frozen book.
  const closedAt = registerClosing(db, kind, yearOf(from))?.closed_at ?? null;
  const before = (at: string | null | undefined) => !!at && (closedAt === null || at <= closedAt);
  for (const a of ctx.arms) {
    if (a.level === null || !levels.includes(a.level)) continue;
    const rows = db.prepare(`SELECT * FROM ${a.schema}.outgoing WHERE issued_date BETWEEN ? AND ? ORDER BY issued_date, number`).all(from, to) as OutgoingDbRow[];
    for (const r of rows) {
      if (!canSeeAll(actor) && !involved(r, actor) && !(r.secrecy_rank === 0)) continue;
      const recipients = db.prepare(`SELECT name FROM ${a.schema}.outgoing_recipients WHERE outgoing_id = ? ORDER BY ordinal`).pluck().all(r.id) as string[];
      const replacedAt = r.replaced_by_id === null ? null : (db.prepare(`SELECT issued_at FROM ${a.schema}.outgoing WHERE id = ?`).pluck().get(r.replaced_by_id) as string | null | undefined);
      const notes = [r.notes, r.status === 'recalled' && before(r.recalled_at) ? `Đã thu hồi ngày ${formatDateVn(r.recalled_at?.slice(0, 10))}` : '', before(replacedAt) ? 'Đã được thay thế' : '',
        ...reportedStatuses(db, a.schema, r.id, before)].filter(Boolean).join('; ');
      out.push({
        n: r.number ?? 0,
        numberSymbol: r.number_symbol ?? '', documentDate: r.issued_date!, typeName: documentTypeName(r.type_code),
        subject: r.secrecy === 'tuyet_mat' ? null : r.subject, secrecy: r.secrecy,
        signer: [r.signer_competence, userName(db, r.signer_id)].filter(Boolean).join(' '),
        recipients: recipients.join('; '), keptBy: userName(db, r.issued_by), copies: r.issued_amount,
        // Ký nhận: the dispatch records know a status, not who received it nor when: left for the handwritten signature.
        sentOn: r.issued_date, acknowledgement: null, notes: notes || null,
      });
    }
  }
  out.sort((x, y) => x.documentDate.localeCompare(y.documentDate) || x.n - y.n);
  return out.map(({ n: _n, ...row }) => row);
}

/** What each recipient agency last reported over the exchange (exchange/inbox.ts), as the register's notes say it. */
function reportedStatuses(db: CoreContext['db'], c: string, outgoingId: number, before: (at: string | null | undefined) => boolean): string[] {
  const rows = db.prepare(`SELECT r.name, s.code, s.description, s.at, s.received_at FROM ${c}.exchange_status_in s
    JOIN ${c}.outgoing_dispatches d ON d.id = s.dispatch_id JOIN ${c}.outgoing_recipients r ON r.id = d.recipient_id
    WHERE s.outgoing_id = ? ORDER BY s.received_at, s.packet_id`).all(outgoingId) as Array<{ name: string; code: string; description: string | null; at: string | null; received_at: string }>;
  const latest = new Map<string, (typeof rows)[number]>();
  for (const x of rows) if (before(x.received_at)) latest.set(x.name, x);
  return [...latest.values()].map((x) => `${x.name}: ${statusLabel(x.code).toLowerCase()}${isFailedStatus(x.code) && x.description ? ` (${x.description})` : ''} ngày ${formatDateVn(x.at ?? x.received_at)}`);
}

export function outgoingRegisterTable(ctx: CoreContext, actor: Actor, input: OutgoingRegisterInput): OutgoingRegisterTable {
  const rows = outgoingRegisterRows(ctx, actor, input.kind, input.from, input.to);
  const layout = LAYOUTS[input.kind];
  const columns = layout.columns as Column<OutgoingRegisterRow>[];
  return { kind: input.kind, title: layout.title, from: input.from, to: input.to, columns: columns.map((c) => c.title), rows: rows.map((r) => columns.map((c) => cellText(c.cell(r)))) };
}

export async function outgoingRegisterFile(ctx: CoreContext, actor: Actor, input: OutgoingRegisterInput & { format: 'pdf' | 'xlsx' }): Promise<{ bytes: Uint8Array; rows: number; sha256: string }> {
  const rows = outgoingRegisterRows(ctx, actor, input.kind, input.from, input.to);
  const unitName = (ctx.db.prepare('SELECT name FROM main.units WHERE is_self = 1').pluck().get() as string | undefined) ?? '';
  const opts = { unitName, year: yearOf(input.from), period: { from: input.from, to: input.to } };
  const bytes = input.format === 'pdf' ? await registerPdf(input.kind, rows, opts) : await registerXlsx(input.kind, rows, opts);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  await ctx.writable();
  writeTx(ctx.db, () => appendAudit(ctx.db, { userId: actor.id, action: 'register.export', details: { kind: input.kind, format: input.format, from: input.from, to: input.to, rows: rows.length, sha256 } }, ctx.now().toISOString()));
  return { bytes, rows: rows.length, sha256 };
}
