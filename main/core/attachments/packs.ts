// Pack files: the blobs of a bulk import appended to a few large files instead of a file each
// (creating a file costs ~0.45 ms of system CPU on ext4 whatever its size; appending costs 0.03 ms).
//
// In `<store>/packs/`:
//   <pid>.<rand>.pack  the blobs one after another, each in its usual sealed format (blobCipher.ts,
//                      bound to its content hash), so a range is served as is and a range swapped,
//                      moved or altered fails the blob's own authentication.
//   <pid>.<rand>.idx   the pack's index, sealed with the store's data key and bound to the pack's
//                      name: the first 16 bytes of each blob's HMAC name → offset, length; sorted.
// A pack is written under a temporary name and synced once, its index likewise, then the pack takes its
// name and its index last: a pack is visible only through a readable index. Leftovers of dead
// processes (temporary files, a pack whose index never came, or whose index a rewrite removed) are
// shredded by sweep(). The caller syncs the packs folder once per batch (syncFolders).
//
// Removing blobs rewrites their pack without them (the kept ranges copied to a new pack, indexed and
// renamed into place), then writes a marker naming the old pack (<pid>.<rand>.doom, this process's
// pid), removes the old index, shreds the old pack, removes the marker. A crash at any step leaves
// every kept blob indexed (in the old pack, the new one, or both) and a removed one unindexed once the
// old index is gone; the old pack's bytes are shredded by the next sweep (init, or the retry's).
//
// Memory (per thread, per store): each pack's index as a sorted Buffer of 16-byte names with offsets and
// lengths in typed arrays, 28 bytes an entry, and the store's directory of name prefixes over all packs
// (packDirectory.ts), 8 bytes an entry (100 000 blobs: 3.6 MB); a name is looked up in the directory,
// then in the pack or two it names. The set is reloaded when the folder's list of indexes changes (names
// are never reused: an index never changes once written).
import { randomBytes } from 'node:crypto';
import { closeSync, fsync, mkdirSync, openSync, promises as fsp, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BlobIntegrityError, openSmall, sealSmall } from './blobCipher';
import { PackDirectory } from './packDirectory';
import { PRIVATE_DIR_MODE } from '../privateFiles';
import { processAlive } from '../processAlive';
import { shred } from '../vault/shred';

export const PACKS_DIR = 'packs';
/** A pack is closed at whichever comes first. */
export const PACK_MAX_ENTRIES = 4096;
export const PACK_MAX_BYTES = 256 * 1024 * 1024;
export const NAME_LEN = 16;
const ENTRY_LEN = NAME_LEN + 8 + 4;
const INDEX_MAGIC = Buffer.from('SDPIDX01');
const INDEX_HEAD = INDEX_MAGIC.length + 4 + 8;
const ID = /^(\d+)\.[0-9a-f]{16}$/;
const fsyncAsync = promisify(fsync);

/** Tests only: the process kills itself at this step (crash-safety tests of the rewrite). */
const KILL_AT = process.env.SD_TEST_PACK_KILL_AT;
function step(name: string): void {
  if (KILL_AT === name) process.kill(process.pid, 'SIGKILL');
}

export interface PackLoc { pack: string; offset: number; length: number }

interface PackIndex { id: string; names: Buffer; offsets: Float64Array; lengths: Uint32Array }

const aadOf = (id: string) => Buffer.from(`pack-index:${id}`);

function find(ix: PackIndex, name: Buffer): number {
  let lo = 0;
  let hi = ix.lengths.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = ix.names.compare(name, 0, NAME_LEN, mid * NAME_LEN, (mid + 1) * NAME_LEN);
    if (c === 0) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

function parseIndex(dataKey: Buffer, id: string, sealed: Buffer): PackIndex {
  const body = openSmall(dataKey, sealed, aadOf(id));
  if (body.length < INDEX_HEAD || !body.subarray(0, INDEX_MAGIC.length).equals(INDEX_MAGIC)) throw new BlobIntegrityError('not a pack index');
  const n = body.readUInt32BE(INDEX_MAGIC.length);
  if (body.length !== INDEX_HEAD + n * ENTRY_LEN) throw new BlobIntegrityError('pack index of the wrong length');
  const names = Buffer.alloc(n * NAME_LEN);
  const offsets = new Float64Array(n);
  const lengths = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const at = INDEX_HEAD + i * ENTRY_LEN;
    body.copy(names, i * NAME_LEN, at, at + NAME_LEN);
    offsets[i] = Number(body.readBigUInt64BE(at + NAME_LEN));
    lengths[i] = body.readUInt32BE(at + NAME_LEN + 8);
  }
  return { id, names, offsets, lengths };
}

function buildIndex(dataKey: Buffer, id: string, entries: Array<{ name: Buffer; offset: number; length: number }>, packSize: number): Buffer {
  const sorted = [...entries].sort((a, b) => Buffer.compare(a.name, b.name));
  const body = Buffer.alloc(INDEX_HEAD + sorted.length * ENTRY_LEN);
  INDEX_MAGIC.copy(body, 0);
  body.writeUInt32BE(sorted.length, INDEX_MAGIC.length);
  body.writeBigUInt64BE(BigInt(packSize), INDEX_MAGIC.length + 4);
  sorted.forEach((e, i) => {
    const at = INDEX_HEAD + i * ENTRY_LEN;
    e.name.copy(body, at, 0, NAME_LEN);
    body.writeBigUInt64BE(BigInt(e.offset), at + NAME_LEN);
    body.writeUInt32BE(e.length, at + NAME_LEN + 8);
  });
  return sealSmall(dataKey, body, aadOf(id));
}

/** The pack set of each store this thread has used (a worker's module state is its own). */
const sets = new Map<string, PackSet>();

/**
 * Drops this thread's loaded indexes and the keys they were opened with (a profile closed; a test
 * that alters an index in place: a loaded index is trusted until its name leaves the folder).
 */
export function forgetPackSets(): void {
  sets.clear();
}

/** The packs of the store in `storeDir` sealed with `dataKey`. */
export function packSet(storeDir: string, dataKey: Buffer): PackSet {
  const dir = join(storeDir, PACKS_DIR);
  let s = sets.get(dir);
  if (!s || !s.keyIs(dataKey)) {
    s = new PackSet(dir, dataKey);
    sets.set(dir, s);
  }
  return s;
}

export class PackSet {
  private readonly indexes = new Map<string, PackIndex>();
  /** Which packs may hold a name; rebuilt when a pack is dropped (`stale`). */
  private readonly directory = new PackDirectory<PackIndex>();
  private stale = false;
  /** Indexes that did not open (altered, swapped, truncated): what they held is refused, not missing. */
  private readonly damaged = new Set<string>();
  private listing: string | null = null;
  /** Removals of this thread, one after another (two rewrites of one pack would each keep the other's blob). */
  private removing: Promise<unknown> = Promise.resolve();

  constructor(readonly dir: string, private readonly dataKey: Buffer) {}

  private forget(id: string): void {
    if (this.indexes.delete(id)) this.stale = true;
  }

  keyIs(key: Buffer): boolean {
    return this.dataKey.equals(key);
  }

  packPath(id: string): string {
    return join(this.dir, `${id}.pack`);
  }

  private indexPath(id: string): string {
    return join(this.dir, `${id}.idx`);
  }

  /** Reloads the indexes when the folder's list of them changed. */
  refresh(): void {
    let files: string[];
    try {
      files = readdirSync(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      files = [];
    }
    const ids = files.filter((f) => f.endsWith('.idx') && ID.test(f.slice(0, -4))).map((f) => f.slice(0, -4)).sort();
    const listing = ids.join('/');
    if (listing === this.listing) return;
    const now = new Set(ids);
    for (const id of [...this.indexes.keys()]) if (!now.has(id)) this.forget(id);
    for (const id of [...this.damaged]) if (!now.has(id)) this.damaged.delete(id);
    for (const id of ids) {
      if (this.indexes.has(id) || this.damaged.has(id)) continue;
      try {
        const ix = parseIndex(this.dataKey, id, readFileSync(this.indexPath(id)));
        this.indexes.set(id, ix);
        if (!this.stale) this.directory.add(ix);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // removed meanwhile: the next listing differs
        this.damaged.add(id);
      }
    }
    this.listing = listing;
  }

  /** Where the blob named `name` is packed, or null. `fresh`: the listing is checked first. */
  locate(name: Buffer, fresh = true): PackLoc | null {
    if (fresh) this.refresh();
    if (this.stale) {
      this.directory.reset(this.indexes.values());
      this.stale = false;
    }
    for (const ix of this.directory.candidates(name)) {
      const i = find(ix, name);
      if (i >= 0) return { pack: this.packPath(ix.id), offset: ix.offsets[i]!, length: ix.lengths[i]! };
    }
    return null;
  }

  /** A blob that is not found while an index did not open may be one it held: refused, not "missing". */
  assertIntact(): void {
    if (this.damaged.size > 0) throw new BlobIntegrityError('a pack index of this store is damaged or does not belong to its pack');
  }

  /** A new pack, written by the caller then finished (or aborted). */
  writer(): PackWriter {
    return new PackWriter(this, this.dataKey);
  }

  /**
   * Removes the blobs named `names` from their packs: each pack holding any of them rewritten once
   * without them (or removed whole when nothing else in it is kept), its old bytes shredded.
   */
  async removeMany(names: readonly Buffer[]): Promise<void> {
    const run = this.removing.then(() => this.removeNow(names));
    this.removing = run.catch(() => undefined);
    await run;
  }

  private async removeNow(names: readonly Buffer[]): Promise<void> {
    this.refresh();
    const drop = new Set(names.map((n) => n.subarray(0, NAME_LEN).toString('hex')));
    const touched: string[] = [];
    for (const ix of this.indexes.values()) {
      for (const n of names) if (find(ix, n) >= 0) { touched.push(ix.id); break; }
    }
    for (const id of touched) await this.rewrite(id, drop);
    await this.sweep();
  }

  private async rewrite(id: string, drop: Set<string>): Promise<void> {
    const ix = this.indexes.get(id)!;
    const others = [...this.indexes.values()].filter((o) => o.id !== id);
    const keep: number[] = [];
    for (let i = 0; i < ix.lengths.length; i++) {
      const name = ix.names.subarray(i * NAME_LEN, (i + 1) * NAME_LEN);
      if (drop.has(name.toString('hex'))) continue;
      // Already in another pack (a rewrite a crash cut after its new pack was indexed): not copied twice.
      if (others.some((o) => find(o, name) >= 0)) continue;
      keep.push(i);
    }
    if (keep.length > 0) {
      const w = this.writer();
      const fd = openSync(this.packPath(id), 'r');
      try {
        for (const i of keep) {
          const length = ix.lengths[i]!;
          const buf = Buffer.allocUnsafe(length);
          let got = 0;
          while (got < length) {
            const n = readSync(fd, buf, got, length - got, ix.offsets[i]! + got);
            if (n === 0) throw new BlobIntegrityError('a pack is shorter than its index says');
            got += n;
          }
          w.add(ix.names.subarray(i * NAME_LEN, (i + 1) * NAME_LEN), buf);
        }
      } catch (err) {
        w.abort();
        throw err;
      } finally {
        closeSync(fd);
      }
      await w.finish();
      await syncDir(this.dir);
    }
    step('rewrite:new-indexed');
    // A marker named by this process says the old pack is to be shredded: killed before that, the next
    // sweep does it (the pack's own name carries its writer's pid, maybe a process still alive).
    const doom = join(this.dir, `${process.pid}.${randomBytes(8).toString('hex')}.doom`);
    const fd = openSync(doom, 'wx', 0o600);
    try {
      writeSync(fd, id);
      await fsyncAsync(fd);
    } finally {
      closeSync(fd);
    }
    // Then the old index: from here the removed blobs are not readable through the store.
    rmSync(this.indexPath(id), { force: true });
    this.forget(id);
    this.listing = null;
    await syncDir(this.dir);
    step('rewrite:old-unindexed');
    await shred(this.packPath(id));
    rmSync(doom, { force: true });
    await syncDir(this.dir);
  }

  /**
   * Shreds what dead processes left: temporary packs and indexes, and packs without an index (a write
   * cut before its index took its name, or a rewrite cut after the old index went). A live process's
   * (this one's included: its worker threads may be writing) are left alone.
   */
  async sweep(): Promise<void> {
    let files: string[];
    try {
      files = await fsp.readdir(this.dir);
    } catch {
      return;
    }
    const have = new Set(files);
    for (const f of files) {
      // A rewrite killed before it shredded the old pack: shredded now, unless its index is still there
      // (killed before the index went: the pack is still the live copy, and the retry rewrites it).
      const d = /^(\d+)\.[0-9a-f]{16}\.doom$/.exec(f);
      if (d && !processAlive(Number(d[1]))) {
        const id = readFileSync(join(this.dir, f), 'utf8');
        if (ID.test(id) && !have.has(`${id}.idx`)) await shred(this.packPath(id));
        rmSync(join(this.dir, f), { force: true });
        continue;
      }
      const m = /^((\d+)\.[0-9a-f]{16})\.(pack|idx\.tmp|pack\.tmp)$/.exec(f);
      if (!m || processAlive(Number(m[2]))) continue;
      if (m[3] === 'pack' && have.has(`${m[1]}.idx`)) continue;
      await shred(join(this.dir, f));
    }
  }
}

/** One pack being written: blobs appended, then synced once, indexed and renamed into place. */
export class PackWriter {
  readonly id = `${process.pid}.${randomBytes(8).toString('hex')}`;
  private fd = -1;
  private size = 0;
  private readonly entries: Array<{ name: Buffer; offset: number; length: number }> = [];

  constructor(private readonly set: PackSet, private readonly dataKey: Buffer) {}

  private get tmpPack(): string {
    return `${this.set.packPath(this.id)}.tmp`;
  }

  private get tmpIndex(): string {
    return join(this.set.dir, `${this.id}.idx.tmp`);
  }

  get count(): number {
    return this.entries.length;
  }

  get full(): boolean {
    return this.entries.length >= PACK_MAX_ENTRIES || this.size >= PACK_MAX_BYTES;
  }

  /** Appends one sealed blob under its name (the first NAME_LEN bytes of its HMAC name). */
  add(name: Buffer, sealed: Buffer): void {
    if (this.fd < 0) {
      mkdirSync(this.set.dir, { recursive: true, mode: PRIVATE_DIR_MODE });
      this.fd = openSync(this.tmpPack, 'wx', 0o600);
    }
    for (let off = 0; off < sealed.length;) off += writeSync(this.fd, sealed, off, sealed.length - off);
    this.entries.push({ name: Buffer.from(name.subarray(0, NAME_LEN)), offset: this.size, length: sealed.length });
    this.size += sealed.length;
  }

  /** Synced, indexed, renamed into place (the pack first, its index last). The caller syncs the folder. */
  async finish(): Promise<void> {
    if (this.fd < 0) return;
    try {
      await fsyncAsync(this.fd);
      closeSync(this.fd);
      this.fd = -1;
      const fd = openSync(this.tmpIndex, 'wx', 0o600);
      try {
        const index = buildIndex(this.dataKey, this.id, this.entries, this.size);
        for (let off = 0; off < index.length;) off += writeSync(fd, index, off, index.length - off);
        await fsyncAsync(fd);
      } finally {
        closeSync(fd);
      }
      step('pack:written');
      renameSync(this.tmpPack, this.set.packPath(this.id));
      step('pack:renamed');
      renameSync(this.tmpIndex, join(this.set.dir, `${this.id}.idx`));
    } catch (err) {
      this.abort();
      throw err;
    }
  }

  abort(): void {
    try { if (this.fd >= 0) closeSync(this.fd); } catch { /* already closed */ }
    this.fd = -1;
    rmSync(this.tmpPack, { force: true });
    rmSync(this.tmpIndex, { force: true });
  }
}

/** The size a pack's file has, to refuse a range past its end (a truncated pack). */
export function packSize(path: string): number {
  return statSync(path).size;
}

async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const fh = await fsp.open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
