// Outgoing documents on a real profile: drafts, the ordered approval chain, the signer's and the
// agency's signatures (real RSA keys; openssl cms verifies them), the number at the issue, the
// registers, dispatch records, recall and replacement; and every out-of-turn step refused, audited,
// with nothing changed and no number consumed.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { todayIso } from '../../common/dates';
import type { NumberingPreset, Secrecy } from '../../common/domain';
import { DeskError } from '../../common/errors';
import { parseNumberSymbol } from '../../common/numberSymbol';
import { outgoingCreateSchema } from '../../common/schemas';
import type { Desk, TokenIdentity } from '../../main/core/desk';
import { peekNumber } from '../../main/core/documents/numbering';
import { writeTx } from '../../main/core/db/transaction';
import { actorFor, getUser } from '../../main/core/org/users';
import type { Actor } from '../../main/core/org/rights';
import type { PrivateKeyOps } from '../../main/core/crypto';
import { newDesk, pdfBytes, stageBytes } from '../helpers/desk';
import { addPerson } from '../helpers/people';

interface World {
  desk: Desk; cleanup(): void; identity: TokenIdentity;
  clerk: Actor; clerkKey: PrivateKeyOps;
  drafter: Actor; approverA: Actor; approverB: Actor; signer: Actor; signerKey: PrivateKeyOps; outsider: Actor; approverAKey: PrivateKeyOps;
}

async function world(preset: NumberingPreset): Promise<World> {
  const { desk, admin, identity, cleanup } = await newDesk(preset);
  const person = async (fullName: string, role: 'lanh_dao' | 'chuyen_vien', clearance: Secrecy = 'tuyet_mat') => {
    const p = await addPerson(desk, { fullName, role, clearance });
    return { actor: actorFor(getUser(desk.db, p.id)!), key: p.identity.signingKeys[0]! };
  };
  const drafter = await person('Trần Văn Soạn', 'chuyen_vien');
  const a = await person('Lê Thị Duyệt', 'lanh_dao');
  const b = await person('Phạm Văn Xét', 'lanh_dao');
  const s = await person('Nguyễn Văn Ký', 'lanh_dao');
  const outsider = await person('Đỗ Thị Ngoài', 'chuyen_vien');
  return {
    desk, cleanup, identity, clerk: admin, clerkKey: identity.signingKeys[0]!, drafter: drafter.actor, approverA: a.actor, approverAKey: a.key,
    approverB: b.actor, signer: s.actor, signerKey: s.key, outsider: outsider.actor,
  };
}

async function draft(w: World, over: Record<string, unknown> = {}) {
  const main = await stageBytes(w.desk, w.drafter, await pdfBytes('Dự thảo quyết định'), 'du-thao.pdf');
  const appendix = await stageBytes(w.desk, w.drafter, await pdfBytes('Phụ lục'), 'phu-luc.pdf');
  return w.desk.outgoing.create(w.drafter, outgoingCreateSchema.parse({
    typeCode: 'QĐ', subject: 'Về việc ban hành quy chế bảo vệ bí mật nhà nước', secrecy: 'thuong', urgency: 'khan',
    signerId: w.signer.id, signerCompetence: 'TM. ỦY BAN NHÂN DÂN', approvers: [w.approverA.id, w.approverB.id],
    recipients: [{ code: '000.00.00.H49', name: 'UBND tỉnh Quảng Ninh' }, { code: '000.00.12.H49', name: 'Sở Nội vụ' }],
    issuedAmount: 5, stagedIds: [main.stagedId, appendix.stagedId], comment: 'Dự thảo lần 1',
    ...over,
  }));
}

/** Approved by both and signed by the signer: the văn thư's issue (number, then the agency's signature) is next. */
async function readyToIssue(w: World, over: Record<string, unknown> = {}) {
  const d = await draft(w, over);
  await w.desk.outgoing.submit(w.drafter, { id: d.id, comment: '' });
  await w.desk.outgoing.approve(w.approverA, { id: d.id, comment: 'Đồng ý' });
  await w.desk.outgoing.approve(w.approverB, { id: d.id, comment: 'Đồng ý' });
  await w.desk.outgoing.signAsSigner(w.signer, d.id, w.signerKey);
  return d.id;
}

const issue = (w: World, id: number) => w.desk.outgoing.issue(w.clerk, id, w.clerkKey);

async function refused(p: Promise<unknown> | (() => unknown), code: string, detail: string): Promise<void> {
  await assert.rejects(async () => (typeof p === 'function' ? p() : p), (e: unknown) => {
    assert.ok(e instanceof DeskError, String(e));
    assert.equal(e.code, code, e.message);
    assert.equal(e.details?.code, detail, e.message);
    return true;
  });
}

const refusals = (desk: Desk, action: string): number =>
  desk.db.prepare("SELECT count(*) FROM audit_log WHERE action = ? AND outcome = 'refused'").pluck().get(action) as number;

/** What must not change when a step is refused: the row, its steps, signatures and dispatches. */
function snapshot(desk: Desk, id: number): string {
  const c = (['c_thuong', 'c_mat', 'c_toi_mat', 'c_tuyet_mat'] as const).find((s) => desk.db.prepare(`SELECT 1 FROM ${s}.outgoing WHERE id = ?`).get(id))!;
  const q = (sql: string) => desk.db.prepare(sql.replaceAll('{c}', c)).all(id);
  return JSON.stringify([q('SELECT * FROM {c}.outgoing WHERE id = ?'), q('SELECT id FROM {c}.outgoing_steps WHERE outgoing_id = ?'),
    q('SELECT id FROM {c}.outgoing_signatures WHERE outgoing_id = ?'), q('SELECT id FROM {c}.outgoing_dispatches WHERE outgoing_id = ?')]);
}

function counters(desk: Desk): string {
  return JSON.stringify(desk.db.prepare('SELECT * FROM number_counters ORDER BY scope_id, period, bucket').all());
}

describe('outgoing documents (state preset)', () => {
  let w: World;
  before(async () => { w = await world('state'); });
  after(() => w.cleanup());

  it('goes from draft through two approvals and both signatures to an issued, numbered document with a dispatch per recipient', async () => {
    const d = await draft(w);
    assert.equal(d.status, 'draft');
    assert.equal(d.files.length, 2);
    assert.deepEqual(d.files.map((f) => f.role), ['main', 'appendix']);
    assert.deepEqual(d.recipients.map((r) => r.code), ['000.00.00.H49', '000.00.12.H49']);
    let v = await w.desk.outgoing.submit(w.drafter, { id: d.id, comment: 'Kính trình' });
    assert.equal(v.status, 'in_review');
    assert.equal(v.waitingFor, 'Lê Thị Duyệt');
    v = await w.desk.outgoing.approve(w.approverA, { id: d.id, comment: 'Đồng ý' });
    assert.equal(v.waitingFor, 'Phạm Văn Xét');
    v = await w.desk.outgoing.approve(w.approverB, { id: d.id, comment: '' });
    assert.equal(v.status, 'approved');
    v = await w.desk.outgoing.signAsSigner(w.signer, d.id, w.signerKey);
    assert.equal(v.status, 'signer_signed');
    const issued = await issue(w, d.id);
    assert.equal(issued.number, 1);
    assert.equal(issued.numberSymbol, '01/QĐ-UBND');
    assert.equal(issued.issuedDate, todayIso(w.desk.now()));
    assert.equal(issued.registerName, 'Sổ đăng ký văn bản đi');
    assert.equal(issued.dispatches, 2);
    const p = parseNumberSymbol(issued.numberSymbol);
    assert.ok(p.ok && p.verdict === 'ok' && p.value.form === 'state' && p.value.typeCode === 'QĐ');
    v = w.desk.outgoing.get(w.clerk, d.id);
    assert.equal(v.status, 'issued');
    assert.deepEqual(v.signatures.map((s) => [s.role, s.fileName]), [['signer', 'du-thao.pdf'], ['agency', 'du-thao.pdf'], ['agency', 'phu-luc.pdf']]);
    assert.deepEqual(v.dispatches.map((x) => x.status), ['pending', 'pending']);
    assert.deepEqual(v.steps.map((s) => s.kind), ['create', 'submit', 'approve', 'approve', 'sign_signer', 'sign_agency', 'issue']);
    // Each step is an event in the level's log, under the record's global id.
    const events = w.desk.db.prepare("SELECT entity, kind FROM c_thuong.events WHERE entity LIKE 'outgoing%'").all() as Array<{ entity: string }>;
    assert.equal(events.filter((e) => e.entity === 'outgoing_steps').length, 7);
    assert.equal(events.filter((e) => e.entity === 'outgoing_dispatches').length, 2);
    // The pending dispatches are what the exchange sends next.
    assert.deepEqual(w.desk.outgoing.pendingDispatches(w.clerk).filter((x) => x.outgoingId === d.id).map((x) => x.code), ['000.00.00.H49', '000.00.12.H49']);
  });

  it('keeps the files of a draft across the next unlock of the person who staged them (the sweep of unfinished placements knows them)', async () => {
    const d = await draft(w);
    w.desk.lock('manual');
    await w.desk.unlock(w.identity);
    const store = w.desk.context().storeFor('thuong');
    for (const f of d.files) assert.ok(await store.hasBlob(f.sha256), f.name);
  });

  it('signs inside the PDFs (PAdES): pdfsig finds the signer\'s and the agency\'s signatures valid, the last one covering the whole file', async () => {
    const id = await readyToIssue(w);
    await issue(w, id);
    const blobs = w.desk.outgoing.signatureBlobs(w.clerk, id);
    assert.deepEqual(blobs.map((b) => [b.role, b.format]), [['signer', 'pades'], ['agency', 'pades'], ['agency', 'pades']]);
    const dir = mkdtempSync(join(tmpdir(), 'outgoing-sig-'));
    try {
      const store = w.desk.context().storeFor('thuong');
      const read = async (sha: string) => {
        const chunks: Buffer[] = [];
        for await (const ch of store.openBlob(sha)) chunks.push(ch as Buffer);
        return Buffer.concat(chunks);
      };
      // The main file as issued: the signer's signature, then the agency's, each an incremental update.
      const main = await read(blobs[1]!.signedSha256!);
      const original = await read(blobs[1]!.fileSha256);
      assert.ok(main.subarray(0, original.length).equals(original), 'the original bytes are kept, signatures appended');
      writeFileSync(join(dir, 'main.pdf'), main);
      const out = execFileSync('pdfsig', ['-nocert', join(dir, 'main.pdf')], { encoding: 'utf8' });
      assert.equal((out.match(/Signature Validation: Signature is Valid\./g) ?? []).length, 2, out);
      assert.match(out, /Signature #2:[\s\S]*Total document signed/, out);
      assert.match(out, /Signer Certificate Common Name: Nguyễn Văn Ký/);
      assert.match(out, /Signer Certificate Common Name: Nguyễn Thị Hương/);
      // The appendix carries the agency's signature.
      writeFileSync(join(dir, 'appendix.pdf'), await read(blobs[2]!.signedSha256!));
      const app = execFileSync('pdfsig', ['-nocert', join(dir, 'appendix.pdf')], { encoding: 'utf8' });
      assert.match(app, /Signature is Valid\./, app);
      // A changed byte in the signed range breaks it.
      const broken = Buffer.from(main);
      broken[200] = broken[200]! ^ 0xff;
      writeFileSync(join(dir, 'broken.pdf'), broken);
      const bad = spawnSync('pdfsig', ['-nocert', join(dir, 'broken.pdf')], { encoding: 'utf8' });
      assert.doesNotMatch(bad.stdout, /Signature #1:[\s\S]*Signature is Valid\.[\s\S]*Signature #2/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses every out-of-turn step with a specific reason, audited, changing nothing and consuming no number', async () => {
    const d = await draft(w);
    const o = w.desk.outgoing;
    const before0 = counters(w.desk);
    // Nothing can be approved or signed before it is submitted; only the drafter submits.
    await refused(o.approve(w.approverA, { id: d.id, comment: '' }), 'VALIDATION', 'outgoing.wrongState');
    await refused(o.submit(w.approverA, { id: d.id, comment: '' }), 'FORBIDDEN', 'outgoing.notDrafter');
    await refused(o.signAsSigner(w.signer, d.id, w.signerKey), 'VALIDATION', 'outgoing.notApproved');
    await o.submit(w.drafter, { id: d.id, comment: '' });
    let snap = snapshot(w.desk, d.id);
    const refusedBefore = refusals(w.desk, 'outgoing.approve');
    // Out of order: the second approver before the first; someone not in the chain.
    await refused(o.approve(w.approverB, { id: d.id, comment: '' }), 'FORBIDDEN', 'outgoing.notYourTurn');
    await assert.rejects(o.approve(w.outsider, { id: d.id, comment: '' }), (e: unknown) => e instanceof DeskError && e.code === 'NOT_FOUND');
    await refused(o.approve(w.signer, { id: d.id, comment: '' }), 'FORBIDDEN', 'outgoing.notApprover');
    assert.equal(snapshot(w.desk, d.id), snap);
    assert.ok(refusals(w.desk, 'outgoing.approve') >= refusedBefore + 2);
    await o.approve(w.approverA, { id: d.id, comment: '' });
    snap = snapshot(w.desk, d.id);
    // Twice: the same approver again.
    await refused(o.approve(w.approverA, { id: d.id, comment: '' }), 'VALIDATION', 'outgoing.alreadyApproved');
    // Signing an unapproved draft; editing under review.
    await refused(o.signAsSigner(w.signer, d.id, w.signerKey), 'VALIDATION', 'outgoing.notApproved');
    await refused(o.revise(w.drafter, { id: d.id, comment: 'sửa', subject: 'Khác' }), 'VALIDATION', 'outgoing.notEditable');
    assert.equal(snapshot(w.desk, d.id), snap);
    await o.approve(w.approverB, { id: d.id, comment: '' });
    snap = snapshot(w.desk, d.id);
    // Wrong person signs; a key bound to someone else; the agency before the signer; issuing unsigned.
    await refused(o.signAsSigner(w.approverA, d.id, w.approverAKey), 'FORBIDDEN', 'outgoing.notSigner');
    await refused(o.signAsSigner(w.signer, d.id, w.clerkKey), 'FORBIDDEN', 'outgoing.certNotBound');
    await refused(o.issue(w.clerk, d.id, w.clerkKey), 'VALIDATION', 'outgoing.notSigned');
    assert.equal(snapshot(w.desk, d.id), snap);
    await o.signAsSigner(w.signer, d.id, w.signerKey);
    snap = snapshot(w.desk, d.id);
    await refused(o.signAsSigner(w.signer, d.id, w.signerKey), 'VALIDATION', 'outgoing.wrongState');
    await refused(o.issue(w.approverA, d.id, w.approverAKey), 'FORBIDDEN', 'outgoing.notClerk');
    // The agency's signature is required: no issue without the văn thư's key; nor with a key bound to someone else.
    await refused(o.issue(w.clerk, d.id), 'VALIDATION', 'outgoing.agencyKeyRequired');
    await refused(o.issue(w.clerk, d.id, w.signerKey), 'FORBIDDEN', 'outgoing.certNotBound');
    assert.equal(snapshot(w.desk, d.id), snap, 'the refused issues changed nothing');
    assert.equal(counters(w.desk), before0, 'no refused step took a number');
    const issued = await o.issue(w.clerk, d.id, w.clerkKey);
    snap = snapshot(w.desk, d.id);
    const afterIssue = counters(w.desk);
    // Issuing twice; editing or re-signing an issued document.
    await refused(o.issue(w.clerk, d.id, w.clerkKey), 'VALIDATION', 'outgoing.alreadyIssued');
    await refused(o.revise(w.drafter, { id: d.id, comment: 'sửa', subject: 'Khác' }), 'VALIDATION', 'outgoing.issuedFrozen');
    await refused(o.signAsSigner(w.signer, d.id, w.signerKey), 'VALIDATION', 'outgoing.issuedFrozen');
    assert.equal(snapshot(w.desk, d.id), snap);
    assert.equal(counters(w.desk), afterIssue);
    assert.match(issued.numberSymbol, /^\d\d\/QĐ-UBND$/);
    // The database itself refuses to change an issued document's content.
    assert.throws(() => w.desk.db.prepare('UPDATE c_thuong.outgoing SET subject = ? WHERE id = ?').run('Khác', d.id), /issued/);
    assert.throws(() => w.desk.db.prepare('DELETE FROM c_thuong.outgoing_steps WHERE outgoing_id = ?').run(d.id), /append-only/);
    for (const action of ['outgoing.issue', 'outgoing.sign_signer', 'outgoing.revise', 'outgoing.submit'])
      assert.ok(refusals(w.desk, action) > 0, `${action} refusals audited`);
  });

  it('keeps numbering without gaps when an issue fails inside its transaction', async () => {
    const id = await readyToIssue(w);
    const scope = w.desk.db.prepare("SELECT scope_id FROM registers WHERE kind = 'outgoing' AND name = 'Sổ đăng ký văn bản đi'").pluck().get() as number;
    const today = todayIso(w.desk.now());
    const next = peekNumber(w.desk.db, scope, today, 'QĐ');
    // A record that already holds the next number (replicated from elsewhere) makes the issue fail at its insert.
    const reg = w.desk.db.prepare("SELECT id FROM registers WHERE kind = 'outgoing' AND name = 'Sổ đăng ký văn bản đi'").pluck().get() as number;
    writeTx(w.desk.db, () => w.desk.db.prepare(`INSERT INTO c_thuong.outgoing (id, global_id, status, type_code, subject, secrecy, secrecy_rank, urgency, signer_id, drafted_by, created_at, updated_at, register_id, period, bucket, number, number_symbol, issued_date)
      VALUES (999999, 'conflict', 'issued', 'QĐ', 'x', 'thuong', 0, 'thuong', 1, 1, '', '', ?, ?, '*', ?, 'x', ?)`).run(reg, today.slice(0, 4), next, today));
    const before = counters(w.desk);
    const snap = snapshot(w.desk, id);
    await assert.rejects(issue(w, id), /UNIQUE/);
    assert.equal(counters(w.desk), before, 'the failed issue consumed no number');
    assert.equal(snapshot(w.desk, id), snap, 'and changed nothing');
    assert.equal(peekNumber(w.desk.db, scope, today, 'QĐ'), next);
    writeTx(w.desk.db, () => w.desk.db.prepare('DELETE FROM c_thuong.outgoing WHERE id = 999999').run());
    const issued = await issue(w, id);
    assert.equal(issued.number, next, 'the next issue takes the number the failed one did not');
  });

  it('gives secret documents their own sequence in the Sổ đăng ký BMNN đi (state preset)', async () => {
    const id = await readyToIssue(w, { secrecy: 'toi_mat' });
    const issued = await issue(w, id);
    assert.equal(issued.number, 1);
    assert.equal(issued.numberSymbol, '01/QĐ-UBND');
    assert.equal(issued.registerName, 'Sổ đăng ký bí mật nhà nước đi');
    // It lives in the Tối mật compartment only.
    assert.equal(w.desk.db.prepare('SELECT count(*) FROM c_toi_mat.outgoing WHERE id = ?').pluck().get(id), 1);
    assert.equal(w.desk.db.prepare('SELECT count(*) FROM c_thuong.outgoing WHERE id = ?').pluck().get(id), 0);
  });

  it('keeps a secret draft within need-to-know', async () => {
    const d = await draft(w, { secrecy: 'mat' });
    assert.throws(() => w.desk.outgoing.get(w.outsider, d.id), (e: unknown) => e instanceof DeskError && e.code === 'NOT_FOUND');
    assert.equal(w.desk.outgoing.list(w.outsider, { mine: false, limit: 200 }).some((r) => r.id === d.id), false);
    assert.equal(w.desk.outgoing.get(w.approverB, d.id).id, d.id);
    assert.equal(w.desk.outgoing.list(w.approverA, { mine: true, limit: 200 }).some((r) => r.id === d.id), true);
  });

  it('returns a draft with a comment, then a new version approved with changes', async () => {
    const d = await draft(w);
    const o = w.desk.outgoing;
    await o.submit(w.drafter, { id: d.id, comment: '' });
    let v = await o.returnDraft(w.approverA, { id: d.id, comment: 'Bổ sung căn cứ pháp lý' });
    assert.equal(v.status, 'draft');
    const staged = await stageBytes(w.desk, w.drafter, await pdfBytes('Dự thảo lần 2'), 'du-thao-2.pdf');
    v = await o.revise(w.drafter, { id: d.id, comment: 'Đã bổ sung', stagedIds: [staged.stagedId] });
    assert.equal(v.version, 2);
    assert.deepEqual(v.files.map((f) => f.name), ['du-thao-2.pdf']);
    await o.submit(w.drafter, { id: d.id, comment: '' });
    await o.approve(w.approverA, { id: d.id, comment: '' });
    v = await o.approveWithChanges(w.approverB, { id: d.id, comment: 'Sửa trích yếu', subject: 'Về việc ban hành quy chế (sửa)' });
    assert.equal(v.status, 'approved');
    assert.equal(v.version, 3);
    assert.equal(v.subject, 'Về việc ban hành quy chế (sửa)');
    assert.deepEqual(v.steps.map((s) => s.kind), ['create', 'submit', 'return', 'revise', 'submit', 'approve', 'approve_changes']);
    assert.equal(v.steps[2]!.comment, 'Bổ sung căn cứ pháp lý');
  });

  it('recalls an issued document (frozen, dispatches recalled) and replaces it with a new one, both linked', async () => {
    const oldId = await readyToIssue(w);
    const old = await issue(w, oldId);
    await refused(w.desk.outgoing.recall(w.drafter, { id: oldId, reason: 'Sai sót' }), 'FORBIDDEN', 'outgoing.mayNotRecall');
    let v = await w.desk.outgoing.recall(w.clerk, { id: oldId, reason: 'Sai sót về thẩm quyền' });
    assert.equal(v.status, 'recalled');
    assert.deepEqual(v.dispatches.map((x) => x.status), ['recalled', 'recalled']);
    await refused(w.desk.outgoing.recall(w.clerk, { id: oldId, reason: 'Lần hai' }), 'VALIDATION', 'outgoing.alreadyRecalled');
    assert.ok(w.desk.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'outgoing.recall' AND outcome = 'ok' AND entity_id = ?").pluck().get(oldId) === 1);
    const d = await draft(w);
    await w.desk.outgoing.replace(w.drafter, { id: d.id, replacesId: oldId });
    await w.desk.outgoing.submit(w.drafter, { id: d.id, comment: '' });
    await w.desk.outgoing.approve(w.approverA, { id: d.id, comment: '' });
    await w.desk.outgoing.approve(w.approverB, { id: d.id, comment: '' });
    await w.desk.outgoing.signAsSigner(w.signer, d.id, w.signerKey);
    const neu = await issue(w, d.id);
    v = w.desk.outgoing.get(w.clerk, d.id);
    assert.deepEqual(v.replaces, { id: oldId, numberSymbol: old.numberSymbol });
    assert.deepEqual(w.desk.outgoing.get(w.clerk, oldId).replacedBy, { id: d.id, numberSymbol: neu.numberSymbol });
  });

  it('writes the Sổ đăng ký văn bản đi and the Sổ đăng ký BMNN đi as PDF and XLSX, Tuyệt mật without its subject', async () => {
    const tm = await readyToIssue(w, { secrecy: 'tuyet_mat', subject: 'Kế hoạch tuyệt mật không được ghi' });
    const issued = await issue(w, tm);
    const year = todayIso(w.desk.now()).slice(0, 4);
    const period = { from: `${year}-01-01`, to: `${year}-12-31` };
    const table = w.desk.outgoing.registerTable(w.clerk, { kind: 'secret_outgoing', format: 'table', ...period });
    assert.equal(table.title, 'SỔ ĐĂNG KÝ BÍ MẬT NHÀ NƯỚC ĐI');
    const row = table.rows.find((r) => r[0] === issued.numberSymbol && r[3] === 'Tuyệt mật');
    assert.ok(row, JSON.stringify(table.rows));
    assert.equal(row[2], 'Quyết định');
    assert.ok(!JSON.stringify(table.rows).includes('tuyệt mật không được ghi'));
    assert.ok(table.rows.some((r) => r[3] === 'Tối mật' && r[2]!.startsWith('Quyết định: ')));
    const pdf = await w.desk.outgoing.registerFile(w.clerk, { kind: 'secret_outgoing', format: 'pdf', ...period });
    const dir = mkdtempSync(join(tmpdir(), 'outgoing-reg-'));
    try {
      writeFileSync(join(dir, 'r.pdf'), pdf.bytes);
      const text = execFileSync('pdftotext', ['-layout', join(dir, 'r.pdf'), '-'], { encoding: 'utf8' });
      assert.match(text, /SỔ ĐĂNG KÝ BÍ MẬT NHÀ NƯỚC ĐI/);
      assert.ok(text.includes(issued.numberSymbol));
      assert.ok(!text.includes('không được ghi'));
      const fonts = execFileSync('pdffonts', [join(dir, 'r.pdf')], { encoding: 'utf8' });
      assert.match(fonts, /DejaVu/);
      assert.ok(fonts.split('\n').slice(2).filter(Boolean).every((l) => /\byes\b/.test(l)), fonts);
      const info = execFileSync('pdfinfo', [join(dir, 'r.pdf')], { encoding: 'utf8' });
      assert.match(info, /Page size:\s+841\.89 x 595\.28/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const xlsx = await w.desk.outgoing.registerFile(w.clerk, { kind: 'outgoing', format: 'xlsx', ...period });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(xlsx.bytes) as unknown as ArrayBuffer);
    const cells: string[] = [];
    wb.worksheets[0]!.eachRow((r) => r.eachCell((c) => { cells.push(String(c.text)); }));
    assert.ok(cells.includes('01/QĐ-UBND'));
    assert.ok(cells.includes('SỔ ĐĂNG KÝ VĂN BẢN ĐI') || cells.some((c) => c.includes('SỔ ĐĂNG KÝ VĂN BẢN ĐI')));
    // An officer may not read the registers.
    assert.throws(() => w.desk.outgoing.registerTable(w.drafter, { kind: 'outgoing', format: 'table', ...period }), (e: unknown) => e instanceof DeskError && e.code === 'FORBIDDEN');
  });
});

describe('outgoing documents (party preset)', () => {
  let w: World;
  before(async () => { w = await world('party'); });
  after(() => w.cleanup());

  it('numbers per type through the term, secret documents in the same sequence, in the party form', async () => {
    const a = await issue(w, await readyToIssue(w));
    const b = await issue(w, await readyToIssue(w, { secrecy: 'mat' }));
    const c = await issue(w, await readyToIssue(w, { typeCode: 'KH' }));
    const d = await issue(w, await readyToIssue(w, { typeCode: 'CV', draftingUnit: 'nb' }));
    assert.deepEqual([a.numberSymbol, b.numberSymbol, c.numberSymbol, d.numberSymbol], ['01-QĐ/TU', '02-QĐ/TU', '01-KH/TU', '01-CV/TU/nb']);
    assert.equal(b.registerName, 'Sổ đăng ký bí mật nhà nước đi');
    for (const s of [a, b, c, d]) {
      const p = parseNumberSymbol(s.numberSymbol);
      assert.ok(p.ok && p.value.form === 'party', s.numberSymbol);
    }
  });

  it('refuses a type the agency does not issue, and a signer who is not a leader', async () => {
    await refused(draft(w, { typeCode: 'NĐ' }), 'VALIDATION', 'outgoing.typeNotIssued');
    await refused(draft(w, { signerId: w.drafter.id }), 'VALIDATION', 'outgoing.signerNotLeader');
    assert.ok(refusals(w.desk, 'outgoing.create') >= 2);
    // A chuyên viên given a dated authority to sign (thừa lệnh) may be the signer from that day.
    const it = await addPerson(w.desk, { fullName: 'Hà Quản Trị', role: 'quan_tri', clearance: 'mat' });
    const admin = actorFor(getUser(w.desk.db, it.id)!);
    await w.desk.structure.grantAuthority(admin, { userId: w.drafter.id, kind: 'sign', prefix: 'TL.', onBehalf: 'Chủ tịch', unitId: null, validFrom: todayIso(w.desk.now()), validTo: null });
    const byDelegate = await draft(w, { signerId: w.drafter.id, signerCompetence: 'TL. CHỦ TỊCH' });
    assert.equal(byDelegate.signerId, w.drafter.id);
  });

  it('follows the configured issuer notation and may issue without the agency signature when so configured', async () => {
    const it = await addPerson(w.desk, { fullName: 'Vũ Quản Trị', role: 'quan_tri', clearance: 'mat' });
    const admin = actorFor(getUser(w.desk.db, it.id)!);
    await assert.rejects(w.desk.outgoing.configure(w.clerk, { issuerNotation: 'X', sameDayIssue: true, requireAgencySignature: true, agencyCertificates: [] }),
      (e: unknown) => e instanceof DeskError && e.code === 'FORBIDDEN');
    const cfg = await w.desk.outgoing.configure(admin, { issuerNotation: 'VPTU', sameDayIssue: true, requireAgencySignature: false, agencyCertificates: [] });
    assert.equal(cfg.preset, 'party');
    assert.equal(cfg.registers.length, 2);
    assert.equal(cfg.registers[0]!.scopeId, cfg.registers[1]!.scopeId, 'party: secret documents share the sequence');
    const d = await draft(w, { typeCode: 'TB' });
    await w.desk.outgoing.submit(w.drafter, { id: d.id, comment: '' });
    await w.desk.outgoing.approve(w.approverA, { id: d.id, comment: '' });
    await w.desk.outgoing.approve(w.approverB, { id: d.id, comment: '' });
    await w.desk.outgoing.signAsSigner(w.signer, d.id, w.signerKey);
    const issued = await w.desk.outgoing.issue(w.clerk, d.id);
    assert.equal(issued.numberSymbol, '01-TB/VPTU');
  });
});
