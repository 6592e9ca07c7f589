// The fresh workstation of the sync part, in its own process (its peak RSS is its own): it opens its
// copy of the agency's profile with the văn thư's keyring, takes a new workstation id, and syncs with
// the agency server until every document is here. Prints one JSON line on stdout.
import { performance } from 'node:perf_hooks';
import { Desk } from '../../main/core/desk';
import { SyncService } from '../../main/core/sync/SyncService';
import { takeNewWorkstationId } from '../../main/core/sync/workstation';
import { identityFromPem } from '../helpers/desk';
import { softKey } from '../helpers/softKey';
import { profiled } from './profileWindow';

export interface FreshChildArgs {
  profileDir: string;
  identity: { certPem: string; keyPem: string };
  signer: { certPem: string; keyPem: string };
  url: string;
  caPem: string;
  docs: number;
}

export interface FreshChildResult {
  openMs: number;
  /** From the first request to the server to the last document applied (the rounds). */
  syncMs: number;
  rounds: number;
  pulledBatches: number;
  eventsApplied: number;
  documents: number;
  /** Events left waiting or set aside at the end (both must be 0). */
  waiting: number;
  conflicts: number;
  maxRssMb: number;
}

const a = JSON.parse(process.env.SYNC_FRESH_CHILD!) as FreshChildArgs;
const pemDer = (pem: string) => new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----|\s+/g, ''), 'base64'));
const t0 = performance.now();
const desk = await Desk.open({ profileDir: a.profileDir });
await desk.unlock(identityFromPem(a.identity.certPem, a.identity.keyPem));
await desk.verdict();
takeNewWorkstationId(desk.db, new Date());
const openMs = performance.now() - t0;
const key = softKey(pemDer(a.signer.certPem), a.signer.keyPem);
// Metadata only: the records' events (files and keyrings travel in their own steps of the round).
const sync = new SyncService({ db: desk.db, syncLevelKeys: () => desk.syncLevelKeys() }, {
  transport: { url: a.url, caPem: a.caPem, timeoutMs: 60_000 }, signer: () => key, clearance: 'tuyet_mat',
});
const documents = () => ['c_thuong', 'c_mat', 'c_toi_mat', 'c_tuyet_mat'].reduce((s, c) => s + (desk.db.prepare(`SELECT count(*) FROM ${c}.incoming`).pluck().get() as number), 0);
let rounds = 0;
let pulled = 0;
let applied = 0;
let waiting = 0;
let conflicts = 0;
const t1 = performance.now();
try {
  await profiled('sync-fresh-workstation', async () => {
    while (documents() < a.docs) {
      const r = await sync.syncOnce();
      rounds++;
      pulled += r.pulled;
      applied += r.applied;
      waiting = r.waiting;
      conflicts += r.conflicts;
      if (r.pulled === 0 && r.applied === 0) throw new Error(`a round brought nothing and ${a.docs - documents()} documents are missing`);
    }
  });
  const syncMs = performance.now() - t1;
  const result: FreshChildResult = {
    openMs, syncMs, rounds, pulledBatches: pulled, eventsApplied: applied, documents: documents(), waiting, conflicts,
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  sync.close();
  desk.close();
}
