// Appendices inside the main PDF (Nghị định 30/2020, Phụ lục I): the draft says on which pages its
// phụ lục begin; the core checks them against the file (after page 1, increasing, within the page
// count) at drafting, at a revision and when an approver replaces the file; the signer (a SoftHSM key)
// signs on the last page of the document itself; the issue (the agency's SoftHSM key) writes
// "số, ký hiệu; thời gian ký" at the top right of each appendix's first page inside the agency
// signature's update. pdftotext -bbox reads the note on those pages and on no other; pdfsig finds
// both signatures valid, the agency's covering the whole file.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DeskError } from '../../common/errors';
import { outgoingCreateSchema, outgoingReviseSchema } from '../../common/schemas';
import type { PrivateKeyOps } from '../../main/core/crypto';
import type { Desk } from '../../main/core/desk';
import { writeTx } from '../../main/core/db/transaction';
import { bindCertificates } from '../../main/core/org/certificates';
import type { Actor } from '../../main/core/org/rights';
import { actorFor, addUser, getUser } from '../../main/core/org/users';
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
let drafter: Actor;
let signer: Actor;
let approver: Actor;
let signerKey: PrivateKeyOps;
let clerkKey: PrivateKeyOps;
let dir = '';

/** The words pdftotext -bbox finds on a page: text, and the box in points from the top left. */
function words(path: string, page: number): Array<{ t: string; x1: number; y1: number; x2: number; y2: number }> {
  const html = execFileSync('pdftotext', ['-bbox', '-enc', 'UTF-8', '-f', String(page), '-l', String(page), path, '-'], { encoding: 'utf8' });
  return [...html.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)]
    .map((m) => ({ t: m[5]!, x1: Number(m[1]), y1: Number(m[2]), x2: Number(m[3]), y2: Number(m[4]) }));
}

async function refused(p: Promise<unknown>, key: string, params?: Record<string, unknown>): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof DeskError, String(e));
    assert.equal(e.key, key, e.message);
    if (params) assert.deepEqual(e.params, params);
    return true;
  });
}

const fourPages = () => decreeDraftPdf({ form: 'state', pages: 4, appendixPages: { 3: 'PHỤ LỤC I', 4: 'PHỤ LỤC II' } });

async function draft(pages: unknown, pdf?: Uint8Array) {
  const main = await stageBytes(desk, drafter, pdf ?? await fourPages(), 'quyet-dinh.pdf');
  return desk.outgoing.create(drafter, outgoingCreateSchema.parse({
    typeCode: 'QĐ', subject: 'Về việc ban hành quy chế làm việc', secrecy: 'thuong', signerId: signer.id, signerCompetence: 'TM. ỦY BAN NHÂN DÂN',
    approvers: [approver.id], stagedIds: [main.stagedId], ...(pages === undefined ? {} : { appendixPages: pages }),
  }));
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'outgoing-appendix-'));
  hsm = await createSoftHsm({ tokens: ['userRsa', 'userEc'] });
  bridge = new TokenBridge({ env: hsm.env });
  await bridge.login(hsm.modulePath, { serial: hsm.tokens.userRsa.serial }, hsm.tokens.userRsa.pin);
  await bridge.login(hsm.modulePath, { serial: hsm.tokens.userEc.serial }, hsm.tokens.userEc.pin);
  const rsa = keyOf(hsm.tokens.userRsa, 'an-sign');
  const ec = keyOf(hsm.tokens.userEc, 'binh-sign');
  signerKey = tokenKeyOps(bridge, { module: hsm.modulePath, slot: { serial: hsm.tokens.userRsa.serial }, keyId: '01', certificate: rsa.certDer });
  clerkKey = tokenKeyOps(bridge, { module: hsm.modulePath, slot: { serial: hsm.tokens.userEc.serial }, keyId: '01', certificate: ec.certDer });
  const made = await newDesk('state');
  desk = made.desk;
  cleanup = made.cleanup;
  clerk = made.admin;
  const ids = writeTx(desk.db, () => {
    const d = addUser(desk.db, { fullName: 'Trần Văn Soạn', position: 'Chuyên viên', role: 'chuyen_vien', clearance: 'mat' });
    const a = addUser(desk.db, { fullName: 'Lê Thị Duyệt', position: 'Phó Chủ tịch', role: 'lanh_dao', clearance: 'mat' });
    const s = addUser(desk.db, { fullName: 'Nguyễn Văn An', position: 'Chủ tịch', role: 'lanh_dao', clearance: 'mat' });
    // The tokens' signing certificates bound as an administrator binds them: the signer's and the văn thư's.
    bindCertificates(desk.db, s, [rsa.certDer], clerk.id, new Date(), 'administrator');
    bindCertificates(desk.db, clerk.id, [ec.certDer], clerk.id, new Date(), 'administrator');
    return { d, a, s };
  });
  [drafter, approver, signer] = [ids.d, ids.a, ids.s].map((id) => actorFor(getUser(desk.db, id)!)) as [Actor, Actor, Actor];
});

after(async () => {
  cleanup?.();
  await bridge?.close();
  await hsm?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('appendices inside the main PDF', () => {
  it('refuses pages before 2, out of order, repeated or beyond the file, at drafting and at a revision; nothing is written', async () => {
    assert.equal(outgoingCreateSchema.safeParse({ typeCode: 'QĐ', subject: 'x', secrecy: 'thuong', signerId: 1, stagedIds: ['a'.repeat(32)], appendixPages: [1] }).error?.issues[0]?.message,
      'Trang bắt đầu phụ lục phải là số trang từ 2 trở đi (trang 1 là văn bản chính).');
    for (const bad of [[4, 3], [3, 3]]) {
      const r = outgoingCreateSchema.safeParse({ typeCode: 'QĐ', subject: 'x', secrecy: 'thuong', signerId: 1, stagedIds: ['a'.repeat(32)], appendixPages: bad });
      assert.equal(r.error?.issues[0]?.message, 'Các trang bắt đầu phụ lục phải tăng dần, không trùng nhau.', JSON.stringify(bad));
    }
    const before = desk.outgoing.list(drafter, { mine: true, limit: 100 }).length;
    await refused(draft([3, 5]), 'outgoing.appendixPageBeyond', { page: 5, pages: 4 });
    assert.equal(desk.outgoing.list(drafter, { mine: true, limit: 100 }).length, before, 'no draft made');
    assert.ok((desk.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'outgoing.create' AND outcome = 'refused' AND reason = 'outgoing.appendixPageBeyond'").pluck().get() as number) >= 1);

    const d = await draft([3]);
    assert.deepEqual(d.appendixPages, [3]);
    // A revision that leaves the pages out keeps them (and the chain): a left-out field is no reset.
    const kept = await desk.outgoing.revise(drafter, outgoingReviseSchema.parse({ id: d.id, comment: 'Sửa trích yếu', subject: 'Về việc ban hành quy chế làm việc (sửa)' }));
    assert.deepEqual([kept.appendixPages, kept.approvers.map((a) => a.id), kept.urgency], [[3], [approver.id], 'thuong']);
    await refused(desk.outgoing.revise(drafter, outgoingReviseSchema.parse({ id: d.id, comment: 'Thêm phụ lục', appendixPages: [3, 9] })), 'outgoing.appendixPageBeyond', { page: 9, pages: 4 });
    // A new main file with two pages cannot keep an appendix on page 3.
    const short = await stageBytes(desk, drafter, await decreeDraftPdf({ form: 'state', pages: 2 }), 'ngan.pdf');
    await refused(desk.outgoing.revise(drafter, outgoingReviseSchema.parse({ id: d.id, comment: 'Thay tệp', stagedIds: [short.stagedId] })), 'outgoing.appendixPageBeyond', { page: 3, pages: 2 });
    const v = await desk.outgoing.revise(drafter, outgoingReviseSchema.parse({ id: d.id, comment: 'Hai phụ lục', appendixPages: [3, 4] }));
    assert.deepEqual([v.appendixPages, v.version], [[3, 4], 3]);
    // The change is an event of the record (replicated with it).
    const schema = desk.context().arms.find((a) => a.level === 'thuong')!.schema;
    const ev = desk.db.prepare(`SELECT data FROM ${schema}.events WHERE entity = 'outgoing' ORDER BY seq DESC LIMIT 1`).pluck().get() as string;
    assert.match(ev, /"appendix_pages":"\[3,4\]"/);
  });

  it('the issue writes "số, ký hiệu; thời gian ký" at the top right of each appendix\'s first page; the signer signs before the appendices; pdfsig: valid, whole', async () => {
    const d = await draft([3, 4]);
    await desk.outgoing.submit(drafter, { id: d.id, comment: '' });
    await desk.outgoing.approve(approver, { id: d.id, comment: '' });
    await desk.outgoing.signAsSigner(signer, d.id, signerKey);
    const issued = await desk.outgoing.issue(clerk, d.id, clerkKey);
    const blobs = desk.outgoing.signatureBlobs(clerk, d.id);
    assert.deepEqual(blobs.map((b) => [b.role, b.format]), [['signer', 'pades'], ['agency', 'pades']]);
    const chunks: Buffer[] = [];
    for await (const c of desk.context().storeFor('thuong').openBlob(blobs[1]!.signedSha256!)) chunks.push(c as Buffer);
    const path = join(dir, 'issued.pdf');
    writeFileSync(path, Buffer.concat(chunks));
    const signedAt = desk.outgoing.get(clerk, d.id).signatures.find((s) => s.role === 'agency')!.signedAt;
    const iso = `${new Date(new Date(signedAt).getTime() + 7 * 3600_000).toISOString().slice(0, 19)}+07:00`;
    for (const page of [3, 4]) {
      const w = words(path, page);
      const num = w.find((x) => x.t === issued.numberSymbol);
      const time = w.find((x) => x.t === iso);
      assert.ok(num && time, `page ${page} (${issued.numberSymbol}, ${iso}): ${w.map((x) => x.t).join(' ')}`);
      // Top right, in the margin: right edge 20 pt from the page's (595 pt wide), above the appendix title (y 770 from the bottom = 72 from the top).
      for (const x of [num, time]) {
        assert.ok(x.x2 > 560 && x.x2 <= 576, `page ${page}: right edge ${x.x2}`);
        assert.ok(x.y2 < 60, `page ${page}: top ${x.y1}–${x.y2}`);
      }
      assert.ok(num.y1 < time.y1, 'the number above the time');
      assert.ok(w.some((x) => x.t === 'LỤC'), 'the appendix\'s own title is still there');
    }
    // Page 2 (the document's last page, where the signer signed) carries no note; page 1 has the number in its blank.
    // (The signer's own appearance there shows its signing time, which is the agency's when both sign in
    // the same second: only a note in the top margin would be the appendix note.)
    assert.ok(!words(path, 2).some((x) => x.t === issued.numberSymbol || (x.t === iso && x.y2 < 60)), words(path, 2).map((x) => `${x.t}@${x.y2}`).join(' '));
    const signerBlock = execFileSync('pdftotext', ['-enc', 'UTF-8', '-f', '2', '-l', '2', '-r', '72', '-x', '325', '-y', String(842 - 165), '-W', '230', '-H', '90', path, '-'], { encoding: 'utf8' });
    assert.ok(signerBlock.includes('Nguyễn Văn An'), signerBlock);
    assert.ok(!execFileSync('pdftotext', ['-enc', 'UTF-8', '-f', '4', '-l', '4', path, '-'], { encoding: 'utf8' }).includes('Nguyễn Văn An'), 'not on the last appendix');
    assert.ok(pdfLines(path, 1).some((l) => l.startsWith(`Số:${issued.numberSymbol}`)), pdfLines(path, 1).join('\n'));
    const sig = execFileSync('pdfsig', ['-nocert', path], { encoding: 'utf8' });
    assert.equal((sig.match(/Signature Validation: Signature is Valid\./g) ?? []).length, 2, sig);
    assert.match(sig, /Signature #2:[\s\S]*Total document signed/, sig);
    // The notes are locked Stamp annotations of the agency's update, not page content: the signer's revision has none.
    const signerVersion: Buffer[] = [];
    for await (const c of desk.context().storeFor('thuong').openBlob(blobs[0]!.signedSha256!)) signerVersion.push(c as Buffer);
    writeFileSync(join(dir, 'signer.pdf'), Buffer.concat(signerVersion));
    assert.ok(!words(join(dir, 'signer.pdf'), 3).some((x) => x.t === issued.numberSymbol));
    const tail = Buffer.concat(chunks).subarray(Buffer.concat(signerVersion).length).toString('latin1');
    assert.equal((tail.match(/\/Subtype \/Stamp/g) ?? []).length >= 2, true, 'stamps in the agency update');
    assert.match(tail, /\/F 196/);
  });
});
