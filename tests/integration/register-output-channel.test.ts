// The register outputs through the IPC router: the file is behind a one-use ticket (the development
// host downloads it; Electron's main saves it through its own dialog, main/app/outputs.ts, into a
// folder policy allows for classified files). The window's input names no path: a path in it is
// refused by the strict schema.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { saveOutput } from '../../main/app/outputs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RegisterOutputFile } from '../../common/contract';
import { todayIso } from '../../common/dates';
import { createRouter } from '../../main/ipc/router';
import { SessionGuard } from '../../main/core/session/guard';
import { TokenService } from '../../main/core/session/tokens';
import { TokenBridge } from '../../native/bridge/client';
import { newDesk, registration, tempDir } from '../helpers/desk';
import { pdfTextPages } from '../helpers/pdfOracle';

let env: Awaited<ReturnType<typeof newDesk>>;
let out: ReturnType<typeof tempDir>;
let year = '';
before(async () => {
  env = await newDesk('state');
  out = tempDir();
  year = todayIso(env.desk.now()).slice(0, 4);
  await env.desk.incoming.register(env.admin, await registration(env.desk, env.admin, { secrecy: 'mat', numberSymbol: '31-CV/TU', subject: 'Về công tác bảo mật' }));
});
after(() => {
  env.cleanup();
  out.cleanup();
});

const guard = () => new SessionGuard(env.desk, new TokenService(new TokenBridge(), async () => []));

test('development host: a one-use ticket for the file', async () => {
  const call = createRouter({ desk: env.desk, guard: guard(), attachmentUrl: (t) => `http://127.0.0.1/blob/${t}` });
  const r = await call('registers.output', { kind: 'secret_incoming', format: 'pdf', from: `${year}-01-01`, to: `${year}-12-31` });
  assert.ok(r.ok);
  if (!r.ok) return;
  const v = r.value as RegisterOutputFile;
  assert.equal(v.fileName, `so-dang-ky-bmnn-den-${year}-01-01-${year}-12-31.pdf`);
  assert.match(v.url ?? '', /^http:\/\/127\.0\.0\.1\/blob\/[0-9a-f]{32}$/);
  const opened = await env.desk.openTicket(v.ticket);
  assert.ok(opened);
  const chunks: Buffer[] = [];
  for await (const c of opened.stream) chunks.push(c as Buffer);
  assert.ok(pdfTextPages(Buffer.concat(chunks)).join(' ').includes('31-CV/TU'));
  assert.equal(await env.desk.openTicket(v.ticket), undefined, 'used once');
});

test('Electron: main saves it through its own dialog, only into the configured folders; no path from the window', async () => {
  const call = createRouter({ desk: env.desk, guard: guard(), attachmentUrl: (t) => `app://securedesk/blob/${t}` });
  const r = await call('registers.output', { kind: 'secret_handover', format: 'xlsx', from: `${year}-01-01`, to: `${year}-12-31` });
  assert.ok(r.ok);
  if (!r.ok) return;
  const v = r.value as RegisterOutputFile;
  const asked: string[] = [];
  const log = { log: () => {} };
  // Elsewhere than the configured folder: refused, the ticket still usable; then saved where allowed.
  const refused = await saveOutput(env.desk, { choosePath: async (name) => join(tmpdir(), name), allowedFolders: async () => [realpathSync(out.dir)] }, { ticket: v.ticket }, log);
  assert.equal(!refused.ok && refused.error.key, 'output.folderNotAllowed');
  const saved = await saveOutput(env.desk, { choosePath: async (name) => (asked.push(name), join(out.dir, 'so.xlsx')), allowedFolders: async () => [realpathSync(out.dir)] }, { ticket: v.ticket }, log);
  assert.deepEqual(saved, { ok: true, value: { saved: true, name: 'so.xlsx' } });
  assert.equal(readFileSync(join(out.dir, 'so.xlsx')).subarray(0, 2).toString(), 'PK', 'an XLSX (zip) file');
  assert.deepEqual(asked, [`so-chuyen-giao-bmnn-${year}-01-01-${year}-12-31.xlsx`]);

  const withPath = await call('registers.output', { kind: 'secret_copies', format: 'pdf', from: `${year}-01-01`, to: `${year}-12-31`, path: '/tmp/x.pdf' });
  assert.equal(withPath.ok, false);
  assert.equal(existsSync('/tmp/x.pdf'), false);
});

test('through the router: the access call, and closing the current year refused with its reason', async () => {
  const call = createRouter({ desk: env.desk, guard: guard(), attachmentUrl: (t) => t });
  const access = await call('secretRegisters.access', {});
  assert.deepEqual(access, { ok: true, value: { read: true, close: true } });
  const close = await call('secretRegisters.close', { kind: 'secret_copies', year: Number(year) });
  assert.equal(close.ok, false);
  if (!close.ok) assert.equal(close.error.key, 'secretRegister.closeNotEnded');
});
