// The exchange's contract channels through the IPC router (issue 9 §3): inputs validated by their zod
// schemas before anything runs; a person without the right (a chuyên viên), a văn thư cleared below
// an arrival's level, and anyone outside a document's distribution are refused by the core.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createRouter } from '../../main/ipc/router';
import { SessionGuard } from '../../main/core/session/guard';
import { TokenService } from '../../main/core/session/tokens';
import { TokenBridge } from '../../native/bridge/client';
import { writeTx } from '../../main/core/db/transaction';
import { nextRecordId } from '../../main/core/compartments/ids';
import { newGlobalId } from '../../main/core/events/globalId';
import { newDesk } from '../helpers/desk';
import { addPerson } from '../helpers/people';

let env: Awaited<ReturnType<typeof newDesk>>;
let call: ReturnType<typeof createRouter>;
let arrivalId = 0;

before(async () => {
  env = await newDesk('party');
  const guard = new SessionGuard(env.desk, new TokenService(new TokenBridge(), async () => []));
  call = createRouter({ desk: env.desk, guard, attachmentUrl: (t) => `app://securedesk/blob/${t}` });
  // A Tối mật arrival already opened (as the inbox lands one): its row in the Tối mật compartment.
  const db = env.desk.db;
  writeTx(db, () => {
    arrivalId = nextRecordId(db);
    const header = {
      kind: 'document', from: { organId: '000.00.01.H49', organizationInCharge: null, organName: 'Văn phòng Tỉnh ủy', organAdd: null, email: null, telephone: null, fax: null, website: null },
      to: [], documentId: '000.00.01.H49,2026/11/02,27-CV/TU', code: { number: '27', notation: 'CV/TU' }, promulgation: { place: null, date: '2026-11-02' },
      documentType: { type: null, typeDetail: null, typeName: 'Công văn' }, subject: 'Về việc nhân sự', content: null, signer: { competence: null, position: null, fullName: 'Người ký' },
      dueDate: null, toPlaces: [], otherInfo: { priority: 0, sphereOfPromulgation: null, typerNotation: null, promulgationAmount: null, pageAmount: null, direction: null, appendixes: [], secrecy: 'toi_mat' },
      responseFor: [], steeringType: null, trace: [], business: null, manifest: [], attachments: [],
    };
    db.prepare(`INSERT INTO c_toi_mat.exchange_inbox (id, global_id, packet_id, from_code, from_name, document_id, business_type, header, verification, files, state, received_at)
      VALUES (?,?,?,?,?,?,0,?,?,'[]','waiting',?)`).run(arrivalId, newGlobalId(), 'router-test-00000001', '000.00.01.H49', 'Văn phòng Tỉnh ủy', header.documentId,
      JSON.stringify(header), JSON.stringify({ sealed: true, signature: { status: 'valid', reasonVi: 'Chữ ký số hợp lệ.' }, problems: [] }), new Date().toISOString());
  });
});
after(() => env.cleanup());

test('inputs of the wrong shape are refused before anything runs', async () => {
  await env.desk.unlock(env.identity);
  for (const [channel, input] of [
    ['exchange.get', { id: 'x' }], ['exchange.inbox', { state: 'deleted' }], ['exchange.openFile', { id: arrivalId, index: -1 }],
    ['exchange.refuse', { id: arrivalId, reason: 'x' }], ['exchange.register', { id: arrivalId, secrecy: 'thuong' }], ['exchange.get', { id: arrivalId, sql: '1' }],
  ] as const) {
    const r = await call(channel, input);
    assert.ok(!r.ok && r.error.code === 'VALIDATION', `${channel}: ${JSON.stringify(r)}`);
  }
  const ok = await call('exchange.get', { id: arrivalId });
  assert.ok(ok.ok && (ok.value as { numberSymbol: string }).numberSymbol === '27-CV/TU', JSON.stringify(ok));
  env.desk.lock('manual');
});

test('no right, low clearance, outside the distribution: refused by the core', async () => {
  await env.desk.unlock(env.identity);
  const officer = await addPerson(env.desk, { fullName: 'Bùi Văn Ngoài', role: 'chuyen_vien', clearance: 'tuyet_mat' });
  const lowClerk = await addPerson(env.desk, { fullName: 'Hoàng Văn Thấp', role: 'van_thu', clearance: 'mat' });
  env.desk.lock('manual');

  await env.desk.unlock(officer.identity);
  for (const [channel, input] of [
    ['exchange.receive', {}], ['exchange.inbox', {}], ['exchange.get', { id: arrivalId }], ['exchange.openFile', { id: arrivalId, index: 0 }],
    ['exchange.register', { id: arrivalId }], ['exchange.refuse', { id: arrivalId, reason: 'Không thuộc thẩm quyền' }],
  ] as const) {
    const r = await call(channel, input);
    assert.ok(!r.ok && r.error.code === 'FORBIDDEN', `${channel}: ${JSON.stringify(r)}`);
  }
  const notice = await call('exchange.notice', { id: 999_999 });
  assert.ok(!notice.ok && notice.error.code === 'NOT_FOUND', JSON.stringify(notice));
  const statuses = await call('exchange.dispatchStatuses', { id: 999_999 });
  assert.ok(!statuses.ok && statuses.error.code === 'NOT_FOUND', JSON.stringify(statuses));
  env.desk.lock('manual');

  await env.desk.unlock(lowClerk.identity);
  const list = await call('exchange.inbox', {});
  assert.ok(list.ok && (list.value as unknown[]).length === 0, 'a Mật văn thư does not see a Tối mật arrival');
  for (const [channel, input] of [
    ['exchange.get', { id: arrivalId }], ['exchange.openFile', { id: arrivalId, index: 0 }], ['exchange.register', { id: arrivalId }],
    ['exchange.refuse', { id: arrivalId, reason: 'Không thuộc thẩm quyền' }],
  ] as const) {
    const r = await call(channel, input);
    assert.ok(!r.ok && r.error.code === 'NOT_FOUND', `${channel}: ${JSON.stringify(r)}`);
  }
  env.desk.lock('manual');

  // The văn thư cleared for it refuses it, with a reason: the status 02 is owed to the sender.
  await env.desk.unlock(env.identity);
  const refused = await call('exchange.refuse', { id: arrivalId, reason: 'Văn bản không thuộc thẩm quyền của cơ quan' });
  assert.ok(refused.ok, JSON.stringify(refused));
  assert.deepEqual(env.desk.db.prepare('SELECT code, description FROM c_toi_mat.exchange_status_out').all(), [{ code: '02', description: 'Văn bản không thuộc thẩm quyền của cơ quan' }]);
  env.desk.lock('manual');
});
