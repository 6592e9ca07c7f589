// The sync panel for the văn thư (issue 9: progress, last contact, queue lengths, errors, refusals):
// through the router as the window calls it, on a real agency whose văn thư holds the agency's key on a
// SoftHSM token. A Thường and a Mật document are issued to another agency and their packets made: the
// văn thư sees her outbox with recipient and document; one cleared only for Thường sees the Mật packet
// without anything of its document; an officer sees no exchange at all; the server's address and the
// raw error are the administrator's. Attacks: the administrator's actions (the agency's workstations,
// declaring one lost, a clearance change that re-keys) called by the văn thư: refused by the core.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SyncPanelView } from '../../common/contract';
import { outgoingCreateSchema } from '../../common/schemas';
import type { PrivateKeyOps } from '../../main/core/crypto';
import { Desk, type TokenIdentity } from '../../main/core/desk';
import type { Actor } from '../../main/core/org/rights';
import { actorFor, getUser } from '../../main/core/org/users';
import { SessionGuard } from '../../main/core/session/guard';
import { syncPanel } from '../../main/core/sync/panel';
import { TransferProgress } from '../../main/core/sync/transferProgress';
import { TokenService, type SignedInToken } from '../../main/core/session/tokens';
import { makeSamplePdf } from '../../main/devhost/samplePdf';
import { createRouter } from '../../main/ipc/router';
import { TokenBridge } from '../../native/bridge/client';
import { moduleId } from '../../native/modules/discovery';
import { createSoftHsm, type SoftHsm } from '../fixtures/softhsm/tokens';
import { stageBytes, tempDir } from '../helpers/desk';
import { addToken, type CustomToken } from '../helpers/hsmTokens';
import { addPerson } from '../helpers/people';

const A = '000.00.01.H49';
const B = '000.00.12.H49';
const SERVER = 'https://may-chu.vanphong.quangninh.vn:8443';
const AGENCY_USAGE = 'critical,digitalSignature,nonRepudiation,keyEncipherment';
const SECRET_SUBJECT = 'Về việc bảo vệ bí mật nhà nước năm 2026';

let hsm: SoftHsm;
let bridge: TokenBridge;
let desk: Desk;
let clerk: Actor;
let clerkToken: SignedInToken;
let agencyKey: PrivateKeyOps;
let call: ReturnType<typeof createRouter>;
let lowClerk: { id: number; identity: TokenIdentity };
let officer: { id: number; identity: TokenIdentity };
let admin: { id: number; identity: TokenIdentity };
const dir = tempDir('securedesk-sync-panel-');

async function issue(drafter: Actor, signer: Actor, signerKey: PrivateKeyOps, secrecy: 'thuong' | 'mat', subject: string): Promise<number> {
  const main = await stageBytes(desk, drafter, await makeSamplePdf({ issuer: 'Tỉnh ủy Quảng Ninh', numberSymbol: '     -CV/TU', title: 'CÔNG VĂN', subject }), 'cong-van.pdf');
  const d = await desk.outgoing.create(drafter, outgoingCreateSchema.parse({
    typeCode: 'CV', subject, secrecy, urgency: 'khan', signerId: signer.id, signerCompetence: 'T/M BAN THƯỜNG VỤ', approvers: [signer.id],
    recipients: [{ code: B, name: 'Ban Tổ chức Tỉnh ủy' }], issuedAmount: 2, stagedIds: [main.stagedId], comment: '',
  }));
  await desk.outgoing.submit(drafter, { id: d.id, comment: '' });
  await desk.outgoing.approve(signer, { id: d.id, comment: 'Đồng ý' });
  await desk.outgoing.signAsSigner(signer, d.id, signerKey);
  await desk.outgoing.issue(clerk, d.id, agencyKey);
  return d.id;
}

async function panel(): Promise<SyncPanelView> {
  const r = await call('sync.status', {});
  assert.ok(r.ok, JSON.stringify(r));
  return r.value as SyncPanelView;
}

before(async () => {
  hsm = await createSoftHsm({ tokens: ['recovery'] });
  const key = (subject: string) => [{ id: '01', label: 'agency', algorithm: 'rsa:2048' as const, subject, keyUsage: AGENCY_USAGE, issuer: 'ca' as const }];
  const tokA: CustomToken = await addToken(hsm, 'AGENCY-A', '246810', key('/CN=Văn phòng Tỉnh ủy Quảng Ninh/O=Văn phòng Tỉnh ủy/C=VN'));
  const tokB: CustomToken = await addToken(hsm, 'AGENCY-B', '135791', key('/CN=Ban Tổ chức Tỉnh ủy/O=Ban Tổ chức/C=VN'));
  bridge = new TokenBridge({ env: hsm.env });
  const tokens = new TokenService(bridge, async () => [hsm.modulePath]);
  clerkToken = await tokens.signIn({ moduleId: moduleId(hsm.modulePath), serial: tokA.serial }, tokA.pin);
  desk = await Desk.open({ profileDir: dir.dir, trustAnchors: [hsm.ca.certDer] });
  const session = await desk.setup({ unit: { name: 'Văn phòng Tỉnh ủy Quảng Ninh', code: A, preset: 'party' }, admin: { fullName: 'Nguyễn Thị Hương', position: 'Văn thư', role: 'van_thu', clearance: 'tuyet_mat' } }, clerkToken.identity);
  clerk = actorFor(session.user);
  agencyKey = desk.org.signingKey(clerk, clerkToken.signingKeys);
  desk.exchange.setDirectory(clerk, [
    { code: A, name: 'Văn phòng Tỉnh ủy Quảng Ninh', certificates: [tokA.certs['01']!] },
    { code: B, name: 'Ban Tổ chức Tỉnh ủy', certificates: [tokB.certs['01']!] },
  ]);
  const drafter = actorFor(getUser(desk.db, (await addPerson(desk, { fullName: 'Trần Văn Soạn', role: 'chuyen_vien', clearance: 'tuyet_mat' })).id)!);
  const s = await addPerson(desk, { fullName: 'Nguyễn Văn Ký', role: 'lanh_dao', clearance: 'tuyet_mat' });
  lowClerk = await addPerson(desk, { fullName: 'Lê Thị Thường', role: 'van_thu', clearance: 'thuong' });
  officer = await addPerson(desk, { fullName: 'Đỗ Thị Hoa', role: 'chuyen_vien', clearance: 'mat' });
  admin = await addPerson(desk, { fullName: 'Phạm Quản Trị', role: 'quan_tri', clearance: 'thuong' });
  await issue(drafter, actorFor(getUser(desk.db, s.id)!), s.identity.signingKeys[0]!, 'thuong', 'Về việc tổng kết công tác năm 2026');
  await issue(drafter, actorFor(getUser(desk.db, s.id)!), s.identity.signingKeys[0]!, 'mat', SECRET_SUBJECT);
  // The packets for B are made (signed, the Mật one sealed) and wait to be handed to the transport.
  const ready = await desk.exchange.outbox.ready(clerk, agencyKey);
  assert.equal(ready.packets.length, 2, JSON.stringify(ready.problems));
  const guard = new SessionGuard(desk, new TokenService(new TokenBridge(), async () => []));
  call = createRouter({
    desk, guard, attachmentUrl: (t) => `app://securedesk/blob/${t}`,
    sync: () => ({ service: null, server: SERVER, running: false }),
  });
});

after(async () => {
  desk?.close();
  await bridge?.close();
  await hsm?.cleanup();
  dir.cleanup();
});

describe('the sync panel for the văn thư', () => {
  test('the văn thư sees her outbox (recipient, document), what waits to come in, no server address', async () => {
    await desk.unlock(clerkToken.identity);
    const v = await panel();
    assert.equal(v.server, null, 'the server address is the administrator\'s');
    assert.equal(v.configured, true);
    assert.equal(v.lastError, null);
    assert.ok(v.exchange, 'the exchange is hers');
    assert.equal(v.exchange.outboxTotal, 2);
    assert.deepEqual(v.exchange.outbox.map((o) => [o.to, o.toName, o.state, o.status]), [[B, 'Ban Tổ chức Tỉnh ủy', 'waiting', false], [B, 'Ban Tổ chức Tỉnh ủy', 'waiting', false]]);
    assert.deepEqual(v.exchange.outbox.map((o) => [o.document?.level, o.document?.subject]).sort(), [['mat', SECRET_SUBJECT], ['thuong', 'Về việc tổng kết công tác năm 2026']]);
    assert.deepEqual(v.exchange.inbound, { unopened: 0, toRegister: 0 });
    assert.equal(v.exchange.transfer, null);
    desk.lock('manual');
  });

  test('a packet sent in parts: the panel shows how far, as the transport reports its steps', async () => {
    await desk.unlock(clerkToken.identity);
    const who = desk.session!;
    const packet = (await panel()).exchange!.outbox[0]!;
    const transfer = new TransferProgress();
    const view = () => syncPanel(desk.db, desk.heldLevels, { service: null, server: SERVER, running: true, transfer }, who).exchange!.transfer;
    assert.equal(view(), null);
    transfer.onStep('packet-sending', { packetId: packet.packetId });
    const total = view()!.total;
    assert.ok(total > 0);
    assert.deepEqual(view(), { packetId: packet.packetId, to: 'Ban Tổ chức Tỉnh ủy', sent: 0, total });
    transfer.onStep('packet-chunk-sent', { packetId: packet.packetId, offset: Math.floor(total / 2) });
    assert.equal(view()!.sent, Math.floor(total / 2));
    transfer.onStep('packet-cleared', { packetId: packet.packetId });
    assert.equal(view(), null);
    desk.lock('manual');
  });

  test('the last exchange round\'s figures reach the panel through the router (elsewhere included); none before the first', async () => {
    await desk.unlock(clerkToken.identity);
    assert.equal((await panel()).exchange!.lastRound, null, 'no round since sign-in');
    const round = { agencies: 2, queued: 0, sent: 1, refusedOnTheWay: 0, received: 5, opened: 3, refused: 1, elsewhere: 1, reopened: 0, problems: [] };
    const at = '2026-12-06T03:10:00.000Z';
    const withRound = createRouter({
      desk, guard: new SessionGuard(desk, new TokenService(new TokenBridge(), async () => [])), attachmentUrl: (t) => `app://securedesk/blob/${t}`,
      sync: () => ({ service: null, server: SERVER, running: true, exchange: { last: { at, round }, roundNow: async () => round, transfer: new TransferProgress() } }),
    });
    const r = await withRound('sync.status', {});
    assert.ok(r.ok, JSON.stringify(r));
    const v = r.value as SyncPanelView;
    assert.deepEqual(v.exchange!.lastRound, { at, received: 5, opened: 3, refused: 1, elsewhere: 1, reopened: 0, sent: 1 });
    assert.deepEqual([v.exchange!.takenElsewhere, v.exchange!.sentElsewhereTotal, v.exchange!.sentElsewhere], [0, 0, []]);
    desk.lock('manual');
  });

  test('need-to-know: a văn thư cleared only for Thường sees the Mật packet, nothing of its document', async () => {
    await desk.unlock(lowClerk.identity);
    const v = await panel();
    assert.equal(v.exchange?.outboxTotal, 2, 'the queue\'s length is hers to know');
    const secret = v.exchange!.outbox.filter((o) => o.document?.level !== 'thuong');
    assert.equal(secret.length, 1);
    assert.equal(secret[0]!.document, null);
    assert.ok(!JSON.stringify(v).includes('bảo vệ bí mật'), 'no word of the Mật document');
    desk.lock('manual');
  });

  test('attack: the administrator\'s actions called by the văn thư are refused by the core', async () => {
    await desk.unlock(clerkToken.identity);
    const before = desk.db.prepare('SELECT clearance FROM main.users WHERE id = ?').pluck().get(officer.id);
    for (const [channel, input] of [
      ['sync.workstations', {}],
      ['sync.declareLost', { workstation: 'ws-0123456789abcdef', reason: 'Máy bị mất cắp' }],
      ['users.setClearance', { userId: officer.id, clearance: 'thuong' }],
    ] as const) {
      const r = await call(channel, input);
      assert.ok(!r.ok && r.error.code === 'FORBIDDEN', `${channel}: ${JSON.stringify(r)}`);
    }
    assert.equal(desk.db.prepare('SELECT clearance FROM main.users WHERE id = ?').pluck().get(officer.id), before, 'no clearance changed, nothing re-keyed');
    desk.lock('manual');
  });

  test('an officer sees whether the workstation syncs and nothing of the exchange; the administrator sees the server', async () => {
    await desk.unlock(officer.identity);
    const v = await panel();
    assert.equal(v.exchange, null);
    assert.deepEqual(v.packetRefusals, []);
    assert.equal(v.server, null);
    assert.equal(v.configured, true);
    desk.lock('manual');
    await desk.unlock(admin.identity);
    const a = await panel();
    assert.equal(a.server, SERVER);
    assert.ok(a.exchange);
    desk.lock('manual');
  });
});
