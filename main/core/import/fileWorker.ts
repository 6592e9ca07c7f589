// The importer's worker thread: the heavy work of a job, off the thread that owns the database. It
// reads and parses the source, resolves and checks each row's file (inside the chosen folder, its
// type, its SHA-256, a PDF's signatures), and encrypts accepted files into their level's store
// exactly as the attachment store does (same code, same key, bound to the content hash); and it
// writes a dry run's report as XLSX.
import { parentPort } from 'node:worker_threads';
import { AttachmentStore } from '../attachments/store';
import { mappedRows, type ValidationReport } from './dryRun';
import type { Mapping } from './mapping';
import { readSource } from './readers/source';
import { reportWorkbook } from './reportXlsx';
import { FolderScans, resolveByRule } from './scans';
import type { ReadOptions, SourceRow } from './types';

export interface StoreHandoff { storeDir: string; stagingDir: string; dataKey: Buffer | null; stagingKey: Buffer | null }

/** A source opened on a worker: what the job records of it; its rows stay on the worker until asked for. */
export interface OpenedSource { handle: number; name: string; sha256: string; total: number }

export type FileJob =
  | { op: 'open'; path: string; options: ReadOptions; mapping: Mapping }
  | { op: 'rows'; handle: number; from: number; count: number }
  | { op: 'close'; handle: number }
  | { op: 'resolve'; folder: string; names: string[][] }
  | { op: 'place'; store: StoreHandoff; files: Array<{ path: string; sha256: string }> }
  /** The dry run's report as XLSX (100 000 rows take seconds to write). */
  | { op: 'report'; report: ValidationReport };

export type WorkerReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: { name: string; message: string; code?: string } };

const stores = new Map<string, AttachmentStore>();
const storeOf = (h: StoreHandoff) => {
  let s = stores.get(h.storeDir);
  if (!s) {
    s = new AttachmentStore(h.storeDir, h.stagingDir, h.dataKey && Buffer.from(h.dataKey), h.stagingKey && Buffer.from(h.stagingKey));
    stores.set(h.storeDir, s);
  }
  return s;
};

/** The rows of the sources opened here (the main thread asks for them a batch at a time). */
const sources = new Map<number, SourceRow[]>();
let nextHandle = 1;

async function run(job: FileJob): Promise<unknown> {
  if (job.op === 'open') {
    const src = await readSource(job.path, job.options);
    const handle = nextHandle++;
    const rows = mappedRows(src, job.mapping);
    sources.set(handle, rows);
    return { handle, name: src.name, sha256: src.sha256, total: rows.length } satisfies OpenedSource;
  }
  if (job.op === 'rows') return (sources.get(job.handle) ?? []).slice(job.from, job.from + job.count);
  if (job.op === 'close') return sources.delete(job.handle);
  if (job.op === 'resolve') {
    // Each row's names in order (a naming rule may try several extensions): the first that finds a file.
    const scans = new FolderScans(job.folder);
    const out = [];
    for (const names of job.names) out.push(await resolveByRule(scans, names, { signatures: true }));
    return out;
  }
  if (job.op === 'report') return reportWorkbook(job.report);
  const store = storeOf(job.store);
  for (const f of job.files) await store.placeFile(f.path, f.sha256);
  return job.files.length;
}

parentPort?.on('message', (m: { id: number; job: FileJob }) => {
  run(m.job).then(
    (value) => parentPort!.postMessage({ id: m.id, ok: true, value } satisfies WorkerReply),
    (e: Error & { code?: string }) => parentPort!.postMessage({ id: m.id, ok: false, error: { name: e.name, message: e.message, ...(e.code ? { code: e.code } : {}) } } satisfies WorkerReply),
  );
});
