// The files records name travel through the agency server apart from the events (issue 9 §2):
// - up: each file this workstation holds and the server lacks is uploaded as the level store keeps
//   it (sealed under the level key, bound to its hash; AttachmentStore.sealedBlob), once;
// - down: each file a record here names and the store lacks (missingBlobs) is downloaded into
//   <profile>/sync/blobs/<level>-<sha>.part; a transfer that broke resumes from the part's length with
//   Range and If-Range (the sealed bytes' hash as ETag), rather than starting again; once whole, the
//   bytes are checked against their ETag, then opened and checked against the file's hash by
//   placeSealed: a tampered file is refused and nothing of it is placed.
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { buffer } from 'node:stream/consumers';
import { join } from 'node:path';
import type { Secrecy } from '../../../common/domain';
import type { AttachmentStore } from '../attachments/store';
import type { Db } from '../db/connection';
import { schemaOf, type Level } from '../compartments/levels';
import { writeTx } from '../db/transaction';
import { enqueueOcr, hasOcrTables, hasOutgoingOcr, OCR_MIMES } from '../ocr/queue';
import { missingBlobs, namedBlobs } from './blobs';
import { API } from './protocol';
import type { ServerClient } from './ServerClient';
import { TransportError } from './transport';
import { RESUMABLE_ABOVE_BYTES, uploadResumable, UPLOAD_CHUNK_BYTES } from './resumableUpload';

export interface BlobHooks {
  readonly db: Db;
  readonly syncProfileDir: string;
  syncLevelStore(level: Level): AttachmentStore | null;
}

export interface BlobRound {
  uploaded: number;
  downloaded: number;
  /** Files named here that the server does not have yet (their workstation has not sent them). */
  waiting: number;
  /** Files refused (tampered, or not the file named): their hash and why. */
  refused: Array<{ level: Level; sha256: string; reason: string }>;
}

export type BlobStep = 'blob-part-saved' | 'blob-placed' | 'blob-uploaded';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

interface BlobHead { sealedSha256: string; size: number }

export interface BlobUploadOptions {
  /** Files above this size (sealed) go as a resumable upload (main/core/sync/resumableUpload.ts). */
  resumableAboveBytes?: number;
  chunkBytes?: number;
}

export class BlobSync {
  constructor(
    private readonly hooks: BlobHooks, private readonly client: ServerClient, private readonly levels: () => readonly Secrecy[],
    private readonly onStep?: (step: BlobStep, detail: { level: Level; sha256: string; bytes: number }) => void,
    private readonly uploadOptions: BlobUploadOptions = {},
  ) {}

  private partFile(level: Level, sha: string): string {
    const dir = join(this.hooks.syncProfileDir, 'sync', 'blobs');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return join(dir, `${level}-${sha}.part`);
  }

  async round(): Promise<BlobRound> {
    const out: BlobRound = { uploaded: 0, downloaded: 0, waiting: 0, refused: [] };
    for (const level of this.levels()) {
      const store = this.hooks.syncLevelStore(level);
      if (!store) continue;
      out.uploaded += await this.upload(level, store);
      const missing = await missingBlobs(this.hooks.db, schemaOf(level), store);
      for (let i = 0; i < missing.length; i += 1000) {
        const chunk = missing.slice(i, i + 1000);
        const heads = await this.query(level, chunk);
        for (const sha of chunk) {
          const head = heads.get(sha);
          if (!head) {
            out.waiting++;
            continue;
          }
          const r = await this.download(level, store, sha, head);
          if (r === 'placed') out.downloaded++;
          else out.refused.push({ level, sha256: sha, reason: r.refused });
        }
      }
      await this.queueHeldOutgoing(level, store);
    }
    return out;
  }

  /**
   * A synced draft version whose files' bytes were here already (carried over unchanged from the
   * version before, so never missing, never placed) is queued as well; the job then takes the pages
   * read from the earlier file instead of reading it again. Current-version files only, none twice.
   */
  private async queueHeldOutgoing(level: Level, store: AttachmentStore): Promise<void> {
    const { db } = this.hooks;
    const c = schemaOf(level);
    if (!hasOutgoingOcr(db, c)) return;
    const rows = db.prepare(`SELECT f.id, f.sha256 FROM ${c}.outgoing_files f JOIN ${c}.outgoing o ON o.id = f.outgoing_id
      WHERE f.version = o.version AND f.mime IN (SELECT value FROM json_each(?)) AND NOT EXISTS (SELECT 1 FROM ${c}.ocr_queue q WHERE q.attachment_id = f.id)`)
      .all(JSON.stringify(OCR_MIMES)) as Array<{ id: number; sha256: string }>;
    const held: number[] = [];
    for (const r of rows) if (await store.hasBlob(r.sha256)) held.push(r.id);
    if (held.length) writeTx(db, () => enqueueOcr(db, c, { outgoingFileIds: held }));
  }

  private async query(level: Level, shas: string[]): Promise<Map<string, BlobHead>> {
    const { data } = await this.client.authedJson<{ present: string[]; heads?: Record<string, BlobHead> }>('POST', `${API}/blobs/query`, { channel: level, sha256: shas });
    return new Map(data.present.map((sha) => [sha, data.heads?.[sha] ?? { sealedSha256: '', size: 0 }]));
  }

  /** The files held here that the server lacks, uploaded (the server keeps the first copy of each). */
  private async upload(level: Level, store: AttachmentStore): Promise<number> {
    const schema = schemaOf(level);
    const named = namedBlobs(this.hooks.db, schema);
    const held: string[] = [];
    for (const sha of [...named].sort()) if (await store.hasBlob(sha)) held.push(sha);
    let sent = 0;
    for (let i = 0; i < held.length; i += 1000) {
      const chunk = held.slice(i, i + 1000);
      const present = await this.query(level, chunk);
      for (const sha of chunk) {
        if (present.has(sha)) continue;
        const sealed = await buffer(store.sealedBlob(sha));
        const path = `${API}/blobs/${level}/${sha}`;
        const headers = { 'content-type': 'application/octet-stream', 'x-sealed-sha256': sha256(sealed) };
        // A large file in chunks from the server's offset: a broken upload resumes rather than restarts.
        const res = sealed.length > (this.uploadOptions.resumableAboveBytes ?? RESUMABLE_ABOVE_BYTES)
          ? await uploadResumable((o) => this.client.request('PUT', path, { ...(o.body ? { body: o.body } : {}), headers: { ...headers, ...o.headers } }), sealed, { chunkBytes: this.uploadOptions.chunkBytes ?? UPLOAD_CHUNK_BYTES })
          : await this.client.request('PUT', path, { body: sealed, headers });
        if (res.status !== 200 && res.status !== 201) throw new TransportError(`upload of a ${level} file: ${res.status} ${res.body.toString('utf8').slice(0, 200)}`, res.status, 'http');
        this.onStep?.('blob-uploaded', { level, sha256: sha, bytes: sealed.length });
        sent++;
      }
    }
    return sent;
  }

  /** Downloads one file, resuming a part kept from a broken transfer of the same version. */
  private async download(level: Level, store: AttachmentStore, sha: string, head: BlobHead): Promise<'placed' | { refused: string }> {
    const part = this.partFile(level, sha);
    const tagFile = `${part}.etag`;
    const etag = `"${head.sealedSha256}"`;
    // A part of another version of the file is of no use.
    if (!existsSync(tagFile) || readFileSync(tagFile, 'utf8') !== etag) {
      rmSync(part, { force: true });
      writeFileSync(tagFile, etag, { mode: 0o600 });
    }
    let offset = existsSync(part) ? statSync(part).size : 0;
    if (offset > head.size) {
      rmSync(part, { force: true });
      offset = 0;
    }
    if (offset < head.size) {
      const from = offset;
      let received = 0;
      const fd = openSync(part, 'a', 0o600);
      let res;
      try {
        res = await this.client.request('GET', `${API}/blobs/${level}/${sha}`, {
          headers: from > 0 ? { range: `bytes=${from}-`, 'if-range': etag } : {},
          onChunk: (c) => {
            writeSync(fd, c);
            received += c.length;
            this.onStep?.('blob-part-saved', { level, sha256: sha, bytes: from + received });
          },
        });
      } finally {
        closeSync(fd);
      }
      if (res.status === 416) rmSync(part, { force: true });
      if (res.status !== 200 && res.status !== 206) throw new TransportError(`download of a ${level} file: ${res.status}`, res.status, 'http');
      if (res.status === 200 && from > 0) {
        // A whole answer to a ranged request (the If-Range did not match): only this answer counts.
        const whole = readFileSync(part);
        writeFileSync(part, whole.subarray(from));
      }
    }
    return this.finish(level, store, sha, part, etag);
  }

  /**
   * A synced file is read here as a registered one is (OCR words are not synced: each workstation
   * indexes its own copy): the documents' files with this hash are queued in their compartment.
   * enqueueOcr leaves out files sealed for a named person and drafts, and is idempotent; an outgoing
   * document's file is queued the same way (its current version only).
   */
  private queueOcr(level: Level, sha: string): void {
    const { db } = this.hooks;
    const c = schemaOf(level);
    if (!hasOcrTables(db, c)) return;
    writeTx(db, () => {
      const ids = db.prepare(`SELECT id FROM ${c}.attachments WHERE sha256 = ?`).pluck().all(sha) as number[];
      if (ids.length) enqueueOcr(db, c, { attachmentIds: ids });
      // An outgoing document's files (its current version's; never by a signed copy's hash, whose
      // stamped number would pass for the page's own text).
      if (!hasOutgoingOcr(db, c)) return;
      const files = db.prepare(`SELECT id FROM ${c}.outgoing_files WHERE sha256 = ?`).pluck().all(sha) as number[];
      if (files.length) enqueueOcr(db, c, { outgoingFileIds: files });
    });
  }

  private async finish(level: Level, store: AttachmentStore, sha: string, part: string, etag: string): Promise<'placed' | { refused: string }> {
    const bytes = readFileSync(part);
    const drop = () => {
      rmSync(part, { force: true });
      rmSync(`${part}.etag`, { force: true });
    };
    if (`"${sha256(bytes)}"` !== etag) {
      drop();
      return { refused: 'the bytes received do not match the server\'s ETag' };
    }
    try {
      await store.placeSealed(sha, createReadStream(part));
    } catch (e) {
      drop();
      return { refused: (e as Error).message };
    }
    drop();
    this.queueOcr(level, sha);
    this.onStep?.('blob-placed', { level, sha256: sha, bytes: bytes.length });
    return 'placed';
  }
}
