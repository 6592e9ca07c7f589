// The yearly closing of the state-secret registers (khóa sổ cuối năm): once a year of a register is
// closed, nothing dated in that year is added to it or changed in it. What each closing forbids:
//   - Sổ đăng ký BMNN đến, year Y: no secret registration or correction with an arrival in Y (every
//     secret incoming register's year is closed too, documents/registers.ts), and no hand-over dated
//     in Y of a document that arrived in Y, nor its late acknowledgement (its ký nhận column);
//   - Sổ quản lý sao, chụp BMNN, year Y: no copy or print run takes a number of Y's copy sequence;
//   - Sổ chuyển giao BMNN, year Y: no hand-over of a secret document dated in Y, and no late ký nhận of
//     one still pending: the văn thư records the hand-over again, dated this year, and it is
//     acknowledged there (the closed year's row stays as it was printed: not acknowledged).
// Every refusal names the register and the year and is audited (outcome "refused") in its own
// transaction, so a direct core call that bypasses the window leaves its trace too.
import { formatDateVn } from '../../../common/dates';
import { DeskError, type MessageKey, type MessageParams } from '../../../common/errors';
import type { SecretRegisterKind } from '../../../common/contract';
import { appendAudit } from '../audit/auditLog';
import type { CoreContext } from '../context';
import type { Db } from '../db/connection';
import { cached } from '../db/statements';
import { writeTx } from '../db/transaction';
import type { Actor } from '../org/rights';

export const SECRET_REGISTER_NAMES: Readonly<Record<SecretRegisterKind, string>> = {
  secret_incoming: 'Sổ đăng ký bí mật nhà nước đến',
  secret_copies: 'Sổ quản lý sao, chụp bí mật nhà nước',
  secret_handover: 'Sổ chuyển giao bí mật nhà nước',
};

export interface ClosingRow {
  id: number; kind: SecretRegisterKind; year: number; closed_at: string; closed_by: number; pdf_sha256: string; rows: number; printed_at: string; printed_by: number;
}

export const closingOf = (db: Db, kind: SecretRegisterKind, year: number): ClosingRow | undefined =>
  cached(db, 'SELECT * FROM main.secret_register_years WHERE kind = ? AND year = ?').get(kind, year) as ClosingRow | undefined;

export const isSecretYearClosed = (db: Db, kind: SecretRegisterKind, year: number): boolean => closingOf(db, kind, year) !== undefined;

/** A secret incoming register's year is closed with the Sổ đăng ký BMNN đến of that year. */
export function secretIncomingYearClosed(db: Db, registerId: number, year: number): boolean {
  const levels = cached(db, 'SELECT secrecy FROM main.registers WHERE id = ?').pluck().get(registerId) as string | undefined;
  if (!levels || (JSON.parse(levels) as string[]).includes('thuong')) return false;
  return isSecretYearClosed(db, 'secret_incoming', year);
}

/** Records a refused write in the audit trail (its own transaction; never throws). */
export function auditRefusal(ctx: Pick<CoreContext, 'db' | 'now'> & { log?: CoreContext['log'] }, actor: Actor, action: string, reason: MessageKey, details: Record<string, unknown>, entity?: { entity: string; entityId: number }): void {
  try {
    writeTx(ctx.db, () => appendAudit(ctx.db, { userId: actor.id, action, outcome: 'refused', reason, ...(entity ?? {}), details }, ctx.now().toISOString()));
  } catch (err) {
    ctx.log?.log('error', 'refusal not audited', { action, reason, error: (err as Error).message });
  }
}

/** Audits the refusal, then throws it (a VALIDATION error at `at`). */
export function refuseClosed(
  ctx: CoreContext, actor: Actor, action: string, key: MessageKey, params: MessageParams, details: Record<string, unknown>,
  opts: { at?: string; entity?: { entity: string; entityId: number } } = {},
): never {
  auditRefusal(ctx, actor, action, key, details, opts.entity);
  throw DeskError.keyed('VALIDATION', key, params, opts.at ? { at: opts.at } : undefined);
}

const yearOfIso = (iso: string): number => Number(iso.slice(0, 4));

/**
 * A hand-over of a secret document dated `handedOn`: refused when the hand-over register of that year
 * is closed, or when the incoming register of the document's arrival year is closed and the hand-over
 * falls in that year (the register's ký nhận column). `late`: an acknowledgement, not a new hand-over.
 */
export function assertHandoverOpen(
  ctx: CoreContext, actor: Actor, doc: { id: number; arrivalDate: string }, handedOn: string, late: null | { handover: number },
): void {
  const y = yearOfIso(handedOn);
  const action = late ? 'incoming.acknowledge' : 'incoming.hand_over';
  const entity = { entity: 'incoming', entityId: doc.id };
  const details = { handedOn, year: y, ...(late ? { handover: late.handover } : {}) };
  if (isSecretYearClosed(ctx.db, 'secret_handover', y)) {
    if (late) refuseClosed(ctx, actor, action, 'secretRegister.lateAcknowledgement', { date: formatDateVn(handedOn), year: y }, { ...details, register: 'secret_handover' }, { entity });
    refuseClosed(ctx, actor, action, 'secretRegister.handoverYearClosed', { date: formatDateVn(handedOn), year: y }, { ...details, register: 'secret_handover' }, { at: 'handedOn', entity });
  }
  if (yearOfIso(doc.arrivalDate) === y && isSecretYearClosed(ctx.db, 'secret_incoming', y)) {
    if (late) refuseClosed(ctx, actor, action, 'secretRegister.lateAcknowledgementIncoming', { date: formatDateVn(handedOn), year: y }, { ...details, register: 'secret_incoming' }, { entity });
    refuseClosed(ctx, actor, action, 'secretRegister.incomingYearClosed', { date: formatDateVn(handedOn), year: y }, { ...details, register: 'secret_incoming' }, { at: 'handedOn', entity });
  }
}

/** A copy or print run taking numbers of `year`'s copy sequence. */
export function assertCopyYearOpen(ctx: CoreContext, actor: Actor, incomingId: number, year: number): void {
  if (isSecretYearClosed(ctx.db, 'secret_copies', year))
    refuseClosed(ctx, actor, 'document.copy', 'secretRegister.copyYearClosed', { year }, { year, register: 'secret_copies' }, { entity: { entity: 'incoming', entityId: incomingId } });
}
