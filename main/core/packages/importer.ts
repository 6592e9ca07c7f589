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
import { numberSymbolKey, issuerKey } from '../documents/duplicates';
import { baseNeeds, type DocumentKind } from './collect';
import { PackageError } from './errors';
import type { OpenedPackage, PackageEvent } from './open';

export type DocumentOutcome = 'new' | 'already' | 'update' | 'duplicate' | 'conflict' | 'refused';

export interface PreviewDocument {
  globalId: string;
  kind: DocumentKind;
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
  /** Outcomes per level of the outgoing documents alone (byLevel counts every document). */
  outgoingByLevel: Record<string, Record<DocumentOutcome, number>>;
  documents: PreviewDocument[];
  /** The work files the package carries, as far as the documents that come in need them. */
  workFiles: PreviewWorkFile[];
}

export interface PreviewWorkFile {
  globalId: string;
  code: string;
  title: string;
  level: Secrecy;
  /** new, already (nothing newer), update, conflict (another file here has its year and code), refused (above clearance). */
  outcome: Exclude<DocumentOutcome, 'duplicate'>;
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

/**
 * The same outgoing document held here: as an outgoing document (same number-symbol, issue date and one
 * of its files), or received and registered here as incoming (the exporting agency as issuer).
 */
function separateOutgoingCopy(db: Db, schema: string, doc: Record<string, unknown>, agency: string, fileHashes: readonly string[]): string | null {
  if (fileHashes.length === 0 || typeof doc.number_symbol !== 'string' || typeof doc.issued_date !== 'string') return null;
  const hashes = JSON.stringify(fileHashes);
  const asOutgoing = db.prepare(`SELECT o.global_id FROM ${schema}.outgoing o WHERE o.number_symbol = ? AND o.issued_date = ?
      AND EXISTS (SELECT 1 FROM ${schema}.outgoing_files f WHERE f.outgoing_id = o.id AND (f.sha256 IN (SELECT value FROM json_each(?)) OR f.signed_sha256 IN (SELECT value FROM json_each(?))))`)
    .pluck().get(doc.number_symbol, doc.issued_date, hashes, hashes) as string | undefined;
  return asOutgoing ?? separateCopy(db, schema, { number_symbol_key: numberSymbolKey(doc.number_symbol), issuer_key: issuerKey(agency), document_date: doc.issued_date }, fileHashes);
}

const FILE_ENTITIES = new Set(['attachments', 'outgoing_files']);
const fileHashesOf = (evs: readonly PackageEvent[]): string[] => [...new Set(evs.flatMap((e) => FILE_ENTITIES.has(e.event.entity)
  ? [e.event.data.sha256, e.event.data.signed_sha256].filter((x): x is string => typeof x === 'string') : []))];

/** The last state of a record as its events say (null once deleted). */
function lastState(evs: readonly PackageEvent[], gid: string): Record<string, unknown> | null {
  let state: Record<string, unknown> | null = null;
  for (const e of evs) {
    if (e.event.entityId !== gid) continue;
    state = e.event.kind === 'delete' ? null : { ...(state ?? {}), ...e.event.data };
  }
  return state;
}

export function previewPackage(t: ImportTarget, pkg: OpenedPackage): Preview {
  const docs = new Map<string, PackageEvent[]>();
  for (const e of pkg.events) if (e.document) docs.set(e.document, [...(docs.get(e.document) ?? []), e]);
  const documents: PreviewDocument[] = [];
  const allSchemas = (t.db.pragma('database_list') as Array<{ name: string }>).map((d) => d.name).filter((n) => n.startsWith('c_'));
  for (const [gid, evs] of docs) {
    const schema = evs[0]!.schema;
    const level = schema.slice(2) as Secrecy;
    const kind: DocumentKind = evs.some((e) => e.event.entity === 'outgoing' && e.event.entityId === gid) ? 'outgoing' : 'incoming';
    const data = lastState(evs, gid) ?? {};
    const register = String(data.register_id ?? '');
    const d = (outcome: DocumentOutcome, detail: string | null = null) => documents.push({ globalId: gid, kind, level, register, outcome, detail });
    if (secrecyRank(level) > secrecyRank(t.clearance)) {
      d('refused', `level ${level} is above the clearance ${t.clearance}`);
      continue;
    }
    if (!t.heldSchemas.includes(schema)) {
      d('refused', `this session does not hold level ${level}`);
      continue;
    }
    const elsewhere = allSchemas.find((s) => s !== schema && t.db.prepare(`SELECT 1 FROM ${s}.${kind} WHERE global_id = ?`).get(gid));
    if (elsewhere) {
      d('conflict', `held here at level ${elsewhere.slice(2)}`);
      continue;
    }
    const here = t.db.prepare(`SELECT 1 FROM ${schema}.${kind} WHERE global_id = ?`).get(gid) !== undefined;
    if (here) {
      d(evs.every((e) => inLog(t.db, schema, e.event.id)) ? 'already' : 'update');
      continue;
    }
    const hashes = fileHashesOf(evs);
    const copy = kind === 'incoming' ? separateCopy(t.db, schema, data, hashes) : separateOutgoingCopy(t.db, schema, data, pkg.manifest.agency.name, hashes);
    d(copy ? 'duplicate' : 'new', copy);
  }
  const byLevel: Preview['byLevel'] = {};
  const outgoingByLevel: Preview['outgoingByLevel'] = {};
  for (const doc of documents) {
    (byLevel[doc.level] ??= emptyCounts())[doc.outcome] += 1;
    if (doc.kind === 'outgoing') (outgoingByLevel[doc.level] ??= emptyCounts())[doc.outcome] += 1;
  }
  const take = new Set(documents.filter((x) => x.outcome === 'new' || x.outcome === 'update').map((x) => x.globalId));
  const workFiles = previewWorkFiles(t, pkg, take);
  return {
    packageId: pkg.manifest.packageId, agency: pkg.manifest.agency, exportedAt: pkg.manifest.exportedAt,
    signer: pkg.signature.signer?.subject ?? null, byLevel, byRegister: pkg.manifest.counts.byRegister, outgoingByLevel, documents, workFiles,
  };
}

/** The work files the documents that come in are filed in (their membership travels with them). */
function previewWorkFiles(t: ImportTarget, pkg: OpenedPackage, take: ReadonlySet<string>): PreviewWorkFile[] {
  const wanted = new Set(pkg.events.filter((e) => e.document !== null && take.has(e.document) && e.event.entity === 'work_file_items')
    .map((e) => e.event.data.work_file_global_id).filter((g): g is string => typeof g === 'string'));
  const out: PreviewWorkFile[] = [];
  for (const gid of wanted) {
    const evs = pkg.events.filter((e) => e.schema === 'main' && e.event.entity === 'work_files' && e.event.entityId === gid);
    const f = lastState(evs, gid);
    if (!f) continue;
    const level = (typeof f.secrecy === 'string' ? f.secrecy : 'thuong') as Secrecy;
    const w = { globalId: gid, code: String(f.code ?? ''), title: String(f.title ?? ''), level };
    const here = t.db.prepare('SELECT global_id FROM main.work_files WHERE global_id = ? OR (year = ? AND code = ?)').pluck().all(gid, f.year ?? null, f.code ?? null) as string[];
    const outcome: PreviewWorkFile['outcome'] = secrecyRank(level) > secrecyRank(t.clearance) ? 'refused'
      : here.some((g) => g !== gid) && !here.includes(gid) ? 'conflict'
        : here.includes(gid) ? (evs.every((e) => inLog(t.db, 'main', e.event.id)) ? 'already' : 'update') : 'new';
    out.push({ ...w, outcome });
  }
  return out;
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
function neededBase(pkg: OpenedPackage, chosen: readonly PackageEvent[]): PackageEvent[] {
  const byRecord = new Map<string, PackageEvent[]>();
  for (const e of pkg.events) if (e.schema === 'main') byRecord.set(e.event.entityId, [...(byRecord.get(e.event.entityId) ?? []), e]);
  const needed = new Set<string>();
  let frontier = chosen.flatMap((e) => baseNeeds(e.event));
  while (frontier.length > 0) {
    const fresh = [...new Set(frontier)].filter((g) => !needed.has(g));
    for (const g of fresh) needed.add(g);
    frontier = fresh.flatMap((g) => (byRecord.get(g) ?? []).flatMap((e) => baseNeeds(e.event)));
  }
  return pkg.events.filter((e) => e.schema === 'main' && needed.has(e.event.entityId));
}

/** Progress of a merge (files placed of those to place) and its cancel: honoured until the one transaction starts. */
export interface MergeControl {
  onFiles?(done: number, total: number): void;
  signal?: AbortSignal;
}

export async function mergePackage(
  t: ImportTarget, pkg: OpenedPackage, storeFor: (level: Secrecy) => AttachmentStore,
  record: (db: Db, preview: Preview) => void, control: MergeControl = {},
): Promise<MergeResult> {
  const preview = previewPackage(t, pkg);
  const take = new Set(preview.documents.filter((d) => d.outcome === 'new' || d.outcome === 'update').map((d) => d.globalId));
  // Membership of a work file that cannot come in (above the clearance, or its year and code taken here) stays out.
  const filesIn = new Set(preview.workFiles.filter((w) => w.outcome !== 'refused' && w.outcome !== 'conflict').map((w) => w.globalId));
  const chosen = pkg.events.filter((e) => e.document !== null && take.has(e.document)
    && (e.event.entity !== 'work_file_items' || filesIn.has(String(e.event.data.work_file_global_id))));
  const named = new Set(chosen.flatMap((e) => FILE_ENTITIES.has(e.event.entity) ? [e.event.data.sha256, e.event.data.signed_sha256] : []));
  let filesPlaced = 0;
  const toPlace = pkg.manifest.files.filter((f) => named.has(f.sha256));
  const stop = () => {
    // Cancelled: files already placed are named by no record yet (as after a crash here); nothing else was written.
    if (control.signal?.aborted) throw new PackageError('CANCELLED', 'the import was cancelled before anything was recorded', 'Đã hủy nhập gói: chưa có văn bản nào được ghi.');
  };
  control.onFiles?.(0, toPlace.length);
  for (const [i, f] of toPlace.entries()) {
    stop();
    const store = storeFor(f.level);
    if (!(await store.hasBlob(f.sha256))) {
      await store.putBytes(pkg.fileBytes(f.sha256));
      filesPlaced += 1;
    }
    control.onFiles?.(i + 1, toPlace.length);
  }
  stop();
  // Base records only as far as the chosen documents need them, transitively (already here when in the log).
  const base = neededBase(pkg, chosen);
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
