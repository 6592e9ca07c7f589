// Which view of the signed-in shell is showing. The list stays mounted under the detail view so
// its scroll position, loaded pages and selection survive a round trip.
import { create } from 'zustand';
import { onWipe } from './wipe';

export type View = { name: 'incoming' } | { name: 'incomingDetail'; id: number } | { name: 'users' } | { name: 'tokens' }
  | { name: 'registers' } | { name: 'internalUnits' } | { name: 'audit' } | { name: 'copyRegister' }
  | { name: 'secretRegisters' } | { name: 'review' } | { name: 'workFiles' } | { name: 'processing' }
  | { name: 'outgoing' } | { name: 'outgoingDetail'; id: number } | { name: 'sync' } | { name: 'import' }
  | { name: 'exchangeInbox' } | { name: 'renumber' } | { name: 'packages' };

interface NavState {
  view: View;
  openIncoming(id: number): void;
  backToList(): void;
  show(view: View): void;
}

export const useNav = create<NavState>()((set) => ({
  view: { name: 'incoming' },
  openIncoming: (id) => set({ view: { name: 'incomingDetail', id } }),
  backToList: () => set({ view: { name: 'incoming' } }),
  show: (view) => set({ view }),
}));

// After a lock the next session starts at the register, never on the document that was open.
onWipe(() => useNav.getState().backToList());

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
