import { performance } from 'node:perf_hooks';
import { appendAudit } from '../../main/core/audit/auditLog';
import { writeTx } from '../../main/core/db/transaction';
import { ENTRY_COLUMNS, rawEntryHash } from '../../main/core/audit/canonical';
import { newDesk } from '../helpers/desk';
const env = await newDesk();
const db = env.desk.db;
const N = Number(process.argv[2] ?? 300000);
for (let b = 0; b < N; b += 10000) writeTx(db, () => { for (let k = b; k < b + 10000; k++) appendAudit(db, { userId: 1, action: 'attachment.view', entity: 'incoming', entityId: k, details: { attachmentId: k % 1000, page: k % 37 } }); });
console.log('cache_size', db.pragma('cache_size', { simple: true }), 'page_size', db.pragma('page_size', { simple: true }), 'pages', db.pragma('page_count', { simple: true }));
db.pragma('wal_checkpoint(TRUNCATE)');
{ let t = performance.now(); let n = 0; for (const r of db.prepare('SELECT id FROM audit_log ORDER BY id').raw(true).iterate()) n++; console.log('id only', (performance.now() - t).toFixed(0)); }
{ let t = performance.now(); const c = db.prepare('SELECT count(details), count(hash), count(prev_hash) FROM audit_log').get(); console.log('count cols (sqlite only)', (performance.now() - t).toFixed(0)); }
{ let t = performance.now(); let n = 0; for (const r of db.prepare('SELECT id, hash FROM audit_log ORDER BY id').raw(true).iterate()) n++; console.log('id hash', (performance.now() - t).toFixed(0)); }
for (let rep = 0; rep < 2; rep++) {
let t = performance.now();
let n = 0;
for (const r of db.prepare(`SELECT ${ENTRY_COLUMNS} FROM audit_log ORDER BY id`).raw(true).iterate()) n++;
const it = performance.now() - t;
t = performance.now();
for (const r of db.prepare(`SELECT ${ENTRY_COLUMNS} FROM audit_log ORDER BY id`).raw(true).iterate() as any) rawEntryHash(r);
console.log(N, 'iterate raw', it.toFixed(0), 'iterate+hash', (performance.now() - t).toFixed(0));
}
env.cleanup();
