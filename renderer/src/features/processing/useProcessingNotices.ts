// The processing counts shown as a badge in the navigation and as reminders on the inbox page: read
// at sign-in, after each step, and every few minutes (deadlines pass while the window is open).
import { useEffect } from 'react';
import { create } from 'zustand';
import type { ProcessingNotices } from '../../../../common/contract';
import { call } from '../../ipc/call';
import { onWipe } from '../../stores/wipe';

const EVERY_MS = 5 * 60_000;

interface NoticesState {
  notices: ProcessingNotices | null;
  refresh(): void;
}

export const useNoticesStore = create<NoticesState>()((set) => ({
  notices: null,
  refresh: () => {
    call('processing.notices', {}).then((notices) => set({ notices }), () => set({ notices: null }));
  },
}));
onWipe(() => useNoticesStore.setState({ notices: null }));

/** The counts, kept fresh while mounted (the sidebar mounts it for the whole session). */
export function useProcessingNotices(enabled: boolean): ProcessingNotices | null {
  const notices = useNoticesStore((s) => s.notices);
  useEffect(() => {
    if (!enabled) return;
    useNoticesStore.getState().refresh();
    const timer = setInterval(() => useNoticesStore.getState().refresh(), EVERY_MS);
    return () => clearInterval(timer);
  }, [enabled]);
  return notices;
}

/** What needs the person now: their inboxes and their overdue tasks. */
export const attentionCount = (n: ProcessingNotices | null): number => (n ? n.opinion + n.handle + n.unit + n.overdue : 0);

/** A count as a badge shows it: the core stops counting at 999. */
export const badgeText = (n: number): string => (n >= 999 ? '999+' : String(n));
