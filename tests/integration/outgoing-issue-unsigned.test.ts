// An issue WITHOUT the agency's signature (the configuration allowing it, docs/outgoing.md): the issued
// main PDF still carries the number and date (in the draft's own blanks) and, on each appendix inside
// the file, "số, ký hiệu; thời gian ký" (the signer's signing time: the only signing there was), written
// as an incremental update after the signer's PAdES signature (pdf/update.ts stampPdf, the agency
// update's code path without the signature). Real SoftHSM keys; pdftotext -bbox and pdfsig judge the
// file: the signer's signature valid for its revision, no longer covering the whole file. The number is
// taken once; a failure inside the issue's transaction takes none; a file certified with DocMDP P=1
// (no change allowed) is refused, not broken.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { todayIso } from '../../common/dates';
import { DeskError } from '../../common/errors';
import type { EdxmlDocument } from '../../common/edxml';
import { parseEdxml } from '../../main/core/exchange/edxml';
import { outgoingCreateSchema } from '../../common/schemas';
import type { PrivateKeyOps } from '../../main/core/crypto';
import type { Desk } from '../../main/core/desk';
import { writeTx } from '../../main/core/db/transaction';
import { bindCertificates } from '../../main/core/org/certificates';
import type { Actor } from '../../main/core/org/rights';
import { actorFor, addUser, getUser } from '../../main/core/org/users';
import { isoVietnam, signPdf, stampPdf, PdfError } from '../../main/core/pdf';
import { tokenKeyOps } from '../../main/core/token/tokenKeyOps';
import { TokenBridge } from '../../native/bridge/client';
import { createSoftHsm, keyOf, type SoftHsm } from '../fixtures/softhsm/tokens';
import { decreeDraftPdf } from '../helpers/decreeDraft';
import { newDesk, stageBytes } from '../helpers/desk';
import { pdfLines } from '../helpers/pdfLines';

let hsm: SoftHsm;
let bridge: TokenBridge;
let desk: Desk;
let cleanup: () => void;
let clerk: Actor;
let admin: Actor;
let drafter: Actor;
let signer: Actor;
let approver: Actor;
let signerKey: PrivateKeyOps;
let dir = '';
let schema = '';

/** The words pdftotext -bbox finds on a page: text, and the box in points from the top left. */
function words(path: string, page: number): Array<{ t: string; x1: number; y1: number; x2: number; y2: number }> {
  const html = execFileSync('pdftotext', ['-bbox', '-enc', 'UTF-8', '-f', String(page), '-l', String(page), path, '-'], { encoding: 'utf8' });
  return [...html.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)]
    .map((m) => ({ t: m[5]!, x1: Number(m[1]), y1: Number(m[2]), x2: Number(m[3]), y2: Number(m[4]) }));
}

async function blob(sha256: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of desk.context().storeFor('thuong').openBlob(sha256)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const mainFile = (id: number) => desk.db.prepare(`SELECT id, sha256, signed_sha256 AS signed FROM ${schema}.outgoing_files WHERE outgoing_id = ? AND role = 'main' ORDER BY version DESC LIMIT 1`)
  .get(id) as { id: number; sha256: string; signed: string | null };

const fourPages = () => decreeDraftPdf({ form: 'state', pages: 4, appendixPages: { 3: 'PHỤ LỤC I', 4: 'PHỤ LỤC II' } });

/** A draft with its appendices on pages 3 and 4, approved and signed by the signer on his SoftHSM token. */
async function signedDraft(subject: string, recipients: Array<{ code: string; name: string }> = []): Promise<number> {
  const main = await stageBytes(desk, drafter, await fourPages(), 'quyet-dinh.pdf');
  const d = await desk.outgoing.create(drafter, outgoingCreateSchema.parse({
    typeCode: 'QĐ', subject, secrecy: 'thuong', signerId: signer.id, signerCompetence: 'TM. ỦY BAN NHÂN DÂN',
    approvers: [approver.id], stagedIds: [main.stagedId], appendixPages: [3, 4], recipients,
  }));
  await desk.outgoing.submit(drafter, { id: d.id, comment: '' });
  await desk.outgoing.approve(approver, { id: d.id, comment: '' });
  await desk.outgoing.signAsSigner(signer, d.id, signerKey);
  return d.id;
}

/** The register of the day as the window shows it: how many rows carry the number-symbol. */
function inRegister(numberSymbol: string): number {
  const t = desk.outgoing.registerTable(clerk, { kind: 'outgoing', format: 'table', from: todayIso(desk.now()), to: todayIso(desk.now()) });
  return t.rows.filter((r) => r.includes(numberSymbol)).length;
}

const nextNumber = () => desk.db.prepare(`SELECT count(*) FROM ${schema}.outgoing WHERE number IS NOT NULL`).pluck().get() as number;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'outgoing-unsigned-'));
  hsm = await createSoftHsm({ tokens: ['userRsa'] });
  bridge = new TokenBridge({ env: hsm.env });
  await bridge.login(hsm.modulePath, { serial: hsm.tokens.userRsa.serial }, hsm.tokens.userRsa.pin);
  const rsa = keyOf(hsm.tokens.userRsa, 'an-sign');
  signerKey = tokenKeyOps(bridge, { module: hsm.modulePath, slot: { serial: hsm.tokens.userRsa.serial }, keyId: '01', certificate: rsa.certDer });
  const made = await newDesk('state');
  desk = made.desk;
  cleanup = made.cleanup;
  clerk = made.admin;
  const ids = writeTx(desk.db, () => {
    const d = addUser(desk.db, { fullName: 'Trần Văn Soạn', position: 'Chuyên viên', role: 'chuyen_vien', clearance: 'mat' });
    const a = addUser(desk.db, { fullName: 'Lê Thị Duyệt', position: 'Phó Chủ tịch', role: 'lanh_dao', clearance: 'mat' });
    const s = addUser(desk.db, { fullName: 'Nguyễn Văn An', position: 'Chủ tịch', role: 'lanh_dao', clearance: 'mat' });
    const q = addUser(desk.db, { fullName: 'Vũ Quản Trị', position: 'Quản trị hệ thống', role: 'quan_tri', clearance: 'mat' });
    bindCertificates(desk.db, s, [rsa.certDer], clerk.id, new Date(), 'administrator');
    return { d, a, s, q };
  });
  [drafter, approver, signer, admin] = [ids.d, ids.a, ids.s, ids.q].map((id) => actorFor(getUser(desk.db, id)!)) as [Actor, Actor, Actor, Actor];
  schema = desk.context().arms.find((a) => a.level === 'thuong')!.schema;
  // The agency's signature is not required: the văn thư issues without a key.
  await desk.outgoing.configure(admin, { issuerNotation: 'UBND', sameDayIssue: true, requireAgencySignature: false, agencyCertificates: [] });
});

after(async () => {
  cleanup?.();
  await bridge?.close();
  await hsm?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('issue without the agency signature', () => {
  it('writes the number on page 1 and the appendix notes as an unsigned update after the signer\'s signature; pdfsig: the signer valid, not the whole file', async () => {
    const id = await signedDraft('Về việc ban hành quy chế làm việc');
    const signerVersion = await blob(desk.outgoing.signatureBlobs(clerk, id)[0]!.signedSha256!);
    const issued = await desk.outgoing.issue(clerk, id);
    assert.equal(issued.numberSymbol, '01/QĐ-UBND');
    assert.deepEqual(desk.outgoing.signatureBlobs(clerk, id).map((b) => b.role), ['signer'], 'no agency signature');

    // The issued file is a new blob, the file's issued hash; the signer's version is its unchanged beginning.
    const f = mainFile(id);
    assert.ok(f.signed && f.signed !== desk.outgoing.signatureBlobs(clerk, id)[0]!.signedSha256, 'the issued file is stored');
    const bytes = await blob(f.signed);
    assert.ok(bytes.length > signerVersion.length && bytes.subarray(0, signerVersion.length).equals(signerVersion), 'an incremental update after the signer\'s revision');
    const path = join(dir, 'issued.pdf');
    writeFileSync(path, bytes);

    // The number in page 1's own blank (pdftotext reads "Số:01/QĐ-UBND"), and the date.
    assert.ok(pdfLines(path, 1).some((l) => l.startsWith(`Số:${issued.numberSymbol}`)), pdfLines(path, 1).join('\n'));
    // The appendix notes: the number and the signer's signing time, top right of pages 3 and 4, and nowhere else.
    const signedAt = desk.outgoing.get(clerk, id).signatures.find((s) => s.role === 'signer')!.signedAt;
    const iso = isoVietnam(new Date(signedAt));
    for (const page of [3, 4]) {
      const w = words(path, page);
      const num = w.find((x) => x.t === issued.numberSymbol);
      const time = w.find((x) => x.t === iso);
      assert.ok(num && time, `page ${page} (${issued.numberSymbol}, ${iso}): ${w.map((x) => x.t).join(' ')}`);
      for (const x of [num, time]) {
        assert.ok(x.x2 > 560 && x.x2 <= 576, `page ${page}: right edge ${x.x2}`);
        assert.ok(x.y2 < 60, `page ${page}: top ${x.y1}–${x.y2}`);
      }
      assert.ok(num.y1 < time.y1, 'the number above the time');
    }
    for (const page of [1, 2]) {
      assert.ok(!words(path, page).some((x) => x.t === iso && x.y2 < 60), `no appendix note on page ${page}`);
    }
    assert.ok(!words(path, 2).some((x) => x.t === issued.numberSymbol), 'no number on page 2');
    // The notes are locked Stamp annotations of the update, not page content: the signer's revision has none.
    const tail = bytes.subarray(signerVersion.length).toString('latin1');
    assert.ok((tail.match(/\/Subtype \/Stamp/g) ?? []).length >= 3, 'stamps in the update (number, date, two notes)');
    assert.ok(!tail.includes('/ByteRange'), 'the update carries no signature');

    // pdfsig: one signature, valid, and it no longer covers the whole file (expected: the update is unsigned).
    const sig = execFileSync('pdfsig', ['-nocert', path], { encoding: 'utf8' });
    assert.equal((sig.match(/Signature #\d+:/g) ?? []).length, 1, sig);
    assert.match(sig, /Signature Validation: Signature is Valid\./, sig);
    assert.match(sig, /Not total document signed/, sig);

    // The register holds the number once; the history says it was written without the agency's signature.
    assert.equal(inRegister(issued.numberSymbol), 1);
    const d = desk.outgoing.get(clerk, id);
    assert.equal(d.issuedUnsigned, true);
    assert.equal(d.agencySignatureRequired, false);
    assert.ok(!d.steps.some((s) => s.kind === 'sign_agency'));
    const step = d.steps.find((s) => s.kind === 'issue')!;
    assert.match(step.comment, /^01\/QĐ-UBND\. Ban hành không có chữ ký số của cơ quan \(cấu hình cho phép\): số, ký hiệu, ngày ban hành và ghi chú "số, ký hiệu; thời gian ký" trên 2 phụ lục được ghi vào tệp chính sau chữ ký của người ký/);
    const audit = JSON.parse(desk.db.prepare("SELECT details FROM audit_log WHERE action = 'outgoing.issue' AND entity_id = ? AND outcome = 'ok'").pluck().get(id) as string) as Record<string, unknown>;
    assert.equal(audit.unsignedUpdate, f.signed);

    // The verdict the document view shows: the signer's signature intact, the last update unsigned and what it holds.
    const v = (await desk.outgoing.verifyIssued(clerk, id))!;
    // (The test CA is no trust anchor of this workstation: integrity is what is judged here.)
    assert.deepEqual(v.signatures.map((s) => [s.signer, s.integrity, s.coversWholeDocument]), [['Nguyễn Văn An', true, false]]);
    const tailFinding = v.findings.find((x) => x.code === 'changed-after-signing')!;
    assert.match(tailFinding.message, /^Tệp được ghi thêm sau chữ ký số cuối cùng: 1 lần cập nhật \(\d+ byte\) KHÔNG có chữ ký số/);
    assert.match(tailFinding.message, /Phần ghi thêm chỉ thêm \d+ chú thích dạng dấu \(Stamp\) \(trang 1: «01»/);
    assert.ok(tailFinding.message.includes(`trang 3: «${issued.numberSymbol} ${iso}»`), tailFinding.message);
    assert.match(tailFinding.message, /không sửa nội dung các trang đã ký; các chú thích này hiện đè lên trang khi xem và in\.$/);
    assert.ok(v.findings.some((x) => x.code === 'agency-signature-missing'));
  });

  it('a failure inside the issue\'s transaction takes no number and stores nothing; the next issue takes it', async () => {
    const id = await signedDraft('Về việc kiện toàn tổ công tác');
    const before = { taken: nextNumber(), file: mainFile(id) };
    // Forced: the issue step cannot be written (as a full disk or a crash would stop the transaction there).
    desk.db.exec(`CREATE TEMP TRIGGER fail_issue BEFORE INSERT ON ${schema}.outgoing_steps WHEN NEW.kind = 'issue' BEGIN SELECT RAISE(ABORT, 'forced failure'); END`);
    try {
      await assert.rejects(desk.outgoing.issue(clerk, id), /forced failure/);
    } finally {
      desk.db.exec('DROP TRIGGER temp.fail_issue');
    }
    const after = desk.outgoing.get(clerk, id);
    assert.deepEqual([after.status, after.numberSymbol, nextNumber()], ['signer_signed', null, before.taken], 'no number taken');
    assert.deepEqual(mainFile(id), before.file, 'the file still the signer\'s version');
    assert.equal(inRegister('02/QĐ-UBND'), 0);
    const issued = await desk.outgoing.issue(clerk, id);
    assert.equal(issued.numberSymbol, '02/QĐ-UBND', 'the number the failure did not take');
    assert.equal(inRegister('02/QĐ-UBND'), 1);
  });

  it('refuses a file the signer certified with DocMDP P=1 (no change allowed) instead of breaking it; nothing taken', async () => {
    const id = await signedDraft('Về việc phê duyệt danh mục');
    // The signer's version replaced by a certification allowing no change (another signing tool's way).
    const f = mainFile(id);
    const certified = await signPdf(await blob(f.sha256), { key: signerKey, certify: 1, appearance: { kind: 'signer', page: 1, rect: { x: 330, y: 80, width: 220, height: 80 }, name: 'Nguyễn Văn An' } });
    writeFileSync(join(dir, 'certified.pdf'), certified);
    assert.match(execFileSync('pdfsig', ['-nocert', join(dir, 'certified.pdf')], { encoding: 'utf8' }), /Total document signed[\s\S]*Signature is Valid\./);
    const sha = await desk.context().storeFor('thuong').putBytes(Buffer.from(certified));
    desk.db.prepare(`UPDATE ${schema}.outgoing_files SET signed_sha256 = ? WHERE id = ?`).run(sha, f.id);
    desk.db.prepare(`UPDATE ${schema}.outgoing_signatures SET result_sha256 = ? WHERE file_id = ?`).run(sha, f.id);
    // The PDF module refuses any update of such a file, signed or not.
    await assert.rejects(stampPdf(certified, { notes: [{ lines: ['x'] }], at: new Date() }), (e: unknown) => e instanceof PdfError && e.reason === 'PDF_CERTIFIED_NO_CHANGES');
    const taken = nextNumber();
    await assert.rejects(desk.outgoing.issue(clerk, id), (e: unknown) => {
      assert.ok(e instanceof DeskError && e.key === 'outgoing.signatureForbidsChanges', String(e));
      assert.match(e.message, /DocMDP P=1/);
      return true;
    });
    assert.deepEqual([desk.outgoing.get(clerk, id).status, nextNumber(), mainFile(id).signed], ['signer_signed', taken, sha]);
    assert.ok((desk.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'outgoing.issue' AND outcome = 'refused' AND reason = 'outgoing.signatureForbidsChanges'").pluck().get() as number) === 1);
  });
  it('sends other agencies the file as the signer signed it (the unsigned update stays home), the number in the packet', async () => {
    const id = await signedDraft('Về việc phối hợp kiểm tra liên ngành', [{ code: '000.00.00.H49', name: 'UBND tỉnh Quảng Ninh' }]);
    const signerVersion = desk.outgoing.signatureBlobs(clerk, id)[0]!.signedSha256!;
    const issued = await desk.outgoing.issue(clerk, id);
    assert.notEqual(mainFile(id).signed, signerVersion, 'the issued file at home carries the stamps');
    // (The packet's XML signature is made with whatever key is given here: the file is what is checked.)
    const [p, ...rest] = await desk.exchange.packetsFor(clerk, id, signerKey, () => []);
    assert.equal(rest.length, 0);
    const read = await parseEdxml(p!.bytes);
    const doc = read.packet as EdxmlDocument;
    assert.equal(`${doc.code.number}/${doc.code.notation}`, issued.numberSymbol);
    assert.equal(createHash('sha256').update(read.files[0]!.bytes).digest('hex'), signerVersion, 'the signer\'s signed bytes');
    const path = join(dir, 'sent.pdf');
    writeFileSync(path, read.files[0]!.bytes);
    const sig = execFileSync('pdfsig', ['-nocert', path], { encoding: 'utf8' });
    assert.match(sig, /Signature is Valid\./, sig);
    assert.match(sig, /Total document signed/, sig);
  });
});
