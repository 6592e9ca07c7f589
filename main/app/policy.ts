// The security decisions of the Electron layer as pure functions: which URL the window may navigate
// to, which request may leave the renderer, which file a protocol path maps to, which IPC sender
// is ours. Electron-free on purpose (no 'electron' import): the unit tests run it under plain Node,
// and the Electron modules beside it only translate events into calls of these functions.
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';

export const APP_SCHEME = 'app';
export const APP_HOST = 'securedesk';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** Every app URL starts with this; a prefix test on it is safe because it ends with the slash. */
export const APP_ROOT_URL = `${APP_ORIGIN}/`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;
export const BLOB_PREFIX = '/blob/';

/** Viewer tickets are 16 random bytes in lower-case hex (Desk.openAttachment). */
const TICKET = /^[0-9a-f]{32}$/;

/** The URL's parts when it is on app://securedesk with nothing unusual in it; null otherwise. */
export function parseAppUrl(url: string): URL | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return null;
  if (u.username !== '' || u.password !== '' || u.port !== '') return null;
  return u;
}

export const isAppUrl = (url: string): boolean => parseAppUrl(url) !== null;

/**
 * Where a frame may navigate: only our own pages. Attachments (/blob/) are fetched by the viewer,
 * never navigated to, so a document can never replace the application or run as a page.
 */
export function isAllowedNavigation(url: string): boolean {
  const u = parseAppUrl(url);
  return u !== null && !u.pathname.startsWith(BLOB_PREFIX);
}

export type RequestKind =
  | 'mainFrame' | 'subFrame' | 'stylesheet' | 'script' | 'image' | 'font' | 'object' | 'xhr' | 'ping'
  | 'cspReport' | 'media' | 'webSocket' | 'other';

/**
 * Which requests may leave a renderer (session.webRequest.onBeforeRequest). Everything the app
 * needs is on app://securedesk; the DevTools front end (devtools://) only in development. `data:`
 * images and fonts and same-origin `blob:` object URLs never reach the network; they are let through
 * for sub-resources only (the CSP decides which), never as a page. Anything else (http, https, ws,
 * wss, ftp, file, chrome, other app:// hosts …) is cancelled: an air-gapped client talks to its
 * exchange server from Node, never from a page.
 */
export function isAllowedRequest(url: string, kind: RequestKind, dev: boolean): boolean {
  if (isAppUrl(url)) return kind === 'mainFrame' || kind === 'subFrame' ? isAllowedNavigation(url) : true;
  const scheme = schemeOf(url);
  if (scheme === 'devtools:') return dev;
  const navigation = kind === 'mainFrame' || kind === 'subFrame';
  if (navigation) return false;
  if (scheme === 'data:') return kind === 'image' || kind === 'font';
  if (scheme === 'blob:') return url.slice('blob:'.length).startsWith(APP_ROOT_URL);
  return false;
}

function schemeOf(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*):/i.exec(url);
  return m ? `${m[1]!.toLowerCase()}:` : '';
}

/**
 * Maps the raw (still percent-encoded) path of an app:// URL to a file under `root`, or null when it
 * must be refused. Chromium already normalises `..` and `%2e%2e` in standard-scheme URLs before the
 * handler sees them; this is the second line, which does not rely on that. Refused: any `.` or `..`
 * segment (plain or encoded), backslashes (plain or encoded), NUL, colons (drive letters, NTFS
 * alternate streams), `%` left after decoding (double encoding), malformed escapes, and anything that
 * does not resolve strictly inside `root`. `/` serves index.html.
 */
export function resolveAppPath(root: string, urlPath: string): string | null {
  if (typeof urlPath !== 'string' || !urlPath.startsWith('/') || urlPath.startsWith('//')) return null;
  if (/%5c|%00|%2f/i.test(urlPath)) return null; // encoded \ , NUL or / hides a separator
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  // eslint-disable-next-line no-control-regex
  if (/[\\:%\u0000-\u001f\u007f]/.test(decoded)) return null;
  const rel = decoded === '/' ? 'index.html' : decoded.slice(1);
  const segments = rel.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..' || s.endsWith('.') || s.endsWith(' '))) return null;
  if (isAbsolute(rel)) return null;
  const base = resolve(root);
  const full = resolve(base, ...segments);
  if (!full.startsWith(base + sep)) return null;
  const back = relative(base, full);
  if (back === '' || back.startsWith('..') || isAbsolute(back)) return null;
  return full;
}

/** The ticket of `/blob/<32 hex>`; undefined for anything else. */
export function blobTicket(urlPath: string): string | undefined {
  if (!urlPath.startsWith(BLOB_PREFIX)) return undefined;
  const t = urlPath.slice(BLOB_PREFIX.length);
  return TICKET.test(t) ? t : undefined;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  // pdf.js ships its worker as .mjs; module workers are refused under nosniff unless it is JavaScript.
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
  // pdf.js binary CMaps and standard fonts
  '.bcmap': 'application/octet-stream',
  '.pfb': 'application/octet-stream',
};

/** Content-Type of a packaged renderer file, by extension; unknown types are opaque bytes. */
export function mimeForPath(path: string): string {
  return MIME[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Content-Type an attachment may be served with. Only types the viewer displays and that cannot
 * carry script pass through; HTML, SVG, XML and everything else go out as opaque bytes (with
 * nosniff), so a user-supplied file can never become active content in our origin.
 */
const SAFE_BLOB_TYPES = new Set(['application/pdf', 'image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp', 'image/tiff', 'text/plain']);
export function safeBlobMime(mime: string): string {
  const base = mime.split(';')[0]!.trim().toLowerCase();
  if (!SAFE_BLOB_TYPES.has(base)) return 'application/octet-stream';
  return base === 'text/plain' ? 'text/plain; charset=utf-8' : base;
}

/**
 * VS Code's rule for IPC: a message counts only when it comes from the main frame of our own window
 * showing our own origin. Subframes, other windows, DevTools and pages that navigated away are refused.
 */
export interface SenderFacts {
  /** webContents id of the sender, and of our main window (null when it is gone). */
  senderId: number;
  windowId: number | null;
  /** Whether the sending frame is the top-level frame of its webContents (and a frame exists at all). */
  isMainFrame: boolean;
  frameUrl: string | null;
}
export function isTrustedSender(f: SenderFacts): boolean {
  return f.windowId !== null && f.senderId === f.windowId && f.isMainFrame && f.frameUrl !== null && isAllowedNavigation(f.frameUrl);
}

/**
 * Whether main may open `path` to stage it: an absolute local path from webUtils.getPathForFile, not
 * a Windows device or raw-volume namespace, and never inside the profile (the database, the store,
 * the keys: a compromised page must not be able to copy them into a document).
 */
export function isStageablePath(path: unknown, profileDir: string): path is string {
  if (typeof path !== 'string' || path.length === 0 || path.length > 32_767) return false;
  if (path.includes('\0')) return false;
  if (/^[\\/]{2}[.?][\\/]/.test(path)) return false; // \\.\PhysicalDrive0, \\?\GLOBALROOT\…
  if (!isAbsolute(path)) return false;
  const inProfile = relative(resolve(profileDir), resolve(path));
  if (inProfile === '' || (!inProfile.startsWith('..') && !isAbsolute(inProfile))) return false;
  return true;
}

/** The profile directory: SECUREDESK_PROFILE when set (tests, demos), else <userData>/profile. */
export function profileDirFrom(env: Record<string, string | undefined>, userData: string): string {
  const fromEnv = env.SECUREDESK_PROFILE?.trim();
  return fromEnv ? resolve(fromEnv) : resolve(userData, 'profile');
}
