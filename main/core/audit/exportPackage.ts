// The audit export package (docs/audit.md, "Export package"): entries.jsonl (one canonical entry a
// line), heads/ (each statement .txt and its detached CMS .p7s), certificates/ (the signers bound to
// people, PEM), manifest.json and verify.py, which checks it all with python3 and openssl alone.
import { createWriteStream, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { derToPem } from '../crypto';
import type { Db } from '../db/connection';
import { getSetting } from '../profile/settings';
import { ENTRY_COLUMNS, exportLine, type StoredEntry } from './canonical';
import { fingerprintOfDer, headStatement, listHeads } from './heads';
import { VERIFY_SCRIPT } from './exportScript';

export interface AuditExportRange {
  /** First day (YYYY-MM-DD, a day in Vietnam), inclusive. */
  from?: string | undefined;
  /** Last day (YYYY-MM-DD, a day in Vietnam), inclusive. */
  to?: string | undefined;
}

export interface AuditExportResult {
  dir: string;
  entries: number;
  firstSeq: number;
  lastSeq: number;
  heads: number;
  certificates: number;
}

/** The first instant of a day in Vietnam (UTC+7 all year). */
const vnDayStart = (iso: string): string => new Date(`${iso}T00:00:00+07:00`).toISOString();
const nextDay = (iso: string): string => new Date(Date.parse(`${iso}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/** Fingerprints the log itself records as bound (a binding slipped in by SQL is not among them). */
function recordedBindings(db: Db): Set<string> {
  const rows = db.prepare("SELECT details FROM audit_log WHERE action = 'user.bind_certificate'").pluck().all() as string[];
  const out = new Set<string>();
  for (const d of rows) {
    const print = (JSON.parse(d) as { fingerprint?: unknown }).fingerprint;
    if (typeof print === 'string') out.add(print);
  }
  return out;
}

/**
 * Writes the package into `outDir` (created; must be empty). Entries are chosen by seq: from the
 * first to the last entry dated within the period, contiguous, so that every link inside can be
 * checked; the heads within that range go with them.
 */
export async function exportAudit(db: Db, outDir: string, range: AuditExportRange = {}, now = new Date()): Promise<AuditExportResult> {
  mkdirSync(outDir, { recursive: true });
  if (readdirSync(outDir).length > 0) throw new Error(`${outDir} is not empty`);
  // The span of seqs of the entries dated within the period (and whatever lies between: a contiguous
  // range, so that every link inside can be checked even if the clock once went back).
  const where: string[] = [];
  const args: string[] = [];
  if (range.from) {
    where.push('at >= ?');
    args.push(vnDayStart(range.from));
  }
  if (range.to) {
    where.push('at < ?');
    args.push(vnDayStart(nextDay(range.to)));
  }
  const span = db.prepare(`SELECT min(id) AS first, max(id) AS last FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`).get(...args) as { first: number | null; last: number | null };
  const first = span.first;
  const last = span.last;
  const firstSeq = first ?? 0;
  const lastSeq = last ?? -1;

  let entries = 0;
  const out = createWriteStream(join(outDir, 'entries.jsonl'), { mode: 0o600 });
  const rows = db.prepare(`SELECT ${ENTRY_COLUMNS} FROM audit_log WHERE id BETWEEN ? AND ? ORDER BY id`).iterate(firstSeq, lastSeq) as IterableIterator<StoredEntry>;
  for (const e of rows) {
    if (!out.write(exportLine(e) + '\n')) await once(out, 'drain');
    entries += 1;
  }
  out.end();
  await once(out, 'finish');

  mkdirSync(join(outDir, 'heads'));
  mkdirSync(join(outDir, 'certificates'));
  const recorded = recordedBindings(db);
  const signers = new Map<string, Uint8Array>();
  let heads = 0;
  for (const h of listHeads(db)) {
    if (h.seq < firstSeq || h.seq > lastSeq) continue;
    const name = `head-${String(h.seq).padStart(9, '0')}-${String(h.id).padStart(6, '0')}`;
    writeFileSync(join(outDir, 'heads', `${name}.txt`), headStatement(h));
    writeFileSync(join(outDir, 'heads', `${name}.p7s`), h.signature);
    heads += 1;
    // Only certificates whose binding the log records: a head by anyone else fails in verify.py.
    if (recorded.has(h.signer) && fingerprintOfDer(h.certificate) === h.signer) signers.set(h.signer, h.certificate);
  }
  for (const [print, der] of signers) writeFileSync(join(outDir, 'certificates', `${print}.pem`), derToPem(der));

  writeFileSync(join(outDir, 'manifest.json'), JSON.stringify({
    format: 'securedesk-audit-export/1',
    workstation: getSetting(db, 'workstation_id') ?? null,
    exportedAt: now.toISOString(),
    range: { from: range.from ?? null, to: range.to ?? null },
    firstSeq: entries > 0 ? firstSeq : null,
    lastSeq: entries > 0 ? lastSeq : null,
    entries, heads, certificates: signers.size,
  }, null, 2) + '\n');
  writeFileSync(join(outDir, 'verify.py'), VERIFY_SCRIPT, { mode: 0o755 });
  return { dir: outDir, entries, firstSeq, lastSeq, heads, certificates: signers.size };
}
