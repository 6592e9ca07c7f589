// The tokens this workstation sees (tokens.directory), re-read on demand ("Làm mới").
import { useCallback, useEffect, useRef, useState } from 'react';
import type { TokenDirectory } from '../../../../common/contract';
import { errorText } from '../../i18n/errors';
import { asDeskError, call } from '../../ipc/call';

export interface TokenDirectoryState {
  directory: TokenDirectory | null;
  loading: boolean;
  error: string | null;
  refresh(): void;
}

export function useTokenDirectory(): TokenDirectoryState {
  const [state, setState] = useState<Omit<TokenDirectoryState, 'refresh'>>({ directory: null, loading: true, error: null });
  const generation = useRef(0);
  const unmounted = useRef(false);
  const refresh = useCallback(() => {
    const gen = ++generation.current;
    setState((s) => ({ ...s, loading: true, error: null }));
    call('tokens.directory', {}).then(
      (directory) => {
        if (gen === generation.current && !unmounted.current) setState({ directory, loading: false, error: null });
      },
      (err: unknown) => {
        if (gen === generation.current && !unmounted.current) setState((s) => ({ ...s, loading: false, error: errorText(asDeskError(err)) }));
      },
    );
  }, []);
  useEffect(() => {
    unmounted.current = false;
    refresh();
    return () => {
      unmounted.current = true;
    };
  }, [refresh]);
  return { ...state, refresh };
}
