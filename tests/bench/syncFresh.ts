// `npm run bench -- --only sync` (second half): a fresh workstation of an agency syncing the metadata
// of the agency's documents (issue 9, "Done when": 100 000 documents in under 2 minutes). Agency A's
// first workstation registers N documents over the four levels (70/20/7/3 %, the search part's
// generator: each document with its attachment row, the index and both records' events, written with
// the core's statements into the compartments, untimed) and pushes their events to the agency server
// through its ServerClient (real server over loopback HTTPS, SQLite storage; classified channels
// sealed under the level keys). A new workstation starts from the agency's snapshot of the profile
// (taken before the documents), opens it with the văn thư's keyring, takes its own workstation id and
// runs SyncService rounds in its own process until every document is here. Timed: from its first
// round to the last document applied (pull after each channel's cursor, batches opened, kept in the
// inbox in the cursor's transaction, applied by global id with the index). Reported: events per
// second and the child's peak RSS.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { secrecyRank, type Secrecy } from '../../common/domain';
import { formatNumberSymbol, parseNumberSymbol } from '../../common/numberSymbol';
import { nextRecordId } from '../../main/core/compartments/ids';
import { schemaOf, type Level } from '../../main/core/compartments/levels';
import { Desk } from '../../main/core/desk';
import { issuerKey, numberSymbolKey } from '../../main/core/documents/duplicates';
import { takeNumber } from '../../main/core/documents/numbering';
import { indexIncoming } from '../../main/core/documents/search';
import { recordChange } from '../../main/core/events/eventLog';
import { newGlobalId } from '../../main/core/events/globalId';
import { SyncService } from '../../main/core/sync/SyncService';
import { rng, sampleIncoming } from '../../main/devhost/sampleData';
import { agencyPki, startAgencyServer } from '../helpers/agencyServer';
import { newDesk, tempDir } from '../helpers/desk';
import { softKey } from '../helpers/softKey';
import type { FreshChildArgs, FreshChildResult } from './syncFreshChild';
import { ms, progress } from './stats';

export const SYNC_FRESH_TARGETS = { docs: 100_000, seconds: 120 };

export interface FreshSyncFigures {
  docs: number;
  atTargetScale: boolean;
  perLevel: Record<Level, number>;
  /** Events on the server for these documents (two records each, plus the base's). */
  eventsPushed: number;
  setup: { generateMs: number; pushMs: number; batchesPushed: number };
  fresh: FreshChildResult;
  seconds: number;
  eventsPerSecond: number;
  documentsPerSecond: number;
  withinTarget: boolean;
  loadAverage: number[];
}

const LEVEL_SHARES: Array<[Level, number]> = [['thuong', 0.7], ['mat', 0.2], ['toi_mat', 0.07], ['tuyet_mat', 0.03]];
const BATCH = 2_000;
const FAST_LIMITS = { requestsPerSecond: 100_000, burst: 100_000, signInPerSecond: 1_000, signInBurst: 1_000 };
const RECIPIENTS = [['Phòng Tổng hợp'], ['Phòng Hành chính - Tài chính'], ['Lãnh đạo Văn phòng']];

/** N documents registered on `desk` with the statements of registerIncoming (as generateWorker.ts writes them). */
function generate(desk: Desk, userId: number, docs: number, seed: number): Record<Level, number> {
  const db = desk.db;
  const reg = db.prepare("SELECT id, scope_id AS scopeId FROM main.registers WHERE kind = 'incoming' ORDER BY id LIMIT 1").get() as { id: number; scopeId: number };
  const r = rng(seed);
  const rLevel = rng(seed + 1);
  const perLevel = { thuong: 0, mat: 0, toi_mat: 0, tuyet_mat: 0 } as Record<Level, number>;
  const levelOf = (): Level => {
    let x = rLevel();
    for (const [level, share] of LEVEL_SHARES) if ((x -= share) < 0) return level;
    return 'thuong';
  };
  const insertOne = (serial: number) => {
    const s = sampleIncoming(r, serial);
    const secrecy: Secrecy = levelOf();
    perLevel[secrecy]++;
    const c = schemaOf(secrecy);
    const subject = secrecy === 'tuyet_mat' ? '' : s.subject || `Văn bản số ${serial}`;
    const day = new Date(Date.UTC(2026, 0, 1) + Math.floor((serial * 330) / docs) * 86_400_000).toISOString().slice(0, 10);
    const parsed = parseNumberSymbol(s.numberSymbol);
    if (!parsed.ok) throw new Error(`sample number-symbol rejected: ${s.numberSymbol}`);
    const numberSymbol = formatNumberSymbol(parsed.value);
    const registeredAt = `${day}T0${1 + Math.floor(r() * 8)}:00:00.000Z`;
    const { number, period } = takeNumber(db, reg.scopeId, day, s.typeCode);
    const id = nextRecordId(db);
    db.prepare(`INSERT INTO ${c}.incoming (id, register_id, period, arrival_number, arrival_date, year, issuer_unit_id, issuer_name,
          number_symbol, number_symbol_key, issuer_key, document_date, type_code, subject, secrecy, secrecy_rank, urgency,
          deadline, recipients, notes, registered_by, registered_at, attachment_count, global_id)
         VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`).run(
      id, reg.id, period, number, day, 2026, null, s.issuerName, numberSymbol, numberSymbolKey(numberSymbol), issuerKey(s.issuerName), day, s.typeCode,
      subject, secrecy, secrecyRank(secrecy), s.urgency, null, JSON.stringify(RECIPIENTS[serial % RECIPIENTS.length]), '', userId, registeredAt, 1, newGlobalId(),
    );
    const at = new Date(registeredAt);
    recordChange(db, 'incoming', id, 'create', userId, at, c);
    const attachmentId = nextRecordId(db);
    const sha256 = createHash('sha256').update(`securedesk-bench:${seed}:${serial}`).digest('hex');
    db.prepare(`INSERT INTO ${c}.attachments (id, incoming_id, ordinal, name, size, mime, is_pdf, sha256, global_id) VALUES (?,?,?,?,?,?,?,?,?)`)
      .run(attachmentId, id, 1, `${numberSymbol.replace(/\//g, '_')}.pdf`, 30_000 + Math.floor(r() * 2_000_000), 'application/pdf', 1, sha256, newGlobalId());
    recordChange(db, 'attachments', attachmentId, 'create', userId, at, c);
    indexIncoming(db, c, id, { subject, numberSymbol, issuerName: s.issuerName, notes: '' });
  };
  const batch = db.transaction((from: number, to: number) => {
    for (let serial = from; serial <= to; serial++) insertOne(serial);
  });
  for (let from = 1; from <= docs; from += BATCH) {
    batch(from, Math.min(docs, from + BATCH - 1));
    if ((from - 1) % 20_000 === 0) progress(`sync fresh: ${Math.min(docs, from + BATCH - 1)} / ${docs} documents registered on the first workstation`);
  }
  return perLevel;
}

function runChild(args: FreshChildArgs): Promise<FreshChildResult> {
  const file = fileURLToPath(new URL('./syncFreshChild.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', file], { env: { ...process.env, SYNC_FRESH_CHILD: JSON.stringify(args) }, maxBuffer: 1 << 20, timeout: 3_600_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`fresh workstation failed: ${err.message}\n${stderr}`));
      else resolve(JSON.parse(stdout.trim().split('\n').pop()!) as FreshChildResult);
    });
  });
}

export async function measureFreshSync(o: { docs?: number } = {}): Promise<FreshSyncFigures> {
  const docs = o.docs ?? SYNC_FRESH_TARGETS.docs;
  const tmp = tempDir('securedesk-fresh-sync-bench-');
  const pki = await agencyPki(['vanthu', 'moi']);
  const closers: Array<() => unknown> = [];
  try {
    const server = await startAgencyServer({
      backend: 'sqlite', dir: join(tmp.dir, 'server'), pki, limits: FAST_LIMITS, logger: { log: () => {} },
      people: [
        { person: 'p-vanthu', role: 'van_thu', clearance: 'tuyet_mat', certificates: [pki.person('vanthu').certPath] },
        { person: 'p-moi', role: 'van_thu', clearance: 'tuyet_mat', certificates: [pki.person('moi').certPath] },
      ],
    });
    closers.unshift(() => server.close());
    const env = await newDesk('state', join(tmp.dir, 'first'));
    closers.unshift(() => env.desk.close());
    await env.desk.verdict();
    // The agency's snapshot, before the documents: what a new workstation is enrolled from.
    env.desk.close();
    const freshDir = join(tmp.dir, 'fresh');
    cpSync(env.dir, freshDir, { recursive: true });
    const desk = await Desk.open({ profileDir: env.dir });
    closers.unshift(() => desk.close());
    await desk.unlock(env.identity);
    await desk.verdict();

    const t0 = performance.now();
    const perLevel = generate(desk, env.admin.id, docs, 2026);
    const generateMs = performance.now() - t0;
    progress(`sync fresh: ${docs} documents registered in ${(generateMs / 1000).toFixed(1)} s`);

    const vanthu = pki.person('vanthu');
    const key = softKey(vanthu.certDer, vanthu.keyPem);
    const first = new SyncService({ db: desk.db, syncLevelKeys: () => desk.syncLevelKeys() }, {
      transport: { url: `https://localhost:${server.port}`, caPem: pki.ca.certPem, timeoutMs: 60_000 }, signer: () => key, clearance: 'tuyet_mat',
    });
    closers.unshift(() => first.close());
    const t1 = performance.now();
    const pushed = await first.syncOnce();
    const pushMs = performance.now() - t1;
    const eventsPushed = ['main', 'c_thuong', 'c_mat', 'c_toi_mat', 'c_tuyet_mat'].reduce((s, c) => s + (desk.db.prepare(`SELECT count(*) FROM ${c}.events WHERE received = 0`).pluck().get() as number), 0);
    progress(`sync fresh: ${eventsPushed} events pushed in ${pushed.sent} batches (${(pushMs / 1000).toFixed(1)} s); the fresh workstation syncs`);

    const moi = pki.person('moi');
    const identity = env.identity as typeof env.identity & { certPem: string; keyPem: string };
    const fresh = await runChild({
      profileDir: freshDir, identity: { certPem: identity.certPem, keyPem: identity.keyPem }, signer: { certPem: moi.certPem, keyPem: moi.keyPem },
      url: `https://localhost:${server.port}`, caPem: pki.ca.certPem, docs,
    });
    const seconds = fresh.syncMs / 1000;
    progress(`sync fresh: ${fresh.documents} documents (${fresh.eventsApplied} events) on the fresh workstation in ${seconds.toFixed(1)} s, peak RSS ${fresh.maxRssMb} MB`);
    return {
      docs, atTargetScale: docs >= SYNC_FRESH_TARGETS.docs, perLevel, eventsPushed,
      setup: { generateMs: ms(generateMs), pushMs: ms(pushMs), batchesPushed: pushed.sent },
      fresh: { ...fresh, openMs: ms(fresh.openMs), syncMs: ms(fresh.syncMs) },
      seconds: ms(seconds), eventsPerSecond: ms(fresh.eventsApplied / seconds), documentsPerSecond: ms(fresh.documents / seconds),
      withinTarget: docs >= SYNC_FRESH_TARGETS.docs && fresh.documents === docs && fresh.waiting === 0 && fresh.conflicts === 0 && seconds <= SYNC_FRESH_TARGETS.seconds,
      loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
    };
  } finally {
    for (const c of closers) {
      try { await c(); } catch { /* closed */ }
    }
    pki.pki.cleanup();
    tmp.cleanup();
  }
}
