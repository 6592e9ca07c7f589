// Staging a file the user chose, on the main side: the preload passes the file's path (from
// webUtils.getPathForFile, so the page never sees it) and its display name; main checks both,
// authorizes, and streams the file into the profile's staging area. Electron-free so it is tested
// under Node with a real Desk.
import { createReadStream, promises as fsp } from 'node:fs';
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
      throw new DeskError('VALIDATION', 'Tên tệp không hợp lệ.');
    if (!isStageablePath(path, desk.profileDir)) {
      desk.log.log('warn', 'staging refused a path', { absolute: typeof path === 'string' && path.length > 0 });
      throw new DeskError('FILE_UNREADABLE', `Không đọc được tệp "${name}". Hãy chọn một tệp trên máy hoặc trên thiết bị lưu trữ được phép.`);
    }
    let isFile = false;
    try {
      isFile = (await fsp.stat(path)).isFile();
    } catch {
      /* gone, or no permission: the same answer below */
    }
    if (!isFile) throw new DeskError('FILE_UNREADABLE', `Không đọc được tệp "${name}".`);
    const staged = await desk.attachments.stage(actor, createReadStream(path), name);
    desk.log.log('debug', 'ipc', { channel: 'stage', user: actor.id, bytes: staged.size, ms: Math.round(performance.now() - started) });
    return { ok: true, value: staged };
  } catch (err) {
    return toWireError(err, desk.log, { channel: 'stage', user: desk.session?.id ?? null });
  }
}
