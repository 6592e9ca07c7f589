// Folders and ZIPs of edXML packets on removable media (issue 10 §2), between two real agencies whose
// văn thư hold the agency's key on SoftHSM tokens: A exports the packets of its issued documents (a
// Thường one signed, a Mật one sealed for B) as a ZIP and as a folder; B imports the ZIP (each packet
// through the exchange's own checks), then the folder (every packet recognised as already received),
// with a file that is no packet and a packet for another agency listed with their reasons. Attacks: a
// ZIP whose entries climb out of the folder (zip-slip) or are links is refused whole, nothing read.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Secrecy } from '../../common/domain';
import { outgoingCreateSchema } from '../../common/schemas';
import type { PrivateKeyOps } from '../../main/core/crypto';
import { Desk } from '../../main/core/desk';
import type { Actor } from '../../main/core/org/rights';
import { actorFor, getUser } from '../../main/core/org/users';
import { isPackageError } from '../../main/core/packages/errors';
import { storedZip } from '../../main/core/packages/zipWrite';
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
  await issue('mat', 'Về việc bảo vệ bí mật nhà nước', [B]);
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
});
