// The bodies of packets waiting to leave, as files sealed under the profile's key instead of blobs in the
// encrypted database (docs/exchange.md, "Packet bodies"). SQLCipher encrypts and authenticates every
// 4 KiB page and writes each WAL frame apart: a 1 MB body cost about 11 ms of CPU per insert there and the
// exchange wrote it twice (its outbox, then the transport's queue), on the window's process, against about
// 1 ms sealed into a file (tests/bench/outboxInsert.ts). A body is named by an HMAC of its SHA-256 (the
// two queues share one file; names reveal nothing) and sealed with AES-256-GCM bound to that digest, so
// a file swapped for another body or altered fails to open. The row commits after its body is synced;
// a body no queued row names is removed after the commit that let it go, or by the sweep at the next
// start (a crash in between).
import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../../db/connection';
import { BlobIntegrityError, openSmall, sealSmall } from '../../attachments/blobCipher';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../../privateFiles';
import { processAlive } from '../../processAlive';

const NAME = /^[0-9a-f]{64}$/;
const TEMP = /^[0-9a-f]{64}\.(\d+)\.[0-9a-f]{8}\.tmp$/;
/** A body no row names is left this long before the sweep removes it: a writer commits its row after the file. */
const SWEEP_AFTER_MS = 60 * 60 * 1000;

export class PacketBodyMissingError extends Error {
  override readonly name = 'PacketBodyMissingError';
}

export class PacketBodies {
  private key: Buffer;

  /** `dataKey`: the profile's data key (a key of its own is derived from it; the caller keeps and clears its copy). */
  constructor(readonly dir: string, dataKey: Buffer) {
    this.key = Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), 'securedesk packet bodies v1', 32));
  }

  private nameOf(sha256: string): string {
    return createHmac('sha256', this.key).update(sha256).digest('hex');
  }

  /** The file a body of this digest is kept in (whether or not it is there). */
  fileOf(sha256: string): string {
    return join(this.dir, this.nameOf(sha256));
  }

  private binding = (sha256: string) => Buffer.from(`packet-body:${sha256}`);

  /** Seals and syncs the body (before the row that names it commits); a body already here is kept. */
  put(sha256: string, bytes: Buffer): void {
    const file = this.fileOf(sha256);
    if (exists(file)) return;
    mkdirSync(this.dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const fd = openSync(tmp, 'wx', PRIVATE_FILE_MODE);
    try {
      const sealed = sealSmall(this.key, bytes, this.binding(sha256));
      for (let off = 0; off < sealed.length;) off += writeSync(fd, sealed, off, sealed.length - off);
      fsyncSync(fd);
    } catch (e) {
      closeSync(fd);
      rmSync(tmp, { force: true });
      throw e;
    }
    closeSync(fd);
    renameSync(tmp, file);
    syncDir(this.dir);
  }

  /** The body, authenticated as the one sealed for this digest. */
  get(sha256: string): Buffer {
    let sealed: Buffer;
    try {
      sealed = readFileSync(this.fileOf(sha256));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new PacketBodyMissingError(`the body of packet ${sha256.slice(0, 12)}… is missing from ${this.dir}`);
      throw e;
    }
    try {
      return openSmall(this.key, sealed, this.binding(sha256));
    } catch (e) {
      if (e instanceof BlobIntegrityError) throw new BlobIntegrityError(`the body file of packet ${sha256.slice(0, 12)}… failed authentication`);
      throw e;
    }
  }

  has(sha256: string): boolean {
    return exists(this.fileOf(sha256));
  }

  /** Removes the body unless a waiting row of either queue still names it (call after the commit that let it go). */
  release(db: Db, sha256: string): void {
    if (bodyNamed(db, sha256)) return;
    rmSync(this.fileOf(sha256), { force: true });
  }

  /**
   * Removes what a crash left: temporary files of processes that no longer run, and bodies no waiting row
   * names that are older than an hour (a body younger than that may belong to a row about to commit).
   */
  sweep(db: Db, now = Date.now()): { removed: number } {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return { removed: 0 };
    }
    const wanted = new Set(namedDigests(db).map((s) => this.nameOf(s)));
    let removed = 0;
    for (const n of names) {
      const t = TEMP.exec(n);
      const stale = t ? !processAlive(Number(t[1])) : NAME.test(n) && !wanted.has(n) && now - statSync(join(this.dir, n)).mtimeMs > SWEEP_AFTER_MS;
      if (!stale) continue;
      rmSync(join(this.dir, n), { force: true });
      removed++;
    }
    return { removed };
  }

  /** Forgets the key (at lock). */
  close(): void {
    this.key.fill(0);
    this.key = Buffer.alloc(0);
  }
}

// A row names a body file while it waits and holds no bytes of its own: the exchange's outbox until handed
// to the transport (or withdrawn), the transport's queue until the agency server has passed it on or refused it.
const WAITING_EXCHANGE = "SELECT 1 FROM main.exchange_outbox WHERE sha256 = ? AND length(bytes) = 0 AND handed_at IS NULL AND withdrawn_at IS NULL";
const WAITING_QUEUE = "SELECT 1 FROM main.packet_outbox WHERE sha256 = ? AND bytes IS NULL AND (state = 'queued' OR (state = 'sent' AND passed_at IS NULL))";

function bodyNamed(db: Db, sha256: string): boolean {
  return db.prepare(WAITING_EXCHANGE).get(sha256) !== undefined || db.prepare(WAITING_QUEUE).get(sha256) !== undefined;
}

function namedDigests(db: Db): string[] {
  return db.prepare(`SELECT sha256 FROM main.exchange_outbox WHERE sha256 IS NOT NULL AND length(bytes) = 0 AND handed_at IS NULL AND withdrawn_at IS NULL
    UNION SELECT sha256 FROM main.packet_outbox WHERE bytes IS NULL AND (state = 'queued' OR (state = 'sent' AND passed_at IS NULL))`).pluck().all() as string[];
}

function exists(file: string): boolean {
  try {
    statSync(file);
    return true;
  } catch {
    return false;
  }
}

function syncDir(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
