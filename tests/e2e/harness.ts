// E2E harness: the real renderer (dist/renderer, built beforehand) on a real Desk profile, opened
// with real (SoftHSM) tokens.
// - Chromium (default): a Desk on the profile directory (trusting the SoftHSM test CA for
//   signatures, as a machine configuration's trustAnchors would), the token bridge (a child process that sees
//   the SoftHSM tokens through their env), the token service and the session guard, the development
//   host serving the renderer and answering the contract over loopback, and Debian's Chromium driven
//   by playwright-core.
// - Electron (when ELECTRON_OVERRIDE_DIST_PATH is set): the built main process (package.json "main",
//   dist/main/app.cjs) launched with playwright-core's _electron on the same profile directory.
// Every session records console errors, page errors and CSP violations, and screenshots go to
// test-results/e2e/.
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { _electron, chromium, type Locator, type Page } from 'playwright-core';
import { TokenBridge } from '../../native/bridge/client';
import { attachAgencySync, type AgencyServerConfig } from '../../main/core/sync/agencySync';
import { forkSpawner } from '../../native/bridge/spawn';
import { Desk } from '../../main/core/desk';
import { SessionGuard } from '../../main/core/session/guard';
import { TokenService } from '../../main/core/session/tokens';
import { startDevHost } from '../../main/devhost/server';
import type { SoftHsm } from '../fixtures/softhsm/tokens';
import { startWatchdog } from './watchdog';

export const RENDERER_DIR = resolve('dist/renderer');
/** The token bridge as built (plain JS: starts in a fraction of the time the TypeScript sources take). */
export const BRIDGE_WORKER = resolve('dist/native/bridge-worker.js');
export const RESULTS_DIR = resolve('test-results/e2e');
export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--no-first-run',
];
/** Folder holding the Electron binary; when set, the specs run in Electron instead of Chromium. */
export const ELECTRON_DIST = process.env.ELECTRON_OVERRIDE_DIST_PATH || undefined;
export const VIEWPORT = { width: 1440, height: 900 };
/**
 * How long a wait for the UI (Playwright's default, expectText's) may take before it fails. It only
 * guards a hang: the first-run setup took over 15 s at a load of 28 on two cores, and a test failed on
 * that alone. Speed belongs in the bench; an explicit, shorter timeout still applies where one is given.
 */
export const UI_WAIT_MS = 60_000;

export type Variant = 'chromium' | 'electron';

export interface Problems {
  /** console.error messages and uncaught page errors. */
  errors: string[];
  /** Content-Security-Policy violations seen by the page. */
  csp: string[];
}

export interface AppSession {
  variant: Variant;
  page: Page;
  problems: Problems;
  /** The core behind the page (Chromium variant only). */
  guard?: SessionGuard;
  /** The profile the page works on, for checks behind the app's back (Chromium variant only). */
  desk?: Desk;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** The tokens the app sees: the bridge process gets their env (SOFTHSM2_CONF). */
  hsm: SoftHsm;
  /** Idle lock (default: the guard's 10 minutes). Chromium variant only. */
  idleMs?: number;
  /**
   * Root certificates signatures must chain to, as the machine configuration gives them (default:
   * the SoftHSM test CA that issued every token certificate). Chromium variant only.
   */
  trustAnchors?: readonly Uint8Array[];
  /** The machine's recovery certificates (machine.json recoveryCertificate). Chromium variant only. */
  recoveryCertificates?: readonly Uint8Array[];
  /** The agency server (machine.json agencyServer), synced as the app does from each sign-in. Chromium variant only. */
  agencyServer?: AgencyServerConfig;
}

export function assertBuilt(): void {
  if (!existsSync(join(RENDERER_DIR, 'index.html')))
    throw new Error(`${join(RENDERER_DIR, 'index.html')} does not exist: run npm run build first (the E2E tests do not build).`);
}

const CSP_PREFIX = 'securedesk-e2e CSP violation:';

/** Reports every securitypolicyviolation event to the console, where the harness collects it. */
function reportCspViolations(prefix: string): void {
  document.addEventListener('securitypolicyviolation', (e) => {
    console.error(`${prefix} ${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`);
  });
}

function watch(page: Page): Problems {
  const problems: Problems = { errors: [], csp: [] };
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const text = m.text();
    if (text.startsWith(CSP_PREFIX) || /Content Security Policy/i.test(text)) problems.csp.push(text);
    else problems.errors.push(text);
  });
  page.on('pageerror', (e) => problems.errors.push(`uncaught: ${e.message}`));
  return problems;
}

/**
 * Chromium on the development host, serving dist/renderer for a Desk on `profileDir`. SoftHSM shows
 * a process the tokens present when it starts: each session has its own bridge process.
 */
export async function openChromium(profileDir: string, opts: OpenOptions): Promise<AppSession> {
  assertBuilt();
  startWatchdog(RESULTS_DIR, process.argv[1]?.replace(/^.*\/tests\//, 'tests/') ?? 'e2e');
  const desk = await Desk.open({
    profileDir, trustAnchors: opts.trustAnchors ?? [opts.hsm.ca.certDer],
    ...(opts.recoveryCertificates ? { recoveryCertificates: opts.recoveryCertificates } : {}),
  });
  const bridge = new TokenBridge({ env: opts.hsm.env, ...(existsSync(BRIDGE_WORKER) ? { spawn: forkSpawner(BRIDGE_WORKER) } : {}) });
  const tokens = new TokenService(bridge, async () => [opts.hsm.modulePath]);
  const guard = new SessionGuard(desk, tokens, opts.idleMs ? { idleMs: opts.idleMs } : {});
  const sync = opts.agencyServer ? attachAgencySync(desk, guard, opts.agencyServer, desk.log) : undefined;
  const host = await startDevHost({ desk, guard, rendererDir: RENDERER_DIR, ...(sync ? { sync } : {}) });
  const shutdown = async () => {
    await host.close();
    sync?.close();
    await guard.close();
  };
  // The bridge process starts and loads the driver while Chromium starts (the page asks for tokens first thing).
  const [browser] = await Promise.all([
    chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS }),
    tokens.directory().catch(() => undefined),
  ]);
  try {
    const context = await browser.newContext({ viewport: VIEWPORT, locale: 'vi-VN' });
    await context.addInitScript(reportCspViolations, CSP_PREFIX);
    const page = await context.newPage();
    page.setDefaultTimeout(UI_WAIT_MS);
    const problems = watch(page);
    await page.goto(host.launchUrl);
    return {
      variant: 'chromium',
      page,
      problems,
      guard,
      desk,
      async close() {
        await browser.close();
        await shutdown();
      },
    };
  } catch (err) {
    await browser.close();
    await shutdown();
    throw err;
  }
}

function electronBinary(dist: string): string {
  if (process.platform === 'win32') return join(dist, 'electron.exe');
  if (process.platform === 'darwin') return join(dist, 'Electron.app', 'Contents', 'MacOS', 'Electron');
  return join(dist, 'electron');
}

/** The main-process bundle Electron starts: package.json "main" (dist/main/app.cjs). */
function mainEntry(): string {
  const pkg = JSON.parse(readFileSync(resolve('package.json'), 'utf8')) as { main?: string };
  return resolve(pkg.main ?? 'dist/main/app.cjs');
}

/**
 * The built app in Electron on `profileDir`: the main process takes its profile directory from
 * SECUREDESK_PROFILE (main/app/policy.ts), so a test never touches a real profile.
 */
export async function openElectron(profileDir: string, opts: OpenOptions): Promise<AppSession> {
  assertBuilt();
  const main = mainEntry();
  if (!existsSync(main)) throw new Error(`${main} does not exist: run npm run build first.`);
  const app = await _electron.launch({
    executablePath: electronBinary(ELECTRON_DIST!),
    args: [main],
    // The app finds SoftHSM among the well-known drivers; SOFTHSM2_CONF points it at the test tokens.
    env: { ...process.env, ...opts.hsm.env, SECUREDESK_PROFILE: profileDir },
  });
  try {
    await app.context().addInitScript(reportCspViolations, CSP_PREFIX);
    const page = await app.firstWindow();
    page.setDefaultTimeout(UI_WAIT_MS);
    const problems = watch(page);
    await page.setViewportSize(VIEWPORT);
    await page.waitForLoadState('domcontentloaded');
    // The first window may have loaded before the init script was registered: listen now as well.
    await page.evaluate(reportCspViolations, CSP_PREFIX);
    return { variant: 'electron', page, problems, close: () => app.close() };
  } catch (err) {
    await app.close();
    throw err;
  }
}

export const openApp = (profileDir: string, opts: OpenOptions): Promise<AppSession> =>
  ELECTRON_DIST ? openElectron(profileDir, opts) : openChromium(profileDir, opts);

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** The two window sizes the screens are checked at. */
export const SCREEN_SIZES = [{ width: 1366, height: 768 }, { width: 1920, height: 1080 }] as const;

/**
 * A screenshot at each of SCREEN_SIZES (`name`-1366, `name`-1920), failing when a heading, label, button
 * or table header inside `root` is clipped; the page is left at 1366×768.
 */
export async function shootBothSizes(page: Page, name: string, root: string): Promise<void> {
  for (const size of SCREEN_SIZES) {
    await page.setViewportSize(size);
    await screenshot(page, `${name}-${size.width}`);
    const clipped = await page.locator(root).evaluate((el) => Array.from(el.querySelectorAll<HTMLElement>('th, button, label, h1, h2, h3'))
      .filter((x) => x.offsetParent !== null && x.scrollWidth > x.clientWidth + 1).map((x) => x.textContent ?? ''));
    if (clipped.length > 0) throw new Error(`clipped at ${size.width}: ${JSON.stringify(clipped)}`);
  }
  await page.setViewportSize(SCREEN_SIZES[0]);
}

/** Waits until the locator is visible and its text contains `text` (or matches the pattern). */
export async function expectText(locator: Locator, text: string | RegExp, timeout = UI_WAIT_MS): Promise<string> {
  try {
    await locator.first().waitFor({ state: 'visible', timeout });
  } catch (err) {
    throw await withScreen(locator.page(), err);
  }
  const deadline = Date.now() + timeout;
  let last = '';
  const state = { late: null as number | null };
  for (;;) {
    last = (await locator.first().textContent()) ?? '';
    if (typeof text === 'string' ? last.includes(text) : text.test(last)) return last;
    if (overdue(deadline, state)) {
      throw await withScreen(locator.page(), new Error(`expected ${String(text)} in ${locator.toString()}, got: ${JSON.stringify(last.slice(0, 400))}`));
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A failed wait says what the screen showed (its visible text, and a screenshot in RESULTS_DIR): a CI
 * log is all there is of a run on another machine (stop 25 failed on a lock screen nobody could see).
 */
async function withScreen(page: Page, err: unknown): Promise<Error> {
  const e = err instanceof Error ? err : new Error(String(err));
  try {
    const shown = await page.evaluate(() => document.body.innerText.replace(/\s+/g, ' ').trim());
    const shot = await screenshot(page, `failed-${Date.now()}`);
    e.message += `\n  the screen showed: ${JSON.stringify(shown.slice(0, 1200))}\n  screenshot: ${shot}`;
  } catch {
    // The page is gone (closed, crashed): the original error says enough.
  }
  return e;
}

/**
 * Past its deadline a wait still polls this long before it gives up: a pause of the whole machine (a
 * VM snapshot moved the clock 5 minutes at once in the CI of stop 25) must not turn one stale look at
 * the screen, taken the instant it resumed, into a failure.
 */
const GRACE_MS = 2_000;

/** True once `deadline` has passed and GRACE_MS more have been spent polling after it was noticed. */
function overdue(deadline: number, state: { late: number | null }): boolean {
  const now = Date.now();
  if (now <= deadline) return false;
  state.late ??= now;
  return now - state.late >= GRACE_MS;
}

/** Waits until `check` stops throwing. */
export async function eventually<T>(check: () => Promise<T>, timeout = 10_000): Promise<T> {
  const deadline = Date.now() + timeout;
  const state = { late: null as number | null };
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (overdue(deadline, state)) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Every file under `dir` (recursively) that contains one of `needles`, with which one. */
export function filesContaining(dir: string, needles: Record<string, Buffer>): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) {
        const bytes = readFileSync(path);
        for (const [name, needle] of Object.entries(needles)) if (bytes.includes(needle)) found.push(`${path}: ${name}`);
      }
    }
  };
  walk(dir);
  return found;
}

/** The text the page shows, and what it keeps in the DOM without showing. */
export const pageText = (page: Page): Promise<string> => page.evaluate(() => document.body.textContent ?? '');
