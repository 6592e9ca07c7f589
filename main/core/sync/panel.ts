// What the sync panel shows, read from the profile itself (so it answers with or without a server):
// changes made here not yet handed over (past the push cursor in each log, and batches waiting in the
// outbox), received changes waiting for what they reference or set aside, the last contact and error,
// and for the văn thư the exchange (exchangeQueue.ts; what went to or came from another workstation of
// the agency: exchangeElsewhere.ts) and the outgoing numbering conflicts (outgoingConflicts.ts).
import { waitingCount } from '../documents/numberWaits';
import { pendingReports } from '../documents/sharedNumbering';
import type { SyncPanelView } from '../../../common/contract';
import type { Secrecy } from '../../../common/domain';
import type { Db } from '../db/connection';
import { schemaOf } from '../compartments/levels';
import { inboxState } from './apply';
import { cursor, getState, outboxStats, pushCursorKey } from './outbox';
import type { SyncService } from './SyncService';
import type { Actor } from '../org/rights';
import { refusalReason } from '../exchange/refusals';
import { exchangeQueue, syncErrorVi } from './exchangeQueue';
import { outgoingNumberConflicts } from './outgoingConflicts';
import { homeMovedNumbers } from './homeMovedNumbers';
import { restoreNumberClashes } from './restoreNumberClashes';
import { exchangeElsewhere, type LastExchangeRound } from './exchangeElsewhere';
import type { TransferProgress } from './transferProgress';
import { restoreView } from './restore';

/**
 * Our packets refused on the way (agency server or hub), latest first: to whom and why, in Vietnamese.
 * Packets withdrawn by a take-back are not refusals. No document detail here (the document view has it).
 */
function packetRefusals(db: Db): SyncPanelView['packetRefusals'] {
  const rows = db.prepare(`SELECT p.packet_id, p.error_code, p.done_at, o.to_code, a.name FROM main.packet_outbox p
    LEFT JOIN main.exchange_outbox o ON o.packet_id = p.packet_id LEFT JOIN main.exchange_agencies a ON a.code = o.to_code
    WHERE p.state = 'refused' AND p.error_code IS NOT 'withdrawn' ORDER BY p.id DESC LIMIT 20`).all() as
    Array<{ packet_id: string; error_code: string | null; done_at: string | null; to_code: string | null; name: string | null }>;
  return rows.map((r) => ({ packetId: r.packet_id, to: r.to_code, toName: r.name, reason: refusalReason(r.error_code), at: r.done_at }));
}

export interface PanelSync {
  service: SyncService | null; server: string | null; running: boolean; transfer?: TransferProgress | null;
  /** The exchange link's rounds (agencySync.ts), for the last one's figures. */
  exchange?: { readonly last: LastExchangeRound | null } | null;
}

/**
 * The panel for this person: everyone sees whether the workstation syncs, what waits and the error in
 * Vietnamese; the exchange between agencies is for the văn thư and administrators; the server's
 * address and the raw error are the administrator's.
 */
export function syncPanel(db: Db, levels: readonly Secrecy[], sync: PanelSync, actor: Actor): SyncPanelView {
  const admin = actor.rights.includes('org.manage');
  const exchanges = admin || actor.rights.includes('doc.register');
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
  const lastError = status?.lastError ?? o.lastError;
  return {
    server: admin ? sync.server : null, configured: sync.server !== null, running: sync.running,
    lastContact: status?.lastContact ?? getState(db, 'last_contact'), lastError: admin ? lastError : null, lastErrorVi: syncErrorVi(lastError),
    unsent: streams.reduce((n, s) => n + s.unsent, 0) + o.events,
    outbox: { batches: o.batches, events: o.events, bytes: o.bytes, oldest: o.oldest },
    streams, conflicts,
    restore: restoreView(db),
    numbers: { awaiting: waitingCount(db), unreported: pendingReports(db).length },
    // The exchange's business: the văn thư and administrators only.
    outgoingNumberConflicts: exchanges ? outgoingNumberConflicts(db, levels, actor) : [],
    homeMovedNumbers: exchanges ? homeMovedNumbers(db, levels, actor) : [],
    restoreNumberClashes: exchanges ? restoreNumberClashes(db, levels, actor) : [],
    packetRefusals: exchanges ? packetRefusals(db) : [],
    exchange: exchanges
      ? { ...exchangeQueue(db, levels, actor, sync.transfer?.current() ?? null), ...exchangeElsewhere(db, levels, actor, sync.exchange?.last ?? null) }
      : null,
  };
}
