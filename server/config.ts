// The server's configuration file (JSON). Paths are resolved against the file's folder. Nothing in it
// is a secret except the TLS key file it names (and the PostgreSQL password, better given by
// PGPASSWORD or a .pgpass file than written here).
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { SECRECY_LEVELS } from '../common/domain';

const ROLES = ['van_thu', 'lanh_dao', 'chuyen_vien', 'quan_tri'] as const;

const storage = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('sqlite'),
    file: z.string().min(1),
    /** Optional SQLCipher key (64 hex digits) for the file at rest. */
    keyHex: z.string().regex(/^[0-9a-fA-F]{64}$/).optional(),
  }),
  z.strictObject({
    kind: z.literal('postgres'),
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(5432),
    database: z.string().min(1),
    user: z.string().min(1),
    password: z.string().optional(),
    poolSize: z.number().int().min(1).max(200).default(10),
  }),
]);

const person = z.strictObject({
  /** The person's global id (users.global_id on the workstations). */
  person: z.string().min(1).max(64),
  name: z.string().max(200).optional(),
  role: z.enum(ROLES),
  clearance: z.enum(SECRECY_LEVELS),
  /** PEM files of the certificates that identify this person (the token's signing certificates). */
  certificates: z.array(z.string().min(1)).min(1).max(16),
});

/** One agency of the hub's directory (files are PEM). */
const directoryAgency = z.strictObject({
  code: z.string().min(3).max(35),
  name: z.string().min(1).max(300),
  aliases: z.array(z.string().min(3).max(35)).default([]),
  encryptionCertificate: z.string().min(1),
  signingCertificates: z.array(z.string().min(1)).default([]),
  /** The client certificate the agency's server presents to the hub (mutual TLS). */
  serverCertificate: z.string().min(1),
});

/** An agency server's link to the hub (docs/server.md, "Packets between agencies"). */
const hubLink = z.strictObject({
  url: z.string().url(),
  /** CA(s) the hub's TLS certificate must chain to. */
  ca: z.array(z.string().min(1)).min(1),
  /** This agency server's client certificate and key (listed in the hub's directory). */
  certificate: z.string().min(1),
  key: z.string().min(1),
  pollMs: z.number().int().min(10).default(5_000),
  /**
   * The pull from the hub as a long poll (docs/server.md, "Waiting for packets"): the hub holds an empty
   * listing up to this long and answers when a packet arrives. 0: a plain poll every pollMs.
   */
  waitMs: z.number().int().min(0).max(25_000).default(20_000),
  directoryRefreshMs: z.number().int().min(1_000).default(10 * 60_000),
  timeoutMs: z.number().int().min(1_000).default(60_000),
  backoff: z.strictObject({ baseMs: z.number().int().min(1).default(1_000), capMs: z.number().int().min(1).default(5 * 60_000) }).prefault({}),
  /** Packets above this size go to the hub as a resumable upload, in chunks of uploadChunkBytes. */
  resumableAboveBytes: z.number().int().min(0).default(4 << 20),
  uploadChunkBytes: z.number().int().min(1024).default(4 << 20),
});

export const serverConfigSchema = z.strictObject({
  /** 'agency' (default): an agency's server for its workstations. 'hub': routes packets between agency servers. */
  mode: z.enum(['agency', 'hub']).default('agency'),
  /** The agency this server serves (agency mode, needed for packets): its identifier code. */
  agency: z.strictObject({ code: z.string().min(3).max(35), name: z.string().max(300).optional() }).optional(),
  /** Agency mode: the hub packets go through. */
  hub: hubLink.optional(),
  /** Hub mode: the directory of agencies. */
  directory: z.array(directoryAgency).default([]),
  listen: z.strictObject({ host: z.string().default('0.0.0.0'), port: z.number().int().min(0).max(65535).default(8443) }).default({ host: '0.0.0.0', port: 8443 }),
  tls: z.strictObject({ certificate: z.string().min(1), key: z.string().min(1), chain: z.array(z.string()).default([]) }),
  /** The agency CA(s) people's certificates must chain to (PEM files). */
  trustAnchors: z.array(z.string().min(1)).min(1),
  intermediates: z.array(z.string().min(1)).default([]),
  /** CRL files (PEM or DER); read again when they change. */
  crls: z.array(z.string().min(1)).default([]),
  storage,
  people: z.array(person).default([]),
  /** The roles that may take numbers of shared registers (docs/server.md, "Numbering authority"). */
  registerRoles: z.array(z.enum(ROLES)).min(1).default(['van_thu']),
  /** Hub mode: how long the bytes of a packet every recipient acknowledged are kept, and how often that is swept. */
  retention: z.strictObject({
    deliveredDays: z.number().min(0).max(3650).default(30),
    sweepMinutes: z.number().min(1).max(1440).default(60),
  }).prefault({}),
  limits: z.strictObject({
    maxBodyBytes: z.number().int().min(1024).default(16 << 20),
    requestsPerSecond: z.number().positive().default(50),
    burst: z.number().int().min(1).default(200),
    /** Sign-in requests (nonce and session) per second and burst, per client address. */
    signInPerSecond: z.number().positive().default(20),
    signInBurst: z.number().int().min(1).default(100),
    nonceTtlSeconds: z.number().int().min(5).max(600).default(60),
    sessionTtlSeconds: z.number().int().min(30).max(86_400).default(8 * 3600),
    /** Batches up to this size are inlined in a pull listing; larger ones are fetched (with Range). */
    inlineBytes: z.number().int().min(0).default(256 << 10),
    pageSize: z.number().int().min(1).max(5000).default(500),
    /** An edXML packet (raw bytes) submitted by a workstation or an agency server. */
    maxPacketBytes: z.number().int().min(1024).default(64 << 20),
    /** Packets up to this size are inlined (base64) in an inbox listing; larger ones are fetched with Range. */
    packetInlineBytes: z.number().int().min(0).default(256 << 10),
    /** Largest attachment file (sealed) a workstation may upload. */
    maxBlobBytes: z.number().int().min(1024).default(256 << 20),
    /** Resumable uploads (server/uploads.ts): the largest chunk one request may carry. */
    uploadChunkBytes: z.number().int().min(1024).default(8 << 20),
    /** A staged upload untouched this long is dropped (its client starts again from 0). */
    uploadTtlHours: z.number().positive().max(24 * 30).default(48),
    /** Staged uploads one client (workstation or agency server) may have under way at once. */
    uploadsPerClient: z.number().int().min(1).max(1000).default(16),
  }).prefault({}),
});

export type ServerConfig = z.infer<typeof serverConfigSchema>;
export type PersonEntry = z.infer<typeof person>;
export type StorageConfig = z.infer<typeof storage>;
export type DirectoryAgencyEntry = z.infer<typeof directoryAgency>;
export type HubLinkConfig = z.infer<typeof hubLink>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const fieldPath = (p: ReadonlyArray<PropertyKey>) => p.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('').replace(/^\./, '');

/** Parses a configuration object; relative paths are taken from `baseDir`. */
export function parseServerConfig(json: unknown, baseDir: string): ServerConfig {
  const parsed = serverConfigSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`server configuration: ${fieldPath(issue.path) || '(root)'}: ${issue.message}`);
  }
  const c = parsed.data;
  const abs = (p: string) => resolve(baseDir, p);
  return {
    ...c,
    tls: { certificate: abs(c.tls.certificate), key: abs(c.tls.key), chain: c.tls.chain.map(abs) },
    trustAnchors: c.trustAnchors.map(abs),
    intermediates: c.intermediates.map(abs),
    crls: c.crls.map(abs),
    storage: c.storage.kind === 'sqlite' ? { ...c.storage, file: abs(c.storage.file) } : c.storage,
    people: c.people.map((p) => ({ ...p, certificates: p.certificates.map(abs) })),
    ...(c.hub ? { hub: { ...c.hub, ca: c.hub.ca.map(abs), certificate: abs(c.hub.certificate), key: abs(c.hub.key) } } : {}),
    directory: c.directory.map((d) => ({ ...d, encryptionCertificate: abs(d.encryptionCertificate), signingCertificates: d.signingCertificates.map(abs), serverCertificate: abs(d.serverCertificate) })),
  };
}

export function loadServerConfig(file: string): ServerConfig {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new ConfigError(`${file}: ${(e as Error).message}`);
  }
  return parseServerConfig(json, dirname(resolve(file)));
}
