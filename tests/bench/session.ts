// Opening a generated profile the way the app does (Desk.open, then unlock with the person's token:
// here a software identity whose PEMs are kept in the profile), the profile's data key for the
// benchmark's own connections, and capturing the SQL the core prepares.
import type { Statement } from 'better-sqlite3-multiple-ciphers';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Desk, type TokenIdentity } from '../../main/core/desk';
import type { Db } from '../../main/core/db/connection';
import { openKeyed as openCoreKeyed } from '../../main/core/db/keying';
import type { Actor } from '../../main/core/org/rights';
import { openKeyring } from '../../main/core/profile/keyring';
import { actorFor } from '../../main/core/org/users';
import { execFileSync } from 'node:child_process';
import { identityFromPem, softIdentity, tempDir } from '../helpers/desk';

export const DB_NAME = 'securedesk.db';
export const KEYRING_FILE = 'keyring.cms';
/** The software identity that unlocks a generated profile: benchmark data, not a secret. */
export const IDENTITY_FILE = 'bench-identity.json';
/** The identity of the person cleared to Mật (holding the Thường and Mật compartments only). */
export const MAT_IDENTITY_FILE = 'bench-identity-mat.json';

export interface BenchIdentity { certPem: string; keyPem: string }

/** A fresh software identity (RSA 2048 key and certificate made by openssl), kept in the profile dir. */
export function newIdentity(dir: string, file = IDENTITY_FILE, commonName?: string): TokenIdentity {
  const id = commonName === undefined ? softIdentity() : personPems(commonName);
  writeFileSync(join(dir, file), JSON.stringify({ certPem: id.certPem, keyPem: id.keyPem } satisfies BenchIdentity, null, 1));
  return identityFromPem(id.certPem, id.keyPem);
}

/** Another person's key and certificate (softIdentity is one per process), made by openssl like it. */
function personPems(commonName: string): BenchIdentity {
  const t = tempDir('securedesk-bench-person-');
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${t.dir}/k.pem`, '-out', `${t.dir}/c.pem`, '-days', '3650',
      '-subj', `/CN=${commonName}/O=Văn phòng Thành ủy Hà Nội/C=VN`, '-utf8', '-addext', 'basicConstraints=critical,CA:FALSE',
      '-addext', 'keyUsage=critical,digitalSignature,nonRepudiation,keyEncipherment'], { stdio: 'pipe' });
    return { certPem: readFileSync(`${t.dir}/c.pem`, 'utf8'), keyPem: readFileSync(`${t.dir}/k.pem`, 'utf8') };
  } finally {
    t.cleanup();
  }
}

/** The identity stored by the run that generated the profile (undefined: none stored). */
export function storedIdentity(dir: string, name = IDENTITY_FILE): TokenIdentity | undefined {
  const file = join(dir, name);
  if (!existsSync(file)) return undefined;
  const { certPem, keyPem } = JSON.parse(readFileSync(file, 'utf8')) as BenchIdentity;
  return identityFromPem(certPem, keyPem);
}

/** The profile's data key as hex, unwrapped from keyring.cms with the identity's key (openKeyring, as unlock does). */
export async function profileHexKey(dir: string, identity: TokenIdentity): Promise<string> {
  const key = await openKeyring(join(dir, KEYRING_FILE), identity.unlockKeys[0]!);
  try {
    return key.toString('hex');
  } finally {
    key.fill(0);
  }
}

/**
 * A connection of the benchmark's own to the encrypted database, keyed as the core keys its own
 * (main/core/db/keying.ts: the raw data key, or the PBKDF2-derived key of a profile not yet rekeyed).
 * Nothing else is set: no quick_check, no migrations, the driver's default page cache.
 */
export function openKeyed(file: string, hexKey: string, opts: { readonly?: boolean } = {}): Db {
  return openCoreKeyed(file, hexKey, { readonly: opts.readonly ?? false }).db;
}

export interface OpenedProfile {
  desk: Desk;
  actor: Actor;
  /** Desk.open: no database any more, only the profile directory. */
  deskOpenMs: number;
  /** desk.unlock(identity): keyring unwrap, keyed open (raw key), the person's session; the integrity check goes on off-thread. */
  unlockMs: number;
  /** deskOpenMs + unlockMs: the time to an open profile. */
  openMs: number;
  /** From the end of the unlock to the integrity verdict (the check on the database worker); writes wait this long. */
  verdict: Promise<number>;
}

/**
 * Desk.open + desk.unlock(identity), as the app opens a profile, and the văn thư's actor. Each
 * unlock (and its close) appends a session row to the audit log: a few rows per run. The integrity
 * check runs on the database worker after the unlock: `verdict` resolves with its time, and a
 * profile that fails it is an error here.
 */
export async function openProfile(dir: string, identity: TokenIdentity, userId?: number): Promise<OpenedProfile> {
  const t0 = performance.now();
  const desk = await Desk.open({ profileDir: dir });
  const t1 = performance.now();
  const session = await desk.unlock(identity);
  const t2 = performance.now();
  if (desk.readOnly) {
    const damage = desk.damage ?? '';
    desk.close();
    throw new Error(`profile in ${dir} opened read-only: ${damage}`);
  }
  if (userId !== undefined && session.user.id !== userId) throw new Error(`unlock gave user ${session.user.id}, expected ${userId}`);
  const verdict = desk.verdict().then((v) => {
    if (!v.ok) throw new Error(`profile in ${dir} failed its integrity check: ${v.damage}`);
    return performance.now() - t2;
  });
  verdict.catch(() => undefined); // observed by whoever awaits it
  return { desk, actor: actorFor(session.user), deskOpenMs: t1 - t0, unlockMs: t2 - t1, openMs: t2 - t0, verdict };
}

/** Closes a Desk once its integrity check is over (a check left running would compete with the next measurement). */
export async function closeProfile(p: OpenedProfile): Promise<void> {
  await p.verdict.catch(() => undefined);
  p.desk.close();
}

export interface CapturedStatement { sql: string; params: unknown[] }

/**
 * Runs fn while recording every statement run on db with its parameters (for EXPLAIN QUERY PLAN).
 * The statement prototype is patched for the duration of fn, so statements the core prepared earlier
 * and keeps in a cache are seen too.
 */
export function captureSql(db: Db, fn: () => unknown): CapturedStatement[] {
  const seen: CapturedStatement[] = [];
  const proto = Object.getPrototypeOf(db.prepare('SELECT 1')) as Record<string, unknown>;
  const methods = ['all', 'get', 'run', 'iterate'] as const;
  const originals = methods.map((m) => proto[m] as (...args: unknown[]) => unknown);
  methods.forEach((m, k) => {
    const run = originals[k]!;
    proto[m] = function (this: Statement, ...args: unknown[]) {
      if (this.database === db) seen.push({ sql: this.source, params: args });
      return run.apply(this, args);
    };
  });
  try {
    fn();
  } finally {
    methods.forEach((m, k) => { proto[m] = originals[k]; });
  }
  return seen;
}

/** EXPLAIN QUERY PLAN of a statement as indented lines. */
export function queryPlan(db: Db, sql: string, params: readonly unknown[]): string[] {
  const rows = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ id: number; parent: number; detail: string }>;
  const depth = new Map<number, number>([[0, -1]]);
  return rows.map((r) => {
    const d = (depth.get(r.parent) ?? -1) + 1;
    depth.set(r.id, d);
    return `${'  '.repeat(d)}${r.detail}`;
  });
}
