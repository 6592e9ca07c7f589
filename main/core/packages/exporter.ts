// Writes a package: the selected documents' events and files into the SQLite layout, the manifest
// signed by the exporting person's key, and the whole sealed for the recipients' certificates.
// Classified levels never leave unencrypted.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, promises as fsp } from 'node:fs';
import { Writable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { secrecyRank, type Secrecy } from '../../../common/domain';
import type { AttachmentStore } from '../attachments/store';
import { encryptStream, signDetached, type CertInput, type PrivateKeyOps, type RecipientSpec } from '../crypto';
import type { Db } from '../db/connection';
import { newGlobalId } from '../events/globalId';
import { collectBase, collectDocuments, type CollectedEvent } from './collect';
import { PackageError } from './errors';
import { createLayout } from './layout';
import { eventsDigest, PACKAGE_FORMAT, type Manifest } from './manifest';
import { checkFileName } from './safety';

export interface ExportSource {
  db: Db;
  /** The documents to export, by compartment: level -> incoming and outgoing row ids (already checked for the person). */
  documents: ReadonlyMap<Secrecy, LevelSelection>;
  /** The work file need-to-know of the exporting person (main/core/workfiles/rules.ts mayKnowFile). */
  mayKnowWorkFile(workFileId: number): boolean;
  storeFor(level: Secrecy): AttachmentStore;
  now: Date;
}

export interface LevelSelection { incoming: readonly number[]; outgoing: readonly number[] }

const sizeOf = (s: LevelSelection | undefined): number => (s ? s.incoming.length + s.outgoing.length : 0);

export interface ExportOptions {
  signer: PrivateKeyOps;
  exporterName: string;
  recipients: readonly (CertInput | RecipientSpec)[];
  selection: Record<string, unknown>;
  /** The file to write; null: the package is returned in memory (the window hands it out as a one-use output). */
  out: string | null;
}

export interface ExportResult {
  packageId: string;
  manifest: Manifest;
  bytes: number;
  /** The package itself, when no file was named. */
  data?: Buffer;
}

/** An outgoing document's files: each version as uploaded, and the signed PDF where there is one. */
async function outgoingFiles(src: ExportSource, schema: string, ids: readonly number[]): Promise<Array<{ name: string; sha256: string; size: number; mime: string }>> {
  const rows = src.db.prepare(`SELECT name, sha256, size, mime, signed_sha256 FROM ${schema}.outgoing_files WHERE outgoing_id IN (SELECT value FROM json_each(?))`)
    .all(JSON.stringify(ids)) as Array<{ name: string; sha256: string; size: number; mime: string; signed_sha256: string | null }>;
  const out = rows.map(({ signed_sha256: _, ...f }) => f);
  for (const r of rows) {
    if (!r.signed_sha256) continue;
    const store = src.storeFor(schema.slice(2) as Secrecy);
    if (!(await store.hasBlob(r.signed_sha256))) continue; // named but not arrived here yet (sync): it cannot travel either
    const blob = await buffer(store.openBlob(r.signed_sha256));
    out.push({ name: r.name, sha256: r.signed_sha256, size: blob.length, mime: 'application/pdf' });
    blob.fill(0);
  }
  return out;
}

export async function writePackage(src: ExportSource, opts: ExportOptions): Promise<ExportResult> {
  const levels = [...src.documents.keys()].filter((l) => sizeOf(src.documents.get(l)) > 0).sort((a, b) => secrecyRank(a) - secrecyRank(b));
  if (levels.length === 0) throw new PackageError('NOTHING_SELECTED', 'the selection holds no document the person may export', 'Không có văn bản nào trong phạm vi được chọn.');
  if (opts.recipients.length === 0 && levels.some((l) => l !== 'thuong')) {
    throw new PackageError('NEEDS_RECIPIENTS', `classified levels (${levels.filter((l) => l !== 'thuong').join(', ')}) are only exported encrypted for named recipients`, 'Văn bản mật chỉ được xuất trong gói mã hóa cho người nhận có tên.');
  }
  const agency = src.db.prepare('SELECT name, coalesce(code, \'\') AS code FROM main.units WHERE is_self = 1').get() as { name: string; code: string } | undefined;
  const packageId = newGlobalId();
  const docEvents: CollectedEvent[] = [];
  const records: Manifest['records'] = [];
  const byLevel: Manifest['counts']['byLevel'] = {};
  const byRegister: Manifest['counts']['byRegister'] = {};
  const files = new Map<string, Manifest['files'][number]>();
  for (const level of levels) {
    const schema = `c_${level}`;
    const sel = src.documents.get(level)!;
    const counts = { documents: sel.incoming.length, outgoing: sel.outgoing.length, files: 0 };
    const hashes = new Set<string>();
    for (const kind of ['incoming', 'outgoing'] as const) {
      const ids = sel[kind];
      if (ids.length === 0) continue;
      const got = collectDocuments(src.db, schema, kind, ids, { mayKnowWorkFile: src.mayKnowWorkFile });
      docEvents.push(...got.events);
      records.push(...got.records.map((r) => ({ ...r, level })));
      const reg = src.db.prepare(`SELECT r.global_id AS gid, r.name FROM ${schema}.${kind} d JOIN main.registers r ON r.id = d.register_id WHERE d.id = ?`);
      for (const id of ids) {
        const r = reg.get(id) as { gid: string; name: string } | undefined;
        if (r) byRegister[r.gid] = { name: r.name, documents: (byRegister[r.gid]?.documents ?? 0) + 1 };
      }
      // Outgoing: every version of each file, and the signed PDF (the PAdES signatures made on it).
      const atts = kind === 'incoming'
        ? src.db.prepare(`SELECT DISTINCT name, sha256, size, mime FROM ${schema}.attachments WHERE incoming_id IN (SELECT value FROM json_each(?))`).all(JSON.stringify(ids)) as Array<{ name: string; sha256: string; size: number; mime: string }>
        : await outgoingFiles(src, schema, ids);
      for (const a of atts) {
        checkFileName(a.name);
        files.set(a.sha256, { sha256: a.sha256, size: a.size, level, mime: a.mime });
        hashes.add(a.sha256);
      }
    }
    counts.files = hashes.size;
    byLevel[level] = counts;
  }
  const base = collectBase(src.db, docEvents);
  records.push(...base.records.map((r) => ({ ...r, level: null })));
  // A work file takes the highest level of its documents: its title and history never leave in clear above Thường.
  const workFiles = base.records.filter((r) => r.entity === 'work_files').map((r) => r.globalId);
  const classifiedFiles = src.db.prepare("SELECT count(*) FROM main.work_files WHERE secrecy <> 'thuong' AND global_id IN (SELECT value FROM json_each(?))").pluck().get(JSON.stringify(workFiles)) as number;
  if (opts.recipients.length === 0 && classifiedFiles > 0) {
    throw new PackageError('NEEDS_RECIPIENTS', `${classifiedFiles} classified work files are only exported encrypted for named recipients`, 'Hồ sơ công việc mật chỉ được xuất trong gói mã hóa cho người nhận có tên.');
  }
  const all = [...base.events, ...docEvents];
  const bodies = all.map((c) => JSON.stringify(c.event));
  const key = opts.signer;
  const manifest: Manifest = {
    format: PACKAGE_FORMAT, packageId, agency: agency ?? { name: '', code: '' }, exportedAt: src.now.toISOString(),
    exportedBy: { name: opts.exporterName, certificateSha256: createHash('sha256').update(key.certificate).digest('hex') },
    selection: opts.selection, levels, encrypted: opts.recipients.length > 0,
    counts: { byLevel, byRegister, workFiles: workFiles.length, events: all.length }, eventsSha256: eventsDigest(bodies), records, files: [...files.values()],
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 2));
  const signature = await signDetached(manifestBytes, { key, signingTime: src.now });

  const pkg = createLayout();
  let bytes: Buffer;
  try {
    pkg.transaction(() => {
      pkg.prepare('INSERT INTO manifest (id, json, signature) VALUES (1, ?, ?)').run(manifestBytes, Buffer.from(signature));
      const ins = pkg.prepare('INSERT INTO events (seq, schema, document, body) VALUES (?,?,?,?)');
      all.forEach((c, i) => ins.run(i + 1, c.schema === 'main' ? 'base' : c.schema.slice(2), c.document, bodies[i]));
    })();
    const putFile = pkg.prepare('INSERT INTO files (sha256, level, mime, bytes) VALUES (?,?,?,?)');
    for (const f of files.values()) {
      const blob = await buffer(src.storeFor(f.level).openBlob(f.sha256));
      if (createHash('sha256').update(blob).digest('hex') !== f.sha256) throw new Error(`stored file ${f.sha256} does not match its hash`);
      putFile.run(f.sha256, f.level, f.mime, blob);
    }
    bytes = pkg.serialize();
  } finally {
    pkg.close();
  }
  if (opts.out === null) {
    try {
      const parts: Buffer[] = [];
      if (opts.recipients.length > 0) {
        await encryptStream([bytes], new Writable({ write(chunk: Buffer, _enc, cb) { parts.push(Buffer.from(chunk)); cb(); } }), { recipients: opts.recipients });
      } else parts.push(Buffer.from(bytes));
      const data = Buffer.concat(parts);
      return { packageId, manifest, bytes: data.length, data };
    } finally {
      bytes.fill(0);
    }
  }
  // Written beside its destination and renamed when complete: a reader never sees half a package.
  const out = opts.out;
  const part = `${out}.${randomBytes(4).toString('hex')}.part`;
  try {
    if (opts.recipients.length > 0) await encryptStream([bytes], createWriteStream(part, { mode: 0o600 }), { recipients: opts.recipients });
    else await fsp.writeFile(part, bytes, { mode: 0o600 });
    await fsp.rename(part, out);
  } catch (e) {
    await fsp.rm(part, { force: true });
    throw e;
  } finally {
    bytes.fill(0);
  }
  return { packageId, manifest, bytes: (await fsp.stat(out)).size };
}
