// The network the exchange tests between two agencies run on (exchange-network, exchange-takeback):
// a SoftHSM token per agency holding its agency key (what the hub's directory lists for it), the hub,
// agency A's server on PostgreSQL and B's on SQLite, a real profile per agency whose văn thư is linked
// to its agency server, and A's drafter, approver and signer.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Role, Secrecy } from '../../../common/domain';
import type { PrivateKeyOps } from '../../../main/core/crypto';
import { derToPem } from '../../../main/core/crypto/certificates';
import { Desk } from '../../../main/core/desk';
import { ExchangeLink, type ExchangeLinkRound } from '../../../main/core/exchange/link';
import type { Actor } from '../../../main/core/org/rights';
import { actorFor, getUser } from '../../../main/core/org/users';
import { TokenService, type SignedInToken } from '../../../main/core/session/tokens';
import { PacketClient } from '../../../main/core/sync/packets/PacketClient';
import { ServerClient } from '../../../main/core/sync/ServerClient';
import type { RunningServer } from '../../../server/app';
import type { ServerConfig } from '../../../server/config';
import type { RunningHub } from '../../../server/hub';
import { TokenBridge } from '../../../native/bridge/client';
import { moduleId } from '../../../native/modules/discovery';
import { createSoftHsm, type SoftHsm } from '../../fixtures/softhsm/tokens';
import { tempDir } from '../../helpers/desk';
import { addToken, type CustomToken } from '../../helpers/hsmTokens';
import { agencyConfig, CODES, hubConfig, networkPki, startAgency, startTestHub, waitFor, type NetworkPki } from '../../helpers/network';
import { addPerson } from '../../helpers/people';
import type { Party } from '../../helpers/pki';
import { startPostgres, type TestPostgres } from '../../helpers/postgres';
import { softKey } from '../../helpers/softKey';

const AGENCY_USAGE = 'critical,digitalSignature,nonRepudiation,keyEncipherment';

export interface Agency {
  desk: Desk; clerk: Actor; key: PrivateKeyOps; keys: readonly PrivateKeyOps[]; server: ServerClient; link: ExchangeLink; cleanup(): void;
  /** What a process of its own needs to open this workstation (exchangeRoundChild.ts). */
  child: { profileDir: string; serial: string; pin: string; port: number; transport: Party };
  /** Closes the profile (another process may then open it) and opens it again with the token. */
  closeProfile(): void;
  reopenProfile(): Promise<void>;
}

/** The SoftHSM tokens of the network, for a child process (exchangeRoundChild.ts). */
export interface NetworkHsm { env: NodeJS.ProcessEnv; modulePath: string; caDer: string }

export interface ExchangeNetwork {
  n: NetworkPki;
  hsm: NetworkHsm;
  hub: RunningHub;
  /** A's server (PostgreSQL); a test may close it and start it again from `cfgA`. */
  serverA: RunningServer;
  cfgA: ServerConfig;
  /** B's server (SQLite). */
  serverB: RunningServer;
  a: Agency;
  b: Agency;
  drafter: Actor;
  approver: Actor;
  signer: Actor;
  signerKey: PrivateKeyOps;
  /** Closes everything started, in reverse order (whatever `serverA` is then). */
  close(): Promise<void>;
}

/** A profile of an agency whose văn thư's token holds the agency key, linked to its agency server. */
async function agency(hsm: SoftHsm, n: NetworkPki, token: SignedInToken, tok: CustomToken, code: string, name: string, clerkName: string, port: number, transportIdentity: Party): Promise<Agency> {
  const t = tempDir('securedesk-exchange-net-');
  const desk = await Desk.open({ profileDir: t.dir, trustAnchors: [hsm.ca.certDer] });
  const session = await desk.setup({
    unit: { name, code, preset: 'party' },
    admin: { fullName: clerkName, position: 'Văn thư', role: 'van_thu', clearance: 'tuyet_mat' },
  }, token.identity);
  // The workstation's session with its agency server (the văn thư enrolled there); the packet
  // outbox and inbox live in the profile's own base database.
  const key = softKey(transportIdentity.certDer, transportIdentity.keyPem);
  const connect = (desk: Desk) => {
    const server = new ServerClient({
      db: desk.db, transport: { url: `https://localhost:${port}`, caPem: n.ca.certPem, timeoutMs: 15_000 }, signer: () => key, channels: () => [],
      keys: { current: () => null, byId: () => null }, apply: () => {},
    });
    const packets = new PacketClient({ db: desk.db, server, backoff: { baseMs: 20, capMs: 200 } });
    return { server, link: new ExchangeLink(desk.exchange, packets) };
  };
  const x: Agency = {
    desk, clerk: actorFor(session.user), ...connect(desk),
    key: desk.org.signingKey(actorFor(session.user), token.signingKeys),
    keys: [...token.identity.unlockKeys, ...token.signingKeys],
    cleanup: () => { x.server.close(); x.desk.close(); t.cleanup(); },
    child: { profileDir: t.dir, serial: tok.serial, pin: tok.pin, port, transport: transportIdentity },
    closeProfile: () => { x.server.close(); x.desk.close(); },
    reopenProfile: async () => {
      x.desk = await Desk.open({ profileDir: t.dir, trustAnchors: [hsm.ca.certDer] });
      x.clerk = actorFor((await x.desk.unlock(token.identity)).user);
      Object.assign(x, connect(x.desk));
    },
  };
  return x;
}

/** `hubLimits`: the hub's own limits (a test of a packet the hub refuses as too large sets a low one). */
export async function startExchangeNetwork(o: { hubLimits?: Partial<ServerConfig['limits']> } = {}): Promise<ExchangeNetwork> {
  const closers: Array<() => unknown> = [];
  const net = {} as ExchangeNetwork;
  net.close = async () => {
    for (const c of closers.reverse()) await c();
    closers.length = 0;
  };
  try {
    const tmp = tempDir('securedesk-exchange-net-');
    closers.push(() => tmp.cleanup());
    const hsm = await createSoftHsm({ tokens: ['recovery'] });
    closers.push(() => hsm.cleanup());
    net.hsm = { env: hsm.env, modulePath: hsm.modulePath, caDer: hsm.ca.certDer.toString('base64') };
    const key = (subject: string) => [{ id: '01', label: 'agency', algorithm: 'rsa:2048' as const, subject, keyUsage: AGENCY_USAGE, issuer: 'ca' as const }];
    const tokA: CustomToken = await addToken(hsm, 'AGENCY-A', '246810', key('/CN=Văn phòng Tỉnh ủy Quảng Ninh/O=Văn phòng Tỉnh ủy/C=VN'));
    const tokB: CustomToken = await addToken(hsm, 'AGENCY-B', '135791', key('/CN=Ban Tổ chức Tỉnh ủy/O=Ban Tổ chức/C=VN'));
    const bridge = new TokenBridge({ env: hsm.env });
    closers.push(() => bridge.close());
    const tokens = new TokenService(bridge, async () => [hsm.modulePath]);
    const signIn = (t: CustomToken) => tokens.signIn({ moduleId: moduleId(hsm.modulePath), serial: t.serial }, t.pin);
    const [signedA, signedB] = [await signIn(tokA), await signIn(tokB)];
    const [n, pg] = await Promise.all([networkPki(), startPostgres()]) as [NetworkPki, TestPostgres];
    closers.push(() => n.pki.cleanup());
    closers.push(() => pg.stop());
    net.n = n;
    // The hub's directory lists each agency's key on its văn thư's token: the certificate sealed
    // packets are encrypted for and the one its signatures are made with.
    const hubCfg = hubConfig(n, join(tmp.dir, 'hub'), o.hubLimits);
    // Those certificates are issued by the tokens' CA: the hub checks a clear (Thường) packet's
    // signature against its trust anchors, so that CA is one of them.
    hubCfg.trustAnchors = [...hubCfg.trustAnchors, hsm.ca.certPath];
    const certDir = join(tmp.dir, 'certs');
    mkdirSync(certDir, { recursive: true });
    for (const [entry, tok] of [[hubCfg.directory[0]!, tokA], [hubCfg.directory[1]!, tokB]] as const) {
      const file = join(certDir, `${tok.serial}.pem`);
      writeFileSync(file, derToPem(tok.certs['01']!));
      entry.encryptionCertificate = file;
      entry.signingCertificates = [file];
    }
    net.hub = await startTestHub(hubCfg);
    closers.push(() => net.hub.close());
    const hubUrl = `https://localhost:${net.hub.port}`;
    net.cfgA = agencyConfig(n, 'A', join(tmp.dir, 'A'), { backend: 'postgres', pg, hubUrl });
    const started = await Promise.allSettled([startAgency(net.cfgA), startAgency(agencyConfig(n, 'B', join(tmp.dir, 'B'), { backend: 'sqlite', hubUrl }))]);
    if (started[0].status === 'fulfilled') net.serverA = started[0].value;
    if (started[1].status === 'fulfilled') net.serverB = started[1].value;
    closers.push(() => Promise.all([net.serverA?.close(), net.serverB?.close()]));
    for (const s of started) if (s.status === 'rejected') throw s.reason;
    net.a = await agency(hsm, n, signedA, tokA, CODES.A, 'Văn phòng Tỉnh ủy Quảng Ninh', 'Nguyễn Thị Hương', net.serverA.port, n.agencies.A.vanThu);
    closers.push(() => net.a.cleanup());
    net.b = await agency(hsm, n, signedB, tokB, CODES.B, 'Ban Tổ chức Tỉnh ủy', 'Phạm Thị Lan', net.serverB.port, n.agencies.B.vanThu);
    closers.push(() => net.b.cleanup());
    const person = async (fullName: string, role: Role, position: string, clearance: Secrecy = 'tuyet_mat') => {
      const p = await addPerson(net.a.desk, { fullName, role, clearance, position });
      return { actor: actorFor(getUser(net.a.desk.db, p.id)!), key: p.identity.signingKeys[0]! };
    };
    net.drafter = (await person('Trần Văn Soạn', 'chuyen_vien', 'Chuyên viên')).actor;
    net.approver = (await person('Lê Thị Duyệt', 'lanh_dao', 'Chánh Văn phòng')).actor;
    const s = await person('Nguyễn Văn Ký', 'lanh_dao', 'Phó Bí thư');
    net.signer = s.actor;
    net.signerKey = s.key;
    return net;
  } catch (e) {
    await net.close();
    throw e;
  }
}

export const round = (x: Agency): Promise<ExchangeLinkRound> => x.link.round(x.clerk, { agencyKey: x.key, decryption: x.keys });

/** Rounds of `x` until `done` holds (the hub link forwards on its own timer in between). */
export async function roundsUntil(x: Agency, what: string, done: (r: ExchangeLinkRound[]) => boolean): Promise<ExchangeLinkRound[]> {
  const rounds: ExchangeLinkRound[] = [];
  await waitFor(what, async () => {
    rounds.push(await round(x));
    return done(rounds);
  }, 60_000, 100);
  return rounds;
}

export const total = (rs: ExchangeLinkRound[], k: 'opened' | 'refused' | 'received' | 'sent' | 'queued') => rs.reduce((s, r) => s + r[k], 0);
