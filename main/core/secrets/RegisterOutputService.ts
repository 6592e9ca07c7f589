// The state-secret registers as outputs: Sổ đăng ký bí mật nhà nước đến, Sổ quản lý sao, chụp bí mật
// nhà nước and Sổ chuyển giao bí mật nhà nước, for a period, from the compartments the person holds
// and the records they may see, composed as PDF in the law's layout or as XLSX (main/core/reports).
// Every output is audited (it is a copy of the register); it is handed over once, never stored. A
// whole-year PDF made by someone who sees the whole register is remembered (its SHA-256 and a
// fingerprint of its rows): closing that year (registerYears.ts) seals exactly what was printed.
// Who may read and close the registers: registerRules.ts.
import { createHash } from 'node:crypto';
import type { RegisterOutput, SecretRegisterAccess, SecretRegisterClosing, SecretRegisterKind, SecretRegisterPrint, SecretRegisterTable } from '../../../common/contract';
import { formatDateTimeVn, todayIso, yearOf } from '../../../common/dates';
import { documentTypeName, type Secrecy } from '../../../common/domain';
import { DeskError } from '../../../common/errors';
import type { RegisterOutputInput, SecretRegisterCloseInput, SecretRegisterViewInput } from '../../../common/schemas';
import { appendAudit } from '../audit/auditLog';
import type { ContextSource, CoreContext } from '../context';
import type { Db } from '../db/connection';
import { writeTx } from '../db/transaction';
import { recordChange } from '../events/eventLog';
import { canSeeAll, distributionSql } from '../documents/needToKnow';
import { authorize, type Actor } from '../org/rights';
import { cellText, registerPdf } from '../reports/registerPdf';
import { LAYOUTS, type Column, type RegisterRows, type SecretCopyRow, type SecretHandoverRow, type SecretIncomingRow, type SecretLevel } from '../reports/registers';
import { registerXlsx } from '../reports/registerXlsx';
import { mayCloseSecretRegisters, mayReadSecretRegisters, seesWholeRegister } from './registerRules';
import { auditRefusal, closingOf, SECRET_REGISTER_NAMES, type ClosingRow } from './registerYears';

const userName = (db: Db, id: number): string => (db.prepare('SELECT full_name FROM main.users WHERE id = ?').pluck().get(id) as string | undefined) ?? '';
const fingerprint = (rows: unknown[]): string => createHash('sha256').update(JSON.stringify(rows)).digest('hex');
const wholeYear = (from: string, to: string): boolean => from.endsWith('-01-01') && to === `${from.slice(0, 4)}-12-31`;

interface PrintRow { kind: SecretRegisterKind; year: number; sha256: string; rows: number; fingerprint: string; printed_by: number; printed_at: string }

const COPY_FORM = { print: 'in', sao_y: 'sao_y', trich_sao: 'trich_sao', sao_luc: 'sao_luc' } as const;

export class RegisterOutputService {
  constructor(private readonly source: ContextSource) {}

  /** The rows of a register for the period, as the reports module takes them. */
  rows<K extends keyof RegisterRows>(actor: Actor, kind: K, from: string, to: string): RegisterRows[K][] {
    this.assertReader(actor);
    const { db, arms } = this.source.context();
    const secretArms = arms.filter((a) => a.level !== null && a.level !== 'thuong');
    const visible = canSeeAll(actor) ? { sql: '1', params: [] as unknown[] } : distributionSql(actor);
    const out: unknown[] = [];
    for (const a of secretArms) {
      const c = a.schema;
      const vis = visible.sql.replaceAll('{c}', c);
      if (kind === 'secret_incoming') {
        const rows = db.prepare(`SELECT i.arrival_date, i.arrival_number, i.issuer_name, i.number_symbol, i.document_date, i.type_code, i.subject, i.secrecy, i.recipients, i.notes,
            (SELECT group_concat(u.full_name || ' ' || h.acknowledged_at, '; ') FROM ${c}.incoming_handovers h JOIN users u ON u.id = h.acknowledged_by WHERE h.incoming_id = i.id AND h.acknowledged_at IS NOT NULL AND substr(h.handed_on, 1, 4) = substr(i.arrival_date, 1, 4)) AS ack
          FROM ${c}.incoming i WHERE i.arrival_date BETWEEN ? AND ? AND ${vis} ORDER BY i.arrival_date, i.arrival_number < 1, i.arrival_number`).all(from, to, ...visible.params) as Array<Record<string, string | number | null>>;
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

  /** Who may read and close these registers (the window shows the area and the button by this). */
  access(actor: Actor): SecretRegisterAccess {
    authorize(actor, 'session');
    const { db } = this.source.context();
    return { read: mayReadSecretRegisters(db, actor), close: mayCloseSecretRegisters(db, actor) };
  }

  private assertReader(actor: Actor): void {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    if (!mayReadSecretRegisters(ctx.db, actor)) {
      auditRefusal(ctx, actor, 'register.read', 'secretRegister.notReader', {});
      throw DeskError.keyed('FORBIDDEN', 'secretRegister.notReader');
    }
  }

  private checkPeriod(ctx: CoreContext, from: string, to: string): void {
    if (from > to) throw DeskError.keyed('VALIDATION', 'report.badPeriod', undefined, { at: 'to' });
    if (yearOf(from) !== yearOf(to)) throw DeskError.keyed('VALIDATION', 'report.oneYear', undefined, { at: 'to' });
    if (!ctx.arms.some((a) => a.level !== null && a.level !== 'thuong' as Secrecy)) throw DeskError.keyed('FORBIDDEN', 'report.noSecretLevel');
  }

  private closingView(db: Db, c: ClosingRow): SecretRegisterClosing {
    return {
      kind: c.kind, year: c.year, closedAt: c.closed_at, closedBy: userName(db, c.closed_by), pdfSha256: c.pdf_sha256, rows: c.rows,
      printedAt: c.printed_at, printedBy: userName(db, c.printed_by),
    };
  }

  /** The register for a period as the window shows it: the law's columns, each cell as printed. */
  table(actor: Actor, input: SecretRegisterViewInput): SecretRegisterTable {
    const ctx = this.source.context();
    this.assertReader(actor);
    this.checkPeriod(ctx, input.from, input.to);
    const rows = this.rows(actor, input.kind, input.from, input.to);
    const layout = LAYOUTS[input.kind];
    const columns = layout.columns as Column<unknown>[];
    const cells = rows.map((r) => columns.map((c) => c.cell(r)));
    const year = yearOf(input.from);
    const closings = (ctx.db.prepare('SELECT * FROM main.secret_register_years WHERE kind = ? ORDER BY year').all(input.kind) as ClosingRow[]).map((c) => this.closingView(ctx.db, c));
    const prints = (ctx.db.prepare('SELECT * FROM main.secret_register_prints WHERE kind = ? AND year = ?').all(input.kind, year) as PrintRow[])
      .map((p): SecretRegisterPrint => ({ kind: p.kind, year: p.year, printedAt: p.printed_at, printedBy: userName(ctx.db, p.printed_by), sha256: p.sha256, rows: p.rows }));
    return {
      kind: input.kind, title: layout.title, from: input.from, to: input.to,
      columns: columns.map((c, i) => ({
        title: c.title, width: c.width, numeric: cells.some((row) => row[i] !== null && 'number' in row[i]!), date: cells.some((row) => row[i] !== null && 'date' in row[i]!),
      })),
      rows: cells.map((row) => row.map(cellText)),
      closings, prints, wholeRegister: seesWholeRegister(actor, ctx.arms),
    };
  }

  /** The register for a period as PDF or XLSX, for the person's reach; audited. */
  async output(actor: Actor, input: RegisterOutputInput): Promise<RegisterOutput & { bytes: Uint8Array; sha256: string }> {
    const ctx = this.source.context();
    this.assertReader(actor);
    this.checkPeriod(ctx, input.from, input.to);
    const rows = this.rows(actor, input.kind, input.from, input.to);
    const unitName = (ctx.db.prepare('SELECT name FROM units WHERE is_self = 1').pluck().get() as string | undefined) ?? '';
    const year = yearOf(input.from);
    const opts = { unitName, year, period: { from: input.from, to: input.to } };
    const bytes = input.format === 'pdf' ? await registerPdf(input.kind, rows, opts) : await registerXlsx(input.kind, rows, opts);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    // The whole year in PDF, by someone who sees every row, of a year still open: the print a closing seals.
    const sealable = input.format === 'pdf' && wholeYear(input.from, input.to) && seesWholeRegister(actor, ctx.arms) && !closingOf(ctx.db, input.kind, year);
    await ctx.writable();
    const at = ctx.now().toISOString();
    writeTx(ctx.db, () => {
      if (sealable) {
        ctx.db.prepare(`INSERT INTO main.secret_register_prints (kind, year, sha256, rows, fingerprint, printed_by, printed_at) VALUES (?,?,?,?,?,?,?)
          ON CONFLICT (kind, year) DO UPDATE SET sha256 = excluded.sha256, rows = excluded.rows, fingerprint = excluded.fingerprint, printed_by = excluded.printed_by, printed_at = excluded.printed_at`)
          .run(input.kind, year, sha256, rows.length, fingerprint(rows), actor.id, at);
      }
      appendAudit(ctx.db, { userId: actor.id, action: 'register.export', details: { kind: input.kind, format: input.format, from: input.from, to: input.to, rows: rows.length, sha256, wholeYear: sealable } }, at);
    });
    return { kind: input.kind, format: input.format, rows: rows.length, bytes, sha256 };
  }

  /**
   * Khóa sổ năm: closes a past year of a register, sealing the whole-year PDF printed for it (its
   * SHA-256, who printed it and when). The rows must be the same as when it was printed. Audited and
   * an event; each refusal is specific and audited.
   */
  async close(actor: Actor, input: SecretRegisterCloseInput): Promise<SecretRegisterClosing> {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    await ctx.writable();
    const { db } = ctx;
    const { kind, year } = input;
    const register = SECRET_REGISTER_NAMES[kind];
    const refuse = (code: 'FORBIDDEN' | 'VALIDATION', key: Parameters<typeof DeskError.keyed>[1], params?: Record<string, string | number>): never => {
      auditRefusal(ctx, actor, 'register.close_year', key, { kind, year });
      throw DeskError.keyed(code, key, params, code === 'VALIDATION' ? { at: 'year' } : undefined);
    };
    if (!mayCloseSecretRegisters(db, actor)) refuse('FORBIDDEN', 'secretRegister.notCloser');
    if (!seesWholeRegister(actor, ctx.arms)) refuse('FORBIDDEN', 'secretRegister.needsWholeRegister');
    const now = ctx.now();
    // A year ends at midnight on 31 December in Vietnam, whatever the machine's time zone.
    if (year >= yearOf(todayIso(now))) refuse('VALIDATION', 'secretRegister.closeNotEnded', { year, next: year + 1 });
    const closed = closingOf(db, kind, year);
    if (closed) refuse('VALIDATION', 'secretRegister.alreadyClosed', { register, year, time: formatDateTimeVn(closed.closed_at) });
    const print = db.prepare('SELECT * FROM main.secret_register_prints WHERE kind = ? AND year = ?').get(kind, year) as PrintRow | undefined;
    if (!print) refuse('VALIDATION', 'secretRegister.needsPrint', { register, year });
    const rows = this.rows(actor, kind, `${year}-01-01`, `${year}-12-31`);
    if (fingerprint(rows) !== print!.fingerprint) refuse('VALIDATION', 'secretRegister.changedSincePrint', { register, year, time: formatDateTimeVn(print!.printed_at) });
    const id = writeTx(db, () => {
      if (closingOf(db, kind, year)) throw DeskError.keyed('VALIDATION', 'secretRegister.alreadyClosed', { register, year, time: formatDateTimeVn(now.toISOString()) }, { at: 'year' });
      const newId = Number(db.prepare(`INSERT INTO main.secret_register_years (kind, year, closed_at, closed_by, pdf_sha256, rows, printed_at, printed_by) VALUES (?,?,?,?,?,?,?,?)`)
        .run(kind, year, now.toISOString(), actor.id, print!.sha256, print!.rows, print!.printed_at, print!.printed_by).lastInsertRowid);
      recordChange(db, 'secret_register_years', newId, 'create', actor.id, now);
      // The Sổ đăng ký BMNN đến of a year closes every secret incoming register's year: no
      // registration or correction into it (documents/registers.ts checks register_years).
      const secretRegisters: number[] = [];
      if (kind === 'secret_incoming') {
        const all = db.prepare("SELECT id, secrecy FROM main.registers WHERE kind = 'incoming'").all() as Array<{ id: number; secrecy: string }>;
        for (const r of all.filter((x) => !(JSON.parse(x.secrecy) as string[]).includes('thuong'))) {
          if (db.prepare('SELECT 1 FROM main.register_years WHERE register_id = ? AND year = ?').get(r.id, year)) continue;
          const ry = Number(db.prepare('INSERT INTO main.register_years (register_id, year, closed_at, closed_by) VALUES (?,?,?,?)').run(r.id, year, now.toISOString(), actor.id).lastInsertRowid);
          recordChange(db, 'register_years', ry, 'create', actor.id, now);
          secretRegisters.push(r.id);
        }
      }
      appendAudit(db, {
        userId: actor.id, action: 'secret_register.close_year',
        details: { kind, year, rows: print!.rows, pdfSha256: print!.sha256, printedAt: print!.printed_at, printedBy: print!.printed_by, registersClosed: secretRegisters },
      }, now.toISOString());
      return newId;
    });
    return this.closingView(db, db.prepare('SELECT * FROM main.secret_register_years WHERE id = ?').get(id) as ClosingRow);
  }
}
