// An agency server for tests: a test PKI (agency CA, the server's TLS certificate with localhost
// names, people's certificates, a foreign CA), a configuration file and the real server on a free
// loopback port, on SQLite or on a real PostgreSQL (tests/helpers/postgres.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseServerConfig, type PersonEntry, type ServerConfig } from '../../server/config';
import { startServer, type RunningServer } from '../../server/app';
import type { Logger } from '../../server/log';
import { TestPki, type Party } from './pki';
import type { TestPostgres } from './postgres';

export type Backend = 'sqlite' | 'postgres';

export interface AgencyPki {
  pki: TestPki;
  ca: Party;
  server: Party;
  otherCa: Party;
  /** A server certificate issued by the foreign CA, same names. */
  otherServer: Party;
  person(name: string): Party;
}

const SERVER_NAMES = 'DNS:localhost, IP:127.0.0.1';

/** The agency's PKI; `people` get EC P-256 signing certificates from the agency CA. */
export async function agencyPki(people: readonly string[]): Promise<AgencyPki> {
  const pki = new TestPki();
  await pki.generateKeys({ ca: 'ec-p256', server: 'ec-p256', otherCa: 'ec-p256', otherServer: 'ec-p256', ...Object.fromEntries(people.map((p) => [p, 'ec-p256' as const])) });
  const ca = pki.issue('ca', { subject: '/C=VN/O=Văn phòng Tỉnh ủy/CN=CA của cơ quan (thử nghiệm)', ca: true });
  const server = pki.issue('server', { subject: '/C=VN/O=Văn phòng Tỉnh ủy/CN=localhost', issuer: ca, keyUsage: 'digitalSignature', extKeyUsage: 'serverAuth', subjectAltName: SERVER_NAMES });
  const otherCa = pki.issue('otherCa', { subject: '/C=VN/O=Tổ chức khác/CN=CA lạ', ca: true });
  const otherServer = pki.issue('otherServer', { subject: '/C=VN/O=Tổ chức khác/CN=localhost', issuer: otherCa, keyUsage: 'digitalSignature', extKeyUsage: 'serverAuth', subjectAltName: SERVER_NAMES });
  for (const p of people) pki.issue(p, { subject: `/C=VN/O=Văn phòng Tỉnh ủy/CN=${p}`, issuer: ca, keyUsage: 'digitalSignature, nonRepudiation' });
  return { pki, ca, server, otherCa, otherServer, person: (n) => pki.get(n) };
}

let dbCounter = 0;

export interface AgencyServerOptions {
  backend: Backend;
  pg?: TestPostgres;
  dir: string;
  pki: AgencyPki;
  people: PersonEntry[];
  extraAnchors?: string[];
  crls?: string[];
  limits?: Partial<ServerConfig['limits']>;
  /** Serve the foreign CA's certificate instead of the agency's. */
  foreignCertificate?: boolean;
  logger?: Logger;
  clock?: () => number;
}

export async function startAgencyServer(o: AgencyServerOptions): Promise<RunningServer & { config: ServerConfig; configFile: string }> {
  mkdirSync(o.dir, { recursive: true });
  let storage: unknown;
  if (o.backend === 'postgres') {
    if (!o.pg) throw new Error('a postgres backend needs the test PostgreSQL');
    const database = `agency_${process.pid}_${++dbCounter}`;
    o.pg.psql(`CREATE DATABASE ${database}`, 'postgres');
    storage = { kind: 'postgres', host: o.pg.host, port: o.pg.port, database, user: o.pg.user, poolSize: 20 };
  } else storage = { kind: 'sqlite', file: join(o.dir, `server-${++dbCounter}.db`) };
  const tls = o.foreignCertificate ? o.pki.otherServer : o.pki.server;
  const json = {
    listen: { host: '127.0.0.1', port: 0 },
    tls: { certificate: tls.certPath, key: tls.keyPath },
    trustAnchors: [o.pki.ca.certPath, ...(o.extraAnchors ?? [])],
    crls: o.crls ?? [],
    storage,
    people: o.people,
    limits: { ...o.limits },
  };
  const configFile = join(o.dir, `server-${dbCounter}.json`);
  writeFileSync(configFile, JSON.stringify(json, null, 2));
  const config = parseServerConfig(json, o.dir);
  const running = await startServer(config, { ...(o.logger ? { logger: o.logger } : {}), ...(o.clock ? { clock: o.clock } : {}) });
  return Object.assign(running, { config, configFile, url: `https://localhost:${running.port}` });
}
