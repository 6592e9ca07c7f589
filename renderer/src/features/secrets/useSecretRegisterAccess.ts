// Whether the signed-in person may read (and close) the state-secret registers: asked of the core
// (secrets/registerRules.ts), which decides again on every call.
import { useEffect, useState } from 'react';
import type { SecretRegisterAccess } from '../../../../common/contract';
import { call } from '../../ipc/call';
import { useApp } from '../../stores/app';

const NONE: SecretRegisterAccess = { read: false, close: false };

export function useSecretRegisterAccess(): SecretRegisterAccess {
  const userId = useApp((s) => s.session?.user.id);
  const role = useApp((s) => s.session?.user.role);
  const [access, setAccess] = useState<SecretRegisterAccess>(NONE);
  useEffect(() => {
    if (userId === undefined) {
      setAccess(NONE);
      return;
    }
    let live = true;
    call('secretRegisters.access', {}).then((a) => live && setAccess(a), () => live && setAccess(NONE));
    return () => {
      live = false;
    };
  }, [userId, role]);
  return access;
}
