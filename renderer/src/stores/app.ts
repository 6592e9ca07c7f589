// Where the application is: loading, first-run setup, sign-in, or signed in; plus the profile's
// read-only state. Boot and sign-out talk to `desk` directly (ipc/call routes errors into here).
import { create } from 'zustand';
import type { AppInfo, Session } from '../../../common/contract';
import { DeskError } from '../../../common/errors';
import { desk } from '../ipc/desk';

export type Phase = 'loading' | 'unavailable' | 'setup' | 'signin' | 'ready';

interface AppState {
  phase: Phase;
  info: AppInfo | null;
  session: Session | null;
  /** Why nothing may be written (damaged profile, or a READ_ONLY refusal). */
  readOnlyReason: string | null;
  /** Shown on the sign-in screen after a session ended on its own. */
  signInNotice: string | null;
  bootError: string | null;
  boot(): Promise<void>;
  signedIn(session: Session): void;
  signOut(): Promise<void>;
  sessionEnded(message: string): void;
  markReadOnly(message: string): void;
}

export const useApp = create<AppState>()((set, get) => ({
  phase: 'loading',
  info: null,
  session: null,
  readOnlyReason: null,
  signInNotice: null,
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
      const session = await desk.invoke('session.current', {});
      set({ info, readOnlyReason, session, phase: session ? 'ready' : 'signin' });
    } catch (err) {
      set({ phase: 'unavailable', bootError: err instanceof DeskError ? err.message : String(err) });
    }
  },

  signedIn(session) {
    set({ session, phase: 'ready', signInNotice: null });
    // The profile now exists: refresh the unit shown in the header.
    if (!get().info?.unit) void desk.invoke('app.info', {}).then((info) => set({ info })).catch(() => undefined);
  },

  async signOut() {
    try {
      await desk.invoke('session.logout', {});
    } catch {
      /* already signed out on the other side */
    }
    set({ session: null, phase: 'signin', signInNotice: null });
  },

  sessionEnded(message) {
    if (get().phase !== 'ready') return;
    set({ session: null, phase: 'signin', signInNotice: message });
  },

  markReadOnly(message) {
    set({ readOnlyReason: message });
  },
}));

/** True when the signed-in person may register documents and the profile accepts writes. */
export const useCanRegister = () =>
  useApp((s) => !s.readOnlyReason && !!s.session?.rights.includes('doc.register'));
