// The exchange tables shared between an agency's workstations (issue 9 §2, §3, §5; docs/exchange.md,
// "One agency, many workstations"). Real parts: the agency keys on SoftHSM tokens, two agency servers on
// SQLite and the hub over loopback HTTPS, four real profiles: A1 and A2 of agency A, B1 and B2 of agency
// B (each second workstation starts from its agency's snapshot and takes its own workstation id). A
// Tối mật document from A reaches B; B1's round takes it; B2 finds it after a sync (its files too), the
// server holding only ciphertext of it; B2 registers it and B1 sees it registered, once; both register
// another at the same moment and one registration results, the other văn thư told in Vietnamese; the
// statuses A received show on A2, once, though A2 pulled the same packets.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Role, Secrecy } from '../../../common/domain';
import { DeskError } from '../../../common/errors';
import { outgoingCreateSchema } from '../../../common/schemas';
import type { PrivateKeyOps } from '../../../main/core/crypto';
import { derToPem } from '../../../main/core/crypto/certificates';
import { Desk } from '../../../main/core/desk';
import { ExchangeLink, type ExchangeLinkRound } from '../../../main/core/exchange/link';
import type { Actor } from '../../../main/core/org/rights';
import { actorFor, getUser } from '../../../main/core/org/users';
import { TokenService, type SignedInToken } from '../../../main/core/session/tokens';
import { inboxState } from '../../../main/core/sync/apply';
import { missingBlobs } from '../../../main/core/sync/blobs';
import { syncPanel } from '../../../main/core/sync/panel';
import { PacketClient } from '../../../main/core/sync/packets/PacketClient';
import { SyncService } from '../../../main/core/sync/SyncService';
import { takeNewWorkstationId } from '../../../main/core/sync/workstation';
import { makeSamplePdf } from '../../../main/devhost/samplePdf';
import type { RunningServer } from '../../../server/app';
import type { RunningHub } from '../../../server/hub';
import { TokenBridge } from '../../../native/bridge/client';
import { moduleId } from '../../../native/modules/discovery';
import { createSoftHsm, type SoftHsm } from '../../fixtures/softhsm/tokens';
import { stageBytes, tempDir } from '../../helpers/desk';
import { addToken, type CustomToken } from '../../helpers/hsmTokens';
import { agencyConfig, CODES, hubConfig, networkPki, startAgency, startTestHub, waitFor, type AgencyName, type NetworkPki } from '../../helpers/network';
import { addPerson } from '../../helpers/people';
import { softKey } from '../../helpers/softKey';

const A = CODES.A;
const B = CODES.B;
const AGENCY_USAGE = 'critical,digitalSignature,nonRepudiation,keyEncipherment';
const SUBJECT_1 = 'Về việc rà soát nhân sự diện Ban Thường vụ quản lý năm 2026';
const SUBJECT_2 = 'Về việc kiện toàn Ban Chỉ đạo công tác bảo vệ bí mật';

let hsm: SoftHsm;
let bridge: TokenBridge;
let n: NetworkPki;
let tmp: { dir: string; cleanup(): void };
let hub: RunningHub;
const servers: Partial<Record<AgencyName, RunningServer>> = {};

/** One workstation of an agency: its profile, the văn thư signed in, its sync and its exchange link. */
interface Workstation { name: string; desk: Desk; clerk: Actor; key: PrivateKeyOps; keys: readonly PrivateKeyOps[]; sync: SyncService; link: ExchangeLink; close(): void }
const ws: Record<'a1' | 'a2' | 'b1' | 'b2', Workstation> = {} as never;
let drafter: Actor;
let approver: Actor;
let signer: Actor;
let signerKey: PrivateKeyOps;

/** Opens a profile as one of the agency's workstations, linked to its agency server (claims on). */
async function open(name: string, dir: string, token: SignedInToken, agency: AgencyName, newId: boolean): Promise<Workstation> {
  const desk = await Desk.open({ profileDir: dir, trustAnchors: [hsm.ca.certDer] });
  const session = await desk.unlock(token.identity);
  if (newId) takeNewWorkstationId(desk.db, new Date());
  const clerk = actorFor(session.user);
  // The person's sign-in at the agency server (enrolled there by this certificate; toi_mat clearance).
  const transportKey = softKey(n.agencies[agency].vanThu.certDer, n.agencies[agency].vanThu.keyPem);
  const sync = new SyncService(desk, { transport: { url: `https://localhost:${servers[agency]!.port}`, caPem: n.ca.certPem, timeoutMs: 30_000 }, signer: () => transportKey, clearance: 'toi_mat' });
  // As agencySync.ts makes it: the bodies of packets waiting to leave sealed in files under the profile's key.
  const link = new ExchangeLink(desk.exchange, new PacketClient({ db: desk.db, server: sync.client, bodies: desk.packetBodies, backoff: { baseMs: 20, capMs: 200 } }));
  // As agencySync.ts does while the link runs: decisions on arrivals are claimed at the agency server.
  desk.exchange.inbox.claims = link.claims;
  return {
    name, desk, clerk, sync, link,
    key: desk.org.signingKey(clerk, token.signingKeys),
    keys: [...token.identity.unlockKeys, ...token.signingKeys],
    close: () => { sync.close(); desk.close(); },
  };
}

const round = (w: Workstation): Promise<ExchangeLinkRound> => w.link.round(w.clerk, { agencyKey: w.key, decryption: w.keys });
/** Each workstation's sync round, in order (what the first pushes, the next pulls). */
async function sync(...list: Workstation[]): Promise<void> {
  for (const w of list) {
    const r = await w.sync.syncOnce();
    assert.equal(r.conflicts, 0, `${w.name}: nothing set aside`);
  }
}
async function roundsUntil(w: Workstation, what: string, done: (r: ExchangeLinkRound[]) => boolean): Promise<ExchangeLinkRound[]> {
  const rounds: ExchangeLinkRound[] = [];
  await waitFor(what, async () => {
    rounds.push(await round(w));
    return done(rounds);
  }, 60_000, 100);
  return rounds;
}
const total = (rs: ExchangeLinkRound[], k: 'opened' | 'refused' | 'received' | 'elsewhere' | 'queued') => rs.reduce((s, r) => s + r[k], 0);
const gidOf = (w: Workstation, table: string, id: number) => w.desk.db.prepare(`SELECT global_id FROM c_toi_mat.${table} WHERE id = ?`).pluck().get(id) as string;
const idOf = (w: Workstation, table: string, gid: string) => w.desk.db.prepare(`SELECT id FROM c_toi_mat.${table} WHERE global_id = ?`).pluck().get(gid) as number | undefined;
const count = (w: Workstation, sql: string, ...args: unknown[]) => w.desk.db.prepare(sql).pluck().get(...args) as number;

/** A1 issues a Tối mật document to B and hands it to its agency server. */
async function issueToB(subject: string): Promise<number> {
  const a = ws.a1;
  const main = await stageBytes(a.desk, drafter, await makeSamplePdf({ issuer: 'Tỉnh ủy Quảng Ninh', numberSymbol: '     -CV/TU', title: 'CÔNG VĂN', subject }), 'cong-van.pdf');
  const d = await a.desk.outgoing.create(drafter, outgoingCreateSchema.parse({
    typeCode: 'CV', subject, secrecy: 'toi_mat', urgency: 'khan', signerId: signer.id, signerCompetence: 'T/M BAN THƯỜNG VỤ', approvers: [approver.id],
    recipients: [{ code: B, name: 'Ban Tổ chức Tỉnh ủy' }], issuedAmount: 2, stagedIds: [main.stagedId], comment: '',
  }));
  await a.desk.outgoing.submit(drafter, { id: d.id, comment: '' });
  await a.desk.outgoing.approve(approver, { id: d.id, comment: 'Đồng ý' });
  await a.desk.outgoing.signAsSigner(signer, d.id, signerKey);
  await a.desk.outgoing.issue(a.clerk, d.id, a.key);
  const r = await round(a);
  assert.deepEqual(r.problems, []);
  assert.equal(r.sent, 1);
  // The packet's body never went into A1's database (made and queued as a sealed file); its file stays only
  // while the agency server has not been seen to pass the packet on (PacketClient.checkPassedOn).
  assert.equal(count(a, "SELECT count(*) FROM main.exchange_outbox WHERE kind = 'document' AND (length(bytes) > 0 OR sha256 IS NULL)"), 0);
  assert.equal(count(a, 'SELECT count(*) FROM main.packet_outbox WHERE bytes IS NOT NULL'), 0);
  assert.ok(count(a, "SELECT count(*) FROM main.packet_outbox p JOIN main.exchange_outbox o USING (packet_id) WHERE o.kind = 'document' AND p.sha256 = o.sha256 AND p.state = 'sent'") >= 1);
  assert.equal(readdirSync(join(a.desk.profileDir, 'packets')).length, count(a, "SELECT count(DISTINCT sha256) FROM main.packet_outbox WHERE state = 'sent' AND passed_at IS NULL"));
  return d.id;
}

/** B1's rounds until the next packet from A is opened into Văn bản điện tử đến; its arrival's id on B1. */
async function arriveAtB1(subject: string): Promise<number> {
  const rounds = await roundsUntil(ws.b1, `"${subject}" at B1`, (rs) => total(rs, 'opened') >= 1);
  assert.equal(total(rounds, 'refused'), 0);
  const row = ws.b1.desk.exchange.inbox.list(ws.b1.clerk, { state: 'waiting' }).find((r) => r.subject === subject);
  assert.ok(row, 'waiting at B1');
  return row.id;
}

before(async () => {
  tmp = tempDir('securedesk-exchange-share-');
  // Independent steps run side by side (the token bridge and openssl are processes of their own).
  const pki = networkPki();
  hsm = await createSoftHsm({ tokens: ['recovery'] });
  const key = (subject: string) => [{ id: '01', label: 'agency', algorithm: 'rsa:2048' as const, subject, keyUsage: AGENCY_USAGE, issuer: 'ca' as const }];
  // One after the other: both issue from the same test CA (one openssl configuration and database).
  const tokA: CustomToken = await addToken(hsm, 'SHARE-A', '246810', key('/CN=Văn phòng Tỉnh ủy Quảng Ninh/O=Văn phòng Tỉnh ủy/C=VN'));
  const tokB: CustomToken = await addToken(hsm, 'SHARE-B', '135791', key('/CN=Ban Tổ chức Tỉnh ủy/O=Ban Tổ chức/C=VN'));
  bridge = new TokenBridge({ env: hsm.env });
  const tokens = new TokenService(bridge, async () => [hsm.modulePath]);
  const signIn = (t: CustomToken) => tokens.signIn({ moduleId: moduleId(hsm.modulePath), serial: t.serial }, t.pin);
  const [signedA, signedB] = await Promise.all([signIn(tokA), signIn(tokB)]);
  n = await pki;
  // The hub's directory lists each agency's key on its văn thư's token (sealing and signing).
  const hubCfg = hubConfig(n, join(tmp.dir, 'hub'));
  const certDir = join(tmp.dir, 'certs');
  mkdirSync(certDir, { recursive: true });
  for (const [entry, tok] of [[hubCfg.directory[0]!, tokA], [hubCfg.directory[1]!, tokB]] as const) {
    const file = join(certDir, `${tok.serial}.pem`);
    writeFileSync(file, derToPem(tok.certs['01']!));
    entry.encryptionCertificate = file;
    entry.signingCertificates = [file];
  }
  hub = await startTestHub(hubCfg);
  const hubUrl = `https://localhost:${hub.port}`;
  [servers.A, servers.B] = await Promise.all([
    startAgency(agencyConfig(n, 'A', join(tmp.dir, 'A'), { backend: 'sqlite', hubUrl })),
    startAgency(agencyConfig(n, 'B', join(tmp.dir, 'B'), { backend: 'sqlite', hubUrl })),
  ]);

  // Each agency's first profile, set up by its văn thư (who holds the agency key); the people of A who
  // draft, approve and sign; then the agency's snapshot becomes its second workstation.
  const setUp = async (token: SignedInToken, code: string, name: string, clerkName: string, dir: string, extra?: (desk: Desk) => Promise<void>) => {
    const desk = await Desk.open({ profileDir: dir, trustAnchors: [hsm.ca.certDer] });
    await desk.setup({ unit: { name, code, preset: 'party' }, admin: { fullName: clerkName, position: 'Văn thư', role: 'van_thu', clearance: 'tuyet_mat' } }, token.identity);
    await extra?.(desk);
    desk.close();
    cpSync(dir, `${dir}-2`, { recursive: true });
  };
  const people: Array<{ id: number; key: PrivateKeyOps }> = [];
  await Promise.all([
    setUp(signedA, A, 'Văn phòng Tỉnh ủy Quảng Ninh', 'Nguyễn Thị Hương', join(tmp.dir, 'a'), async (desk) => {
      for (const [fullName, role, position] of [['Trần Văn Soạn', 'chuyen_vien', 'Chuyên viên'], ['Lê Thị Duyệt', 'lanh_dao', 'Chánh Văn phòng'], ['Nguyễn Văn Ký', 'lanh_dao', 'Phó Bí thư']] as Array<[string, Role, string]>) {
        const p = await addPerson(desk, { fullName, role, clearance: 'tuyet_mat' as Secrecy, position });
        people.push({ id: p.id, key: p.identity.signingKeys[0]! });
      }
    }),
    setUp(signedB, B, 'Ban Tổ chức Tỉnh ủy', 'Phạm Thị Lan', join(tmp.dir, 'b')),
  ]);
  [ws.a1, ws.a2, ws.b1, ws.b2] = await Promise.all([
    open('A1', join(tmp.dir, 'a'), signedA, 'A', false),
    open('A2', join(tmp.dir, 'a-2'), signedA, 'A', true),
    open('B1', join(tmp.dir, 'b'), signedB, 'B', false),
    open('B2', join(tmp.dir, 'b-2'), signedB, 'B', true),
  ]);
  const actor = (id: number) => actorFor(getUser(ws.a1.desk.db, id)!);
  [drafter, approver, signer] = people.map((p) => actor(p.id)) as [Actor, Actor, Actor];
  signerKey = people[2]!.key;
});

after(async () => {
  for (const w of Object.values(ws)) w?.close();
  await Promise.all([servers.A?.close(), servers.B?.close()]);
  await hub?.close();
  await bridge?.close();
  await hsm?.cleanup();
  n?.pki.cleanup();
  tmp?.cleanup();
});

let out1: number;
let arrivalGid: string;

describe('the exchange tables shared by an agency\'s workstations', () => {
  test('an arrival B1\'s round took appears on B2 after a sync, files and all; B2\'s own round leaves it to B1; the server holds it only sealed', async () => {
    out1 = await issueToB(SUBJECT_1);
    const id1 = await arriveAtB1(SUBJECT_1);
    arrivalGid = gidOf(ws.b1, 'exchange_inbox', id1);
    await sync(ws.b1, ws.b2);
    const onB2 = ws.b2.desk.exchange.inbox.list(ws.b2.clerk, {});
    assert.equal(onB2.length, 1);
    const id2 = idOf(ws.b2, 'exchange_inbox', arrivalGid)!;
    assert.equal(onB2[0]!.id, id2);
    assert.equal(onB2[0]!.state, 'waiting');
    assert.equal(onB2[0]!.secrecy, 'toi_mat');
    assert.equal(onB2[0]!.signatureValid, true);
    const detail = ws.b2.desk.exchange.inbox.get(ws.b2.clerk, id2);
    assert.equal(detail.subject, SUBJECT_1);
    assert.ok(detail.checks.every((c) => c.ok), JSON.stringify(detail.checks));
    assert.deepEqual(detail.statuses.map((s) => s.code), ['01'], 'the status owed (01) came with it');
    // Its file came with the records, sealed under the Tối mật key, and is whole on B2.
    assert.deepEqual(await missingBlobs(ws.b2.desk.db, 'c_toi_mat', ws.b2.desk.syncLevelStore('toi_mat')!), []);
    const file = ws.b2.desk.exchange.inbox.fileOf(ws.b2.clerk, id2, 0);
    assert.equal(file.isPdf, true);
    assert.ok(await ws.b2.desk.syncLevelStore('toi_mat')!.hasBlob(file.sha256));

    // B2 pulled the same packet from the agency server: taken by B1, so nothing lands twice.
    const r2 = await round(ws.b2);
    assert.equal(r2.received, 1, 'every workstation pulls every packet');
    assert.equal(r2.elsewhere, 1);
    assert.equal(r2.opened, 0);
    // The sync panel of B2's văn thư says so: the last round's figures, and the packets taken elsewhere in all.
    const panelOf = (w: Workstation, round: ExchangeLinkRound | null) =>
      syncPanel(w.desk.db, w.desk.heldLevels, { service: null, server: null, running: true, exchange: { last: round && { at: new Date().toISOString(), round } } }, w.clerk).exchange!;
    const seen2 = panelOf(ws.b2, r2);
    assert.deepEqual([seen2.lastRound?.received, seen2.lastRound?.opened, seen2.lastRound?.elsewhere, seen2.takenElsewhere], [1, 0, 1, 1]);
    assert.equal(panelOf(ws.b1, null).takenElsewhere, 0, 'B1 took it');
    assert.equal(count(ws.b2, 'SELECT count(*) FROM c_toi_mat.exchange_inbox'), 1);
    // B2's round made the status 01 it saw owed; B1 made it too before their records met: the agency
    // server kept the first one (the sender gets it once) and told B1 it was sent elsewhere.
    assert.equal(r2.queued, 1);
    const r1 = await round(ws.b1);
    assert.equal(r1.queued, 1);
    assert.equal(count(ws.b1, "SELECT count(*) FROM packet_outbox WHERE error_code = 'sent-elsewhere' AND state = 'sent'"), 1);
    // B1's panel lists it: the status packet to A that B2 had sent first.
    const seen1 = panelOf(ws.b1, r1);
    assert.deepEqual([seen1.sentElsewhereTotal, seen1.sentElsewhere.map((o) => [o.to, o.status])], [1, [[A, true]]]);
    assert.ok(seen1.sentElsewhere[0]!.at && seen1.sentElsewhere[0]!.toName, 'when, and to whom by name');
    assert.deepEqual([panelOf(ws.b2, null).sentElsewhereTotal, panelOf(ws.b2, null).lastRound], [0, null]);
    await sync(ws.b1, ws.b2, ws.b1);
    assert.equal(count(ws.b1, 'SELECT count(*) FROM c_toi_mat.exchange_status_out WHERE made = 0'), 0);
    assert.equal(count(ws.b2, 'SELECT count(*) FROM c_toi_mat.exchange_status_out WHERE made = 0'), 0);

    // The agency server: the arrival's records only in the Tối mật channel, sealed; nothing of it in clear.
    const batches = await servers.B!.store.db.selectFrom('batches').select(['channel', 'payload', 'encoding']).execute();
    const subject = Buffer.from('rà soát nhân sự', 'utf8');
    assert.ok(batches.some((b) => b.channel === 'toi_mat'));
    for (const b of batches) {
      const bytes = Buffer.from(b.payload);
      assert.equal(bytes.indexOf(subject), -1, `no subject in the ${b.channel} batch`);
      assert.equal(bytes.indexOf(Buffer.from('exchange_inbox')), -1, `the ${b.channel} batch names no arrival in clear`);
    }
    const blobs = await servers.B!.store.db.selectFrom('blobs').select(['channel', 'payload']).execute();
    assert.ok(blobs.every((b) => b.channel === 'toi_mat' && Buffer.from(b.payload).indexOf(Buffer.from('%PDF')) === -1));
  });

  test('registered on B2: once; B1 sees it registered and is told so in Vietnamese', async () => {
    const id2 = idOf(ws.b2, 'exchange_inbox', arrivalGid)!;
    const reg = await ws.b2.desk.exchange.inbox.register(ws.b2.clerk, { id: id2, notes: 'Tiếp nhận tại máy 2' });
    assert.equal(reg.arrivalNumber, 1);
    await sync(ws.b2, ws.b1);
    const id1 = idOf(ws.b1, 'exchange_inbox', arrivalGid)!;
    const row = ws.b1.desk.exchange.inbox.get(ws.b1.clerk, id1);
    assert.equal(row.state, 'registered');
    assert.deepEqual(row.can, { register: false, refuse: false });
    assert.ok(row.incomingId !== null);
    const doc = ws.b1.desk.incoming.get(ws.b1.clerk, row.incomingId);
    assert.equal(doc.subject, SUBJECT_1);
    assert.equal(doc.arrivalNumber, 1);
    assert.equal(doc.attachments.length, 1);
    for (const w of [ws.b1, ws.b2]) assert.equal(count(w, 'SELECT count(*) FROM c_toi_mat.incoming'), 1, `${w.name}: one registration`);
    await assert.rejects(ws.b1.desk.exchange.inbox.register(ws.b1.clerk, { id: id1 }), (e: unknown) =>
      e instanceof DeskError && e.key === 'exchange.alreadyRegistered' && /đã được tiếp nhận và vào sổ, số đến 1, lúc .* \(Phạm Thị Lan\)/.test(e.message));
    await assert.rejects(ws.b1.desk.exchange.inbox.refuse(ws.b1.clerk, { id: id1, reason: 'Không thuộc thẩm quyền' }), (e: unknown) => e instanceof DeskError && e.key === 'exchange.alreadyRegistered');
  });

  test('both register the same arrival at the same moment: one registration; the other văn thư is told where it went', async () => {
    await issueToB(SUBJECT_2);
    const id1 = await arriveAtB1(SUBJECT_2);
    const gid = gidOf(ws.b1, 'exchange_inbox', id1);
    await sync(ws.b1, ws.b2);
    const id2 = idOf(ws.b2, 'exchange_inbox', gid)!;
    const results = await Promise.allSettled([
      ws.b1.desk.exchange.inbox.register(ws.b1.clerk, { id: id1 }),
      ws.b2.desk.exchange.inbox.register(ws.b2.clerk, { id: id2 }),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(won.length, 1, JSON.stringify(results.map((r) => r.status === 'rejected' ? String(r.reason) : 'ok')));
    assert.equal(lost.length, 1);
    const e = lost[0]!.reason as DeskError;
    assert.ok(e instanceof DeskError, String(e));
    assert.equal(e.key, 'exchange.decidedElsewhere');
    assert.match(e.message, /đã được tiếp nhận hoặc từ chối ở một máy trạm khác của cơ quan lúc \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}/);
    await sync(ws.b1, ws.b2, ws.b1);
    for (const w of [ws.b1, ws.b2]) {
      assert.equal(count(w, 'SELECT count(*) FROM c_toi_mat.incoming WHERE subject = ?', SUBJECT_2), 1, `${w.name}: one registration`);
      assert.equal(count(w, "SELECT count(*) FROM c_toi_mat.exchange_inbox WHERE state = 'registered'"), 2);
      assert.equal(count(w, "SELECT count(*) FROM c_toi_mat.exchange_status_out WHERE code = '03'"), 2, `${w.name}: one 03 per arrival`);
      assert.deepEqual(inboxState(w.desk.db, 'c_toi_mat').conflicts, []);
    }
    // The loser now sees it registered, with its number.
    const loser = results[0]!.status === 'rejected' ? ws.b1 : ws.b2;
    await assert.rejects(loser.desk.exchange.inbox.register(loser.clerk, { id: loser === ws.b1 ? id1 : id2 }), (x: unknown) => x instanceof DeskError && x.key === 'exchange.alreadyRegistered');
  });

  test('the statuses A received show on A\'s second workstation, once, though A2 pulled the same packets', async () => {
    // B sends what it owes (01 of the second arrival, 03 of both): from either workstation, once each.
    await round(ws.b1);
    await round(ws.b2);
    await sync(ws.b1, ws.b2);
    await round(ws.b1);
    const codes = (w: Workstation, outgoingId: number) => w.desk.exchange.dispatchStatuses(w.clerk, outgoingId).find((d) => d.code === B)?.statuses.map((s) => s.code) ?? [];
    await roundsUntil(ws.a1, 'statuses 01 and 03 at A1', () => codes(ws.a1, out1).join() === '01,03');
    const outGid = gidOf(ws.a1, 'outgoing', out1);
    await sync(ws.a1, ws.a2);
    const onA2 = idOf(ws.a2, 'outgoing', outGid)!;
    assert.ok(onA2, 'the outgoing document on A2');
    assert.deepEqual(codes(ws.a2, onA2), ['01', '03']);
    const view = ws.a2.desk.exchange.dispatchStatuses(ws.a2.clerk, onA2).find((d) => d.code === B)!;
    assert.equal(view.dispatchStatus, 'sent', 'sent, as A1 handed it over');
    assert.equal(view.latest?.code, '03');
    // A2 pulls every status packet too: A1 took them, so none is recorded twice.
    const r = await round(ws.a2);
    assert.ok(r.received >= 2, `A2 pulled ${r.received}`);
    assert.equal(r.elsewhere, r.received);
    assert.equal(r.queued, 0, 'A2 makes no packet A1 sent');
    await sync(ws.a2, ws.a1);
    for (const w of [ws.a1, ws.a2]) {
      const id = idOf(w, 'outgoing', outGid)!;
      assert.deepEqual(codes(w, id), ['01', '03'], `${w.name}: each status once`);
    }
  });
});
