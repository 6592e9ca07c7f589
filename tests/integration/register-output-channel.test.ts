// The register outputs through the IPC router: without a save target (the development host) the file
// is behind a one-use ticket; with one (Electron: main's save dialog) it is written where that target
// says, and a cancelled dialog produces nothing (no file, no audit entry, no print to close on). The
// window's input names no path: a path in it is refused by the strict schema.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
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
const exports = () => env.desk.db.prepare("SELECT count(*) FROM main.audit_log WHERE action = 'register.export'").pluck().get() as number;

test('development host: a one-use ticket for the file', async () => {
  const call = createRouter({ desk: env.desk, guard: guard(), attachmentUrl: (t) => `http://127.0.0.1/blob/${t}` });
  const r = await call('registers.output', { kind: 'secret_incoming', format: 'pdf', from: `${year}-01-01`, to: `${year}-12-31` });
  assert.ok(r.ok && r.value);
  if (!r.ok || !r.value) return;
  const v = r.value as RegisterOutputFile;
  assert.equal(v.fileName, `so-dang-ky-bmnn-den-${year}-01-01-${year}-12-31.pdf`);
  assert.equal(v.savedTo, null);
  assert.match(v.url ?? '', /^http:\/\/127\.0\.0\.1\/blob\/[0-9a-f]{32}$/);
  const opened = await env.desk.attachments.openTicket(v.ticket!);
  assert.ok(opened);
  const chunks: Buffer[] = [];
  for await (const c of opened.stream) chunks.push(c as Buffer);
  assert.ok(pdfTextPages(Buffer.concat(chunks)).join(' ').includes('31-CV/TU'));
  assert.equal(await env.desk.attachments.openTicket(v.ticket!), undefined, 'used once');
});

test('Electron: written where main\'s dialog says; cancelled, nothing is produced; no path from the window', async () => {
  let answer: string | null = join(out.dir, 'so.xlsx');
  const asked: string[] = [];
  const call = createRouter({
    desk: env.desk, guard: guard(), attachmentUrl: (t) => `app://securedesk/blob/${t}`,
    registerFileTarget: async (fileName) => {
      asked.push(fileName);
      return answer;
    },
  });
  const r = await call('registers.output', { kind: 'secret_handover', format: 'xlsx', from: `${year}-01-01`, to: `${year}-12-31` });
  assert.ok(r.ok && r.value);
  if (!r.ok || !r.value) return;
  const v = r.value as RegisterOutputFile;
  assert.deepEqual([v.savedTo, v.ticket, v.url], [join(out.dir, 'so.xlsx'), null, null]);
  assert.equal(readFileSync(join(out.dir, 'so.xlsx')).subarray(0, 2).toString(), 'PK', 'an XLSX (zip) file');
  assert.deepEqual(asked, [`so-chuyen-giao-bmnn-${year}-01-01-${year}-12-31.xlsx`]);

  answer = null;
  const before = exports();
  const cancelled = await call('registers.output', { kind: 'secret_copies', format: 'pdf', from: `${year}-01-01`, to: `${year}-12-31` });
  assert.deepEqual(cancelled, { ok: true, value: null });
  assert.equal(exports(), before, 'nothing produced, nothing audited');
  assert.equal(env.desk.db.prepare("SELECT count(*) FROM main.secret_register_prints WHERE kind = 'secret_copies'").pluck().get(), 0);

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
