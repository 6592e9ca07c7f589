// Offline packages from the window (issue 10 §1): the packages.* channels and the service behind them.
// A package exported with a recipient chosen from what the profile knows (a person bound here) or an
// uploaded certificate file, handed out in memory; staged into another profile, verified, previewed and
// imported twice (the second time everything is already here). The attacks: an officer without the
// right, a level above the importer's clearance, another person's upload or run, a package for someone
// else, a tampered one, a certificate file that is not fit for encryption: each refused with its own
// Vietnamese message and nothing written. A lock cancels and forgets the runs and previews held in
// memory (the next person to unlock cannot follow them). Real profiles, real envelopes and signatures.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { PackageCheckView, PackageImportRunView } from '../../common/packages';
import { DeskError } from '../../common/errors';
import { todayIso, yearOf } from '../../common/dates';
import { derToPem, pemToDer } from '../../main/core/crypto';
import type { Desk, TokenIdentity } from '../../main/core/desk';
import type { Actor } from '../../main/core/org/rights';
import { actorFor, getUser } from '../../main/core/org/users';
import { isPackageError } from '../../main/core/packages/errors';
import { createRouter } from '../../main/ipc/router';
import { SessionGuard } from '../../main/core/session/guard';
import { TokenService } from '../../main/core/session/tokens';
import { TokenBridge } from '../../native/bridge/client';
import { newDesk, registration, softIdentity, stageBytes } from '../helpers/desk';
import { addPerson, newIdentity } from '../helpers/people';
import { makeZip } from '../helpers/zipWriter';

let a: Desk; let clerkA: Actor; let idA: TokenIdentity;
let b: Desk; let clerkB: Actor; let idB: TokenIdentity;
let officerB: Awaited<ReturnType<typeof addPerson>>;
let lowClerkB: Awaited<ReturnType<typeof addPerson>>;
let otherClerkB: Awaited<ReturnType<typeof addPerson>>;
let call: ReturnType<typeof createRouter>;
let sealed: Buffer;
const cleanups: Array<() => void> = [];

const anchors = () => [pemToDer(softIdentity().certPem)[0]!];
/** What the profile holds, in the compartments this session holds. */
const counts = (d: Desk) => {
  const held = (d.db.pragma('database_list') as Array<{ name: string }>).map((x) => x.name).filter((n) => n.startsWith('c_'));
  const sum = (table: string) => held.reduce((n, s) => n + (d.db.prepare(`SELECT count(*) FROM ${s}.${table}`).pluck().get() as number), 0);
  return { events: sum('events') + (d.db.prepare('SELECT count(*) FROM main.events').pluck().get() as number), incoming: sum('incoming'), records: d.db.prepare('SELECT count(*) FROM main.package_records').pluck().get() };
};
const keysOf = (id: TokenIdentity) => () => [...id.unlockKeys, ...id.signingKeys];
const signerOf = (d: Desk, actor: Actor, id: TokenIdentity) => () => d.org.signingKey(actor, id.signingKeys);
const rejectsKeyed = async (p: Promise<unknown>, code: string, key: string) => {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof DeskError, String(e));
    assert.equal(e.code, code, e.message);
    assert.equal(e.key, key, e.message);
    assert.match(e.message, /[ạảãáàặẳẵắằậẩẫấầẹẻẽéèệểễếềịỉĩíìọỏõóòộổỗốồợởỡớờụủũúùựửữứừỵỷỹýỳđ]/i, 'a Vietnamese message');
    return true;
  });
};

async function run(d: Desk, actor: Actor, stagedId: string, id: TokenIdentity): Promise<PackageImportRunView> {
  const started = await d.packageWindow.start(actor, stagedId, keysOf(id));
  await d.packageWindow.settled(started.runId);
  return d.packageWindow.progress(actor, started.runId);
}

describe('offline packages from the window', () => {
  before(async () => {
    const envA = await newDesk('state');
    cleanups.push(envA.cleanup);
    a = envA.desk; clerkA = envA.admin; idA = envA.identity;
    const envB = await newDesk('state', undefined, { trustAnchors: anchors() });
    cleanups.push(envB.cleanup);
    b = envB.desk; clerkB = envB.admin; idB = envB.identity;
    officerB = await addPerson(b, { fullName: 'Đỗ Thị Hoa', role: 'chuyen_vien', clearance: 'mat' });
    lowClerkB = await addPerson(b, { fullName: 'Lê Thị Thường', role: 'van_thu', clearance: 'thuong' });
    otherClerkB = await addPerson(b, { fullName: 'Lê Văn Thư', role: 'van_thu', clearance: 'tuyet_mat' });
    const guard = new SessionGuard(b, new TokenService(new TokenBridge(), async () => []));
    call = createRouter({ desk: b, guard, attachmentUrl: (t) => `app://securedesk/blob/${t}` });
    await a.incoming.register(clerkA, await registration(a, clerkA, { subject: 'Về việc tổ chức hội nghị chuyển đổi số' }));
    await a.incoming.register(clerkA, await registration(a, clerkA, { secrecy: 'mat', subject: 'Về việc bảo vệ bí mật nhà nước' }));
  });
  after(() => {
    for (const c of cleanups.reverse()) {
      try { c(); } catch { /* closed */ }
    }
  });

  test('recipients: the people bound here, fit for encryption; an uploaded certificate is checked', async () => {
    const options = a.packageWindow.recipients(clerkA);
    assert.deepEqual(options.map((o) => [o.kind, o.name]), [['person', 'Nguyễn Thị Hương']]);
    const other = newIdentity('Trần Văn Nhận');
    const pem = derToPem(other.unlockKeys[0]!.certificate);
    const file = await stageBytes(a, clerkA, pem, 'nguoi-nhan.pem');
    const checked = await a.packageWindow.checkCertificate(clerkA, file.stagedId);
    assert.equal(checked.kind, 'file');
    assert.equal(checked.name, 'Trần Văn Nhận');
    const junk = await stageBytes(a, clerkA, 'không phải chứng thư', 'x.cer');
    await rejectsKeyed(a.packageWindow.checkCertificate(clerkA, junk.stagedId), 'VALIDATION', 'package.certificate.unreadable');
  });

  test('export: sealed for the person chosen, in memory; classified without a recipient is refused with its message', async () => {
    await rejectsKeyed(a.packageWindow.export(clerkA, { selection: {}, recipients: { people: [], agencies: [], files: [] } }, signerOf(a, clerkA, idA)),
      'VALIDATION', 'package.error.NEEDS_RECIPIENTS');
    await rejectsKeyed(a.packageWindow.export(clerkA, { selection: {}, recipients: { people: ['0'.repeat(64)], agencies: [], files: [] } }, signerOf(a, clerkA, idA)),
      'VALIDATION', 'package.recipient.unknown');
    const person = a.packageWindow.recipients(clerkA)[0]!;
    const r = await a.packageWindow.export(clerkA, { selection: { year: yearOf(todayIso()) }, recipients: { people: [person.id], agencies: [], files: [] } }, signerOf(a, clerkA, idA));
    assert.equal(r.level, 'mat');
    assert.equal(r.result.manifest.encrypted, true);
    assert.deepEqual(r.result.manifest.levels, ['thuong', 'mat']);
    assert.equal(r.data.indexOf(Buffer.from('SQLite format 3')), -1, 'sealed: nothing readable');
    sealed = r.data;
  });

  test('an officer without the right to register can neither verify nor import, through the router or the core', async () => {
    await b.unlock(officerB.identity);
    const s = b.session!;
    const staged = await stageBytes(b, s, sealed, 'goi.p7m');
    for (const [channel, input] of [['packages.verify', { stagedId: staged.stagedId }], ['packages.importStart', { stagedId: staged.stagedId }],
      ['packages.importProgress', { runId: 'a'.repeat(32) }], ['packages.importCancel', { runId: 'a'.repeat(32) }]] as const) {
      const r = await call(channel, input);
      assert.ok(!r.ok && r.error.code === 'FORBIDDEN', `${channel}: ${JSON.stringify(r)}`);
    }
    const before = counts(b);
    await assert.rejects(b.packageWindow.verify(s, staged.stagedId, keysOf(officerB.identity)), (e: unknown) => e instanceof DeskError && e.code === 'FORBIDDEN');
    await assert.rejects(b.packageWindow.start(s, staged.stagedId, keysOf(officerB.identity)), (e: unknown) => e instanceof DeskError && e.code === 'FORBIDDEN');
    assert.deepEqual(counts(b), before);
    // The contract takes no path: only a staged id of the right shape.
    await b.unlock(idB);
    for (const input of [{ stagedId: '../../etc/passwd' }, { stagedId: staged.stagedId, path: '/etc/passwd' }, { file: '/tmp/goi.p7m' }]) {
      const r = await call('packages.verify', input);
      assert.ok(!r.ok && r.error.code === 'VALIDATION', JSON.stringify(r));
    }
    b.lock('manual');
  });

  test('a staged package of another person is not theirs: refused, nothing written', async () => {
    await b.unlock(idB);
    const staged = await stageBytes(b, b.session!, sealed, 'goi.p7m');
    b.lock('manual');
    await b.unlock(otherClerkB.identity);
    const before = counts(b);
    const r = await call('packages.verify', { stagedId: staged.stagedId });
    assert.ok(!r.ok && r.error.code === 'FORBIDDEN', JSON.stringify(r));
    const s = await call('packages.importStart', { stagedId: staged.stagedId });
    assert.ok(!s.ok && s.error.code === 'FORBIDDEN', JSON.stringify(s));
    assert.deepEqual(counts(b), before);
    b.lock('manual');
  });

  test('a package for someone else, and a tampered one: specific messages, nothing written', async () => {
    await b.unlock(otherClerkB.identity);
    const s = b.session!;
    const before = counts(b);
    const staged = await stageBytes(b, s, sealed, 'goi.p7m');
    // Sealed for the person on A (Nguyễn Thị Hương), not for this clerk's token.
    await rejectsKeyed(b.packageWindow.verify(s, staged.stagedId, keysOf(otherClerkB.identity)), 'VALIDATION', 'package.error.NOT_A_RECIPIENT');
    const failed = await run(b, s, staged.stagedId, otherClerkB.identity);
    assert.equal(failed.state, 'failed');
    assert.equal(failed.error?.key, 'package.error.NOT_A_RECIPIENT');
    b.lock('manual');
    await b.unlock(idB);
    const t = Buffer.from(sealed);
    t[Math.floor(t.length / 2)]! ^= 0x01;
    const tampered = await stageBytes(b, b.session!, t, 'goi-sua.p7m');
    await rejectsKeyed(b.packageWindow.verify(clerkB, tampered.stagedId, keysOf(idB)), 'VALIDATION', 'package.error.TAMPERED');
    const r = await run(b, clerkB, tampered.stagedId, idB);
    assert.equal(r.state, 'failed');
    assert.equal(r.error?.key, 'package.error.TAMPERED');
    assert.deepEqual(counts(b), before);
    b.lock('manual');
  });

  test('a văn thư cleared only for Thường sees the Mật document refused with its reason; a package of Mật alone is refused whole', async () => {
    await b.unlock(lowClerkB.identity);
    // Sealed for this clerk's certificate (an uploaded file on A), Mật only.
    const file = await stageBytes(a, clerkA, derToPem(lowClerkB.identity.unlockKeys[0]!.certificate), 'thuong.pem');
    const matOnly = await a.packageWindow.export(clerkA, { selection: { secrecy: ['mat'] }, recipients: { people: [], agencies: [], files: [file.stagedId] } }, signerOf(a, clerkA, idA));
    const both = await a.packageWindow.export(clerkA, { selection: {}, recipients: { people: [], agencies: [], files: [file.stagedId] } }, signerOf(a, clerkA, idA));
    const s = b.session!;
    const before = counts(b);
    const stagedMat = await stageBytes(b, s, matOnly.data, 'mat.p7m');
    const view = await b.packageWindow.verify(s, stagedMat.stagedId, keysOf(lowClerkB.identity));
    assert.deepEqual(view.reasons, [{ level: 'mat', outcome: 'refused', reason: 'aboveClearance', count: 1 }]);
    assert.equal(view.importable, 0);
    const refused = await run(b, s, stagedMat.stagedId, lowClerkB.identity);
    assert.equal(refused.state, 'failed');
    assert.equal(refused.error?.code, 'FORBIDDEN');
    assert.deepEqual(counts(b), before, 'nothing written');
    const stagedBoth = await stageBytes(b, s, both.data, 'ca-hai.p7m');
    const check = await b.packageWindow.verify(s, stagedBoth.stagedId, keysOf(lowClerkB.identity));
    assert.deepEqual(check.byLevel.map((l) => [l.level, l.counts.new, l.counts.refused]), [['thuong', 1, 0], ['mat', 0, 1]]);
    b.lock('manual');
  });

  test('verify, preview, import, then the same package again: everything already here, no duplicate', async () => {
    await b.unlock(idB);
    const s = b.session!;
    const staged = await stageBytes(b, s, sealed, 'goi.p7m');
    const view: PackageCheckView = await b.packageWindow.verify(s, staged.stagedId, keysOf(idB));
    assert.equal(view.agency.code, '000.00.01.H49');
    assert.match(view.signer ?? '', /Nguyễn Thị Hương/);
    assert.equal(view.encrypted, true);
    assert.equal(view.importable, 2);
    assert.deepEqual(view.byRegister.reduce((n, r) => n + r.counts.new, 0), 2);
    const before = counts(b);
    const first = await run(b, s, staged.stagedId, idB);
    assert.equal(first.state, 'done', JSON.stringify(first.error));
    assert.equal(first.result!.counts.new, 2);
    assert.equal(first.filesDone, first.filesTotal);
    assert.equal((counts(b).incoming as number) - (before.incoming as number), 2);
    const again = await stageBytes(b, s, sealed, 'goi-lan-2.p7m');
    const second = await b.packageWindow.verify(s, again.stagedId, keysOf(idB));
    assert.equal(second.importable, 0);
    assert.deepEqual(second.byLevel.map((l) => [l.level, l.counts.already]), [['thuong', 1], ['mat', 1]]);
    const mid = counts(b);
    const rerun = await run(b, s, again.stagedId, idB);
    assert.equal(rerun.state, 'done');
    assert.equal(rerun.result!.applied, 0);
    assert.equal(rerun.result!.counts.already, 2);
    assert.deepEqual({ ...counts(b), events: mid.events }, mid);
    assert.equal(counts(b).incoming, mid.incoming, 'no duplicate');
    b.lock('manual');
  });

  test('edXML packets from the window: a ZIP climbing out is refused whole, a file that is no packet is listed refused; the right and the upload are checked', async () => {
    await b.unlock(idB);
    const s = b.session!;
    const before = counts(b);
    const slip = await stageBytes(b, s, makeZip([{ name: '../../ngoai.edxml', bytes: Buffer.from('<edXML/>') }]), 'goi-tin.zip');
    await rejectsKeyed(b.packageWindow.importEdxml(s, slip.stagedId, keysOf(idB)), 'VALIDATION', 'package.error.UNSAFE_ENTRY');
    const refusedAudit = b.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'package.edxml_import' AND outcome = 'refused' AND reason = 'UNSAFE_ENTRY'").pluck().get();
    assert.equal(refusedAudit, 1);
    const junk = await stageBytes(b, s, makeZip([{ name: 'khong-phai.edxml', bytes: Buffer.from('không phải gói tin') }]), 'goi-tin.zip');
    const r = await b.packageWindow.importEdxml(s, junk.stagedId, keysOf(idB));
    assert.deepEqual(r.counts, { opened: 0, waiting: 0, refused: 1, duplicate: 0 });
    assert.equal(r.packets[0]!.name, 'khong-phai.edxml');
    assert.deepEqual(counts(b), before);
    b.lock('manual');
    await b.unlock(otherClerkB.identity);
    const foreign = await call('packages.importEdxml', { stagedId: junk.stagedId });
    assert.ok(!foreign.ok && foreign.error.code === 'FORBIDDEN', JSON.stringify(foreign));
    b.lock('manual');
    await b.unlock(officerB.identity);
    const own = await stageBytes(b, b.session!, makeZip([{ name: 'a.edxml', bytes: Buffer.from('x') }]), 'goi-tin.zip');
    const officer = await call('packages.importEdxml', { stagedId: own.stagedId });
    assert.ok(!officer.ok && officer.error.code === 'FORBIDDEN', JSON.stringify(officer));
    b.lock('manual');
  });

  test('a lock cancels and forgets the runs and previews held in memory: whoever unlocks next can neither see nor follow them', async () => {
    await b.unlock(idB);
    const s = b.session!;
    const staged = await stageBytes(b, s, sealed, 'goi.p7m');
    const started = await b.packageWindow.start(s, staged.stagedId, keysOf(idB));
    const edxml = await stageBytes(b, s, makeZip([{ name: 'khong-phai.edxml', bytes: Buffer.from('không phải gói tin') }]), 'goi-tin.zip');
    const preview = await b.packageWindow.previewEdxml(s, edxml.stagedId, keysOf(idB));
    assert.equal(preview.counts.refused, 1);
    b.lock('idle');
    // Stopped by the lock, whatever it had reached; nothing of it is kept afterwards.
    await b.packageWindow.stopped();
    await b.unlock(otherClerkB.identity);
    const other = await call('packages.importProgress', { runId: started.runId });
    assert.ok(!other.ok && other.error.code === 'NOT_FOUND', JSON.stringify(other));
    const cancel = await call('packages.importCancel', { runId: started.runId });
    assert.ok(!cancel.ok && cancel.error.code === 'NOT_FOUND', JSON.stringify(cancel));
    b.lock('manual');
    // The starter unlocking again: forgotten too, and the import of the previewed upload has no preview to compare with.
    await b.unlock(idB);
    const own = await call('packages.importProgress', { runId: started.runId });
    assert.ok(!own.ok && own.error.code === 'NOT_FOUND', JSON.stringify(own));
    const imported = await b.packageWindow.importEdxml(b.session!, edxml.stagedId, keysOf(idB));
    assert.equal(imported.changed, null, 'the preview went with the lock');
    b.lock('manual');
  });

  test('a run is its starter\'s: another clerk cannot follow or cancel it; a cancel before recording writes nothing', async () => {
    await b.unlock(idB);
    const staged = await stageBytes(b, b.session!, sealed, 'goi.p7m');
    const started = await b.packageWindow.start(clerkB, staged.stagedId, keysOf(idB));
    await b.packageWindow.settled(started.runId);
    // The core checks whose run it is (another actor naming it: refused, and the run goes on).
    const other = actorFor(getUser(b.db, otherClerkB.id)!);
    assert.throws(() => b.packageWindow.progress(other, started.runId), (e: unknown) => e instanceof DeskError && e.code === 'FORBIDDEN' && e.key === 'import.run.notYours');
    assert.throws(() => b.packageWindow.cancel(other, started.runId), (e: unknown) => e instanceof DeskError && e.code === 'FORBIDDEN');
    assert.equal(b.packageWindow.progress(clerkB, started.runId).state, 'done');
    // Another person unlocking later: the lock forgot the run, nothing to follow or cancel.
    b.lock('manual');
    await b.unlock(otherClerkB.identity);
    const p = await call('packages.importProgress', { runId: started.runId });
    assert.ok(!p.ok && p.error.code === 'NOT_FOUND', JSON.stringify(p));
    const c = await call('packages.importCancel', { runId: started.runId });
    assert.ok(!c.ok && c.error.code === 'NOT_FOUND');
    b.lock('manual');
    // The core's cancel: honoured before the one transaction (a signal already aborted: deterministic).
    const envC = await newDesk('state', undefined, { trustAnchors: anchors() });
    cleanups.push(envC.cleanup);
    const before = counts(envC.desk);
    await assert.rejects(envC.desk.packages.import(envC.admin, { file: Buffer.from(sealed), keys: keysOf(envC.identity)(), control: { signal: AbortSignal.abort() } }),
      (e: unknown) => isPackageError(e, 'CANCELLED'));
    assert.deepEqual(counts(envC.desk), before);
  });
});
