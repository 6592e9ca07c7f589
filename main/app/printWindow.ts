// The Electron half of printing (outputs.ts decides; this draws and prints). A hidden window of its
// own, sandboxed, isolated, without preload (it cannot talk to main), loads the app's print page for
// the ticket (renderer features/print/PrintView.tsx), which fetches the printout once over app:// and
// draws its pages; once the page says it is ready, main prints it silently on the chosen printer and
// closes the window. The window is covered by the same guards as every webContents (hardening.ts).
import { BrowserWindow } from 'electron';
import type { Logger } from '../core/log';
import type { PrinterInfo, PrintOutcome } from './outputs';
import { APP_ENTRY_URL } from './policy';
import { HARDENED_WEB_PREFERENCES } from './window';

const READY_TIMEOUT_MS = 120_000;

export async function listPrintersOf(win: BrowserWindow | null): Promise<PrinterInfo[]> {
  if (!win || win.isDestroyed()) return [];
  const list = await win.webContents.getPrintersAsync();
  return list.map((p) => ({ name: p.name, displayName: p.displayName || p.name, isDefault: Boolean((p as { isDefault?: boolean }).isDefault) }));
}

async function waitReady(win: BrowserWindow): Promise<'ready' | 'error'> {
  const until = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < until) {
    if (win.isDestroyed()) return 'error';
    const state = (await win.webContents.executeJavaScript('document.documentElement.dataset.printState || ""', false)) as string;
    if (state === 'ready' || state === 'error') return state;
    await new Promise((r) => setTimeout(r, 100));
  }
  return 'error';
}

export async function printTicketSilently(ticket: string, printer: string, log: Logger): Promise<PrintOutcome> {
  const win = new BrowserWindow({
    show: false,
    width: 800,
    height: 1100,
    // The same hardening as the main window, without a preload: the page cannot talk to main.
    webPreferences: { ...HARDENED_WEB_PREFERENCES, devTools: false },
  });
  win.setContentProtection(true);
  try {
    await win.loadURL(`${APP_ENTRY_URL}#/print/${ticket}`);
    const state = await waitReady(win);
    if (state !== 'ready') return { ok: false, reason: 'the printout could not be drawn' };
    return await new Promise<PrintOutcome>((resolve) => {
      win.webContents.print(
        { silent: true, deviceName: printer, printBackground: true, copies: 1, margins: { marginType: 'none' } },
        (success, failureReason) => resolve(success ? { ok: true } : { ok: false, reason: failureReason || 'failed' }),
      );
    });
  } catch (err) {
    log.log('error', 'printing failed', { error: (err as Error).message });
    return { ok: false, reason: 'failed' };
  } finally {
    if (!win.isDestroyed()) win.destroy();
  }
}
