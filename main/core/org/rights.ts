// Roles grant rights; clearance bounds what a person may see. Checked here, in core, so that
// every caller (IPC, dev host, CLI, importers) gets the same rules.
//
// Separation of duties: the Quản trị manages people and devices; registering documents belongs to
// the văn thư. Which roles may register is the profile's policy (org/registerPolicy.ts), set by an
// administrator and audited; by default only the văn thư.
import { DeskError } from '../../../common/errors';
import type { Access } from '../../../common/contract';
import type { Right, Role, Secrecy } from '../../../common/domain';
import { clearedFor } from '../../../common/domain';

const ROLE_RIGHTS: Record<Role, readonly Right[]> = {
  van_thu: ['doc.read'],
  lanh_dao: ['doc.read'],
  chuyen_vien: ['doc.read'],
  quan_tri: ['doc.read', 'org.manage'],
};

/** Who registers documents when the profile's policy says nothing: the văn thư only. */
export const DEFAULT_REGISTER_ROLES: readonly Role[] = ['van_thu'];

/** The rights of a role on a profile whose policy lets `registerRoles` register documents. */
export const rightsOf = (role: Role, registerRoles: readonly Role[] = DEFAULT_REGISTER_ROLES): Right[] => {
  const rights: Right[] = [...ROLE_RIGHTS[role], ...(registerRoles.includes(role) ? (['doc.register'] as const) : [])];
  // Uploading a file is for those who have something to upload it for: a registration, an import, an
  // outgoing draft (which anyone who reads documents may write: outgoing/OutgoingService.ts).
  if (rights.includes('doc.read') || rights.includes('doc.register') || rights.includes('org.manage')) rights.push('file.stage');
  return rights;
};

/** The signed-in person on whose behalf a service runs. */
export interface Actor {
  id: number;
  fullName: string;
  role: Role;
  clearance: Secrecy;
  rights: readonly Right[];
}

export function authorize(actor: Actor | null, access: Access): asserts actor is Actor {
  if (access === 'public') return;
  if (!actor) throw DeskError.keyed('NO_SESSION', 'session.ended');
  if (access === 'session') return;
  if (!actor.rights.includes(access)) throw DeskError.keyed('FORBIDDEN', 'rights.forbidden', undefined, { details: { right: access } });
}

export function requireClearance(actor: Actor, level: Secrecy): void {
  if (!clearedFor(actor.clearance, level)) throw DeskError.keyed('FORBIDDEN', 'rights.clearance', undefined, { at: 'secrecy' });
}
