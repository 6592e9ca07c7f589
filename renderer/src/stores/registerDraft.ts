// The "Vào sổ văn bản đến" form lives here rather than in the dialog, so closing the dialog (Esc,
// or following a duplicate link to look at the earlier record) loses nothing; files are staged as
// soon as they are chosen and keep uploading while the dialog is closed.
//
// A lock loses nothing either: the draft is saved in the profile (encrypted, for this person only)
// a few seconds after each change, when the idle lock is announced and on "Khóa"; its staged files
// stay staged. The same person is offered it back at their next sign-in (DraftOffer.tsx).
import { create } from 'zustand';
import type { SavedDraft, StagedFile } from '../../../common/contract';
import { formatDateVn, todayIso } from '../../../common/dates';
import type { ArrivalChannel, Secrecy, Urgency } from '../../../common/domain';
import type { IncomingRegisterDraft } from '../../../common/drafts';
import { DeskError } from '../../../common/errors';
import { asDeskError, call, pickFiles, stageFile } from '../ipc/call';
import { desk } from '../ipc/desk';
import i18n from '../i18n';
import { errorText } from '../i18n/errors';
import { onWipe } from './wipe';

export interface DraftFile {
  key: number;
  name: string;
  size: number;
  state: 'staging' | 'ready' | 'failed';
  staged?: StagedFile;
  error?: string;
}

/** A recipient as chosen in the form: a unit or a person of the agency, or a name written freely. */
export type DraftRecipient = { kind: 'unit' | 'user'; id: number; name: string } | { kind: 'text'; name: string };

export interface Draft {
  secrecy: Secrecy;
  urgency: Urgency;
  /** null: the register is chosen by secrecy level. */
  registerId: number | null;
  issuerName: string;
  issuerUnitId: number | null;
  issuerCode: string | null;
  numberSymbol: string;
  /** Dates as typed, dd/mm/yyyy. */
  documentDate: string;
  arrivalDate: string;
  deadline: string;
  /** A type code from the list, or a type written by name (common/domain checkDocumentType). */
  typeCode: string;
  /** True once the person picked a type (then the number-symbol no longer suggests one). */
  typeChosen: boolean;
  subject: string;
  recipients: DraftRecipient[];
  notes: string;
  /** Phụ lục VI: người ký, số trang, số bản (as typed), hình thức nhận. */
  signer: string;
  pageCount: string;
  copyCount: string;
  arrivalChannel: ArrivalChannel;
  /** A secret document: the end of a protection period written on it (dd/mm/yyyy), or '' for the law's. */
  protectionUntil: string;
  /** "Tài liệu thu hồi". */
  recalled: boolean;
  /** "Chỉ người có tên mới được bóc bì", and the person named on the envelope. */
  namedOnly: boolean;
  namedRecipient: DraftRecipient[];
  /** "Hạn chế phạm vi": a Thường record seen only by its distribution. */
  restricted?: boolean;
  files: DraftFile[];
}

export const emptyDraft = (): Draft => ({
  secrecy: 'thuong',
  urgency: 'thuong',
  registerId: null,
  issuerName: '',
  issuerUnitId: null,
  issuerCode: null,
  numberSymbol: '',
  documentDate: '',
  arrivalDate: formatDateVn(todayIso()),
  deadline: '',
  typeCode: '',
  typeChosen: false,
  subject: '',
  recipients: [],
  notes: '',
  signer: '',
  pageCount: '',
  copyCount: '',
  arrivalChannel: 'paper',
  protectionUntil: '',
  recalled: false,
  namedOnly: false,
  namedRecipient: [],
  files: [],
});

interface DraftState {
  open: boolean;
  draft: Draft;
  openDialog(): void;
  closeDialog(): void;
  update(patch: Partial<Draft>): void;
  addFiles(files: File[], limitBytes: number): void;
  /** Electron: main's own file picker; the files come back staged (or refused, with why). */
  pickFiles(): void;
  removeFile(key: number): void;
  /** Empties the form. Staged files are discarded unless registration consumed them. */
  reset(opts: { discardFiles: boolean }): void;
}

let nextKey = 1;

export const useRegisterDraft = create<DraftState>()((set, get) => {
  const patchFile = (key: number, patch: (f: DraftFile) => DraftFile) =>
    set((s) => ({ draft: { ...s.draft, files: s.draft.files.map((f) => (f.key === key ? patch(f) : f)) } }));

  const discard = (f: DraftFile) => {
    if (f.staged) void call('staging.discard', { stagedId: f.staged.stagedId }).catch(() => undefined);
  };

  return {
    open: false,
    draft: emptyDraft(),
    openDialog: () => set({ open: true }),
    closeDialog: () => set({ open: false }),
    update: (patch) => set((s) => ({ draft: { ...s.draft, ...patch } })),

    addFiles(files, limitBytes) {
      for (const file of files) {
        const key = nextKey++;
        const tooLarge = file.size > limitBytes;
        const entry: DraftFile = tooLarge
          ? { key, name: file.name, size: file.size, state: 'failed', error: i18n.t('register.files.tooLarge', { limit: Math.round(limitBytes / 1024 / 1024) }) }
          : { key, name: file.name, size: file.size, state: 'staging' };
        set((s) => ({ draft: { ...s.draft, files: [...s.draft.files, entry] } }));
        if (tooLarge) continue;
        stageFile(file).then(
          (staged) => {
            // Removed (or the form emptied) while it was uploading: drop the staged copy.
            if (!get().draft.files.some((f) => f.key === key)) {
              discard({ ...entry, staged });
              return;
            }
            patchFile(key, (f) => ({ ...f, state: 'ready', staged, name: staged.name }));
          },
          (err: unknown) => patchFile(key, (f) => ({ ...f, state: 'failed', error: errorText(asDeskError(err)) })),
        );
      }
    },

    pickFiles() {
      pickFiles().then(
        (picked) => {
          const added: DraftFile[] = [
            ...picked.files.map((staged): DraftFile => ({ key: nextKey++, name: staged.name, size: staged.size, state: 'ready', staged })),
            ...picked.failed.map((f): DraftFile => ({ key: nextKey++, name: f.name, size: 0, state: 'failed', error: errorText(DeskError.fromPayload({ code: 'FILE_UNREADABLE', ...f })) })),
          ];
          if (added.length) set((s) => ({ draft: { ...s.draft, files: [...s.draft.files, ...added] } }));
        },
        () => undefined, // already shown by call.ts's error routing
      );
    },

    removeFile(key) {
      const f = get().draft.files.find((x) => x.key === key);
      if (!f) return;
      discard(f);
      set((s) => ({ draft: { ...s.draft, files: s.draft.files.filter((x) => x.key !== key) } }));
    },

    reset({ discardFiles }) {
      if (discardFiles) get().draft.files.forEach(discard);
      set({ draft: emptyDraft() });
      // Registered or cleared: the saved copy goes too.
      forgetSaved();
      void desk.invoke('drafts.discard', { kind: DRAFT_KIND }).catch(() => undefined);
    },
  };
});

// ---- Kept in the profile across a lock ----

const DRAFT_KIND = 'incoming.register';
/** A change is saved this long after the typing stops. */
export const AUTOSAVE_MS = 3_000;
let timer: ReturnType<typeof setTimeout> | null = null;
/** What was saved last (JSON), so an unchanged draft is not written again. */
let lastSaved: string | null = null;

function forgetSaved(): void {
  if (timer) clearTimeout(timer);
  timer = null;
  lastSaved = null;
}

/** The draft as saved: only what was typed and the files already staged; null when there is nothing. */
export function draftData(d: Draft): IncomingRegisterDraft | null {
  const files = d.files.flatMap((f) =>
    f.state === 'ready' && f.staged ? [{ stagedId: f.staged.stagedId, name: f.staged.name, size: f.staged.size, sha256: f.staged.sha256, isPdf: f.staged.isPdf }] : [],
  );
  const { files: _files, ...typed } = d;
  const { files: _none, ...blank } = emptyDraft();
  const untouched = files.length === 0 && (Object.keys(blank) as Array<keyof typeof blank>).every((k) => JSON.stringify(typed[k]) === JSON.stringify(blank[k]));
  return untouched ? null : { ...typed, files };
}

/**
 * Saves the draft now. The draft is read synchronously, so a caller may wipe the window right after
 * calling (lock). Failures are quiet: the window still holds the draft until it is locked.
 */
export async function saveDraftNow(): Promise<void> {
  if (timer) clearTimeout(timer);
  timer = null;
  const data = draftData(useRegisterDraft.getState().draft);
  if (!data) return;
  const json = JSON.stringify(data);
  if (json === lastSaved) return;
  try {
    await desk.invoke('drafts.save', { kind: DRAFT_KIND, data });
    lastSaved = json;
  } catch {
    /* kept in the window; the next change or the lock warning tries again */
  }
}

useRegisterDraft.subscribe((s, prev) => {
  if (s.draft === prev.draft || !draftData(s.draft)) return;
  if (timer) clearTimeout(timer);
  timer = setTimeout(() => void saveDraftNow(), AUTOSAVE_MS);
});

/** Puts a saved draft back into the form (its staged files ready again) and opens the dialog. */
export function restoreDraft(saved: SavedDraft): void {
  const { files, ...typed } = saved.data;
  const restored: Draft = {
    ...emptyDraft(),
    ...(typed as Partial<Draft>),
    files: files.map((f) => ({
      key: nextKey++, name: f.name, size: f.size, state: 'ready',
      staged: { stagedId: f.stagedId, name: f.name, size: f.size, sha256: f.sha256, isPdf: f.isPdf, duplicates: [] },
    })),
  };
  useRegisterDraft.setState({ draft: restored, open: true });
  lastSaved = JSON.stringify(draftData(restored));
}

/** The person does not want the saved draft: it and its staged files are discarded. */
export async function discardSavedDraft(saved: SavedDraft): Promise<void> {
  forgetSaved();
  await Promise.all(saved.data.files.map((f) => call('staging.discard', { stagedId: f.stagedId }).catch(() => undefined)));
  await desk.invoke('drafts.discard', { kind: DRAFT_KIND }).catch(() => undefined);
}

export const loadSavedDraft = (): Promise<SavedDraft | null> => desk.invoke('drafts.load', { kind: DRAFT_KIND });

// A lock drops the draft (its subject, issuer, notes …) from the window and closes the dialog; the
// saved copy stays in the profile for the same person.
onWipe(() => {
  forgetSaved();
  useRegisterDraft.setState({ draft: emptyDraft(), open: false });
});
