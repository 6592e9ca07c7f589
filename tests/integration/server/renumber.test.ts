// Two workstations of one agency register into one register while cut off from each other, through
// the real agency server (SQLite storage) once they sync: both gave the same arrival number, each sets
// the other's registration aside. The văn thư resolves it on one of them ("Cấp số mới"): the later
// registration takes the next number of its register and year, the correction keeps the provisional
// number, the audit log records it, and the renumbering travels as an event: the other workstation
// applies it and its own set-aside registration goes in, with nobody acting there. Also: the Sổ đăng
// ký BMNN đến numbers Mật and Tối mật in one sequence across two compartments (a collision no UNIQUE
// index sees), resolved on the workstation that holds the later one; a person without doc.register is
// refused (through the router too); a second resolve is refused; a closed year is refused, audited.
import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunningServer } from '../../../server/app';
import { Desk } from '../../../main/core/desk';
import type { Actor } from '../../../main/core/org/rights';
import { actorFor, getUser } from '../../../main/core/org/users';
import { SyncService } from '../../../main/core/sync/SyncService';
import { createRouter } from '../../../main/ipc/router';
import { SessionGuard } from '../../../main/core/session/guard';
import { TokenService } from '../../../main/core/session/tokens';
import { TokenBridge } from '../../../native/bridge/client';
import { takeNewWorkstationId } from '../../../main/core/sync/workstation';
import { DeskError } from '../../../common/errors';
import { yearOf, todayIso } from '../../../common/dates';
import { agencyPki, startAgencyServer, type AgencyPki } from '../../helpers/agencyServer';
import { addActor, newDesk, registration, tempDir } from '../../helpers/desk';
import { softKey } from '../../helpers/softKey';

let pki: AgencyPki;
let server: RunningServer;
let a: Desk;
let b: Desk;
let syncA: SyncService;
let syncB: SyncService;
let clerkA: Actor;
let clerkB: Actor;
let officerA: Actor;
const cleanups: Array<() => void> = [];

before(async () => {
  const tmp = tempDir('securedesk-renumber-');
  cleanups.push(tmp.cleanup);
  pki = await agencyPki(['vanthu1', 'vanthu2']);
  cleanups.push(() => pki.pki.cleanup());
  server = await startAgencyServer({
    backend: 'sqlite', dir: join(tmp.dir, 'server'), pki,
    people: [
      { person: 'p-vanthu1', role: 'van_thu', clearance: 'tuyet_mat', certificates: [pki.person('vanthu1').certPath] },
      { person: 'p-vanthu2', role: 'van_thu', clearance: 'tuyet_mat', certificates: [pki.person('vanthu2').certPath] },
    ],
    logger: { log: () => {} },
  });
  const env = await newDesk('state');
  cleanups.push(env.cleanup);
  a = env.desk;
  clerkA = env.admin;
  officerA = addActor(a, 'chuyen_vien', 'tuyet_mat', 'Lê Văn Chuyên');
  // Workstation B starts from the agency's snapshot of the profile and takes its own id.
  a.close();
  const copy = tempDir('securedesk-renumber-b-');
  cleanups.push(copy.cleanup);
  cpSync(env.dir, copy.dir, { recursive: true });
  a = await Desk.open({ profileDir: env.dir });
  await a.unlock(env.identity);
  b = await Desk.open({ profileDir: copy.dir });
  await b.unlock(env.identity);
  takeNewWorkstationId(b.db, new Date());
  clerkB = actorFor(getUser(b.db, clerkA.id)!);
  const transport = { url: `https://localhost:${server.port}`, caPem: pki.ca.certPem, timeoutMs: 20_000 };
  const keyOf = (p: string) => softKey(pki.person(p).certDer, pki.person(p).keyPem);
  syncA = new SyncService(a, { transport, signer: () => keyOf('vanthu1'), clearance: 'tuyet_mat' });
  syncB = new SyncService(b, { transport, signer: () => keyOf('vanthu2'), clearance: 'tuyet_mat' });
  cleanups.unshift(() => syncA.close(), () => syncB.close(), () => a.close(), () => b.close(), () => void server.close());
});
after(() => {
  for (const c of cleanups) {
    try { c(); } catch { /* closed */ }
  }
});

/** Rounds until both are quiet: A pushes, B pushes and pulls, A pulls. */
async function syncBoth(): Promise<void> {
  await syncA.syncOnce();
  await syncB.syncOnce();
  await syncA.syncOnce();
}

const numberOf = (desk: Desk, schema: string, gid: string) =>
  desk.db.prepare(`SELECT arrival_number FROM ${schema}.incoming WHERE global_id = ?`).pluck().get(gid) as number | undefined;
const gidOf = (desk: Desk, schema: string, id: number) =>
  desk.db.prepare(`SELECT global_id FROM ${schema}.incoming WHERE id = ?`).pluck().get(id) as string;
const setAsideRows = (desk: Desk, schema: string) =>
  desk.db.prepare(`SELECT count(*) FROM ${schema}.sync_inbox WHERE problem IS NOT NULL`).pluck().get() as number;

async function refusal(p: Promise<unknown> | (() => unknown)): Promise<DeskError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    assert.ok(err instanceof DeskError, String(err));
    return err;
  }
  assert.fail('not refused');
}

describe('a duplicate arrival number given offline, resolved through the agency server', () => {
  let gidA: string;
  let gidB: string;
  let number: number;

  test('two workstations register offline: the same number; after syncing, each has set the other one aside', async () => {
    const onA = await a.incoming.register(clerkA, await registration(a, clerkA, { subject: 'Về việc kiểm tra công tác văn thư, lưu trữ (máy A)' }));
    await new Promise((r) => setTimeout(r, 5)); // B's registration is the later one
    const onB = await b.incoming.register(clerkB, await registration(b, clerkB, { subject: 'Về việc tổ chức hội nghị cán bộ (máy B)' }));
    assert.equal(onA.arrivalNumber, onB.arrivalNumber, 'the same number, offline');
    number = onA.arrivalNumber;
    gidA = gidOf(a, 'c_thuong', onA.id);
    gidB = gidOf(b, 'c_thuong', onB.id);
    await syncBoth();
    assert.equal(numberOf(a, 'c_thuong', gidB), undefined, "B's registration is not applied on A");
    assert.equal(numberOf(b, 'c_thuong', gidA), undefined, "A's registration is not applied on B");

    const listA = a.incoming.setAside(clerkA);
    assert.equal(listA.length, 1);
    const x = listA[0]!;
    assert.equal(x.entityId, gidB);
    assert.equal(x.arrivalNumber, number);
    assert.equal(x.year, yearOf(todayIso(a.now())));
    assert.equal(x.received.subject, 'Về việc tổ chức hội nghị cán bộ (máy B)');
    assert.equal(x.local?.subject, 'Về việc kiểm tra công tác văn thư, lưu trữ (máy A)');
    assert.equal(x.renumbers, 'received', 'B registered later: B takes the new number');
    assert.equal(x.nextNumber, number + 1);
    assert.equal(x.yearClosed, false);

    const listB = b.incoming.setAside(clerkB);
    assert.equal(listB.length, 1);
    assert.equal(listB[0]!.entityId, gidA);
    assert.equal(listB[0]!.renumbers, 'local', 'the same rule on B: its own (later) registration takes the new number');
  });

  test('a person without doc.register is refused, in the core and through the contract; a malformed id is refused by the contract', async () => {
    assert.equal((await refusal(() => a.incoming.setAside(officerA))).code, 'FORBIDDEN');
    assert.equal((await refusal(a.incoming.renumber(officerA, { entityId: gidB }))).code, 'FORBIDDEN');
    const guard = new SessionGuard(a, new TokenService(new TokenBridge(), async () => []));
    const route = createRouter({ desk: a, guard, attachmentUrl: (t) => t });
    const bad = await route('incoming.renumber', { entityId: 'not-a-uuid' });
    assert.equal(bad.ok, false);
    if (!bad.ok) assert.equal(bad.error.code, 'VALIDATION');
    assert.equal(numberOf(a, 'c_thuong', gidB), undefined, 'nothing applied');
    assert.equal(setAsideRows(a, 'c_thuong'), 1);
  });

  test("A's văn thư gives B's registration the next number: applied with it, the provisional number kept in the correction, audited; a second resolve is refused", async () => {
    const r = await a.incoming.renumber(clerkA, { entityId: gidB });
    assert.deepEqual({ old: r.oldNumber, new: r.newNumber, which: r.renumbered }, { old: number, new: number + 1, which: 'received' });
    assert.equal(numberOf(a, 'c_thuong', gidB), number + 1);
    assert.equal(numberOf(a, 'c_thuong', gidA), number, 'the earlier keeps its number');
    assert.equal(setAsideRows(a, 'c_thuong'), 0);
    assert.deepEqual(a.incoming.setAside(clerkA), []);
    const detail = a.incoming.get(clerkA, r.incomingId);
    assert.equal(detail.arrivalNumber, number + 1);
    assert.equal(detail.subject, 'Về việc tổ chức hội nghị cán bộ (máy B)', 'the record as B registered it');
    const corrections = detail.corrections.map((c) => c.changes);
    assert.deepEqual(corrections, [[{ field: 'arrivalNumber', before: number, after: number + 1 }]]);
    const audit = a.db.prepare("SELECT details FROM audit_log WHERE action = 'incoming.renumber' AND outcome = 'ok'").pluck().all() as string[];
    assert.equal(audit.length, 1);
    const details = JSON.parse(audit[0]!) as { oldNumber: number; newNumber: number; received: boolean };
    assert.deepEqual([details.oldNumber, details.newNumber, details.received], [number, number + 1, true]);
    // The counter moved past it: the next registration here follows.
    assert.equal(a.incoming.previewNumber(clerkA, { secrecy: 'thuong', typeCode: 'QĐ' }).nextNumber, number + 2);

    const again = await refusal(a.incoming.renumber(clerkA, { entityId: gidB }));
    assert.equal(again.code, 'NOT_FOUND');
    assert.equal(again.key, 'renumber.notFound');
    assert.equal(numberOf(a, 'c_thuong', gidB), number + 1, 'nothing changed by the refusal');
  });

  test('the renumbering reaches B as an event: B renumbers its own registration and applies A’s, with nobody acting; a resolve there is refused', async () => {
    await syncBoth();
    assert.equal(numberOf(b, 'c_thuong', gidB), number + 1);
    assert.equal(numberOf(b, 'c_thuong', gidA), number);
    assert.equal(setAsideRows(b, 'c_thuong'), 0);
    assert.deepEqual(b.incoming.setAside(clerkB), []);
    assert.equal((await refusal(b.incoming.renumber(clerkB, { entityId: gidA }))).code, 'NOT_FOUND');
    const idB = b.db.prepare('SELECT id FROM c_thuong.incoming WHERE global_id = ?').pluck().get(gidB) as number;
    assert.deepEqual(b.incoming.get(clerkB, idB).corrections.map((c) => c.changes), [[{ field: 'arrivalNumber', before: number, after: number + 1 }]]);
    // The same register on both, and a quiet round changes nothing.
    const rows = (d: Desk) => d.db.prepare('SELECT global_id, arrival_number FROM c_thuong.incoming ORDER BY global_id').all();
    assert.deepEqual(rows(a), rows(b));
    const quietA = await syncA.syncOnce();
    const quietB = await syncB.syncOnce();
    assert.equal(quietA.sent + quietB.sent + quietA.applied + quietB.applied + quietA.conflicts + quietB.conflicts, 0);
  });
});

describe('the Sổ đăng ký BMNN đến: one sequence over Mật and Tối mật compartments', () => {
  test('a Mật arrival on A and a Tối mật one on B take the same secret number offline: set aside across compartments, resolved on B (its own is the later), applied on A', async () => {
    const onA = await a.incoming.register(clerkA, await registration(a, clerkA, { secrecy: 'mat', subject: 'Về việc bảo vệ bí mật nhà nước năm 2026' }));
    await new Promise((r) => setTimeout(r, 5));
    const onB = await b.incoming.register(clerkB, await registration(b, clerkB, { secrecy: 'toi_mat', subject: 'Về công tác nhân sự đại hội' }));
    assert.equal(onA.registerName, onB.registerName);
    assert.equal(onA.arrivalNumber, onB.arrivalNumber);
    const n = onA.arrivalNumber;
    const gidA = gidOf(a, 'c_mat', onA.id);
    const gidB = gidOf(b, 'c_toi_mat', onB.id);
    await syncBoth();
    assert.equal(numberOf(a, 'c_toi_mat', gidB), undefined, 'refused on A although no index spans the two compartments');
    assert.equal(numberOf(b, 'c_mat', gidA), undefined);
    const onBList = b.incoming.setAside(clerkB);
    assert.equal(onBList.length, 1);
    assert.equal(onBList[0]!.level, 'mat');
    assert.equal(onBList[0]!.renumbers, 'local');

    // Resolved on B: its own Tối mật entry takes the next secret number, then A's Mật entry goes in.
    const r = await b.incoming.renumber(clerkB, { entityId: gidA });
    assert.deepEqual([r.renumbered, r.oldNumber, r.newNumber, r.incomingId], ['local', n, n + 1, onB.id]);
    assert.equal(numberOf(b, 'c_toi_mat', gidB), n + 1);
    assert.equal(numberOf(b, 'c_mat', gidA), n);
    assert.deepEqual(b.incoming.setAside(clerkB), []);

    await syncB.syncOnce();
    await syncA.syncOnce();
    assert.equal(numberOf(a, 'c_toi_mat', gidB), n + 1, 'the renumbering frees the set-aside event on A');
    assert.equal(numberOf(a, 'c_mat', gidA), n);
    assert.deepEqual(a.incoming.setAside(clerkA), []);
    assert.equal(setAsideRows(a, 'c_toi_mat'), 0);
  });
});

describe('a closed year', () => {
  test('a collision in a register whose year was closed meanwhile is refused and the refusal audited; the registration stays set aside', async () => {
    const onA = await a.incoming.register(clerkA, await registration(a, clerkA, { subject: 'Về việc tổng kết năm' }));
    await new Promise((r) => setTimeout(r, 5));
    const onB = await b.incoming.register(clerkB, await registration(b, clerkB, { subject: 'Về việc chuẩn bị Tết' }));
    assert.equal(onA.arrivalNumber, onB.arrivalNumber);
    const gidB = gidOf(b, 'c_thuong', onB.id);
    await syncBoth();
    const registerId = a.db.prepare('SELECT register_id FROM c_thuong.incoming WHERE id = ?').pluck().get(onA.id) as number;
    const year = yearOf(todayIso(a.now()));
    await a.registers.closeYear(clerkA, { registerId, year });
    const listed = a.incoming.setAside(clerkA);
    assert.equal(listed.length, 1);
    assert.equal(listed[0]!.yearClosed, true);
    const e = await refusal(a.incoming.renumber(clerkA, { entityId: gidB }));
    assert.equal(e.key, 'renumber.yearClosed');
    assert.equal(numberOf(a, 'c_thuong', gidB), undefined);
    assert.equal(setAsideRows(a, 'c_thuong'), 1);
    const refused = a.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'incoming.renumber' AND outcome = 'refused' AND reason = 'renumber.yearClosed'").pluck().get();
    assert.equal(refused, 1);
  });
});
