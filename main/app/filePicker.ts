// The file picker, opened by main itself: the page asks for files and gets staged files back, never
// a path, so a compromised page cannot name a file to copy (desk:stage takes a path from the preload
// for dropped files; this is the way for "Chọn tệp"). The dialog is passed in so this module stays
// Electron-free and testable; ipc.ts hands it Electron's dialog.showOpenDialog.
import { basename } from 'node:path';
import { STAGE_ACCESS, type PickedFiles, type Wire } from '../../common/contract';
import type { Desk } from '../core/desk';
import { authorize } from '../core/org/rights';
import { stageFromPath, toWireError } from './stage';

/** The part of Electron's dialog.showOpenDialog this uses. */
export type OpenDialog = (options: {
  title: string;
  buttonLabel: string;
  properties: Array<'openFile' | 'multiSelections' | 'dontAddToRecent'>;
  filters: Array<{ name: string; extensions: string[] }>;
}) => Promise<{ canceled: boolean; filePaths: string[] }>;

/** At most this many files from one pick (the form takes a handful; a runaway selection is a mistake). */
export const MAX_PICKED_FILES = 50;

export async function pickAndStage(desk: Desk, openDialog: OpenDialog): Promise<Wire<PickedFiles>> {
  try {
    authorize(desk.session, STAGE_ACCESS); // before any dialog: no session, no picker
    const chosen = await openDialog({
      title: 'Chọn tệp văn bản đến',
      buttonLabel: 'Chọn',
      properties: ['openFile', 'multiSelections', 'dontAddToRecent'],
      filters: [
        { name: 'Văn bản (PDF, ảnh quét, Word, Excel)', extensions: ['pdf', 'jpg', 'jpeg', 'png', 'tif', 'tiff', 'doc', 'docx', 'xls', 'xlsx', 'odt', 'zip', 'xml', 'txt'] },
        { name: 'Tất cả các tệp', extensions: ['*'] },
      ],
    });
    const out: PickedFiles = { files: [], failed: [] };
    if (chosen.canceled) return { ok: true, value: out };
    for (const path of chosen.filePaths.slice(0, MAX_PICKED_FILES)) {
      // The same checks as a dropped file: real paths outside the profile, regular files, size limit.
      const r = await stageFromPath(desk, path, basename(path));
      if (r.ok) out.files.push(r.value);
      else out.failed.push({ name: basename(path), message: r.error.message, ...(r.error.key ? { key: r.error.key } : {}), ...(r.error.params ? { params: r.error.params } : {}) });
    }
    return { ok: true, value: out };
  } catch (err) {
    return toWireError(err, desk.log, { channel: 'pickFiles', user: desk.session?.id ?? null });
  }
}
