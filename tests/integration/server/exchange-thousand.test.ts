// Issue 9 §7 "1,000 documents in both directions: none lost, none duplicated", at the size CI runs
// (EXCHANGE_N each way, default 40: Thường and Mật alternating; the full 1,000 is
// `EXCHANGE_N=1000 node --import tsx --test tests/integration/server/exchange-thousand.test.ts`: issuing
// alone takes minutes per hundred documents on a 2-core machine, more than CI's budget). Every document
// is issued through the services (create, submit, approve, signer's PAdES, the agency's signature and
// number), goes out through the workstation's outbox as real signed edXML (Mật sealed for the
// recipient), through its agency server and the hub, with A's server (PostgreSQL) stopped and started
// again mid-transfer, and B's workstation's rounds (sending its documents, receiving A's) run in a
// process of its own killed with SIGKILL at a random step of a random packet (exchangeRoundChild.ts). Then: per dispatch global id one
// arrival, registered once, and its statuses (01, 03) back once each.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { outgoingCreateSchema } from '../../../common/schemas';
import type { Secrecy } from '../../../common/domain';
import type { Actor } from '../../../main/core/org/rights';
import { actorFor, getUser } from '../../../main/core/org/users';
import type { PrivateKeyOps } from '../../../main/core/crypto';
import { makeSamplePdf } from '../../../main/devhost/samplePdf';
import { stageBytes } from '../../helpers/desk';
import { CODES, startAgency, waitFor } from '../../helpers/network';
import { addPerson } from '../../helpers/people';
import type { ExchangeLinkRound } from '../../../main/core/exchange/link';
import type { PacketStep } from '../../../main/core/sync/packets/PacketClient';
import { TransportError } from '../../../main/core/sync/transport';
import type { ExchangeRoundChildArgs } from './exchangeRoundChild';
import { round, startExchangeNetwork, type Agency, type ExchangeNetwork } from './exchangeNetwork';

const N = Number(process.env.EXCHANGE_N ?? 40);
const WAIT_MS = Number(process.env.EXCHANGE_WAIT_MS ?? 10 * 60_000);
const secrecyOf = (i: number): Secrecy => (i % 2 === 0 ? 'thuong' : 'mat');

let net: ExchangeNetwork;
before(async () => { net = await startExchangeNetwork(); });
after(() => net?.close());

interface Issuer { drafter: Actor; approver: Actor; signer: Actor; signerKey: PrivateKeyOps }

async function issuerOf(x: Agency): Promise<Issuer> {
  const person = async (fullName: string, role: 'chuyen_vien' | 'lanh_dao') => {
    const p = await addPerson(x.desk, { fullName, role, clearance: 'tuyet_mat', position: role === 'lanh_dao' ? 'Chánh Văn phòng' : 'Chuyên viên' });
    return { actor: actorFor(getUser(x.desk.db, p.id)!), key: p.identity.signingKeys[0]! };
  };
  const d = await person('Đỗ Văn Soạn', 'chuyen_vien');
  const ap = await person('Vũ Thị Duyệt', 'lanh_dao');
  const s = await person('Hoàng Văn Ký', 'lanh_dao');
  return { drafter: d.actor, approver: ap.actor, signer: s.actor, signerKey: s.key };
}

async function issue(x: Agency, who: Issuer, to: string, toName: string, subject: string, secrecy: Secrecy, pdf: Uint8Array): Promise<number> {
  const main = await stageBytes(x.desk, who.drafter, pdf, 'cong-van.pdf');
  const d = await x.desk.outgoing.create(who.drafter, outgoingCreateSchema.parse({
    typeCode: 'CV', subject, secrecy, urgency: 'thuong', signerId: who.signer.id, signerCompetence: 'T/M BAN THƯỜNG VỤ', approvers: [who.approver.id],
    recipients: [{ code: to, name: toName }], issuedAmount: 1, stagedIds: [main.stagedId], comment: '',
  }));
  await x.desk.outgoing.submit(who.drafter, { id: d.id, comment: '' });
  await x.desk.outgoing.approve(who.approver, { id: d.id, comment: 'Đồng ý' });
  await x.desk.outgoing.signAsSigner(who.signer, d.id, who.signerKey);
  await x.desk.outgoing.issue(x.clerk, d.id, x.key);
  return d.id;
}

/** The compartments a profile has attached (c_thuong, c_mat, ...). */
const compartments = (x: Agency) => (x.desk.db.prepare('SELECT name FROM pragma_database_list').pluck().all() as string[]).filter((s) => s.startsWith('c_'));
const countIn = (x: Agency, table: string) => compartments(x).reduce((s, c) => s + (x.desk.db.prepare(`SELECT count(*) FROM ${c}.${table}`).pluck().get() as number), 0);
const allIn = <T>(x: Agency, sql: (c: string) => string): T[] => compartments(x).flatMap((c) => x.desk.db.prepare(sql(c)).all() as T[]);

/** Registers every arrival waiting at `x` (the list reads 500 per compartment at a time). */
async function registerAll(x: Agency): Promise<number> {
  let n = 0;
  for (;;) {
    const rows = x.desk.exchange.inbox.list(x.clerk, { state: 'waiting' });
    if (!rows.length) return n;
    for (const r of rows) {
      await x.desk.exchange.inbox.register(x.clerk, { id: r.id, notes: 'Nhận qua mạng' });
      n++;
    }
  }
}

/** Per dispatch global id sent by `from` to `to`: one arrival there, registered once, statuses 01 and 03 back once each. */
function assertExactlyOnce(from: Agency, to: Agency, n: number): void {
  const sent = allIn<{ global_id: string; secrecy: string }>(from, (c) => `SELECT d.global_id, o.secrecy FROM ${c}.outgoing_dispatches d JOIN ${c}.outgoing o ON o.id = d.outgoing_id WHERE d.status = 'sent'`);
  assert.equal(sent.length, n, 'every dispatch handed over');
  assert.equal(sent.filter((s) => s.secrecy === 'mat').length, Math.floor(n / 2), 'the Mật ones among them');
  const arrived = allIn<{ packet_id: string; state: string; incoming_id: number | null }>(to, (c) => `SELECT packet_id, state, incoming_id FROM ${c}.exchange_inbox`);
  assert.equal(arrived.length, n, 'one arrival per packet, none duplicated');
  assert.deepEqual(new Set(arrived.map((r) => r.packet_id)), new Set(sent.map((s) => s.global_id)), 'none lost');
  assert.ok(arrived.every((r) => r.state === 'registered' && r.incoming_id !== null));
  assert.equal(countIn(to, 'incoming'), n, 'no registration twice');
  const statuses = allIn<{ global_id: string; codes: string | null }>(from, (c) => `SELECT d.global_id, group_concat(s.code, ',') AS codes FROM ${c}.outgoing_dispatches d
    LEFT JOIN (SELECT dispatch_id, code FROM ${c}.exchange_status_in ORDER BY code) s ON s.dispatch_id = d.id GROUP BY d.id`);
  assert.equal(statuses.length, n);
  const wrong = statuses.filter((r) => r.codes !== '01,03');
  assert.deepEqual(wrong.slice(0, 5), [], `${wrong.length} dispatches without exactly 01 and 03`);
}

/** `x`'s exchange rounds in exchangeRoundChild.ts, until it dies (or `expect` packets arrived). */
function killedRound(n: ExchangeNetwork, x: Agency, crashAt: PacketStep, crashNth: number, expect: number): Promise<{ signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const args: ExchangeRoundChildArgs = {
    profileDir: x.child.profileDir, caDer: n.hsm.caDer, modulePath: n.hsm.modulePath, serial: x.child.serial, pin: x.child.pin,
    url: `https://localhost:${x.child.port}`, caPem: n.n.ca.certPem, transportCertDer: Buffer.from(x.child.transport.certDer).toString('base64'),
    transportKeyPem: x.child.transport.keyPem, crashAt, crashNth, expect,
  };
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'exchangeRoundChild.ts')], { env: { ...n.hsm.env, EXCHANGE_ROUND_CHILD: JSON.stringify(args) } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    p.on('close', (_status, signal) => resolve({ signal, stdout, stderr }));
  });
}

test(`${N} documents from A to B and ${N} from B to A (Thường and Mật), A's server restarted and B's workstation killed (kill -9) in its exchange round mid-transfer: each arrives, is registered and answered exactly once`, { timeout: 60 * 60_000 }, async () => {
  const t0 = Date.now();
  const ia = await issuerOf(net.a);
  const ib = await issuerOf(net.b);
  const pdf = await makeSamplePdf({ issuer: 'Tỉnh ủy Quảng Ninh', numberSymbol: '     -CV/TU', title: 'CÔNG VĂN', subject: 'Mẫu' });
  for (let i = 0; i < N; i++) {
    await issue(net.a, ia, CODES.B, 'Ban Tổ chức Tỉnh ủy', `A gửi B số ${i}`, secrecyOf(i), pdf);
    await issue(net.b, ib, CODES.A, 'Văn phòng Tỉnh ủy Quảng Ninh', `B gửi A số ${i}`, secrecyOf(i), pdf);
  }
  const t1 = Date.now();
  // A sends everything; A's server is stopped while its hub link forwards A's packets.
  const sentA = await round(net.a);
  assert.equal(sentA.sent, N);
  await net.serverA.close();
  // A's round with its server down keeps what it has and fails; nothing is lost.
  await assert.rejects(round(net.a));
  net.serverA = await startAgency(net.cfgA);
  // B's workstation sends its documents and receives A's in a process of its own, killed with SIGKILL at
  // a random step of a random packet (each step below is reached once per packet it sends or pulls: N
  // times at least; 'packet-taken' is the plain packet client's, not the exchange's); its
  // profile is then opened again and the rounds below catch up.
  const crashAt = (['packet-sending', 'packet-sent', 'packet-acknowledged', 'packet-downloaded', 'packet-stored'] as const)[Math.floor(Math.random() * 5)]!;
  const crashNth = 1 + Math.floor(Math.random() * N);
  net.b.closeProfile();
  const child = await killedRound(net, net.b, crashAt, crashNth, N);
  console.log(`B killed at ${crashAt} #${crashNth}`);
  assert.equal(child.signal, 'SIGKILL', `the child was to die at ${crashAt} #${crashNth}: ${child.stdout} ${child.stderr}`);
  await net.b.reopenProfile();
  const t2 = Date.now();
  // Each side receives and registers everything; the statuses go back; rounds until each side has them.
  let rounds = 0;
  const progress = (what: string, rs: ExchangeLinkRound[]) => {
    if (++rounds % 10 === 0) console.log(`${what} round ${rounds}: ${JSON.stringify(rs.map((r) => [r.sent, r.received, r.opened, r.refused, r.elsewhere, r.problems.length]))} A inbox ${countIn(net.a, 'exchange_inbox')} B inbox ${countIn(net.b, 'exchange_inbox')}`);
  };
  // A round that a request's timeout cuts short (a loaded machine: 1,000 packets each way) is what a
  // workstation meets in the field: it keeps what it has and the next round goes on. Counted, printed.
  let cutShort = 0;
  const both = async (): Promise<ExchangeLinkRound[] | null> => {
    try {
      return [await round(net.a), await round(net.b)];
    } catch (err) {
      if (!(err instanceof TransportError) || !err.transient) throw err;
      cutShort++;
      console.log(`a round cut short (${err.code}: ${err.message}); the next goes on`);
      return null;
    }
  };
  await waitFor('the documents at both', async () => {
    const rs = await both();
    if (rs) progress('documents', rs);
    return countIn(net.b, 'exchange_inbox') === N && countIn(net.a, 'exchange_inbox') === N;
  }, WAIT_MS, 10);
  const t3 = Date.now();
  assert.equal(await registerAll(net.a), N);
  assert.equal(await registerAll(net.b), N);
  const t4 = Date.now();
  await waitFor('the statuses at both', async () => {
    const rs = await both();
    if (rs) progress('statuses', rs);
    return countIn(net.a, 'exchange_status_in') === 2 * N && countIn(net.b, 'exchange_status_in') === 2 * N;
  }, WAIT_MS, 10);
  const t5 = Date.now();
  // Nothing more moves.
  for (const x of [net.a, net.b]) {
    const r = await round(x);
    assert.deepEqual([r.queued, r.sent, r.received, r.opened, r.refused], [0, 0, 0, 0, 0]);
  }
  assertExactlyOnce(net.a, net.b, N);
  assertExactlyOnce(net.b, net.a, N);
  console.log(`N=${N} each way: issue ${t1 - t0} ms (${Math.round((t1 - t0) / (2 * N))} ms/document), send + restart + killed round ${t2 - t1} ms, receive ${t3 - t2} ms, register ${t4 - t3} ms, statuses ${t5 - t4} ms; rounds cut short by a timeout ${cutShort}`);
});
