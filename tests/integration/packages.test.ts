// Offline packages (issue 10 §1, §5): a package exported by one profile, verified and opened with the
// openssl and sqlite3 command lines alone, imported twice into another profile with no duplicate; a
// copy registered separately is recognised; tampered and truncated packages refused before anything
// is written; classified levels never leave unencrypted; an importer without clearance for a level is
// refused for that level. Real profiles, a real test PKI made by openssl, real envelopes.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3-multiple-ciphers';

import { todayIso } from '../../common/dates';
import type { Desk } from '../../main/core/desk';
import type { Actor } from '../../main/core/org/rights';
import { isPackageError, type PackageErrorCode } from '../../main/core/packages/errors';
import { openLayout } from '../../main/core/packages/layout';
import type { Manifest } from '../../main/core/packages/manifest';
import { checkFileName, checkFileType } from '../../main/core/packages/safety';
import { pemToDer } from '../../main/core/crypto';
import { addActor, newDesk, softIdentity, pdfBytes, registration, stageBytes, tempDir } from '../helpers/desk';
import { openssl, TestPki, type Party } from '../helpers/pki';
import { softKey } from '../helpers/softKey';

let pki: TestPki;
let root: Party;
let signer: Party;
let recipient: Party;
let a: Desk; let clerkA: Actor; let leaderA: Actor;
let b: Desk; let clerkB: Actor; let dirB: string;
const work = tempDir('securedesk-packages-');
const cleanups: Array<() => void> = [];
const pkgPath = join(work.dir, 'goi.p7m');
let sharedPdf: Uint8Array;
let sharedNumber: string;

// The profiles' own (self-signed, software) identity must chain too once trust anchors are set.
const anchors = () => [root.certDer, pemToDer(softIdentity().certPem)[0]!];
const keyOf = (p: Party) => softKey(p.certDer, p.keyPem);
const sqlite = (db: string, sql: string, cwd = work.dir) => execFileSync('sqlite3', [db, sql], { cwd, encoding: 'utf8' });
const counts = (d: Desk) => Object.fromEntries(['main', 'c_thuong', 'c_mat'].flatMap((s) => [
  [`${s}.events`, d.db.prepare(`SELECT count(*) FROM ${s}.events`).pluck().get()],
  ...(s === 'main' ? [['packages', d.db.prepare('SELECT count(*) FROM package_records').pluck().get()]] : [[`${s}.incoming`, d.db.prepare(`SELECT count(*) FROM ${s}.incoming`).pluck().get()]]),
]));

async function rejectsCode(p: Promise<unknown>, code: PackageErrorCode) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isPackageError(e), `expected a PackageError ${code}, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.ok(e.messageVi.length > 0);
    return true;
  });
}

describe('offline packages between two profiles', () => {
  before(async () => {
    pki = new TestPki();
    cleanups.push(() => pki.cleanup(), work.cleanup);
    await pki.generateKeys({ root: 'rsa2048', signer: 'rsa2048', recipient: 'rsa2048' });
    root = pki.issue('root', { subject: '/C=VN/O=Ban Cơ yếu Chính phủ/CN=CA thử nghiệm', ca: true });
    signer = pki.issue('signer', { subject: '/C=VN/O=Văn phòng Tỉnh ủy Quảng Ninh/CN=Nguyễn Thị Hương', issuer: root });
    recipient = pki.issue('recipient', { subject: '/C=VN/O=Sở Nội vụ/CN=Trần Văn Nhận', issuer: root });
    const envA = await newDesk('state');
    cleanups.push(envA.cleanup);
    a = envA.desk; clerkA = envA.admin;
    leaderA = addActor(a, 'lanh_dao', 'tuyet_mat', 'Trần Văn Lãnh');
    const envB = await newDesk('state', undefined, { trustAnchors: anchors() });
    cleanups.push(envB.cleanup);
    b = envB.desk; clerkB = envB.admin; dirB = envB.dir;

    await a.incoming.register(clerkA, await registration(a, clerkA, { subject: 'Về việc tổ chức hội nghị chuyển đổi số' }));
    const secret = await a.incoming.register(clerkA, await registration(a, clerkA, { secrecy: 'mat', subject: 'Về việc bảo vệ bí mật nhà nước' }));
    await a.processing.submit(clerkA, { incomingId: secret.id, leaderId: leaderA.id });
    await a.processing.direct(leaderA, { incomingId: secret.id, text: 'Giao Văn phòng chủ trì', lead: { userId: clerkA.id } });
    // The same document registered on both sides separately: same number-symbol, issuer, date and file.
    sharedPdf = await pdfBytes('Về việc phối hợp kiểm tra');
    sharedNumber = '77/QĐ-UBND';
    for (const [d, actor] of [[a, clerkA], [b, clerkB]] as const) {
      const staged = await stageBytes(d, actor, sharedPdf);
      await d.incoming.register(actor, await registration(d, actor, { numberSymbol: sharedNumber, subject: 'Về việc phối hợp kiểm tra', stagedIds: [staged.stagedId] }));
    }
  });
  after(() => {
    for (const c of cleanups.reverse()) {
      try { c(); } catch { /* closed */ }
    }
  });

  let manifest: Manifest;

  test('a classified selection without recipients is refused, and the refusal is audited', async () => {
    await rejectsCode(a.packages.export(clerkA, { selection: {}, recipients: [], out: join(work.dir, 'plain.sqlite'), signer: keyOf(signer) }), 'NEEDS_RECIPIENTS');
    assert.equal(existsSync(join(work.dir, 'plain.sqlite')), false, 'nothing written');
    const row = a.db.prepare("SELECT outcome, reason FROM audit_log WHERE action = 'package.export' ORDER BY id DESC LIMIT 1").get();
    assert.deepEqual({ ...(row as object) }, { outcome: 'refused', reason: 'NEEDS_RECIPIENTS' });
  });

  test('export: one sealed file for the recipient, the manifest signed, counts per level and register', async () => {
    // The records' year is Vietnam's (the machine's clock in UTC is a year behind from 17:00 on 31/12).
    const r = await a.packages.export(clerkA, { selection: { year: Number(todayIso().slice(0, 4)) }, recipients: [recipient.certDer], out: pkgPath, signer: keyOf(signer) });
    manifest = r.manifest;
    assert.deepEqual(manifest.levels, ['thuong', 'mat']);
    assert.equal(manifest.counts.byLevel.thuong!.documents, 2);
    assert.equal(manifest.counts.byLevel.mat!.documents, 1);
    assert.equal(manifest.counts.byLevel.mat!.files, 1);
    assert.equal(Object.values(manifest.counts.byRegister).reduce((n, x) => n + x.documents, 0), 3);
    assert.equal(manifest.files.length, 3);
    assert.equal(manifest.encrypted, true);
    const bytes = readFileSync(pkgPath);
    assert.equal(bytes.indexOf(Buffer.from('SQLite format 3')), -1, 'sealed: nothing readable');
    assert.equal(bytes.indexOf(Buffer.from('%PDF')), -1);
    const audit = a.db.prepare("SELECT outcome, details FROM audit_log WHERE action = 'package.export' ORDER BY id DESC LIMIT 1").get() as { outcome: string; details: string };
    assert.equal(audit.outcome, 'ok');
    assert.equal(JSON.parse(audit.details).package, r.packageId);
  });

  test('a third party opens and verifies it with openssl cms and the sqlite3 shell alone (docs/packages.md)', () => {
    const db = join(work.dir, 'goi.sqlite');
    openssl(['cms', '-decrypt', '-binary', '-inform', 'DER', '-in', pkgPath, '-recip', recipient.certPath, '-inkey', recipient.keyPath, '-out', db]);
    sqlite(db, "SELECT writefile('manifest.json', json), writefile('manifest.p7s', signature) FROM manifest");
    openssl(['cms', '-verify', '-binary', '-inform', 'DER', '-in', join(work.dir, 'manifest.p7s'), '-content', join(work.dir, 'manifest.json'),
      '-CAfile', root.certPath, '-purpose', 'any', '-out', join(work.dir, 'verified.json')]);
    const m = JSON.parse(readFileSync(join(work.dir, 'verified.json'), 'utf8')) as Manifest;
    assert.equal(m.packageId, manifest.packageId);
    // A manifest changed by one byte no longer verifies.
    const changed = readFileSync(join(work.dir, 'manifest.json'), 'utf8').replace('"thuong"', '"mat"   ');
    writeFileSync(join(work.dir, 'changed.json'), changed);
    assert.throws(() => openssl(['cms', '-verify', '-binary', '-inform', 'DER', '-in', join(work.dir, 'manifest.p7s'), '-content', join(work.dir, 'changed.json'), '-CAfile', root.certPath, '-purpose', 'any', '-out', join(work.dir, 'x')]));
    // Every file against its hash, every event against the manifest's digest.
    const files = sqlite(db, "SELECT sha256 || ' ' || writefile(sha256 || '.bin', bytes) FROM files").trim().split('\n');
    assert.equal(files.length, m.files.length);
    for (const f of m.files) {
      const out = openssl(['dgst', '-sha256', '-r', join(work.dir, `${f.sha256}.bin`)]).toString();
      assert.equal(out.split(' ')[0], f.sha256);
    }
    const events = execFileSync('sqlite3', [db, 'SELECT body FROM events ORDER BY seq'], { cwd: work.dir });
    assert.equal(createHash('sha256').update(events).digest('hex'), m.eventsSha256);
    assert.equal(Number(sqlite(db, 'SELECT count(*) FROM events').trim()), m.counts.events);
  });

  test('preview, then import: new documents come in with their files and history; the copy registered separately is recognised', async () => {
    const before = counts(b);
    const dry = await b.packages.import(clerkB, { file: pkgPath, keys: [keyOf(signer), keyOf(recipient)], dryRun: true });
    assert.deepEqual(counts(b), before, 'a dry run writes nothing');
    assert.deepEqual(dry.preview.byLevel.thuong, { new: 1, already: 0, update: 0, duplicate: 1, conflict: 0, refused: 0 });
    assert.deepEqual(dry.preview.byLevel.mat, { new: 1, already: 0, update: 0, duplicate: 0, conflict: 0, refused: 0 });
    assert.equal(dry.preview.agency.code, '000.00.01.H49');
    assert.match(dry.preview.signer ?? '', /Nguyễn Thị Hương/);

    const r = await b.packages.import(clerkB, { file: pkgPath, keys: [keyOf(signer), keyOf(recipient)] });
    assert.equal(r.conflicts, 0);
    assert.equal(r.waiting, 0, 'every referenced record came with the package');
    assert.equal(r.filesPlaced, 2);
    const list = b.incoming.list(clerkB, { sort: { field: 'arrival', dir: 'asc' }, offset: 0, limit: 50 });
    assert.deepEqual(list.map((d) => d.subject).sort(), ['Về việc bảo vệ bí mật nhà nước', 'Về việc phối hợp kiểm tra', 'Về việc tổ chức hội nghị chuyển đổi số'].sort());
    assert.equal(list.filter((d) => d.subject === 'Về việc phối hợp kiểm tra').length, 1, 'the separately registered copy is not duplicated');
    const secretB = list.find((d) => d.secrecy === 'mat')!;
    const steps = b.processing.state(clerkB, secretB.id).steps.map((s) => s.kind);
    assert.ok(steps.length >= 2, `processing history kept: ${steps.join(',')}`);
    const detail = b.incoming.get(clerkB, secretB.id);
    const opened = await b.attachments.openTicket(b.attachments.open(clerkB, detail.attachments[0]!.id).ticket);
    const chunks: Buffer[] = [];
    for await (const c of opened!.stream) chunks.push(c as Buffer);
    assert.equal(Buffer.concat(chunks).subarray(0, 5).toString(), '%PDF-');
    const prov = b.db.prepare('SELECT p.agency_code, r.outcome, r.matched_global_id FROM package_records r JOIN package_imports p USING (package_id) ORDER BY r.outcome').all() as Array<{ agency_code: string; outcome: string; matched_global_id: string | null }>;
    assert.deepEqual(prov.map((p) => p.outcome), ['duplicate', 'new', 'new']);
    assert.ok(prov.every((p) => p.agency_code === '000.00.01.H49'));
    assert.ok(prov[0]!.matched_global_id, 'the copy here is named');
  });

  test('importing the same package again adds nothing', async () => {
    const before = counts(b);
    const again = await b.packages.import(clerkB, { file: pkgPath, keys: [keyOf(signer), keyOf(recipient)] });
    assert.equal(again.applied, 0);
    assert.equal(again.filesPlaced, 0);
    assert.deepEqual(again.preview.byLevel.thuong, { new: 0, already: 1, update: 0, duplicate: 1, conflict: 0, refused: 0 });
    assert.deepEqual(counts(b), before);
  });

  test('a tampered or truncated package is refused before anything is written', async () => {
    const before = counts(b);
    const tampered = join(work.dir, 'tampered.p7m');
    const bytes = readFileSync(pkgPath);
    const t = Buffer.from(bytes);
    t[Math.floor(t.length / 2)]! ^= 0x01;
    writeFileSync(tampered, t);
    await rejectsCode(b.packages.import(clerkB, { file: tampered, keys: [keyOf(signer), keyOf(recipient)] }), 'TAMPERED');
    const truncated = join(work.dir, 'truncated.p7m');
    copyFileSync(pkgPath, truncated);
    truncateSync(truncated, bytes.length - 700);
    await rejectsCode(b.packages.import(clerkB, { file: truncated, keys: [keyOf(signer), keyOf(recipient)] }), 'TRUNCATED');
    assert.deepEqual(counts(b), before);
    // Decrypted in memory only: no file of the profile holds a package's plaintext (its manifest).
    const found = spawnSync('grep', ['-rla', '"eventsSha256"', dirB], { encoding: 'utf8' });
    assert.equal(found.stdout, '', 'no decrypted package in the profile');
    const refused = b.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'package.import' AND outcome = 'refused'").pluck().get();
    assert.equal(refused, 2);
  });

  test('an unencrypted Thường package: a changed file is refused by its hash; a foreign signer by the trust anchors', async () => {
    const plain = join(work.dir, 'thuong.sqlite');
    await a.packages.export(clerkA, { selection: { secrecy: ['thuong'] }, recipients: [], out: plain, signer: keyOf(signer) });
    const ok = await b.packages.verify(clerkB, { file: plain });
    assert.equal(ok.documents.length, 2);
    const changed = join(work.dir, 'thuong-changed.sqlite');
    copyFileSync(plain, changed);
    const db = new Database(changed);
    db.prepare("UPDATE files SET bytes = CAST('%PDF-1.7 altered' AS BLOB) WHERE rowid = 1").run();
    db.exec('VACUUM');
    db.close();
    await rejectsCode(b.packages.verify(clerkB, { file: changed }), 'HASH_MISMATCH');
    await rejectsCode(a.packages.verify(clerkA, { file: plain }), 'BAD_SIGNATURE'); // A has no trust anchors configured
    const withView = join(work.dir, 'thuong-view.sqlite');
    copyFileSync(plain, withView);
    const v = new Database(withView);
    v.exec('CREATE VIEW x AS SELECT 1');
    v.close();
    assert.throws(() => openLayout(readFileSync(withView), 1 << 30), (e: unknown) => isPackageError(e, 'NOT_A_PACKAGE'));
    await rejectsCode(b.packages.verify(clerkB, { file: withView }), 'NOT_A_PACKAGE');
  });

  test('an importer without clearance for a level is refused for that level, and takes the rest', async () => {
    const envC = await newDesk('state', undefined, { trustAnchors: anchors() });
    cleanups.push(envC.cleanup);
    const c = envC.desk;
    const clerk = addActor(c, 'van_thu', 'thuong', 'Lê Thị Thường');
    assert.ok(clerk.rights.includes('doc.register'));
    const r = await c.packages.import(clerk, { file: pkgPath, keys: [keyOf(signer), keyOf(recipient)] });
    assert.deepEqual(r.preview.byLevel.mat, { new: 0, already: 0, update: 0, duplicate: 0, conflict: 0, refused: 1 });
    assert.equal(r.preview.byLevel.thuong!.new, 2);
    assert.equal(c.db.prepare('SELECT count(*) FROM c_mat.incoming').pluck().get(), 0);
    assert.equal(c.db.prepare('SELECT count(*) FROM c_thuong.incoming').pluck().get(), 2);
    assert.match(r.preview.documents.find((d) => d.level === 'mat')!.detail!, /clearance/);
  });
});

describe('package safety checks', () => {
  test('names that could climb out of a folder are refused', () => {
    for (const bad of ['../vanban.pdf', '..', '/etc/passwd', 'C:\\Windows\\x.pdf', 'c:x.pdf', 'thu/muc.pdf', 'a\\b.pdf', 'x\0.pdf', '']) {
      assert.throws(() => checkFileName(bad), (e: unknown) => isPackageError(e, 'UNSAFE_NAME'), bad);
    }
    checkFileName('Quyết định 15.pdf');
  });
  test('files whose bytes lie about their type are refused', () => {
    assert.throws(() => checkFileType('x', 'application/pdf', Buffer.from('MZ\x90\x00')), (e: unknown) => isPackageError(e, 'TYPE_MISMATCH'));
    assert.throws(() => checkFileType('x', 'image/jpeg', Buffer.from('%PDF-1.7')), (e: unknown) => isPackageError(e, 'TYPE_MISMATCH'));
    assert.throws(() => checkFileType('x', 'text/plain', Buffer.from('\x7fELF')), (e: unknown) => isPackageError(e, 'TYPE_MISMATCH'));
    checkFileType('x', 'application/pdf', Buffer.from('%PDF-1.7\n'));
  });
  test('a database that is not our layout, or longer than its pages, is refused', () => {
    const t = tempDir('securedesk-pkg-layout-');
    try {
      const p = join(t.dir, 'x.sqlite');
      const d = new Database(p);
      d.exec('CREATE TABLE manifest (id INTEGER PRIMARY KEY, json BLOB, signature BLOB)');
      d.close();
      assert.throws(() => openLayout(readFileSync(p), 1 << 20), (e: unknown) => isPackageError(e, 'NOT_A_PACKAGE'));
      writeFileSync(p, Buffer.concat([readFileSync(p), Buffer.alloc(100)]));
      assert.throws(() => openLayout(readFileSync(p), 1 << 20), (e: unknown) => isPackageError(e, 'TRUNCATED') || isPackageError(e, 'NOT_A_PACKAGE'));
      assert.throws(() => openLayout(readFileSync(p), 10), (e: unknown) => isPackageError(e, 'TOO_LARGE'));
    } finally {
      t.cleanup();
    }
  });
});

