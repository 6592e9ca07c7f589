// The controls of the state-secrets law (main/core/secrets), through the core: need-to-know grants,
// accountable printing with the copy register, level changes confirmed by a second person (the record
// moves compartment), holds, and destruction that leaves nothing of the content.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DeskError } from '../../common/errors';
import { todayIso, yearOf } from '../../common/dates';
import type { Desk } from '../../main/core/desk';
import type { Actor } from '../../main/core/org/rights';
import { readAll } from '../../main/core/pdf/view';
import { addActor, newDesk, registration } from '../helpers/desk';
import { pdfTextPages } from '../helpers/pdfOracle';

let env: Awaited<ReturnType<typeof newDesk>>;
let desk: Desk;
let clerk: Actor;
let leaderA: Actor;
let leaderB: Actor;
let officer: Actor;
let matOfficer: Actor;
let docId: number;
const SUBJECT = 'Phương án bảo vệ kho lưu trữ Quảng Yên';
const UNIQUE_WORD = 'quảng yên';

const code = async (p: Promise<unknown> | (() => unknown), expected: string, key?: string) => {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    assert.ok(err instanceof DeskError, String(err));
    assert.equal(err.code, expected, `${err.code} ${err.key ?? ''}`);
    if (key) assert.equal(err.key, key);
    return;
  }
  assert.fail(`expected ${expected}${key ? ` ${key}` : ''}`);
};
const listed = (who: Actor, query?: string) =>
  desk.incoming.list(who, { sort: { field: 'arrival', dir: 'desc' }, offset: 0, limit: 50, ...(query ? { query } : {}) }).map((r) => r.id);

before(async () => {
  env = await newDesk();
  desk = env.desk;
  clerk = env.admin;
  leaderA = addActor(desk, 'lanh_dao', 'tuyet_mat', 'Trần Văn Lãnh');
  leaderB = addActor(desk, 'lanh_dao', 'toi_mat', 'Lê Thị Đạo');
  officer = addActor(desk, 'chuyen_vien', 'toi_mat', 'Phạm Văn Viên');
  matOfficer = addActor(desk, 'chuyen_vien', 'mat', 'Đỗ Thị Mật');
  docId = (await desk.incoming.register(clerk, await registration(desk, clerk, { secrecy: 'toi_mat', subject: SUBJECT, numberSymbol: '27-KH/TU' }))).id;
});

after(() => env.cleanup());

test('need-to-know: a cleared officer sees a Tối mật record only once granted by name, until revoked', async () => {
  assert.ok(!listed(officer).includes(docId), 'not in the officer\'s list before a grant');
  assert.equal(desk.incoming.count(officer, {}).total, listed(officer).length);
  await code(() => desk.incoming.get(officer, docId), 'NOT_FOUND');
  assert.ok(listed(leaderA).includes(docId), 'a leader directs every document');
  // Who may grant, and to whom.
  // Outside one's distribution the record does not exist, even to ask for it.
  await code(desk.grants.grant(officer, { incomingId: docId, userId: officer.id, reason: 'tự cấp' }), 'NOT_FOUND', 'document.notFound');
  await code(desk.grants.grant(matOfficer, { incomingId: docId, userId: matOfficer.id, reason: 'tự cấp' }), 'NOT_FOUND', 'document.notFound');
  await code(desk.grants.grant(leaderA, { incomingId: docId, userId: matOfficer.id, reason: 'xử lý' }), 'VALIDATION', 'grant.notCleared');
  const g = await desk.grants.grant(leaderA, { incomingId: docId, userId: officer.id, reason: 'Chủ trì tham mưu phương án' });
  assert.equal(g.userName, 'Phạm Văn Viên');
  await code(desk.grants.grant(clerk, { incomingId: docId, userId: officer.id, reason: 'lần nữa' }), 'VALIDATION', 'grant.exists');
  assert.ok(listed(officer).includes(docId));
  assert.ok(listed(officer, 'quang yen').includes(docId), 'found by search once granted');
  assert.equal(desk.incoming.get(officer, docId).subject, SUBJECT);
  const file = desk.incoming.get(officer, docId).attachments[0]!;
  assert.ok(desk.attachments.open(officer, file.id).ticket);
  // Revoked: gone again, everywhere.
  await desk.grants.revoke(clerk, { grantId: g.id, reason: 'Đã xong việc' });
  assert.ok(!listed(officer).includes(docId));
  assert.ok(!listed(officer, 'quang yen').includes(docId));
  await code(() => desk.attachments.open(officer, file.id), 'NOT_FOUND');
  const history = desk.grants.list(clerk, docId);
  assert.equal(history.length, 1);
  assert.equal(history[0]!.revokeReason, 'Đã xong việc');
  // The base's audit names records by id, never by subject.
  const audit = desk.db.prepare("SELECT details FROM main.audit_log WHERE action LIKE 'grant.%'").pluck().all() as string[];
  assert.equal(audit.length, 2);
  for (const d of audit) assert.ok(!d.includes('Quảng Yên') && !d.includes('Chủ trì'), d);
  await desk.grants.grant(leaderA, { incomingId: docId, userId: officer.id, reason: 'Theo dõi thực hiện' });
});

test('printing a Tối mật record needs a permission; each run is numbered in the copy register and watermarked', async () => {
  const input = { incomingId: docId, kind: 'print' as const, copies: 2, reason: 'Phục vụ họp giao ban' };
  await code(desk.copies.make(officer, input), 'FORBIDDEN', 'copy.needsPermission');
  await code(desk.copies.allow(officer, { ...input, forUserId: officer.id }), 'FORBIDDEN', 'copy.notAuthority');
  const ok = await desk.copies.allow(leaderA, { ...input, forUserId: officer.id });
  await code(desk.copies.make(officer, { ...input, copies: 3, approvalId: ok.id }), 'FORBIDDEN', 'copy.beyondPermission');
  const run = await desk.copies.make(officer, { ...input, approvalId: ok.id });
  const year = yearOf(todayIso(desk.now()));
  assert.deepEqual([run.firstNumber, run.copies, run.year], [1, 2, year]);
  await code(desk.copies.make(officer, { ...input, approvalId: ok.id }), 'FORBIDDEN', 'copy.permissionUsed');
  // The printout: every page carries the marks and the watermark of its copy.
  const pages = pdfTextPages(run.pdf);
  assert.ok(pages.length >= 2, `pages ${pages.length}`);
  const half = pages.length / 2;
  const flat = (s: string) => s.replace(/\s+/g, ' ');
  for (const [i, page] of pages.entries()) {
    const t = flat(page);
    assert.ok(t.includes('TỐI MẬT'), `mark on page ${i + 1}`);
    assert.ok(t.includes('Phạm Văn Viên'), `person on page ${i + 1}`);
    assert.ok(t.includes(`Bản số ${i < half ? 1 : 2}/2`), `copy number on page ${i + 1}: ${t.slice(0, 300)}`);
    assert.ok(t.includes(`Bản sao số ${i < half ? 1 : 2}/${year}`), `register number on page ${i + 1}`);
  }
  // A leader with the authority prints without a permission; the sequence goes on.
  const own = await desk.copies.make(leaderA, { ...input, copies: 1 });
  assert.equal(own.firstNumber, 3);
  const reg = desk.copies.register(clerk, year);
  assert.deepEqual(reg.map((r) => [r.firstNumber, r.copies, r.madeBy, r.allowedBy]), [[1, 2, 'Phạm Văn Viên', 'Trần Văn Lãnh'], [3, 1, 'Trần Văn Lãnh', 'Trần Văn Lãnh']]);
  assert.deepEqual(desk.copies.register(matOfficer, year), [], 'the register shows nobody records outside their reach');
});

test('a level change is confirmed by a second person; the record moves compartment; never to Thường', async () => {
  const base = { incomingId: docId, authority: 'Quyết định số 12/QĐ-VPTU', reason: 'Hết yêu cầu bảo vệ ở độ Tối mật', decidedOn: todayIso(desk.now()) };
  await code(desk.levels.propose(leaderA, { ...base, kind: 'lower', toLevel: 'thuong' }), 'VALIDATION', 'level.lowerToUnclassified');
  await code(desk.levels.propose(clerk, { ...base, kind: 'lower', toLevel: 'mat' }), 'FORBIDDEN', 'level.notAllowed');
  const p = await desk.levels.propose(leaderA, { ...base, kind: 'lower', toLevel: 'mat' });
  await code(desk.levels.propose(leaderB, { ...base, kind: 'lower', toLevel: 'mat' }), 'VALIDATION', 'level.pending');
  await code(desk.levels.confirm(leaderA, { changeId: p.id }), 'FORBIDDEN', 'level.samePerson');
  assert.equal(desk.incoming.get(clerk, docId).secrecy, 'toi_mat', 'nothing changes before the confirmation');
  const blob = desk.incoming.get(clerk, docId).attachments[0]!.sha256;
  const done = await desk.levels.confirm(clerk, { changeId: p.id });
  assert.equal(done.confirmedBy, 'Nguyễn Thị Hương');
  assert.equal(desk.incoming.get(clerk, docId).secrecy, 'mat');
  assert.equal(desk.db.prepare('SELECT count(*) FROM c_toi_mat.incoming WHERE id = ?').pluck().get(docId), 0);
  assert.equal(desk.db.prepare('SELECT secrecy FROM c_mat.incoming WHERE id = ?').pluck().get(docId), 'mat');
  assert.ok(await desk.context().storeFor('mat').hasBlob(blob), 'the file moved with it');
  assert.ok(!(await desk.context().storeFor('toi_mat').hasBlob(blob)), 'and left the Tối mật store');
  assert.equal(desk.db.prepare("SELECT count(*) FROM main.pending_writes WHERE kind = 'move'").pluck().get(), 0);
  // The notice names the holders and the 15-day deadline.
  assert.ok(done.notice!.includes('giảm độ mật') && done.notice!.includes('Phạm Văn Viên'), done.notice!);
  assert.ok(done.holders.includes('Phạm Văn Viên'));
  // Still found, by the same people (the grant moved with it), in its new level.
  assert.ok(listed(officer, 'quang yen').includes(docId));
  assert.ok(listed(matOfficer).includes(docId) === false, 'need-to-know still applies at the new level');
});

test('destruction: refused under a hold; then nothing of the content remains, only its record', async () => {
  const input = { incomingId: docId, decision: 'Biên bản số 03/BB-VPTU', authority: 'Chánh Văn phòng Tỉnh ủy', reason: 'Hết giá trị', decidedOn: todayIso(desk.now()) };
  await code(desk.destruction.destroy(clerk, input), 'FORBIDDEN', 'destroy.notAllowed');
  const hold = await desk.destruction.hold(clerk, { incomingId: docId, reason: 'Đang thanh tra' });
  await code(desk.destruction.destroy(leaderA, input), 'VALIDATION', 'destroy.onHold');
  await desk.destruction.release(clerk, { holdId: hold.id });
  const blob = desk.incoming.get(clerk, docId).attachments[0]!.sha256;
  const store = desk.context().storeFor('mat');
  const blobPath = store.blobPath(blob);
  assert.ok(existsSync(blobPath));
  // A copy in a pack as well, as a bulk import leaves its files (attachments/packs.ts): both must go.
  const loose = readFileSync(blobPath);
  const plain = Buffer.from(await readAll(store.openBlob(blob)));
  rmSync(blobPath);
  await store.placeMany([{ sha256: blob, plain }]);
  assert.equal(Buffer.from(await readAll(store.sealedBlob(blob))).subarray(0, 8).toString('latin1'), 'SDBLOB02', 'served from the pack');
  writeFileSync(blobPath, loose);
  const packs = join(blobPath, '..', '..', 'packs');
  assert.equal(readdirSync(packs).filter((f) => f.endsWith('.pack')).length, 1);
  const d = await desk.destruction.destroy(leaderA, input);
  assert.equal(d.decision, 'Biên bản số 03/BB-VPTU');
  await code(() => desk.incoming.get(clerk, docId), 'NOT_FOUND');
  assert.ok(!listed(clerk, 'quang yen').includes(docId));
  assert.ok(!existsSync(blobPath), 'the file is shredded');
  assert.equal(await store.hasBlob(blob), false);
  assert.deepEqual(readdirSync(packs), [], 'its pack is gone with it (nothing else in it)');
  // No table of the compartment holds the subject or its words any more.
  const tables = desk.db.prepare("SELECT name FROM c_mat.sqlite_master WHERE type = 'table' AND name NOT LIKE 'incoming_fts%' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[];
  for (const t of tables) {
    const rows = JSON.stringify(desk.db.prepare(`SELECT * FROM c_mat.${t}`).all());
    assert.ok(!rows.includes('Quảng Yên') && !rows.includes('27-KH/TU'), `${t} still holds the content`);
  }
  assert.equal(desk.db.prepare('SELECT count(*) FROM c_mat.search_terms WHERE term = ?').pluck().get('yen'), 0, 'a word only it held left the vocabulary');
  assert.equal(desk.db.prepare('SELECT count(*) FROM c_mat.incoming_fts WHERE incoming_fts MATCH ?').pluck().get('"yen"'), 0);
  assert.equal(readFileSync(`${desk.profileDir}/compartments/mat.db-wal`).length, 0, 'the WAL was checkpointed and truncated');
  const remains = desk.destruction.list(leaderA);
  assert.deepEqual(remains.map((r) => [r.incomingId, r.arrivalNumber]), [[docId, 1]]);
  const audit = desk.db.prepare("SELECT details FROM main.audit_log WHERE action = 'document.destroy'").pluck().get() as string;
  assert.ok(!audit.includes('Quảng') && !audit.includes(UNIQUE_WORD), audit);
});
