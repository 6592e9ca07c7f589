// The development host: loopback only, bearer token, own Host header, CSP on every response,
// no path outside the renderer folder, uploads and viewer tickets.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startDevHost, type DevHost } from '../../main/devhost/server';
import { newDesk, pdfBytes, tempDir } from '../helpers/desk';
import { TokenBridge } from '../../native/bridge/client';
import { SessionGuard } from '../../main/core/session/guard';
import { TokenService } from '../../main/core/session/tokens';

let env: Awaited<ReturnType<typeof newDesk>>;
let host: DevHost;
let guard: SessionGuard;
const renderer = tempDir('securedesk-renderer-');
before(async () => {
  env = await newDesk('party');
  mkdirSync(join(renderer.dir, 'assets'));
  writeFileSync(join(renderer.dir, 'index.html'), '<!doctype html><title>SecureDesk</title>');
  writeFileSync(join(renderer.dir, 'assets', 'pdf.worker.min.mjs'), 'export {}');
  writeFileSync(join(env.dir, 'secret.txt'), 'profile file');
  // A real bridge, never started: these requests do not reach a token.
  guard = new SessionGuard(env.desk, new TokenService(new TokenBridge(), async () => []));
  host = await startDevHost({ desk: env.desk, guard, rendererDir: renderer.dir });
});
after(async () => {
  await host.close();
  env.cleanup();
  renderer.cleanup();
});

interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: string }
function raw(path: string, opts: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {}): Promise<Reply> {
  const url = new URL(host.url);
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port: url.port, path, method: opts.method ?? 'GET', headers: opts.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', fail);
    if (opts.body) req.write(opts.body);
    req.end();
  });
}
const auth = () => ({ Authorization: `Bearer ${host.token}` });
const ipc = async (channel: string, input: unknown, headers: Record<string, string> = auth()) =>
  raw(`/ipc/${channel}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(input) });

test('listens on 127.0.0.1 with a random port and a 256-bit token', () => {
  assert.match(host.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.match(host.token, /^[0-9a-f]{64}$/);
  assert.ok(host.launchUrl.includes('#token='), 'the token travels in the fragment, not the request line');
});

test('serves the renderer with the strict CSP on every response', async () => {
  const index = await raw('/');
  assert.equal(index.status, 200);
  const csp = String(index.headers['content-security-policy']);
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-eval|unsafe-inline|http:|https:|\*/);
  const worker = await raw('/assets/pdf.worker.min.mjs');
  assert.equal(worker.headers['content-type'], 'text/javascript; charset=utf-8');
  assert.equal(worker.headers['content-security-policy'], csp, 'the worker gets the CSP from its own response');
  const missing = await raw('/nope');
  assert.equal(missing.status, 404);
  assert.equal(missing.headers['content-security-policy'], csp);
});

test('refuses paths outside the renderer folder', async () => {
  for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/..%5csecret.txt', '/%00']) {
    const r = await raw(p);
    assert.ok(r.status === 403 || r.status === 404 || r.status === 400, `${p} -> ${r.status}`);
    assert.doesNotMatch(r.body, /profile file/);
  }
});

test('refuses calls without the token, from another Host or Origin, and other methods', async () => {
  assert.equal((await ipc('app.info', {}, {})).status, 401);
  assert.equal((await ipc('app.info', {}, { Authorization: `Bearer ${'0'.repeat(64)}` })).status, 401);
  assert.equal((await ipc('app.info', {}, { ...auth(), Origin: 'http://evil.example' })).status, 403);
  assert.equal((await ipc('app.info', {}, { ...auth(), Host: 'evil.example' })).status, 403);
  assert.equal((await raw('/ipc/app.info', { headers: auth() })).status, 405);
  assert.equal((await raw('/', { method: 'DELETE' })).status, 405);
});

test('answers the contract, stages uploads and serves viewer tickets', async () => {
  const info = JSON.parse((await ipc('app.info', {})).body);
  assert.equal(info.ok, true);
  assert.equal(info.value.profile, 'ready');
  const bad = JSON.parse((await raw('/ipc/app.info', { method: 'POST', headers: auth(), body: '{not json' })).body);
  assert.equal(bad.error.code, 'VALIDATION');
  // Upload before sign-in is refused.
  env.desk.lock('manual');
  const early = JSON.parse((await raw('/stage', { method: 'POST', headers: { ...auth(), 'X-File-Name': 'a.pdf' }, body: 'x' })).body);
  assert.equal(early.error.code, 'NO_SESSION');
  await env.desk.unlock(env.identity);
  const pdf = Buffer.from(await pdfBytes('Tài liệu xem thử'));
  const staged = JSON.parse((await raw('/stage', { method: 'POST', headers: { ...auth(), 'X-File-Name': encodeURIComponent('Văn bản.pdf') }, body: pdf })).body);
  assert.equal(staged.ok, true);
  assert.equal(staged.value.name, 'Văn bản.pdf');
  assert.equal(staged.value.isPdf, true);
  const reg = JSON.parse((await ipc('incoming.register', {
    issuer: { name: 'Quận ủy Ba Đình' }, numberSymbol: '12-CV/QU', documentDate: '2026-11-01', typeCode: 'CV',
    subject: 'Về việc xem thử', secrecy: 'thuong', urgency: 'thuong', stagedIds: [staged.value.stagedId],
  })).body);
  assert.equal(reg.ok, true, JSON.stringify(reg));
  const detail = JSON.parse((await ipc('incoming.get', { id: reg.value.id })).body).value;
  const opened = JSON.parse((await ipc('attachments.open', { id: detail.attachments[0].id })).body).value;
  assert.match(opened.url, new RegExp(`^${host.url}/blob/[0-9a-f]{32}$`));
  const blob = await raw(new URL(opened.url).pathname, { headers: auth() });
  assert.equal(blob.status, 200);
  assert.equal(blob.headers['content-type'], 'application/pdf');
  assert.equal(blob.headers['cache-control'], 'no-store');
  assert.ok(blob.body.startsWith('%PDF-'));
  assert.equal((await raw(`/blob/${'a'.repeat(32)}`, { headers: auth() })).status, 404);
  // Lock events reach the page over /events (bearer token required); after the lock the ticket is dead.
  assert.equal((await raw('/events')).status, 401);
  const url = new URL(host.url);
  const event = new Promise<string>((ok, fail) => {
    const req = request({ host: '127.0.0.1', port: url.port, path: '/events', headers: auth() }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => {
        text += c.toString('utf8');
        if (text.includes('session.locked')) {
          req.destroy();
          ok(text);
        }
      });
    });
    req.on('error', (e) => (String(e).includes('socket hang up') ? undefined : fail(e)));
    req.end();
  });
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(JSON.parse((await ipc('session.lock', {})).body).ok, true);
  assert.match(await event, /"reason":"manual"/);
  assert.equal((await raw(new URL(opened.url).pathname, { headers: auth() })).status, 404);
  assert.equal(JSON.parse((await ipc('incoming.list', {})).body).error.code, 'NO_SESSION');
});

/** Registers one document with the given files (name, bytes) and returns its attachments' ids. */
async function registerWith(files: Array<[string, Buffer]>): Promise<number[]> {
  const stagedIds: string[] = [];
  for (const [name, bytes] of files) {
    const staged = JSON.parse((await raw('/stage', { method: 'POST', headers: { ...auth(), 'X-File-Name': encodeURIComponent(name) }, body: bytes })).body);
    assert.equal(staged.ok, true, JSON.stringify(staged));
    stagedIds.push(staged.value.stagedId);
  }
  const reg = JSON.parse((await ipc('incoming.register', {
    issuer: { name: 'Quận ủy Ba Đình' }, numberSymbol: `${stagedIds.length + 20}-CV/QU`, documentDate: '2026-11-01', typeCode: 'CV',
    subject: 'Về việc mở tệp đính kèm', secrecy: 'thuong', urgency: 'thuong', stagedIds, force: true,
  })).body);
  assert.equal(reg.ok, true, JSON.stringify(reg));
  return JSON.parse((await ipc('incoming.get', { id: reg.value.id })).body).value.attachments.map((a: { id: number }) => a.id);
}
const ticketPath = async (attachmentId: number) => new URL(JSON.parse((await ipc('attachments.open', { id: attachmentId })).body).value.url).pathname;

test('a viewer ticket needs the bearer token, is used once, and only from the page itself', async () => {
  if (env.desk.state !== 'ready' || !env.desk.session) await env.desk.unlock(env.identity);
  const [pdfId] = await registerWith([['Báo cáo.pdf', Buffer.from(await pdfBytes('Vé xem một lần'))]]);
  // Without the token: refused, and the ticket is not spent by the attempt.
  const path = await ticketPath(pdfId!);
  assert.equal((await raw(path)).status, 401);
  assert.equal((await raw(path, { headers: { Authorization: `Bearer ${'0'.repeat(64)}` } })).status, 401);
  // From another origin (a page elsewhere that learnt the URL and the token): refused.
  assert.equal((await raw(path, { headers: { ...auth(), Origin: 'http://evil.example' } })).status, 403);
  assert.equal((await raw(path, { headers: { ...auth(), 'Sec-Fetch-Site': 'cross-site' } })).status, 403);
  const first = await raw(path, { headers: auth() });
  assert.equal(first.status, 200);
  assert.ok(first.body.startsWith('%PDF-'));
  // Used once: the same URL with the token again is refused.
  const again = await raw(path, { headers: auth() });
  assert.equal(again.status, 404);
  assert.doesNotMatch(again.body, /%PDF-/);
  // A fresh open gives a fresh ticket.
  assert.equal((await raw(await ticketPath(pdfId!), { headers: auth() })).status, 200);
});

test('only PDFs and images are served inline; anything else downloads as octet-stream', async () => {
  if (env.desk.state !== 'ready' || !env.desk.session) await env.desk.unlock(env.identity);
  const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
  const ids = await registerWith([
    ['trang.html', Buffer.from('<!doctype html><script>fetch("/ipc/incoming.list")</script>')],
    ['du-lieu.xml', Buffer.from('<?xml version="1.0"?><x xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></x>')],
    ['ghi-chu.txt', Buffer.from('ghi chú')],
    ['anh.png', png],
  ]);
  const replies = await Promise.all(ids.map(async (id) => raw(await ticketPath(id), { headers: auth() })));
  for (const r of replies.slice(0, 3)) {
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/octet-stream');
    assert.match(String(r.headers['content-disposition']), /^attachment;/);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
  }
  assert.equal(replies[3]!.headers['content-type'], 'image/png');
  assert.match(String(replies[3]!.headers['content-disposition']), /^inline;/);
  assert.equal(replies[3]!.headers['x-content-type-options'], 'nosniff');
});
