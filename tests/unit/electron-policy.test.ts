// The Electron layer's security decisions, tested under plain Node: the modules tested here must
// not import 'electron' (checked below too).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { test } from 'node:test';
import { BLOB_CSP, CSP, securityHeaders } from '../../main/app/csp';
import {
  APP_ENTRY_URL, blobTicket, isAllowedNavigation, isAllowedRequest, isAppUrl, isStageablePath, isTrustedSender,
  mimeForPath, profileDirFrom, resolveAppPath, safeBlobMime,
} from '../../main/app/policy';

const root = resolve('/srv/securedesk/dist/renderer');

test('resolveAppPath serves files inside the renderer root', () => {
  assert.equal(resolveAppPath(root, '/'), join(root, 'index.html'));
  assert.equal(resolveAppPath(root, '/index.html'), join(root, 'index.html'));
  assert.equal(resolveAppPath(root, '/assets/index-abc123.js'), join(root, 'assets', 'index-abc123.js'));
  assert.equal(resolveAppPath(root, '/assets/pdf.worker.min.mjs'), join(root, 'assets', 'pdf.worker.min.mjs'));
  assert.equal(resolveAppPath(root, '/fonts/Be%20Vietnam%20Pro.woff2'), join(root, 'fonts', 'Be Vietnam Pro.woff2'));
  assert.equal(resolveAppPath(root, '/vi/t%E1%BB%87p.txt'), join(root, 'vi', 'tệp.txt'), 'encoded UTF-8 names decode');
});

test('resolveAppPath refuses plain and encoded traversal', () => {
  const refused = [
    '/..', '/../', '/../etc/passwd', '/assets/../../etc/passwd', '/assets/..', '/./index.html', '/assets/./x.js',
    '/%2e%2e/etc/passwd', '/%2E%2E/etc/passwd', '/%2e%2e%2fetc%2fpasswd', '/assets/%2e%2e/%2e%2e/secret', '/.%2e/x', '/%2e/index.html',
    '/%252e%252e/etc/passwd', // double encoding
    '/..%5c..%5cWindows%5cwin.ini', '/%5c%5cserver%5cshare', '/assets%5C..%5C..%5Csecret', // encoded backslashes
    '/..\\..\\Windows\\win.ini', '/assets\\x.js', // raw backslashes
    '/%00', '/index.html%00.png', '/index%0a.html',
    '/%e0%a4%a', '/%', // malformed escapes
  ];
  for (const p of refused) assert.equal(resolveAppPath(root, p), null, p);
});

test('resolveAppPath refuses absolute paths, drive letters and odd names', () => {
  const refused = [
    '', 'index.html', 'etc/passwd', '//etc/passwd', '//server/share/x', '/C:/Windows/win.ini', '/C:%5cWindows', '/c%3a/windows/win.ini',
    '/index.html::$DATA', '/index.html.', '/index.html%20', '/assets//x.js', '/%2f/etc/passwd', '/%2Fetc%2Fpasswd',
  ];
  for (const p of refused) assert.equal(resolveAppPath(root, p), null, JSON.stringify(p));
});

test('whatever resolveAppPath returns is strictly inside the root', () => {
  const tries = ['/a', '/a/b/c.js', '/%61', '/x%20y', '/%c3%a9.css', '/a/b/../c', '/....', '/.../x', '/a..b'];
  for (const p of tries) {
    const r = resolveAppPath(root, p);
    if (r !== null) assert.ok(r.startsWith(root + sep), `${p} -> ${r}`);
  }
  assert.equal(resolveAppPath(root, '/a..b'), join(root, 'a..b'), '".." inside a name is only a name');
});

test('only app://securedesk pages may be navigated to', () => {
  assert.ok(isAllowedNavigation(APP_ENTRY_URL));
  assert.ok(isAllowedNavigation('app://securedesk/index.html#/incoming/42'));
  assert.ok(isAllowedNavigation('app://securedesk/'));
  for (const url of [
    'app://securedesk/blob/0123456789abcdef0123456789abcdef', // attachments are fetched, never shown as a page
    'app://evil/index.html', 'app://securedesk.evil.vn/', 'app://user@securedesk/', 'app://securedesk:8080/',
    'https://securedesk/', 'http://127.0.0.1:5173/', 'file:///C:/Windows/win.ini', 'file:///etc/passwd',
    'data:text/html,<script>alert(1)</script>', 'javascript:alert(1)', 'blob:app://securedesk/1234', 'about:blank',
    'devtools://devtools/bundled/inspector.html', 'chrome://gpu', 'ws://localhost/', 'ftp://x/', '', 'not a url',
  ])
    assert.equal(isAllowedNavigation(url), false, url);
  assert.ok(isAppUrl('app://securedesk/blob/0123456789abcdef0123456789abcdef'));
});

test('only our scheme may be requested; devtools only in development; data/blob only as sub-resources', () => {
  assert.ok(isAllowedRequest('app://securedesk/assets/app.js', 'script', false));
  assert.ok(isAllowedRequest('app://securedesk/blob/0123456789abcdef0123456789abcdef', 'xhr', false));
  assert.ok(isAllowedRequest('app://securedesk/index.html', 'mainFrame', false));
  assert.equal(isAllowedRequest('app://securedesk/blob/0123456789abcdef0123456789abcdef', 'mainFrame', false), false);
  assert.equal(isAllowedRequest('app://other/x.js', 'script', false), false);
  for (const url of ['https://example.vn/x.js', 'http://10.0.0.1/', 'ws://127.0.0.1:9229/', 'wss://x/', 'ftp://x/y', 'file:///etc/passwd', 'chrome://settings'])
    for (const kind of ['mainFrame', 'script', 'xhr', 'webSocket', 'image', 'other'] as const) assert.equal(isAllowedRequest(url, kind, true), false, `${kind} ${url}`);
  assert.equal(isAllowedRequest('devtools://devtools/bundled/inspector.html', 'mainFrame', false), false);
  assert.ok(isAllowedRequest('devtools://devtools/bundled/inspector.html', 'mainFrame', true));
  assert.ok(isAllowedRequest('data:image/png;base64,iVBORw0KGgo=', 'image', false));
  assert.ok(isAllowedRequest('data:font/woff2;base64,AAAA', 'font', false));
  assert.equal(isAllowedRequest('data:text/html,<h1>x', 'mainFrame', false), false);
  assert.equal(isAllowedRequest('data:text/javascript,alert(1)', 'script', false), false);
  assert.ok(isAllowedRequest('blob:app://securedesk/5f1c0e9e-1b2a-4c7e-9a1d-000000000000', 'image', false));
  assert.equal(isAllowedRequest('blob:https://evil.vn/5f1c', 'image', false), false);
  assert.equal(isAllowedRequest('blob:app://securedesk/5f1c', 'mainFrame', false), false);
});

test('the CSP is strict: no eval, no inline, no remote origin', () => {
  for (const csp of [CSP, BLOB_CSP]) {
    assert.doesNotMatch(csp, /unsafe-eval|unsafe-inline|unsafe-hashes|strict-dynamic|wasm-unsafe-eval/);
    assert.doesNotMatch(csp, /https?:|wss?:|\*/, 'no scheme source or wildcard for remote origins');
    const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k!, v.join(' ')]));
    assert.equal(directives.get('default-src'), "'none'");
    assert.equal(directives.get('script-src'), "'self'");
    assert.equal(directives.get('worker-src'), "'self'");
    assert.equal(directives.get('object-src'), "'none'");
    assert.equal(directives.get('frame-ancestors'), "'none'");
    assert.equal(directives.get('base-uri'), "'none'");
  }
  assert.ok(BLOB_CSP.startsWith(CSP) && /; sandbox$/.test(BLOB_CSP), 'attachments are sandboxed if ever rendered');
  const h = securityHeaders();
  assert.equal(h['Content-Security-Policy'], CSP);
  assert.equal(h['X-Content-Type-Options'], 'nosniff');
});

test('MIME types by extension: .mjs is JavaScript for the pdf.js worker', () => {
  assert.match(mimeForPath('/r/assets/pdf.worker.min.mjs'), /^text\/javascript(;|$)/);
  assert.match(mimeForPath('/r/assets/PDF.WORKER.MJS'), /^text\/javascript(;|$)/);
  assert.match(mimeForPath('/r/assets/index.js'), /^text\/javascript(;|$)/);
  assert.match(mimeForPath('/r/index.html'), /^text\/html; charset=utf-8$/);
  assert.match(mimeForPath('/r/assets/index.css'), /^text\/css/);
  assert.equal(mimeForPath('/r/f.woff2'), 'font/woff2');
  assert.equal(mimeForPath('/r/x.wasm'), 'application/wasm');
  assert.equal(mimeForPath('/r/cmaps/UniJIS-UCS2-H.bcmap'), 'application/octet-stream');
  assert.equal(mimeForPath('/r/unknown.exe'), 'application/octet-stream');
  assert.equal(mimeForPath('/r/noext'), 'application/octet-stream');
});

test('attachments are served as passive types only', () => {
  assert.equal(safeBlobMime('application/pdf'), 'application/pdf');
  assert.equal(safeBlobMime('image/jpeg'), 'image/jpeg');
  assert.equal(safeBlobMime('text/plain'), 'text/plain; charset=utf-8');
  for (const active of ['text/html', 'image/svg+xml', 'application/xml', 'text/xml', 'application/xhtml+xml', 'text/javascript', 'application/msword', 'TEXT/HTML; charset=utf-8', ''])
    assert.equal(safeBlobMime(active), 'application/octet-stream', active);
});

test('blob tickets are exactly 32 lower-case hex digits', () => {
  assert.equal(blobTicket('/blob/0123456789abcdef0123456789abcdef'), '0123456789abcdef0123456789abcdef');
  for (const p of ['/blob/', '/blob/0123456789ABCDEF0123456789ABCDEF', '/blob/0123456789abcdef0123456789abcde', '/blob/0123456789abcdef0123456789abcdef0', '/blob/0123456789abcdef0123456789abcdef/x', '/blob/../index.html', '/blobs/0123456789abcdef0123456789abcdef'])
    assert.equal(blobTicket(p), undefined, p);
});

test('IPC is accepted only from the main frame of our window on our origin', () => {
  const ok = { senderId: 7, windowId: 7, isMainFrame: true, frameUrl: 'app://securedesk/index.html' };
  assert.ok(isTrustedSender(ok));
  assert.equal(isTrustedSender({ ...ok, isMainFrame: false }), false, 'subframe');
  assert.equal(isTrustedSender({ ...ok, senderId: 8 }), false, 'another webContents');
  assert.equal(isTrustedSender({ ...ok, windowId: null }), false, 'no window');
  assert.equal(isTrustedSender({ ...ok, frameUrl: null }), false, 'frame gone');
  for (const url of ['https://evil.vn/', 'file:///C:/x.html', 'about:blank', 'app://other/index.html', 'devtools://devtools/x', 'app://securedesk/blob/0123456789abcdef0123456789abcdef'])
    assert.equal(isTrustedSender({ ...ok, frameUrl: url }), false, url);
});

test('staging accepts absolute local paths outside the profile only', () => {
  const profile = resolve('/home/u/.config/SecureDesk/profile');
  assert.ok(isStageablePath(resolve('/home/u/Documents/cv.pdf'), profile));
  assert.ok(isStageablePath(resolve('/home/u/.config/SecureDesk/profile-export/x.pdf'), profile), 'a sibling with a common prefix is not inside');
  for (const p of [
    '', 'cv.pdf', './cv.pdf', '../profile/securedesk.db', 42, null, undefined, { path: '/x' },
    join(profile, 'securedesk.db'), join(profile, 'store', 'ab', 'abcd'), profile, `${profile}/../profile/securedesk.db`,
    '/home/u/x\0.pdf', '\\\\.\\PhysicalDrive0', '\\\\?\\GLOBALROOT\\Device\\x', '//./pipe/x', 'x'.repeat(40_000),
  ])
    assert.equal(isStageablePath(p, profile), false, String(p).slice(0, 60));
});

test('profile directory: SECUREDESK_PROFILE wins, else <userData>/profile', () => {
  assert.equal(profileDirFrom({}, '/home/u/.config/SecureDesk'), resolve('/home/u/.config/SecureDesk/profile'));
  assert.equal(profileDirFrom({ SECUREDESK_PROFILE: '  ' }, '/ud'), resolve('/ud/profile'));
  assert.equal(profileDirFrom({ SECUREDESK_PROFILE: '/tmp/p1' }, '/ud'), resolve('/tmp/p1'));
});

test('the Electron-free modules of main/app and preload import no electron', () => {
  for (const f of ['main/app/policy.ts', 'main/app/csp.ts', 'main/app/serve.ts', 'main/app/stage.ts', 'main/app/outputs.ts', 'preload/bridge.ts']) {
    const src = readFileSync(resolve(f), 'utf8') // run from the repository root;
    assert.doesNotMatch(src, /from\s+['"]electron(\/\w+)?['"]|require\(\s*['"]electron/, f);
  }
});
