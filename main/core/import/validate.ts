// One source row checked and turned into a registration, or the reasons it cannot be: the dry run
// runs this over every row and the job over each row before registering it, so both say the same.
import { createHash } from 'node:crypto';
import type { DuplicateRef } from '../../../common/contract';
import { checkDocumentType, documentTypeByName, secrecyRank, type Secrecy, type Urgency } from '../../../common/domain';
import { incomingDateIssues } from '../../../common/schemas';
import type { Db } from '../db/connection';
import { findDuplicates, issuerKey } from '../documents/duplicates';
import { armOf, type Arm } from '../documents/arms';
import type { Actor } from '../org/rights';
import type { ResolvedFile } from './files';
import { FolderScans, namesByRule, resolveByRule, ruleValues, type ScanSet } from './scans';
import { applyTransforms, type Mapping, type TargetField } from './mapping';
import { normaliseDate } from './normalise/dates';
import { normaliseSecrecy, normaliseUrgency } from './normalise/levels';
import { normaliseNumberSymbol } from './normalise/numberSymbol';
import type { Normalised } from './normalise/result';
import { UnitMatcher, unitDirectory } from './normalise/units';
import { reasonText } from './reasons';
import type { Cell, SourceRow } from './types';

export type RowStatus = 'ok' | 'warning' | 'duplicate' | 'rejected';
export interface RowReason { code: string; column?: string; detail?: string; text: string }

/** What registerIncoming receives for the row (files are staged by the job). */
export interface PreparedRecord {
  issuer: { name: string; unitId?: number };
  numberSymbol: string;
  documentDate: string;
  arrivalDate: string;
  typeCode: string;
  subject: string;
  secrecy: Secrecy;
  urgency: Urgency;
  deadline?: string;
  recipients: string[];
  notes: string;
  signer?: string;
  pageCount?: number;
  copyCount?: number;
  file?: ResolvedFile;
}

export interface RowResult { sheet: string; row: number; key: string; status: RowStatus; reasons: RowReason[]; record?: PreparedRecord }

export interface ValidatorContext {
  db: Db;
  arms: readonly Arm[];
  actor: Actor;
  /** Today in Vietnam (the desk's clock). */
  today: string;
  /** The folder path columns are resolved in. */
  folder: string;
  /** Where files are looked up instead of `folder` (an archive's entries: scans.ts). */
  scans?: ScanSet;
  /** Check PDFs' signatures when resolving files here (a job's rows that the workers did not resolve). */
  signatures?: boolean;
  sourceSha256: string;
}

/** The row key the journal knows a row by: the source file's hash, its sheet and its row. */
export const rowKey = (sha256: string, sheet: string, row: number): string => `${sha256}:${sheet}:${row}`;

const reason = (code: string, column?: string, detail?: string): RowReason =>
  ({ code, text: reasonText(code), ...(column ? { column } : {}), ...(detail !== undefined ? { detail } : {}) });

const WARN_ONLY = new Set(['unknownUnit', 'typeGuessed', 'twoDigitYear', 'monthFirst', 'excelSerialDate', 'arrivalFromDocumentDate',
  'oldSecrecyGrade', 'urgencyInSecrecyColumn', 'oddNumberSymbol', 'numberSymbolCleaned', 'sameSymbolOtherIssuer', 'noFileForRule']);

/** At most this many rows are named per unknown issuer (all are counted). */
export const UNKNOWN_UNIT_ROWS_KEPT = 50;
export interface UnknownUnitRows { count: number; rows: Array<{ sheet: string; row: number }> }

/** A 16-byte digest of a text as a flat one-byte string (a fresh string: no slice of a larger one kept alive). */
const digestKey = (text: string): string => createHash('sha256').update(text).digest().toString('latin1', 0, 16);
/** The first 16 bytes of a hex SHA-256 the same way. */
const hexKey = (sha256: string): string => Buffer.from(sha256.slice(0, 32), 'hex').toString('latin1');

export class RowValidator {
  /** Each distinct issuer text is folded and matched once per source. */
  private readonly units: UnitMatcher;
  /**
   * Rows of this source seen so far (symbol key + issuer + date, and file hashes), each by a 16-byte
   * digest: an entry per row for the whole job, so kept small (about 80 bytes against 400 for the
   * texts themselves; a false match needs a 128-bit collision).
   */
  private readonly seen = new Map<string, number>();
  private readonly seenFiles = new Map<string, number>();
  /** Issuers not in the directory: how many rows name each, and the first of them (the report shows as many). */
  readonly unknownUnits = new Map<string, UnknownUnitRows>();

  constructor(private readonly ctx: ValidatorContext, private readonly mapping: Mapping) {
    this.units = new UnitMatcher(unitDirectory(ctx.db), new Map(Object.entries(mapping.units).map(([name, id]) => [issuerKey(name), id])));
  }

  /** The value of a field: its columns' texts transformed and joined (notes with "; ", others with a space). */
  private value(row: SourceRow, field: TargetField): { text: string; cell?: Cell; column?: string } {
    const cols = this.mapping.columns.filter((c) => c.field === field && row.cells[c.source] !== undefined);
    if (cols.length === 0) return { text: '' };
    const texts = cols.map((c) => applyTransforms(row.cells[c.source]!.text, c.transforms)).filter(Boolean);
    const first = cols[0]!;
    return { text: texts.join(field === 'notes' || field === 'recipients' ? '; ' : ' '), cell: row.cells[first.source]!, column: first.source };
  }

  /**
   * `recall`: the row was handled by an earlier run of the job; it is only remembered (for duplicates
   * within the source), not looked up in the profile again.
   */
  /** The names a row's file may have, in order: its path column, else the mapping's naming rule ([] for none). */
  fileNames(row: SourceRow): string[] {
    const f = this.value(row, 'file');
    if (f.text) return [f.text];
    if (!this.mapping.files.pattern) return [];
    const ns = this.value(row, 'numberSymbol');
    const symbol = normaliseNumberSymbol(ns.text);
    const d = this.value(row, 'documentDate');
    const date = d.cell ? normaliseDate(d.cell, { pivot: this.mapping.datePivot }) : null;
    return namesByRule(this.mapping.files.pattern, ruleValues(symbol.ok ? symbol.value.text : ns.text, date?.ok ? date.value : null, row.row));
  }

  /** `resolved`: the row's file already resolved (by the job's workers) for `fileNames(row)`. */
  async check(row: SourceRow, recall = false, resolved?: Normalised<ResolvedFile>): Promise<RowResult> {
    const c = await this.checkInSource(row, recall, resolved);
    if (!('lookup' in c)) return c;
    return c.finish(findDuplicates(this.ctx.db, this.ctx.arms, c.lookup, secrecyRank(this.ctx.actor.clearance)));
  }

  /**
   * The row checked against the mapping, its file and the source's earlier rows: its result, or, when
   * only the profile's duplicates are left to look at, the look-up to run and how to finish with its
   * answer (findDuplicates', or BatchDuplicates' for many rows at once: the job's check).
   */
  async checkInSource(row: SourceRow, recall = false, resolved?: Normalised<ResolvedFile>): Promise<RowResult | PendingLookup> {
    const reasons: RowReason[] = [];
    const key = rowKey(this.ctx.sourceSha256, row.sheet, row.row);
    const done = (status: RowStatus, record?: PreparedRecord): RowResult => ({ sheet: row.sheet, row: row.row, key, status, reasons, ...(record ? { record } : {}) });
    const reject = (code: string, column?: string, detail?: string) => reasons.push(reason(code, column, detail));
    const warn = reject;
    for (const c of this.mapping.columns) {
      const cell = row.cells[c.source];
      if (cell?.formula !== undefined && c.field !== 'documentDate' && c.field !== 'arrivalDate' && c.field !== 'deadline') reject('formulaNotTrusted', c.source, `=${cell.formula}`);
    }

    const ns = this.value(row, 'numberSymbol');
    const symbol = normaliseNumberSymbol(ns.text);
    if (!symbol.ok) reject(symbol.code, ns.column, symbol.detail);
    else if (symbol.warning) warn(symbol.warning.code, ns.column, symbol.warning.detail);

    const date = (field: 'documentDate' | 'arrivalDate' | 'deadline') => {
      const v = this.value(row, field);
      if (!v.cell) return null;
      const r = normaliseDate(v.cell, { pivot: this.mapping.datePivot });
      if (!r.ok) { reject(r.code, v.column, r.detail); return null; }
      if (r.warning) warn(r.warning.code, v.column, r.warning.detail);
      return r.value;
    };
    const documentDate = date('documentDate');
    const docCol = this.value(row, 'documentDate').column;
    if (!documentDate && !reasons.some((r) => r.column === docCol && docCol)) reject('missingDocumentDate', docCol);
    let arrivalDate = date('arrivalDate');
    if (!arrivalDate && documentDate) {
      arrivalDate = documentDate;
      warn('arrivalFromDocumentDate');
    }
    const deadline = date('deadline');

    const iss = this.value(row, 'issuer');
    const issuerText = iss.text || this.mapping.defaults.issuer || '';
    let issuer: PreparedRecord['issuer'] = { name: issuerText };
    if (!issuerText) reject('missingIssuer', iss.column);
    else {
      const m = this.units.match(issuerText);
      if (m.kind === 'unknown') {
        warn('unknownUnit', iss.column, issuerText);
        const u = this.unknownUnits.get(issuerText) ?? { count: 0, rows: [] };
        u.count++;
        if (u.rows.length < UNKNOWN_UNIT_ROWS_KEPT) u.rows.push({ sheet: row.sheet, row: row.row });
        this.unknownUnits.set(issuerText, u);
      } else issuer = { name: m.unit.name, unitId: m.unit.id };
    }

    const sec = this.value(row, 'secrecy');
    const secrecy = sec.column ? normaliseSecrecy(sec.text) : { ok: true as const, value: this.mapping.defaults.secrecy };
    if (!secrecy.ok) reject(secrecy.code, sec.column, secrecy.detail);
    else if ('warning' in secrecy && secrecy.warning) warn(secrecy.warning.code, sec.column, secrecy.warning.detail);
    const level: Secrecy = secrecy.ok ? (sec.column && !sec.text ? this.mapping.defaults.secrecy : secrecy.value) : 'thuong';
    if (secrecy.ok && secrecyRank(level) > secrecyRank(this.ctx.actor.clearance)) reject('aboveClearance', sec.column, level);
    else if (secrecy.ok && !armOf(this.ctx.arms, level)) reject('compartmentNotHeld', sec.column, level);

    const urg = this.value(row, 'urgency');
    let urgency = urg.column ? normaliseUrgency(urg.text) : { ok: true as const, value: this.mapping.defaults.urgency };
    if (!urgency.ok) reject(urgency.code, urg.column, urgency.detail);
    // No urgency column: one cell often holds both ("Mật, Khẩn", or "khẩn" in the secrecy column).
    if (!urg.column && sec.text) {
      const fromSecrecy = normaliseUrgency(sec.text);
      if (fromSecrecy.ok && fromSecrecy.value !== 'thuong') {
        urgency = fromSecrecy;
        warn('urgencyInSecrecyColumn', sec.column, sec.text);
      }
    }

    const subj = this.value(row, 'subject');
    const subject = subj.text;
    if (level !== 'tuyet_mat' && !subject) reject('missingSubject', subj.column);
    if (level === 'tuyet_mat' && subject) reject('tuyetMatSubject', subj.column);
    if (subject.length > 500) reject('tooLong', subj.column, 'trích yếu > 500');

    const typ = this.value(row, 'typeCode');
    let typeCode = '';
    if (typ.text) {
      const byName = documentTypeByName(typ.text);
      const check = checkDocumentType(byName ?? typ.text);
      if (check.ok) typeCode = check.code;
      else reject('badType', typ.column, typ.text);
    } else typeCode = (symbol.ok ? symbol.value.typeCode : undefined) ?? this.mapping.defaults.typeCode ?? '';
    if (!typeCode && !typ.text) {
      typeCode = 'CV';
      warn('typeGuessed', typ.column);
    }

    const count = (field: 'pageCount' | 'copyCount') => {
      const v = this.value(row, field);
      if (!v.text) return undefined;
      const n = Number(v.text);
      if (!Number.isInteger(n) || n < 1) { reject('badCount', v.column, v.text); return undefined; }
      return n;
    };
    const pageCount = count('pageCount');
    const copyCount = count('copyCount');
    const recipients = this.value(row, 'recipients').text.split(/\s*[;\n]\s*/).map((s) => s.trim()).filter(Boolean);
    if (recipients.length > 30) reject('tooManyRecipients', this.value(row, 'recipients').column);
    const legacyNumber = this.value(row, 'arrivalNumber').text;
    const notesText = [this.value(row, 'notes').text, legacyNumber ? `Số đến trong sổ cũ: ${legacyNumber}` : ''].filter(Boolean).join('; ');
    if (notesText.length > 2000) reject('tooLong', this.value(row, 'notes').column, 'ghi chú > 2000');
    const signer = this.value(row, 'signer').text;

    // The file: a path column, else the naming rule.
    let file: ResolvedFile | undefined;
    const f = this.value(row, 'file');
    const scans = this.ctx.scans ?? new FolderScans(this.ctx.folder);
    const names = f.text ? [f.text] : this.mapping.files.pattern
      ? namesByRule(this.mapping.files.pattern, ruleValues(symbol.ok ? symbol.value.text : ns.text, documentDate, row.row)) : [];
    if (names.length > 0) {
      const r = resolved ?? (await resolveByRule(scans, names, { signatures: this.ctx.signatures === true }))!;
      // By a naming rule a scan may simply not exist (old registers were scanned in part): the row comes in without one.
      if (!r.ok && r.code === 'fileMissing' && !f.text) warn('noFileForRule', undefined, names[0]);
      else if (!r.ok) reject(r.code, f.column, r.detail);
      else file = r.value;
    }

    if (documentDate && arrivalDate) {
      for (const issue of incomingDateIssues({ documentDate, arrivalDate, deadline: deadline ?? undefined }, this.ctx.today)) {
        reject('dateRule', this.value(row, issue.path as TargetField).column, issue.message);
      }
    }

    if (reasons.some((r) => !WARN_ONLY.has(r.code))) return done('rejected');
    const record: PreparedRecord = {
      issuer, numberSymbol: symbol.ok ? symbol.value.text : '', documentDate: documentDate!, arrivalDate: arrivalDate!, typeCode, subject,
      secrecy: level, urgency: urgency.ok ? urgency.value : 'thuong', recipients, notes: notesText,
      ...(deadline ? { deadline } : {}), ...(signer ? { signer } : {}), ...(pageCount ? { pageCount } : {}), ...(copyCount ? { copyCount } : {}),
      ...(file ? { file } : {}),
    };
    // Duplicates: within this source first, then in the profile (symbol + issuer + date, or the same file).
    const dupKey = digestKey(`${symbol.ok ? symbol.value.key : ''}\u0000${issuerKey(issuer.name)}\u0000${documentDate}`);
    const fileKey = file ? hexKey(file.sha256) : undefined;
    const earlier = this.seen.get(dupKey) ?? (fileKey !== undefined ? this.seenFiles.get(fileKey) : undefined);
    if (earlier !== undefined) {
      reasons.push(reason('duplicateInBatch', undefined, String(earlier)));
      return done('duplicate', record);
    }
    this.seen.set(dupKey, row.row);
    if (fileKey !== undefined) this.seenFiles.set(fileKey, row.row);
    if (recall) return done('ok', record);
    return {
      lookup: { numberSymbol: record.numberSymbol, issuerName: issuer.name, documentDate: record.documentDate, sha256s: file ? [file.sha256] : [] },
      finish: (dups) => {
        const real = dups.filter((d) => d.reason === 'same_file' || d.sameIssuer !== false);
        if (real.length > 0) {
          reasons.push(reason('duplicateInProfile', undefined, real.map((d) => `#${d.id}`).join(', ')));
          return done('duplicate', record);
        }
        if (dups.length > 0) warn('sameSymbolOtherIssuer', ns.column, dups.map((d) => d.issuerName).join(', '));
        return done(reasons.length > 0 ? 'warning' : 'ok', record);
      },
    };
  }
}

/** A row whose check waits only for the profile's duplicates (RowValidator.checkInSource). */
export interface PendingLookup {
  lookup: { numberSymbol: string; issuerName: string; documentDate: string; sha256s: string[] };
  finish(dups: readonly DuplicateRef[]): RowResult;
}
