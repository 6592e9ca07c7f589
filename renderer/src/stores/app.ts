// Where the application is: loading, first-run setup, locked (the lock screen), or unlocked; plus
// the profile's read-only state. A lock, from whatever cause, wipes every store holding document
// data first (stores/wipe.ts) and only then shows the lock screen.
import { create } from 'zustand';
import type { AppInfo, DeskEvent, Session, TokenRefValue } from '../../../common/contract';
import { DeskError } from '../../../common/errors';
import { desk } from '../ipc/desk';
import { wipeAll } from './wipe';

export type Phase = 'loading' | 'unavailable' | 'setup' | 'locked' | 'ready';

/** Why the lock screen is showing (worded by the lock screen, in the current language). */
export type LockNotice =
  | { kind: DeskEvent['reason']; idleSeconds?: number }
  /** A call answered NO_SESSION: the message says why. */
  | { kind: 'session'; message: string };

interface AppState {
  phase: Phase;
  info: AppInfo | null;
  session: Session | null;
  /**
   * The token the session was opened with (its signing key signs documents). Unknown (null) when
   * the window was reloaded while the session was already open.
   */
  sessionToken: TokenRefValue | null;
  /** Why nothing may be written (damaged profile, or a READ_ONLY refusal). */
  readOnlyReason: string | null;
  /** Shown on the lock screen after a session ended. */
  lockNotice: LockNotice | null;
  bootError: string | null;
  boot(): Promise<void>;
  unlocked(session: Session, token?: TokenRefValue): void;
  /** The session ended (pushed event, or NO_SESSION from a call): wipe, then the lock screen. */
  locked(notice: LockNotice): void;
  /** A call answered NO_SESSION while unlocked. */
  sessionEnded(message: string): void;
  markReadOnly(message: string): void;
}

/**
 * The database's integrity check goes on after the unlock (writes wait for it in the core): when
 * its verdict is that the file is damaged, the read-only banner appears.
 */
function awaitVerdict(set: (s: Partial<AppState>) => void): void {
  void desk.invoke('app.verdict', {}).then((info) => {
    if (info.readOnly) set({ info, readOnlyReason: info.banner ?? null });
  }).catch(() => undefined);
}

export const useApp = create<AppState>()((set, get) => ({
  phase: 'loading',
  info: null,
  session: null,
  sessionToken: null,
  readOnlyReason: null,
  lockNotice: null,
  bootError: null,

  async boot() {
    set({ phase: 'loading', bootError: null });
    try {
      const info = await desk.invoke('app.info', {});
      const readOnlyReason = info.readOnly ? (info.banner ?? null) : null;
      if (info.profile === 'new') {
        set({ info, readOnlyReason, phase: 'setup', session: null });
        return;
      }
      const session = info.profile === 'locked' ? null : await desk.invoke('session.current', {});
      set({ info, readOnlyReason, session, phase: session ? 'ready' : 'locked' });
      if (session) awaitVerdict(set);
    } catch (err) {
      set({ phase: 'unavailable', bootError: err instanceof DeskError ? err.message : String(err) });
    }
  },

  unlocked(session, token) {
    set({ session, sessionToken: token ?? null, phase: 'ready', lockNotice: null });
    // The profile is open now: its unit (encrypted while locked) can be shown in the header.
    void desk.invoke('app.info', {}).then((info) => set({ info, readOnlyReason: info.readOnly ? (info.banner ?? null) : null })).catch(() => undefined);
    awaitVerdict(set);
  },

  locked(notice) {
    wipeAll();
    const { phase } = get();
    // The setup screen has no session to lose; a lock seen while already locked only updates why.
    if (phase === 'setup' || phase === 'loading' || phase === 'unavailable') return;
    set({ session: null, sessionToken: null, phase: 'locked', lockNotice: notice });
  },

  sessionEnded(message) {
    if (get().phase !== 'ready') return;
    get().locked({ kind: 'session', message });
  },

  markReadOnly(message) {
    set({ readOnlyReason: message });
  },
}));

/** True when the signed-in person may register documents and the profile accepts writes. */
export const useCanRegister = () =>
  useApp((s) => !s.readOnlyReason && !!s.session?.rights.includes('doc.register'));

/** True when the signed-in person administers users and tokens. */
export const useIsAdmin = () => useApp((s) => !!s.session?.rights.includes('org.manage'));
