// The agency's own units as a service: listed and searched by anyone signed in (to choose
// recipients), added and changed by administrators, audited and recorded as events.
import type { InternalUnitView, RecipientOption } from '../../../common/contract';
import type { InternalUnitUpdate } from '../../../common/schemas';
import { appendAudit } from '../audit/auditLog';
import type { ContextSource } from '../context';
import { writeTx } from '../db/transaction';
import { createUnit } from './structure';
import { findInternalUnit, listInternalUnits, searchRecipients, updateInternalUnit } from './internalUnits';
import { authorize, type Actor } from './rights';

export class InternalUnitService {
  constructor(private readonly source: ContextSource) {}

  list(actor: Actor): InternalUnitView[] {
    authorize(actor, 'session');
    return listInternalUnits(this.source.context().db);
  }

  async add(actor: Actor, u: { name: string; code?: string | undefined; parentId?: number | undefined }): Promise<InternalUnitView> {
    authorize(actor, 'org.manage');
    const c = this.source.context();
    // Writes wait for the profile's integrity verdict.
    await c.writable();
    const now = c.now();
    const id = writeTx(c.db, () => {
      const newId = createUnit(c.db, { name: u.name, code: u.code ?? '', ...(u.parentId !== undefined ? { parentId: u.parentId } : {}) }, actor.id, now);
      appendAudit(c.db, { userId: actor.id, action: 'internal_unit.add', entity: 'internal_unit', entityId: newId, details: { name: u.name, parentId: u.parentId ?? null } }, now.toISOString());
      return newId;
    });
    return findInternalUnit(c.db, id)!;
  }

  async update(actor: Actor, u: InternalUnitUpdate): Promise<InternalUnitView> {
    authorize(actor, 'org.manage');
    const c = this.source.context();
    // Writes wait for the profile's integrity verdict.
    await c.writable();
    const now = c.now();
    return writeTx(c.db, () => {
      const { before, after } = updateInternalUnit(c.db, u, actor.id, now);
      appendAudit(c.db, { userId: actor.id, action: 'internal_unit.update', entity: 'internal_unit', entityId: u.id, details: { before, after } }, now.toISOString());
      return after;
    });
  }

  /** Recipients to choose from: the agency's units and people. */
  searchRecipients(actor: Actor, query: string, limit: number): RecipientOption[] {
    authorize(actor, 'session');
    return searchRecipients(this.source.context().db, query, limit);
  }
}
