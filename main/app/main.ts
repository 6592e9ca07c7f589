// Electron entry (bundled to dist/main/app.cjs). Lifecycle only: the work is in the modules beside it.
//   before ready: sandbox every renderer, single-instance lock, privileged app:// scheme, guards on
//                 every future webContents;
//   on ready:     machine configuration, the Desk (locked), the token bridge in a utility process,
//                 the token service and the session guard, router, protocols, session hardening,
//                 IPC, window, menu; every lock is pushed to the window;
//   on quit:      the guard locks the profile, closes the Desk and ends the bridge.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { app, dialog, Menu, powerMonitor, session, type BrowserWindow } from 'electron';
import { TokenBridge } from '../../native/bridge/client';
import { discoverModules, type DiscoveryResult } from '../../native/modules/discovery';
import { machineRevocationLists } from '../../native/modules/machineConfig';
import { pemToDer } from '../core/crypto';
import { Desk } from '../core/desk';
import { fileLogger, type Logger } from '../core/log';
import { SessionGuard } from '../core/session/guard';
import { TokenService } from '../core/session/tokens';
import { createRouter } from '../ipc/router';
import { attachAgencySync, type AgencySyncHandle } from '../core/sync/agencySync';
import { EVENT_CHANNEL, lockEvent, pushIdleEvents } from './events';
import { guardAllWebContents, hardenSession } from './hardening';
import { wireIpc } from './ipc';
import { buildAppMenu } from './menu';
import { APP_ORIGIN, profileDirFrom } from './policy';
import { installProtocols, registerAppScheme } from './protocol';
import { utilitySpawner } from './tokenBridge';
import { bundlePaths, createMainWindow } from './window';
import { listPrintersOf, printTicketSilently } from './printWindow';
import { realpath } from 'node:fs/promises';

const DEFAULT_IDLE_MINUTES = 10;

app.enableSandbox();

// SECUREDESK_PROFILE (tests, demos) gets a throw-away Chromium profile beside it, so parallel test
// runs neither share a lock nor cache; the real profile lives under %APPDATA%\SecureDesk.
const profileDir = profileDirFrom(process.env, app.getPath('userData'));
if (process.env.SECUREDESK_PROFILE?.trim()) app.setPath('userData', join(profileDir, 'chromium'));

const log: Logger = fileLogger(join(app.getPath('userData'), 'logs', 'main.log'), !app.isPackaged);

let desk: Desk | null = null;
let guard: SessionGuard | null = null;
/** The agency server's sync: closed first on quit (an outstanding long poll is cancelled). */
let agencySync: AgencySyncHandle | null = null;
let closed = false;
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

  // The guard locks the profile (the data key is forgotten), closes the Desk and ends the token
  // bridge; quitting waits for it once.
  app.on('will-quit', (event) => {
    if (closed || (!guard && !desk)) return;
    event.preventDefault();
    const g = guard;
    const d = desk;
    agencySync?.close();
    agencySync = null;
    guard = null;
    desk = null;
    void (async () => {
      try {
        if (g) await g.close();
        else d?.close();
      } catch (err) {
        log.log('error', 'closing the profile failed', { error: (err as Error).stack ?? String(err) });
      }
      closed = true;
      app.quit();
    })();
  });

  // Monitor only: logging must not change Electron's own handling of a crash in main.
  process.on('uncaughtExceptionMonitor', (err) => log.log('error', 'uncaught exception in main', { error: err.stack ?? String(err) }));
  process.on('unhandledRejection', (err) => log.log('error', 'unhandled rejection in main', { error: (err as Error)?.stack ?? String(err) }));

  app.whenReady().then(start, fatal).catch(fatal);
}

/** machine.json and the drivers it names (or the well-known ones); a broken file is logged, not fatal. */
async function discover(): Promise<DiscoveryResult | null> {
  try {
    const found = await discoverModules();
    for (const s of found.skipped) log.log('warn', 'configured token driver skipped', s);
    return found;
  } catch (err) {
    log.log('error', 'machine configuration unusable; no token driver offered', { error: (err as Error).message });
    return null;
  }
}

/** The organisation's recovery certificate (machine.json recoveryCertificate, PEM). */
async function recoveryCertificates(path: string | undefined): Promise<Uint8Array[]> {
  if (!path) return [];
  try {
    return pemToDer(await readFile(path, 'utf8')).slice(0, 1);
  } catch (err) {
    log.log('error', 'recovery certificate unreadable; the keyring is written without it', { path, error: (err as Error).message });
    return [];
  }
}

/** The roots signatures must chain to (machine.json trustAnchors, PEM files). */
async function trustAnchors(paths: readonly string[] | undefined): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const path of paths ?? []) {
    try {
      out.push(...pemToDer(await readFile(path, 'utf8')));
    } catch (err) {
      log.log('error', 'trust anchor unreadable; signatures chaining to it will show as invalid', { path, error: (err as Error).message });
    }
  }
  if (out.length === 0) log.log('warn', 'no trust anchors configured: every signature will show as invalid (chain)');
  return out;
}

async function start(): Promise<void> {
  const dev = !app.isPackaged;
  log.log('info', 'starting', { version: app.getVersion(), packaged: app.isPackaged, profileFromEnv: Boolean(process.env.SECUREDESK_PROFILE) });
  const machine = await discover();
  const opened = await Desk.open({
    profileDir,
    logger: log,
    recoveryCertificates: await recoveryCertificates(machine?.config?.recoveryCertificate),
    trustAnchors: await trustAnchors(machine?.config?.trustAnchors),
    // Read at each verification: a CRL IT copies into the crl folder counts without a restart.
    revocationLists: async () => {
      const r = await machineRevocationLists(machine?.configPath);
      if (r.problems.length) log.log('warn', 'CRL sources unreadable', { problems: r.problems });
      return r.files;
    },
  });
  desk = opened;
  // Scanned files are read by OCR in the background while someone is signed in (main/core/ocr).
  opened.ocr.autoStart = true;

  // Vendor drivers run in their own process; the list is re-read on every directory request, so a
  // driver installed while the app runs appears on "Làm mới".
  const bridge = new TokenBridge({ spawn: utilitySpawner() });
  bridge.on('stderr', (text) => log.log('warn', 'token bridge stderr', { text: text.slice(0, 500) }));
  const tokens = new TokenService(bridge, async () => ((await discover())?.modules ?? []).map((m) => m.path));
  const idleMinutes = machine?.config?.idleLockMinutes ?? DEFAULT_IDLE_MINUTES;
  const sessionGuard = new SessionGuard(opened, tokens, { idleMs: idleMinutes * 60_000 });
  guard = sessionGuard;
  // Every lock (token pulled, idle, bridge lost, the person's own) reaches the window at once, so
  // it drops every document it shows.
  sessionGuard.on('locked', (reason) => {
    log.log('info', 'session locked', { reason });
    currentWindow()?.webContents.send(EVENT_CHANNEL, lockEvent(reason, sessionGuard));
  });
  // The idle lock is announced ahead, so the window can warn the person and keep their draft.
  pushIdleEvents(sessionGuard, (event) => currentWindow()?.webContents.send(EVENT_CHANNEL, event));
  // Long work (a compartment's re-key) is shown while the person waits for it.
  opened.onWork((event) => currentWindow()?.webContents.send(EVENT_CHANNEL, event));
  // Locking the computer or suspending it locks the profile too.
  powerMonitor.on('lock-screen', () => guard?.lock('manual'));
  powerMonitor.on('suspend', () => guard?.lock('manual'));

  // The agency server's sync (machine.json agencyServer): started at each sign-in, stopped at each lock.
  const agency = machine?.config?.agencyServer;
  const sync = attachAgencySync(opened, sessionGuard, agency ? { url: agency.url, caPem: await readFile(agency.ca, 'utf8') } : null, log);
  agencySync = sync;
  const router = createRouter({
    desk: opened, guard: sessionGuard, attachmentUrl: (ticket) => `${APP_ORIGIN}/blob/${ticket}`, sync,
    // The audit package goes into a new folder inside the one the administrator picks.
    auditExportDir: async () => {
      const options = { title: 'Chọn thư mục lưu gói kiểm tra nhật ký', properties: ['openDirectory' as const, 'createDirectory' as const] };
      const win = currentWindow();
      const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      if (r.canceled || !r.filePaths[0]) return null;
      return join(r.filePaths[0], `securedesk-audit-${new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`);
    },
  });
  const { rendererRoot, preloadPath } = bundlePaths();

  hardenSession(session.defaultSession, log, dev);
  installProtocols({ session: session.defaultSession, rendererRoot, tickets: () => desk, log });
  const outputs = {
    print: {
      printers: () => listPrintersOf(currentWindow()),
      printTicket: (ticket: string, printer: string) => printTicketSilently(ticket, printer, log),
    },
    save: {
      choosePath: async (name: string, folder: string | null) => {
        const options = { title: 'Lưu bản sao', defaultPath: join(folder ?? app.getPath('documents'), name), properties: ['createDirectory' as const, 'showOverwriteConfirmation' as const] };
        const win = currentWindow();
        const r = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
        return r.canceled || !r.filePath ? null : r.filePath;
      },
      // Real paths, read at each save; an unreachable folder (an unplugged volume) drops out.
      allowedFolders: async () => {
        const out: string[] = [];
        for (const f of machine?.config?.outputFolders ?? []) {
          try {
            out.push(await realpath(f));
          } catch {
            log.log('warn', 'configured output folder unreachable', { folder: f });
          }
        }
        return out;
      },
    },
  };
  wireIpc({ router, desk: opened, guard: sessionGuard, log, window: currentWindow, outputs });

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
    'Không mở được dữ liệu máy trạm. Chi tiết đã được ghi vào nhật ký; hãy báo quản trị hệ thống.',
  );
  app.exit(1);
}
