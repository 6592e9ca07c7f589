// Which view of the signed-in shell is showing. The list stays mounted under the detail view so
// its scroll position, loaded pages and selection survive a round trip.
import { create } from 'zustand';

export type View = { name: 'incoming' } | { name: 'incomingDetail'; id: number };

interface NavState {
  view: View;
  openIncoming(id: number): void;
  backToList(): void;
}

export const useNav = create<NavState>()((set) => ({
  view: { name: 'incoming' },
  openIncoming: (id) => set({ view: { name: 'incomingDetail', id } }),
  backToList: () => set({ view: { name: 'incoming' } }),
}));

// Ctrl+F goes to whatever search box the visible view offers.
let findHandler: (() => void) | null = null;
export function setFindHandler(fn: (() => void) | null): () => void {
  findHandler = fn;
  return () => {
    if (findHandler === fn) findHandler = null;
  };
}
export const runFind = (): boolean => {
  if (!findHandler) return false;
  findHandler();
  return true;
};
