// The address of what is on screen: "#/incoming/<id>" while a document is open, nothing otherwise.
// A hash, not a path: the renderer is served with relative assets on the app:// scheme and by the
// development host alike. Opening that address (or typing it) asks the core for the document like a
// click in the register would; a record outside the person's reach is "not found" there too.
import { useEffect, useRef } from 'react';
import { useNav } from './nav';

const PATTERN = /^#\/incoming\/(\d{1,15})$/;

export const incomingIdOf = (hash: string): number | null => {
  const m = PATTERN.exec(hash);
  return m ? Number(m[1]) : null;
};

/** Called once by the signed-in shell, after it has reset the view. */
export function useDeepLink(): void {
  // The address the window was opened on, read before the shell's reset rewrites it.
  const initial = useRef(window.location.hash);
  useEffect(() => {
    const open = (hash: string) => {
      const id = incomingIdOf(hash);
      if (id !== null) useNav.getState().openIncoming(id);
    };
    open(initial.current);
    const write = () => {
      const view = useNav.getState().view;
      const hash = view.name === 'incomingDetail' ? `#/incoming/${view.id}` : '';
      if (window.location.hash !== hash) history.replaceState(null, '', window.location.pathname + window.location.search + hash);
    };
    write();
    const unsubscribe = useNav.subscribe(write);
    const onHash = () => open(window.location.hash);
    window.addEventListener('hashchange', onHash);
    return () => {
      unsubscribe();
      window.removeEventListener('hashchange', onHash);
    };
  }, []);
}
