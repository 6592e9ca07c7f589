// The party network for packet tests: one test PKI (the network CA issues the hub's and the agency
// servers' TLS certificates, the agency servers' client certificates for the hub, each agency's
// signing (EC) and encryption (RSA) certificates and its people's), the hub (hub mode, SQLite), agency
// servers (PostgreSQL or SQLite) linked to it, and workstations with their ServerClient and PacketClient.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../server/app';
import { parseServerConfig, type ServerConfig } from '../../server/config';
import { startHub, type RunningHub } from '../../server/hub';
import type { Logger } from '../../server/log';
import type { Db } from '../../main/core/db/connection';
import { buildDocumentPacket, type EdxmlDocumentInput } from '../../main/core/exchange/edxml/build';
import { writeRouting } from '../../main/core/exchange/edxml/routing';
import { sealedCiphertext, sealPacket } from '../../main/core/exchange/edxml/seal';
import { signPacket } from '../../main/core/exchange/edxml/xmldsig';
import { PacketClient, type PacketClientOptions } from '../../main/core/sync/packets/PacketClient';
import { PacketBodies } from '../../main/core/sync/packets/bodies';
import { ServerClient } from '../../main/core/sync/ServerClient';
import { TestPki, type Party } from './pki';
import type { TestPostgres } from './postgres';
import { softKey } from './softKey';
import { openWorkstation } from './workstation';

export const CODES = { A: '000.00.01.H49', B: '000.00.02.H49', unknown: '000.00.09.H49' } as const;
export type AgencyName = 'A' | 'B';
const NAMES: Record<AgencyName, string> = { A: 'Văn phòng Tỉnh ủy', B: 'Ban Tổ chức Tỉnh ủy' };
const LOCAL = 'DNS:localhost, IP:127.0.0.1';

export interface AgencyParties {
  code: string;
  name: string;
  /** The agency server's client certificate for the hub. */
  client: Party;
  signing: Party;
  encryption: Party;
  vanThu: Party;
  chuyenVien: Party;
}

export interface NetworkPki {
  pki: TestPki;
  ca: Party;
  hubTls: Party;
  serverTls: Party;
  /** A client certificate from the network CA that the directory does not list. */
  stranger: Party;
  agencies: Record<AgencyName, AgencyParties>;
}

export async function networkPki(): Promise<NetworkPki> {
  const pki = new TestPki();
  const keys: Record<string, 'ec-p256' | 'rsa2048'> = { ca: 'ec-p256', hubTls: 'ec-p256', serverTls: 'ec-p256', stranger: 'ec-p256' };
  for (const a of ['A', 'B']) Object.assign(keys, { [`${a}client`]: 'ec-p256', [`${a}sign`]: 'ec-p256', [`${a}enc`]: 'rsa2048', [`${a}vt`]: 'ec-p256', [`${a}cv`]: 'ec-p256' });
  await pki.generateKeys(keys);
  const ca = pki.issue('ca', { subject: '/C=VN/O=Mạng thông tin diện rộng của Đảng/CN=CA thử nghiệm', ca: true });
  const hubTls = pki.issue('hubTls', { subject: '/C=VN/O=Trung tâm/CN=localhost', issuer: ca, keyUsage: 'digitalSignature', extKeyUsage: 'serverAuth', subjectAltName: LOCAL });
  const serverTls = pki.issue('serverTls', { subject: '/C=VN/O=Máy chủ cơ quan/CN=localhost', issuer: ca, keyUsage: 'digitalSignature', extKeyUsage: 'serverAuth', subjectAltName: LOCAL });
  const stranger = pki.issue('stranger', { subject: '/C=VN/O=Không có trong danh bạ/CN=máy chủ lạ', issuer: ca, keyUsage: 'digitalSignature', extKeyUsage: 'clientAuth' });
  const agency = (a: AgencyName): AgencyParties => ({
    code: CODES[a], name: NAMES[a],
    client: pki.issue(`${a}client`, { subject: `/C=VN/O=${NAMES[a]}/CN=Máy chủ ${a}`, issuer: ca, keyUsage: 'digitalSignature', extKeyUsage: 'clientAuth' }),
    signing: pki.issue(`${a}sign`, { subject: `/C=VN/O=${NAMES[a]}/CN=${NAMES[a]}`, issuer: ca, keyUsage: 'digitalSignature, nonRepudiation' }),
    encryption: pki.issue(`${a}enc`, { subject: `/C=VN/O=${NAMES[a]}/CN=${NAMES[a]} (mã hóa)`, issuer: ca, keyUsage: 'keyEncipherment' }),
    vanThu: pki.issue(`${a}vt`, { subject: `/C=VN/O=${NAMES[a]}/CN=Văn thư ${a}`, issuer: ca, keyUsage: 'digitalSignature, nonRepudiation' }),
    chuyenVien: pki.issue(`${a}cv`, { subject: `/C=VN/O=${NAMES[a]}/CN=Chuyên viên ${a}`, issuer: ca, keyUsage: 'digitalSignature, nonRepudiation' }),
  });
  return { pki, ca, hubTls, serverTls, stranger, agencies: { A: agency('A'), B: agency('B') } };
}

const FAST_LIMITS = { requestsPerSecond: 100_000, burst: 100_000, signInPerSecond: 1_000, signInBurst: 1_000 };
const quiet: Logger = { log: () => {} };
let counter = 0;

export function hubConfig(n: NetworkPki, dir: string, limits: Partial<ServerConfig['limits']> = {}): ServerConfig {
  mkdirSync(dir, { recursive: true });
  return parseServerConfig({
    mode: 'hub',
    listen: { host: '127.0.0.1', port: 0 },
    tls: { certificate: n.hubTls.certPath, key: n.hubTls.keyPath },
    trustAnchors: [n.ca.certPath],
    storage: { kind: 'sqlite', file: join(dir, `hub-${++counter}.db`) },
    directory: (['A', 'B'] as const).map((a) => ({
      code: n.agencies[a].code, name: n.agencies[a].name, aliases: a === 'B' ? ['000.00.20.H49'] : [],
      encryptionCertificate: n.agencies[a].encryption.certPath, signingCertificates: [n.agencies[a].signing.certPath], serverCertificate: n.agencies[a].client.certPath,
    })),
    limits: { ...FAST_LIMITS, ...limits },
  }, dir);
}

export async function startTestHub(cfg: ServerConfig): Promise<RunningHub> {
  return startHub(cfg, { logger: quiet });
}

export interface AgencyServerSetup {
  backend: 'sqlite' | 'postgres';
  pg?: TestPostgres;
  hubUrl: string;
  limits?: Partial<ServerConfig['limits']>;
  pollMs?: number;
}

export function agencyConfig(n: NetworkPki, a: AgencyName, dir: string, o: AgencyServerSetup): ServerConfig {
  mkdirSync(dir, { recursive: true });
  const p = n.agencies[a];
  let storage: unknown;
  if (o.backend === 'postgres') {
    const database = `packets_${process.pid}_${++counter}`;
    o.pg!.psql(`CREATE DATABASE ${database}`, 'postgres');
    storage = { kind: 'postgres', host: o.pg!.host, port: o.pg!.port, database, user: o.pg!.user, poolSize: 10 };
  } else storage = { kind: 'sqlite', file: join(dir, `agency-${a}-${++counter}.db`) };
  const json = {
    listen: { host: '127.0.0.1', port: 0 },
    tls: { certificate: n.serverTls.certPath, key: n.serverTls.keyPath },
    trustAnchors: [n.ca.certPath],
    storage,
    agency: { code: p.code, name: p.name },
    hub: { url: o.hubUrl, ca: [n.ca.certPath], certificate: p.client.certPath, key: p.client.keyPath, pollMs: o.pollMs ?? 100, backoff: { baseMs: 50, capMs: 500 } },
    people: [
      { person: `${a}-van-thu`, role: 'van_thu', clearance: 'toi_mat', certificates: [p.vanThu.certPath] },
      { person: `${a}-chuyen-vien`, role: 'chuyen_vien', clearance: 'mat', certificates: [p.chuyenVien.certPath] },
    ],
    limits: { ...FAST_LIMITS, ...o.limits },
  };
  writeFileSync(join(dir, `agency-${a}.json`), JSON.stringify(json, null, 2));
  return parseServerConfig(json, dir);
}

/** Starts an agency server; the port it got is written back into the configuration, so a restart keeps it. */
export async function startAgency(cfg: ServerConfig): Promise<RunningServer> {
  const s = await startServer(cfg, { logger: quiet });
  cfg.listen.port = s.port;
  return s;
}

export interface TestWorkstation {
  db: Db;
  server: ServerClient;
  packets: PacketClient;
  close(): void;
}

/** A workstation's storage as a real profile's: its base database in SQLCipher, its queued packet bodies sealed in files, under a new key. */
export function keyedProfile(dir: string): { keyHex: string; bodies: PacketBodies } {
  const key = randomBytes(32);
  return { keyHex: key.toString('hex'), bodies: new PacketBodies(join(dir, 'packets'), key) };
}

/** `keyHex`: the base database in SQLCipher as a real profile's (keyedProfile). */
export function workstation(n: NetworkPki, dir: string, port: number, person: Party, o: Partial<PacketClientOptions> & { keyHex?: string } = {}): TestWorkstation {
  mkdirSync(dir, { recursive: true });
  const { keyHex, ...packetOptions } = o;
  const db = openWorkstation(dir, [], keyHex ? { keyHex } : {});
  const key = softKey(person.certDer, person.keyPem);
  const server = new ServerClient({
    db, transport: { url: `https://localhost:${port}`, caPem: n.ca.certPem, timeoutMs: 10_000 }, signer: () => key, channels: () => [],
    keys: { current: () => null, byId: () => null }, apply: () => {},
  });
  const packets = new PacketClient({ db, server, backoff: { baseMs: 20, capMs: 200 }, ...packetOptions });
  return { db, server, packets, close: () => { server.close(); db.close(); } };
}

const organ = (organId: string, organName: string) => ({ organId, organizationInCharge: null, organName, organAdd: null, email: null, telephone: null, fax: null, website: null });

export function documentInput(from: string, to: readonly string[], subject: string, attachmentBytes = 2_000): EdxmlDocumentInput {
  return {
    from: organ(from, 'Cơ quan gửi'), to: to.map((t) => organ(t, 'Cơ quan nhận')),
    documentId: `${from},2026/12/05,${subject.length}-CV/TU`, code: { number: '27', notation: 'CV/TU' }, promulgation: { place: 'Hạ Long', date: '2026-12-05' },
    documentType: { type: null, typeDetail: null, typeName: 'Công văn' }, subject, content: null,
    signer: { competence: 'T/M BAN THƯỜNG VỤ', position: 'Phó Bí thư', fullName: 'Trần Văn Bình' }, dueDate: null, toPlaces: ['Như trên', 'Lưu VT'],
    otherInfo: { priority: 1, sphereOfPromulgation: null, typerNotation: null, promulgationAmount: 1, pageAmount: null, direction: null, appendixes: [], secrecy: 'thuong' },
    responseFor: [], steeringType: 0, trace: [{ organId: from, timestamp: '2026-12-05T09:00:00+07:00' }],
    business: { documentId: null, docType: 0, reason: null, paper: 0, staff: [], documentInfo: null, replacements: [] },
    attachments: [{ name: 'cong-van.bin', description: 'Văn bản', contentType: 'application/octet-stream', bytes: Buffer.alloc(attachmentBytes, 'văn bản ') }],
  };
}

/** A clear (Thường) packet signed with the sender's signing key (or another party's, to test refusals). */
export async function clearPacket(n: NetworkPki, from: AgencyName, to: readonly string[], o: { signer?: Party; subject?: string; attachmentBytes?: number } = {}): Promise<{ packetId: string; bytes: Buffer }> {
  const signer = o.signer ?? n.agencies[from].signing;
  const built = buildDocumentPacket(documentInput(n.agencies[from].code, to, o.subject ?? 'Về việc trao đổi văn bản điện tử', o.attachmentBytes));
  return { packetId: randomUUID(), bytes: await signPacket(built.bytes, softKey(signer.certDer, signer.keyPem)) };
}

/** A sealed packet (Mật and above): `inner` (a signed packet) encrypted for the recipients' certificates. */
export async function sealedPacket(n: NetworkPki, from: string, to: readonly AgencyName[], inner: Buffer, packetId: string = randomUUID()): Promise<{ packetId: string; bytes: Buffer }> {
  const bytes = await sealPacket(inner, { from, to: to.map((t) => n.agencies[t].code), packetId, recipients: to.map((t) => ({ certificate: n.agencies[t].encryption.certPem })) });
  return { packetId, bytes };
}

/**
 * The same sealed content under another packet id (a new routing header over the same CMS): many
 * distinct packets for volume tests without sealing each one (sealing is not what they measure).
 */
export function readdressed(sealed: Buffer, packetId: string = randomUUID()): { packetId: string; bytes: Buffer } {
  const { header, cms } = sealedCiphertext(sealed);
  return { packetId, bytes: Buffer.concat([writeRouting({ ...header, packetId }), cms]) };
}

export async function waitFor<T>(what: string, fn: () => Promise<T | null | false> | T | null | false, timeoutMs = 30_000, everyMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
