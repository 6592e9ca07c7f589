// Bringing a verified package into this profile. The preview sorts every document: new, already here
// (same global id, nothing newer in the package), an update (same global id, the package has changes
// this profile lacks), a copy registered separately here (same number-symbol, issuer, document date
// and file), a conflict (here at another level), or refused (above the importing person's clearance,
// or a level this session does not hold). The merge then puts the new documents' and updates' events
// through the sync inbox (main/core/sync/apply.ts), which applies them by global id and is idempotent
// by event id: a package imported twice adds nothing.
import { secrecyRank, type Secrecy } from '../../../common/domain';
import type { AttachmentStore } from '../attachments/store';
import type { Db } from '../db/connection';
import { writeTx } from '../db/transaction';
import { applyReceived, receiveEvents } from '../sync/apply';
import type { OpenedPackage, PackageEvent } from './open';

export type DocumentOutcome = 'new' | 'already' | 'update' | 'duplicate' | 'conflict' | 'refused';

export interface PreviewDocument {
  globalId: string;
  level: Secrecy;
  register: string;
  outcome: DocumentOutcome;
  /** duplicate: the global id of the copy registered here; refused/conflict: why. */
  detail: string | null;
}

export interface Preview {
  packageId: string;
  agency: { name: string; code: string };
  exportedAt: string;
  signer: string | null;
  byLevel: Record<string, Record<DocumentOutcome, number>>;
  byRegister: Record<string, { name: string; documents: number }>;
  documents: PreviewDocument[];
}

export interface ImportTarget {
  db: Db;
  clearance: Secrecy;
  /** The compartment schemas this session holds (c_<level>). */
  heldSchemas: readonly string[];
}

const emptyCounts = (): Record<DocumentOutcome, number> => ({ new: 0, already: 0, update: 0, duplicate: 0, conflict: 0, refused: 0 });

const inLog = (db: Db, schema: string, id: string): boolean => db.prepare(`SELECT 1 FROM ${schema}.events WHERE id = ?`).get(id) !== undefined;

/** The same document registered separately here: number-symbol, issuer, document date and one of its files. */
function separateCopy(db: Db, schema: string, doc: Record<string, unknown>, fileHashes: readonly string[]): string | null {
  if (fileHashes.length === 0) return null;
  return (db.prepare(`SELECT i.global_id FROM ${schema}.incoming i WHERE i.number_symbol_key = ? AND i.issuer_key = ? AND i.document_date = ?
      AND EXISTS (SELECT 1 FROM ${schema}.attachments a WHERE a.incoming_id = i.id AND a.sha256 IN (SELECT value FROM json_each(?)))`)
    .pluck().get(doc.number_symbol_key, doc.issuer_key, doc.document_date, JSON.stringify(fileHashes)) as string | undefined) ?? null;
}

export function previewPackage(t: ImportTarget, pkg: OpenedPackage): Preview {
  const docs = new Map<string, PackageEvent[]>();
  for (const e of pkg.events) if (e.document) docs.set(e.document, [...(docs.get(e.document) ?? []), e]);
  const documents: PreviewDocument[] = [];
  const allSchemas = (t.db.pragma('database_list') as Array<{ name: string }>).map((d) => d.name).filter((n) => n.startsWith('c_'));
  for (const [gid, evs] of docs) {
    const schema = evs[0]!.schema;
    const level = schema.slice(2) as Secrecy;
    const last = [...evs].reverse().find((e) => e.event.entity === 'incoming' && e.event.entityId === gid && e.event.kind !== 'delete');
    const data = last?.event.data ?? {};
    const register = String(data.register_id ?? '');
    const d = (outcome: DocumentOutcome, detail: string | null = null) => documents.push({ globalId: gid, level, register, outcome, detail });
    if (secrecyRank(level) > secrecyRank(t.clearance)) {
      d('refused', `level ${level} is above the clearance ${t.clearance}`);
      continue;
    }
    if (!t.heldSchemas.includes(schema)) {
      d('refused', `this session does not hold level ${level}`);
      continue;
    }
    const elsewhere = allSchemas.find((s) => s !== schema && t.db.prepare(`SELECT 1 FROM ${s}.incoming WHERE global_id = ?`).get(gid));
    if (elsewhere) {
      d('conflict', `held here at level ${elsewhere.slice(2)}`);
      continue;
    }
    const here = t.db.prepare(`SELECT 1 FROM ${schema}.incoming WHERE global_id = ?`).get(gid) !== undefined;
    if (here) {
      d(evs.every((e) => inLog(t.db, schema, e.event.id)) ? 'already' : 'update');
      continue;
    }
    const hashes = evs.filter((e) => e.event.entity === 'attachments' && typeof e.event.data.sha256 === 'string').map((e) => e.event.data.sha256 as string);
    const copy = separateCopy(t.db, schema, data, [...new Set(hashes)]);
    d(copy ? 'duplicate' : 'new', copy);
  }
  const byLevel: Preview['byLevel'] = {};
  for (const doc of documents) (byLevel[doc.level] ??= emptyCounts())[doc.outcome] += 1;
  return {
    packageId: pkg.manifest.packageId, agency: pkg.manifest.agency, exportedAt: pkg.manifest.exportedAt,
    signer: pkg.signature.signer?.subject ?? null, byLevel, byRegister: pkg.manifest.counts.byRegister, documents,
  };
}

export interface MergeResult {
  preview: Preview;
  applied: number;
  /** Events left waiting for a record this profile lacks (see sync_inbox). */
  waiting: number;
  conflicts: number;
  filesPlaced: number;
}

/**
 * Merges the documents the preview found new or updated. Files are placed first (a crash between
 * leaves only files no record names yet, as sync does); the events, the provenance rows and the audit
 * entry go into the inboxes in one transaction, then the inboxes are applied.
 */
export async function mergePackage(
  t: ImportTarget, pkg: OpenedPackage, storeFor: (level: Secrecy) => AttachmentStore,
  record: (db: Db, preview: Preview) => void,
): Promise<MergeResult> {
  const preview = previewPackage(t, pkg);
  const take = new Set(preview.documents.filter((d) => d.outcome === 'new' || d.outcome === 'update').map((d) => d.globalId));
  const chosen = pkg.events.filter((e) => e.document !== null && take.has(e.document));
  let filesPlaced = 0;
  for (const f of pkg.manifest.files) {
    const named = chosen.some((e) => e.event.entity === 'attachments' && e.event.data.sha256 === f.sha256);
    if (!named) continue;
    const store = storeFor(f.level);
    if (await store.hasBlob(f.sha256)) continue;
    await store.putBytes(pkg.fileBytes(f.sha256));
    filesPlaced += 1;
  }
  // Base records only as far as the chosen documents need them (they are already here when in the log).
  const base = chosen.length > 0 ? pkg.events.filter((e) => e.schema === 'main') : [];
  const now = new Date();
  writeTx(t.db, () => {
    receiveEvents(t.db, 'main', base.map((e) => e.event), now);
    for (const schema of new Set(chosen.map((e) => e.schema))) receiveEvents(t.db, schema, chosen.filter((e) => e.schema === schema).map((e) => e.event), now);
    record(t.db, preview);
  });
  const result: MergeResult = { preview, applied: 0, waiting: 0, conflicts: 0, filesPlaced };
  for (const schema of ['main', ...new Set(chosen.map((e) => e.schema))]) {
    const r = applyReceived(t.db, schema);
    result.applied += r.applied + r.stale;
    result.waiting += r.waiting;
    result.conflicts += r.conflicts;
  }
  return result;
}
