// `audit verify` over a generated chain: a real encrypted profile (Desk.setup with a software
// identity), N entries appended through appendAudit (v2, each in the chain), a head signed every
// 100 000 entries, then a fresh unlock and verifyAudit over every link and every head, timed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { appendAudit } from '../../main/core/audit/auditLog';
import { boundCertificates, verifyAudit } from '../../main/core/audit/verify';
import { writeTx } from '../../main/core/db/transaction';
import { Desk } from '../../main/core/desk';
import { newIdentity } from './session';
import { ms, progress } from './stats';

export const AUDIT_TARGETS = { verifyMs: 10_000 };

export interface AuditFigures {
  entries: number;
  heads: number;
  generateMs: number;
  /** verifyAudit on a freshly unlocked profile: every link recomputed, every head's signature checked. */
  verifyMs: number;
  /** SQLite alone reading every entry once (after the verification: a warm OS cache), for comparison. */
  scanMs: number;
  entriesPerSecond: number;
  ok: boolean;
  fileBytes: number;
}

const ACTIONS = ['attachment.view', 'incoming.list', 'incoming.search', 'incoming.print', 'incoming.register', 'session.unlock'];

export async function measureAudit(entries: number): Promise<AuditFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'securedesk-bench-audit-'));
  try {
    const identity = newIdentity(dir);
    const desk = await Desk.open({ profileDir: dir });
    const session = await desk.setup({
      unit: { name: 'Văn phòng Tỉnh ủy Quảng Ninh', code: '000.00.01.H49', preset: 'state' },
      admin: { fullName: 'Nguyễn Thị Hương', position: 'Văn thư', role: 'van_thu', clearance: 'tuyet_mat' },
    }, identity);
    await desk.verdict();
    await desk.auditAnchor.settled();
    const userId = session.user.id;
    const t0 = performance.now();
    const start = desk.db.prepare('SELECT count(*) FROM audit_log').pluck().get() as number;
    const BATCH = 10_000;
    let nextHead = 100_000;
    for (let done = start; done < entries; ) {
      const n = Math.min(BATCH, entries - done);
      writeTx(desk.db, () => {
        for (let i = 0; i < n; i++) {
          const k = done + i;
          appendAudit(desk.db, {
            userId, action: ACTIONS[k % ACTIONS.length]!, entity: 'incoming', entityId: 1 + (k % 50_000),
            ...(k % 97 === 0 ? { outcome: 'refused' as const, reason: 'FORBIDDEN' } : {}),
            details: { attachmentId: k % 1000, page: k % 37 },
          });
        }
      });
      done += n;
      if (done - start >= nextHead || done === entries) {
        nextHead += 100_000;
        await desk.auditAnchor.anchorNow('hourly');
        progress(`audit: ${done} entries`);
      }
    }
    const generateMs = performance.now() - t0;
    desk.close();
    await desk.auditAnchor.settled();

    const again = await Desk.open({ profileDir: dir });
    await again.unlock(identity);
    await again.verdict();
    await again.auditAnchor.settled();
    const t1 = performance.now();
    const v = await verifyAudit(again.db, boundCertificates(again.db));
    const verifyMs = performance.now() - t1;
    // The floor: SQLite reading (decrypting) every row once, nothing hashed.
    const t2 = performance.now();
    again.db.prepare('SELECT sum(length(prev_hash) + length(hash) + length(details) + length(action)) FROM audit_log').pluck().get();
    const scanMs = performance.now() - t2;
    const fileBytes = (again.db.prepare('SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()').pluck().get() as number) ?? 0;
    again.close();
    await again.auditAnchor.settled();
    progress(`audit: verified ${v.entries} entries and ${v.heads} heads in ${verifyMs.toFixed(0)} ms (${v.ok ? 'intact' : v.firstBroken?.message})`);
    return { entries: v.entries, heads: v.heads, generateMs: ms(generateMs), verifyMs: ms(verifyMs), scanMs: ms(scanMs), entriesPerSecond: Math.round(v.entries / (verifyMs / 1000)), ok: v.ok, fileBytes };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
