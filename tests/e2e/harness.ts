// E2E harness: the real renderer (dist/renderer, built beforehand) on a real Desk profile.
// - Chromium (default): a Desk on the profile directory, the development host serving the renderer
//   and answering the contract over loopback, and Debian's Chromium driven by playwright-core.
// - Electron (when ELECTRON_OVERRIDE_DIST_PATH is set): the built main process (package.json "main",
//   dist/main/app.cjs) launched with playwright-core's _electron on the same profile directory.
// Every session records console errors, page errors and CSP violations, and screenshots go to
// test-results/e2e/.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { _electron, chromium, type Locator, type Page } from 'playwright-core';
import { Desk } from '../../main/core/desk';
import { startDevHost } from '../../main/devhost/server';

export const RENDERER_DIR = resolve('dist/renderer');
export const RESULTS_DIR = resolve('test-results/e2e');
export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--no-first-run',
];
/** Folder holding the Electron binary; when set, the specs run in Electron instead of Chromium. */
export const ELECTRON_DIST = process.env.ELECTRON_OVERRIDE_DIST_PATH || undefined;
export const VIEWPORT = { width: 1440, height: 900 };

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
  close(): Promise<void>;
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

/** Chromium on the development host, serving dist/renderer for a Desk on `profileDir`. */
export async function openChromium(profileDir: string): Promise<AppSession> {
  assertBuilt();
  const desk = await Desk.open({ profileDir });
  const host = await startDevHost({ desk, rendererDir: RENDERER_DIR });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext({ viewport: VIEWPORT, locale: 'vi-VN' });
    await context.addInitScript(reportCspViolations, CSP_PREFIX);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const problems = watch(page);
    await page.goto(host.launchUrl);
    return {
      variant: 'chromium',
      page,
      problems,
      async close() {
        await browser.close();
        await host.close();
        desk.close();
      },
    };
  } catch (err) {
    await browser.close();
    await host.close();
    desk.close();
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
export async function openElectron(profileDir: string): Promise<AppSession> {
  assertBuilt();
  const main = mainEntry();
  if (!existsSync(main)) throw new Error(`${main} does not exist: run npm run build first.`);
  const app = await _electron.launch({
    executablePath: electronBinary(ELECTRON_DIST!),
    args: [main],
    env: { ...process.env, SECUREDESK_PROFILE: profileDir },
  });
  try {
    await app.context().addInitScript(reportCspViolations, CSP_PREFIX);
    const page = await app.firstWindow();
    page.setDefaultTimeout(15_000);
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

export const openApp = (profileDir: string): Promise<AppSession> =>
  ELECTRON_DIST ? openElectron(profileDir) : openChromium(profileDir);

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** Waits until the locator is visible and its text contains `text` (or matches the pattern). */
export async function expectText(locator: Locator, text: string | RegExp, timeout = 10_000): Promise<string> {
  await locator.first().waitFor({ state: 'visible', timeout });
  const deadline = Date.now() + timeout;
  let last = '';
  for (;;) {
    last = (await locator.first().textContent()) ?? '';
    if (typeof text === 'string' ? last.includes(text) : text.test(last)) return last;
    if (Date.now() > deadline) throw new Error(`expected ${String(text)} in ${locator.toString()}, got: ${JSON.stringify(last.slice(0, 400))}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until `check` stops throwing. */
export async function eventually<T>(check: () => Promise<T>, timeout = 10_000): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
