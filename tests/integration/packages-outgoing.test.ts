// Offline packages with outgoing documents and work files (issue 10 §1): a package exported by one
// profile carries its issued outgoing documents (files, signed PDF, signatures, recipients, dispatches
// and history) and the work files they and the incoming documents are filed in (with membership and
// history); a third party verifies it with openssl cms and the sqlite3 shell alone; another profile
// imports it twice with no duplicate and sees the outgoing documents and work files in the preview.
// Attacks: rows claiming a level other than the part they are filed under (signed by a trusted key),
// an importer without clearance for a level, a tampered manifest. Real profiles, PKI and envelopes.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3-multiple-ciphers';

import { todayIso, yearOf } from '../../common/dates';
import type { Secrecy } from '../../common/domain';
import { outgoingCreateSchema } from '../../common/schemas';
import { pemToDer, signDetached, type PrivateKeyOps } from '../../main/core/crypto';
import type { Desk } from '../../main/core/desk';
import { actorFor, getUser } from '../../main/core/org/users';
import type { Actor } from '../../main/core/org/rights';
import { isPackageError, type PackageErrorCode } from '../../main/core/packages/errors';
import { createLayout } from '../../main/core/packages/layout';
import { eventsDigest, type Manifest } from '../../main/core/packages/manifest';
import { addActor, newDesk, registration, softIdentity, stageBytes, tempDir } from '../helpers/desk';
import { addPerson } from '../helpers/people';
import { openssl, TestPki, type Party } from '../helpers/pki';
import { softKey } from '../helpers/softKey';
import { markedPdf } from '../helpers/workfilePdfs';

let pki: TestPki;
let root: Party;
let signer: Party;
let recipient: Party;
let a: Desk; let clerkA: Actor; let clerkKeyA: PrivateKeyOps; let drafterA: Actor; let leaderA: Actor; let leaderKeyA: PrivateKeyOps;
let b: Desk; let clerkB: Actor;
const work = tempDir('securedesk-packages-out-');
const cleanups: Array<() => void> = [];
const pkgPath = join(work.dir, 'goi.p7m');
const year = yearOf(todayIso(new Date()));
const ids: { issued?: number; secret?: number; incoming?: number; file?: number; secretFile?: number } = {};

const anchors = () => [root.certDer, pemToDer(softIdentity().certPem)[0]!];
const keyOf = (p: Party) => softKey(p.certDer, p.keyPem);
const keys = () => [keyOf(signer), keyOf(recipient)];
const sqlite = (db: string, sql: string) => execFileSync('sqlite3', [db, sql], { cwd: work.dir, encoding: 'utf8' });
const counts = (d: Desk) => Object.fromEntries([
  ...['main', 'c_thuong', 'c_mat'].map((s) => [`${s}.events`, d.db.prepare(`SELECT count(*) FROM ${s}.events`).pluck().get()]),
  ...['c_thuong', 'c_mat'].flatMap((s) => ['outgoing', 'outgoing_files', 'outgoing_dispatches', 'work_file_items'].map((t) => [`${s}.${t}`, d.db.prepare(`SELECT count(*) FROM ${s}.${t}`).pluck().get()])),
  ['work_files', d.db.prepare('SELECT count(*) FROM main.work_files').pluck().get()],
  ['package_records', d.db.prepare('SELECT count(*) FROM main.package_records').pluck().get()],
]);

async function rejectsCode(p: Promise<unknown>, code: PackageErrorCode) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isPackageError(e), `expected a PackageError ${code}, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return true;
  });
}

async function issueOutgoing(marker: string, secrecy: Secrecy): Promise<number> {
  const main = await stageBytes(a, drafterA, await markedPdf(marker, 1), `${marker}.pdf`);
  const d = await a.outgoing.create(drafterA, outgoingCreateSchema.parse({
    typeCode: 'KH', subject: `Kế hoạch ${marker}`, secrecy, urgency: 'thuong', signerId: leaderA.id, signerCompetence: 'TM. BAN THƯỜNG VỤ', approvers: [leaderA.id],
    recipients: [{ code: '000.00.00.H49', name: 'UBND tỉnh Quảng Ninh' }], issuedAmount: 2, stagedIds: [main.stagedId], comment: '',
  }));
  await a.outgoing.submit(drafterA, { id: d.id, comment: '' });
  await a.outgoing.approve(leaderA, { id: d.id, comment: 'Đồng ý' });
  await a.outgoing.signAsSigner(leaderA, d.id, leaderKeyA);
  await a.outgoing.issue(clerkA, d.id, clerkKeyA);
  return d.id;
}

/** A package re-signed by a trusted key after its rows were changed: what an insider with a valid token could send. */
function resign(from: string, to: string, change: (db: Database.Database) => void, key: PrivateKeyOps): Promise<void> {
  const src = new Database(readFileSync(from));
  const manifest = JSON.parse((src.prepare('SELECT json FROM manifest').pluck().get() as Buffer).toString('utf8')) as Manifest;
  const out = createLayout();
  for (const r of src.prepare('SELECT * FROM events').all() as Array<Record<string, unknown>>) out.prepare('INSERT INTO events VALUES (@seq, @schema, @document, @body)').run(r);
  for (const r of src.prepare('SELECT * FROM files').all() as Array<Record<string, unknown>>) out.prepare('INSERT INTO files VALUES (@sha256, @level, @mime, @bytes)').run(r);
  src.close();
  change(out);
  manifest.eventsSha256 = eventsDigest(out.prepare('SELECT body FROM events ORDER BY seq').pluck().all() as string[]);
  for (const r of manifest.records) {
    const schema = out.prepare('SELECT schema FROM events WHERE json_extract(body, \'$.entityId\') = ? LIMIT 1').pluck().get(r.globalId) as string | undefined;
    if (schema) r.level = schema === 'base' ? null : (schema as Secrecy);
  }
  const json = Buffer.from(JSON.stringify(manifest, null, 2));
  return signDetached(json, { key }).then((sig) => {
    out.prepare('INSERT INTO manifest VALUES (1, ?, ?)').run(json, Buffer.from(sig));
    writeFileSync(to, out.serialize());
    out.close();
  });
}

describe('packages carry outgoing documents and work files', () => {
  before(async () => {
    pki = new TestPki();
    cleanups.push(() => pki.cleanup(), work.cleanup);
    await pki.generateKeys({ root: 'rsa2048', signer: 'rsa2048', recipient: 'rsa2048' });
    root = pki.issue('root', { subject: '/C=VN/O=Ban Cơ yếu Chính phủ/CN=CA thử nghiệm', ca: true });
    signer = pki.issue('signer', { subject: '/C=VN/O=Văn phòng Tỉnh ủy Quảng Ninh/CN=Nguyễn Thị Hương', issuer: root });
    recipient = pki.issue('recipient', { subject: '/C=VN/O=Sở Nội vụ/CN=Trần Văn Nhận', issuer: root });
    const envA = await newDesk('state');
    cleanups.push(envA.cleanup);
    a = envA.desk; clerkA = envA.admin; clerkKeyA = envA.identity.signingKeys[0]!;
    drafterA = actorFor(getUser(a.db, (await addPerson(a, { fullName: 'Trần Văn Soạn', role: 'chuyen_vien', clearance: 'tuyet_mat' })).id)!);
    const leader = await addPerson(a, { fullName: 'Nguyễn Văn Ký', role: 'lanh_dao', clearance: 'tuyet_mat' });
    leaderA = actorFor(getUser(a.db, leader.id)!); leaderKeyA = leader.identity.signingKeys[0]!;
    const envB = await newDesk('state', undefined, { trustAnchors: anchors() });
    cleanups.push(envB.cleanup);
    b = envB.desk; clerkB = envB.admin;

    ids.issued = await issueOutgoing('OUT-THUONG', 'thuong');
    ids.secret = await issueOutgoing('OUT-MAT', 'mat');
    ids.incoming = (await a.incoming.register(clerkA, await registration(a, clerkA, { subject: 'Về việc lập hồ sơ công việc' }))).id;
    const f = await a.workFiles.create(clerkA, { year, notation: '05.VP', title: 'Hồ sơ kế hoạch công tác năm', retention: 10, responsibleUserId: clerkA.id });
    await a.workFiles.open(clerkA, f.id);
    await a.workFiles.addItem(clerkA, { fileId: f.id, kind: 'outgoing', recordId: ids.issued });
    await a.workFiles.addItem(clerkA, { fileId: f.id, kind: 'incoming', recordId: ids.incoming });
    ids.file = f.id;
    const s = await a.workFiles.create(clerkA, { year, notation: '06.VP', title: 'Hồ sơ bảo vệ bí mật', retention: 20, responsibleUserId: clerkA.id });
    await a.workFiles.open(clerkA, s.id);
    await a.workFiles.addItem(clerkA, { fileId: s.id, kind: 'outgoing', recordId: ids.secret });
    ids.secretFile = s.id;
  });
  after(() => {
    for (const c of cleanups.reverse()) {
      try { c(); } catch { /* closed */ }
    }
  });

  let manifest: Manifest;

  test('export: issued outgoing documents with their files and signed PDF, the work files with their history; counts in the signed manifest', async () => {
    const r = await a.packages.export(clerkA, { selection: { year }, recipients: [recipient.certDer], out: pkgPath, signer: keyOf(signer) });
    manifest = r.manifest;
    assert.deepEqual(manifest.levels, ['thuong', 'mat']);
    assert.deepEqual(manifest.counts.byLevel.thuong, { documents: 1, outgoing: 1, files: manifest.counts.byLevel.thuong!.files });
    assert.equal(manifest.counts.byLevel.mat!.outgoing, 1);
    assert.equal(manifest.counts.workFiles, 2);
    const entities = new Set(manifest.records.map((x) => x.entity));
    for (const e of ['outgoing', 'outgoing_files', 'outgoing_signatures', 'outgoing_recipients', 'outgoing_dispatches', 'work_file_items', 'work_files']) assert.ok(entities.has(e as never), `carries ${e}`);
    // The signed PDF of each outgoing document travels with the file as uploaded.
    const signed = a.db.prepare('SELECT signed_sha256 FROM c_thuong.outgoing_files WHERE outgoing_id = ?').pluck().get(ids.issued) as string;
    assert.ok(manifest.files.some((f) => f.sha256 === signed && f.level === 'thuong'));
    // Only the work file's selection: its documents, both kinds.
    const byFile = await a.packages.export(clerkA, { selection: { workFileId: ids.file! }, recipients: [recipient.certDer], out: join(work.dir, 'ho-so.p7m'), signer: keyOf(signer) });
    assert.deepEqual(byFile.manifest.levels, ['thuong']);
    assert.deepEqual([byFile.manifest.counts.byLevel.thuong!.documents, byFile.manifest.counts.byLevel.thuong!.outgoing], [1, 1]);
    assert.equal(byFile.manifest.counts.workFiles, 1);
  });

  test('a third party verifies it with openssl cms and the sqlite3 shell alone, and reads the outgoing documents and work files', () => {
    const db = join(work.dir, 'goi.sqlite');
    openssl(['cms', '-decrypt', '-binary', '-inform', 'DER', '-in', pkgPath, '-recip', recipient.certPath, '-inkey', recipient.keyPath, '-out', db]);
    sqlite(db, "SELECT writefile('manifest.json', json), writefile('manifest.p7s', signature) FROM manifest");
    openssl(['cms', '-verify', '-binary', '-inform', 'DER', '-in', join(work.dir, 'manifest.p7s'), '-content', join(work.dir, 'manifest.json'),
      '-CAfile', root.certPath, '-purpose', 'any', '-out', join(work.dir, 'verified.json')]);
    const m = JSON.parse(readFileSync(join(work.dir, 'verified.json'), 'utf8')) as Manifest;
    assert.equal(m.packageId, manifest.packageId);
    const events = execFileSync('sqlite3', [db, 'SELECT body FROM events ORDER BY seq'], { cwd: work.dir });
    assert.equal(createHash('sha256').update(events).digest('hex'), m.eventsSha256);
    for (const f of m.files) {
      sqlite(db, `SELECT writefile('${f.sha256}.bin', bytes) FROM files WHERE sha256 = '${f.sha256}'`);
      assert.equal(openssl(['dgst', '-sha256', '-r', join(work.dir, `${f.sha256}.bin`)]).toString().split(' ')[0], f.sha256);
    }
    // docs/packages.md: the outgoing documents, and the work files with their documents.
    const outgoing = sqlite(db, "SELECT DISTINCT json_extract(body,'$.data.number_symbol') AS so_ky_hieu, json_extract(body,'$.data.issued_date') AS ngay_ban_hanh, schema AS do_mat FROM events WHERE json_extract(body,'$.entity') = 'outgoing' AND json_extract(body,'$.data.status') = 'issued'");
    const lines = outgoing.trim().split('\n');
    assert.equal(lines.length, 2, outgoing);
    assert.match(lines[0]!, /\/KH-.*\|\d{4}-\d\d-\d\d\|thuong/);
    assert.match(lines[1]!, /\|mat$/);
    const files = sqlite(db, "SELECT DISTINCT json_extract(body,'$.data.code') || '|' || json_extract(body,'$.data.title') FROM events WHERE json_extract(body,'$.entity') = 'work_files' AND json_extract(body,'$.kind') = 'create'");
    assert.match(files, /Hồ sơ kế hoạch công tác năm/);
    const members = sqlite(db, "SELECT json_extract(body,'$.data.kind') FROM events WHERE json_extract(body,'$.entity') = 'work_file_items' ORDER BY 1");
    assert.deepEqual(members.trim().split('\n'), ['incoming', 'outgoing', 'outgoing']);
  });

  test('preview, import, import again: outgoing documents and work files come in once, with files, signatures, dispatches and membership', async () => {
    const before = counts(b);
    const dry = await b.packages.import(clerkB, { file: pkgPath, keys: keys(), dryRun: true });
    assert.deepEqual(counts(b), before, 'a dry run writes nothing');
    assert.deepEqual(dry.preview.outgoingByLevel.thuong, { new: 1, already: 0, update: 0, duplicate: 0, conflict: 0, refused: 0 });
    assert.deepEqual(dry.preview.outgoingByLevel.mat, { new: 1, already: 0, update: 0, duplicate: 0, conflict: 0, refused: 0 });
    assert.equal(dry.preview.byLevel.thuong!.new, 2);
    assert.deepEqual(dry.preview.workFiles.map((w) => [w.title, w.level, w.outcome]).sort(), [['Hồ sơ bảo vệ bí mật', 'mat', 'new'], ['Hồ sơ kế hoạch công tác năm', 'thuong', 'new']]);

    const r = await b.packages.import(clerkB, { file: pkgPath, keys: keys() });
    assert.equal(r.waiting, 0, 'every referenced record came with the package');
    assert.equal(r.conflicts, 0);
    const outB = b.db.prepare('SELECT o.id, o.subject, o.status, o.number_symbol FROM c_thuong.outgoing o').all() as Array<{ id: number; subject: string; status: string; number_symbol: string }>;
    assert.deepEqual(outB.map((o) => [o.subject, o.status]), [['Kế hoạch OUT-THUONG', 'issued']]);
    assert.equal(outB[0]!.number_symbol, a.outgoing.get(clerkA, ids.issued!).numberSymbol);
    const detail = b.outgoing.get(clerkB, outB[0]!.id);
    assert.equal(detail.subject, 'Kế hoạch OUT-THUONG');
    for (const t of ['outgoing_files', 'outgoing_signatures', 'outgoing_recipients', 'outgoing_dispatches', 'outgoing_steps']) {
      assert.equal(b.db.prepare(`SELECT count(*) FROM c_thuong.${t}`).pluck().get(), a.db.prepare(`SELECT count(*) FROM c_thuong.${t} WHERE outgoing_id = ?`).pluck().get(ids.issued), t);
    }
    const signed = b.db.prepare('SELECT signed_sha256 FROM c_thuong.outgoing_files').pluck().get() as string;
    assert.ok(await b.context().storeFor('thuong').hasBlob(signed), 'the signed PDF is in the Thường store');
    const fileB = b.db.prepare("SELECT id, secrecy FROM main.work_files WHERE title = 'Hồ sơ kế hoạch công tác năm'").get() as { id: number; secrecy: string };
    const viewed = b.workFiles.get(clerkB, fileB.id);
    assert.deepEqual(viewed.items.map((i) => i.kind).sort(), ['incoming', 'outgoing']);
    assert.equal(b.db.prepare("SELECT secrecy FROM main.work_files WHERE title = 'Hồ sơ bảo vệ bí mật'").pluck().get(), 'mat');
    const prov = b.db.prepare('SELECT outcome, count(*) AS n FROM main.package_records GROUP BY outcome').all();
    assert.deepEqual(prov.map((p) => ({ ...(p as object) })), [{ outcome: 'new', n: 3 }]);

    const after1 = counts(b);
    const again = await b.packages.import(clerkB, { file: pkgPath, keys: keys() });
    assert.equal(again.applied, 0);
    assert.equal(again.filesPlaced, 0);
    assert.deepEqual(again.preview.outgoingByLevel.thuong, { new: 0, already: 1, update: 0, duplicate: 0, conflict: 0, refused: 0 });
    assert.deepEqual(again.preview.workFiles.map((w) => w.outcome), [], 'nothing comes in, so no work file is needed');
    assert.deepEqual(counts(b), after1, 'importing twice adds nothing');
  });

  test('an outgoing document received and registered here as incoming is recognised as a copy, not imported again', async () => {
    const envC = await newDesk('state', undefined, { trustAnchors: anchors() });
    cleanups.push(envC.cleanup);
    const c = envC.desk; const clerkC = envC.admin;
    const issued = a.outgoing.get(clerkA, ids.issued!);
    const signedSha = a.db.prepare('SELECT signed_sha256 FROM c_thuong.outgoing_files WHERE outgoing_id = ?').pluck().get(ids.issued) as string;
    const chunks: Buffer[] = [];
    for await (const ch of a.context().storeFor('thuong').openBlob(signedSha)) chunks.push(ch as Buffer);
    const staged = await stageBytes(c, clerkC, Buffer.concat(chunks), 'ke-hoach.pdf');
    const agency = a.db.prepare('SELECT name FROM main.units WHERE is_self = 1').pluck().get() as string;
    await c.incoming.register(clerkC, await registration(c, clerkC, {
      issuer: { name: agency }, numberSymbol: issued.numberSymbol!, documentDate: issued.issuedDate!, subject: issued.subject, stagedIds: [staged.stagedId],
    }));
    const dry = await c.packages.import(clerkC, { file: pkgPath, keys: keys(), dryRun: true });
    const doc = dry.preview.documents.find((d) => d.kind === 'outgoing' && d.level === 'thuong')!;
    assert.equal(doc.outcome, 'duplicate');
    assert.ok(doc.detail, 'the copy here is named');
  });

  test('attack: an importer cleared for Thường takes the Thường documents and file; the Mật outgoing document and Mật work file stay out', async () => {
    const envD = await newDesk('state', undefined, { trustAnchors: anchors() });
    cleanups.push(envD.cleanup);
    const d = envD.desk;
    const clerk = addActor(d, 'van_thu', 'thuong', 'Lê Thị Thường');
    const r = await d.packages.import(clerk, { file: pkgPath, keys: keys() });
    assert.deepEqual(r.preview.outgoingByLevel.mat, { new: 0, already: 0, update: 0, duplicate: 0, conflict: 0, refused: 1 });
    assert.equal(d.db.prepare('SELECT count(*) FROM c_mat.outgoing').pluck().get(), 0);
    assert.equal(d.db.prepare('SELECT count(*) FROM c_mat.events').pluck().get(), 0);
    assert.equal(d.db.prepare('SELECT count(*) FROM c_thuong.outgoing').pluck().get(), 1);
    assert.deepEqual(d.db.prepare('SELECT title FROM main.work_files').pluck().all(), ['Hồ sơ kế hoạch công tác năm'], 'the Mật work file\'s title never arrives');
    assert.equal(r.waiting, 0);
  });

  test('attack: rows claiming another level than the part they are filed under are refused whole, even signed by a trusted key', async () => {
    const plain = join(work.dir, 'thuong.sqlite');
    await a.packages.export(clerkA, { selection: { secrecy: ['thuong'] }, recipients: [], out: plain, signer: keyOf(signer) });
    // A Tối mật document smuggled into the Thường part: its row says tuyet_mat.
    const forged = join(work.dir, 'forged.sqlite');
    await resign(plain, forged, (db) => {
      db.prepare("UPDATE events SET body = json_set(body, '$.data.secrecy', 'tuyet_mat') WHERE json_extract(body, '$.entity') = 'outgoing' AND json_extract(body, '$.kind') = 'create'").run();
    }, keyOf(signer));
    const before = counts(b);
    await rejectsCode(b.packages.verify(clerkB, { file: forged }), 'LEVEL_MISMATCH');
    await rejectsCode(b.packages.import(clerkB, { file: forged }), 'LEVEL_MISMATCH');
    // A Mật work file in an unencrypted package.
    const forgedFile = join(work.dir, 'forged-file.sqlite');
    await resign(plain, forgedFile, (db) => {
      db.prepare("UPDATE events SET body = json_set(body, '$.data.secrecy', 'mat') WHERE json_extract(body, '$.entity') = 'work_files' AND json_extract(body, '$.kind') = 'create'").run();
    }, keyOf(signer));
    await rejectsCode(b.packages.import(clerkB, { file: forgedFile }), 'LEVEL_MISMATCH');
    // A manifest claiming encryption on a plain file, or a Mật level in clear.
    const liar = join(work.dir, 'liar.sqlite');
    await resign(plain, liar, (db) => {
      db.prepare("UPDATE events SET schema = 'mat', body = json_set(body, '$.data.secrecy', 'mat') WHERE schema = 'thuong' AND json_extract(body, '$.entity') = 'outgoing'").run();
    }, keyOf(signer));
    await assert.rejects(b.packages.import(clerkB, { file: liar }), (e: unknown) => isPackageError(e));
    assert.deepEqual(counts(b), before, 'nothing written');
  });

  test('attack: a manifest changed after signing is refused before anything is written', async () => {
    const plain = join(work.dir, 'thuong2.sqlite');
    await a.packages.export(clerkA, { selection: { secrecy: ['thuong'] }, recipients: [], out: plain, signer: keyOf(signer) });
    const db = new Database(plain);
    const json = db.prepare('SELECT json FROM manifest').pluck().get() as Buffer;
    db.prepare('UPDATE manifest SET json = ?').run(Buffer.from(json.toString('utf8').replace('"outgoing": 1', '"outgoing": 0')));
    db.exec('VACUUM');
    db.close();
    const before = counts(b);
    await rejectsCode(b.packages.import(clerkB, { file: plain }), 'BAD_SIGNATURE');
    assert.deepEqual(counts(b), before);
  });
});
