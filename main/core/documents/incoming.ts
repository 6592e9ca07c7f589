// The incoming register (sổ đăng ký văn bản đến): registration with its arrival number in the same
// transaction, listing with filters and folded full-text search, and the detail view.
import type {
  DuplicateRef,
  IncomingDetail,
  IncomingRow,
  NumberPreview,
  RegisterResult,
  RegisterSummary,
} from '../../../common/contract';
import { addDaysIso, formatDateVn, isValidIsoDate, todayIso, yearOf } from '../../../common/dates';
import { ARRIVAL_CHANNELS, SECRECY_LABELS, secrecyRank, type ArrivalChannel, type IncomingStatus, type Secrecy, type Urgency } from '../../../common/domain';
import { Writable, type Readable } from 'node:stream';
import { encryptStream } from '../crypto';
import { DeskError } from '../../../common/errors';
import { parseNumberSymbol } from '../../../common/numberSymbol';
import { exactScorer } from '../../../common/searchQuery';
import type { IncomingFilter } from '../../../common/schemas';
import { incomingDateIssues, type DateIssue, type incomingListSchema, type incomingRegisterSchema } from '../../../common/schemas';
import type { Msg } from '../../../common/messages';
import type { z } from 'zod';
import { appendAudit, type AuditEntry } from '../audit/auditLog';
import type { AttachmentStore, StagedMeta } from '../attachments/store';
import type { Statement } from 'better-sqlite3-multiple-ciphers';
import type { Db } from '../db/connection';
import { cached } from '../db/statements';
import { writeTx } from '../db/transaction';
import { recordChange } from '../events/eventLog';
import { findUnit } from '../org/units';
import { authorize, requireClearance, type Actor } from '../org/rights';
import { findDuplicates, issuerKey, type BatchDuplicates } from './duplicates';
import { listCorrections } from './corrections';
import { listHandovers } from './handover';
import { numbersMark, peekNumber, resetNumbers, takeNumber } from './numbering';
import { claimNumber } from './numberClaims';
import { followServerNumber, giveBack, owedReport, planNumber, sequenceOf, type NumberAuthority, type NumberPlan } from './sharedNumbering';
import { duplicateOf, isAwaitingNumber, recordWait } from './numberWaits';
import { pageIds, prepareOrder, prepareOrderStatements } from './paging';
import { recipientRefs, recipientRows, resolveRecipients, writeRecipientRows, type RecipientRow } from './recipients';
import { isYearClosed } from './registers';
import { auditRefusal } from '../secrets/registerYears';
import { PDF_CHECK_LIMIT } from '../pdf/limits';
import { enqueueOcr } from '../ocr/queue';
import { indexIncoming, prepareSearchStatements, searchPlan, type IndexedFields, type SearchPlan } from './search';
import { armOf, armsFor, inArm, locate, overArms, sumOverArms, type Arm } from './arms';
import { nextRecordId, recordIdMark, resetRecordIds } from '../compartments/ids';
import { IncomingBatch } from './incomingBatch';
import { newGlobalId } from '../events/globalId';
import { canSeeAll, distributionSql, isRestricted, prepareRestrictedStatements, restrictedAmong } from './needToKnow';

export type RegisterInput = z.output<typeof incomingRegisterSchema>;

/** Refused as VALIDATION with every message at its field (the first one as the message). */
export function fieldsError(fields: Record<string, Msg>): DeskError {
  const [first] = Object.values(fields);
  return first ? DeskError.keyed('VALIDATION', first.key, first.params, { fields }) : DeskError.keyed('VALIDATION', 'input.invalid');
}

/** The date rules broken, each at its field. */
export const dateIssuesError = (issues: readonly DateIssue[]): DeskError => fieldsError(Object.fromEntries(issues.map((i) => [i.path, i.msg])));
export type ListInput = z.output<typeof incomingListSchema>;

export interface IncomingContext {
  db: Db;
  /** The staging area (the base store). */
  store: AttachmentStore;
  /** The compartments the session holds (compartments/levels.ts). */
  arms: readonly Arm[];
  storeFor(level: Secrecy): AttachmentStore;
  writable(): Promise<void>;
  now(): Date;
}

interface RegisterRow { id: number; name: string; secrecy: string; scope_id: number; kind: 'incoming' }

export function listRegisters(db: Db, actor: Actor): RegisterSummary[] {
  authorize(actor, 'doc.read');
  const rows = cached(db, "SELECT * FROM registers WHERE kind = 'incoming' AND active = 1 ORDER BY id").all() as RegisterRow[];
  return rows
    .map((r) => ({ id: r.id, kind: r.kind, name: r.name, secrecy: JSON.parse(r.secrecy) as Secrecy[] }))
    // A register is visible when the person may see at least one level it takes.
    .filter((r) => r.secrecy.some((s) => secrecyRank(s) <= secrecyRank(actor.clearance)));
}

export function chooseRegister(db: Db, actor: Actor, secrecy: Secrecy, registerId?: number): RegisterRow & { levels: Secrecy[] } {
  const candidates = listRegisters(db, actor).filter((r) => r.secrecy.includes(secrecy));
  const chosen = registerId === undefined ? candidates[0] : candidates.find((r) => r.id === registerId);
  if (!chosen) {
    throw DeskError.keyed('VALIDATION', registerId === undefined ? 'register.noneForSecrecy' : 'register.wrongSecrecy', undefined, { at: 'registerId' });
  }
  const row = cached(db, 'SELECT * FROM registers WHERE id = ?').get(chosen.id) as RegisterRow;
  return { ...row, levels: chosen.secrecy };
}

export function previewNumber(
  ctx: IncomingContext,
  actor: Actor,
  q: { secrecy: Secrecy; registerId?: number | undefined; arrivalDate?: string | undefined; typeCode: string },
): NumberPreview {
  authorize(actor, 'doc.register');
  requireClearance(actor, q.secrecy);
  const register = chooseRegister(ctx.db, actor, q.secrecy, q.registerId);
  const date = q.arrivalDate && isValidIsoDate(q.arrivalDate) ? q.arrivalDate : todayIso(ctx.now());
  return { registerId: register.id, registerName: register.name, nextNumber: peekNumber(ctx.db, register.scope_id, date, q.typeCode) };
}

export async function checkDuplicates(
  ctx: IncomingContext,
  actor: Actor,
  q: { issuerName: string; numberSymbol: string; documentDate: string; stagedIds: string[] },
): Promise<DuplicateRef[]> {
  authorize(actor, 'doc.register');
  const metas = await Promise.all(q.stagedIds.map((id) => ctx.store.stagedMeta(id, actor.id)));
  return findDuplicates(ctx.db, ctx.arms, { ...q, sha256s: metas.map((m) => m.sha256) }, secrecyRank(actor.clearance));
}

/** Why a registration needs the văn thư's confirmation: a past year, or earlier than the latest arrival. */
export interface OrderIssue { reason: 'past_year' | 'before_latest'; year: number; latestArrival?: string }

/** A register's latest arrival date in a year: a seek in each compartment's (register_id, year, arrival_date) index (compartment migration 15). */
export function latestArrivalQuery(arms: readonly Arm[], registerId: number, year: number): { sql: string; params: unknown[] } {
  const q = overArms(arms, 'SELECT arrival_date AS d FROM {c}.incoming WHERE year = ? AND register_id = ?', [year, registerId]);
  return { sql: `${q.sql} ORDER BY d DESC LIMIT 1`, params: q.params };
}

function orderIssues(db: Db, arms: readonly Arm[], registerId: number, arrivalDate: string, today: string, waiting?: IncomingBatch): OrderIssue[] {
  const year = yearOf(arrivalDate);
  const issues: OrderIssue[] = [];
  if (year < yearOf(today)) issues.push({ reason: 'past_year', year });
  const q = latestArrivalQuery(arms, registerId, year);
  const look = () => cached(db, q.sql).pluck().get(...q.params) as string | undefined;
  const stored = waiting ? waiting.untilFlush(`latest:${registerId}:${year}`, look) : look();
  // Records of this transaction not yet in their table (a set-wise write) count as if they were.
  const pending = waiting?.latestArrival(registerId, year);
  const latest = pending !== undefined && (stored === undefined || pending > stored) ? pending : stored;
  if (latest !== undefined && arrivalDate < latest) issues.push({ reason: 'before_latest', year, latestArrival: latest });
  return issues;
}

/** The first reason as a catalog message (the window words every reason from `details.reasons`). */
function orderMsg(issue: OrderIssue, register: string): Msg {
  return issue.reason === 'past_year'
    ? { key: 'order.pastYear', params: { year: issue.year, register } }
    : { key: 'order.beforeLatest', params: { register, latest: formatDateVn(issue.latestArrival) } };
}

/**
 * Files already in the level's store (an electronic document received between agencies: its files never
 * pass through anyone's staging area), and a write to make in the registration's own transaction.
 */
export interface RegisterExtra {
  stored?: ReadonlyArray<{ name: string; size: number; mime: string; isPdf: boolean; sha256: string }>;
  within?: (incomingId: number, at: Date) => void;
  /** The agency server numbering shared registers (sharedNumbering.ts); none: this workstation numbers alone. */
  numbering?: NumberAuthority | null;
  /** The number waits, the home included, and the server is not asked (an electronic arrival registered without its decision). */
  awaitOnly?: boolean;
}

export async function registerIncoming(ctx: IncomingContext, actor: Actor, input: RegisterInput, extra: RegisterExtra = {}): Promise<RegisterResult> {
  authorize(actor, 'doc.register');
  await ctx.writable();
  requireClearance(actor, input.secrecy);
  const first = checkRegistration(ctx, actor, input);
  const metas: StagedMeta[] = [];
  for (const id of new Set(input.stagedIds)) metas.push(await ctx.store.stagedMeta(id, actor.id));
  const preStored = extra.stored ?? [];
  // A signed PDF whose last signature does not cover the whole file was changed after signing.
  for (const m of metas) {
    if (!m.isPdf || m.size > PDF_CHECK_LIMIT) continue;
    // Loaded on first use: the import's database worker registers without it (its workers checked the files).
    const { partialSignature, readAll } = await import('../pdf/view');
    refuseSignedPart(ctx, actor, m, await partialSignature(await readAll(ctx.store.openStaged(m.stagedId))));
  }
  const p = checkPlacement(ctx, actor, input, first, [...metas.map((m) => m.sha256), ...preStored.map((f) => f.sha256)]);
  // A shared register's number comes from the agency server before anything is written (and before the
  // staged files move: a workstation that may not number keeps them for the next try).
  const globalId = newGlobalId();
  const plan = await planNumber(ctx.db, extra.numbering ?? null, p.register, p.arrivalDate, input.typeCode, globalId, ctx.now(), actor.id, extra.awaitOnly ? 'only' : input.awaitNumber === true);
  try {
    return await storeAndWrite(ctx, actor, input, extra, metas, p, plan, globalId);
  } catch (e) {
    if (plan.kind === 'server') await giveBack(ctx.db, extra.numbering!, p.register.id, plan, ctx.now());
    throw e;
  }
}

async function storeAndWrite(
  ctx: IncomingContext, actor: Actor, input: RegisterInput, extra: RegisterExtra, metas: StagedMeta[],
  p: ReturnType<typeof checkPlacement>, plan: NumberPlan, globalId: string,
): Promise<RegisterResult> {
  const preStored = extra.stored ?? [];
  // Blobs go into the store before the transaction: a crash leaves at worst an unreferenced blob.
  // Sealed for the named person, a file is stored as the CMS envelope (its own hash), never in clear.
  const levelStore = ctx.storeFor(input.secrecy);
  const stored: Array<{ sha256: string; size: number }> = [];
  for (const m of metas) {
    if (p.named) {
      const sha256 = await levelStore.putBytes(await sealFor(ctx.store.openStaged(m.stagedId), p.named.certificates), m.stagedId);
      stored.push({ sha256, size: m.size });
    } else {
      await levelStore.promote(m.stagedId);
      stored.push({ sha256: m.sha256, size: m.size });
    }
  }
  const registeredAt = ctx.now();
  const result = writeTx(ctx.db, () => {
    const r = writeIncoming(ctx.db, actor, input, p, metas.map((m, i) => ({ ...m, ...stored[i]! })), registeredAt, preStored, true, { plan, globalId });
    extra.within?.(r.id, registeredAt);
    return r;
  });
  for (const m of metas) await ctx.store.discard(m.stagedId).catch(() => undefined);
  return result;
}

/** A file of a registration as written in its record: checked, and already in the level's store under `sha256`. */
export interface RegisteredFile { name: string; size: number; sha256: string; mime: string; isPdf: boolean }

/**
 * The bulk import's registration (import/ImportService.ts), synchronous, inside the caller's write
 * transaction: the same checks, in the same order, and the same writes as registerIncoming, for a
 * file the importer's workers have already checked (its signature finding given) and stored in the
 * level's store. A named-recipient envelope is not possible here (its sealing is the window's).
 */
export function registerIncomingPlaced(
  ctx: IncomingContext, actor: Actor, input: RegisterInput,
  files: ReadonlyArray<RegisteredFile & { signature: 'changed-after-signing' | 'appended-bytes' | null }>, registeredAt: Date,
  /** The caller's batch look-up of duplicates (its write slice's, in this transaction); none: this row's own queries. */
  batch?: BatchDuplicates,
  /**
   * While linked (import/importNumbering.ts): the number the agency server gave the record's id, or the
   * home's offline plan; null: none could be asked, the row is refused. Undefined: numbered here.
   */
  numbered?: { plan: Extract<NumberPlan, { kind: 'server' | 'home-offline' }>; globalId: string } | null,
  /** The transaction's set-wise writes (incomingBatch.ts): the record's rows wait there; none: written now. */
  into?: IncomingBatch,
): RegisterResult {
  authorize(actor, 'doc.register');
  requireClearance(actor, input.secrecy);
  if (input.namedRecipient !== undefined || input.stagedIds.length > 0) throw DeskError.keyed('VALIDATION', 'input.invalid');
  const first = checkRegistration(ctx, actor, input, into);
  for (const f of files) if (f.isPdf && f.size <= PDF_CHECK_LIMIT) refuseSignedPart(ctx, actor, f, f.signature);
  const sha256s = files.map((f) => f.sha256);
  const p = checkPlacement(ctx, actor, input, first, sha256s, batch, into);
  if (!ctx.db.inTransaction) throw new Error('registerIncomingPlaced runs inside a write transaction');
  // A shared register's number is the server's for this register and sequence, never this counter's.
  if (numbered === null) throw DeskError.keyed('VALIDATION', 'numbering.importNotNumbered', { register: p.register.name });
  if (numbered?.plan.kind === 'server') {
    const { sequence } = sequenceOf(ctx.db, p.register, p.arrivalDate, input.typeCode);
    const asked = numbered.plan.sequence;
    if (asked.register !== sequence.register || asked.period !== sequence.period || asked.bucket !== sequence.bucket)
      throw DeskError.keyed('VALIDATION', 'numbering.importNotNumbered', { register: p.register.name });
  }
  // Its own savepoint: a refusal above keeps its audit entry, a failed write leaves nothing.
  // The import's own journal settles a number whose record a crash lost (import/recover.ts): no claim.
  let r: RegisterResult;
  if (into && IncomingBatch.takes(p, input)) {
    // A local number is taken by one statement that refuses nothing: no savepoint needed (an error fails the transaction).
    const build = () => incomingRows(ctx.db, actor, input, p, files, registeredAt, [], false, numbered ?? { plan: { kind: 'local' }, globalId: newGlobalId() });
    const w = numbered ? inSavepoint(ctx.db, build) : build();
    into.add(w);
    // Kept in order with the transaction's other entries (writeSlice defers them), chained at its end.
    appendAudit(ctx.db, w.audit, registeredAt.toISOString());
    r = w.result;
  } else {
    // Written now: what waits goes first (the events keep the registrations' order).
    into?.flush();
    r = inSavepoint(ctx.db, () => writeIncoming(ctx.db, actor, input, p, files, registeredAt, [], false, numbered ?? undefined));
  }
  batch?.written({
    id: r.id, arrivalNumber: r.arrivalNumber, registerName: r.registerName, numberSymbol: p.numberSymbol, issuerName: p.issuerName,
    documentDate: input.documentDate, numberSymbolKey: p.numberSymbolKey, issuerKey: issuerKey(p.issuerName), sha256s, secrecyRank: secrecyRank(input.secrecy),
  });
  return r;
}

/** A savepoint around `fn`; the ids and numbers it took back as well when they are counted in memory (compartments/ids.ts, numbering.ts). */
function inSavepoint<T>(db: Db, fn: () => T): T {
  const mark = recordIdMark(db);
  const numbers = numbersMark(db);
  try {
    return db.transaction(fn)();
  } catch (e) {
    resetRecordIds(db, mark);
    resetNumbers(db, numbers);
    throw e;
  }
}

function refuseSignedPart(ctx: IncomingContext, actor: Actor, m: { name: string; sha256: string }, partial: 'changed-after-signing' | 'appended-bytes' | null): void {
  if (!partial) return;
  const key = partial === 'changed-after-signing' ? 'pdf.changedAfterSigning' : 'pdf.appendedAfterSigning';
  auditRefusal(ctx, actor, 'incoming.register', key, { file: m.sha256, finding: partial });
  throw DeskError.keyed('VALIDATION', key, { name: m.name }, { at: 'stagedIds', details: { reason: partial, sha256: m.sha256 } });
}

/** The checks of a registration before its files are looked at. */
function checkRegistration(ctx: IncomingContext, actor: Actor, input: RegisterInput, waiting?: IncomingBatch) {
  const { db } = ctx;
  const parsed = parseNumberSymbol(input.numberSymbol);
  if (!parsed.ok) throw DeskError.keyed('VALIDATION', parsed.msg.key, parsed.msg.params, { at: 'numberSymbol' });
  // Kept as typed (a register records what arrived); compared and searched on its key. A shape no form
  // has is registered as written, its warning recorded in the audit entry.
  const { text: numberSymbol, key: numberSymbolKey } = parsed.value;
  const symbolWarning = parsed.verdict === 'warning' ? parsed.code : undefined;
  // Dates are dates in Vietnam, by this profile's clock, whatever the machine's time zone.
  const today = todayIso(ctx.now());
  const arrivalDate = input.arrivalDate ?? today;
  const dateIssues = incomingDateIssues({ documentDate: input.documentDate, arrivalDate: input.arrivalDate, deadline: input.deadline }, today);
  if (dateIssues.length > 0) throw dateIssuesError(dateIssues);
  if (input.arrivalChannel !== undefined && !ARRIVAL_CHANNELS.includes(input.arrivalChannel))
    throw fieldsError({ arrivalChannel: { key: 'arrivalChannel.required' } });
  let issuerName = input.issuer.name;
  let issuerUnitId: number | null = null;
  if (input.issuer.unitId !== undefined) {
    const unit = findUnit(db, input.issuer.unitId);
    if (!unit) throw DeskError.keyed('VALIDATION', 'issuer.unknown', undefined, { at: 'issuer.name' });
    issuerName = unit.name;
    issuerUnitId = unit.id;
  }
  // A set-wise write asks once per transaction (an import registers hundreds of rows in a few registers).
  const choose = () => chooseRegister(db, actor, input.secrecy, input.registerId);
  const register = waiting ? waiting.once(`register:${actor.id}:${input.secrecy}:${input.registerId ?? ''}`, choose) : choose();
  const year = yearOf(arrivalDate);
  const closed = () => isYearClosed(db, register.id, year);
  if (waiting ? waiting.once(`closed:${register.id}:${year}`, closed) : closed()) {
    auditRefusal(ctx, actor, 'incoming.register', 'register.yearClosed', { register: register.id, year });
    throw fieldsError({ arrivalDate: { key: 'register.yearClosed', params: { register: register.name, year } } });
  }
  const recipients = resolveRecipients(db, input.recipients, input.secrecy);
  return { numberSymbol, numberSymbolKey, symbolWarning, today, arrivalDate, issuerName, issuerUnitId, register, year, recipients };
}

/** The checks against the register and the compartment, once the files' hashes are known. */
function checkPlacement(
  ctx: IncomingContext, actor: Actor, input: RegisterInput, first: ReturnType<typeof checkRegistration>, sha256s: string[], batch?: BatchDuplicates,
  waiting?: IncomingBatch,
) {
  const { db } = ctx;
  const { numberSymbol, issuerName, register, arrivalDate, today } = first;
  const q = { numberSymbol, issuerName, documentDate: input.documentDate, sha256s };
  const duplicates = batch ? batch.find(q) : findDuplicates(db, ctx.arms, q, secrecyRank(actor.clearance));
  if (duplicates.length > 0 && !input.acknowledgeDuplicates) {
    throw DeskError.keyed('DUPLICATE', 'document.duplicate', undefined, { details: { duplicates } });
  }
  // A past year, or an arrival before the register's latest: the văn thư confirms, and it is audited.
  const order = orderIssues(db, ctx.arms, register.id, arrivalDate, today, waiting);
  if (order.length > 0 && !input.acknowledgeOutOfOrder) {
    const firstIssue = orderMsg(order[0]!, register.name);
    throw DeskError.keyed('OUT_OF_ORDER', firstIssue.key, firstIssue.params, { details: { reasons: order, registerName: register.name } });
  }

  // The record goes into its level's compartment, which the person must hold the key of.
  const arm = armOf(ctx.arms, input.secrecy);
  if (!arm) throw DeskError.keyed('FORBIDDEN', 'compartment.notHeld', { level: input.secrecy }, { at: 'secrecy' });
  // "Chỉ người có tên mới được bóc bì": the named person, cleared for the level, with a certificate to seal for.
  const named = input.namedRecipient === undefined ? null : namedRecipientOf(db, input.namedRecipient, input.secrecy);
  const protectionUntil = protectionEnd(input.secrecy, input.documentDate, input.protectionUntil);
  // The marks' columns exist in compartments; a base in the single-file layout (tools and tests that
  // build an old profile) has none, and takes no marks.
  const marks = arm.level !== null;
  if (!marks && (named || input.recalled || protectionUntil || input.restricted)) throw DeskError.keyed('VALIDATION', 'input.invalid');
  // "Hạn chế phạm vi" narrows an open record; a classified one follows need-to-know already.
  if (input.restricted && input.secrecy !== 'thuong') throw fieldsError({ restricted: { key: 'restriction.onlyThuong' } });
  return { ...first, duplicates, order, c: arm.schema, named, protectionUntil, marks };
}

/**
 * A registration's rows, built once from the checked input (its number and ids taken): written one by
 * one with their events read back (writeIncoming), or with other registrations' at once
 * (incomingBatch.ts). Column names as keys, in the INSERT's order.
 */
export interface IncomingRows {
  c: string;
  record: Record<string, unknown> & { id: number; global_id: string; register_id: number; year: number; arrival_date: string };
  attachments: Array<Record<string, unknown> & { id: number; global_id: string; mime: string; sealed_for?: number | null }>;
  recipients: RecipientRow[];
  index: IndexedFields;
  /** The files go to the OCR queue (a compartment's record with files). */
  ocr: boolean;
  audit: AuditEntry;
  registeredAt: Date;
  result: RegisterResult;
}

/** Takes the record's number and ids and builds its rows (inside the caller's transaction). */
function incomingRows(
  db: Db, actor: Actor, input: RegisterInput, p: ReturnType<typeof checkPlacement>, files: readonly RegisteredFile[], registeredAt: Date,
  preStored: readonly RegisteredFile[], claim: boolean, numbered: { plan: NumberPlan; globalId: string },
): IncomingRows {
  const { c, marks, named, register, arrivalDate, year, numberSymbol, numberSymbolKey, issuerName, issuerUnitId, recipients, duplicates, order, symbolWarning } = p;
  const { plan, globalId } = numbered;
  const taken = plan.kind === 'server' || plan.kind === 'awaiting' ? plan.taken : takeNumber(db, register.scope_id, arrivalDate, input.typeCode);
  const { number, period } = taken;
  const id = nextRecordId(db);
  if (plan.kind === 'server') followServerNumber(db, register.scope_id, plan);
  // The home's offline number is reported to the agency server at its next contact.
  else if (plan.kind === 'home-offline') owedReport(db, register.id, taken, c, globalId, registeredAt);
  // "Chờ cấp số": the number is asked at the next contact (numberWaits.ts).
  else if (plan.kind === 'awaiting') recordWait(db, register.id, taken, c, globalId, registeredAt);
  // A local number survives a crash between the base's commit and the compartment's (numberClaims.ts);
  // a server number is the server's (a crash leaves it allocated to no record: a gap it can name).
  if (claim && marks && plan.kind !== 'server' && plan.kind !== 'awaiting') claimNumber(db, register.scope_id, taken, { compartment: c, table: 'incoming', globalId, recordId: id }, registeredAt);
  const at = registeredAt.toISOString();
  const record = {
    id, global_id: globalId, register_id: register.id, period, arrival_number: number, arrival_date: arrivalDate, year, issuer_unit_id: issuerUnitId, issuer_name: issuerName,
    number_symbol: numberSymbol, number_symbol_key: numberSymbolKey, issuer_key: issuerKey(issuerName), document_date: input.documentDate, type_code: input.typeCode,
    subject: input.subject, secrecy: input.secrecy, secrecy_rank: secrecyRank(input.secrecy), urgency: input.urgency, deadline: input.deadline ?? null,
    recipients: JSON.stringify(recipients.map((r) => r.name)), notes: input.notes, registered_by: actor.id, registered_at: at, attachment_count: files.length + preStored.length,
    page_count: input.pageCount ?? null, copy_count: input.copyCount ?? null, signer: input.signer ?? '', arrival_channel: input.arrivalChannel ?? null,
    ...(marks ? { recalled: input.recalled ? 1 : 0, named_user_id: named?.id ?? null, protection_until: p.protectionUntil } : {}),
  };
  // Files received already stored (the exchange) follow the registration's own, never sealed for a named person.
  const attachments = [...files.map((m) => ({ m, sealed: named?.id ?? null })), ...preStored.map((m) => ({ m, sealed: null }))].map(({ m, sealed }, i) => ({
    id: nextRecordId(db), global_id: newGlobalId(), incoming_id: id, ordinal: i + 1, name: m.name, size: m.size, mime: m.mime, is_pdf: m.isPdf ? 1 : 0, sha256: m.sha256,
    ...(marks ? { sealed_for: sealed } : {}),
  }));
  const audit: AuditEntry = {
    userId: actor.id, action: 'incoming.register', entity: 'incoming', entityId: id,
    // The record's global id in hand (the same the entry would look up).
    entityGid: globalId,
    details: {
      register: register.name, ...(plan.kind === 'awaiting' ? { awaitingNumber: true } : { arrivalNumber: number }), arrivalDate, secrecy: input.secrecy,
      // The number of files only: their hashes stay in the compartment (a hash confirms a guessed file).
      files: files.length + preStored.length,
      ...(duplicates.length > 0 ? { acknowledgedDuplicates: duplicates.map((d) => d.id) } : {}),
      ...(order.length > 0 ? { acknowledgedOutOfOrder: order } : {}),
      ...(symbolWarning ? { numberSymbolWarning: symbolWarning } : {}),
      ...(input.restricted ? { restricted: true } : {}),
    },
  };
  return {
    c, record, attachments, recipients: recipientRows(db, id, recipients), index: { subject: input.subject, numberSymbol, issuerName, notes: input.notes },
    ocr: marks && files.length > 0, audit, registeredAt,
    result: { id, arrivalNumber: number, registerName: register.name, ...(plan.kind === 'awaiting' ? { awaitingNumber: true } : {}) },
  };
}

/** The record, its files, recipients, index entry, events and audit entry: inside the caller's transaction. */
function writeIncoming(
  db: Db, actor: Actor, input: RegisterInput, p: ReturnType<typeof checkPlacement>, files: readonly RegisteredFile[], registeredAt: Date,
  preStored: readonly RegisteredFile[] = [], claim = true,
  numbered: { plan: NumberPlan; globalId: string } = { plan: { kind: 'local' }, globalId: newGlobalId() },
): RegisterResult {
  const w = incomingRows(db, actor, input, p, files, registeredAt, preStored, claim, numbered);
  const { c, record } = w;
  const id = record.id;
  // Prepared once per connection and shape (an import registers thousands in a row).
  const columns = Object.keys(record);
  cached(db, `INSERT INTO ${c}.incoming (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(',')})`).run(...Object.values(record));
  recordChange(db, 'incoming', id, 'create', actor.id, registeredAt, c);
  for (const a of w.attachments) {
    const keys = Object.keys(a);
    cached(db, `INSERT INTO ${c}.attachments (${keys.join(', ')}) VALUES (${keys.map(() => '?').join(',')})`).run(...Object.values(a));
    recordChange(db, 'attachments', a.id, 'create', actor.id, registeredAt, c);
  }
  writeRecipientRows(db, c, w.recipients, actor.id, registeredAt);
  if (input.restricted) {
    const rid = nextRecordId(db);
    db.prepare(`INSERT INTO ${c}.restrictions (id, global_id, incoming_id, reason, placed_by, placed_at) VALUES (?,?,?,'',?,?)`)
      .run(rid, newGlobalId(), id, actor.id, registeredAt.toISOString());
    recordChange(db, 'restrictions', rid, 'create', actor.id, registeredAt, c);
  }
  indexIncoming(db, c, id, w.index);
  // Scanned files are read later by the OCR job (a queue row now; registration never waits for it).
  if (w.ocr) enqueueOcr(db, c, { incomingId: id }, registeredAt);
  appendAudit(db, w.audit, registeredAt.toISOString());
  return w.result;
}

/** The named person of a "Chỉ người có tên mới được bóc bì" envelope, with the certificates to seal for. */
function namedRecipientOf(db: Db, userId: number, secrecy: Secrecy): { id: number; certificates: Uint8Array[] } {
  const user = db.prepare('SELECT id, full_name, clearance FROM users WHERE id = ? AND active = 1').get(userId) as { id: number; full_name: string; clearance: Secrecy } | undefined;
  if (!user) throw fieldsError({ namedRecipient: { key: 'recipient.userUnknown' } });
  if (secrecyRank(user.clearance) < secrecyRank(secrecy)) throw fieldsError({ namedRecipient: { key: 'recipient.notCleared', params: { name: user.full_name, level: SECRECY_LABELS[secrecy] } } });
  const certificates = (db.prepare('SELECT der FROM user_certificates WHERE user_id = ? AND can_unlock = 1').pluck().all(user.id) as Buffer[]).map((b) => new Uint8Array(b));
  if (certificates.length === 0) throw fieldsError({ namedRecipient: { key: 'envelope.noCertificate', params: { name: user.full_name } } });
  return { id: user.id, certificates };
}

/** Seals a file (CMS AuthEnvelopedData) for a person's certificates; OAEP-SHA1, which every token here unwraps. */
async function sealFor(plain: Readable, certificates: readonly Uint8Array[]): Promise<Buffer> {
  const parts: Buffer[] = [];
  const sink = new Writable({ write(chunk: Buffer, _e, cb) { parts.push(chunk); cb(); } });
  await encryptStream(plain, sink, { recipients: certificates.map((certificate) => ({ certificate, oaepHash: 'SHA-1' as const })) });
  return Buffer.concat(parts);
}

/** The law's end of a classified record's protection period: 10, 20, 30 years from its date. */
export function legalProtectionEnd(secrecy: Exclude<Secrecy, 'thuong'>, documentDate: string): string {
  const years = ({ mat: 10, toi_mat: 20, tuyet_mat: 30 } as const)[secrecy];
  const d = new Date(`${documentDate}T00:00:00Z`);
  d.setUTCFullYear(d.getUTCFullYear() + years);
  return d.toISOString().slice(0, 10);
}

/** A shorter protection period written on the document (what is stored), checked; null: the law's. */
export function protectionEnd(secrecy: Secrecy, documentDate: string, written: string | undefined): string | null {
  if (secrecy === 'thuong' || written === undefined) return null;
  const legal = legalProtectionEnd(secrecy, documentDate);
  if (written <= documentDate || written > legal) throw fieldsError({ protectionUntil: { key: 'protection.outOfRange', params: { max: formatDateVn(legal) } } });
  return written;
}

// ---- Listing and search ----
// Every read goes over the compartments the session holds (arms.ts): the SQL below names a
// compartment's tables as `{c}.incoming`, and each query runs as one compound SELECT, merged by SQLite
// in the order asked for.

const ROW_COLUMNS = `i.id AS id, i.register_id AS registerId, r.name AS registerName, i.arrival_number AS arrivalNumber,
  i.arrival_date AS arrivalDate, i.issuer_name AS issuerName, i.number_symbol AS numberSymbol,
  i.document_date AS documentDate, i.type_code AS typeCode, i.subject, i.secrecy, i.urgency, i.deadline, i.status,
  i.attachment_count AS attachmentCount, i.year, i.recipients, i.notes`;

/** Each order is `key dir, i.id dir`, served by a covering index (migration 8; paging.ts). */
const SORT_KEY: Record<ListInput['sort']['field'], string> = {
  arrival: 'i.arrival_date',
  documentDate: 'i.document_date',
  // No deadline sorts after every date (last when the most urgent come first), from an index on this expression.
  deadline: "ifnull(i.deadline, '9999-12-31')",
  numberSymbol: 'i.number_symbol_key',
  issuer: 'i.issuer_key',
};

interface Part { from: string; where: string[]; params: unknown[] }
const FTS_FROM = '{c}.incoming_fts f JOIN {c}.incoming i ON i.id = f.rowid';
const FTS_MATCH = 'f.incoming_fts MATCH ?';
interface BuiltQuery extends Part { fts: boolean; plan?: SearchPlan }
const where = (b: Pick<Part, 'where'>) => (b.where.length > 0 ? `WHERE ${b.where.join(' AND ')}` : '');

/** An ORDER BY of a compound: each term an output column `oN` computed in every arm. */
interface Order { terms: Array<{ expr: string; dir: 'ASC' | 'DESC' }>; params: unknown[] }
const orderColumns = (o: Order) => o.terms.map((t, n) => `, ${t.expr} AS o${n}`).join('');
const orderBy = (o: Order) => `ORDER BY ${o.terms.map((t, n) => `o${n} ${t.dir}`).join(', ')}`;

/**
 * `ordered`: for a list in a sort order. Its secrecy filter then stays off the secrecy index (unary
 * +), which would make SQLite sort every match for one page; the order's index holds the rank.
 */
function buildFilter(db: Db, arms: readonly Arm[], actor: Actor, f: IncomingFilter, now: Date, ordered = false): BuiltQuery | null {
  const where: string[] = [];
  const params: unknown[] = [];
  // Clearance bounds every query. A compartment holds one level, so when every arm is a compartment
  // within the clearance the condition is already true of every row, and leaving it out lets a search be
  // counted from the index alone (a Mật person's search count joined every match: 150 ms at 1 000 000).
  // It stays for the base of a damaged profile (level null) and any arm above the clearance.
  const bounded = arms.every((a) => a.level !== null && secrecyRank(a.level) <= secrecyRank(actor.clearance));
  if (actor.clearance !== 'tuyet_mat' && !bounded) {
    where.push('i.secrecy_rank <= ?');
    params.push(secrecyRank(actor.clearance));
  }
  // Need-to-know: classified records only in the person's distribution (needToKnow.ts).
  if (!canSeeAll(actor)) {
    const d = distributionSql(actor);
    where.push(d.sql);
    params.push(...d.params);
  }
  let from = '{c}.incoming i';
  let fts = false;
  let plan: SearchPlan | undefined;
  if (f.query !== undefined && f.query.trim() !== '') {
    plan = searchPlan(db, arms, f.query, secrecyRank(actor.clearance)) ?? undefined;
    if (!plan) return null; // only punctuation, or a word nothing begins with: nothing can match
    // A number-symbol in the query is looked up by its key first (symbolParts); words go through the index.
    if (!plan.symbol) {
      from = FTS_FROM;
      where.unshift(FTS_MATCH);
      params.unshift(plan.match);
      fts = true;
    }
  }
  if (f.year !== undefined) { where.push('i.year = ?'); params.push(f.year); }
  if (f.registerId !== undefined) { where.push('i.register_id = ?'); params.push(f.registerId); }
  const inList = (col: string, values?: readonly string[]) => {
    if (values && values.length > 0) { where.push(`${col} IN (${values.map(() => '?').join(',')})`); params.push(...values); }
  };
  // Levels above the person's clearance cannot match: asking only for those finds nothing, at once
  // (rather than walking the whole arrival index to find nothing).
  const secrecy = f.secrecy?.filter((s) => secrecyRank(s) <= secrecyRank(actor.clearance));
  if (f.secrecy?.length && secrecy?.length === 0) return null;
  // As ranks: the paging indexes hold the rank, so a secrecy filter needs no record read.
  if (secrecy && secrecy.length > 0) { where.push(`${ordered ? '+' : ''}i.secrecy_rank IN (${secrecy.map(() => '?').join(',')})`); params.push(...secrecy.map(secrecyRank)); }
  inList('i.urgency', f.urgency);
  inList('i.status', f.status);
  // "Chờ cấp số": the placeholder is negative on every workstation (numberWaits.ts), so those registered elsewhere show too.
  if (f.awaitingNumber) where.push('i.arrival_number < 1');
  // Today in Vietnam only when a deadline filter needs it (formatting a date in a time zone is not free).
  switch (f.deadline) {
    case 'overdue': where.push("i.deadline < ? AND i.status <> 'done'"); params.push(todayIso(now)); break;
    case 'due_soon': where.push("i.deadline BETWEEN ? AND ? AND i.status <> 'done'"); params.push(todayIso(now), addDaysIso(todayIso(now), 7)); break;
    case 'has_deadline': where.push('i.deadline IS NOT NULL'); break;
    case 'no_deadline': where.push('i.deadline IS NULL'); break;
    default: break;
  }
  return { from, where, params, fts, ...(plan ? { plan } : {}) };
}

// ---- Search: a number-symbol first, exact spellings first ----

/** Matches ranked by the words typed with diacritics: the most recent ones, one window (see listRanked). */
const RANK_WINDOW = 200;
const SEARCH_COUNT_CAP = 10_000;

/** The statement of a page (prepared once per connection and shape) and its parameters before LIMIT and OFFSET. */
function pageStatement(db: Db, arms: readonly Arm[], p: Part, order: Order): { st: Statement; params: unknown[] } {
  const q = overArms(arms, `SELECT ${ROW_COLUMNS}${orderColumns(order)} FROM ${p.from} JOIN registers r ON r.id = i.register_id ${where(p)}`, [...order.params, ...p.params]);
  return { st: cached(db, `${q.sql} ${orderBy(order)} LIMIT ? OFFSET ?`).raw(true), params: q.params };
}

function pageOf(db: Db, arms: readonly Arm[], p: Part, order: Order, limit: number, offset: number): IncomingRow[] {
  const { st, params } = pageStatement(db, arms, p, order);
  return (st.all(...params, limit, offset) as unknown[][]).map(toRow);
}

const countOf = (db: Db, arms: readonly Arm[], p: Part, cap: number): number =>
  Math.min(cap, sumOverArms(db, arms, `SELECT count(*) FROM (SELECT 1 FROM ${p.from} ${where(p)} LIMIT ?)`, [...p.params, cap]));

/**
 * A query holding a number-symbol: (a) the records whose key is the symbol's (exact key first; while
 * the symbol is the last thing typed, keys it begins too), then (b) the records that cite it (its
 * words as a phrase in the index) with another key. Both must match the query's other words.
 */
function symbolParts(built: BuiltQuery): { a: Part; b: Part | null } {
  const plan = built.plan!;
  const s = plan.symbol!;
  const key = s.hi === null ? { sql: 'i.number_symbol_key = ?', params: [s.key] } : { sql: 'i.number_symbol_key >= ? AND i.number_symbol_key < ?', params: [s.key, s.hi] };
  // Per keyed record, a seek in the index (rowid = i.id), not every match of the other words.
  const rest = s.rest === null ? null : { sql: 'EXISTS (SELECT 1 FROM {c}.incoming_fts WHERE incoming_fts MATCH ? AND rowid = i.id)', params: [s.rest] };
  const a: Part = {
    from: '{c}.incoming i',
    where: [key.sql, ...(rest ? [rest.sql] : []), ...built.where],
    params: [...key.params, ...(rest ? rest.params : []), ...built.params],
  };
  const b: Part | null = plan.match === null ? null : {
    from: '{c}.incoming_fts f JOIN {c}.incoming i ON i.id = f.rowid',
    where: ['f.incoming_fts MATCH ?', `NOT (${key.sql})`, ...built.where],
    params: [plan.match, ...key.params, ...built.params],
  };
  return { a, b };
}

const sortOrder = (field: ListInput['sort']['field'], dir: 'ASC' | 'DESC'): Order => ({ terms: [{ expr: SORT_KEY[field], dir }, { expr: 'i.id', dir }], params: [] });

function listBySymbol(db: Db, arms: readonly Arm[], built: BuiltQuery, q: ListInput, dir: 'ASC' | 'DESC'): IncomingRow[] {
  const { a, b } = symbolParts(built);
  const arrival = q.sort.field === 'arrival';
  const keyParam = [built.plan!.symbol!.key];
  const orderA: Order = {
    terms: [{ expr: '(i.number_symbol_key = ?)', dir: 'DESC' }, ...(arrival ? [{ expr: 'i.id', dir }] : sortOrder(q.sort.field, dir).terms)],
    params: keyParam,
  };
  const orderB: Order = arrival ? { terms: [{ expr: 'f.rowid', dir }], params: [] } : sortOrder(q.sort.field, dir);
  // The first page needs no count of (a): fewer rows than asked means (a) is done.
  const inA = q.offset === 0 ? Infinity : countOf(db, arms, a, q.offset + 1);
  const rows = q.offset < inA ? pageOf(db, arms, a, orderA, q.limit, q.offset) : [];
  if (rows.length === q.limit || !b) return rows;
  const skipB = q.offset < inA ? 0 : q.offset - inA;
  return [...rows, ...pageOf(db, arms, b, orderB, q.limit - rows.length, skipB)];
}

/**
 * Words typed with diacritics rank the records that hold them in that exact spelling first: "hòa"
 * puts "Hòa Bình" above "kế hoạch". Only the most recent RANK_WINDOW matches are ranked (their texts
 * are read, nothing more): ranking every match is what makes searches slow. Past the window, matches
 * follow in recency order as usual.
 */
function listRanked(db: Db, arms: readonly Arm[], built: BuiltQuery, q: ListInput): IncomingRow[] {
  // The window's rows come whole, their searchable text last: the page is cut from them.
  const w = overArms(arms, `SELECT ${ROW_COLUMNS}, i.subject || char(10) || i.issuer_name || char(10) || i.number_symbol || char(10) || i.notes AS text,
    f.rowid AS o0 FROM ${built.from} JOIN registers r ON r.id = i.register_id ${where(built)}`, built.params);
  const recent = cached(db, `${w.sql} ORDER BY o0 DESC LIMIT ?`).raw(true).all(...w.params, RANK_WINDOW) as unknown[][];
  const score = exactScorer(built.plan!.query)!;
  const rows = recent
    .map((r, i) => ({ r, i, score: score(r[18] as string) }))
    .sort((x, y) => y.score - x.score || x.i - y.i)
    .slice(q.offset, q.offset + q.limit)
    .map((x) => toRow(x.r));
  if (rows.length === q.limit || recent.length < RANK_WINDOW) return rows;
  return [...rows, ...pageOf(db, arms, built, { terms: [{ expr: 'f.rowid', dir: 'DESC' }], params: [] }, q.limit - rows.length, RANK_WINDOW)];
}

export function listIncoming(db: Db, held: readonly Arm[], actor: Actor, q: ListInput, now: Date): IncomingRow[] {
  const rows = listRows(db, held, actor, q, now);
  // The restricted Thường rows carry their marker (one look-up per page).
  const restricted = restrictedAmong(db, held, rows.filter((r) => r.secrecy === 'thuong').map((r) => r.id));
  for (const r of rows) if (restricted.has(r.id)) r.restricted = true;
  return rows;
}

function listRows(db: Db, held: readonly Arm[], actor: Actor, q: ListInput, now: Date): IncomingRow[] {
  authorize(actor, 'doc.read');
  // Only the compartments of the levels asked for (all without a secrecy filter).
  const arms = armsFor(held, q.secrecy);
  if (arms.length === 0) return [];
  const built = buildFilter(db, arms, actor, q, now, true);
  if (!built) return [];
  const dir = q.sort.dir === 'asc' ? 'ASC' : 'DESC';
  if (built.plan?.symbol) return listBySymbol(db, arms, built, q, dir);
  if (built.plan && built.plan.query.exact.length > 0 && q.sort.field === 'arrival' && dir === 'DESC' && q.offset < RANK_WINDOW) {
    return listRanked(db, arms, built, q);
  }
  const key = SORT_KEY[q.sort.field];
  const schemas = arms.map((a) => a.schema);
  // Past the first page the register is paged by key (any position in a few index steps); a search
  // (at most 10 000 rows are offered) keeps OFFSET.
  if (!built.fts && q.offset > 0) return rowsByIds(db, arms, pageIds(db, { ...built, arms: schemas, key, dir }, q.offset, q.limit).ids);
  // The first page of an order: its keys are sampled in the background for the jumps to come.
  if (!built.fts) prepareOrder(db, { ...built, arms: schemas, key, dir });
  // With a search, "by arrival" means newest registration first: FTS5 walks its index in rowid
  // order and stops at the page, which keeps common words fast. Other sorts order all matches.
  const order: Order = built.fts && q.sort.field === 'arrival' ? { terms: [{ expr: 'f.rowid', dir }], params: [] } : sortOrder(q.sort.field, dir);
  return pageOf(db, arms, built, order, q.limit, q.offset);
}

/**
 * Prepares, without running them, the statements a session's first screens run: the register's
 * first page (arrival, newest first, no filter) and a search's page (words, newest first), over the
 * arms the session holds. Called at unlock, which has time to spare before the first page is asked
 * for; preparing a compound over several compartments is a noticeable part of a first call.
 */
export function prepareListStatements(db: Db, arms: readonly Arm[], actor: Actor, now: Date): void {
  if (arms.length === 0) return;
  const plain = buildFilter(db, arms, actor, {}, now, true);
  if (!plain) return;
  pageStatement(db, arms, plain, sortOrder('arrival', 'DESC'));
  prepareOrderStatements(db, arms.map((a) => a.schema));
  const words: Part = { from: FTS_FROM, where: [FTS_MATCH, ...plain.where], params: [null, ...plain.params] };
  pageStatement(db, arms, words, { terms: [{ expr: 'f.rowid', dir: 'DESC' }], params: [] });
  prepareSearchStatements(db, arms);
  prepareRestrictedStatements(db, arms);
}

/** The rows of a page found by key, in the page's order. */
function rowsByIds(db: Db, arms: readonly Arm[], ids: number[]): IncomingRow[] {
  if (ids.length === 0) return [];
  const q = overArms(arms, `SELECT ${ROW_COLUMNS} FROM {c}.incoming i JOIN registers r ON r.id = i.register_id
    WHERE i.id IN (SELECT value FROM json_each(?))`, [JSON.stringify(ids)]);
  const rows = cached(db, q.sql).raw(true).all(...q.params) as unknown[][];
  const byId = new Map(rows.map((r) => [r[0] as number, r]));
  return ids.flatMap((id) => {
    const r = byId.get(id);
    return r ? [toRow(r)] : [];
  });
}

/** A row in ROW_COLUMNS order. */
const toRow = (r: unknown[]): IncomingRow => ({
  id: r[0] as number, registerId: r[1] as number, registerName: r[2] as string, arrivalNumber: r[3] as number,
  arrivalDate: r[4] as string, issuerName: r[5] as string, numberSymbol: r[6] as string, documentDate: r[7] as string,
  typeCode: r[8] as string, subject: r[9] as string, secrecy: r[10] as Secrecy, urgency: r[11] as Urgency,
  deadline: r[12] as string | null, status: r[13] as IncomingStatus, attachmentCount: r[14] as number,
  year: r[15] as number, recipients: recipientsOf(r[16] as string), notes: r[17] as string,
});

/** Most entries name no recipient: '[]' needs no parser (a page converts a hundred of them). */
const recipientsOf = (json: string): string[] => (json === '[]' ? [] : (JSON.parse(json) as string[]));

/** Number of matching rows, counted up to `cap` (search counts stop there: "more than 10 000"). */
export function countIncoming(db: Db, held: readonly Arm[], actor: Actor, f: IncomingFilter, now: Date, cap = 10_000_000): { total: number; capped: boolean } {
  authorize(actor, 'doc.read');
  const arms = armsFor(held, f.secrecy);
  if (arms.length === 0) return { total: 0, capped: false };
  const built = buildFilter(db, arms, actor, f, now);
  if (!built) return { total: 0, capped: false };
  if (built.plan?.symbol) {
    const { a, b } = symbolParts(built);
    const limit = Math.min(cap, SEARCH_COUNT_CAP);
    const total = countOf(db, arms, a, limit + 1) + (b ? countOf(db, arms, b, limit + 1) : 0);
    return total > limit ? { total: limit, capped: true } : { total, capped: false };
  }
  const limit = built.fts ? Math.min(cap, SEARCH_COUNT_CAP) : cap;
  // A search with no other condition is counted from the index alone (every index row has its record).
  const from = built.fts && built.where.length === 1 ? '{c}.incoming_fts f' : built.from;
  const total = countOf(db, arms, { ...built, from }, limit + 1);
  return total > limit ? { total: limit, capped: true } : { total, capped: false };
}

/** A record the person may see: held compartment, clearance, need-to-know. NOT_FOUND otherwise, whichever it is. */
export function visibleArm(db: Db, arms: readonly Arm[], actor: Actor, id: number): Arm {
  const arm = locate(db, arms, 'incoming', id);
  if (!arm) throw DeskError.keyed('NOT_FOUND', 'document.notFound');
  const row = cached(db, inArm('SELECT secrecy_rank FROM {c}.incoming WHERE id = ?', arm)).pluck().get(id) as number;
  // Above one's clearance, or outside one's distribution, a document does not exist at all.
  if (row > secrecyRank(actor.clearance)) throw DeskError.keyed('NOT_FOUND', 'document.notFound');
  if (!canSeeAll(actor)) {
    const d = distributionSql(actor);
    if (cached(db, inArm(`SELECT 1 FROM {c}.incoming i WHERE i.id = ? AND ${d.sql}`, arm)).get(id, ...d.params) === undefined)
      throw DeskError.keyed('NOT_FOUND', 'document.notFound');
  }
  return arm;
}

/** A "Chờ cấp số" record registered here whose arrival another workstation decided first: the record that stands (withdrawDuplicate.ts). */
function duplicateField(db: Db, c: string, id: number, arrivalNumber: number): Pick<IncomingDetail, 'duplicateOf'> {
  if (!isAwaitingNumber(arrivalNumber)) return {};
  const gid = db.prepare(`SELECT global_id FROM ${c}.incoming WHERE id = ?`).pluck().get(id) as string;
  const standing = duplicateOf(db, c, gid);
  return standing === undefined ? {} : { duplicateOf: standing && { arrivalNumber: standing.arrivalNumber, registerName: standing.registerName } };
}

export function getIncoming(db: Db, arms: readonly Arm[], actor: Actor, id: number): IncomingDetail {
  authorize(actor, 'doc.read');
  const arm = visibleArm(db, arms, actor, id);
  const c = arm.schema;
  const row = db
    .prepare(
      `SELECT ${ROW_COLUMNS}, i.issuer_unit_id AS issuerUnitId, u.full_name AS registeredBy,
        i.registered_at AS registeredAt, i.secrecy_rank AS secrecyRank, i.page_count AS pageCount, i.copy_count AS copyCount,
        i.signer, i.arrival_channel AS arrivalChannel, i.recalled, i.named_user_id AS namedUserId, i.protection_until AS protectionUntil
       FROM ${c}.incoming i JOIN registers r ON r.id = i.register_id JOIN users u ON u.id = i.registered_by WHERE i.id = ?`,
    )
    .get(id) as (Omit<IncomingRow, 'recipients'> & {
      issuerUnitId: number | null; recipients: string; registeredBy: string; registeredAt: string; secrecyRank: number;
      pageCount: number | null; copyCount: number | null; signer: string; arrivalChannel: ArrivalChannel | null;
      recalled: number; namedUserId: number | null; protectionUntil: string | null;
    }) | undefined;
  if (!row) throw DeskError.keyed('NOT_FOUND', 'document.notFound');
  const attachments = (db
    .prepare(`SELECT id, name, size, mime, is_pdf AS isPdf, sha256, sealed_for IS NOT NULL AS sealed FROM ${c}.attachments WHERE incoming_id = ? AND draft_step_id IS NULL ORDER BY ordinal`)
    .all(id) as Array<{ id: number; name: string; size: number; mime: string; isPdf: number; sha256: string; sealed: number }>)
    .map((a) => ({ ...a, isPdf: a.isPdf === 1, sealed: a.sealed === 1 }));
  const { secrecyRank: _rank, recipients, recalled, namedUserId, protectionUntil, ...rest } = row;
  const namedName = namedUserId === null ? undefined : (db.prepare('SELECT full_name FROM users WHERE id = ?').pluck().get(namedUserId) as string | undefined);
  const names = JSON.parse(recipients) as string[];
  return {
    ...rest, recipients: names, attachments,
    recalled: recalled === 1,
    restricted: row.secrecy === 'thuong' && isRestricted(db, c, id),
    namedRecipient: namedUserId === null ? null : { id: namedUserId, name: namedName ?? '' },
    protectionUntil: row.secrecy === 'thuong' ? null : (protectionUntil ?? legalProtectionEnd(row.secrecy, row.documentDate)),
    recipientRefs: recipientRefs(db, c, id, names),
    handovers: listHandovers(db, c, actor, id),
    corrections: listCorrections(db, c, id),
    yearClosed: isYearClosed(db, row.registerId, row.year),
    ...duplicateField(db, c, id, row.arrivalNumber),
  };
}
