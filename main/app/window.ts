// The one application window: sandboxed, isolated, no Node, loaded from app://securedesk.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow } from 'electron';
import type { Logger } from '../core/log';
import { APP_ENTRY_URL } from './policy';

export interface WindowOptions {
  /** dist/preload/index.cjs */
  preloadPath: string;
  log: Logger;
}

/**
 * What every window of ours runs with: sandboxed, isolated, no Node, no webviews, nothing insecure.
 * The main window adds its preload; the print window (printWindow.ts) has none.
 */
export const HARDENED_WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false,
  spellcheck: false,
  enableWebSQL: false,
  navigateOnDragDrop: false,
  safeDialogs: true,
} as const;

export function createMainWindow(opts: WindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    title: 'SecureDesk',
    width: 1366,
    height: 860,
    minWidth: 1024,
    minHeight: 640,
    show: false,
    backgroundColor: '#ffffff',
    webPreferences: { ...HARDENED_WEB_PREFERENCES, preload: opts.preloadPath, devTools: !app.isPackaged },
  });
  // Windows: the window shows black in screenshots, screen recorders and remote-desktop capture.
  win.setContentProtection(true);
  win.once('ready-to-show', () => win.show());
  win.webContents.on('render-process-gone', (_e, details) => {
    opts.log.log('error', 'renderer process gone', { reason: details.reason, exitCode: details.exitCode });
  });
  win.webContents.on('preload-error', (_e, _path, error) => {
    opts.log.log('error', 'preload failed', { error: error.stack ?? String(error) });
  });
  void win.loadURL(APP_ENTRY_URL).catch((err: unknown) => {
    opts.log.log('error', 'window failed to load the application', { error: (err as Error).stack ?? String(err) });
  });
  return win;
}

/** Directory of the main bundle, whether the build emits it as CommonJS or as an ES module. */
export function mainBundleDir(): string {
  return typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url));
}

/**
 * Where the build puts the pieces, relative to the main bundle (dist/main/app.cjs):
 * dist/renderer/ and dist/preload/index.cjs.
 */
export function bundlePaths(mainDir: string = mainBundleDir()): { rendererRoot: string; preloadPath: string } {
  return {
    rendererRoot: join(mainDir, '..', 'renderer'),
    preloadPath: join(mainDir, '..', 'preload', 'index.cjs'),
  };
}
