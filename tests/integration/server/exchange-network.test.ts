// A Tối mật reply from agency A to agency B over the real network (issue 9 §3–§5), the domain and
// the transport joined by ExchangeLink: A's văn thư issues it on a real profile (agency key on a
// SoftHSM token); A's round queues the sealed packet into the profile's durable outbox and sends it
// to A's agency server (PostgreSQL), which forwards it to the hub (mutual TLS), which delivers it to
// B's agency server (SQLite); B's round pulls it and opens it with the key on B's token into Văn bản
// điện tử đến; B registers it; the statuses (01 received, 03 registered) travel back the same way
// and show on A's dispatch. The directory of agencies reaches each profile from the hub through its
// agency server. Another round moves nothing: every step is idempotent by packet id.
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
const SUBJECT = 'Về việc rà soát nhân sự diện Ban Thường vụ quản lý năm 2026';

let hsm: SoftHsm;
let bridge: TokenBridge;
let n: NetworkPki;
let pg: TestPostgres;
let tmp: { dir: string; cleanup(): void };
let hub: RunningHub;
let serverA: RunningServer;
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
  [serverA, serverB] = await Promise.all([
    startAgency(agencyConfig(n, 'A', join(tmp.dir, 'A'), { backend: 'postgres', pg, hubUrl })),
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

let replyId: number;

describe('a Tối mật reply from A to B through both agency servers and the hub', () => {
  test('A issues it; one round syncs the directory and sends the sealed packet to A\'s server', async () => {
    const main = await stageBytes(a.desk, drafter, await makeSamplePdf({ issuer: 'Tỉnh ủy Quảng Ninh', numberSymbol: '     -CV/TU', title: 'CÔNG VĂN', subject: SUBJECT }), 'cong-van.pdf');
    const d = await a.desk.outgoing.create(drafter, outgoingCreateSchema.parse({
      typeCode: 'CV', subject: SUBJECT, secrecy: 'toi_mat', urgency: 'khan', signerId: signer.id, signerCompetence: 'T/M BAN THƯỜNG VỤ', approvers: [approver.id],
      recipients: [{ code: B, name: 'Ban Tổ chức Tỉnh ủy' }], issuedAmount: 2, stagedIds: [main.stagedId], comment: '',
    }));
    await a.desk.outgoing.submit(drafter, { id: d.id, comment: '' });
    await a.desk.outgoing.approve(approver, { id: d.id, comment: 'Đồng ý' });
    await a.desk.outgoing.signAsSigner(signer, d.id, signerKey);
    await a.desk.outgoing.issue(a.clerk, d.id, a.key);
    replyId = d.id;
    const r = await round(a);
    assert.deepEqual(r.problems, []);
    assert.equal(r.agencies, 2, 'the hub\'s directory reached the profile through A\'s server');
    assert.equal(r.queued, 1);
    assert.equal(r.sent, 1);
    assert.equal(a.desk.outgoing.get(a.clerk, replyId).dispatches[0]!.status, 'sent');
    // The packet A's server holds is sealed: neither the subject nor the number is in clear.
    const stored = await serverA.store.db.selectFrom('packets_out_payloads').select('payload').execute();
    assert.equal(stored.length, 1);
    const bytes = Buffer.from(stored[0]!.payload);
    assert.equal(bytes.subarray(0, 25).toString('latin1'), 'SECUREDESK-EDXML-SEALED/1');
    assert.equal(bytes.indexOf(Buffer.from('rà soát nhân sự', 'utf8')), -1);
  });

  test('B\'s rounds bring it through the hub into Văn bản điện tử đến, opened with the key on B\'s token', async () => {
    const rounds = await roundsUntil(b, 'the packet at B', (rs) => total(rs, 'opened') >= 1);
    assert.equal(total(rounds, 'refused'), 0);
    assert.equal(total(rounds, 'received'), 1, 'received once');
    const rows = b.desk.exchange.inbox.list(b.clerk, {});
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.secrecy, 'toi_mat');
    assert.equal(rows[0]!.fromCode, A);
    assert.equal(rows[0]!.signatureValid, true);
    const reg = await b.desk.exchange.inbox.register(b.clerk, { id: rows[0]!.id, notes: 'Nhận qua mạng' });
    assert.equal(reg.arrivalNumber, 1);
    const doc = b.desk.incoming.get(b.clerk, reg.incomingId);
    assert.equal(doc.subject, SUBJECT);
    assert.equal(doc.numberSymbol, a.desk.outgoing.get(a.clerk, replyId).numberSymbol);
  });

  test('the statuses go back the same way and show on A\'s dispatch; further rounds move nothing', async () => {
    const sentB = await round(b);
    assert.equal(sentB.queued, 2, 'received (01) and registered (03)');
    assert.equal(sentB.sent, 2);
    const codes = () => a.desk.exchange.dispatchStatuses(a.clerk, replyId).find((d) => d.code === B)?.statuses.map((s) => s.code) ?? [];
    await roundsUntil(a, 'the statuses at A', () => codes().length >= 2);
    assert.deepEqual(codes(), ['01', '03']);
    // Idempotent: nothing waits anywhere, nothing arrives twice.
    for (const x of [a, b]) {
      const r = await round(x);
      assert.deepEqual([r.queued, r.sent, r.received, r.opened, r.refused], [0, 0, 0, 0, 0]);
    }
    assert.deepEqual(codes(), ['01', '03']);
    assert.equal(b.desk.exchange.inbox.list(b.clerk, {}).length, 1);
  });
});
