// The import.* channels through the router: validated against the contract, refused to a person
// without the right to register (by the router and by the core), another clerk's upload and run are
// not theirs, and no input can name a path: a folder in the mapping, an entry or a rule that climbs out.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ImportPreview, ImportSourceView, SavedImportMapping } from '../../common/contract';
import { DeskError } from '../../common/errors';
import { createRouter } from '../../main/ipc/router';
import { SessionGuard } from '../../main/core/session/guard';
import { TokenService } from '../../main/core/session/tokens';
import { TokenBridge } from '../../native/bridge/client';
import { newDesk, stageBytes } from '../helpers/desk';
import { addPerson } from '../helpers/people';
import { makeZip } from '../helpers/zipWriter';
import { addUnit } from '../../main/core/org/units';

let env: Awaited<ReturnType<typeof newDesk>>;
let call: ReturnType<typeof createRouter>;
let officer: Awaited<ReturnType<typeof addPerson>>;
let otherClerk: Awaited<ReturnType<typeof addPerson>>;
const CSV = 'Số, ký hiệu;Ngày văn bản;Cơ quan ban hành;Trích yếu;Tệp\r\n16/CV-UBND;05/03/2019;Sở Nội vụ;Về việc tuyển dụng;../../etc/passwd\r\n';
const zip = makeZip([{ name: 'so/so-den.csv', bytes: CSV }]);

before(async () => {
  env = await newDesk('state');
  const guard = new SessionGuard(env.desk, new TokenService(new TokenBridge(), async () => []));
  call = createRouter({ desk: env.desk, guard, attachmentUrl: (t) => `app://securedesk/blob/${t}` });
  officer = await addPerson(env.desk, { fullName: 'Đỗ Thị Hoa', role: 'chuyen_vien', clearance: 'mat' });
  otherClerk = await addPerson(env.desk, { fullName: 'Lê Văn Thư', role: 'van_thu', clearance: 'mat' });
  addUnit(env.desk.db, 'Sở Nội vụ', '000.00.12.H49');
  env.desk.lock('manual');
});
after(() => env.cleanup());

const value = <T>(r: Awaited<ReturnType<typeof call>>): T => {
  assert.ok(r.ok, JSON.stringify(r));
  return (r as { ok: true; value: T }).value;
};

test('a person without the right to register cannot use any import channel, through the router or the core', async () => {
  await env.desk.unlock(officer.identity);
  const session = env.desk.session!;
  assert.ok(!session.rights.includes('doc.register') && session.rights.includes('file.stage'));
  // An officer may upload (file.stage), but not read an import source.
  const staged = await stageBytes(env.desk, session, zip, 'so.zip');
  const mapping = { version: 1, columns: [{ source: 'Trích yếu', field: 'subject' }] };
  for (const [channel, input] of [
    ['import.open', { stagedId: staged.stagedId }], ['import.preview', { stagedId: staged.stagedId, mapping }], ['import.dryRunStart', { stagedId: staged.stagedId, mapping }],
    ['import.dryRunProgress', { runId: 'a'.repeat(32) }], ['import.dryRunCancel', { runId: 'a'.repeat(32) }], ['import.dryRunReport', { runId: 'a'.repeat(32) }],
    ['import.start', { stagedId: staged.stagedId, mapping }], ['import.jobs', {}], ['import.mappings', {}], ['import.resume', { id: 1 }],
    ['import.progress', { runId: 'a'.repeat(32) }], ['import.cancel', { runId: 'a'.repeat(32) }],
    ['import.saveMapping', { name: 'x', mapping }], ['import.deleteMapping', { name: 'x' }],
  ] as const) {
    const r = await call(channel, input);
    assert.ok(!r.ok && r.error.code === 'FORBIDDEN', `${channel}: ${JSON.stringify(r)}`);
  }
  await assert.rejects(env.desk.importWindow.open(session, { stagedId: staged.stagedId }), (e: unknown) => e instanceof DeskError && e.code === 'FORBIDDEN');
  assert.throws(() => env.desk.importWindow.jobs(session), (e: unknown) => e instanceof DeskError && e.code === 'FORBIDDEN');
  env.desk.lock('manual');
});

test('a clerk imports only from their own uploads: no path, no folder, no entry or rule climbing out', async () => {
  await env.desk.unlock(env.identity);
  const staged = await stageBytes(env.desk, env.desk.session!, zip, 'so.zip');
  const opened = value<ImportSourceView>(await call('import.open', { stagedId: staged.stagedId }));
  assert.equal(opened.entry, 'so/so-den.csv');
  assert.equal(opened.delimiter, ';');
  const mapping = opened.suggested;
  // Shapes the contract refuses before anything runs.
  for (const input of [
    { stagedId: '../../etc/passwd' },
    { stagedId: staged.stagedId, path: '/etc/passwd' },
    { stagedId: staged.stagedId, mapping: { ...mapping, files: { folder: '/etc' } } },
    { stagedId: staged.stagedId, mapping: { ...mapping, files: { folder: '/etc', pattern: '{so}.pdf' } } },
  ]) {
    const r = await call('mapping' in input ? 'import.preview' : 'import.open', input as never);
    assert.ok(!r.ok && r.error.code === 'VALIDATION', JSON.stringify(r));
  }
  // An entry that is not one of the archive's registers is refused (the core looks names up in the archive's own list).
  for (const entry of ['../../etc/passwd', '/etc/passwd', 'so/../../x.csv']) {
    const r = await call('import.open', { stagedId: staged.stagedId, entry });
    assert.ok(!r.ok && r.error.code === 'VALIDATION' && r.error.key === 'import.zip.chooseRegister', JSON.stringify(r));
  }
  // A path column or a naming rule that climbs out rejects its row; nothing is read outside the archive.
  const preview = value<ImportPreview>(await call('import.preview', { stagedId: staged.stagedId, mapping }));
  assert.deepEqual(preview.rows.map((r) => [r.status, r.reasons.map((x) => x.code)]), [['rejected', ['arrivalFromDocumentDate', 'climbsOut']]]);
  const byRule = value<ImportPreview>(await call('import.preview', {
    stagedId: staged.stagedId, mapping: { ...mapping, columns: mapping.columns.filter((c) => c.field !== 'file'), files: { pattern: '../{so}.pdf' } },
  }));
  assert.deepEqual(byRule.rows.map((r) => [r.status, r.reasons.map((x) => x.code)]), [['rejected', ['arrivalFromDocumentDate', 'climbsOut']]]);
  const abs = value<ImportPreview>(await call('import.preview', {
    stagedId: staged.stagedId, mapping: { ...mapping, columns: mapping.columns.filter((c) => c.field !== 'file'), files: { pattern: 'C:\\{so}.pdf' } },
  }));
  assert.deepEqual(abs.rows.map((r) => r.reasons.map((x) => x.code)), [['arrivalFromDocumentDate', 'absolutePath']]);

  // Saved mappings: by name, listed, reused, deleted.
  const saved = value<SavedImportMapping[]>(await call('import.saveMapping', { name: 'Sổ đến cũ (FoxPro)', mapping }));
  assert.deepEqual(saved.map((m) => [m.name, m.savedBy, m.mapping.columns.length]), [['Sổ đến cũ (FoxPro)', 'Nguyễn Thị Hương', mapping.columns.length]]);
  const gone = await call('import.deleteMapping', { name: 'Không có' });
  assert.ok(!gone.ok && gone.error.code === 'NOT_FOUND' && gone.error.key === 'import.mapping.notFound');
  // A run to be looked up by the other clerk.
  const noFile = { ...mapping, columns: mapping.columns.filter((c) => c.field !== 'file') };
  const run = value<{ runId: string }>(await call('import.start', { stagedId: staged.stagedId, mapping: noFile }));
  env.desk.lock('manual');

  // Another văn thư: the upload and the run are not theirs.
  await env.desk.unlock(otherClerk.identity);
  const foreign = await call('import.open', { stagedId: staged.stagedId });
  assert.ok(!foreign.ok && foreign.error.code === 'FORBIDDEN', JSON.stringify(foreign));
  // Another's run is refused as not theirs (FORBIDDEN, audited); a run that does not exist is not found.
  const progress = await call('import.progress', { runId: run.runId });
  assert.ok(!progress.ok && progress.error.code === 'FORBIDDEN' && progress.error.key === 'import.run.notYours', JSON.stringify(progress));
  const cancel = await call('import.cancel', { runId: run.runId });
  assert.ok(!cancel.ok && cancel.error.code === 'FORBIDDEN');
  const none = await call('import.progress', { runId: 'b'.repeat(32) });
  assert.ok(!none.ok && none.error.code === 'NOT_FOUND', JSON.stringify(none));
  assert.deepEqual(value<unknown[]>(await call('import.jobs', {})), []);
  // Saved mappings are the workstation's: another clerk reuses them.
  assert.deepEqual(value<SavedImportMapping[]>(await call('import.mappings', {})).map((m) => m.name), ['Sổ đến cũ (FoxPro)']);
  env.desk.lock('manual');
});
