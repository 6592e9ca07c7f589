// An issued document leaves as edXML (issue 9 §3): one packet per external recipient, the register's
// facts in the MessageHeader, the signed PDFs as attachments, the agency's XML signature over it; a
// Tối mật document sealed for the recipient agency's certificate, opened by `openssl cms` with the
// recipient's key alone; a recalled one leaves as a revocation (BussinessDocType 1). Refusals: a
// draft, a person who does not keep the register, a secret packet for an agency whose certificate
// the directory lacks.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Role, Secrecy } from '../../common/domain';
import { DeskError } from '../../common/errors';
import { outgoingCreateSchema } from '../../common/schemas';
import type { EdxmlDocument } from '../../common/edxml';
import { pemToDer, type PrivateKeyOps } from '../../main/core/crypto';
import type { Desk } from '../../main/core/desk';
import type { Actor } from '../../main/core/org/rights';
import { actorFor, getUser } from '../../main/core/org/users';
import { openSealedPacket, parseEdxml, readRouting, sealedCiphertext, verifySignatureElement } from '../../main/core/exchange/edxml';
import { makeSamplePdf } from '../../main/devhost/samplePdf';
import { newDesk, softIdentity, stageBytes } from '../helpers/desk';
import { addPerson } from '../helpers/people';
import { softKey } from '../helpers/softKey';

let desk: Desk;
let cleanup: () => void;
let clerk: Actor;
let clerkKey: PrivateKeyOps;
let clerkCert: Uint8Array;
let drafter: Actor;
let approver: Actor;
let signer: Actor;
let signerKey: PrivateKeyOps;
const tmp = mkdtempSync(join(tmpdir(), 'securedesk-exchange-'));
let recipientCertPem: string;
let recipientKey: PrivateKeyOps;
const RECIPIENT = '000.00.12.H49';

before(async () => {
  const env = await newDesk('state');
  ({ desk, cleanup } = env);
  clerk = env.admin;
  clerkKey = env.identity.signingKeys[0]!;
  clerkCert = pemToDer(softIdentity().certPem)[0]!;
  const person = async (fullName: string, role: Role, position: string, clearance: Secrecy = 'tuyet_mat') => {
    const p = await addPerson(desk, { fullName, role, clearance, position });
    return { actor: actorFor(getUser(desk.db, p.id)!), key: p.identity.signingKeys[0]! };
  };
  drafter = (await person('Trần Văn Soạn', 'chuyen_vien', 'Chuyên viên')).actor;
  approver = (await person('Lê Thị Duyệt', 'lanh_dao', 'Phó Chủ tịch')).actor;
  const s = await person('Nguyễn Văn Ký', 'lanh_dao', 'Chủ tịch');
  signer = s.actor;
  signerKey = s.key;
  // The receiving agency's encryption certificate (as the hub's directory would hold it) and its key.
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(tmp, 'r.key'), '-out', join(tmp, 'r.pem'), '-days', '30',
    '-subj', '/CN=Sở Nội vụ tỉnh Quảng Ninh/O=Sở Nội vụ/C=VN', '-utf8', '-addext', 'keyUsage=critical,keyEncipherment,digitalSignature'], { stdio: 'pipe' });
  recipientCertPem = readFileSync(join(tmp, 'r.pem'), 'utf8');
  recipientKey = softKey(pemToDer(recipientCertPem)[0]!, readFileSync(join(tmp, 'r.key'), 'utf8'));
});
after(() => {
  cleanup();
  rmSync(tmp, { recursive: true, force: true });
});

async function issued(secrecy: Secrecy, subject: string): Promise<number> {
  const main = await stageBytes(desk, drafter, await makeSamplePdf({ issuer: 'Ủy ban nhân dân tỉnh', numberSymbol: '     /QĐ-UBND', title: 'QUYẾT ĐỊNH', subject }), 'quyet-dinh.pdf');
  const d = await desk.outgoing.create(drafter, outgoingCreateSchema.parse({
    typeCode: 'QĐ', subject, secrecy, urgency: 'khan', signerId: signer.id, signerCompetence: 'TM. ỦY BAN NHÂN DÂN', approvers: [approver.id],
    recipients: [{ code: RECIPIENT, name: 'Sở Nội vụ' }], issuedAmount: 3, stagedIds: [main.stagedId], comment: '',
  }));
  await desk.outgoing.submit(drafter, { id: d.id, comment: '' });
  await desk.outgoing.approve(approver, { id: d.id, comment: 'Đồng ý' });
  await desk.outgoing.signAsSigner(signer, d.id, signerKey);
  await desk.outgoing.issue(clerk, d.id, clerkKey);
  return d.id;
}

const directory = (code: string) => (code === RECIPIENT ? [recipientCertPem] : []);

describe('issued documents as edXML packets', () => {
  test('an ordinary document: one signed packet per recipient, the register facts in the header, the signed PDF attached', async () => {
    const id = await issued('thuong', 'Về việc tổ chức hội nghị tổng kết');
    const detail = desk.outgoing.get(clerk, id);
    const [p, ...rest] = await desk.exchange.packetsFor(clerk, id, clerkKey, directory);
    assert.equal(rest.length, 0);
    assert.equal(p!.sealed, false);
    assert.equal(p!.to, RECIPIENT);
    const read = await parseEdxml(p!.bytes);
    const doc = read.packet as EdxmlDocument;
    assert.equal(doc.kind, 'document');
    assert.equal(`${doc.code.number}/${doc.code.notation}`, detail.numberSymbol);
    assert.equal(doc.promulgation.date, detail.issuedDate);
    assert.equal(doc.subject, 'Về việc tổ chức hội nghị tổng kết');
    assert.equal(doc.documentType.typeName, 'Quyết định');
    assert.equal(doc.signer.fullName, 'Nguyễn Văn Ký');
    assert.equal(doc.signer.competence, 'TM. ỦY BAN NHÂN DÂN');
    assert.equal(doc.otherInfo.priority, 1, 'khẩn');
    assert.equal(doc.otherInfo.secrecy, 'thuong');
    assert.equal(doc.business?.docType, 0);
    assert.deepEqual(doc.to.map((t) => t.organId), [RECIPIENT]);
    // The attachment is the issued (agency-signed) PDF, byte for byte.
    const file = desk.db.prepare('SELECT signed_sha256 FROM c_thuong.outgoing_files WHERE outgoing_id = ? AND role = ?').pluck().get(id, 'main') as string;
    assert.equal(doc.attachments[0]!.sha256, file);
    assert.equal(createHash('sha256').update(read.files[0]!.bytes).digest('hex'), file);
    const verdict = await verifySignatureElement(read.tree, { trustAnchors: [clerkCert] }, read.signature);
    assert.equal(verdict.status, 'valid', verdict.reason);
  });

  test('a Tối mật document is sealed for the recipient agency: openssl cms opens it with that key alone, the routing header says only who and how big', async () => {
    const id = await issued('toi_mat', 'Về việc bảo vệ bí mật nhà nước trong tình hình mới');
    const [p] = await desk.exchange.packetsFor(clerk, id, clerkKey, directory);
    assert.equal(p!.sealed, true);
    assert.equal(p!.bytes.indexOf(Buffer.from('bí mật nhà nước', 'utf8')), -1, 'no clear text');
    const header = readRouting(p!.bytes);
    assert.deepEqual(Object.keys(header.header).sort(), ['from', 'packetId', 'size', 'to']);
    assert.deepEqual(header.header.to, [RECIPIENT]);
    writeFileSync(join(tmp, 'sealed.der'), sealedCiphertext(p!.bytes).cms);
    const opened = execFileSync('openssl', ['cms', '-decrypt', '-inform', 'DER', '-in', join(tmp, 'sealed.der'), '-inkey', join(tmp, 'r.key'), '-recip', join(tmp, 'r.pem')]);
    const doc = (await parseEdxml(opened)).packet as EdxmlDocument;
    assert.equal(doc.subject, 'Về việc bảo vệ bí mật nhà nước trong tình hình mới');
    assert.equal(doc.otherInfo.secrecy, 'toi_mat');
    const ours = await openSealedPacket(p!.bytes, recipientKey);
    assert.deepEqual(ours.packet, opened);
  });

  test('a recalled document leaves as a revocation; drafts, the wrong person and a secret packet without the recipient certificate are refused', async () => {
    const id = await issued('mat', 'Về việc điều chỉnh kế hoạch');
    await assert.rejects(desk.exchange.packetsFor(clerk, id, clerkKey, () => []), (e: unknown) => e instanceof DeskError && e.key === 'exchange.noRecipientCertificate');
    await assert.rejects(desk.exchange.packetsFor(drafter, id, clerkKey, directory), (e: unknown) => e instanceof DeskError && e.code === 'FORBIDDEN');
    await desk.outgoing.recall(clerk, { id, reason: 'Ban hành nhầm đối tượng' });
    const [p] = await desk.exchange.packetsFor(clerk, id, clerkKey, directory);
    const doc = (await parseEdxml((await openSealedPacket(p!.bytes, recipientKey)).packet)).packet as EdxmlDocument;
    assert.equal(doc.business?.docType, 1);
    assert.equal(doc.business?.reason, 'Ban hành nhầm đối tượng');
    const main = await stageBytes(desk, drafter, await makeSamplePdf({ issuer: 'UBND', numberSymbol: '', title: 'CÔNG VĂN', subject: 'Dự thảo' }), 'du-thao.pdf');
    const draft = await desk.outgoing.create(drafter, outgoingCreateSchema.parse({
      typeCode: 'QĐ', subject: 'Dự thảo chưa ban hành', secrecy: 'thuong', urgency: 'thuong', signerId: signer.id, approvers: [approver.id],
      recipients: [{ code: RECIPIENT, name: 'Sở Nội vụ' }], stagedIds: [main.stagedId], comment: '',
    }));
    await assert.rejects(desk.exchange.packetsFor(clerk, draft.id, clerkKey, directory), (e: unknown) => e instanceof DeskError && e.key === 'exchange.notIssued');
  });
});
