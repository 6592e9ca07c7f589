// Staging a file the user chose, on the main side: the preload passes the file's path (from
// webUtils.getPathForFile, so the page never sees it) and its display name; main checks both,
// authorizes, and streams the file into the profile's staging area. Electron-free so it is tested
// under Node with a real Desk.
//
// "Not inside the profile" is judged on real paths (symbolic links resolved, for the file and the
// profile alike) and on the file opened: the file is opened by its real path without following a
// link, must be the very file that was checked (device and inode), and must not be a hard link to a
// file of the profile folder (the database, the keyring, logs).
import { constants, promises as fsp, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { STAGE_ACCESS, type StagedFile, type Wire } from '../../common/contract';
import { DeskError, type DeskErrorPayload } from '../../common/errors';
import type { Desk } from '../core/desk';
import type { Logger } from '../core/log';
import { authorize } from '../core/org/rights';
import { isStageablePath } from './policy';

/** Same wording as the router's: the user learns nothing happened; the stack goes to the log. */
export const INTERNAL_MESSAGE =
  'Đã xảy ra lỗi không mong muốn. Thao tác chưa được thực hiện; chi tiết đã được ghi vào nhật ký.';

/** Turns anything thrown into a Wire error: DeskErrors as they are, the rest as INTERNAL. */
export function toWireError(err: unknown, log: Logger, context: Record<string, unknown>): { ok: false; error: DeskErrorPayload } {
  if (err instanceof DeskError) {
    log.log('info', 'ipc call refused', { ...context, code: err.code });
    return { ok: false, error: err.toPayload() };
  }
  log.log('error', 'ipc call failed', { ...context, error: (err as Error)?.stack ?? String(err) });
  return { ok: false, error: { code: 'INTERNAL', message: INTERNAL_MESSAGE } };
}

export async function stageFromPath(desk: Desk, path: unknown, name: unknown): Promise<Wire<StagedFile>> {
  const started = performance.now();
  try {
    const actor = desk.session;
    authorize(actor, STAGE_ACCESS);
    if (typeof name !== 'string' || name.length === 0 || name.length > 1024)
      throw DeskError.keyed('VALIDATION', 'file.badName');
    const opened = await openOutsideProfile(path, desk.profileDir);
    if (opened === 'refused') {
      desk.log.log('warn', 'staging refused a path', { absolute: typeof path === 'string' && path.length > 0 });
      throw DeskError.keyed('FILE_UNREADABLE', 'file.unreadablePick', { name });
    }
    if (opened === 'unreadable') throw DeskError.keyed('FILE_UNREADABLE', 'file.unreadable', { name });
    const staged = await desk.attachments.stage(actor, opened.createReadStream(), name);
    desk.log.log('debug', 'ipc', { channel: 'stage', user: actor.id, bytes: staged.size, ms: Math.round(performance.now() - started) });
    return { ok: true, value: staged };
  } catch (err) {
    return toWireError(err, desk.log, { channel: 'stage', user: desk.session?.id ?? null });
  }
}

const sameFile = (a: Stats, b: Stats) => a.dev === b.dev && a.ino === b.ino;

/**
 * Opens `path` for staging when it is a regular file outside the profile; 'refused' when it is (or
 * leads) inside the profile or is not acceptable as a path at all, 'unreadable' when it is missing, a
 * folder or not readable.
 */
export async function openOutsideProfile(path: unknown, profileDir: string): Promise<FileHandle | 'refused' | 'unreadable'> {
  if (!isStageablePath(path, profileDir)) return 'refused';
  let real: string;
  try {
    real = await fsp.realpath(path);
  } catch {
    return 'unreadable';
  }
  const realProfile = await fsp.realpath(profileDir).catch(() => profileDir);
  if (!isStageablePath(real, realProfile) || !isStageablePath(real, profileDir)) return 'refused';
  let fh: FileHandle;
  try {
    // O_NOFOLLOW: the last component was resolved above; a link put there since is not followed.
    fh = await fsp.open(real, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch {
    return 'unreadable';
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) {
      await fh.close();
      return 'unreadable';
    }
    // Still the file whose path was checked, and not a hard link to one of the profile's own files.
    const checked = await fsp.stat(real).catch(() => null);
    if (!checked || !sameFile(st, checked) || (st.nlink > 1 && (await linksIntoProfile(st, realProfile)))) {
      await fh.close();
      return 'refused';
    }
    return fh;
  } catch (err) {
    await fh.close();
    throw err;
  }
}

/** Whether `st` is one of the files at the top of the profile or in its logs (hard links share an inode). */
async function linksIntoProfile(st: Stats, profileDir: string): Promise<boolean> {
  for (const dir of [profileDir, join(profileDir, 'logs')]) {
    const names = await fsp.readdir(dir).catch(() => [] as string[]);
    for (const n of names) {
      const other = await fsp.lstat(join(dir, n)).catch(() => null);
      if (other?.isFile() && sameFile(st, other)) return true;
    }
  }
  return false;
}
