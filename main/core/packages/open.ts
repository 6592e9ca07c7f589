// Opening a received package: decrypted (when sealed) in memory, never on disk, then every check
// before anything of it is used: the layout, the manifest's signature to the trust anchors, every
// event against the manifest's digest, every file against its hash, the counts, names and types.
// A truncated or tampered envelope fails its AES-GCM tag and nothing is left behind.
import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import type Database from 'better-sqlite3-multiple-ciphers';
import { decryptToBuffer, isAddressedTo, isCryptoError, readRecipientInfos, verifyDetached, type CertInput, type PrivateKeyOps, type VerifyResult } from '../crypto';
import { wireEventSchema, type WireEvent } from '../sync/wire';
import { PackageError } from './errors';
import { openLayout, type PackageEventRow } from './layout';
import { eventsDigest, manifestSchema, type Manifest } from './manifest';
import { checkFileName, checkFileType } from './safety';

export interface OpenOptions {
  /** The recipient's keys (the one the package is addressed to is used); not needed for an unencrypted (Thường only) package. */
  keys?: readonly PrivateKeyOps[];
  trustAnchors: readonly CertInput[];
  /** Largest package accepted (envelope and database, held in memory), bytes. */
  maxBytes: number;
  /** Largest single file accepted, bytes. */
  maxFileBytes: number;
  now?: Date;
}

export interface PackageEvent { schema: string; document: string | null; event: WireEvent }

export interface OpenedPackage {
  manifest: Manifest;
  manifestBytes: Buffer;
  signature: VerifyResult;
  events: PackageEvent[];
  fileBytes(sha256: string): Buffer;
  close(): void;
}

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

function cryptoToPackage(e: unknown): unknown {
  if (!isCryptoError(e)) return e;
  if (e.code === 'TRUNCATED') return new PackageError('TRUNCATED', `package envelope is truncated: ${e.message}`, 'Gói dữ liệu bị cắt cụt.');
  if (e.code === 'TAMPERED') return new PackageError('TAMPERED', `package envelope was altered: ${e.message}`, 'Gói dữ liệu đã bị sửa đổi.');
  if (e.code === 'NOT_A_RECIPIENT') return new PackageError('NOT_A_RECIPIENT', e.message, 'Gói dữ liệu không gửi cho chứng thư của bạn.');
  return new PackageError('NOT_A_PACKAGE', e.message, 'Tệp không phải gói dữ liệu SecureDesk hợp lệ.');
}

/**
 * `source`: a package file, or its bytes already in memory (a package staged through the window, read
 * from the person's sealed staging area: never written in clear). Bytes given are wiped on close.
 */
export async function openPackage(source: string | Buffer, opts: OpenOptions): Promise<OpenedPackage> {
  const inMemory = Buffer.isBuffer(source);
  const size = inMemory ? source.length : (await fsp.stat(source)).size;
  if (size > opts.maxBytes) throw new PackageError('TOO_LARGE', `package of ${size} bytes exceeds the limit of ${opts.maxBytes}`, 'Gói dữ liệu vượt quá dung lượng cho phép.');
  let plain: Buffer;
  const head = Buffer.alloc(16);
  if (inMemory) source.copy(head, 0, 0, 16);
  else {
    const fh = await fsp.open(source, 'r');
    try {
      await fh.read(head, 0, 16, 0);
    } finally {
      await fh.close();
    }
  }
  const envelope = () => (inMemory ? [source] : createReadStream(source));
  const sealed = !head.equals(SQLITE_MAGIC);
  if (!sealed) plain = inMemory ? source : await fsp.readFile(source);
  else {
    let infos: Uint8Array;
    try {
      infos = await readRecipientInfos(envelope());
    } catch (e) {
      throw cryptoToPackage(e);
    }
    const key = (opts.keys ?? []).find((k) => isAddressedTo(infos, k.certificate));
    if (!key) throw new PackageError('NOT_A_RECIPIENT', 'the package is not addressed to any of the keys given', 'Gói dữ liệu không gửi cho chứng thư của bạn.');
    try {
      // AES-GCM only (decryptToBuffer refuses CBC): nothing of the plaintext is used before the tag checks out.
      plain = await decryptToBuffer(envelope(), { key, maxBytes: opts.maxBytes });
    } catch (e) {
      throw cryptoToPackage(e);
    }
  }
  let db: Database.Database | undefined;
  const cleanup = () => {
    db?.close();
    plain.fill(0);
  };
  try {
    db = openLayout(plain, opts.maxBytes);
    const m = db.prepare('SELECT json, signature FROM manifest WHERE id = 1').get() as { json: Buffer; signature: Buffer } | undefined;
    if (!m || !Buffer.isBuffer(m.json) || !Buffer.isBuffer(m.signature)) throw new PackageError('NOT_A_PACKAGE', 'package has no manifest', 'Gói dữ liệu thiếu bản kê.');
    let signature: VerifyResult;
    try {
      signature = await verifyDetached(m.signature, m.json, { trustAnchors: opts.trustAnchors, ...(opts.now ? { now: opts.now } : {}) });
    } catch (e) {
      throw new PackageError('BAD_SIGNATURE', `manifest signature unreadable: ${(e as Error).message}`, 'Chữ ký trên bản kê không đọc được.');
    }
    if (!signature.valid) {
      const failed = Object.entries(signature.checks).filter(([, c]) => !c.ok).map(([k, c]) => `${k}: ${c.reason}`).join('; ');
      throw new PackageError('BAD_SIGNATURE', `manifest signature does not verify (${failed})`, `Chữ ký trên bản kê không hợp lệ: ${signature.messageVi}`);
    }
    let manifest: Manifest;
    try {
      manifest = manifestSchema.parse(JSON.parse(m.json.toString('utf8')));
    } catch (e) {
      throw new PackageError('NOT_A_PACKAGE', `manifest is not a SecureDesk package manifest: ${(e as Error).message}`, 'Bản kê của gói không đúng quy định.');
    }
    const rows = db.prepare('SELECT seq, schema, document, body FROM events ORDER BY seq').all() as PackageEventRow[];
    if (eventsDigest(rows.map((r) => r.body)) !== manifest.eventsSha256 || rows.length !== manifest.counts.events) {
      throw new PackageError('HASH_MISMATCH', 'the events do not match the signed manifest', 'Dữ liệu văn bản trong gói không khớp bản kê đã ký.');
    }
    if (manifest.encrypted !== sealed) throw new PackageError('NOT_A_PACKAGE', `the manifest says ${manifest.encrypted ? 'encrypted' : 'unencrypted'}, the package is not`, 'Bản kê của gói không khớp cách gói được niêm phong.');
    if (!sealed && manifest.levels.some((l) => l !== 'thuong')) throw new PackageError('NEEDS_RECIPIENTS', 'classified levels in an unencrypted package', 'Gói không mã hóa chứa văn bản mật.');
    const levelOf = new Map(manifest.records.map((r) => [r.globalId, r.level]));
    const events: PackageEvent[] = rows.map((r) => {
      const event = wireEventSchema.parse(JSON.parse(r.body));
      const level = r.schema === 'base' ? null : r.schema;
      if (!levelOf.has(event.entityId) || levelOf.get(event.entityId) !== level || (level !== null && !manifest.levels.includes(level as Manifest['levels'][number]))) {
        throw new PackageError('COUNT_MISMATCH', `event ${event.id} is for a record the manifest does not list at that level`, 'Gói chứa bản ghi không có trong bản kê.');
      }
      if ((event.entity === 'attachments' || event.entity === 'outgoing_files') && typeof event.data.name === 'string') checkFileName(event.data.name);
      // A document's row says its level; it must be the level it is filed under (a Tối mật record in the Thường part would pass as Thường).
      if ((event.entity === 'incoming' || event.entity === 'outgoing') && event.data.secrecy !== undefined && event.data.secrecy !== level) {
        throw new PackageError('LEVEL_MISMATCH', `record ${event.entityId} says level ${String(event.data.secrecy)} but is filed under ${String(level)}`, 'Gói chứa văn bản ghi độ mật khác với phần mà nó được xếp vào.');
      }
      if (event.entity === 'work_files' && event.data.secrecy !== undefined && event.data.secrecy !== 'thuong' && !sealed) {
        throw new PackageError('LEVEL_MISMATCH', `classified work file ${event.entityId} in an unencrypted package`, 'Gói không mã hóa chứa hồ sơ công việc mật.');
      }
      return { schema: level === null ? 'main' : `c_${level}`, document: r.document, event };
    });
    // Counts: incoming and outgoing documents per level, and work files, as the manifest says.
    const distinct = (schema: string, entity: string) => new Set(events.filter((e) => e.schema === schema && e.event.entity === entity).map((e) => e.event.entityId)).size;
    for (const level of manifest.levels) {
      const said = manifest.counts.byLevel[level];
      const [docs, outgoing] = [distinct(`c_${level}`, 'incoming'), distinct(`c_${level}`, 'outgoing')];
      if (docs !== said?.documents || outgoing !== (said.outgoing ?? 0)) {
        throw new PackageError('COUNT_MISMATCH', `level ${level}: ${docs} incoming and ${outgoing} outgoing documents, the manifest says ${said?.documents} and ${said?.outgoing ?? 0}`, 'Số văn bản trong gói không khớp bản kê.');
      }
    }
    if (distinct('main', 'work_files') !== (manifest.counts.workFiles ?? 0)) throw new PackageError('COUNT_MISMATCH', 'the work files do not match the manifest', 'Số hồ sơ công việc trong gói không khớp bản kê.');
    // Files: exactly those listed, each matching its hash, size, level and declared type.
    const listed = new Map(manifest.files.map((f) => [f.sha256, f]));
    const stored = db.prepare('SELECT sha256, level, mime, length(bytes) AS size FROM files').all() as Array<{ sha256: string; level: string; mime: string; size: number }>;
    if (stored.length !== listed.size) throw new PackageError('COUNT_MISMATCH', `${stored.length} files in the package, the manifest lists ${listed.size}`, 'Số tệp trong gói không khớp bản kê.');
    const read = db.prepare('SELECT bytes FROM files WHERE sha256 = ?').pluck();
    for (const f of stored) {
      const l = listed.get(f.sha256);
      if (!l || l.level !== f.level || l.mime !== f.mime || l.size !== f.size) throw new PackageError('HASH_MISMATCH', `file ${f.sha256} is not as the manifest lists it`, 'Tệp trong gói không khớp bản kê.');
      if (f.size > opts.maxFileBytes) throw new PackageError('TOO_LARGE', `file ${f.sha256} of ${f.size} bytes exceeds the limit of ${opts.maxFileBytes}`, 'Tệp trong gói vượt quá dung lượng cho phép.');
      const bytes = read.get(f.sha256) as Buffer;
      if (createHash('sha256').update(bytes).digest('hex') !== f.sha256) throw new PackageError('HASH_MISMATCH', `file ${f.sha256} does not match its hash`, 'Tệp trong gói không khớp mã băm trong bản kê.');
      checkFileType(f.sha256, f.mime, bytes);
    }
    return {
      manifest, manifestBytes: m.json, signature, events,
      fileBytes: (sha) => {
        if (!listed.has(sha)) throw new PackageError('HASH_MISMATCH', `file ${sha} is not in the package`, 'Gói thiếu tệp.');
        return read.get(sha) as Buffer;
      },
      close: cleanup,
    };
  } catch (e) {
    cleanup();
    throw e;
  }
}
