// Reading the audit trail: administrators (org.manage) search it, verify it and export the package a
// third party checks; nobody else reads it. Every export and verification is itself recorded.
import { join } from 'node:path';
import type { AuditExportSummary, AuditPage, AuditRow, AuditVerifySummary } from '../../../common/contract';
import type { AuditSearch } from '../../../common/schemas';
import type { ContextSource } from '../context';
import { writeTx } from '../db/transaction';
import { authorize, type Actor } from '../org/rights';
import type { AuditAnchor } from './AuditAnchor';
import { appendAudit } from './auditLog';
import { exportAudit, type AuditExportRange } from './exportPackage';
import { boundCertificates, verifyAudit } from './verify';

export interface AuditSource extends ContextSource {
  readonly auditAnchor: AuditAnchor;
  readonly profileDir: string;
  readonly state: string;
  now(): Date;
}

/** Channels whose refusal is a failed sign-in. */
const SIGN_IN_CHANNELS = new Set(['session.unlock', 'session.legacyUsers', 'session.bindLegacy']);

/** The first instant of a day in Vietnam (UTC+7 all year), as stored times are UTC ISO. */
const vnDayStart = (iso: string): string => new Date(`${iso}T00:00:00+07:00`).toISOString();
const vnDayEnd = (iso: string): string => new Date(Date.parse(`${iso}T00:00:00+07:00`) + 86_400_000).toISOString();

export class AuditService {
  constructor(private readonly vault: AuditSource) {}

  /**
   * A refused call (the router's hook): a failed sign-in, or a FORBIDDEN / NO_SESSION refusal. The
   * channel and code only, never the payload. Locked: kept for the next unlock. Never throws.
   */
  recordRefusal(channel: string, code: string, userId: number | null): void {
    const signIn = SIGN_IN_CHANNELS.has(channel);
    if (!signIn && code !== 'FORBIDDEN' && code !== 'NO_SESSION') return;
    const entry = signIn
      ? { userId, action: 'session.sign_in', outcome: 'failed' as const, reason: code, details: { channel } }
      : { userId, action: 'request.refused', outcome: 'refused' as const, reason: code, details: { channel } };
    const now = this.vault.now();
    if (this.vault.state !== 'ready') {
      this.vault.auditAnchor.recordWhileLocked(entry, now);
      return;
    }
    try {
      const c = this.vault.context();
      c.whenWritable(() => writeTx(c.db, () => appendAudit(c.db, entry, now.toISOString())));
    } catch {
      this.vault.auditAnchor.recordWhileLocked(entry, now);
    }
  }

  /** Newest first, a page at a time (keyset on seq: a million entries page as fast as ten). */
  search(actor: Actor, q: AuditSearch): AuditPage {
    authorize(actor, 'org.manage');
    const { db } = this.vault.context();
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (clause: string, value: unknown) => {
      where.push(clause);
      args.push(value);
    };
    if (q.from) add('a.at >= ?', vnDayStart(q.from));
    if (q.to) add('a.at < ?', vnDayEnd(q.to));
    if (q.userId !== undefined) add('a.user_id = ?', q.userId);
    if (q.action) add('a.action = ?', q.action);
    if (q.outcome) add("coalesce(a.outcome, 'ok') = ?", q.outcome);
    const filter = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const page = q.beforeSeq !== undefined ? `${filter ? `${filter} AND` : 'WHERE'} a.id < ?` : filter;
    const rows = db.prepare(
      `SELECT a.id AS seq, a.at, a.workstation, a.user_id AS userId, u.full_name AS userName, a.action, a.entity, a.entity_id AS entityId,
              coalesce(a.outcome, 'ok') AS outcome, a.reason, a.details
       FROM audit_log a LEFT JOIN users u ON u.id = a.user_id ${page} ORDER BY a.id DESC LIMIT ?`,
    ).all(...args, ...(q.beforeSeq !== undefined ? [q.beforeSeq] : []), q.limit + 1) as Array<Omit<AuditRow, 'details'> & { details: string }>;
    const more = rows.length > q.limit;
    const items: AuditRow[] = rows.slice(0, q.limit).map((r) => ({ ...r, details: JSON.parse(r.details) as Record<string, unknown> }));
    return { items, nextBeforeSeq: more ? items.at(-1)!.seq : null };
  }

  /** What the filters offer: the actions recorded and the people. */
  facets(actor: Actor): { actions: string[]; people: Array<{ id: number; fullName: string }> } {
    authorize(actor, 'org.manage');
    const { db } = this.vault.context();
    return {
      actions: db.prepare('SELECT DISTINCT action FROM audit_log ORDER BY action').pluck().all() as string[],
      people: db.prepare('SELECT id, full_name AS fullName FROM users ORDER BY full_name').all() as Array<{ id: number; fullName: string }>,
    };
  }

  async verify(actor: Actor): Promise<AuditVerifySummary> {
    authorize(actor, 'org.manage');
    const c = this.vault.context();
    const v = await verifyAudit(c.db, boundCertificates(c.db));
    await c.writable();
    writeTx(c.db, () => appendAudit(c.db, { userId: actor.id, action: 'audit.verify', outcome: v.ok ? 'ok' : 'failed', ...(v.firstBroken ? { reason: v.firstBroken.problem } : {}), details: { entries: v.entries, heads: v.heads, ...(v.firstBroken ? { seq: v.firstBroken.seq } : {}) } }, c.now().toISOString()));
    return { ok: v.ok, entries: v.entries, heads: v.heads, lastSeq: v.lastSeq, signedThrough: v.signedThrough, firstBroken: v.firstBroken };
  }

  /**
   * Writes the package into `outDir` (default: a new folder under the profile's exports/). The export
   * is recorded first and the head signed with the person's token, so the package is anchored to
   * its last line.
   */
  async export(actor: Actor, range: AuditExportRange, outDir?: string): Promise<AuditExportSummary> {
    authorize(actor, 'org.manage');
    const c = this.vault.context();
    await c.writable();
    const now = c.now();
    const dir = outDir ?? join(this.vault.profileDir, 'exports', `audit-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`);
    writeTx(c.db, () => appendAudit(c.db, { userId: actor.id, action: 'audit.export', details: { from: range.from ?? null, to: range.to ?? null } }, now.toISOString()));
    if (!range.to) await this.vault.auditAnchor.anchorNow('export');
    const r = await exportAudit(c.db, dir, range, now);
    return { dir: r.dir, entries: r.entries, heads: r.heads, certificates: r.certificates, firstSeq: r.firstSeq, lastSeq: r.lastSeq };
  }
}
