// The attachment store: files are copied in (never referenced in place), hashed while they are
// copied, written under a temporary name and renamed only once complete. Blobs are content-addressed
// by SHA-256 so the same file registered twice is kept once.
//
// Staging: a chosen file is first copied to staging/<person>/<id> with its metadata beside it, sealed
// with that person's own key (compartments/personalKeys.ts): nobody else's token opens it. Registration
// seals it again, streamed, into the level's store before the database transaction and removes the
// staged copy only after commit. Before a new blob is written a marker (<id>.<pid>.<rand>.placing,
// sealed) names it; at the person's next unlock each marker is checked against the level's records
// and a blob no record took is removed (personalSession.ts), so a crash leaves no orphaned blob.
//
// At rest, with a data key (every profile bound to a token): staged files and blobs are in the
// chunked AES-GCM format of blobCipher.ts, staging metadata is sealed, and a blob's file name is an
// HMAC of its hash under the data key, so not even the hash of a known document shows on disk.
// Without a data key (profiles from before token binding, until they are encrypted) files are plain.
//
// A bulk import's blobs are appended to pack files instead (packs.ts, `placeMany`): every read and
// "already there" check finds a blob as its own file first, then in a pack; removal and destruction
// (`removeBlobs`, `destroyBlob`) rewrite a pack without the blobs that go.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { PassThrough, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DeskError } from '../../../common/errors';
import {
  BlobIntegrityError, blobBinding, blobFormatOf, decryptBlobStream, encryptBlobBuffer, encryptBlobStream, openSmall, plaintextSize, sealSmall, stagedBinding,
} from './blobCipher';
import { cleanFileName, looksLikePdf, mimeFor } from './fileKinds';
import { packSet, packSize, type PackLoc, type PackSet } from './packs';
import { processAlive } from '../processAlive';
import { shred } from '../vault/shred';
import { makePrivateDir, PRIVATE_DIR_MODE } from '../privateFiles';

export interface StagedMeta {
  stagedId: string;
  name: string;
  size: number;
  sha256: string;
  mime: string;
  isPdf: boolean;
  userId: number;
  createdAt: string;
}

/** A blob about to be written for a staged file, named by its marker (resolved at the next unlock). */
export interface Placing {
  file: string;
  /** The folder name of the store the blob went to (`<level>-files`). */
  store: string;
  sha256: string;
}

/** How a store's staging area behaves: whose it is, and what happens when someone names another's file. */
export interface StagingOptions {
  /** The profile's staging folder (one folder per person): where a file staged by someone else is recognized. */
  root?: string;
  /** A person named a file someone else staged (the caller audits it). */
  onForeign?: (stagedId: string) => void;
  /** No personal key this session: nothing is staged or read from staging. */
  closed?: boolean;
}

const STAGED_ID = /^[0-9a-f]{32}$/;
/** placeFile seals files up to this size in memory (a worker holds one at a time). */
const PLACE_IN_MEMORY = 4 * 1024 * 1024;
const SHA256 = /^[0-9a-f]{64}$/;
const PLACING = /^([0-9a-f]{32})\.(\d+)\.[0-9a-f]{8}\.placing$/;

export class AttachmentStore {
  constructor(
    private readonly storeDir: string,
    private readonly stagingDir: string,
    private readonly dataKey: Buffer | null = null,
    /**
     * Staged files are sealed with the staging person's own key (a level is chosen only at
     * registration); the blobs of a compartment's store with its level's key. Default: the same key.
     */
    private readonly stagingKey: Buffer | null = dataKey,
    private readonly staging: StagingOptions = {},
  ) {}

  /** The store of one compartment: its own folder and key, the same staging area. */
  forLevel(storeDir: string, levelKey: Buffer): AttachmentStore {
    return new AttachmentStore(storeDir, this.stagingDir, levelKey, this.stagingKey, this.staging);
  }

  /** This store's blobs with the staging area of `from` (a person's): registration seals from it into this store. */
  withStaging(from: AttachmentStore): AttachmentStore {
    return new AttachmentStore(this.storeDir, from.stagingDir, this.dataKey, from.stagingKey, from.staging);
  }

  /** A person's staging area under this one's folder, sealed with their personal key. */
  forPerson(person: string, personalKey: Buffer, opts: Omit<StagingOptions, 'root' | 'closed'> = {}): AttachmentStore {
    if (!/^[0-9a-f-]{36}$/.test(person)) throw new Error('invalid person id');
    return new AttachmentStore(this.storeDir, join(this.stagingDir, person), this.dataKey, personalKey, { ...opts, root: this.stagingDir });
  }

  /** This store with staging refused (a session without a personal key). */
  withStagingClosed(): AttachmentStore {
    return new AttachmentStore(this.storeDir, this.stagingDir, this.dataKey, null, { closed: true });
  }

  private assertStagingOpen(): void {
    if (this.staging.closed) throw DeskError.keyed('CRYPTO', 'personal.keyMissing', undefined, { details: { code: 'PERSONAL_KEY' } });
  }

  /** A staged file's plaintext, decrypted as it is read (to seal it for a named person). */
  openStaged(stagedId: string): Readable {
    this.assertStagingOpen();
    const raw = createReadStream(this.stagedPath(stagedId));
    return this.stagingKey ? raw.pipe(decryptBlobStream(this.stagingKey, stagedBinding(stagedId))) : raw;
  }

  /**
   * Stores bytes (an envelope sealed for someone) as a blob under their own hash; returns the hash.
   * `stagedId`: the staged file it was made from (a marker names the blob until its record commits).
   */
  async putBytes(bytes: Buffer, stagedId?: string, opts: { durable?: boolean } = {}): Promise<string> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (await this.hasBlob(sha256)) return sha256;
    await fsp.mkdir(dirname(this.blobPath(sha256)), { recursive: true, mode: PRIVATE_DIR_MODE });
    if (stagedId !== undefined) await this.markPlacing(stagedId, sha256);
    await this.writeBound(Readable.from([bytes]), null, sha256, opts.durable === true);
    return sha256;
  }

  /**
   * Before a new blob is written for a staged file: a marker naming it, sealed with the staging key and
   * synced, so that a crash before the record commits leaves a blob that the next unlock finds and removes.
   */
  private async markPlacing(stagedId: string, sha256: string): Promise<void> {
    if (!this.stagingKey) return; // a plain profile from before encryption: nothing to mark
    const name = `${stagedId}.${process.pid}.${randomBytes(4).toString('hex')}.placing`;
    const body = sealSmall(this.stagingKey, Buffer.from(JSON.stringify({ store: basename(this.storeDir), sha256 })), Buffer.from(`placing:${stagedId}`));
    const fh = await fsp.open(join(this.stagingDir, name), 'wx', 0o600);
    try {
      await fh.writeFile(body);
      await fh.sync();
    } finally {
      await fh.close();
    }
  }

  /**
   * One marker for many blobs about to be written into `into` (a bulk import places a batch at a time):
   * sealed and synced once, resolved at the next unlock like the others. Returns its path, to remove
   * once the batch's records are committed.
   */
  async markPlacingMany(into: AttachmentStore, sha256s: readonly string[]): Promise<string | null> {
    this.assertStagingOpen();
    if (!this.stagingKey || sha256s.length === 0) return null;
    const tag = randomBytes(16).toString('hex');
    const name = `${tag}.${process.pid}.${randomBytes(4).toString('hex')}.placing`;
    const body = sealSmall(this.stagingKey, Buffer.from(JSON.stringify({ store: into.storeName, sha256s })), Buffer.from(`placing:${tag}`));
    const file = join(this.stagingDir, name);
    const fh = await fsp.open(file, 'wx', 0o600);
    try {
      await fh.writeFile(body);
      await fh.sync();
    } finally {
      await fh.close();
    }
    return file;
  }

  /**
   * What a worker thread of this process needs to write this store's blobs exactly as this store does
   * (importer's file workers): the folders and keys. Never leaves the process.
   */
  handoff(): { storeDir: string; stagingDir: string; dataKey: Buffer | null; stagingKey: Buffer | null } {
    return { storeDir: this.storeDir, stagingDir: this.stagingDir, dataKey: this.dataKey, stagingKey: this.stagingKey };
  }

  /**
   * Stores a plain file as the blob of `sha256` (idempotent), read and encrypted as it streams; refused
   * (BlobIntegrityError, nothing placed) when the file's bytes are no longer those of `sha256`. The
   * caller marks the placing first (markPlacingMany). `durable`: the blob's bytes are synced before it
   * takes its name, and its folder is returned for the caller to sync once for all of a batch's blobs
   * (syncFolders), before the commit that refers to them.
   */
  async placeFile(path: string, sha256: string, opts: { durable?: boolean } = {}): Promise<string> {
    const target = this.blobPath(sha256);
    // Already there (placed by a run a kill stopped before its folders were synced): its folder is synced again.
    if (await exists(target)) return dirname(target);
    if (this.packed(sha256)) return this.packs!.dir;
    await fsp.mkdir(dirname(target), { recursive: true, mode: PRIVATE_DIR_MODE });
    const { size } = await fsp.stat(path);
    if (!this.dataKey || size > PLACE_IN_MEMORY) {
      await this.writeBound(createReadStream(path, { highWaterMark: 256 * 1024 }), null, sha256, opts.durable === true);
      return dirname(target);
    }
    // A scan of a few hundred KB: read, checked and sealed in memory (the stream machinery costs more than the work).
    const plain = await fsp.readFile(path);
    if (createHash('sha256').update(plain).digest('hex') !== sha256) throw new BlobIntegrityError('the stored file does not belong under this content hash');
    const tmp = `${target}.${randomBytes(4).toString('hex')}.part`;
    try {
      const fh = await fsp.open(tmp, 'wx', 0o600);
      try {
        await fh.writeFile(encryptBlobBuffer(this.dataKey, blobBinding(sha256), plain));
        if (opts.durable) await fh.sync();
      } finally {
        await fh.close();
      }
      await fsp.rename(tmp, target);
    } catch (err) {
      await fsp.rm(tmp, { force: true });
      throw err;
    }
    return dirname(target);
  }

  /**
   * Seals plain files already in memory as the blobs of their hashes (idempotent): the import's
   * workers, which read each file once, hashed it and keep those very bytes (the caller vouches that
   * each `plain` hashes to its `sha256`; a function reads it when its turn comes and checks that).
   * Appended to pack files (packs.ts), not a file each: one pack per call (split at its caps), synced
   * once, indexed, renamed into place. Returns the folders that received them, for the caller to sync
   * once per batch (syncFolders) before the commit that refers to them. For worker threads only: its
   * small calls are synchronous.
   */
  async placeMany(files: ReadonlyArray<{ sha256: string; plain: Buffer | (() => Buffer) }>): Promise<string[]> {
    if (!this.dataKey) throw new Error('no data key');
    const packs = this.packs!;
    packs.refresh();
    const folders = new Set<string>();
    const seen = new Set<string>();
    let w = packs.writer();
    try {
      for (const f of files) {
        const name = this.blobName(f.sha256);
        // Already there (the same file twice, or placed by a run a kill stopped before its folders were synced).
        const loose = this.blobPath(f.sha256);
        if (existsSync(loose)) { folders.add(dirname(loose)); continue; }
        if (seen.has(f.sha256) || packs.locate(name, false)) { folders.add(packs.dir); continue; }
        seen.add(f.sha256);
        w.add(name, encryptBlobBuffer(this.dataKey, blobBinding(f.sha256), typeof f.plain === 'function' ? f.plain() : f.plain));
        folders.add(packs.dir);
        if (w.full) { await w.finish(); w = packs.writer(); }
      }
      await w.finish();
    } catch (err) {
      w.abort();
      throw err;
    }
    return [...folders];
  }

  /**
   * Syncs the folders blobs were placed in (their new names), and the store's own folder (a new
   * sub-folder's name): once per batch, not once per blob. Windows cannot open a folder to sync it
   * (NTFS journals names itself): skipped there.
   */
  async syncFolders(folders: Iterable<string>): Promise<void> {
    if (process.platform === 'win32') return;
    for (const dir of new Set([...folders, this.storeDir])) {
      const fh = await fsp.open(dir, 'r');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
    }
  }

  /**
   * The markers of blobs placed for this staging area by processes that are gone (or by this one: at
   * unlock nothing of this person is in flight here). Unreadable markers are dropped.
   */
  async placings(): Promise<Placing[]> {
    if (!this.stagingKey) return [];
    const out: Placing[] = [];
    for (const f of await fsp.readdir(this.stagingDir).catch(() => [] as string[])) {
      const m = PLACING.exec(f);
      if (!m || (Number(m[2]) !== process.pid && processAlive(Number(m[2])))) continue;
      const file = join(this.stagingDir, f);
      try {
        const o = JSON.parse(openSmall(this.stagingKey, await fsp.readFile(file), Buffer.from(`placing:${m[1]}`)).toString('utf8')) as { store?: unknown; sha256?: unknown; sha256s?: unknown };
        // One blob, or a batch's (markPlacingMany): each hash is a placing of the same marker file.
        const list = typeof o.sha256 === 'string' ? [o.sha256] : Array.isArray(o.sha256s) ? o.sha256s : [];
        const store = o.store;
        if (typeof store === 'string' && list.length > 0 && list.every((h) => typeof h === 'string' && SHA256.test(h))) out.push(...(list as string[]).map((sha256) => ({ file, store, sha256 })));
        else await fsp.rm(file, { force: true });
      } catch {
        await fsp.rm(file, { force: true });
      }
    }
    return out;
  }

  /** The folder name of this store (`<level>-files` for a compartment's). */
  get storeName(): string {
    return basename(this.storeDir);
  }

  /** Removes a blob no record refers to (after a registration that never committed). */
  async removeBlob(sha256: string): Promise<void> {
    await this.removeBlobs([sha256]);
  }

  /**
   * Removes blobs no record refers to (a cut import's batch): loose files removed, and each pack that
   * holds any of them rewritten once without them (removed whole when nothing else in it is kept).
   */
  async removeBlobs(sha256s: readonly string[]): Promise<void> {
    for (const sha of sha256s) await fsp.rm(this.blobPath(sha), { force: true });
    await this.unpack(sha256s);
  }

  /**
   * Destroys a blob (destruction, a record moved to another level, an unreadable copy): a loose file
   * overwritten, synced and removed; a packed one leaves nothing readable (its pack rewritten without it
   * and the old pack shredded). Returns once no copy of it is readable.
   */
  async destroyBlob(sha256: string): Promise<void> {
    await shred(this.blobPath(sha256));
    await this.unpack([sha256]);
  }

  private async unpack(sha256s: readonly string[]): Promise<void> {
    const packs = this.packs;
    if (!packs || sha256s.length === 0) return;
    await packs.removeMany(sha256s.map((sha) => this.blobName(sha)));
  }

  /** This store's pack files (an encrypted store's only). */
  private get packs(): PackSet | null {
    return this.dataKey ? packSet(this.storeDir, this.dataKey) : null;
  }

  /** Where a blob is packed, if it is (looked up after its loose file). */
  private packed(sha256: string): PackLoc | null {
    return this.packs?.locate(this.blobName(sha256)) ?? null;
  }

  /**
   * Takes over the files `userId` staged in a legacy staging area (`legacy`: the base's, sealed with
   * the base key, from before personal keys): each is sealed again, streamed, under this area's key and
   * the old copy shredded. Returns how many were taken over.
   */
  async adoptStaged(legacy: AttachmentStore, userId: number): Promise<number> {
    if (!this.stagingKey || !legacy.stagingKey) return 0;
    let n = 0;
    for (const f of await fsp.readdir(legacy.stagingDir).catch(() => [] as string[])) {
      if (!STAGED_ID.test(f) || !(await exists(`${legacy.stagedPath(f)}.json`))) continue;
      let meta: StagedMeta;
      try {
        meta = await legacy.readMeta(f);
      } catch {
        continue; // not readable with the base key: not a legacy staged file
      }
      if (meta.userId !== userId) continue;
      const part = `${this.stagedPath(f)}.${process.pid}.part`;
      try {
        await pipeline(legacy.openStaged(f), encryptBlobStream(this.stagingKey, stagedBinding(f)), createWriteStream(part, { flags: 'w', mode: 0o600 }));
      } catch {
        await fsp.rm(part, { force: true });
        continue; // a damaged legacy file stays where it is
      }
      await fsp.writeFile(`${this.stagedPath(f)}.json`, this.sealMeta(meta), { mode: 0o600 });
      await fsp.rename(part, this.stagedPath(f));
      await shredFile(legacy.stagedPath(f));
      await shredFile(`${legacy.stagedPath(f)}.json`);
      n++;
    }
    return n;
  }

  /** Removes a person's staging area under this one (their key is gone: what it holds can no longer be read). */
  async removePersonalArea(person: string): Promise<void> {
    if (!/^[0-9a-f-]{36}$/.test(person)) throw new Error('invalid person id');
    await fsp.rm(join(this.stagingDir, person), { recursive: true, force: true });
  }

  /** Removes a resolved placing marker. */
  async removeBlobMarker(file: string): Promise<void> {
    if (dirname(file) !== this.stagingDir || !PLACING.test(basename(file))) throw new Error('not a marker of this staging area');
    await fsp.rm(file, { force: true });
  }

  /** Copies a blob of another store into this one, decrypted with that store's key and sealed with this one's. */
  async importBlob(from: AttachmentStore, sha256: string): Promise<void> {
    if (await this.hasBlob(sha256)) return;
    await fsp.mkdir(dirname(this.blobPath(sha256)), { recursive: true, mode: PRIVATE_DIR_MODE });
    await this.writeBound(from.openBlob(sha256), null, sha256);
  }

  /**
   * A blob as stored: sealed under this store's key, bound to its hash. What the sync carries between
   * workstations that share the level's key; the server in between sees only these bytes.
   */
  sealedBlob(sha256: string): Readable {
    if (!this.dataKey) throw new Error('no data key');
    const path = this.blobPath(sha256);
    if (existsSync(path)) return createReadStream(path);
    const at = this.packed(sha256);
    if (!at) {
      this.packs!.assertIntact();
      return createReadStream(path); // missing: errors as a missing file does
    }
    // A pack cut short is refused here rather than sent as a truncated blob.
    if (packSize(at.pack) < at.offset + at.length) return new Readable({ read() { this.destroy(new BlobIntegrityError('a pack is shorter than its index says')); } });
    return createReadStream(at.pack, { start: at.offset, end: at.offset + at.length - 1 });
  }

  /**
   * Places a blob sealed by another workstation under the same level key: opened and checked in full
   * against its hash, then sealed afresh here. A blob that does not open or does not match is refused
   * with BlobIntegrityError and nothing is placed.
   */
  async placeSealed(sha256: string, sealed: Readable): Promise<void> {
    if (!this.dataKey) throw new Error('no data key');
    if (await this.hasBlob(sha256)) {
      sealed.resume();
      return;
    }
    await fsp.mkdir(dirname(this.blobPath(sha256)), { recursive: true, mode: PRIVATE_DIR_MODE });
    await this.writeBound(sealed, decryptBlobStream(this.dataKey, blobBinding(sha256)), sha256);
  }

  get encrypted(): boolean {
    return this.dataKey !== null;
  }

  async init(): Promise<void> {
    makePrivateDir(this.storeDir);
    makePrivateDir(this.stagingDir);
    // The 256 shard folders of a store an older version made 0755 (the blobs themselves are not walked).
    for (const e of await fsp.readdir(this.storeDir, { withFileTypes: true })) if (e.isDirectory()) makePrivateDir(join(this.storeDir, e.name));
    // Packs (and parts of packs) that dead processes left unindexed: shredded (one may be a rewrite's old pack).
    await this.packs?.sweep();
    // Partial copies from a crash are worthless: their source is still with the user.
    // Another process may be staging into the same profile right now: its parts carry its pid.
    for (const f of await fsp.readdir(this.stagingDir)) {
      if (!f.endsWith('.part')) continue;
      const pid = /^[0-9a-f]{32}\.(\d+)\.part$/.exec(f)?.[1];
      if (pid === undefined || !processAlive(Number(pid))) await fsp.rm(join(this.stagingDir, f), { force: true });
    }
  }

  /** Where a blob's own file is (a blob of a bulk import may be in a pack instead: hasBlob, openBlob). */
  blobPath(sha256: string): string {
    const name = this.dataKey ? this.blobName(sha256).toString('hex') : sha256;
    if (!SHA256.test(sha256)) throw new Error('invalid blob hash');
    return join(this.storeDir, name.slice(0, 2), name);
  }

  /** A blob's name on disk: an HMAC of its hash under the data key (its first NAME_LEN bytes name it in a pack). */
  private blobName(sha256: string): Buffer {
    if (!SHA256.test(sha256)) throw new Error('invalid blob hash');
    return createHmac('sha256', this.dataKey!).update(`blob:${sha256}`).digest();
  }

  /** Where a blob was kept before the profile was encrypted (content hash as the name). */
  plainBlobPath(sha256: string): string {
    if (!SHA256.test(sha256)) throw new Error('invalid blob hash');
    return join(this.storeDir, sha256.slice(0, 2), sha256);
  }

  private stagedPath(id: string): string {
    if (!STAGED_ID.test(id)) throw DeskError.keyed('VALIDATION', 'attachments.invalid');
    return join(this.stagingDir, id);
  }

  /** Copies a stream into staging, enforcing the size limit while it flows. */
  async stage(source: Readable, rawName: string, limitBytes: number, userId: number): Promise<StagedMeta> {
    this.assertStagingOpen();
    const stagedId = randomBytes(16).toString('hex');
    const name = cleanFileName(rawName);
    const part = `${this.stagedPath(stagedId)}.${process.pid}.part`;
    const hash = createHash('sha256');
    let size = 0;
    let head = Buffer.alloc(0);
    const meter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        size += chunk.length;
        if (size > limitBytes) {
          cb(DeskError.keyed('FILE_TOO_LARGE', 'file.tooLarge', { name, limit: formatMb(limitBytes) }, { details: { limitBytes } }));
          return;
        }
        if (head.length < 1024) head = Buffer.concat([head, chunk.subarray(0, 1024 - head.length)]);
        hash.update(chunk);
        cb(null, chunk);
      },
    });
    try {
      const sink = createWriteStream(part, { flags: 'wx', mode: 0o600 });
      if (this.stagingKey) await pipeline(source, meter, encryptBlobStream(this.stagingKey, stagedBinding(stagedId)), sink);
      else await pipeline(source, meter, sink);
    } catch (err) {
      await fsp.rm(part, { force: true });
      if (err instanceof DeskError) throw err;
      throw DeskError.keyed('FILE_UNREADABLE', 'file.unreadable', { name }, { details: { cause: (err as Error).message } });
    }
    if (size === 0) {
      await fsp.rm(part, { force: true });
      throw DeskError.keyed('FILE_EMPTY', 'file.empty', { name });
    }
    const meta: StagedMeta = {
      stagedId, name, size, sha256: hash.digest('hex'), mime: mimeFor(name, head), isPdf: looksLikePdf(head),
      userId, createdAt: new Date().toISOString(),
    };
    await fsp.writeFile(`${this.stagedPath(stagedId)}.json`, this.sealMeta(meta), { mode: 0o600 });
    await fsp.rename(part, this.stagedPath(stagedId));
    return meta;
  }

  private sealMeta(meta: StagedMeta): Buffer {
    const json = Buffer.from(JSON.stringify(meta));
    return this.stagingKey ? sealSmall(this.stagingKey, json) : json;
  }

  private async readMeta(stagedId: string): Promise<StagedMeta> {
    const raw = await fsp.readFile(`${this.stagedPath(stagedId)}.json`);
    return JSON.parse((this.stagingKey ? openSmall(this.stagingKey, raw) : raw).toString('utf8')) as StagedMeta;
  }

  /**
   * A file this person staged. One another person staged (in their own staging area, or in the base's
   * from before personal keys) is FORBIDDEN, reported to `onForeign`; one that is not there, NOT_FOUND.
   */
  async stagedMeta(stagedId: string, userId: number): Promise<StagedMeta> {
    this.assertStagingOpen();
    const path = this.stagedPath(stagedId);
    try {
      const meta = await this.readMeta(stagedId);
      await fsp.access(path);
      if (meta.userId !== userId) throw new Error('staged by another user');
      return meta;
    } catch {
      if (await this.stagedElsewhere(stagedId)) {
        this.staging.onForeign?.(stagedId);
        throw DeskError.keyed('FORBIDDEN', 'staged.otherPerson', undefined, { at: 'stagedIds', details: { code: 'STAGED_BY_OTHER' } });
      }
      throw DeskError.keyed('NOT_FOUND', 'staged.gone', undefined, { at: 'stagedIds' });
    }
  }

  private async stagedElsewhere(stagedId: string): Promise<boolean> {
    const root = this.staging.root;
    if (!root) return false;
    if (await exists(join(root, stagedId))) return true;
    for (const e of await fsp.readdir(root, { withFileTypes: true }).catch(() => [])) {
      if (e.isDirectory() && join(root, e.name) !== this.stagingDir && (await exists(join(root, e.name, stagedId)))) return true;
    }
    return false;
  }

  /**
   * Puts a staged file into the store (idempotent). Call before the database transaction. Encrypted:
   * the staged file (bound to its staging id) is re-encrypted bound to its content hash, which is
   * checked on the way; written under a temporary name and renamed, so a crash leaves no half blob.
   */
  async promote(stagedId: string): Promise<void> {
    this.assertStagingOpen();
    const meta = await this.readMeta(stagedId);
    const target = this.blobPath(meta.sha256);
    await fsp.mkdir(dirname(target), { recursive: true, mode: PRIVATE_DIR_MODE });
    if (this.dataKey) {
      if (await this.hasBlob(meta.sha256)) return; // same content already stored
      await this.markPlacing(stagedId, meta.sha256);
      await this.writeBound(createReadStream(this.stagedPath(stagedId)), decryptBlobStream(this.stagingKey!, stagedBinding(stagedId)), meta.sha256);
      return;
    }
    try {
      await fsp.link(this.stagedPath(stagedId), target);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return; // same content already stored
      if (code !== 'EPERM' && code !== 'EXDEV' && code !== 'ENOTSUP') throw err;
      // File systems without hard links: copy under a temporary name, then rename.
      const tmp = `${target}.${randomBytes(4).toString('hex')}.part`;
      await fsp.copyFile(this.stagedPath(stagedId), tmp);
      await fsp.rename(tmp, target);
    }
  }

  /**
   * Encrypts `plain` (after `decode`, when given) into the blob file of `sha256`, bound to it: a
   * temporary file renamed into place only when the plaintext's hash is `sha256`.
   */
  private async writeBound(source: Readable, decode: Transform | null, sha256: string, durable = false): Promise<void> {
    if (!this.dataKey) throw new Error('no data key');
    const target = this.blobPath(sha256);
    const tmp = `${target}.${randomBytes(4).toString('hex')}.part`;
    const hash = createHash('sha256');
    const meter = new Transform({ transform(c: Buffer, _e, cb) { hash.update(c); cb(null, c); } });
    const sink = createWriteStream(tmp, { flags: 'wx', mode: 0o600 });
    try {
      if (decode) await pipeline(source, decode, meter, encryptBlobStream(this.dataKey, blobBinding(sha256)), sink);
      else await pipeline(source, meter, encryptBlobStream(this.dataKey, blobBinding(sha256)), sink);
      if (hash.digest('hex') !== sha256) throw new BlobIntegrityError('the stored file does not belong under this content hash');
      if (durable) {
        const fh = await fsp.open(tmp, 'r+');
        try {
          await fh.sync();
        } finally {
          await fh.close();
        }
      }
      await fsp.rename(tmp, target);
    } catch (err) {
      await fsp.rm(tmp, { force: true });
      throw err;
    }
  }

  /**
   * Encrypts a blob kept in the clear by an older version (profile being encrypted in place): the
   * encrypted copy is written and renamed into place first, the plain file removed only then.
   */
  async encryptPlainBlob(sha256: string): Promise<void> {
    if (!this.dataKey) throw new Error('no data key');
    const plain = this.plainBlobPath(sha256);
    const target = this.blobPath(sha256);
    if (!(await exists(plain))) return;
    if (!(await exists(target))) {
      await fsp.mkdir(dirname(target), { recursive: true, mode: PRIVATE_DIR_MODE });
      try {
        await this.writeBound(createReadStream(plain), null, sha256);
      } catch (err) {
        if (err instanceof BlobIntegrityError) throw new Error(`plain blob ${sha256} does not match its hash; left in place`);
        throw err;
      }
    }
    await shredFile(plain);
  }

  /** Staged plain files from before encryption are worthless (their source is with the user). */
  async sweepPlainStaging(): Promise<void> {
    for (const e of await fsp.readdir(this.stagingDir, { withFileTypes: true }).catch(() => [])) if (e.isFile()) await shredFile(join(this.stagingDir, e.name));
  }

  async discard(stagedId: string): Promise<void> {
    const path = this.stagedPath(stagedId);
    await fsp.rm(path, { force: true });
    await fsp.rm(`${path}.json`, { force: true });
  }

  /**
   * The plaintext of a blob, decrypted as it streams (nothing is written anywhere). A blob that is not
   * the one stored under `sha256` errors with BlobIntegrityError before its first byte. A blob in the
   * previous format is first checked in full against `sha256` and rewritten bound to it.
   */
  openBlob(sha256: string): Readable {
    const path = this.blobPath(sha256);
    const dataKey = this.dataKey;
    if (!dataKey) return createReadStream(path);
    const out = new PassThrough();
    (async () => {
      const at = (await exists(path)) ? null : this.packed(sha256);
      if (at) {
        // Packed (always format 2): the range, which its binding checks like a file of its own.
        if (packSize(at.pack) < at.offset + at.length) throw new BlobIntegrityError('a pack is shorter than its index says');
        await pipeline(createReadStream(at.pack, { start: at.offset, end: at.offset + at.length - 1 }), decryptBlobStream(dataKey, blobBinding(sha256)), out);
        return;
      }
      if (!(await exists(path))) this.packs!.assertIntact();
      if ((await blobFormatAt(path)) === 1) await this.upgradeLegacyBlob(sha256);
      await pipeline(createReadStream(path), decryptBlobStream(dataKey, blobBinding(sha256)), out);
    })().catch((err: unknown) => out.destroy(err as Error));
    return out;
  }

  /** Rewrites a format-1 blob in format 2, after checking its whole plaintext against `sha256`. */
  private async upgradeLegacyBlob(sha256: string): Promise<void> {
    const path = this.blobPath(sha256);
    try {
      await this.writeBound(createReadStream(path), decryptBlobStream(this.dataKey!, Buffer.alloc(0)), sha256);
    } catch (err) {
      // Another reader may have upgraded it meanwhile (Windows cannot rename over an open file).
      if (!(err instanceof BlobIntegrityError) && (await blobFormatAt(path)) === 2) return;
      throw err;
    }
  }

  async blobSize(sha256: string): Promise<number> {
    const path = this.blobPath(sha256);
    const at = this.dataKey && !(await exists(path)) ? this.packed(sha256) : null;
    if (at) return plaintextSize(at.length);
    if (this.dataKey && !(await exists(path))) this.packs!.assertIntact();
    const { size } = await fsp.stat(path);
    return this.dataKey ? plaintextSize(size) : size;
  }

  /** Whether the blob is here, as its own file or in a pack. */
  async hasBlob(sha256: string): Promise<boolean> {
    if (await exists(this.blobPath(sha256))) return true;
    return this.packed(sha256) !== null;
  }
}

const exists = (p: string) => fsp.access(p).then(() => true, () => false);

async function blobFormatAt(path: string): Promise<1 | 2 | null> {
  const fh = await fsp.open(path, 'r');
  try {
    const head = Buffer.alloc(8);
    await fh.read(head, 0, 8, 0);
    return blobFormatOf(head);
  } finally {
    await fh.close();
  }
}

function formatMb(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MB`;
}

async function shredFile(file: string): Promise<void> {
  try {
    const { size } = await fsp.stat(file);
    const fh = await fsp.open(file, 'r+');
    try {
      await fh.write(Buffer.alloc(Math.min(size, 1 << 20)), 0, Math.min(size, 1 << 20), 0);
      for (let off = 1 << 20; off < size; off += 1 << 20) await fh.write(Buffer.alloc(Math.min(1 << 20, size - off)), 0, Math.min(1 << 20, size - off), off);
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    /* absent */
  }
  await fsp.rm(file, { force: true });
}
