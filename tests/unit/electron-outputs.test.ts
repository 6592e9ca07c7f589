// Printouts and copies leaving the app on the main side (main/app/outputs.ts) with a real Desk: the
// copy is made through the IPC router, as the window makes it; printing and saving go through the
// same functions main.ts wires to Electron, with the printer list, the print call and the save
// dialog as plain functions. Files are real, folders are real (symbolic links included).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Wire } from '../../common/contract';
import type { Logger } from '../../main/core/log';
import { createRouter } from '../../main/ipc/router';
import { SessionGuard } from '../../main/core/session/guard';
import { TokenService } from '../../main/core/session/tokens';
import { TokenBridge } from '../../native/bridge/client';
import { insideAllowed, listPrinters, printOutput, saveOutput, type PrintDeps, type SaveDeps } from '../../main/app/outputs';
import { addActor, newDesk, registration } from '../helpers/desk';
import type { Actor } from '../../main/core/org/rights';

const log: Logger = { log: () => {} };
let env: Awaited<ReturnType<typeof newDesk>>;
let call: ReturnType<typeof createRouter>;
let work = '';
let secretId = 0;
let ordinaryId = 0;
let leader: Actor;

const printed: Array<{ ticket: string; printer: string }> = [];
const printDeps: PrintDeps = {
  printers: async () => [{ name: 'HP_LaserJet_P3015', displayName: 'HP LaserJet P3015 (Phòng Văn thư)', isDefault: true }],
  printTicket: async (ticket, printer) => {
    printed.push({ ticket, printer });
    // What the print window does: take the printout once through the app:// route.
    const opened = await env.desk.openTicket(ticket);
    if (!opened) return { ok: false, reason: 'ticket refused' };
    for await (const _ of opened.stream) { /* drawn */ }
    return { ok: true };
  },
};

function unwrap<T>(w: Wire<T>): T {
  const wire = w as Wire<T>;
  if (!wire.ok) throw Object.assign(new Error(wire.error.message), wire.error);
  return wire.value;
}

async function copy(incomingId: number, kind: 'print' | 'sao_y', copies = 1): Promise<string> {
  // The văn thư prints a Tối mật record with the leader's permission, as the law's defaults say.
  const approval = incomingId === secretId
    ? (await env.desk.copies.allow(leader, { incomingId, forUserId: env.admin.id, kind, copies, reason: 'Cho phép phục vụ họp' })).id
    : undefined;
  const r = unwrap(await call('copies.make', { incomingId, kind, copies, reason: 'Phục vụ họp giao ban', ...(approval ? { approvalId: approval } : {}) }) as Wire<{ ticket: string }>);
  return r.ticket;
}

const auditActions = (): string[] => (env.desk.db.prepare("SELECT action || ':' || outcome FROM audit_log WHERE action LIKE 'output.%' ORDER BY id").pluck().all() as string[]);

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'securedesk-outputs-'));
  env = await newDesk('state');
  const guard = new SessionGuard(env.desk, new TokenService(new TokenBridge(), async () => []));
  leader = addActor(env.desk, 'lanh_dao', 'tuyet_mat', 'Trần Văn Lãnh');
  call = createRouter({ desk: env.desk, guard, attachmentUrl: (t) => `app://securedesk/blob/${t}` });
  secretId = (await env.desk.incoming.register(env.admin, await registration(env.desk, env.admin, { secrecy: 'toi_mat', subject: 'Kế hoạch tối mật' }))).id;
  ordinaryId = (await env.desk.incoming.register(env.admin, await registration(env.desk, env.admin, { subject: 'Công văn thường' }))).id;
});
after(() => {
  env.cleanup();
  rmSync(work, { recursive: true, force: true });
});

test('a print run is printed once on a listed printer, audited; its ticket then opens nothing', async () => {
  const ticket = await copy(secretId, 'print');
  assert.deepEqual(unwrap(await listPrinters(env.desk, printDeps, log)).map((p) => p.name), ['HP_LaserJet_P3015']);
  const r = unwrap(await printOutput(env.desk, printDeps, { ticket, printer: 'HP_LaserJet_P3015' }, log));
  assert.deepEqual(r, { printer: 'HP_LaserJet_P3015' });
  assert.deepEqual(printed.at(-1), { ticket, printer: 'HP_LaserJet_P3015' });
  const again = await printOutput(env.desk, printDeps, { ticket, printer: 'HP_LaserJet_P3015' }, log) as Wire<unknown>;
  assert.equal(again.ok, false);
  assert.equal(!again.ok && again.error.key, 'output.gone');
  assert.ok(auditActions().includes('output.printed:ok'));
});

test('a printer the workstation does not list, a malformed ticket, or another kind of output is refused', async () => {
  const ticket = await copy(secretId, 'print');
  const unknown = await printOutput(env.desk, printDeps, { ticket, printer: '\\\\evil\\share' }, log) as Wire<unknown>;
  assert.equal(!unknown.ok && unknown.error.key, 'output.printerUnknown');
  for (const bad of [{ ticket: '../../etc/passwd', printer: 'HP_LaserJet_P3015' }, { ticket, printer: 'HP_LaserJet_P3015', path: '/tmp/x' }, null, 'x']) {
    const r = await printOutput(env.desk, printDeps, bad, log) as Wire<unknown>;
    assert.equal(!r.ok && r.error.code, 'VALIDATION', JSON.stringify(bad));
  }
  // An electronic copy is a file: it never goes to paper (and the refusal is audited).
  const electronic = await copy(secretId, 'sao_y');
  const r = await printOutput(env.desk, printDeps, { ticket: electronic, printer: 'HP_LaserJet_P3015' }, log) as Wire<unknown>;
  assert.equal(!r.ok && r.error.key, 'output.notForPrinter');
  assert.ok(auditActions().includes('output.printed:failed'));
  // And a print run never becomes a file.
  const s = await saveOutput(env.desk, { choosePath: async () => join(work, 'x.pdf'), allowedFolders: async () => [work] }, { ticket }, log) as Wire<unknown>;
  assert.equal(!s.ok && s.error.key, 'output.notForFile');
  assert.equal(existsSync(join(work, 'x.pdf')), false);
});

test('a classified electronic copy is saved only inside the configured folders, judged on real paths', async () => {
  const allowed = join(work, 'USB-mat');
  const elsewhere = join(work, 'Desktop');
  mkdirSync(allowed);
  mkdirSync(elsewhere);
  // A link inside the allowed folder that leads out of it does not carry the file out.
  symlinkSync(elsewhere, join(allowed, 'link-out'));
  const deps = (chosen: string | null, folders: string[]): SaveDeps => ({ choosePath: async () => chosen, allowedFolders: async () => folders.map((f) => realpathSync(f)) });

  const ticket = await copy(secretId, 'sao_y');
  const none = await saveOutput(env.desk, deps(join(allowed, 'a.pdf'), []), { ticket }, log) as Wire<unknown>;
  assert.equal(!none.ok && none.error.key, 'output.noFolder');
  const out = await saveOutput(env.desk, deps(join(elsewhere, 'a.pdf'), [allowed]), { ticket }, log) as Wire<unknown>;
  assert.equal(!out.ok && out.error.key, 'output.folderNotAllowed');
  const viaLink = await saveOutput(env.desk, deps(join(allowed, 'link-out', 'a.pdf'), [allowed]), { ticket }, log) as Wire<unknown>;
  assert.equal(!viaLink.ok && viaLink.error.key, 'output.folderNotAllowed');
  assert.deepEqual(readdirSync(elsewhere), [], 'nothing written outside');
  // Cancelled: nothing written, the ticket still usable.
  assert.deepEqual(unwrap(await saveOutput(env.desk, deps(null, [allowed]), { ticket }, log)), { saved: false });
  const ok = unwrap(await saveOutput(env.desk, deps(join(allowed, 'ban-sao.pdf'), [allowed]), { ticket }, log));
  assert.deepEqual(ok, { saved: true, name: 'ban-sao.pdf' });
  const bytes = readFileSync(join(allowed, 'ban-sao.pdf'));
  assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
  assert.equal(statSync(join(allowed, 'ban-sao.pdf')).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(allowed).filter((n) => n.endsWith('.part')), [], 'no temporary file left');
  const spent = await saveOutput(env.desk, deps(join(allowed, 'b.pdf'), [allowed]), { ticket }, log) as Wire<unknown>;
  assert.equal(!spent.ok && spent.error.key, 'output.gone');
  const audit = auditActions();
  assert.ok(audit.includes('output.saved:ok') && audit.includes('output.saved:failed'), audit.join(' '));
  // The audit names the folder, never the content.
  const details = env.desk.db.prepare("SELECT details FROM audit_log WHERE action = 'output.saved' AND outcome = 'ok'").pluck().get() as string;
  assert.match(details, /USB-mat/);
  assert.doesNotMatch(details, /Kế hoạch/);
});

test('an ordinary electronic copy may be saved anywhere the person chooses', async () => {
  const ticket = await copy(ordinaryId, 'sao_y');
  const folder = join(work, 'Documents');
  mkdirSync(folder);
  assert.deepEqual(unwrap(await saveOutput(env.desk, { choosePath: async () => join(folder, 'cv.pdf'), allowedFolders: async () => [] }, { ticket }, log)), { saved: true, name: 'cv.pdf' });
  assert.ok(statSync(join(folder, 'cv.pdf')).size > 1000);
});

test('outputs belong to the session that made them: after a lock the ticket opens nothing', async () => {
  const ticket = await copy(ordinaryId, 'print');
  assert.ok(env.desk.outputs.peek(ticket));
  env.desk.lock('manual');
  assert.equal(env.desk.outputs.peek(ticket), undefined);
  const r = await printOutput(env.desk, printDeps, { ticket, printer: 'HP_LaserJet_P3015' }, log) as Wire<unknown>;
  assert.equal(!r.ok && r.error.code, 'NO_SESSION');
});

test('insideAllowed: equal, inside, outside, sibling prefix, Windows case', () => {
  assert.equal(insideAllowed('/mnt/usb', ['/mnt/usb'], 'linux'), true);
  assert.equal(insideAllowed('/mnt/usb/a/b', ['/mnt/usb'], 'linux'), true);
  assert.equal(insideAllowed('/mnt/usb2', ['/mnt/usb'], 'linux'), false);
  assert.equal(insideAllowed('/mnt', ['/mnt/usb'], 'linux'), false);
  assert.equal(insideAllowed('E:\\MAT\\2026', ['e:\\mat'], 'win32'), true);
  assert.equal(insideAllowed('D:\\MAT', ['E:\\MAT'], 'win32'), false);
});
