// Two workstations of one agency exchange their change events (issue 9 §2, the local half): what one
// registers, directs and assigns appears on the other with its own row ids; events that arrive before
// what they reference wait; a batch delivered twice changes nothing; of two edits the later wins and
// both stay in the log; two workstations numbering offline collide and the collision is set aside,
// not half-applied. Real profiles (SQLCipher files, compartments under their keys), no server: the
// events go from one profile's log to the other's inbox by hand, as the transport will carry them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cpSync } from 'node:fs';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { BlobIntegrityError } from '../../main/core/attachments/blobCipher';
import Database from 'better-sqlite3-multiple-ciphers';
import { Desk } from '../../main/core/desk';
import type { Actor } from '../../main/core/org/rights';
import { actorFor, getUser } from '../../main/core/org/users';
import { RECORD_TABLES, workstationId } from '../../main/core/events/eventLog';
import { migrate } from '../../main/core/db/connection';
import { COMPARTMENT_RECORD_TABLES, migrateCompartment } from '../../main/core/compartments/schema';
import { outboundEvents } from '../../main/core/sync/wire';
import { applyReceived, inboxState, receiveEvents, type ApplyResult } from '../../main/core/sync/apply';
import { JSON_REFERENCES, KIND_REFERENCES, NOT_REFERENCES, REFERENCES } from '../../main/core/sync/references';
import { takeNewWorkstationId } from '../../main/core/sync/workstation';
import { missingBlobs } from '../../main/core/sync/blobs';
import { addActor, newDesk, pdfBytes, registration, stageBytes, tempDir } from '../helpers/desk';
import { outgoingCreateSchema } from '../../common/schemas';
import { todayIso } from '../../common/dates';

const SCHEMAS = ['main', 'c_thuong', 'c_mat', 'c_toi_mat', 'c_tuyet_mat'];

/** Sends `from`'s own events of the schemas to `to` and applies them; returns the totals. */
function deliver(from: Desk, to: Desk, schemas = SCHEMAS): ApplyResult & { received: number } {
  const total = { applied: 0, stale: 0, waiting: 0, conflicts: 0, received: 0 };
  for (const s of schemas) {
    const batch = outboundEvents(from.db, s, 0, 100_000).map((x) => x.event);
    total.received += receiveEvents(to.db, s, batch, new Date());
  }
  // The base first when it is delivered: that is the order a real pull applies in.
  for (const s of SCHEMAS) {
    const r = applyReceived(to.db, s);
    total.applied += r.applied; total.stale += r.stale; total.waiting += r.waiting; total.conflicts += r.conflicts;
  }
  return total;
}

const docByGid = (desk: Desk, c: string, gid: string) =>
  desk.db.prepare(`SELECT * FROM ${c}.incoming WHERE global_id = ?`).get(gid) as Record<string, unknown> | undefined;

let a: Desk;
let b: Desk;
/** A third workstation from the same snapshot: fed A's events in an adverse order, in small slices. */
let c: Desk;
let clerkA: Actor;
let clerkB: Actor;
let leaderA: Actor;
const cleanups: Array<() => void> = [];

describe('events between two workstations of one agency', () => {
  before(async () => {
    const env = await newDesk('state');
    cleanups.push(env.cleanup);
    a = env.desk;
    clerkA = env.admin;
    leaderA = addActor(a, 'lanh_dao', 'tuyet_mat', 'Trần Văn Lãnh');
    const it = addActor(a, 'quan_tri', 'mat', 'Hoàng Quản Trị');
    await a.internalUnits.add(it, { name: 'Phòng Tổng hợp' });
    // Workstation B starts from a copy of A's profile (the agency's snapshot) and takes its own id.
    a.close();
    const copy = tempDir('securedesk-sync-b-');
    cleanups.push(copy.cleanup);
    cpSync(env.dir, copy.dir, { recursive: true });
    a = await Desk.open({ profileDir: env.dir });
    await a.unlock(env.identity);
    b = await Desk.open({ profileDir: copy.dir });
    await b.unlock(env.identity);
    const copyC = tempDir('securedesk-sync-c-');
    cleanups.push(copyC.cleanup);
    cpSync(env.dir, copyC.dir, { recursive: true });
    c = await Desk.open({ profileDir: copyC.dir });
    await c.unlock(env.identity);
    cleanups.unshift(() => b.close(), () => a.close(), () => c.close());
    takeNewWorkstationId(b.db, new Date());
    takeNewWorkstationId(c.db, new Date());
    assert.notEqual(workstationId(a.db), workstationId(b.db));
    clerkB = actorFor(getUser(b.db, clerkA.id)!);
  });
  after(() => {
    for (const c of cleanups) {
      try { c(); } catch { /* closed */ }
    }
  });

  let ordinaryGid: string;
  let secretGid: string;
  let handlerA: Actor;

  test('what A registers, directs and assigns appears on B; what references a person B does not know yet waits for them', async () => {
    const ordinary = await a.incoming.register(clerkA, await registration(a, clerkA, { subject: 'Về việc tổ chức hội nghị chuyển đổi số' }));
    const secret = await a.incoming.register(clerkA, await registration(a, clerkA, { secrecy: 'mat', subject: 'Về việc bảo vệ bí mật nhà nước năm 2027' }));
    handlerA = addActor(a, 'chuyen_vien', 'mat', 'Phạm Văn Xử');
    await a.processing.submit(clerkA, { incomingId: secret.id, leaderId: leaderA.id });
    await a.processing.direct(leaderA, { incomingId: secret.id, text: 'Giao Phòng Tổng hợp chủ trì', lead: { userId: handlerA.id } });
    ordinaryGid = docByGid(a, 'c_thuong', a.db.prepare('SELECT global_id FROM c_thuong.incoming WHERE id = ?').pluck().get(ordinary.id) as string)!.global_id as string;
    secretGid = a.db.prepare('SELECT global_id FROM c_mat.incoming WHERE id = ?').pluck().get(secret.id) as string;

    // The level's stream first: the direction names the new handler, whom only the base stream brings.
    const early = deliver(a, b, ['c_thuong', 'c_mat']);
    assert.ok(early.waiting > 0, 'steps naming the handler wait for the handler');
    assert.ok(early.applied > 0, 'the rest is applied');
    assert.ok(docByGid(b, 'c_mat', secretGid), 'the document itself arrived');
    assert.equal(inboxState(b.db, 'c_mat').waiting, early.waiting);

    const late = deliver(a, b, ['main']);
    assert.equal(late.waiting, 0);
    assert.equal(late.conflicts, 0);
    assert.equal(inboxState(b.db, 'c_mat').waiting, 0, 'the waiting steps went in with the handler');

    // B's own ids, the same records: the lists, the search and the timeline read them as A's do.
    const listA = a.incoming.list(clerkA, { sort: { field: 'arrival', dir: 'asc' }, offset: 0, limit: 50 }).map((r) => [r.arrivalNumber, r.subject, r.secrecy]);
    const listB = b.incoming.list(clerkB, { sort: { field: 'arrival', dir: 'asc' }, offset: 0, limit: 50 }).map((r) => [r.arrivalNumber, r.subject, r.secrecy]);
    assert.deepEqual(listB, listA);
    const found = b.incoming.list(clerkB, { query: 'chuyen doi so', sort: { field: 'arrival', dir: 'asc' }, offset: 0, limit: 10 });
    assert.deepEqual(found.map((r) => r.subject), ['Về việc tổ chức hội nghị chuyển đổi số'], 'indexed on arrival');
    const secretB = docByGid(b, 'c_mat', secretGid)!;
    const stepsA = a.processing.state(clerkA, secret.id).steps.map((s) => [s.kind, s.text]);
    const stepsB = b.processing.state(clerkB, secretB.id as number).steps.map((s) => [s.kind, s.text]);
    assert.deepEqual(stepsB, stepsA);
    const handlerB = actorFor(getUser(b.db, b.db.prepare('SELECT id FROM users WHERE full_name = ?').pluck().get('Phạm Văn Xử') as number)!);
    const inbox = b.processing.inbox(handlerB, { box: 'handle', limit: 20 });
    assert.deepEqual(inbox.map((i) => i.subject), ['Về việc bảo vệ bí mật nhà nước năm 2027'], "the handler's inbox on B");
  });

  test('a backlog read in slices, newest first: what waits for a record a later slice brings goes in on a later pass of the same call', () => {
    let waited = 0;
    for (const s of SCHEMAS) {
      // Reversed: every reference points at a record a later slice (of one row) creates.
      const batch = outboundEvents(a.db, s, 0, 100_000).map((x) => x.event).reverse();
      receiveEvents(c.db, s, batch, new Date());
      const r = applyReceived(c.db, s, new Map(), 1);
      assert.equal(r.conflicts, 0, s);
      assert.equal(r.waiting, 0, `${s}: nothing left waiting`);
      waited += batch.length;
    }
    assert.ok(waited > 10);
    for (const s of SCHEMAS) assert.equal(inboxState(c.db, s).waiting, 0);
    const clerkC = actorFor(getUser(c.db, clerkA.id)!);
    const list = (d: Desk, who: Actor) => d.incoming.list(who, { sort: { field: 'arrival', dir: 'asc' }, offset: 0, limit: 50 }).map((r) => [r.arrivalNumber, r.subject, r.secrecy]);
    assert.deepEqual(list(c, clerkC), list(a, clerkA));
    const secretC = docByGid(c, 'c_mat', secretGid)!;
    const secretA = docByGid(a, 'c_mat', secretGid)!;
    // The same steps (their local order follows the order they were applied in: here reversed).
    const steps = (d: Desk, who: Actor, id: number) => d.processing.state(who, id).steps.map((x) => `${x.kind}:${x.text}`).sort();
    assert.deepEqual(steps(c, clerkC, secretC.id as number), steps(a, clerkA, secretA.id as number));
  });

  test("the documents' files follow sealed under the level's key: checked in full on arrival, a tampered one refused", async () => {
    const storeA = a.context().storeFor('mat');
    const storeB = b.context().storeFor('mat');
    const missing = await missingBlobs(b.db, 'c_mat', storeB);
    assert.equal(missing.length, 1, 'the PDF of the document registered on A after B was made');
    assert.deepEqual(await missingBlobs(a.db, 'c_mat', storeA), []);
    const sha = missing[0]!;
    const sealed = await buffer(storeA.sealedBlob(sha));
    assert.equal(sealed.indexOf(Buffer.from('%PDF')), -1, 'what travels is ciphertext');
    const tampered = Buffer.from(sealed);
    tampered.writeUInt8(tampered.readUInt8(tampered.length - 40) ^ 1, tampered.length - 40);
    await assert.rejects(storeB.placeSealed(sha, Readable.from([tampered])), BlobIntegrityError);
    assert.deepEqual(await missingBlobs(b.db, 'c_mat', storeB), [sha], 'nothing placed');
    await storeB.placeSealed(sha, Readable.from([sealed]));
    assert.deepEqual(await missingBlobs(b.db, 'c_mat', storeB), []);
    assert.deepEqual(await buffer(storeB.openBlob(sha)), await buffer(storeA.openBlob(sha)));
  });

  test('a batch delivered again changes nothing', () => {
    const counts = () => SCHEMAS.map((s) => b.db.prepare(`SELECT count(*) FROM ${s}.events`).pluck().get());
    const before = counts();
    const again = deliver(a, b);
    assert.equal(again.received, 0);
    assert.equal(again.applied, 0);
    assert.deepEqual(counts(), before);
  });

  test("B's work goes back to A: the handler's progress on B shows on A", async () => {
    const secretB = docByGid(b, 'c_mat', secretGid)!;
    const handlerB = actorFor(getUser(b.db, b.db.prepare('SELECT id FROM users WHERE full_name = ?').pluck().get('Phạm Văn Xử') as number)!);
    const task = b.processing.state(handlerB, secretB.id as number).tasks.find((t) => t.role === 'lead')!;
    await b.processing.progress(handlerB, { taskId: task.id, percent: 40, note: 'Đã dự thảo báo cáo' });
    const back = deliver(b, a);
    assert.equal(back.conflicts, 0);
    const idA = a.db.prepare('SELECT id FROM c_mat.incoming WHERE global_id = ?').pluck().get(secretGid) as number;
    const stateA = a.processing.state(clerkA, idA);
    assert.ok(stateA.steps.some((s) => s.kind === 'progress' && s.text === 'Đã dự thảo báo cáo'));
    assert.equal(stateA.tasks.find((t) => t.role === 'lead')!.progress, 40);
  });

  test('two edits of one record: the later wins on both, and both stay in the log', async () => {
    const idA = docByGid(a, 'c_thuong', ordinaryGid)!.id as number;
    const idB = docByGid(b, 'c_thuong', ordinaryGid)!.id as number;
    await a.incoming.correct(clerkA, { id: idA, reason: 'Sửa trích yếu', changes: { subject: 'Về việc tổ chức hội nghị (A)' } });
    await new Promise((r) => setTimeout(r, 5));
    await b.incoming.correct(clerkB, { id: idB, reason: 'Sửa trích yếu', changes: { subject: 'Về việc tổ chức hội nghị (B)' } });
    const toB = deliver(a, b);
    const toA = deliver(b, a);
    assert.ok(toB.stale >= 1, "A's older edit is history on B");
    assert.equal(docByGid(a, 'c_thuong', ordinaryGid)!.subject, 'Về việc tổ chức hội nghị (B)');
    assert.equal(docByGid(b, 'c_thuong', ordinaryGid)!.subject, 'Về việc tổ chức hội nghị (B)');
    assert.equal(toA.conflicts + toB.conflicts, 0);
    const log = (d: Desk) => d.db.prepare("SELECT id FROM c_thuong.events WHERE entity = 'incoming' AND entity_id = ? ORDER BY id").pluck().all(ordinaryGid);
    assert.deepEqual(log(a), log(b), 'the same history on both');
    assert.equal(b.incoming.list(clerkB, { query: 'hoi nghi A', sort: { field: 'arrival', dir: 'asc' }, offset: 0, limit: 5 }).length, 0, "B's index holds the winner only");
  });

  test('a level change on A moves the document on B too: out of Mật with a tombstone, into Tối mật with its history and steps', async () => {
    const idA = a.db.prepare('SELECT id FROM c_mat.incoming WHERE global_id = ?').pluck().get(secretGid) as number;
    const before = a.processing.state(clerkA, idA).steps.map((s) => [s.kind, s.text]);
    const p = await a.levels.propose(leaderA, { incomingId: idA, kind: 'raise', toLevel: 'toi_mat', authority: 'Quyết định số 15/QĐ-VPTU', reason: 'Nâng độ mật', decidedOn: todayIso(a.now()) });
    await a.levels.confirm(clerkA, { changeId: p.id });
    assert.equal(docByGid(a, 'c_mat', secretGid), undefined);
    const r = deliver(a, b);
    assert.equal(r.conflicts, 0);
    assert.equal(r.waiting, 0);
    assert.equal(docByGid(b, 'c_mat', secretGid), undefined, 'gone from Mật on B');
    const moved = docByGid(b, 'c_toi_mat', secretGid)!;
    assert.equal(moved.secrecy, 'toi_mat');
    assert.deepEqual(b.processing.state(clerkB, moved.id as number).steps.map((s) => [s.kind, s.text]), before);
    assert.equal(b.db.prepare('SELECT count(*) FROM c_mat.processing_steps').pluck().get(), 0, 'no step left behind');
    assert.equal(b.incoming.list(clerkB, { query: 'bao ve bi mat nha nuoc', sort: { field: 'arrival', dir: 'asc' }, offset: 0, limit: 10 }).length, 1, 'listed once');
    assert.equal(deliver(a, b).applied, 0, 'and delivered again, nothing more');
  });

  test('a draft revised on both workstations at once keeps both revisions, numbered alike on both, and says so', async () => {
    const staged = await stageBytes(a, clerkA, await pdfBytes('Dự thảo báo cáo'), 'du-thao.pdf');
    const d = await a.outgoing.create(clerkA, outgoingCreateSchema.parse({
      typeCode: 'BC', subject: 'Báo cáo công tác văn thư năm 2026', secrecy: 'thuong', urgency: 'thuong',
      signerId: leaderA.id, approvers: [leaderA.id], recipients: [{ code: '000.00.00.H49', name: 'UBND tỉnh Quảng Ninh' }],
      issuedAmount: 2, stagedIds: [staged.stagedId], comment: 'Dự thảo lần 1',
    }));
    deliver(a, b);
    const gid = a.db.prepare('SELECT global_id FROM c_thuong.outgoing WHERE id = ?').pluck().get(d.id) as string;
    const idB = b.db.prepare('SELECT id FROM c_thuong.outgoing WHERE global_id = ?').pluck().get(gid) as number;
    await a.outgoing.revise(clerkA, { id: d.id, subject: 'Báo cáo công tác văn thư năm 2026 (sửa trên máy A)', comment: 'Sửa tên' });
    await new Promise((r) => setTimeout(r, 5));
    await b.outgoing.revise(clerkB, { id: idB, subject: 'Báo cáo công tác văn thư năm 2026 (sửa trên máy B)', comment: 'Sửa tên' });
    const r1 = deliver(a, b);
    const r2 = deliver(b, a);
    assert.equal(r1.conflicts + r2.conflicts, 0);
    const view = (desk: Desk, id: number) => {
      const o = desk.outgoing.get(clerkA, id);
      const files = desk.db.prepare('SELECT version, global_id FROM c_thuong.outgoing_files WHERE outgoing_id = ? ORDER BY version, ordinal').all(id);
      return { version: o.version, subject: o.subject, files, steps: o.steps.map((s) => [s.kind, s.version, s.comment]).sort() };
    };
    const onA = view(a, d.id);
    const onB = view(b, idB);
    assert.deepEqual(onA, onB, 'the same draft on both');
    assert.equal(onA.version, 3);
    assert.equal(onA.subject, 'Báo cáo công tác văn thư năm 2026 (sửa trên máy B)', 'the later revision is the current one');
    assert.deepEqual(onA.files.map((f) => (f as { version: number }).version), [1, 2, 3], 'both revisions kept');
    assert.equal(onA.steps.filter((s) => s[0] === 'fork').length, 1, 'one step says so');
  });

  test('two workstations numbering offline give the same arrival number: the second is set aside with the reason, nothing half-applied', async () => {
    const onA = await a.incoming.register(clerkA, await registration(a, clerkA, { subject: 'Văn bản vào sổ trên máy A' }));
    const onB = await b.incoming.register(clerkB, await registration(b, clerkB, { subject: 'Văn bản vào sổ trên máy B' }));
    assert.equal(onA.arrivalNumber, onB.arrivalNumber, 'the same number, offline');
    const before = b.db.prepare('SELECT count(*) FROM c_thuong.incoming').pluck().get();
    const r = deliver(a, b);
    assert.ok(r.conflicts >= 1);
    assert.equal(b.db.prepare('SELECT count(*) FROM c_thuong.incoming').pluck().get(), before, 'no row of the refused event');
    const { conflicts } = inboxState(b.db, 'c_thuong');
    assert.ok(conflicts.some((c) => c.entity === 'incoming' && /UNIQUE/.test(c.problem)), JSON.stringify(conflicts));
  });

  test("the register's counter follows the highest number applied (moved once per pass): the next registration here continues after it", async () => {
    const onA = [];
    for (const s of ['thứ nhất', 'thứ hai', 'thứ ba']) onA.push(await a.incoming.register(clerkA, await registration(a, clerkA, { subject: `Văn bản ${s} vào sổ trên máy A` })));
    const r = deliver(a, b);
    assert.ok(r.applied >= 3, JSON.stringify(r));
    const next = await b.incoming.register(clerkB, await registration(b, clerkB, { subject: 'Văn bản tiếp theo vào sổ trên máy B' }));
    assert.equal(next.arrivalNumber, onA[2]!.arrivalNumber + 1, 'after the highest number A gave, not a repeat of it');
  });
});

describe('the list of references', () => {
  test('every id-like or foreign-key column of a replicated table is a reference or is said not to be one', () => {
    const base = new Database(':memory:');
    migrate(base);
    const comp = new Database(':memory:');
    migrateCompartment(comp, 'mat', 'p');
    const inCompartment = new Set<string>(COMPARTMENT_RECORD_TABLES);
    const unclassified: string[] = [];
    for (const t of RECORD_TABLES) {
      const db = inCompartment.has(t) ? comp : base;
      const fks = new Set((db.prepare(`PRAGMA foreign_key_list(${t})`).all() as Array<{ from: string }>).map((f) => f.from));
      const cols = (db.prepare(`PRAGMA table_info(${t})`).all() as Array<{ name: string }>).map((c) => c.name);
      for (const c of cols) {
        if (c === 'id' || c === 'global_id' || c.endsWith('_global_id')) continue;
        if (!(fks.has(c) || /(_id|_by|signer|_to)$/.test(c))) continue;
        const known = c in REFERENCES[t] || KIND_REFERENCES[t]?.column === c || c in (NOT_REFERENCES[t] ?? {});
        if (!known) unclassified.push(`${t}.${c}`);
      }
      for (const c of [...Object.keys(REFERENCES[t]), ...Object.keys(NOT_REFERENCES[t] ?? {}), ...Object.keys(JSON_REFERENCES[t] ?? {})]) {
        assert.ok(cols.includes(c), `${t}.${c} is listed but no such column`);
      }
    }
    assert.deepEqual(unclassified, []);
    base.close();
    comp.close();
  });
});
