// First-run setup: the workstation's unit, its numbering preset and registers, the first user, and
// (optionally) the agency's own units that incoming documents are handed over to.
import type { SetupInput } from '../../../common/schemas';
import { DeskError } from '../../../common/errors';
import { checkIdentifierCode } from '../../../common/identifierCode';
import { appendAudit } from '../audit/auditLog';
import type { Db } from '../db/connection';
import { writeTx } from '../db/transaction';
import { createRegister, PRESET_REGISTERS } from '../documents/numbering';
import { setSetting } from '../profile/settings';
import { foldVietnamese } from '../../../common/vietnamese';
import { createUnit } from './structure';
import { addUnit } from './units';
import { addUser } from './users';

export function isSetUp(db: Db): boolean {
  return (db.prepare('SELECT count(*) FROM users').pluck().get() as number) > 0;
}

/** Creates the profile's unit, registers and administrator in one transaction; returns the user id. */
export function runSetup(db: Db, input: SetupInput, now: Date): number {
  return writeTx(db, () => {
    if (isSetUp(db)) throw DeskError.keyed('SETUP_DONE', 'setup.done');
    const code = checkIdentifierCode(input.unit.code);
    if (!code.ok || !code.code) throw DeskError.keyed('VALIDATION', code.key ?? 'unitCode.invalid', code.params, { at: 'unit.code' });
    const unitId = addUnit(db, input.unit.name, code.code, true, null, now);
    setSetting(db, 'self_unit_id', String(unitId));
    setSetting(db, 'numbering_preset', input.unit.preset);
    const userId = addUser(db, input.admin, null, now);
    for (const r of PRESET_REGISTERS[input.unit.preset]) createRegister(db, r, userId, now);
    // The same unit typed twice is one unit.
    const byKey = new Map<string, string>();
    for (const n of input.internalUnits ?? []) {
      const k = foldVietnamese(n).replace(/\s+/g, ' ').trim();
      if (k && !byKey.has(k)) byKey.set(k, n.trim());
    }
    const internalUnits = [...byKey.values()];
    for (const name of internalUnits) createUnit(db, { name }, userId, now);
    appendAudit(db, {
      userId, action: 'profile.setup', entity: 'unit', entityId: unitId,
      details: { unit: input.unit.name, code: code.code, preset: input.unit.preset, role: input.admin.role, internalUnits: internalUnits.length },
    });
    return userId;
  });
}
