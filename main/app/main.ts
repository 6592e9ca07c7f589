// Electron entry (bundled to dist/main/app.cjs). Lifecycle only: the work is in the modules beside it.
//   before ready: sandbox every renderer, single-instance lock, privileged app:// scheme, guards on
//                 every future webContents;
//   on ready:     open the Desk, router, protocols, session hardening, IPC, window, menu;
//   on quit:      close the Desk.
import { join } from 'node:path';
import { app, dialog, Menu, session, type BrowserWindow } from 'electron';
import { Desk } from '../core/desk';
import { fileLogger, type Logger } from '../core/log';
import { createRouter } from '../ipc/router';
import { guardAllWebContents, hardenSession } from './hardening';
import { wireIpc } from './ipc';
import { buildAppMenu } from './menu';
import { APP_ORIGIN, profileDirFrom } from './policy';
import { installProtocols, registerAppScheme } from './protocol';
import { bundlePaths, createMainWindow } from './window';

app.enableSandbox();

// SECUREDESK_PROFILE (tests, demos) gets a throw-away Chromium profile beside it, so parallel test
// runs neither share a lock nor cache; the real profile lives under %APPDATA%\SecureDesk.
const profileDir = profileDirFrom(process.env, app.getPath('userData'));
if (process.env.SECUREDESK_PROFILE?.trim()) app.setPath('userData', join(profileDir, 'chromium'));

const log: Logger = fileLogger(join(app.getPath('userData'), 'logs', 'main.log'), !app.isPackaged);

let desk: Desk | null = null;
let mainWindow: BrowserWindow | null = null;
const currentWindow = () => (mainWindow && !mainWindow.isDestroyed() ? mainWindow : null);

if (!app.requestSingleInstanceLock()) {
  // Another SecureDesk runs on this profile: it gets focused (second-instance) and we leave.
  app.quit();
} else {
  registerAppScheme();
  guardAllWebContents(log);

  app.on('second-instance', () => {
    const win = currentWindow();
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  });

  app.on('window-all-closed', () => app.quit());

  app.on('will-quit', () => {
    if (!desk) return;
    try {
      desk.logout(); // the session's end is audited like any other sign-out
      desk.close();
    } catch (err) {
      log.log('error', 'closing the profile failed', { error: (err as Error).stack ?? String(err) });
    }
    desk = null;
  });

  // Monitor only: logging must not change Electron's own handling of a crash in main.
  process.on('uncaughtExceptionMonitor', (err) => log.log('error', 'uncaught exception in main', { error: err.stack ?? String(err) }));
  process.on('unhandledRejection', (err) => log.log('error', 'unhandled rejection in main', { error: (err as Error)?.stack ?? String(err) }));

  app.whenReady().then(start, fatal).catch(fatal);
}

async function start(): Promise<void> {
  const dev = !app.isPackaged;
  log.log('info', 'starting', { version: app.getVersion(), packaged: app.isPackaged, profileFromEnv: Boolean(process.env.SECUREDESK_PROFILE) });
  const opened = await Desk.open({ profileDir, logger: log });
  desk = opened;

  const router = createRouter({ desk: opened, attachmentUrl: (ticket) => `${APP_ORIGIN}/blob/${ticket}` });
  const { rendererRoot, preloadPath } = bundlePaths();

  hardenSession(session.defaultSession, log, dev);
  installProtocols({ session: session.defaultSession, rendererRoot, tickets: () => desk, log });
  wireIpc({ router, desk: opened, log, window: currentWindow });

  Menu.setApplicationMenu(buildAppMenu(currentWindow));
  mainWindow = createMainWindow({ preloadPath, log });
  mainWindow.on('closed', () => {
    mainWindow = null;
  });
}

function fatal(err: unknown): void {
  log.log('error', 'startup failed', { error: (err as Error)?.stack ?? String(err) });
  dialog.showErrorBox(
    'SecureDesk không khởi động được',
    'Không mở được hồ sơ làm việc của máy trạm. Chi tiết đã được ghi vào nhật ký; hãy báo quản trị hệ thống.',
  );
  app.exit(1);
}
