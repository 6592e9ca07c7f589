// Whether the signed-in person can see any classified record (the copy register's navigation entry
// is for them): cleared above Thường, and at least one Mật, Tối mật or Tuyệt mật record in their
// distribution. Asked again whenever the register list is refreshed (a registration, a grant, a
// destruction).
import { useEffect, useState } from 'react';
import { call } from '../../ipc/call';
import { useApp } from '../../stores/app';
import { useIncoming } from '../../stores/incoming';

export function useSeesSecrets(): boolean {
  const cleared = useApp((s) => !!s.session?.rights.includes('doc.read') && s.session.user.clearance !== 'thuong');
  const userId = useApp((s) => s.session?.user.id);
  const version = useIncoming((s) => s.version);
  const [sees, setSees] = useState(false);
  useEffect(() => {
    if (!cleared) {
      setSees(false);
      return;
    }
    let live = true;
    call('incoming.count', { secrecy: ['mat', 'toi_mat', 'tuyet_mat'] }).then((c) => live && setSees(c.total > 0), () => undefined);
    return () => {
      live = false;
    };
  }, [cleared, userId, version]);
  return sees;
}
