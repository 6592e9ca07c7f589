// Where the application is: loading, first-run setup, locked (the lock screen), or unlocked; plus
// the profile's read-only state and the idle lock's warning. A lock, from whatever cause, wipes every
// store holding document data first (stores/wipe.ts) and only then shows the lock screen.
//
// The UI language is the signed-in person's (their preference in the profile, applied at sign-in);
// before sign-in the workstation's last-used language shows. Messages are kept as errors (key and
// parameters) and worded when shown, so they follow a change of language.
import { create } from 'zustand';
import type { AppInfo, DeskEvent, Session, TokenRefValue, UiLanguage } from '../../../common/contract';
import { DeskError } from '../../../common/errors';
import { applyLanguage, currentLanguage } from '../i18n';
import { desk } from '../ipc/desk';
import { wipeAll } from './wipe';

export type Phase = 'loading' | 'unavailable' | 'setup' | 'locked' | 'ready';

type LockReason = Extract<DeskEvent, { type: 'session.locked' }>['reason'];

/** Why the lock screen is showing (worded by the lock screen, in the current language). */
export type LockNotice =
  | { kind: LockReason; idleSeconds?: number }
  /** A call answered NO_SESSION: the error says why. */
  | { kind: 'session'; error: DeskError };

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
  readOnlyReason: DeskError | null;
  /** Shown on the lock screen after a session ended. */
  lockNotice: LockNotice | null;
  bootError: DeskError | null;
  /** The idle lock comes at this time (ms since the epoch) unless the person does something. */
  idleLockAt: number | null;
  /** A language chosen on the lock or setup screen, kept for whoever signs in next if they have none. */
  languageChoice: UiLanguage | null;
  boot(): Promise<void>;
  /** Signed in: the person's language applied, then the workspace. */
  unlocked(session: Session, token?: TokenRefValue): Promise<void>;
  /** The session ended (pushed event, or NO_SESSION from a call): wipe, then the lock screen. */
  locked(notice: LockNotice): void;
  /** A call answered NO_SESSION while unlocked. */
  sessionEnded(err: DeskError): void;
  markReadOnly(err: DeskError): void;
  idleWarning(seconds: number | null): void;
  /** The person chose a language: shown at once, and kept as theirs when someone is signed in. */
  chooseLanguage(lng: UiLanguage): void;
}

const bannerOf = (info: AppInfo): DeskError | null =>
  info.readOnly ? new DeskError('READ_ONLY', info.banner ?? '', { key: 'profile.damaged' }) : null;
/**
 * The database's integrity check goes on after the unlock (writes wait for it in the core): when
 * its verdict is that the file is damaged, the read-only banner appears.
 */
function awaitVerdict(set: (s: Partial<AppState>) => void): void {
  void desk.invoke('app.verdict', {}).then((info) => {
    if (info.readOnly) set({ info, readOnlyReason: bannerOf(info) });
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
  idleLockAt: null,
  languageChoice: null,

  async boot() {
    set({ phase: 'loading', bootError: null });
    try {
      const info = await desk.invoke('app.info', {});
      const readOnlyReason = bannerOf(info);
      if (info.profile === 'new') {
        set({ info, readOnlyReason, phase: 'setup', session: null });
        return;
      }
      const session = info.profile === 'locked' ? null : await desk.invoke('session.current', {});
      if (session) await applyPersonLanguage();
      set({ info, readOnlyReason, session, phase: session ? 'ready' : 'locked' });
      if (session) awaitVerdict(set);
    } catch (err) {
      set({ phase: 'unavailable', bootError: err instanceof DeskError ? err : new DeskError('INTERNAL', String(err)) });
    }
  },

  async unlocked(session, token) {
    await applyPersonLanguage(get().languageChoice);
    set({ session, sessionToken: token ?? null, phase: 'ready', lockNotice: null, idleLockAt: null, languageChoice: null });
    // The profile is open now: its unit (encrypted while locked) can be shown in the header.
    void desk.invoke('app.info', {}).then((info) => set({ info, readOnlyReason: bannerOf(info) })).catch(() => undefined);
    awaitVerdict(set);
  },

  locked(notice) {
    wipeAll();
    set({ idleLockAt: null });
    const { phase } = get();
    // The setup screen has no session to lose; a lock seen while already locked only updates why.
    if (phase === 'setup' || phase === 'loading' || phase === 'unavailable') return;
    set({ session: null, sessionToken: null, phase: 'locked', lockNotice: notice });
  },

  sessionEnded(err) {
    if (get().phase !== 'ready') return;
    get().locked({ kind: 'session', error: err });
  },

  markReadOnly(err) {
    set({ readOnlyReason: err });
  },

  idleWarning(seconds) {
    if (get().phase !== 'ready') return;
    set({ idleLockAt: seconds === null ? null : Date.now() + seconds * 1000 });
  },

  chooseLanguage(lng) {
    applyLanguage(lng);
    if (get().phase === 'ready') {
      // Kept in the person's profile; a refusal (read-only profile) leaves the choice for this sitting.
      void desk.invoke('prefs.setLanguage', { language: lng }).catch(() => undefined);
    } else {
      set({ languageChoice: lng });
    }
  },
}));

/**
 * At sign-in: the person's own language; if they never chose one, what they chose on the lock
 * screen just now (then kept as theirs), else Vietnamese, never the previous person's.
 */
async function applyPersonLanguage(choice: UiLanguage | null = null): Promise<void> {
  let stored: UiLanguage | null = null;
  try {
    stored = (await desk.invoke('prefs.get', {})).language;
  } catch {
    stored = null;
  }
  const lng = stored ?? choice ?? 'vi';
  if (lng !== currentLanguage()) applyLanguage(lng);
  if (!stored && choice) void desk.invoke('prefs.setLanguage', { language: choice }).catch(() => undefined);
}

/** True when the signed-in person may register documents and the profile accepts writes. */
export const useCanRegister = () =>
  useApp((s) => !s.readOnlyReason && !!s.session?.rights.includes('doc.register'));

/** True when the signed-in person administers users and tokens. */
export const useIsAdmin = () => useApp((s) => !!s.session?.rights.includes('org.manage'));
