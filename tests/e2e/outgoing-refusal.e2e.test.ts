// A packet refused on its way, through the screens (Chromium, development host): the profile holds a
// Thường công văn issued to two agencies; the transport took both packets (the dispatches are sent), then
// the agency server's refusal feed said the hub refused the one for an agency its directory no longer
// knows (PacketClient.pullRefusals marks it, the exchange notes it: exactly what a round does). The văn thư
// opens the document in "Văn bản đi": that recipient's row says "Bị từ chối: <lý do>" and offers no
// "Lấy lại" but "Gửi lại", which puts it back in the queue as a new attempt ("Chờ gửi", "Gửi lại lần 1"), the
// refusal kept in the history; the other stays "Đã gửi"; "Tình hình xử lý tại nơi nhận" lists the refusal in red;
// the issued file's signatures (the signer's certificate issued by the workstation's trust anchor) show valid. (The sync
// panel's list is the administrators' page: tests/integration/server/exchange-refusal.test.ts checks its
// data.) Screenshots at 1366×768 and 1920×1080 go to test-results/e2e/.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { outgoingCreateSchema } from '../../common/schemas';
import { Desk } from '../../main/core/desk';
import { writeTx } from '../../main/core/db/transaction';
import { actorFor, getUser } from '../../main/core/org/users';
import { SessionGuard } from '../../main/core/session/guard';
import { TokenService } from '../../main/core/session/tokens';
import { markRefusedLater, markSent, queuePacket } from '../../main/core/sync/packets/queue';
import { makeSamplePdf } from '../../main/devhost/samplePdf';
import { TokenBridge } from '../../native/bridge/client';
import { moduleId } from '../../native/modules/discovery';
import { createSoftHsm, keyOf, type SoftHsm } from '../fixtures/softhsm/tokens';
import { stageBytes } from '../helpers/desk';
import { addPerson, anchoredIdentity, newIdentity } from '../helpers/people';
import { ELECTRON_DIST, expectText, openApp, shootBothSizes, type AppSession } from './harness';

const skip = ELECTRON_DIST ? 'the profile is seeded through the core behind the page (Chromium only)' : false;

const A = '000.00.01.H49';
const B = '000.00.12.H49';
const GONE = '000.00.19.H49';
const UNIT = 'Văn phòng Tỉnh ủy Quảng Ninh';
const B_NAME = 'Ban Tổ chức Tỉnh ủy';
const GONE_NAME = 'Sở Văn hóa và Thể thao';
const CLERK = 'Nguyễn Thị Lan';
const SIGNER = 'Nguyễn Văn Ký';
const SUBJECT = 'Về việc tổng kết công tác văn thư, lưu trữ năm 2026';
const REASON = 'mã định danh của cơ quan nhận không có trong danh bạ của trục liên thông';

let work = '';
let profileDir = '';
let hsm: SoftHsm;
let app: AppSession | undefined;

async function seed(): Promise<void> {
  const desk = await Desk.open({ profileDir, trustAnchors: [hsm.ca.certDer] });
  const guard = new SessionGuard(desk, new TokenService(new TokenBridge({ env: hsm.env }), async () => [hsm.modulePath]));
  try {
    const session = await guard.setup(
      { unit: { name: UNIT, code: A, preset: 'party' }, admin: { fullName: CLERK, position: 'Văn thư cơ quan', role: 'van_thu', clearance: 'tuyet_mat' } },
      { moduleId: moduleId(hsm.modulePath), serial: hsm.tokens.userRsa.serial },
      hsm.tokens.userRsa.pin,
    );
    const clerk = actorFor(session.user);
    desk.exchange.setDirectory(clerk, [
      { code: A, name: UNIT, certificates: [keyOf(hsm.tokens.userRsa, 'an-sign').certDer] },
      { code: B, name: B_NAME, certificates: [newIdentity(B_NAME).signingKeys[0]!.certificate] },
      { code: GONE, name: GONE_NAME, certificates: [newIdentity(GONE_NAME).signingKeys[0]!.certificate] },
    ]);
    // The signer's certificate chains to the workstation's trust anchor: the issued file's signatures show valid.
    const signer = await addPerson(desk, { fullName: SIGNER, role: 'lanh_dao', clearance: 'tuyet_mat', position: 'Phó Bí thư', identity: anchoredIdentity(hsm.ca, SIGNER, work) });
    const main = await stageBytes(desk, clerk, await makeSamplePdf({ issuer: 'TỈNH ỦY QUẢNG NINH', numberSymbol: '     -CV/TU', title: 'CÔNG VĂN', subject: SUBJECT }), 'cong-van.pdf');
    const d = await desk.outgoing.create(clerk, outgoingCreateSchema.parse({
      typeCode: 'CV', subject: SUBJECT, secrecy: 'thuong', urgency: 'thuong', signerId: signer.id, signerCompetence: 'T/M BAN THƯỜNG VỤ', approvers: [],
      recipients: [{ code: B, name: B_NAME }, { code: GONE, name: GONE_NAME }], issuedAmount: 2, stagedIds: [main.stagedId], comment: '',
    }));
    await desk.outgoing.submit(clerk, { id: d.id, comment: '' });
    await desk.outgoing.signAsSigner(actorFor(getUser(desk.db, signer.id)!), d.id, signer.identity.signingKeys[0]!);
    const agencyKey = guard.signingKey(clerk);
    await desk.outgoing.issue(clerk, d.id, agencyKey);
    // The transport takes both packets and the agency server acknowledges them: both dispatches sent.
    const { packets, problems } = await desk.exchange.outbox.ready(clerk, agencyKey);
    assert.deepEqual(problems, []);
    const now = new Date().toISOString();
    writeTx(desk.db, () => {
      for (const p of packets) {
        queuePacket(desk.db, p.packetId, p.bytes, now);
        markSent(desk.db, p.packetId, now);
      }
    });
    desk.exchange.outbox.handedOver(clerk, packets.map((p) => p.packetId));
    // The refusal feed: the hub refused the packet for the agency it no longer lists.
    const gone = packets.find((p) => p.to === GONE)!;
    writeTx(desk.db, () => markRefusedLater(desk.db, gone.packetId, 'unknown-recipient', `PUT packet ${gone.packetId}: 422 no agency ${GONE} in the directory`, now));
    assert.equal(desk.exchange.noteRefusals(clerk), 1);
    assert.deepEqual(desk.outgoing.get(clerk, d.id).dispatches.map((x) => [x.code, x.status, x.refused?.reason ?? null]), [[B, 'sent', null], [GONE, 'sent', REASON]]);
  } finally {
    await guard.close();
  }
}

before(async () => {
  if (skip) return;
  work = mkdtempSync(join(tmpdir(), 'securedesk-e2e-refusal-'));
  profileDir = join(work, 'profile');
  hsm = await createSoftHsm({ tokens: ['userRsa'] });
  await seed();
});

after(async () => {
  if (app) await app.close();
  await hsm?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the văn thư sees a dispatch refused on its way, with the reason, on the document', { skip }, async () => {
  app = await openApp(profileDir, { hsm, trustAnchors: [hsm.ca.certDer] });
  const p = app.page;
  await p.getByRole('heading', { name: 'Máy trạm đang khóa' }).waitFor();
  await p.getByLabel('Mã PIN').fill(hsm.tokens.userRsa.pin);
  await p.getByRole('button', { name: 'Mở khóa' }).click();
  await expectText(p.locator('.app-header'), CLERK);
  await p.getByRole('navigation', { name: 'Chức năng' }).getByRole('button', { name: 'Văn bản đi', exact: true }).click();
  await p.locator('tr.clickable').filter({ hasText: '01-CV/TU' }).click();
  await p.locator('.outgoing-detail').waitFor();

  const rowGone = p.locator('tr.dispatch-row').filter({ hasText: GONE_NAME });
  const rowB = p.locator('tr.dispatch-row').filter({ hasText: B_NAME });
  await expectText(rowGone.locator('.dispatch-state .dispatch-refused'), `Bị từ chối: ${REASON}`);
  assert.equal(await rowGone.getByRole('button', { name: /^Lấy lại/ }).count(), 0, 'nothing to take back from an agency that never got it');
  assert.equal(await rowGone.getByRole('button', { name: `Gửi lại văn bản đến ${GONE_NAME}` }).count(), 1, 'it can be sent again');
  assert.equal(await rowB.getByRole('button', { name: /^Gửi lại/ }).count(), 0, 'nothing refused to send again');
  await expectText(rowB.locator('.dispatch-state'), 'Đã gửi');
  assert.equal(await rowB.getByRole('button', { name: `Lấy lại văn bản đã gửi đến ${B_NAME}` }).count(), 1);
  const statuses = p.locator('table.dispatch-statuses');
  const red = 'rgb(164, 22, 26)';
  assert.equal(await rowGone.locator('.dispatch-refused').evaluate((el) => getComputedStyle(el).color), red);
  await expectText(statuses.locator('li.check-failed'), `Bị từ chối`);
  await expectText(statuses.locator('li.check-failed'), REASON);
  assert.equal(await statuses.locator('li.check-failed').evaluate((el) => getComputedStyle(el).color), red);
  // The issued file's signatures (the signer's and the agency's) chain to the trust anchor: valid, no finding.
  const sigs = p.locator('.issued-file-signatures li');
  await expectText(sigs.filter({ hasText: SIGNER }), 'hợp lệ');
  assert.equal(await sigs.count(), 2);
  assert.equal(await p.locator('.issued-file-signatures li.sig-ok').count(), 2, await sigs.allTextContents().then((x) => x.join(' | ')));
  assert.equal(await p.locator('.issued-file-signatures .pdf-signatures.has-problem').count(), 0);
  await rowGone.scrollIntoViewIfNeeded();
  await shootBothSizes(p, 'outgoing-dispatch-refused', '.outgoing-detail');

  // Gửi lại: the row shows the new attempt waiting to go; the refusal stays in the history and the trail says who sent it again.
  await rowGone.getByRole('button', { name: `Gửi lại văn bản đến ${GONE_NAME}` }).click();
  await expectText(p.locator('.toast-success').first(), `Đã đưa văn bản gửi ${GONE_NAME} vào hàng gửi lại (lần 1).`);
  await expectText(rowGone.locator('.dispatch-state'), 'Chờ gửi');
  await expectText(rowGone.locator('.dispatch-state .dispatch-resent'), 'Gửi lại lần 1');
  assert.equal(await rowGone.locator('.dispatch-refused').count(), 0);
  assert.equal(await rowGone.getByRole('button').count(), 0, 'nothing more to do until the transport sends it');
  await expectText(statuses.locator('li.check-failed'), REASON);
  await expectText(p.locator('.outgoing-detail'), 'Gửi lại văn bản bị từ chối');
  await rowGone.scrollIntoViewIfNeeded();
  await shootBothSizes(p, 'outgoing-dispatch-resent', '.outgoing-detail');

  assert.deepEqual(app.problems.csp, []);
  assert.deepEqual(app.problems.errors.filter((e) => !/status of 4\d\d/.test(e)), []);
});
