// The app:// handler (serve.ts) as Electron runs it, but under Node: web Request in, web Response out.
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Logger } from '../../main/core/log';
import { BLOB_CSP, CSP } from '../../main/app/csp';
import { createAppRequestHandler, type AppRequestHandler, type TicketResolver } from '../../main/app/serve';

const TICKET = '0123456789abcdef0123456789abcdef';
let dir: string;
let handle: AppRequestHandler;
const logged: string[] = [];
const log: Logger = { log: (_level, msg) => void logged.push(msg) };
let tickets: TicketResolver | null = null;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'securedesk-protocol-'));
  const root = join(dir, 'dist', 'renderer');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>SecureDesk</title>');
  writeFileSync(join(root, 'assets', 'pdf.worker.min.mjs'), 'self.onmessage = () => {};');
  writeFileSync(join(dir, 'secret.txt'), 'outside the root');
  mkdirSync(join(dir, 'dist', 'renderer-evil'));
  writeFileSync(join(dir, 'dist', 'renderer-evil', 'x.js'), 'sibling folder with a common prefix');
  writeFileSync(join(dir, 'blob.pdf'), '%PDF-1.7 tiny');
  handle = createAppRequestHandler({ rendererRoot: root, tickets: () => tickets, log });
});
after(() => rmSync(dir, { recursive: true, force: true }));

const get = (url: string, method = 'GET') => handle(new Request(url, { method }));

function assertSecured(res: Response, csp = CSP) {
  assert.equal(res.headers.get('content-security-policy'), csp);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
}

test('serves index.html for / and files of the renderer folder with their type', async () => {
  for (const url of ['app://securedesk/', 'app://securedesk/index.html', 'app://securedesk/index.html?x=1#/incoming']) {
    const res = await get(url);
    assert.equal(res.status, 200, url);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    assertSecured(res);
    assert.match(await res.text(), /SecureDesk/);
  }
  const worker = await get('app://securedesk/assets/pdf.worker.min.mjs');
  assert.equal(worker.status, 200);
  assert.match(worker.headers.get('content-type') ?? '', /^text\/javascript/);
  assertSecured(worker);
  const head = await get('app://securedesk/index.html', 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(await head.text(), '');
  assert.ok(Number(head.headers.get('content-length')) > 0);
});

test('GET and HEAD only', async () => {
  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
    const res = await get('app://securedesk/index.html', method);
    assert.equal(res.status, 405, method);
    assert.equal(res.headers.get('allow'), 'GET, HEAD');
    assertSecured(res);
  }
});

test('other hosts, traversal and missing files are refused, with the security headers', async () => {
  const refused: Array<[string, number]> = [
    ['app://evil/index.html', 403],
    ['app://securedesk/missing.js', 404],
    ['app://securedesk/assets', 404], // a directory
    ['app://securedesk/%2e%2e/secret.txt', 404],
    ['app://securedesk/assets/%2e%2e/%2e%2e/secret.txt', 404],
    ['app://securedesk/..%5c..%5csecret.txt', 404],
    ['app://securedesk/%252e%252e/secret.txt', 404],
    ['app://securedesk/%2e%2e/renderer-evil/x.js', 404],
    ['app://securedesk/C:%5cWindows%5cwin.ini', 404],
  ];
  for (const [url, status] of refused) {
    const res = await get(url);
    assert.equal(res.status, status, url);
    assertSecured(res);
    assert.doesNotMatch(await res.text(), /outside the root|common prefix/, url);
  }
});

test('blobs stream through a valid ticket only, inline, uncached, typed from the ticket', async () => {
  tickets = null;
  assert.equal((await get(`app://securedesk/blob/${TICKET}`)).status, 404, 'no desk yet');
  const asked: string[] = [];
  tickets = {
    openTicket: async (t) => {
      asked.push(t);
      return t === TICKET ? { stream: createReadStream(join(dir, 'blob.pdf')), size: 14, mime: 'application/pdf', name: 'Quyết định.pdf' } : undefined;
    },
  };
  const res = await get(`app://securedesk/blob/${TICKET}`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/pdf');
  assert.equal(res.headers.get('content-disposition'), 'inline');
  assert.equal(res.headers.get('cache-control'), 'no-store');
  assert.equal(res.headers.get('content-length'), '14');
  assertSecured(res, BLOB_CSP);
  assert.ok(res.body, 'a stream');
  assert.equal(await res.text(), '%PDF-1.7 tiny');

  const head = await get(`app://securedesk/blob/${TICKET}`, 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(await head.text(), '');

  for (const url of [`app://securedesk/blob/${'f'.repeat(32)}`, 'app://securedesk/blob/nothex', `app://securedesk/blob/${TICKET.toUpperCase()}`, `app://securedesk/blob/${TICKET}/x`, 'app://securedesk/blob/']) {
    const r = await get(url);
    assert.equal(r.status, 404, url);
    assertSecured(r);
  }
  assert.ok(!asked.includes('nothex'), 'malformed tickets never reach the desk');
});

test('an attachment of an active type goes out as opaque bytes', async () => {
  tickets = { openTicket: async () => ({ stream: createReadStream(join(dir, 'blob.pdf')), size: 14, mime: 'text/html', name: 'x.html' }) };
  const res = await get(`app://securedesk/blob/${TICKET}`);
  assert.equal(res.headers.get('content-type'), 'application/octet-stream');
  assertSecured(res, BLOB_CSP);
  await res.arrayBuffer();
});

test('a failing ticket lookup answers 500 with the headers and logs', async () => {
  tickets = {
    openTicket: async () => {
      throw new Error('boom');
    },
  };
  const res = await get(`app://securedesk/blob/${TICKET}`);
  assert.equal(res.status, 500);
  assertSecured(res);
  assert.ok(logged.includes('app protocol handler failed'));
});
