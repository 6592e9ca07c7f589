// What the sync panel shows, read from the profile itself (so it answers with or without a server):
// changes made here not yet handed over (past the push cursor in each log, and batches waiting in the
// outbox), received changes waiting for what they reference or set aside, the last contact and error.
import { waitingCount } from '../documents/numberWaits';
import { pendingReports } from '../documents/sharedNumbering';
import type { SyncPanelView } from '../../../common/contract';
import type { Secrecy } from '../../../common/domain';
import type { Db } from '../db/connection';
import { schemaOf } from '../compartments/levels';
import { inboxState } from './apply';
import { cursor, getState, outboxStats, pushCursorKey } from './outbox';
import type { SyncService } from './SyncService';

export function syncPanel(db: Db, levels: readonly Secrecy[], sync: { service: SyncService | null; server: string | null; running: boolean }): SyncPanelView {
  const streams: SyncPanelView['streams'] = [];
  const conflicts: SyncPanelView['conflicts'] = [];
  for (const stream of ['base', ...levels] as const) {
    const schema = stream === 'base' ? 'main' : schemaOf(stream);
    const unsent = db.prepare(`SELECT count(*) FROM ${schema}.events WHERE seq > ? AND received = 0`).pluck().get(cursor(db, pushCursorKey(stream))) as number;
    const inbox = inboxState(db, schema);
    streams.push({ stream, unsent, waiting: inbox.waiting, conflicts: inbox.conflicts.length });
    for (const c of inbox.conflicts) conflicts.push({ stream, entity: c.entity, problem: c.problem });
  }
  const o = outboxStats(db);
  const status = sync.service?.client.status();
  return {
    server: sync.server, running: sync.running,
    lastContact: status?.lastContact ?? getState(db, 'last_contact'), lastError: status?.lastError ?? o.lastError,
    unsent: streams.reduce((n, s) => n + s.unsent, 0) + o.events,
    outbox: { batches: o.batches, events: o.events, bytes: o.bytes, oldest: o.oldest },
    streams, conflicts,
    numbers: { awaiting: waitingCount(db), unreported: pendingReports(db).length },
  };
}
