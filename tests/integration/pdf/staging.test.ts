// A PDF chosen for registration is staged with its signatures checked, so the form shows each
// signature (signer, organisation, time, validity) and the file's findings before the document is
// registered; a file without "/ByteRange" is not read by pdf-lib at all.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { todayIso } from '../../../common/dates';
import { DeskError } from '../../../common/errors';
import { incomingRegisterSchema } from '../../../common/schemas';
import { pemToDer } from '../../../main/core/crypto';
import { Desk } from '../../../main/core/desk';
import { actorFor } from '../../../main/core/org/users';
import { signPdf } from '../../../main/core/pdf';
import { pdfBytes, softIdentity, stageBytes, tempDir } from '../../helpers/desk';
import { standardPki, type Party, type TestPki } from '../../helpers/pki';
import { softKey } from '../../helpers/softKey';

let pki: TestPki & { root: Party; inter: Party };
const profile = tempDir('securedesk-pdfstage-');
before(async () => {
  pki = await standardPki();
  await pki.generateKeys({ agency: 'rsa2048' });
  pki.issue('agency', { subject: '/C=VN/O=Sở Tài chính tỉnh Quảng Ninh/CN=Sở Tài chính tỉnh Quảng Ninh', issuer: pki.inter, keyUsage: 'digitalSignature, nonRepudiation' });
});
after(() => {
  pki.cleanup();
  profile.cleanup();
});

test('staging a signed PDF returns its signatures and findings; an unsigned one says so', async () => {
  const identity = softIdentity();
  // The workstation trusts the test root (and the self-signed stand-in for the clerk's token).
  const desk = await Desk.open({ profileDir: profile.dir, trustAnchors: [pki.root.certDer, pemToDer(identity.certPem)[0]!] });
  try {
    const session = await desk.setup({
      unit: { name: 'Văn phòng Tỉnh ủy Quảng Ninh', code: '000.00.01.H49', preset: 'party' },
      admin: { fullName: 'Nguyễn Thị Hương', position: 'Văn thư', role: 'van_thu', clearance: 'tuyet_mat' },
    }, identity);
    const actor = actorFor(session.user);
    const chain = [pki.inter.certDer];
    const source = await pdfBytes('Về việc quyết toán ngân sách năm 2026');
    const bySigner = await signPdf(source, { key: softKey(pki.get('alice').certDer, pki.get('alice').keyPem), chain, appearance: { kind: 'signer', page: 0, rect: { x: 330, y: 120, width: 200, height: 90 }, name: 'Nguyễn Văn An', position: 'GIÁM ĐỐC' } });
    const signed = await signPdf(bySigner, { key: softKey(pki.get('agency').certDer, pki.get('agency').keyPem), chain, appearance: { kind: 'invisible' } });

    const good = await stageBytes(desk, actor, signed, 'quyet-toan.pdf');
    assert.ok(good.pdfSignatures);
    assert.equal(good.pdfSignatures.status, 'valid');
    assert.equal(good.pdfSignatures.ok, true, good.pdfSignatures.message);
    assert.deepEqual(good.pdfSignatures.signatures.map((s) => [s.signer, s.organisation, s.agency, s.valid, s.coversWholeDocument]), [
      ['Nguyễn Văn An', 'Bộ Tài chính', false, true, false],
      ['Sở Tài chính tỉnh Quảng Ninh', 'Sở Tài chính tỉnh Quảng Ninh', true, true, true],
    ]);
    assert.ok(good.pdfSignatures.signatures.every((s) => s.signingTime && !Number.isNaN(Date.parse(s.signingTime))));

    // Only the person signed: the agency's signature is missing.
    const personal = await stageBytes(desk, actor, bySigner, 'chi-ca-nhan.pdf');
    assert.equal(personal.pdfSignatures?.status, 'valid');
    assert.deepEqual(personal.pdfSignatures?.findings.map((f) => f.code), ['agency-signature-missing']);

    // Bytes added after the agency signed.
    const appended = await stageBytes(desk, actor, Buffer.concat([Buffer.from(signed), Buffer.from('\n%%EOF\n')]), 'them-byte.pdf');
    assert.equal(appended.pdfSignatures?.status, 'invalid');
    assert.deepEqual(appended.pdfSignatures?.findings.map((f) => f.code), ['appended-bytes']);
    assert.match(appended.pdfSignatures!.message, /một phần của tệp/);

    // Registration refuses the file whose signature covers only part of it, and records why.
    const input = (stagedIds: string[]) => incomingRegisterSchema.parse({
      issuer: { name: 'Sở Tài chính tỉnh Quảng Ninh' }, numberSymbol: '88/STC-NS', documentDate: todayIso(), typeCode: 'CV',
      subject: 'Về việc quyết toán ngân sách năm 2026', secrecy: 'thuong', urgency: 'thuong', stagedIds, arrivalChannel: 'electronic',
    });
    await assert.rejects(desk.incoming.register(actor, input([appended.stagedId])), (e: unknown) => {
      assert.ok(e instanceof DeskError);
      assert.equal(e.code, 'VALIDATION');
      assert.equal(e.key, 'pdf.appendedAfterSigning');
      assert.match(e.fields?.stagedIds ?? '', /them-byte\.pdf.*chỉ bảo đảm một phần/);
      return true;
    });
    const refused = desk.db.prepare("SELECT reason FROM audit_log WHERE action = 'incoming.register' AND outcome = 'refused'").pluck().all();
    assert.deepEqual(refused, ['pdf.appendedAfterSigning']);
    const done = await desk.incoming.register(actor, input([good.stagedId]));
    assert.ok(done.id > 0, 'the intact signed file registers');

    const plain = await stageBytes(desk, actor, source, 'chua-ky.pdf');
    assert.equal(plain.pdfSignatures?.status, 'unsigned');
    const notPdf = await stageBytes(desk, actor, 'Công văn dạng văn bản', 'cong-van.txt');
    assert.equal(notPdf.pdfSignatures, undefined);
  } finally {
    desk.close();
  }
});
