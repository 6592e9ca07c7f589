// The state-secret registers as outputs: Sổ đăng ký bí mật nhà nước đến, Sổ quản lý sao, chụp bí mật
// nhà nước and Sổ chuyển giao bí mật nhà nước, for a period, from the compartments the person holds
// and the records they may see, composed as PDF in the law's layout or as XLSX (main/core/reports).
// Every output is audited (it is a copy of the register); it is handed over once, never stored.
import type { RegisterOutput } from '../../../common/contract';
import { formatDateTimeVn, yearOf } from '../../../common/dates';
import { documentTypeName, type Secrecy } from '../../../common/domain';
import { DeskError } from '../../../common/errors';
import type { RegisterOutputInput } from '../../../common/schemas';
import { appendAudit } from '../audit/auditLog';
import type { ContextSource } from '../context';
import { writeTx } from '../db/transaction';
import { canSeeAll, distributionSql } from '../documents/needToKnow';
import { authorize, type Actor } from '../org/rights';
import { registerPdf } from '../reports/registerPdf';
import type { RegisterRows, SecretCopyRow, SecretHandoverRow, SecretIncomingRow, SecretLevel } from '../reports/registers';
import { registerXlsx } from '../reports/registerXlsx';

const COPY_FORM = { print: 'in', sao_y: 'sao_y', trich_sao: 'trich_sao', sao_luc: 'sao_luc' } as const;

export class RegisterOutputService {
  constructor(private readonly source: ContextSource) {}

  /** The rows of a register for the period, as the reports module takes them. */
  rows<K extends keyof RegisterRows>(actor: Actor, kind: K, from: string, to: string): RegisterRows[K][] {
    authorize(actor, 'doc.read');
    const { db, arms } = this.source.context();
    const secretArms = arms.filter((a) => a.level !== null && a.level !== 'thuong');
    const visible = canSeeAll(actor) ? { sql: '1', params: [] as unknown[] } : distributionSql(actor);
    const out: unknown[] = [];
    for (const a of secretArms) {
      const c = a.schema;
      const vis = visible.sql.replaceAll('{c}', c);
      if (kind === 'secret_incoming') {
        const rows = db.prepare(`SELECT i.arrival_date, i.arrival_number, i.issuer_name, i.number_symbol, i.document_date, i.type_code, i.subject, i.secrecy, i.recipients, i.notes,
            (SELECT group_concat(u.full_name || ' ' || h.acknowledged_at, '; ') FROM ${c}.incoming_handovers h JOIN users u ON u.id = h.acknowledged_by WHERE h.incoming_id = i.id AND h.acknowledged_at IS NOT NULL) AS ack
          FROM ${c}.incoming i WHERE i.arrival_date BETWEEN ? AND ? AND ${vis} ORDER BY i.arrival_date, i.arrival_number`).all(from, to, ...visible.params) as Array<Record<string, string | number | null>>;
        for (const r of rows) {
          out.push({
            arrivalDate: String(r.arrival_date), arrivalNumber: Number(r.arrival_number), issuer: String(r.issuer_name), numberSymbol: String(r.number_symbol),
            documentDate: (r.document_date as string | null) ?? null, typeName: documentTypeName(String(r.type_code)), subject: (r.subject as string) || null,
            secrecy: r.secrecy as SecretLevel,
            recipient: (JSON.parse(String(r.recipients)) as string[]).join('; '),
            acknowledgement: r.ack ? String(r.ack).replace(/(\S+T\S+Z)/g, (iso) => formatDateTimeVn(iso)) : null, notes: (r.notes as string) || null,
          } satisfies SecretIncomingRow);
        }
      } else if (kind === 'secret_copies') {
        const rows = db.prepare(`SELECT k.first_number, k.made_at, i.type_code, i.number_symbol, i.document_date, i.issuer_name, i.subject, i.secrecy, k.kind, k.copies,
            ua.full_name AS allowed, um.full_name AS made, k.reason
          FROM ${c}.copies k JOIN ${c}.incoming i ON i.id = k.incoming_id JOIN users ua ON ua.id = k.allowed_by JOIN users um ON um.id = k.made_by
          WHERE substr(k.made_at, 1, 10) BETWEEN ? AND ? AND ${vis} ORDER BY k.year, k.first_number`).all(from, to, ...visible.params) as Array<Record<string, string | number | null>>;
        for (const r of rows) {
          out.push({
            copyNumber: Number(r.first_number), copiedOn: String(r.made_at).slice(0, 10), typeName: documentTypeName(String(r.type_code)),
            numberSymbol: String(r.number_symbol), documentDate: r.document_date as string, issuer: String(r.issuer_name), subject: (r.subject as string) || null,
            secrecy: r.secrecy as SecretLevel, form: COPY_FORM[r.kind as keyof typeof COPY_FORM], count: Number(r.copies),
            allowedBy: String(r.allowed), madeBy: String(r.made), recipients: null, notes: (r.reason as string) || null,
          } satisfies SecretCopyRow);
        }
      } else {
        const rows = db.prepare(`SELECT h.id, h.handed_on, i.type_code, i.number_symbol, i.document_date, i.subject, i.secrecy, i.copy_count,
            ub.full_name AS handed_by, h.recipient_name, h.acknowledged_at, h.note, h.ack_cms IS NOT NULL AS signed
          FROM ${c}.incoming_handovers h JOIN ${c}.incoming i ON i.id = h.incoming_id JOIN users ub ON ub.id = h.handed_by
          WHERE h.handed_on BETWEEN ? AND ? AND ${vis} ORDER BY h.handed_on, h.id`).all(from, to, ...visible.params) as Array<Record<string, string | number | null>>;
        for (const r of rows) {
          out.push({
            sequence: 0, handedOn: String(r.handed_on), typeName: documentTypeName(String(r.type_code)), numberSymbol: String(r.number_symbol),
            documentDate: r.document_date as string, subject: (r.subject as string) || null, secrecy: r.secrecy as SecretLevel,
            quantity: Number(r.copy_count ?? 1), handedBy: String(r.handed_by), receiver: String(r.recipient_name),
            acknowledgement: r.acknowledged_at ? `${r.signed ? 'Đã ký số' : 'Đã ký nhận'} ${formatDateTimeVn(String(r.acknowledged_at))}` : null, notes: (r.note as string) || null,
          } satisfies SecretHandoverRow);
        }
      }
    }
    if (kind === 'secret_handover') {
      (out as SecretHandoverRow[]).sort((x, y) => x.handedOn.localeCompare(y.handedOn)).forEach((r, i) => { r.sequence = i + 1; });
    } else if (kind === 'secret_incoming') {
      (out as SecretIncomingRow[]).sort((x, y) => x.arrivalDate.localeCompare(y.arrivalDate) || x.arrivalNumber - y.arrivalNumber);
    } else {
      (out as SecretCopyRow[]).sort((x, y) => x.copyNumber - y.copyNumber);
    }
    return out as RegisterRows[K][];
  }

  /** The register for a period as PDF or XLSX, for the person's reach; audited. */
  async output(actor: Actor, input: RegisterOutputInput): Promise<RegisterOutput & { bytes: Uint8Array }> {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    if (input.from > input.to) throw DeskError.keyed('VALIDATION', 'report.badPeriod', undefined, { at: 'to' });
    if (yearOf(input.from) !== yearOf(input.to)) throw DeskError.keyed('VALIDATION', 'report.oneYear', undefined, { at: 'to' });
    if (!ctx.arms.some((a) => a.level !== null && a.level !== 'thuong' as Secrecy)) throw DeskError.keyed('FORBIDDEN', 'report.noSecretLevel');
    const rows = this.rows(actor, input.kind, input.from, input.to);
    const unitName = (ctx.db.prepare('SELECT name FROM units WHERE is_self = 1').pluck().get() as string | undefined) ?? '';
    const opts = { unitName, year: yearOf(input.from), period: { from: input.from, to: input.to } };
    const bytes = input.format === 'pdf' ? await registerPdf(input.kind, rows, opts) : await registerXlsx(input.kind, rows, opts);
    await ctx.writable();
    writeTx(ctx.db, () => appendAudit(ctx.db, { userId: actor.id, action: 'register.export', details: { kind: input.kind, format: input.format, from: input.from, to: input.to, rows: rows.length } }, ctx.now().toISOString()));
    return { kind: input.kind, format: input.format, rows: rows.length, bytes };
  }
}
