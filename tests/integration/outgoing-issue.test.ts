// The issued PDF as Nghị định 30/2020 Phụ lục I prescribes it, read by outside tools: pdftotext finds
// the number-symbol and the issue date on page 1 of the main file and "số, ký hiệu; thời gian ký" at
// the top right of page 1 of each appendix; pdfsig finds every signature valid, each covering the whole
// file as it was when made; the page rendered by pdftoppm shows the agency's seal over the left third
// of the signer's signature. The seal image setting (checked PNG), the year in the number of the types
// configured for it, approvers and signers judged against the dated authorities of the structure, and
// the signer's competence lines (TL., KT. …) in the signature's appearance.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync, crc32 } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { todayIso } from '../../common/dates';
import type { NumberingPreset, Role, Secrecy } from '../../common/domain';
import { DeskError } from '../../common/errors';
import { parseNumberSymbol } from '../../common/numberSymbol';
import { outgoingCreateSchema } from '../../common/schemas';
import type { PrivateKeyOps } from '../../main/core/crypto';
import type { Desk } from '../../main/core/desk';
import type { Actor } from '../../main/core/org/rights';
import { actorFor, getUser } from '../../main/core/org/users';
import { checkSealPng, defaultSealPng, encodePng } from '../../main/core/outgoing/seal';
import { issueDateWords } from '../../main/core/outgoing/OutgoingService';
import { makeSamplePdf } from '../../main/devhost/samplePdf';
import { newDesk, stageBytes } from '../helpers/desk';
import { addPerson } from '../helpers/people';
import { decreeDraftPdf } from '../helpers/decreeDraft';
import { pdfLines } from '../helpers/pdfLines';

interface World {
  desk: Desk; cleanup(): void; clerk: Actor; clerkKey: PrivateKeyOps; admin: Actor;
  drafter: Actor; approverA: Actor; signer: Actor; signerKey: PrivateKeyOps; officer: Actor; officerKey: PrivateKeyOps;
}

async function world(preset: NumberingPreset): Promise<World> {
  const { desk, admin, identity, cleanup } = await newDesk(preset);
  const person = async (fullName: string, role: Role, position?: string, clearance: Secrecy = 'tuyet_mat') => {
    const p = await addPerson(desk, { fullName, role, clearance, ...(position ? { position } : {}) });
    return { actor: actorFor(getUser(desk.db, p.id)!), key: p.identity.signingKeys[0]! };
  };
  const drafter = await person('Trần Văn Soạn', 'chuyen_vien');
  const a = await person('Lê Thị Duyệt', 'lanh_dao', 'Phó Chủ tịch');
  const s = await person('Nguyễn Văn Ký', 'lanh_dao', 'Chủ tịch');
  const officer = await person('Hà Văn Thừa', 'chuyen_vien', 'Chánh Văn phòng');
  const it = await person('Vũ Quản Trị', 'quan_tri');
  return {
    desk, cleanup, clerk: admin, clerkKey: identity.signingKeys[0]!, admin: it.actor,
    drafter: drafter.actor, approverA: a.actor, signer: s.actor, signerKey: s.key, officer: officer.actor, officerKey: officer.key,
  };
}

async function draft(w: World, over: Record<string, unknown> = {}, pages = 2, mainPdf?: Uint8Array) {
  const main = await stageBytes(w.desk, w.drafter, mainPdf ?? await makeSamplePdf({ issuer: 'Ủy ban nhân dân tỉnh', numberSymbol: '     /QĐ-UBND', title: 'QUYẾT ĐỊNH', subject: 'Về việc ban hành quy chế', pages }), 'du-thao.pdf');
  const appendix = await stageBytes(w.desk, w.drafter, await makeSamplePdf({ issuer: 'Ủy ban nhân dân tỉnh', numberSymbol: '', title: 'PHỤ LỤC', subject: 'Danh mục kèm theo' }), 'phu-luc.pdf');
  return w.desk.outgoing.create(w.drafter, outgoingCreateSchema.parse({
    typeCode: 'QĐ', subject: 'Về việc ban hành quy chế', secrecy: 'thuong', urgency: 'thuong', signerId: w.signer.id, signerCompetence: 'TM. ỦY BAN NHÂN DÂN',
    approvers: [w.approverA.id], recipients: [{ code: '000.00.00.H49', name: 'UBND tỉnh Quảng Ninh' }], stagedIds: [main.stagedId, appendix.stagedId], comment: '',
    ...over,
  }));
}

async function signed(w: World, over: Record<string, unknown> = {}, pages = 2, signer: { actor: Actor; key: PrivateKeyOps } = { actor: w.signer, key: w.signerKey }, mainPdf?: Uint8Array) {
  const d = await draft(w, { signerId: signer.actor.id, ...over }, pages, mainPdf);
  await w.desk.outgoing.submit(w.drafter, { id: d.id, comment: '' });
  const chain = (over.approvers as number[] | undefined) ?? [w.approverA.id];
  for (const id of chain) await w.desk.outgoing.approve(actorFor(getUser(w.desk.db, id)!), { id: d.id, comment: '' });
  await w.desk.outgoing.signAsSigner(signer.actor, d.id, signer.key);
  return d.id;
}

async function refused(p: Promise<unknown>, code: string, key: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof DeskError, String(e));
    assert.equal(e.code, code, e.message);
    assert.equal(e.key, key, e.message);
    return true;
  });
}

const refusals = (desk: Desk, action: string, reason: string): number =>
  desk.db.prepare("SELECT count(*) FROM audit_log WHERE action = ? AND outcome = 'refused' AND reason = ?").pluck().get(action, reason) as number;

async function blob(desk: Desk, level: Secrecy, sha: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const ch of desk.context().storeFor(level).openBlob(sha)) chunks.push(ch as Buffer);
  return Buffer.concat(chunks);
}

/** The issued files: the signer's version of the main file, the main file and the appendix as issued. */
async function issuedFiles(w: World, id: number): Promise<{ signerVersion: Buffer; main: Buffer; appendix: Buffer }> {
  const b = w.desk.outgoing.signatureBlobs(w.clerk, id);
  assert.deepEqual(b.map((x) => [x.role, x.format]), [['signer', 'pades'], ['agency', 'pades'], ['agency', 'pades']]);
  return { signerVersion: await blob(w.desk, 'thuong', b[0]!.signedSha256!), main: await blob(w.desk, 'thuong', b[1]!.signedSha256!), appendix: await blob(w.desk, 'thuong', b[2]!.signedSha256!) };
}

let dir = '';
const file = (name: string, bytes: Uint8Array) => {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
};
/** pdftotext of a region of a page (in points from the top left, at 72 dpi). */
const textIn = (path: string, page: number, r?: { x: number; y: number; w: number; h: number }) =>
  execFileSync('pdftotext', ['-enc', 'UTF-8', '-f', String(page), '-l', String(page), ...(r ? ['-r', '72', '-x', String(r.x), '-y', String(r.y), '-W', String(r.w), '-H', String(r.h)] : []), path, '-'], { encoding: 'utf8' });
const pdfsig = (path: string) => execFileSync('pdfsig', ['-nocert', path], { encoding: 'utf8' });

/** The page rendered at 72 dpi (one pixel a point) as RGB rows. */
function render(path: string, page: number): { width: number; height: number; at(x: number, y: number): [number, number, number] } {
  const ppm = execFileSync('pdftoppm', ['-r', '72', '-f', String(page), '-l', String(page), path], { maxBuffer: 64 << 20 });
  const header = ppm.toString('latin1', 0, 40).match(/^P6\s+(\d+)\s+(\d+)\s+255\s/);
  assert.ok(header, 'a binary PPM');
  const width = Number(header[1]);
  const height = Number(header[2]);
  const off = header[0].length;
  return { width, height, at: (x, y) => { const o = off + (y * width + x) * 3; return [ppm[o]!, ppm[o + 1]!, ppm[o + 2]!]; } };
}

/** Red pixels (the seal) in a rectangle given in PDF points from the bottom left. */
function redIn(img: ReturnType<typeof render>, r: { x1: number; x2: number; y1: number; y2: number }): number {
  let n = 0;
  for (let y = Math.round(r.y1); y < Math.round(r.y2); y++) {
    for (let x = Math.round(r.x1); x < Math.round(r.x2); x++) {
      const [R, G, B] = img.at(x, img.height - 1 - y);
      if (R > 150 && G < 110 && B < 110) n++;
    }
  }
  return n;
}

before(() => { dir = mkdtempSync(join(tmpdir(), 'outgoing-issue-')); });
after(() => rmSync(dir, { recursive: true, force: true }));

describe('the issued document (state preset)', () => {
  let w: World;
  before(async () => { w = await world('state'); });
  after(() => w.cleanup());

  it('shows the number and date on the main file and "số, ký hiệu; thời gian ký" on the appendix; pdfsig finds every signature valid and whole', async () => {
    const id = await signed(w);
    const issued = await w.desk.outgoing.issue(w.clerk, id, w.clerkKey);
    const { signerVersion, main, appendix } = await issuedFiles(w, id);
    const mainPath = file('main.pdf', main);
    // The number in the draft's own blank "Số:      /QĐ-UBND"; this draft has no "ngày … tháng … năm …"
    // line, so the date goes to the top right of page 1 (in the margin), and the history says why.
    assert.ok(pdfLines(mainPath).includes(`Số:${issued.numberSymbol}`), pdfLines(mainPath).join('\n'));
    const top = textIn(mainPath, 1, { x: 295, y: 0, w: 300, h: 60 });
    assert.ok(!top.includes('Số:'), top);
    assert.ok(top.includes(issueDateWords(issued.issuedDate)), top);
    assert.match(issueDateWords('2026-02-05'), /^Ngày 05 tháng 02 năm 2026$/);
    assert.match(issueDateWords('2026-12-15'), /^Ngày 15 tháng 12 năm 2026$/);
    assert.ok(textIn(mainPath, 1).includes('QUYẾT ĐỊNH'));
    // The signer's signature on the last page, with the competence lines above the name.
    const block = textIn(mainPath, 2, { x: 325, y: 842 - 165, w: 230, h: 90 });
    for (const l of ['TM. ỦY BAN NHÂN DÂN', 'CHỦ TỊCH', 'Nguyễn Văn Ký']) assert.ok(block.includes(l), block);
    // The appendix: the number and the agency's signing time (ISO 8601, Vietnam time) at the top right of page 1.
    const appPath = file('appendix.pdf', appendix);
    const note = textIn(appPath, 1, { x: 295, y: 0, w: 300, h: 60 });
    assert.ok(note.includes(issued.numberSymbol), note);
    assert.match(note, new RegExp(`${issued.issuedDate}T\\d\\d:\\d\\d:\\d\\d\\+07:00`));
    assert.ok(!textIn(appPath, 1, { x: 0, y: 0, w: 295, h: 60 }).includes(issued.numberSymbol), 'on the right');
    // pdfsig: the signer's and the agency's signatures valid; the agency's covers the whole issued file,
    // the signer's the whole file as the signer signed it.
    const sig = pdfsig(mainPath);
    assert.equal((sig.match(/Signature Validation: Signature is Valid\./g) ?? []).length, 2, sig);
    assert.match(sig, /Signature #2:[\s\S]*Total document signed/, sig);
    assert.match(sig, /Signer Certificate Common Name: Nguyễn Văn Ký/);
    assert.ok(main.subarray(0, signerVersion.length).equals(signerVersion), 'the agency appended to the signer\'s file');
    const sv = pdfsig(file('signer.pdf', signerVersion));
    assert.match(sv, /Total document signed/, sv);
    assert.match(sv, /Signature is Valid\./, sv);
    const app = pdfsig(appPath);
    assert.match(app, /Total document signed/, app);
    assert.match(app, /Signature is Valid\./, app);
    // The agency's stored signature carries the number it signed, the trail records it.
    const v = w.desk.outgoing.get(w.clerk, id);
    assert.deepEqual(v.steps.slice(-2).map((s) => [s.kind, s.comment]), [
      ['sign_agency', `${issued.numberSymbol}. Ngày ban hành được ghi ở lề trên, góc phải trang 1 (dự thảo không có chỗ trống "ngày … tháng … năm …" ở phần đầu trang 1).`],
      ['issue', issued.numberSymbol],
    ]);
  });

  it('writes the number and date into the blanks of a draft in the decree\'s layout, nothing in the margin; the history names no fallback', async () => {
    const id = await signed(w, {}, 1, undefined, await decreeDraftPdf({ form: 'state' }));
    const issued = await w.desk.outgoing.issue(w.clerk, id, w.clerkKey);
    const { main } = await issuedFiles(w, id);
    const path = file('decree-main.pdf', main);
    const [d, m, y] = [issued.issuedDate.slice(8), issued.issuedDate.slice(5, 7), issued.issuedDate.slice(0, 4)];
    const month = Number(m) < 3 ? m : String(Number(m));
    const row = pdfLines(path).find((l) => l.startsWith('Số:'))!;
    assert.equal(row, `Số:${issued.numberSymbol}QuảngNinh,ngày${d}tháng${month}năm${y}`);
    assert.equal(textIn(path, 1, { x: 295, y: 0, w: 300, h: 40 }).trim(), '', 'nothing in the top margin');
    assert.match(pdfsig(path), /Signature #2:[\s\S]*Total document signed/);
    const steps = w.desk.outgoing.get(w.clerk, id).steps;
    assert.deepEqual(steps.slice(-2).map((s) => [s.kind, s.comment]), [['sign_agency', issued.numberSymbol], ['issue', issued.numberSymbol]]);
    const audit = w.desk.db.prepare("SELECT details FROM audit_log WHERE action = 'outgoing.issue' AND outcome = 'ok' AND entity_id = ?").pluck().get(id) as string;
    assert.match(audit, /"dateInBlank":true/);
    assert.match(audit, /"numberInBlank":true/);
  });

  it('issues two documents at once with consecutive numbers, each PDF showing its own (the agency signs again when its planned number was taken)', async () => {
    const [x, y] = [await signed(w, {}, 1), await signed(w, {}, 1)];
    const [a, b] = await Promise.all([w.desk.outgoing.issue(w.clerk, x, w.clerkKey), w.desk.outgoing.issue(w.clerk, y, w.clerkKey)]);
    assert.deepEqual([a.number, b.number].sort((m, n) => m - n), [Math.min(a.number, b.number), Math.min(a.number, b.number) + 1]);
    for (const issued of [a, b]) {
      const { main, appendix } = await issuedFiles(w, issued.id);
      const rows = pdfLines(file(`c${issued.id}.pdf`, main));
      assert.ok(rows.includes(`Số:${issued.numberSymbol}`), `${issued.numberSymbol}: ${rows.join('\n')}`);
      assert.ok(textIn(file(`c${issued.id}-app.pdf`, appendix), 1).includes(issued.numberSymbol));
      // One agency signature per file: a signing redone is not stored twice.
      assert.equal(w.desk.outgoing.signatureBlobs(w.clerk, issued.id).filter((s) => s.role === 'agency').length, 2);
    }
  });

  it('puts the agency seal over the left third of the signer\'s signature (the page rendered by pdftoppm)', async () => {
    const id = await signed(w, {}, 1);
    await w.desk.outgoing.issue(w.clerk, id, w.clerkKey);
    const { main } = await issuedFiles(w, id);
    const path = file('seal.pdf', main);
    const img = render(path, 1);
    // The signer's signature: x 330–550, y 80–160 (points). The seal (40 mm) ends at a third of its width.
    const third = 330 + 220 / 3;
    const overlap = redIn(img, { x1: 330, x2: third, y1: 80, y2: 160 });
    const leftOfIt = redIn(img, { x1: 285, x2: 330, y1: 60, y2: 180 });
    const rest = redIn(img, { x1: third + 4, x2: 550, y1: 60, y2: 180 });
    assert.ok(overlap > 300, `seal over the left third: ${overlap} red pixels`);
    assert.ok(leftOfIt > 300, `the seal reaches left of the signature: ${leftOfIt}`);
    assert.equal(rest, 0, 'nothing red over the rest of the signature');
    // A picture to look at (test-results/outgoing/), page 1 at 100 dpi.
    mkdirSync('test-results/outgoing', { recursive: true });
    execFileSync('pdftoppm', ['-png', '-r', '100', '-f', '1', '-l', '1', '-singlefile', path, 'test-results/outgoing/issued-main-page1']);
  });

  it('checks an uploaded seal as a real transparent PNG within limits; refusals specific and audited; the agency\'s own seal is used', async () => {
    const s = w.desk.outgoing;
    assert.equal(s.seal(w.clerk).custom, false, 'the generated stand-in until one is uploaded');
    const stand = defaultSealPng();
    assert.equal(checkSealPng(stand).alpha, true);
    const rgb = (width: number, height: number) => {
      const chunk = (t: string, d: Buffer) => { const l = Buffer.alloc(4); l.writeUInt32BE(d.length); const td = Buffer.concat([Buffer.from(t), d]); const c = Buffer.alloc(4); c.writeUInt32BE(crc32(td)); return Buffer.concat([l, td, c]); };
      const ihdr = Buffer.alloc(13);
      ihdr.writeUInt32BE(width, 0);
      ihdr.writeUInt32BE(height, 4);
      ihdr.set([8, 2, 0, 0, 0], 8);
      const raw = Buffer.alloc((width * 3 + 1) * height, 0xff);
      for (let y = 0; y < height; y++) raw[y * (width * 3 + 1)] = 0;
      return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
    };
    const corrupt = Buffer.from(stand);
    corrupt[60] = corrupt[60]! ^ 0xff;
    const cases: Array<[Uint8Array, RegExp]> = [
      [Buffer.from('GIF89a not a png at all'), /không phải tệp PNG/],
      [corrupt, /bị hỏng/],
      [stand.subarray(0, stand.length - 20), /cắt cụt|bị hỏng/],
      [Buffer.concat([stand, Buffer.from('trailing')]), /dữ liệu lạ/],
      [rgb(120, 120), /nền trong suốt/],
      [encodePng(32, 32, new Uint8Array(32 * 32 * 4)), /kích thước/],
      [Buffer.alloc(600 * 1024, 1), /lớn hơn/],
    ];
    const before = refusals(w.desk, 'outgoing.seal', 'outgoing.sealInvalid');
    for (const [bytes, why] of cases) {
      await assert.rejects(s.setSeal(w.admin, bytes), (e: unknown) => e instanceof DeskError && e.key === 'outgoing.sealInvalid' && why.test(e.message) && e.details?.log !== undefined);
    }
    assert.equal(refusals(w.desk, 'outgoing.seal', 'outgoing.sealInvalid'), before + cases.length);
    assert.equal(s.seal(w.clerk).custom, false, 'nothing stored by a refusal');
    await assert.rejects(s.setSeal(w.clerk, stand), (e: unknown) => e instanceof DeskError && e.code === 'FORBIDDEN');
    // The agency's own: 200 × 120, red, half transparent.
    const px = new Uint8Array(200 * 120 * 4);
    for (let i = 0; i < px.length; i += 4) px.set([210, 20, 30, 160], i);
    const own = encodePng(200, 120, px);
    const view = await s.setSeal(w.admin, own);
    assert.deepEqual([view.custom, view.width, view.height], [true, 200, 120]);
    assert.equal(w.desk.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'outgoing.seal' AND outcome = 'ok'").pluck().get(), 1);
    const id = await signed(w, {}, 1);
    await w.desk.outgoing.issue(w.clerk, id, w.clerkKey);
    const { main } = await issuedFiles(w, id);
    const images = execFileSync('pdfimages', ['-list', file('own-seal.pdf', main)], { encoding: 'utf8' });
    assert.match(images, /\s200\s+120\s+rgb/, images);
    // Back to the stand-in.
    assert.equal((await s.setSeal(w.admin, null)).custom, false);
  });

  it('writes the year into the number of the types configured for it (01/2026/NĐ-UBND), the state default being the legal types', async () => {
    const cfg = w.desk.outgoing.config(w.clerk);
    assert.deepEqual(cfg.yearInNumber, ['L', 'NĐ', 'TT', 'TTLT', 'NQLT']);
    const year = todayIso(w.desk.now()).slice(0, 4);
    const nd = await w.desk.outgoing.issue(w.clerk, await signed(w, { typeCode: 'NĐ' }), w.clerkKey);
    assert.match(nd.numberSymbol, new RegExp(`^\\d\\d/${year}/NĐ-UBND$`));
    const parsed = parseNumberSymbol(nd.numberSymbol);
    assert.ok(parsed.ok && parsed.value.number === nd.number, JSON.stringify(parsed));
    // The year is on the issued PDF too: the agency signed the number with it.
    const { appendix } = await issuedFiles(w, nd.id);
    assert.ok(textIn(file('nd.pdf', appendix), 1).includes(nd.numberSymbol));
    const qd = await w.desk.outgoing.issue(w.clerk, await signed(w), w.clerkKey);
    assert.match(qd.numberSymbol, /^\d\d\/QĐ-UBND$/, 'an administrative decision has no year by default');
    // A normative decision of the agency: configured per type.
    const base = { issuerNotation: 'UBND', sameDayIssue: true, requireAgencySignature: true, agencyCertificates: [] };
    await w.desk.outgoing.configure(w.admin, { ...base, yearInNumber: ['NĐ', 'QĐ'] });
    const qd2 = await w.desk.outgoing.issue(w.clerk, await signed(w), w.clerkKey);
    assert.equal(qd2.numberSymbol, `${String(qd2.number).padStart(2, '0')}/${year}/QĐ-UBND`);
    // Without the list the configuration keeps it; a type the agency does not issue is refused, audited.
    assert.deepEqual((await w.desk.outgoing.configure(w.admin, base)).yearInNumber, ['NĐ', 'QĐ']);
    await refused(w.desk.outgoing.configure(w.admin, { ...base, yearInNumber: ['Luật'] }), 'VALIDATION', 'outgoing.yearTypeNotIssued');
    assert.equal(refusals(w.desk, 'outgoing.configure', 'outgoing.yearTypeNotIssued'), 1);
    await w.desk.outgoing.configure(w.admin, { ...base, yearInNumber: ['L', 'NĐ', 'TT', 'TTLT', 'NQLT'] });
  });

  it('takes approvers who are leaders, unit heads of the drafter\'s unit or hold a dated authority to approve; refuses others, audited, at the draft and at the approval', async () => {
    const today = todayIso(w.desk.now());
    // A chuyên viên without an authority is no approver.
    await refused(draft(w, { approvers: [w.officer.id] }), 'VALIDATION', 'outgoing.approverNoAuthority');
    assert.equal(refusals(w.desk, 'outgoing.create', 'outgoing.approverNoAuthority'), 1);
    const audit = w.desk.db.prepare("SELECT details FROM audit_log WHERE action = 'outgoing.create' AND reason = 'outgoing.approverNoAuthority'").pluck().get() as string;
    assert.match(audit, /holds no authority to approve/);
    // With a dated authority to approve, from today, they are.
    const granted = await w.desk.structure.grantAuthority(w.admin, { userId: w.officer.id, kind: 'approve', prefix: '', onBehalf: '', unitId: null, validFrom: today, validTo: null });
    const authId = granted.authorities.find((a) => a.userId === w.officer.id && a.kind === 'approve')!.id;
    const d = await draft(w, { approvers: [w.officer.id, w.approverA.id] });
    await w.desk.outgoing.submit(w.drafter, { id: d.id, comment: '' });
    // The authority is withdrawn before their turn: the approval is refused, nothing changes.
    await w.desk.structure.endAuthority(w.admin, { id: authId, onDate: today });
    const before = JSON.stringify(w.desk.outgoing.get(w.clerk, d.id).steps);
    await refused(w.desk.outgoing.approve(w.officer, { id: d.id, comment: '' }), 'FORBIDDEN', 'outgoing.approverNoAuthority');
    assert.equal(JSON.stringify(w.desk.outgoing.get(w.clerk, d.id).steps), before);
    assert.equal(refusals(w.desk, 'outgoing.approve', 'outgoing.approverNoAuthority'), 1);
    // The head of the drafter's unit (a unit above it counts) approves drafts of that unit.
    const made = await w.desk.structure.createUnit(w.admin, { name: 'Văn phòng', code: 'VP' });
    const office = made.units.find((u) => u.name === 'Văn phòng')!.id;
    const sub = (await w.desk.structure.createUnit(w.admin, { name: 'Phòng Hành chính', code: 'HC', parentId: office })).units.find((u) => u.name === 'Phòng Hành chính')!.id;
    await w.desk.structure.setMember(w.admin, { userId: w.drafter.id, unitId: sub, unitRole: 'member' });
    const head = await addPerson(w.desk, { fullName: 'Đinh Văn Trưởng', role: 'chuyen_vien', clearance: 'tuyet_mat', position: 'Chánh Văn phòng' });
    await w.desk.structure.setMember(w.admin, { userId: head.id, unitId: office, unitRole: 'head' });
    const byHead = await draft(w, { approvers: [head.id] });
    await w.desk.outgoing.submit(w.drafter, { id: byHead.id, comment: '' });
    const v = await w.desk.outgoing.approve(actorFor(getUser(w.desk.db, head.id)!), { id: byHead.id, comment: 'Đồng ý' });
    assert.equal(v.status, 'approved');
  });

  it('fills the signer\'s appearance with the signature block of their authority (TL. CHỦ TỊCH / CHÁNH VĂN PHÒNG), and refuses the signature once the authority has ended', async () => {
    const today = todayIso(w.desk.now());
    await w.desk.structure.setMember(w.admin, { userId: w.drafter.id, unitId: null, unitRole: 'member' });
    const g = await w.desk.structure.grantAuthority(w.admin, { userId: w.officer.id, kind: 'sign', prefix: 'TL.', onBehalf: 'Chủ tịch', unitId: null, validFrom: today, validTo: null });
    const authId = g.authorities.find((a) => a.userId === w.officer.id && a.kind === 'sign')!.id;
    const id = await signed(w, { signerCompetence: '' }, 1, { actor: w.officer, key: w.officerKey });
    const blobs = w.desk.outgoing.signatureBlobs(w.clerk, id);
    const path = file('tl.pdf', await blob(w.desk, 'thuong', blobs[0]!.signedSha256!));
    const block = textIn(path, 1, { x: 325, y: 842 - 165, w: 230, h: 90 }).split('\n').map((l) => l.trim()).filter(Boolean);
    assert.deepEqual(block.filter((l) => !/Đã ký số|\+07:00/.test(l)), ['TL. CHỦ TỊCH', 'CHÁNH VĂN PHÒNG', 'Hà Văn Thừa']);
    const step = w.desk.db.prepare("SELECT details FROM audit_log WHERE action = 'outgoing.sign_signer' AND outcome = 'ok' AND entity_id = ?").pluck().get(id) as string;
    assert.match(step, /TL\. CHỦ TỊCH/);
    // A second draft for them; the authority ends before they sign: refused, audited, nothing signed.
    const d = await draft(w, { signerId: w.officer.id, signerCompetence: '' }, 1);
    await w.desk.outgoing.submit(w.drafter, { id: d.id, comment: '' });
    await w.desk.outgoing.approve(w.approverA, { id: d.id, comment: '' });
    await w.desk.structure.endAuthority(w.admin, { id: authId, onDate: today });
    await refused(w.desk.outgoing.signAsSigner(w.officer, d.id, w.officerKey), 'FORBIDDEN', 'outgoing.signerNoAuthority');
    assert.equal(w.desk.outgoing.get(w.clerk, d.id).status, 'approved');
    assert.equal(refusals(w.desk, 'outgoing.sign_signer', 'outgoing.signerNoAuthority'), 1);
  });
});

describe('the year in the number (party preset)', () => {
  let w: World;
  before(async () => { w = await world('party'); });
  after(() => w.cleanup());

  it('has no year in party number-symbols and refuses a rule that would add one', async () => {
    assert.deepEqual(w.desk.outgoing.config(w.clerk).yearInNumber, []);
    await refused(w.desk.outgoing.configure(w.admin, { issuerNotation: 'TU', sameDayIssue: true, requireAgencySignature: true, agencyCertificates: [], yearInNumber: ['QĐ'] }), 'VALIDATION', 'outgoing.yearInPartyForm');
    const issued = await w.desk.outgoing.issue(w.clerk, await signed(w, { signerCompetence: 'T/M BAN THƯỜNG VỤ' }), w.clerkKey);
    assert.equal(issued.numberSymbol, '01-QĐ/TU');
    // A party draft (HD 36-HD/VPTW): "Số      -QĐ/TU" under the star, the date under the motto.
    const id = await signed(w, { signerCompetence: 'T/M BAN THƯỜNG VỤ' }, 1, undefined, await decreeDraftPdf({ form: 'party' }));
    const second = await w.desk.outgoing.issue(w.clerk, id, w.clerkKey);
    assert.equal(second.numberSymbol, '02-QĐ/TU');
    const rows = pdfLines(file('party-main.pdf', (await issuedFiles(w, id)).main));
    const [d, m, y] = [second.issuedDate.slice(8), Number(second.issuedDate.slice(5, 7)), second.issuedDate.slice(0, 4)];
    assert.ok(rows.includes('Số02-QĐ/TU'), rows.join('\n'));
    assert.ok(rows.includes(`QuảngNinh,ngày${d}tháng${m < 3 ? `0${m}` : m}năm${y}`), rows.join('\n'));
    assert.equal(w.desk.outgoing.get(w.clerk, id).steps.at(-2)!.comment, '02-QĐ/TU');
  });
});
