// Large packet bodies of an SQLite store, as files beside the database (the row keeps the metadata and
// an empty payload). Writing a megabyte through SQLite cost its WAL append, its checkpoint copy and,
// read back, a materialised blob, all on the event loop; a file is written once, off the loop, and read
// by range. A body is made durable (written to a temporary name, fsync'd, renamed) before the row that
// names it commits, so a committed row never points to a partial file; a crash in between leaves at
// most an unreferenced file. Names are `<area>/<packet id>.<sha256>`: a retry of the same packet
// rewrites the same bytes, another body under the same id gets another name. When the database is
// encrypted (storage.keyHex) the files are too: AES-256-GCM under a key derived from the database key,
// the file's name as associated data (a body moved to another row's name does not decrypt).
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

export type PacketArea = 'out' | 'in' | 'hub';

/** A file of an area: a body (`packetId` and `sha256` from its name) or a temporary left by a cut write (both null). */
export interface PacketFileEntry { area: PacketArea; name: string; packetId: string | null; sha256: string | null; modifiedMs: number }

/** A file younger than this is never swept: its row may be about to commit (server/storage/packetStore.ts). */
export const ORPHAN_GRACE_MS = 60 * 60_000;

/**
 * A body just written is kept in memory until it is first read whole, up to this many bytes in all: a
 * store-and-forward hop serves a body it just stored moments later (the agency server's push to the hub,
 * the hub's and the agency server's downloads), and reading it back from its file cost an open, a 1 MB
 * read (and a decrypt for an encrypted store) per packet per hop. Only bodies on their way are held: a
 * larger or longer-lived cache (32 MiB of recent bodies, tried first) made every 1 MB transfer of the
 * process dearer (the exchange bench's raw relays in the same processes took twice the CPU). The file
 * stays the durable copy; a name is one body (its digest is in the name), so a held body is always the
 * bytes that were hashed and written.
 */
export const RECENT_BODIES_MAX_BYTES = 8 << 20;

/** Bodies above this go to files; smaller ones (status packets, most clear packets) stay in their row. */
export const PACKET_FILE_ABOVE_BYTES = 64 << 10;

const NONCE = 12;
const TAG = 16;
const NAME_RE = /^[0-9A-Za-z-]{8,64}$/;
const SHA_RE = /^[0-9a-f]{64}$/;

export class PacketFiles {
  private readonly key: Buffer | null;
  /** Bodies written and not yet read whole, by file name, oldest first (a Map keeps insertion order). */
  private readonly recent = new Map<string, Buffer>();
  private recentBytes = 0;

  constructor(readonly dir: string, keyHex?: string, private readonly recentMaxBytes = RECENT_BODIES_MAX_BYTES) {
    this.key = keyHex ? Buffer.from(hkdfSync('sha256', Buffer.from(keyHex, 'hex'), Buffer.alloc(0), 'securedesk server packet files', 32)) : null;
    for (const a of ['out', 'in', 'hub'] as const) mkdirSync(join(dir, a), { recursive: true, mode: 0o700 });
  }

  /** Whether a body of this size goes to a file. */
  wants(size: number): boolean {
    return size > PACKET_FILE_ABOVE_BYTES;
  }

  private remember(name: string, bytes: Buffer): void {
    this.forget(name);
    if (bytes.length > this.recentMaxBytes) return;
    this.recent.set(name, bytes);
    this.recentBytes += bytes.length;
    for (const [k, b] of this.recent) {
      if (this.recentBytes <= this.recentMaxBytes) break;
      this.recent.delete(k);
      this.recentBytes -= b.length;
    }
  }

  private forget(name: string): void {
    const b = this.recent.get(name);
    if (!b) return;
    this.recent.delete(name);
    this.recentBytes -= b.length;
  }

  /** How many bodies and bytes are held in memory (for tests). */
  recentHeld(): { bodies: number; bytes: number } {
    return { bodies: this.recent.size, bytes: this.recentBytes };
  }

  private name(area: PacketArea, packetId: string, sha256: string): string {
    // Both come from checked input (PACKET_ID_RE, a digest we computed); checked again: they make a path.
    if (!NAME_RE.test(packetId) || !SHA_RE.test(sha256)) throw new Error(`packet file name: bad id ${JSON.stringify(packetId)} or digest`);
    return `${area}/${packetId}.${sha256}`;
  }

  /** Writes a body durably under its name (replacing the same name atomically). */
  async put(area: PacketArea, packetId: string, sha256: string, bytes: Buffer): Promise<void> {
    const name = this.name(area, packetId, sha256);
    const final = join(this.dir, name);
    const tmp = `${final}.${randomUUID()}.tmp`;
    const fh = await open(tmp, 'wx', 0o600);
    try {
      if (this.key) {
        const nonce = randomBytes(NONCE);
        const c = createCipheriv('aes-256-gcm', this.key, nonce);
        c.setAAD(Buffer.from(name));
        const body = c.update(bytes);
        const rest = c.final();
        const parts = [nonce, body, rest, c.getAuthTag()];
        const { bytesWritten } = await fh.writev(parts);
        const total = parts.reduce((n, x) => n + x.length, 0);
        if (bytesWritten !== total) throw new Error(`packet file ${name}: ${bytesWritten} of ${total} bytes written`);
      } else await fh.writeFile(bytes);
      await fh.datasync();
    } catch (e) {
      await fh.close().catch(() => {});
      await rm(tmp, { force: true });
      throw e;
    }
    await fh.close();
    await rename(tmp, final);
    // Held as given: the callers hand over a buffer of their own (a request body, a download) and never change it.
    this.remember(name, bytes);
  }

  /** Bytes [start, end] (inclusive) of a body of `size` bytes. */
  async read(area: PacketArea, packetId: string, sha256: string, size: number, start = 0, end = size - 1): Promise<Buffer> {
    const name = this.name(area, packetId, sha256);
    const count = Math.max(0, end - start + 1);
    const held = this.recent.get(name);
    if (held?.length === size) {
      if (start === 0 && count === size) this.forget(name); // on its way out: served once from memory, then from its file
      return held.subarray(start, start + count);
    }
    if (this.key) {
      const all = await readFile(join(this.dir, name));
      if (all.length !== size + NONCE + TAG) throw new Error(`packet file ${name}: ${all.length} bytes, expected ${size + NONCE + TAG}`);
      const d = createDecipheriv('aes-256-gcm', this.key, all.subarray(0, NONCE));
      d.setAAD(Buffer.from(name));
      d.setAuthTag(all.subarray(all.length - TAG));
      const plain = Buffer.concat([d.update(all.subarray(NONCE, all.length - TAG)), d.final()]);
      return plain.subarray(start, start + count);
    }
    const fh = await open(join(this.dir, name), 'r');
    try {
      const out = Buffer.allocUnsafe(count);
      let got = 0;
      while (got < count) {
        const { bytesRead } = await fh.read(out, got, count - got, start + got);
        if (bytesRead === 0) throw new Error(`packet file ${name}: ends before byte ${start + got}`);
        got += bytesRead;
      }
      return out;
    } finally {
      await fh.close();
    }
  }

  /** Every file of an area with its modification time (a name that is neither a body nor a temporary is left out). */
  async list(area: PacketArea): Promise<PacketFileEntry[]> {
    const out: PacketFileEntry[] = [];
    for (const name of await readdir(join(this.dir, area))) {
      const body = /^([0-9A-Za-z-]{8,64})\.([0-9a-f]{64})$/.exec(name);
      const tmp = /^[0-9A-Za-z-]{8,64}\.[0-9a-f]{64}\.[0-9a-f-]{36}\.tmp$/.test(name);
      if (!body && !tmp) continue;
      const st = await stat(join(this.dir, area, name)).catch(() => null);
      if (st?.isFile()) out.push({ area, name, packetId: body?.[1] ?? null, sha256: body?.[2] ?? null, modifiedMs: st.mtimeMs });
    }
    return out;
  }

  /** Removes one listed file by its name (the sweep of orphans). */
  async remove(area: PacketArea, name: string): Promise<void> {
    this.forget(`${area}/${name}`);
    await rm(join(this.dir, area, name), { force: true });
  }

  async drop(area: PacketArea, packetId: string, sha256: string): Promise<void> {
    const name = this.name(area, packetId, sha256);
    this.forget(name);
    await rm(join(this.dir, name), { force: true });
  }
}
