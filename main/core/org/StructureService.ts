// The agency's structure as a service: anyone signed in reads it (to choose a leader, a handler, a
// signer); administrators change it, each change dated, audited and recorded as events.
import type { Readable } from 'node:stream';
import type { OrgStructureView, StructureImportPlan } from '../../../common/contract';
import { DeskError } from '../../../common/errors';
import type {
  authorityEndSchema, authorityGrantSchema, memberSetSchema, structureImportSchema, unitCreateSchema, unitMergeSchema, unitRenameSchema, unitSplitSchema,
} from '../../../common/schemas';
import type { z } from 'zod';
import { appendAudit } from '../audit/auditLog';
import type { ContextSource, CoreContext } from '../context';
import { writeTx } from '../db/transaction';
import { listInternalUnits } from './internalUnits';
import { authorize, type Actor } from './rights';
import {
  createUnit, endAuthority, grantAuthority, listAuthorities, listMembers, mergeUnits, renameUnit, setMember, splitUnit, unitHistory,
} from './structure';
import { applyImport, planImport, readForApply } from './structureImport';

type In<S extends z.ZodType> = z.infer<S>;

/** Largest workbook read (an organisation chart, not an archive). */
const MAX_WORKBOOK = 8 * 1024 * 1024;

async function readAll(stream: Readable, max: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > max) {
      stream.destroy();
      throw Object.assign(new Error('workbook too large'), { tooLarge: true });
    }
    parts.push(chunk as Buffer);
  }
  return Buffer.concat(parts);
}

export class StructureService {
  constructor(private readonly source: ContextSource) {}

  view(actor: Actor): OrgStructureView {
    authorize(actor, 'session');
    const db = this.source.context().db;
    return { units: listInternalUnits(db), history: unitHistory(db), members: listMembers(db), authorities: listAuthorities(db) };
  }

  /** Runs a dated change of the structure in one transaction with its audit entry. */
  private async change<T>(actor: Actor, action: string, details: Record<string, unknown>, fn: (c: CoreContext, now: Date) => T): Promise<OrgStructureView & { result: T }> {
    authorize(actor, 'org.manage');
    const c = this.source.context();
    await c.writable();
    const now = c.now();
    const result = writeTx(c.db, () => {
      const r = fn(c, now);
      appendAudit(c.db, { userId: actor.id, action, entity: 'internal_unit', details: { ...details, result: r ?? null } }, now.toISOString());
      return r;
    });
    return { ...this.view(actor), result };
  }

  createUnit(actor: Actor, u: In<typeof unitCreateSchema>) {
    return this.change(actor, 'structure.unit.create', { name: u.name, code: u.code ?? '' }, (c, now) => createUnit(c.db, { name: u.name, code: u.code ?? '', ...(u.parentId !== undefined ? { parentId: u.parentId } : {}), validFrom: u.validFrom ?? null, decision: u.decision ?? '' }, actor.id, now));
  }

  renameUnit(actor: Actor, r: In<typeof unitRenameSchema>) {
    return this.change(actor, 'structure.unit.rename', { id: r.id, name: r.name, onDate: r.onDate, decision: r.decision }, (c, now) => renameUnit(c.db, r, actor.id, now));
  }

  mergeUnits(actor: Actor, m: In<typeof unitMergeSchema>) {
    return this.change(actor, 'structure.unit.merge', { unitIds: m.unitIds, into: m.into, onDate: m.onDate, decision: m.decision }, (c, now) => mergeUnits(c.db, m, actor.id, now));
  }

  splitUnit(actor: Actor, s: In<typeof unitSplitSchema>) {
    return this.change(actor, 'structure.unit.split', { unitId: s.unitId, into: s.into.map((i) => i.name), onDate: s.onDate, decision: s.decision }, (c, now) => splitUnit(c.db, s, actor.id, now));
  }

  setMember(actor: Actor, m: In<typeof memberSetSchema>) {
    return this.change(actor, 'structure.member.set', m, (c, now) => setMember(c.db, m, actor.id, now));
  }

  grantAuthority(actor: Actor, a: In<typeof authorityGrantSchema>) {
    return this.change(actor, 'structure.authority.grant', a, (c, now) => grantAuthority(c.db, a, actor.id, now));
  }

  endAuthority(actor: Actor, e: In<typeof authorityEndSchema>) {
    return this.change(actor, 'structure.authority.end', e, (c, now) => endAuthority(c.db, e, actor.id, now));
  }

  private async workbook(c: CoreContext, actor: Actor, stagedId: string): Promise<Buffer> {
    await c.store.stagedMeta(stagedId, actor.id);
    try {
      return await readAll(c.store.openStaged(stagedId), MAX_WORKBOOK);
    } catch (err) {
      if ((err as { tooLarge?: boolean }).tooLarge) throw DeskError.keyed('VALIDATION', 'structure.import.badFile');
      throw err;
    }
  }

  /** What a staged workbook would change; nothing is written. */
  async previewImport(actor: Actor, i: In<typeof structureImportSchema>): Promise<StructureImportPlan> {
    authorize(actor, 'org.manage');
    const c = this.source.context();
    return planImport(c.db, await this.workbook(c, actor, i.stagedId), c.now());
  }

  /** Imports the workbook previewed (same sha256), all or nothing. */
  async applyImport(actor: Actor, i: In<typeof structureImportSchema>) {
    authorize(actor, 'org.manage');
    const c = this.source.context();
    const bytes = await this.workbook(c, actor, i.stagedId);
    await c.writable();
    const now = c.now();
    const resolved = await readForApply(c.db, bytes, i.sha256 ?? '', now);
    const counts = writeTx(c.db, () => {
      const n = applyImport(c.db, resolved, actor.id, now);
      appendAudit(c.db, { userId: actor.id, action: 'structure.import', entity: 'internal_unit', details: { sha256: resolved.plan.sha256, ...n } }, now.toISOString());
      return n;
    });
    return { ...this.view(actor), result: counts };
  }
}
