// The "Vào sổ văn bản đến" form lives here rather than in the dialog, so closing the dialog (Esc,
// or following a duplicate link to look at the earlier record) loses nothing; files are staged as
// soon as they are chosen and keep uploading while the dialog is closed.
import { create } from 'zustand';
import type { StagedFile } from '../../../common/contract';
import { formatDateVn, todayIso } from '../../../common/dates';
import type { ArrivalChannel, Secrecy, Urgency } from '../../../common/domain';
import { asDeskError, call, pickFiles, stageFile } from '../ipc/call';
import i18n from '../i18n';
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
          (err: unknown) => patchFile(key, (f) => ({ ...f, state: 'failed', error: asDeskError(err).message })),
        );
      }
    },

    pickFiles() {
      pickFiles().then(
        (picked) => {
          const added: DraftFile[] = [
            ...picked.files.map((staged): DraftFile => ({ key: nextKey++, name: staged.name, size: staged.size, state: 'ready', staged })),
            ...picked.failed.map((f): DraftFile => ({ key: nextKey++, name: f.name, size: 0, state: 'failed', error: f.message })),
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
    },
  };
});

/** The staged files of the draft (discarded by a manual lock before the session ends). */
export const draftStagedIds = (): string[] =>
  useRegisterDraft.getState().draft.files.flatMap((f) => (f.staged ? [f.staged.stagedId] : []));

// A lock drops the draft (its subject, issuer, notes …) and closes the dialog.
onWipe(() => useRegisterDraft.setState({ draft: emptyDraft(), open: false }));
