// Printing and copying, accountable. Who may allow a print or an electronic copy (sao y, trích sao,
// sao lục) of a classified record depends on its level (rules.ts, a profile setting); whoever holds
// that authority may make copies themselves, anyone else with a permission given to them by name,
// used once. Each print run takes numbers in the yearly copy sequence (a base counter) and is entered
// in the Sổ quản lý sao, chụp bí mật nhà nước with its numbers, count, who allowed it, who made it and
// when. The printout is composed by the app (print/composePrintout.ts: the document's pages with the
// marks, the watermark naming the person, unit, time, document and copy number); it is never stored:
// the caller hands it to the printer or to a save dialog the policy allows.
import { PDFDocument } from 'pdf-lib';
import type { CopyApprovalView, CopyRegisterRow, CopyResult } from '../../../common/contract';
import { clearedFor, SECRECY_LABELS, type Role, type Secrecy, type Urgency } from '../../../common/domain';
import { DeskError } from '../../../common/errors';
import type { AllowCopyInput, MakeCopyInput } from '../../../common/schemas';
import { todayIso, yearOf } from '../../../common/dates';
import { appendAudit } from '../audit/auditLog';
import { nextRecordId } from '../compartments/ids';
import type { ContextSource } from '../context';
import type { Db } from '../db/connection';
import { writeTx } from '../db/transaction';
import { locate } from '../documents/arms';
import { recordChange } from '../events/eventLog';
import { newGlobalId } from '../events/globalId';
import { authorize, type Actor } from '../org/rights';
import { composePrintout } from '../print/composePrintout';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { isClassified, placeOf } from './place';
import { copyAuthority } from './rules';
import { assertCopyYearOpen } from './registerYears';

/** Another process took the peeked numbers first (the transaction rolls back). */
class RetryCopy extends Error {}

const COPY_KIND_LABEL = { print: 'In', sao_y: 'Sao y', trich_sao: 'Trích sao', sao_luc: 'Sao lục' } as const;

async function readAll(s: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of s) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

/** Takes `n` numbers of the yearly copy sequence (in the caller's transaction); returns the first. */
function takeCopyNumbers(db: Db, year: number, n: number): number {
  const last = db.prepare(`INSERT INTO main.id_sequence (name, last) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET last = last + excluded.last RETURNING last`)
    .pluck().get(`copies:${year}`, n) as number;
  return last - n + 1;
}

export class CopyService {
  constructor(private readonly source: ContextSource) {}

  private mayAllow(actor: Actor, level: Exclude<Secrecy, 'thuong'>): boolean {
    return copyAuthority(this.source.context().db, level).includes(actor.role as Role);
  }

  /** A leader (by default) allows a named person to make copies of a classified record. */
  async allow(actor: Actor, input: AllowCopyInput): Promise<CopyApprovalView> {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    await ctx.writable();
    const { db } = ctx;
    const doc = placeOf(db, ctx.arms, actor, input.incomingId);
    if (!isClassified(doc.secrecy)) throw DeskError.keyed('VALIDATION', 'copy.notClassified');
    if (!this.mayAllow(actor, doc.secrecy)) throw DeskError.keyed('FORBIDDEN', 'copy.notAuthority', { level: SECRECY_LABELS[doc.secrecy] });
    const user = db.prepare('SELECT id, full_name, clearance FROM users WHERE id = ? AND active = 1').get(input.forUserId) as { id: number; full_name: string; clearance: Secrecy } | undefined;
    if (!user) throw DeskError.keyed('VALIDATION', 'recipient.userUnknown', undefined, { at: 'forUserId' });
    if (!clearedFor(user.clearance, doc.secrecy)) throw DeskError.keyed('VALIDATION', 'grant.notCleared', { name: user.full_name }, { at: 'forUserId' });
    const now = ctx.now();
    const id = writeTx(db, () => {
      const aid = nextRecordId(db);
      db.prepare(`INSERT INTO ${doc.c}.copy_approvals (id, global_id, incoming_id, kind, copies, for_user_id, allowed_by, allowed_at, reason) VALUES (?,?,?,?,?,?,?,?,?)`)
        .run(aid, newGlobalId(), doc.id, input.kind, input.copies, user.id, actor.id, now.toISOString(), input.reason);
      recordChange(db, 'copy_approvals', aid, 'create', actor.id, now, doc.c);
      appendAudit(db, { userId: actor.id, action: 'copy.allow', entity: 'incoming', entityId: doc.id, details: { approval: aid, kind: input.kind, copies: input.copies, for: user.id } }, now.toISOString());
      return aid;
    });
    return { id, incomingId: doc.id, kind: input.kind, copies: input.copies, forUserId: user.id, forUserName: user.full_name, allowedAt: now.toISOString(), usedAt: null };
  }

  /** Makes a print run: the composed PDF (all copies, each numbered), and its entry in the copy register. */
  async make(actor: Actor, input: MakeCopyInput): Promise<CopyResult & { pdf: Uint8Array; level: Secrecy }> {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    await ctx.writable();
    const { db } = ctx;
    const doc = placeOf(db, ctx.arms, actor, input.incomingId);
    const classified = isClassified(doc.secrecy);
    let allowedBy = actor.id;
    let approvalId: number | null = null;
    if (isClassified(doc.secrecy) && !this.mayAllow(actor, doc.secrecy)) {
      // Someone without the authority needs a permission given to them for this record, unused.
      const a = input.approvalId === undefined ? undefined : db.prepare(`SELECT * FROM ${doc.c}.copy_approvals WHERE id = ?`).get(input.approvalId) as
        { id: number; incoming_id: number; kind: string; copies: number; for_user_id: number; allowed_by: number; used_at: string | null } | undefined;
      if (!a || a.incoming_id !== doc.id || a.for_user_id !== actor.id) throw DeskError.keyed('FORBIDDEN', 'copy.needsPermission', { level: SECRECY_LABELS[doc.secrecy] });
      if (a.used_at !== null) throw DeskError.keyed('FORBIDDEN', 'copy.permissionUsed');
      if (a.kind !== input.kind || input.copies > a.copies) throw DeskError.keyed('FORBIDDEN', 'copy.beyondPermission', { copies: a.copies });
      allowedBy = a.allowed_by;
      approvalId = a.id;
    }
    const file = db.prepare(`SELECT sha256, name, sealed_for FROM ${doc.c}.attachments WHERE incoming_id = ? AND is_pdf = 1 ORDER BY ordinal LIMIT 1`).get(doc.id) as { sha256: string; name: string; sealed_for: number | null } | undefined;
    if (!file) throw DeskError.keyed('VALIDATION', 'copy.noPdf');
    if (file.sealed_for !== null && file.sealed_for !== actor.id) throw DeskError.keyed('FORBIDDEN', 'envelope.namedOnly');
    // The flags printed beside the level: "Tài liệu thu hồi", "Chỉ người có tên mới được bóc bì" (compartments only).
    const flags = doc.c === 'main' ? undefined : db.prepare(`SELECT recalled, named_user_id AS namedUserId FROM ${doc.c}.incoming WHERE id = ?`).get(doc.id) as
      { recalled: number; namedUserId: number | null } | undefined;
    const stored = await readAll(ctx.storeFor(doc.secrecy).openBlob(file.sha256));
    const source = file.sealed_for !== null ? await ctx.unseal(stored, ctx.attachmentLimit()) : stored;
    const now = ctx.now();
    // The copy sequence runs by calendar year in Vietnam, whatever the machine's time zone.
    const year = yearOf(todayIso(now));
    // A closed year of the copy register takes no more numbers (a workstation clock set back).
    if (classified) assertCopyYearOpen(ctx, actor, doc.id, year);
    const unit = (db.prepare('SELECT name FROM units WHERE is_self = 1').pluck().get() as string | undefined) ?? '';
    // The printout carries its numbers, so it is composed with the next numbers of the sequence and
    // the register's transaction takes them; another workstation process taking them meanwhile (rare)
    // means composing again. A failed composition takes no number.
    for (let attempt = 0; attempt < 3; attempt++) {
      const peeked = ((db.prepare('SELECT last FROM main.id_sequence WHERE name = ?').pluck().get(`copies:${year}`) as number | undefined) ?? 0) + 1;
      const out = await PDFDocument.create();
      for (let k = 0; k < input.copies; k++) {
        const one = await composePrintout({
          source,
          marks: { secrecy: doc.secrecy, urgency: doc.urgency as Urgency, recalled: flags?.recalled === 1, namedOnly: (flags?.namedUserId ?? null) !== null },
          watermark: {
            person: actor.fullName, unit, time: now, copyNumber: k + 1, copyCount: input.copies,
            documentNumber: `Số đến ${doc.arrivalNumber} — ${doc.numberSymbol}${classified ? ` — Bản sao số ${peeked + k}/${year}` : ''}`,
          },
        });
        const part = await PDFDocument.load(one);
        for (const page of await out.copyPages(part, part.getPageIndices())) out.addPage(page);
      }
      const pdf = await out.save();
      const sha256 = createHash('sha256').update(pdf).digest('hex');
      let copyId: number | null;
      try {
        copyId = writeTx(db, (): number | null => {
        const first = classified ? takeCopyNumbers(db, year, input.copies) : peeked;
        if (first !== peeked) throw new RetryCopy();
        let cid: number | null = null;
        if (classified) {
          cid = nextRecordId(db);
          db.prepare(`INSERT INTO ${doc.c}.copies (id, global_id, incoming_id, kind, year, first_number, copies, allowed_by, approval_id, made_by, made_at, reason, sha256)
            VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`).run(cid, newGlobalId(), doc.id, input.kind, year, first, input.copies, allowedBy, approvalId, actor.id, now.toISOString(), input.reason, sha256);
          recordChange(db, 'copies', cid, 'create', actor.id, now, doc.c);
          if (approvalId !== null) {
            db.prepare(`UPDATE ${doc.c}.copy_approvals SET used_at = ? WHERE id = ?`).run(now.toISOString(), approvalId);
            recordChange(db, 'copy_approvals', approvalId, 'update', actor.id, now, doc.c);
          }
        }
        appendAudit(db, { userId: actor.id, action: input.kind === 'print' ? 'document.print' : 'document.copy', entity: 'incoming', entityId: doc.id,
          details: { copy: cid, kind: input.kind, copies: input.copies, first: classified ? first : null, year, allowedBy, sha256 } }, now.toISOString());
        return cid;
        });
      } catch (err) {
        if (err instanceof RetryCopy) continue;
        throw err;
      }
      return { copyId, year, firstNumber: classified ? peeked : null, copies: input.copies, kind: input.kind, pdf, level: doc.secrecy };
    }
    throw DeskError.keyed('VALIDATION', 'copy.busy');
  }

  /** The copy register of a year, over the compartments held: Sổ quản lý sao, chụp bí mật nhà nước. */
  register(actor: Actor, year: number): CopyRegisterRow[] {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    const rows = ctx.arms.flatMap((a) => ctx.db.prepare(`SELECT k.id, k.incoming_id AS incomingId, k.kind, k.year, k.first_number AS firstNumber, k.copies,
        i.secrecy, i.arrival_number AS arrivalNumber, i.number_symbol AS numberSymbol, i.document_date AS documentDate,
        ua.full_name AS allowedBy, um.full_name AS madeBy, k.made_at AS madeAt, k.reason
      FROM ${a.schema}.copies k JOIN ${a.schema}.incoming i ON i.id = k.incoming_id JOIN users ua ON ua.id = k.allowed_by JOIN users um ON um.id = k.made_by
      WHERE k.year = ?`).all(year) as CopyRegisterRow[]);
    // Need-to-know: a row names a record; only those the person may see.
    return rows.filter((r) => {
      try {
        placeOf(ctx.db, ctx.arms, actor, r.incomingId);
        return true;
      } catch {
        return false;
      }
    }).sort((x, y) => x.firstNumber - y.firstNumber).map((r) => ({ ...r, kindLabel: COPY_KIND_LABEL[r.kind] }));
  }

  approvals(actor: Actor, incomingId: number): CopyApprovalView[] {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    const doc = placeOf(ctx.db, ctx.arms, actor, incomingId);
    const arm = locate(ctx.db, ctx.arms, 'incoming', doc.id)!;
    return (ctx.db.prepare(`SELECT a.id, a.incoming_id AS incomingId, a.kind, a.copies, a.for_user_id AS forUserId, u.full_name AS forUserName,
        a.allowed_at AS allowedAt, a.used_at AS usedAt FROM ${arm.schema}.copy_approvals a JOIN users u ON u.id = a.for_user_id WHERE a.incoming_id = ? ORDER BY a.id`)
      .all(doc.id) as CopyApprovalView[]);
  }
}
