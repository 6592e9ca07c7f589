// Roles grant rights; clearance bounds what a person may see. Checked here, in core, so that
// every caller (IPC, dev host, CLI, importers) gets the same rules.
import { DeskError } from '../../../common/errors';
import type { Access } from '../../../common/contract';
import type { Right, Role, Secrecy } from '../../../common/domain';
import { clearedFor } from '../../../common/domain';

const ROLE_RIGHTS: Record<Role, readonly Right[]> = {
  van_thu: ['doc.read', 'doc.register'],
  lanh_dao: ['doc.read'],
  chuyen_vien: ['doc.read'],
  quan_tri: ['doc.read', 'doc.register', 'org.manage'],
};

export const rightsOf = (role: Role): Right[] => [...ROLE_RIGHTS[role]];

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
  if (!actor) throw new DeskError('NO_SESSION', 'Phiên làm việc đã kết thúc. Vui lòng đăng nhập lại.');
  if (access === 'session') return;
  if (!actor.rights.includes(access))
    throw new DeskError('FORBIDDEN', 'Bạn không có quyền thực hiện thao tác này.', { details: { right: access } });
}

export function requireClearance(actor: Actor, level: Secrecy): void {
  if (!clearedFor(actor.clearance, level))
    throw new DeskError('FORBIDDEN', 'Độ mật vượt quá mức được phép tiếp cận của bạn.', {
      fields: { secrecy: 'Độ mật vượt quá mức được phép tiếp cận của bạn.' },
    });
}
