// Offline packages as a service: export a selection the person may read, verify a received package,
// preview and import it within the person's clearance. Every export and import is audited (counts and
// the package id, never what the documents say).
import { DeskError } from '../../../common/errors';
import { secrecyRank, type Secrecy } from '../../../common/domain';
import type { IncomingFilter } from '../../../common/schemas';
import { appendAudit } from '../audit/auditLog';
import type { ContextSource, CoreContext } from '../context';
import type { CertInput, PrivateKeyOps, RecipientSpec } from '../crypto';
import { writeTx } from '../db/transaction';
import { listIncoming } from '../documents/incoming';
import { authorize, type Actor } from '../org/rights';
import { isPackageError } from './errors';
import { writePackage, type ExportResult, type LevelSelection } from './exporter';
import { selectOutgoing, workFileRecords } from './selectOutgoing';
import { mayKnowFile, type FileFacts } from '../workfiles/rules';
import { mergePackage, previewPackage, type MergeControl, type MergeResult, type Preview } from './importer';
import { openPackage, type OpenedPackage } from './open';

export interface PackageSelection extends Pick<IncomingFilter, 'query' | 'year' | 'registerId' | 'secrecy'> {
  /** Only the documents (incoming and issued outgoing) filed in this work file. */
  workFileId?: number;
}

export interface ExportInput {
  selection: PackageSelection;
  recipients: readonly (CertInput | RecipientSpec)[];
  /** The file to write; null: returned in memory (`ExportResult.data`). */
  out: string | null;
  /** The exporting person's signing key (their token). */
  signer: PrivateKeyOps;
}

export interface OpenInput {
  /** The package file, or its bytes (wiped once read). */
  file: string | Buffer;
  /** The person's decryption keys (their token) for an encrypted package; the one it is addressed to is used. */
  keys?: readonly PrivateKeyOps[];
}

/** Largest package accepted: 1 GiB (a package is decrypted and read in memory, never in clear on disk). */
export const MAX_PACKAGE_BYTES = 1024 ** 3;

export class PackageService {
  constructor(private readonly source: ContextSource) {}

  /** The documents of the selection this person may read, by level: incoming (need-to-know applied by the list) and issued outgoing. */
  private select(c: CoreContext, actor: Actor, sel: PackageSelection): Map<Secrecy, LevelSelection> {
    const out = new Map<Secrecy, LevelSelection>();
    const add = (level: Secrecy, kind: 'incoming' | 'outgoing', id: number) => {
      const s = out.get(level) ?? { incoming: [], outgoing: [] };
      out.set(level, { ...s, [kind]: [...s[kind], id] });
    };
    const incomingInFile = sel.workFileId === undefined ? null : workFileRecords(c.db, c.arms, actor, sel.workFileId, 'incoming');
    for (let offset = 0; ; offset += 500) {
      const rows = listIncoming(c.db, c.arms, actor, {
        ...(sel.query ? { query: sel.query } : {}), ...(sel.year ? { year: sel.year } : {}), ...(sel.registerId ? { registerId: sel.registerId } : {}),
        ...(sel.secrecy ? { secrecy: sel.secrecy } : {}), sort: { field: 'arrival', dir: 'asc' }, offset, limit: 500,
      }, c.now());
      for (const r of rows) {
        if (incomingInFile && !incomingInFile.has(r.id)) continue;
        if (secrecyRank(r.secrecy) > secrecyRank(actor.clearance)) continue;
        add(r.secrecy, 'incoming', r.id);
      }
      if (rows.length < 500) break;
    }
    for (const r of selectOutgoing(c.db, c.arms, actor, sel)) add(r.secrecy, 'outgoing', r.id);
    return out;
  }

  /** The work file, when the person may know of it (its need-to-know); NOT_FOUND otherwise, as the work files screen says. */
  async export(actor: Actor, input: ExportInput): Promise<ExportResult> {
    authorize(actor, 'doc.read');
    const c = this.source.context();
    await c.writable();
    const documents = this.select(c, actor, input.selection);
    const audit = (outcome: 'ok' | 'refused', details: Record<string, unknown>, reason?: string) =>
      writeTx(c.db, () => appendAudit(c.db, { userId: actor.id, action: 'package.export', outcome, ...(reason ? { reason } : {}), details }, c.now().toISOString()));
    try {
      const mayKnowWorkFile = (id: number) => {
        const f = c.db.prepare('SELECT * FROM main.work_files WHERE id = ?').get(id) as FileFacts | undefined;
        return f !== undefined && mayKnowFile(c.db, actor, f);
      };
      const r = await writePackage({ db: c.db, documents, mayKnowWorkFile, storeFor: (l) => c.storeFor(l), now: c.now() }, {
        signer: input.signer, exporterName: actor.fullName, recipients: input.recipients, selection: { ...input.selection }, out: input.out,
      });
      audit('ok', { package: r.packageId, levels: r.manifest.levels, documents: Object.fromEntries(Object.entries(r.manifest.counts.byLevel).map(([l, v]) => [l, v.documents])), outgoing: Object.fromEntries(Object.entries(r.manifest.counts.byLevel).map(([l, v]) => [l, v.outgoing ?? 0])), workFiles: r.manifest.counts.workFiles ?? 0, recipients: input.recipients.length, encrypted: r.manifest.encrypted });
      return r;
    } catch (e) {
      if (isPackageError(e)) audit('refused', { recipients: input.recipients.length }, e.code);
      throw e;
    }
  }

  /** Opens and verifies a package (signature, integrity, counts); the caller must close it. */
  async open(input: OpenInput, c: CoreContext = this.source.context()): Promise<OpenedPackage> {
    return openPackage(input.file, {
      ...(input.keys ? { keys: input.keys } : {}), trustAnchors: c.trustAnchors, maxBytes: MAX_PACKAGE_BYTES,
      maxFileBytes: c.attachmentLimit(), now: c.now(),
    });
  }

  async verify(actor: Actor, input: OpenInput): Promise<Preview> {
    authorize(actor, 'doc.read');
    const c = this.source.context();
    const pkg = await this.open(input, c);
    try {
      return previewPackage(this.target(c, actor), pkg);
    } finally {
      pkg.close();
    }
  }

  private target(c: CoreContext, actor: Actor) {
    return { db: c.db, clearance: actor.clearance, heldSchemas: c.arms.map((a) => a.schema) };
  }

  async import(actor: Actor, input: OpenInput & { dryRun?: boolean; control?: MergeControl }): Promise<MergeResult> {
    authorize(actor, 'doc.register');
    const c = this.source.context();
    await c.writable();
    let pkg: OpenedPackage;
    try {
      pkg = await this.open(input, c);
    } catch (e) {
      if (isPackageError(e)) writeTx(c.db, () => appendAudit(c.db, { userId: actor.id, action: 'package.import', outcome: 'refused', reason: e.code }, c.now().toISOString()));
      throw e;
    }
    try {
      if (input.dryRun) return { preview: previewPackage(this.target(c, actor), pkg), applied: 0, waiting: 0, conflicts: 0, filesPlaced: 0 };
      const refusedAll = previewPackage(this.target(c, actor), pkg).documents.every((d) => d.outcome === 'refused');
      if (refusedAll) throw new DeskError('FORBIDDEN', 'Bạn không có quyền nhập các văn bản trong gói này (độ mật vượt quá phạm vi được tiếp cận).');
      const now = c.now().toISOString();
      return await mergePackage(this.target(c, actor), pkg, (l) => c.storeFor(l), (db, preview) => {
        const m = pkg.manifest;
        db.prepare(`INSERT OR IGNORE INTO main.package_imports (package_id, agency_name, agency_code, exported_at, signer, imported_at, imported_by)
          VALUES (?,?,?,?,?,?,?)`).run(m.packageId, m.agency.name, m.agency.code, m.exportedAt, preview.signer, now, actor.id);
        const row = db.prepare('INSERT OR IGNORE INTO main.package_records (package_id, global_id, level, outcome, matched_global_id) VALUES (?,?,?,?,?)');
        let added = 0;
        for (const d of preview.documents) added += row.run(m.packageId, d.globalId, d.level, d.outcome, d.outcome === 'duplicate' ? d.detail : null).changes;
        const counts = Object.fromEntries(Object.entries(preview.byLevel));
        appendAudit(db, { userId: actor.id, action: 'package.import', details: { package: m.packageId, agency: m.agency.code, counts, recorded: added } }, now);
      }, input.control);
    } finally {
      pkg.close();
    }
  }
}
