// How many registrations the sync set aside for a duplicate arrival number (the sidebar's badge): read
// at sign-in, every half minute (sync rounds bring them), and after a renumbering on the page.
import { useEffect } from 'react';
import { create } from 'zustand';
import { call } from '../../ipc/call';
import { onWipe } from '../../stores/wipe';

const EVERY_MS = 30_000;

interface SetAsideState {
  count: number;
  refresh(): void;
}

export const useSetAsideStore = create<SetAsideState>()((set) => ({
  count: 0,
  refresh: () => {
    call('incoming.setAside', {}).then((rows) => set({ count: rows.length }), () => set({ count: 0 }));
  },
}));
onWipe(() => useSetAsideStore.setState({ count: 0 }));

export function useSetAsideCount(enabled: boolean): number {
  const count = useSetAsideStore((s) => s.count);
  useEffect(() => {
    if (!enabled) return;
    useSetAsideStore.getState().refresh();
    const timer = setInterval(() => useSetAsideStore.getState().refresh(), EVERY_MS);
    return () => clearInterval(timer);
  }, [enabled]);
  return count;
}
