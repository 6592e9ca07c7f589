// Lấy lại (status 13) with an update (BussinessDocType 2) still waiting in the workstation's packet
// outbox, over the real network (issue 9 §3, §5): A sends a Mật document to B through A's agency server
// (PostgreSQL), the hub and B's server (SQLite); A's văn thư corrects it while A's server is down, so the
// update packet waits in the profile's durable outbox; then takes the document back from B. What B must
// get, in order: the document, then the 13 — never the update, which was withdrawn at the take-back
// (docs/exchange.md, "Lấy lại"). A's server never sees the update; B withdraws its copy and answers 15.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Role, Secrecy } from '../../../common/domain';
import { outgoingCreateSchema } from '../../../common/schemas';
import type { PrivateKeyOps } from '../../../main/core/crypto';
import { derToPem } from '../../../main/core/crypto/certificates';
import { Desk } from '../../../main/core/desk';
import { ExchangeLink, type ExchangeLinkRound } from '../../../main/core/exchange/link';
import type { Actor } from '../../../main/core/org/rights';
import { actorFor, getUser } from '../../../main/core/org/users';
import { TokenService, type SignedInToken } from '../../../main/core/session/tokens';
import { PacketClient } from '../../../main/core/sync/packets/PacketClient';
import { ServerClient } from '../../../main/core/sync/ServerClient';
import { makeSamplePdf } from '../../../main/devhost/samplePdf';
import type { RunningServer } from '../../../server/app';
import type { ServerConfig } from '../../../server/config';
import type { RunningHub } from '../../../server/hub';
import { TokenBridge } from '../../../native/bridge/client';
import { moduleId } from '../../../native/modules/discovery';
import { createSoftHsm, type SoftHsm } from '../../fixtures/softhsm/tokens';
import { stageBytes, tempDir } from '../../helpers/desk';
import { addToken, type CustomToken } from '../../helpers/hsmTokens';
import { agencyConfig, CODES, hubConfig, networkPki, startAgency, startTestHub, waitFor, type NetworkPki } from '../../helpers/network';
import { addPerson } from '../../helpers/people';
import type { Party } from '../../helpers/pki';
import { startPostgres, type TestPostgres } from '../../helpers/postgres';
import { softKey } from '../../helpers/softKey';

const A = CODES.A;
const B = CODES.B;
const AGENCY_USAGE = 'critical,digitalSignature,nonRepudiation,keyEncipherment';
const SUBJECT = 'Về việc cử cán bộ dự lớp bồi dưỡng kiến thức quốc phòng';

let hsm: SoftHsm;
let bridge: TokenBridge;
let n: NetworkPki;
let pg: TestPostgres;
let tmp: { dir: string; cleanup(): void };
let hub: RunningHub;
let serverA: RunningServer;
let cfgA: ServerConfig;
let serverB: RunningServer;

interface Agency { desk: Desk; clerk: Actor; key: PrivateKeyOps; keys: readonly PrivateKeyOps[]; server: ServerClient; link: ExchangeLink; cleanup(): void }
let a: Agency;
let b: Agency;
let drafter: Actor;
let approver: Actor;
let signer: Actor;
let signerKey: PrivateKeyOps;

/** A profile of an agency whose văn thư's token holds the agency key, linked to its agency server. */
async function agency(token: SignedInToken, code: string, name: string, clerkName: string, port: number, transportIdentity: Party): Promise<Agency> {
  const t = tempDir('securedesk-exchange-net-');
  const desk = await Desk.open({ profileDir: t.dir, trustAnchors: [hsm.ca.certDer] });
  const session = await desk.setup({
    unit: { name, code, preset: 'party' },
    admin: { fullName: clerkName, position: 'Văn thư', role: 'van_thu', clearance: 'tuyet_mat' },
  }, token.identity);
  const clerk = actorFor(session.user);
  // The workstation's session with its agency server (the văn thư enrolled there); the packet
  // outbox and inbox live in the profile's own base database.
  const key = softKey(transportIdentity.certDer, transportIdentity.keyPem);
  const server = new ServerClient({
    db: desk.db, transport: { url: `https://localhost:${port}`, caPem: n.ca.certPem, timeoutMs: 15_000 }, signer: () => key, channels: () => [],
    keys: { current: () => null, byId: () => null }, apply: () => {},
  });
  const packets = new PacketClient({ db: desk.db, server, backoff: { baseMs: 20, capMs: 200 } });
  return {
    desk, clerk, server,
    key: desk.org.signingKey(clerk, token.signingKeys),
    keys: [...token.identity.unlockKeys, ...token.signingKeys],
    link: new ExchangeLink(desk.exchange, packets),
    cleanup: () => { server.close(); desk.close(); t.cleanup(); },
  };
}

const round = (x: Agency): Promise<ExchangeLinkRound> => x.link.round(x.clerk, { agencyKey: x.key, decryption: x.keys });

before(async () => {
  tmp = tempDir('securedesk-exchange-net-');
  hsm = await createSoftHsm({ tokens: ['recovery'] });
  const key = (subject: string) => [{ id: '01', label: 'agency', algorithm: 'rsa:2048' as const, subject, keyUsage: AGENCY_USAGE, issuer: 'ca' as const }];
  const tokA: CustomToken = await addToken(hsm, 'AGENCY-A', '246810', key('/CN=Văn phòng Tỉnh ủy Quảng Ninh/O=Văn phòng Tỉnh ủy/C=VN'));
  const tokB: CustomToken = await addToken(hsm, 'AGENCY-B', '135791', key('/CN=Ban Tổ chức Tỉnh ủy/O=Ban Tổ chức/C=VN'));
  bridge = new TokenBridge({ env: hsm.env });
  const tokens = new TokenService(bridge, async () => [hsm.modulePath]);
  const signIn = (t: CustomToken) => tokens.signIn({ moduleId: moduleId(hsm.modulePath), serial: t.serial }, t.pin);
  const [signedA, signedB] = [await signIn(tokA), await signIn(tokB)];
  [n, pg] = await Promise.all([networkPki(), startPostgres()]);
  // The hub's directory lists each agency's key on its văn thư's token: the certificate sealed
  // packets are encrypted for and the one its signatures are made with.
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
  cfgA = agencyConfig(n, 'A', join(tmp.dir, 'A'), { backend: 'postgres', pg, hubUrl });
  [serverA, serverB] = await Promise.all([
    startAgency(cfgA),
    startAgency(agencyConfig(n, 'B', join(tmp.dir, 'B'), { backend: 'sqlite', hubUrl })),
  ]);
  a = await agency(signedA, A, 'Văn phòng Tỉnh ủy Quảng Ninh', 'Nguyễn Thị Hương', serverA.port, n.agencies.A.vanThu);
  b = await agency(signedB, B, 'Ban Tổ chức Tỉnh ủy', 'Phạm Thị Lan', serverB.port, n.agencies.B.vanThu);
  const person = async (fullName: string, role: Role, position: string, clearance: Secrecy = 'tuyet_mat') => {
    const p = await addPerson(a.desk, { fullName, role, clearance, position });
    return { actor: actorFor(getUser(a.desk.db, p.id)!), key: p.identity.signingKeys[0]! };
  };
  drafter = (await person('Trần Văn Soạn', 'chuyen_vien', 'Chuyên viên')).actor;
  approver = (await person('Lê Thị Duyệt', 'lanh_dao', 'Chánh Văn phòng')).actor;
  const s = await person('Nguyễn Văn Ký', 'lanh_dao', 'Phó Bí thư');
  signer = s.actor;
  signerKey = s.key;
});

after(async () => {
  a?.cleanup();
  b?.cleanup();
  await Promise.all([serverA?.close(), serverB?.close()]);
  await hub?.close();
  await bridge?.close();
  await hsm?.cleanup();
  pg?.stop();
  n?.pki.cleanup();
  tmp?.cleanup();
});

/** Rounds of `x` until `done` holds (the hub link forwards on its own timer in between). */
async function roundsUntil(x: Agency, what: string, done: (r: ExchangeLinkRound[]) => boolean): Promise<ExchangeLinkRound[]> {
  const rounds: ExchangeLinkRound[] = [];
  await waitFor(what, async () => {
    rounds.push(await round(x));
    return done(rounds);
  }, 60_000, 100);
  return rounds;
}
const total = (rs: ExchangeLinkRound[], k: 'opened' | 'refused' | 'received' | 'sent' | 'queued') => rs.reduce((s, r) => s + r[k], 0);


let docId: number;
let updateId: string;

describe('an update waiting in the transport\'s outbox when its dispatch is taken back', () => {
  test('A sends a Mật document to B; B has it', async () => {
    const main = await stageBytes(a.desk, drafter, await makeSamplePdf({ issuer: 'Tỉnh ủy Quảng Ninh', numberSymbol: '     -CV/TU', title: 'CÔNG VĂN', subject: SUBJECT }), 'cong-van.pdf');
    const d = await a.desk.outgoing.create(drafter, outgoingCreateSchema.parse({
      typeCode: 'CV', subject: SUBJECT, secrecy: 'mat', urgency: 'khan', signerId: signer.id, signerCompetence: 'T/M BAN THƯỜNG VỤ', approvers: [approver.id],
      recipients: [{ code: B, name: 'Ban Tổ chức Tỉnh ủy' }], issuedAmount: 2, stagedIds: [main.stagedId], comment: '',
    }));
    await a.desk.outgoing.submit(drafter, { id: d.id, comment: '' });
    await a.desk.outgoing.approve(approver, { id: d.id, comment: 'Đồng ý' });
    await a.desk.outgoing.signAsSigner(signer, d.id, signerKey);
    await a.desk.outgoing.issue(a.clerk, d.id, a.key);
    docId = d.id;
    const r = await round(a);
    assert.deepEqual([r.queued, r.sent], [1, 1]);
    await roundsUntil(b, 'the document at B', (rs) => total(rs, 'opened') >= 1);
    assert.equal(b.desk.exchange.inbox.list(b.clerk, { state: 'waiting' }).length, 1);
  });

  test('A\'s server is down: the update is queued in the profile\'s outbox and handed over, not sent', async () => {
    await a.desk.outgoing.update(a.clerk, { id: docId, reason: 'Bổ sung thời gian tập trung', replyDeadline: '2026-12-20' });
    await serverA.close();
    await assert.rejects(round(a), 'the send fails with the server down');
    const queued = a.desk.db.prepare("SELECT packet_id FROM main.packet_outbox WHERE state = 'queued'").pluck().all() as string[];
    assert.equal(queued.length, 1);
    updateId = queued[0]!;
    assert.ok(a.desk.db.prepare('SELECT handed_at FROM main.exchange_outbox WHERE packet_id = ?').pluck().get(updateId), 'the exchange handed it to the transport');
  });

  test('taken back from B: the update leaves the outbox at once, withdrawn; with the server back only the 13 goes', async () => {
    const dispatchId = a.desk.outgoing.get(a.clerk, docId).dispatches[0]!.id;
    await a.desk.outgoing.takeBack(a.clerk, { id: docId, dispatchId, reason: 'Gửi nhầm nơi nhận' });
    const row = a.desk.db.prepare('SELECT state, error_code, bytes FROM main.packet_outbox WHERE packet_id = ?').get(updateId) as { state: string; error_code: string; bytes: Buffer | null };
    assert.deepEqual([row.state, row.error_code, row.bytes], ['refused', 'withdrawn', null]);
    serverA = await startAgency(cfgA);
    const r = await round(a);
    assert.deepEqual(r.problems, []);
    assert.deepEqual([r.queued, r.sent], [1, 1], 'the 13 alone');
    const atServer = await serverA.store.db.selectFrom('packets_out' as never).select('packet_id' as never).execute() as Array<{ packet_id: string }>;
    assert.ok(!atServer.some((p) => p.packet_id === updateId), 'A\'s server never had the update');
  });

  test('B gets the 13 after the document and nothing else: its copy is withdrawn, A hears 15', async () => {
    await roundsUntil(b, 'the 13 at B', () => b.desk.exchange.inbox.list(b.clerk, {})[0]?.state === 'recalled');
    const got = b.desk.db.prepare('SELECT packet_id FROM main.packet_inbox ORDER BY seq').pluck().all() as string[];
    assert.equal(got.length, 2, 'the document and the 13');
    assert.ok(!got.includes(updateId));
    assert.equal(got[0], a.desk.db.prepare('SELECT global_id FROM c_mat.outgoing_dispatches').pluck().get(), 'the document first');
    assert.equal(b.desk.db.prepare('SELECT count(*) FROM c_mat.exchange_inbox WHERE business_type = 2').pluck().get(), 0, 'no update reached B');
    const codes = () => a.desk.exchange.dispatchStatuses(a.clerk, docId).find((d) => d.code === B)?.statuses.map((s) => s.code) ?? [];
    const answer = await round(b);
    assert.equal(answer.sent, 1, 'B\'s 15 goes back');
    await roundsUntil(a, 'the 15 at A', () => codes().includes('15'));
    assert.deepEqual(codes(), ['01', '15']);
  });
});
