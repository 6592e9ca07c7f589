// The attachment store: files are copied in (never referenced in place), hashed while they are
// copied, written under a temporary name and renamed only once complete. Blobs are content-addressed
// by SHA-256 so the same file registered twice is kept once.
//
// Staging: a chosen file is first copied to staging/<id> with its metadata beside it; registration
// hard-links the staged file into the store before the database transaction and removes the staged
// copy only after commit, so a crash at any point loses nothing (at worst an unreferenced blob).
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fsp, type ReadStream } from 'node:fs';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DeskError } from '../../../common/errors';
import { cleanFileName, looksLikePdf, mimeFor } from './fileKinds';

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

const STAGED_ID = /^[0-9a-f]{32}$/;
const SHA256 = /^[0-9a-f]{64}$/;

export class AttachmentStore {
  constructor(
    private readonly storeDir: string,
    private readonly stagingDir: string,
  ) {}

  async init(): Promise<void> {
    await fsp.mkdir(this.storeDir, { recursive: true });
    await fsp.mkdir(this.stagingDir, { recursive: true });
    // Partial copies from a crash are worthless: their source is still with the user.
    for (const f of await fsp.readdir(this.stagingDir)) if (f.endsWith('.part')) await fsp.rm(join(this.stagingDir, f), { force: true });
  }

  blobPath(sha256: string): string {
    if (!SHA256.test(sha256)) throw new Error('invalid blob hash');
    return join(this.storeDir, sha256.slice(0, 2), sha256);
  }

  private stagedPath(id: string): string {
    if (!STAGED_ID.test(id)) throw new DeskError('VALIDATION', 'Tệp đính kèm không hợp lệ.');
    return join(this.stagingDir, id);
  }

  /** Copies a stream into staging, enforcing the size limit while it flows. */
  async stage(source: Readable, rawName: string, limitBytes: number, userId: number): Promise<StagedMeta> {
    const stagedId = randomBytes(16).toString('hex');
    const name = cleanFileName(rawName);
    const part = `${this.stagedPath(stagedId)}.part`;
    const hash = createHash('sha256');
    let size = 0;
    let head = Buffer.alloc(0);
    const meter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        size += chunk.length;
        if (size > limitBytes) {
          cb(new DeskError('FILE_TOO_LARGE', `Tệp "${name}" vượt quá giới hạn ${formatMb(limitBytes)}.`, { details: { limitBytes } }));
          return;
        }
        if (head.length < 1024) head = Buffer.concat([head, chunk.subarray(0, 1024 - head.length)]);
        hash.update(chunk);
        cb(null, chunk);
      },
    });
    try {
      await pipeline(source, meter, createWriteStream(part, { flags: 'wx' }));
    } catch (err) {
      await fsp.rm(part, { force: true });
      if (err instanceof DeskError) throw err;
      throw new DeskError('FILE_UNREADABLE', `Không đọc được tệp "${name}".`, { details: { cause: (err as Error).message } });
    }
    if (size === 0) {
      await fsp.rm(part, { force: true });
      throw new DeskError('FILE_EMPTY', `Tệp "${name}" rỗng (0 byte).`);
    }
    const meta: StagedMeta = {
      stagedId, name, size, sha256: hash.digest('hex'), mime: mimeFor(name, head), isPdf: looksLikePdf(head),
      userId, createdAt: new Date().toISOString(),
    };
    await fsp.writeFile(`${this.stagedPath(stagedId)}.json`, JSON.stringify(meta));
    await fsp.rename(part, this.stagedPath(stagedId));
    return meta;
  }

  async stagedMeta(stagedId: string, userId: number): Promise<StagedMeta> {
    const path = this.stagedPath(stagedId);
    try {
      const meta = JSON.parse(await fsp.readFile(`${path}.json`, 'utf8')) as StagedMeta;
      await fsp.access(path);
      if (meta.userId !== userId) throw new Error('staged by another user');
      return meta;
    } catch {
      throw new DeskError('NOT_FOUND', 'Tệp đính kèm đã tải lên không còn. Vui lòng chọn lại tệp.', { fields: { stagedIds: 'Tệp đính kèm đã tải lên không còn. Vui lòng chọn lại tệp.' } });
    }
  }

  /** Puts a staged file into the store (idempotent). Call before the database transaction. */
  async promote(stagedId: string): Promise<void> {
    const meta = JSON.parse(await fsp.readFile(`${this.stagedPath(stagedId)}.json`, 'utf8')) as StagedMeta;
    const target = this.blobPath(meta.sha256);
    await fsp.mkdir(join(this.storeDir, meta.sha256.slice(0, 2)), { recursive: true });
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

  async discard(stagedId: string): Promise<void> {
    const path = this.stagedPath(stagedId);
    await fsp.rm(path, { force: true });
    await fsp.rm(`${path}.json`, { force: true });
  }

  openBlob(sha256: string): ReadStream {
    return createReadStream(this.blobPath(sha256));
  }

  async hasBlob(sha256: string): Promise<boolean> {
    return fsp.access(this.blobPath(sha256)).then(() => true, () => false);
  }
}

function formatMb(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MB`;
}
