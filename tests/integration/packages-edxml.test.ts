// Folders and ZIPs of edXML packets on removable media (issue 10 §2), between two real agencies whose
// văn thư hold the agency's key on SoftHSM tokens: A exports the packets of its issued documents (a
// Thường one signed, a Mật one sealed for B) as a ZIP and as a folder; B imports the ZIP (each packet
// through the exchange's own checks), then the folder (every packet recognised as already received),
// with a file that is no packet and a packet for another agency listed with their reasons. Attacks: a
// ZIP whose entries climb out of the folder (zip-slip) or are links is refused whole, nothing read.
// The window's preview: each packet's outcome and reason (a tampered one refused for its signature)
// with nothing written, then the import doing exactly that, or saying what changed meanwhile.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Secrecy } from '../../common/domain';
import { DeskError } from '../../common/errors';
import { outgoingCreateSchema } from '../../common/schemas';
import type { PrivateKeyOps } from '../../main/core/crypto';
import { Desk } from '../../main/core/desk';
import type { Actor } from '../../main/core/org/rights';
import { actorFor, getUser } from '../../main/core/org/users';
import { isPackageError } from '../../main/core/packages/errors';
import { storedZip } from '../../main/core/packages/zipWrite';
import { ZipArchive } from '../../main/core/import/zipSource';
import { todayIso, yearOf } from '../../common/dates';
import { TokenService, type SignedInToken } from '../../main/core/session/tokens';
import { makeSamplePdf } from '../../main/devhost/samplePdf';
import { TokenBridge } from '../../native/bridge/client';
import { moduleId } from '../../native/modules/discovery';
import { createSoftHsm, type SoftHsm } from '../fixtures/softhsm/tokens';
import { stageBytes, tempDir } from '../helpers/desk';
import { addToken, type CustomToken } from '../helpers/hsmTokens';
import { addPerson } from '../helpers/people';

const A = '000.00.01.H49';
const B = '000.00.12.H49';
const C = '000.00.33.H49';
const AGENCY_USAGE = 'critical,digitalSignature,nonRepudiation,keyEncipherment';

let hsm: SoftHsm;
let bridge: TokenBridge;
interface Agency { desk: Desk; clerk: Actor; key: PrivateKeyOps; keys: readonly PrivateKeyOps[]; cleanup(): void }
let a: Agency;
let b: Agency;
let drafter: Actor;
let signer: Actor;
let signerKey: PrivateKeyOps;
let secretId = 0;
const work = tempDir('securedesk-edxml-batch-');

async function agency(token: SignedInToken, code: string, name: string, clerkName: string): Promise<Agency> {
  const t = tempDir('securedesk-edxml-batch-');
  const desk = await Desk.open({ profileDir: t.dir, trustAnchors: [hsm.ca.certDer] });
  const session = await desk.setup({ unit: { name, code, preset: 'party' }, admin: { fullName: clerkName, position: 'Văn thư', role: 'van_thu', clearance: 'tuyet_mat' } }, token.identity);
  const clerk = actorFor(session.user);
  return { desk, clerk, key: desk.org.signingKey(clerk, token.signingKeys), keys: [...token.identity.unlockKeys, ...token.signingKeys], cleanup: () => { desk.close(); t.cleanup(); } };
}

async function issue(secrecy: Secrecy, subject: string, to: string[]): Promise<number> {
  const main = await stageBytes(a.desk, drafter, await makeSamplePdf({ issuer: 'Tỉnh ủy Quảng Ninh', numberSymbol: '     -CV/TU', title: 'CÔNG VĂN', subject }), 'cong-van.pdf');
  const d = await a.desk.outgoing.create(drafter, outgoingCreateSchema.parse({
    typeCode: 'CV', subject, secrecy, urgency: 'khan', signerId: signer.id, signerCompetence: 'T/M BAN THƯỜNG VỤ', approvers: [signer.id],
    recipients: to.map((code) => ({ code, name: code === B ? 'Ban Tổ chức Tỉnh ủy' : 'Ban Tuyên giáo Tỉnh ủy' })), issuedAmount: 2, stagedIds: [main.stagedId], comment: '',
  }));
  await a.desk.outgoing.submit(drafter, { id: d.id, comment: '' });
  await a.desk.outgoing.approve(signer, { id: d.id, comment: 'Đồng ý' });
  await a.desk.outgoing.signAsSigner(signer, d.id, signerKey);
  await a.desk.outgoing.issue(a.clerk, d.id, a.key);
  return d.id;
}

const inbound = (d: Desk) => d.db.prepare('SELECT count(*) FROM main.exchange_inbound').pluck().get() as number;

before(async () => {
  hsm = await createSoftHsm({ tokens: ['recovery'] });
  const key = (subject: string) => [{ id: '01', label: 'agency', algorithm: 'rsa:2048' as const, subject, keyUsage: AGENCY_USAGE, issuer: 'ca' as const }];
  const tokA: CustomToken = await addToken(hsm, 'AGENCY-A', '246810', key('/CN=Văn phòng Tỉnh ủy Quảng Ninh/O=Văn phòng Tỉnh ủy/C=VN'));
  const tokB: CustomToken = await addToken(hsm, 'AGENCY-B', '135791', key('/CN=Ban Tổ chức Tỉnh ủy/O=Ban Tổ chức/C=VN'));
  const tokC: CustomToken = await addToken(hsm, 'AGENCY-C', '112233', key('/CN=Ban Tuyên giáo Tỉnh ủy/O=Ban Tuyên giáo/C=VN'));
  bridge = new TokenBridge({ env: hsm.env });
  const tokens = new TokenService(bridge, async () => [hsm.modulePath]);
  const signIn = (t: CustomToken) => tokens.signIn({ moduleId: moduleId(hsm.modulePath), serial: t.serial }, t.pin);
  a = await agency(await signIn(tokA), A, 'Văn phòng Tỉnh ủy Quảng Ninh', 'Nguyễn Thị Hương');
  b = await agency(await signIn(tokB), B, 'Ban Tổ chức Tỉnh ủy', 'Phạm Thị Lan');
  const entries = [
    { code: A, name: 'Văn phòng Tỉnh ủy Quảng Ninh', certificates: [tokA.certs['01']!] },
    { code: B, name: 'Ban Tổ chức Tỉnh ủy', certificates: [tokB.certs['01']!] },
    { code: C, name: 'Ban Tuyên giáo Tỉnh ủy', certificates: [tokC.certs['01']!] },
  ];
  a.desk.exchange.setDirectory(a.clerk, entries);
  b.desk.exchange.setDirectory(b.clerk, entries);
  drafter = actorFor(getUser(a.desk.db, (await addPerson(a.desk, { fullName: 'Trần Văn Soạn', role: 'chuyen_vien', clearance: 'tuyet_mat' })).id)!);
  const s = await addPerson(a.desk, { fullName: 'Nguyễn Văn Ký', role: 'lanh_dao', clearance: 'tuyet_mat' });
  signer = actorFor(getUser(a.desk.db, s.id)!);
  signerKey = s.identity.signingKeys[0]!;
  await issue('thuong', 'Về việc tổng kết công tác năm', [B]);
  secretId = await issue('mat', 'Về việc bảo vệ bí mật nhà nước', [B]);
  await issue('thuong', 'Về việc gửi Ban Tuyên giáo', [C]);
});

after(async () => {
  a?.cleanup();
  b?.cleanup();
  await bridge?.close();
  await hsm?.cleanup();
  work.cleanup();
});

describe('folders and ZIPs of edXML packets', () => {
  const zip = join(work.dir, 'goi-tin.zip');
  const folder = join(work.dir, 'thu-muc');
  let forC = '';

  test('export: the packets of the issued documents as a ZIP and as a folder; the Mật one sealed', async () => {
    const r = await a.desk.edxmlBatch.exportBatch(a.clerk, { selection: {}, agencyKey: a.key, out: zip });
    assert.deepEqual(r, { packets: 3, documents: 3 });
    await a.desk.edxmlBatch.exportBatch(a.clerk, { selection: {}, agencyKey: a.key, out: folder });
    const names = readdirSync(folder).sort();
    assert.equal(names.filter((n) => n.endsWith('.sealed')).length, 1, 'the Mật packet is sealed');
    assert.equal(names.filter((n) => n.endsWith('.edxml')).length, 2);
  });

  test('export from the window: the same packets as one ZIP in memory, at the level of the highest document; a work file narrows it; a chuyên viên is refused', async () => {
    const before = a.desk.db.prepare("SELECT count(*) FROM main.audit_log WHERE action = 'package.edxml_export'").pluck().get() as number;
    const r = await a.desk.packageWindow.exportEdxml(a.clerk, {}, () => a.key);
    assert.deepEqual([r.packets, r.documents, r.level], [3, 3, 'mat']);
    const inZip = (zipBytes: Buffer) => ZipArchive.open(zipBytes).files.map((f) => f.name).sort();
    assert.deepEqual(inZip(r.zip), readdirSync(folder).sort(), 'the packets the CLI writes, under the same names');
    const sealed = ZipArchive.open(r.zip).files.find((f) => f.name.endsWith('.sealed'))!;
    assert.ok(!ZipArchive.open(r.zip).read(sealed.name).includes(Buffer.from('bảo vệ bí mật nhà nước')), 'the Mật packet is not in clear');
    // B's preview of that ZIP: the two for B open, the one for C is refused; nothing written.
    const staged = await stageBytes(b.desk, b.clerk, r.zip, 'goi-tin-edxml.zip');
    const preview = await b.desk.packageWindow.previewEdxml(b.clerk, staged.stagedId, () => b.keys);
    assert.deepEqual([preview.counts.opened, preview.counts.refused], [2, 1]);
    // A work file holding only the Mật document: only its packet (the CLI's --work-file too).
    const f = await a.desk.workFiles.create(a.clerk, { year: yearOf(todayIso()), notation: '07.VP', title: 'Hồ sơ bảo vệ bí mật nhà nước', retention: 20, responsibleUserId: a.clerk.id });
    await a.desk.workFiles.open(a.clerk, f.id);
    await a.desk.workFiles.addItem(a.clerk, { fileId: f.id, kind: 'outgoing', recordId: secretId });
    const narrowed = await a.desk.packageWindow.exportEdxml(a.clerk, { workFileId: f.id }, () => a.key);
    assert.deepEqual([narrowed.packets, narrowed.documents, inZip(narrowed.zip).every((n) => n.endsWith('.sealed'))], [1, 1, true]);
    const cli = await a.desk.edxmlBatch.exportBatch(a.clerk, { selection: { workFileId: f.id }, agencyKey: a.key, out: join(work.dir, 'ho-so.zip') });
    assert.deepEqual(cli, { packets: 1, documents: 1 }, 'the CLI\'s --work-file selects the same (before: it was ignored)');
    // Attacks: a work file the person may not know of is as if it did not exist; a chuyên viên may not export packets.
    await assert.rejects(a.desk.packageWindow.exportEdxml(a.clerk, { workFileId: 999_999 }, () => a.key), (e: unknown) => e instanceof DeskError && e.code === 'NOT_FOUND');
    await assert.rejects(a.desk.packageWindow.exportEdxml(drafter, {}, () => a.key), (e: unknown) => e instanceof DeskError && e.code === 'FORBIDDEN');
    await assert.rejects(a.desk.packageWindow.exportEdxml(a.clerk, { year: 1999 }, () => a.key),
      (e: unknown) => e instanceof DeskError && e.key === 'package.error.NOTHING_SELECTED');
    const audited = a.desk.db.prepare("SELECT details FROM main.audit_log WHERE action = 'package.edxml_export' ORDER BY id").pluck().all().slice(before).map((d) => JSON.parse(d as string) as { packets: number; to: string });
    assert.deepEqual(audited.map((d) => [d.packets, d.to]), [[3, 'window'], [1, 'window'], [1, 'file']]);
  });

  test('import a ZIP: each packet opened by the exchange\'s checks; one for another agency refused with its reason', async () => {
    const r = await b.desk.edxmlBatch.importBatch(b.clerk, zip, b.keys);
    assert.deepEqual(r.counts, { opened: 2, waiting: 0, refused: 1, duplicate: 0 });
    const refused = r.packets.find((p) => p.outcome === 'refused')!;
    forC = refused.name;
    assert.match(refused.reason ?? '', /NOT_FOR_US|không gửi|không phải/i);
    const arrivals = b.desk.db.prepare('SELECT count(*) FROM c_thuong.exchange_inbox').pluck().get() as number;
    const secret = b.desk.db.prepare('SELECT count(*) FROM c_mat.exchange_inbox').pluck().get() as number;
    assert.deepEqual([arrivals, secret], [1, 1]);
  });

  test('import the same documents again from a folder, with a file that is no packet, then the same ZIP: duplicates recognised, nothing twice', async () => {
    writeFileSync(join(folder, 'ghi-chu.txt'), 'Danh sách gói tin gửi Ban Tổ chức');
    mkdirSync(join(folder, 'con'));
    const arrivals = () => ['c_thuong', 'c_mat'].map((c) => b.desk.db.prepare(`SELECT count(*) FROM ${c}.exchange_inbox WHERE state <> 'refused'`).pluck().get());
    const before = arrivals();
    // The folder's packets were made again (signed anew): the sealed one keeps its id, the Thường one is the
    // same document from the same sender (the exchange's own duplicate check); the one for C is still not for B.
    const r = await b.desk.edxmlBatch.importBatch(b.clerk, folder, b.keys);
    assert.equal(r.counts.opened + r.counts.waiting, 0, 'nothing new');
    for (const p of r.packets) {
      if (p.name === 'ghi-chu.txt') assert.equal(p.outcome, 'refused');
      // Made in another second, the packet for C has other bytes and is refused again; in the same one it is the same packet.
      else if (p.name === forC) assert.ok(p.outcome === 'duplicate' || p.outcome === 'refused', p.outcome);
      else assert.equal(p.outcome, 'duplicate', p.name);
    }
    assert.equal(r.packets.length, 4);
    // The same ZIP again: the same packets, nothing happens twice.
    const again = await b.desk.edxmlBatch.importBatch(b.clerk, zip, b.keys);
    assert.deepEqual(again.counts, { opened: 0, waiting: 0, refused: 0, duplicate: 3 });
    assert.equal(r.packets.find((p) => p.name === 'ghi-chu.txt')!.outcome, 'refused');
    assert.ok(r.packets.find((p) => p.name === 'ghi-chu.txt')!.reason);
    assert.deepEqual(arrivals(), before, 'no arrival twice (a packet made anew is kept refused as a duplicate, with its reason)');
  });

  test('attack: a ZIP with an entry that climbs out (zip-slip), an absolute path or a link is refused whole, nothing read', async () => {
    const packet = readdirSync(folder).find((n) => n.endsWith('.edxml'))!;
    const ok = { name: 'a.edxml', bytes: Buffer.from('<edXMLEnvelope/>') };
    const before = inbound(b.desk);
    for (const bad of ['../../.bashrc', '/etc/cron.d/x', 'C:/Windows/x.edxml', 'thu-muc\\..\\x.edxml']) {
      const p = join(work.dir, 'slip.zip');
      // The writer refuses such names itself: the hostile archive is built by hand (a name with a slash).
      const z = storedZip([ok, { name: 'PLACEHOLDER', bytes: Buffer.from(packet) }]);
      const raw = Buffer.from(z.toString('latin1').replaceAll('PLACEHOLDER', bad.padEnd(11, '_').slice(0, 11)), 'latin1');
      writeFileSync(p, raw);
      await assert.rejects(b.desk.edxmlBatch.importBatch(b.clerk, p, b.keys), (e: unknown) => isPackageError(e, 'UNSAFE_ENTRY'), bad);
    }
    const linkDir = join(work.dir, 'lien-ket');
    mkdirSync(linkDir);
    symlinkSync('/etc/passwd', join(linkDir, 'passwd.edxml'));
    await assert.rejects(b.desk.edxmlBatch.importBatch(b.clerk, linkDir, b.keys), (e: unknown) => isPackageError(e, 'UNSAFE_ENTRY'));
    assert.equal(inbound(b.desk), before, 'nothing received');
    const audits = b.desk.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'package.edxml_import' AND outcome = 'refused' AND reason = 'UNSAFE_ENTRY'").pluck().get();
    assert.equal(audits, 5);
  });

  /** What B holds: nothing of it may change by a preview. */
  const snapshot = () => ({
    inbound: inbound(b.desk),
    audit: b.desk.db.prepare('SELECT count(*) FROM audit_log').pluck().get(),
    arrivals: ['c_thuong', 'c_mat'].map((c) => b.desk.db.prepare(`SELECT count(*) FROM ${c}.exchange_inbox`).pluck().get()),
    events: b.desk.db.prepare('SELECT count(*) FROM main.events').pluck().get(),
  });
  /** Every packet A would send now (the earlier ones made anew), as a ZIP B's văn thư uploads. */
  async function packetsNow(dir: string): Promise<Array<{ name: string; bytes: Buffer }>> {
    await a.desk.edxmlBatch.exportBatch(a.clerk, { selection: {}, agencyKey: a.key, out: join(work.dir, dir) });
    return readdirSync(join(work.dir, dir)).sort().map((name) => ({ name, bytes: readFileSync(join(work.dir, dir, name)) }));
  }
  const outcomes = (r: { packets: Array<{ name: string; outcome: string }> }) => r.packets.map((p) => [p.name, p.outcome]);

  test('preview from the window: each packet with its outcome and reason, a tampered one refused for its signature, nothing written; the import does what it said', async () => {
    const subject = 'Về việc chuẩn bị kỳ họp cuối năm';
    await issue('thuong', subject, [B]);
    const files = await packetsNow('xem-truoc');
    const fresh = files.find((f) => f.name.endsWith('.edxml') && f.bytes.includes(subject))!;
    assert.ok(fresh, 'the new document\'s packet');
    // The subject changed on the way: the agency's signature no longer holds.
    const tampered = { name: 'gia-mao.edxml', bytes: Buffer.from(fresh.bytes.toString('utf8').replace(subject, 'Về việc hoãn kỳ họp cuối năm')) };
    const staged = await stageBytes(b.desk, b.clerk, storedZip([tampered, ...files], new Date()), 'goi-tin.zip');
    const before = snapshot();
    const preview = await b.desk.packageWindow.previewEdxml(b.clerk, staged.stagedId, () => b.keys);
    assert.deepEqual(snapshot(), before, 'nothing written by the preview');
    assert.equal(preview.packets.length, files.length + 1);
    assert.equal(preview.packets[0]!.outcome, 'refused');
    assert.match(preview.packets[0]!.reason ?? '', /Chữ ký số/);
    assert.equal(preview.packets.find((p) => p.name === fresh.name)!.outcome, 'opened');
    assert.equal(preview.packets.find((p) => p.name.endsWith('.sealed'))!.outcome, 'duplicate', 'the Mật packet is already here');
    assert.deepEqual({ opened: preview.counts.opened, waiting: preview.counts.waiting }, { opened: 1, waiting: 0 });
    // The import then: exactly what the preview said.
    const r = await b.desk.packageWindow.importEdxml(b.clerk, staged.stagedId, () => b.keys);
    assert.deepEqual(r.changed, []);
    assert.deepEqual(outcomes(r), outcomes(preview));
    assert.deepEqual(r.counts, preview.counts);
    assert.ok(inbound(b.desk) > before.inbound, 'the import did write');
    // An archive refused whole: the preview says so, and writes nothing either (not even the audit the import writes).
    const slip = storedZip([{ name: 'PLACEHOLDER', bytes: Buffer.from('<edXML/>') }], new Date());
    const hostile = await stageBytes(b.desk, b.clerk, Buffer.from(slip.toString('latin1').replaceAll('PLACEHOLDER', '../../x.xml'), 'latin1'), 'goi-tin.zip');
    const mid = snapshot();
    await assert.rejects(b.desk.packageWindow.previewEdxml(b.clerk, hostile.stagedId, () => b.keys),
      (e: unknown) => e instanceof DeskError && e.code === 'VALIDATION' && e.key === 'package.error.UNSAFE_ENTRY');
    assert.deepEqual(snapshot(), mid);
  });

  test('what changed meanwhile: a packet received by another path after the preview is reported by the import', async () => {
    const subject = 'Về việc kiểm tra công tác văn thư';
    await issue('thuong', subject, [B]);
    const files = await packetsNow('thay-doi');
    const fresh = files.find((f) => f.name.endsWith('.edxml') && f.bytes.includes(subject))!;
    const staged = await stageBytes(b.desk, b.clerk, storedZip(files, new Date()), 'goi-tin.zip');
    const preview = await b.desk.packageWindow.previewEdxml(b.clerk, staged.stagedId, () => b.keys);
    assert.equal(preview.packets.find((p) => p.name === fresh.name)!.outcome, 'opened');
    // Meanwhile the same packet arrives another way (here: the folder, as the CLI imports it).
    const meanwhile = await b.desk.edxmlBatch.importBatch(b.clerk, join(work.dir, 'thay-doi'), b.keys);
    assert.equal(meanwhile.counts.opened, 1);
    const r = await b.desk.packageWindow.importEdxml(b.clerk, staged.stagedId, () => b.keys);
    // Every packet of the folder went through meanwhile: what the preview saw new (or refused) is now already here.
    assert.deepEqual(r.changed?.find((c) => c.name === fresh.name), { name: fresh.name, expected: 'opened', outcome: 'duplicate' });
    assert.ok(r.changed!.every((c) => c.outcome === 'duplicate' && c.expected !== 'duplicate'), JSON.stringify(r.changed));
    assert.equal(r.counts.opened, 0, 'nothing twice');
  });
});
