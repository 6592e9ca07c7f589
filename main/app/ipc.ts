// The IPC wiring: every handler behind VS Code's sender check.
//   `${IPC_PREFIX}invoke` (channel, input) -> the contract router (validate, authorize, handle, log)
//   `${IPC_PREFIX}stage`  (path, name)     -> stream a user-chosen file into staging (stage.ts)
//   `${IPC_PREFIX}pickFiles` ()            -> main's own file picker, the chosen files staged (filePicker.ts)
//   `${IPC_PREFIX}printers` ()             -> the printers a printout may go to (outputs.ts)
//   `${IPC_PREFIX}printOutput` ({ticket, printer}) -> a print run printed silently on that printer
//   `${IPC_PREFIX}saveOutput` ({ticket})   -> main's save dialog, policy on the folder, the file written
// and one way back: `${IPC_PREFIX}event` (events.ts), sent by main.ts to our window only.
// A message counts only when it comes from the main frame of our own window showing
// app://securedesk; anything else is logged and refused with a Wire error, never thrown.
import type { BrowserWindow, IpcMainInvokeEvent } from 'electron';
import { dialog, ipcMain } from 'electron';
import { IPC_PREFIX, type Wire } from '../../common/contract';
import type { Desk } from '../core/desk';
import type { Logger } from '../core/log';
import type { SessionGuard } from '../core/session/guard';
import type { Router } from '../ipc/router';
import { isTrustedSender } from './policy';
import { pickAndStage } from './filePicker';
import { listPrinters, printOutput, saveOutput, type PrintDeps, type SaveDeps } from './outputs';
import { stageFromPath, toWireError } from './stage';

export const INVOKE_CHANNEL = `${IPC_PREFIX}invoke`;
export const STAGE_CHANNEL = `${IPC_PREFIX}stage`;
export const PICK_FILES_CHANNEL = `${IPC_PREFIX}pickFiles`;
export const PRINTERS_CHANNEL = `${IPC_PREFIX}printers`;
export const PRINT_OUTPUT_CHANNEL = `${IPC_PREFIX}printOutput`;
export const SAVE_OUTPUT_CHANNEL = `${IPC_PREFIX}saveOutput`;

export interface IpcOptions {
  router: Router;
  desk: Desk;
  /** An upload is activity too: it keeps the idle lock away like any contract call. */
  guard: Pick<SessionGuard, 'touch'>;
  log: Logger;
  /** The window whose main frame may talk to us; null while there is none. */
  window: () => BrowserWindow | null;
  /** Printing and saving printouts (Electron parts made in main.ts). */
  outputs: { print: PrintDeps; save: SaveDeps };
}

const REFUSED: Wire<never> = { ok: false, error: { code: 'FORBIDDEN', message: 'Yêu cầu không hợp lệ.' } };

function trusted(event: IpcMainInvokeEvent, opts: IpcOptions, channel: string): boolean {
  const win = opts.window();
  const frame = event.senderFrame;
  let frameUrl: string | null = null;
  let isMainFrame = false;
  try {
    // A frame that navigated away or was destroyed throws on access or is null.
    if (frame) {
      frameUrl = frame.url;
      const main = event.sender.mainFrame;
      isMainFrame = frame.parent === null && frame.processId === main.processId && frame.routingId === main.routingId;
    }
  } catch {
    frameUrl = null;
  }
  const ok = isTrustedSender({
    senderId: event.sender.id,
    windowId: win && !win.isDestroyed() ? win.webContents.id : null,
    isMainFrame,
    frameUrl,
  });
  if (!ok) opts.log.log('warn', 'ipc message from an untrusted sender refused', { channel, url: frameUrl?.slice(0, 200) ?? null, isMainFrame });
  return ok;
}

export function wireIpc(opts: IpcOptions): () => void {
  ipcMain.handle(INVOKE_CHANNEL, async (event, channel: unknown, input: unknown) => {
    if (!trusted(event, opts, INVOKE_CHANNEL)) return REFUSED;
    try {
      return await opts.router(channel, input);
    } catch (err) {
      // The router catches everything itself; this is the belt to its braces.
      return toWireError(err, opts.log, { channel: typeof channel === 'string' ? channel.slice(0, 80) : null });
    }
  });
  ipcMain.handle(STAGE_CHANNEL, async (event, path: unknown, name: unknown) => {
    if (!trusted(event, opts, STAGE_CHANNEL)) return REFUSED;
    if (opts.desk.session) opts.guard.touch();
    return stageFromPath(opts.desk, path, name);
  });
  ipcMain.handle(PICK_FILES_CHANNEL, async (event) => {
    if (!trusted(event, opts, PICK_FILES_CHANNEL)) return REFUSED;
    const win = opts.window();
    if (!win || win.isDestroyed()) return REFUSED;
    if (opts.desk.session) opts.guard.touch();
    // Modal to our window; the picked paths stay in main.
    return pickAndStage(opts.desk, (options) => dialog.showOpenDialog(win, options));
  });
  ipcMain.handle(PRINTERS_CHANNEL, async (event) => {
    if (!trusted(event, opts, PRINTERS_CHANNEL)) return REFUSED;
    return listPrinters(opts.desk, opts.outputs.print, opts.log);
  });
  ipcMain.handle(PRINT_OUTPUT_CHANNEL, async (event, input: unknown) => {
    if (!trusted(event, opts, PRINT_OUTPUT_CHANNEL)) return REFUSED;
    if (opts.desk.session) opts.guard.touch();
    return printOutput(opts.desk, opts.outputs.print, input, opts.log);
  });
  ipcMain.handle(SAVE_OUTPUT_CHANNEL, async (event, input: unknown) => {
    if (!trusted(event, opts, SAVE_OUTPUT_CHANNEL)) return REFUSED;
    if (opts.desk.session) opts.guard.touch();
    return saveOutput(opts.desk, opts.outputs.save, input, opts.log);
  });
  return () => {
    for (const c of [PRINTERS_CHANNEL, PRINT_OUTPUT_CHANNEL, SAVE_OUTPUT_CHANNEL]) ipcMain.removeHandler(c);
    ipcMain.removeHandler(INVOKE_CHANNEL);
    ipcMain.removeHandler(STAGE_CHANNEL);
    ipcMain.removeHandler(PICK_FILES_CHANNEL);
  };
}
