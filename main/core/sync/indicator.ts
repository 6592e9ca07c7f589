// The sync indicator in the window's chrome, for everyone signed in: one state and one number, the
// person's own. Synced; N of *their* changes made here not yet handed to the server; offline since the
// last contact (the server not reached); or an error (the server answered with a refusal: the sync
// panel says which). Nothing of other people's work is counted or named.
import { waitingCount } from '../documents/numberWaits';
import type { SyncIndicatorView } from '../../../common/contract';
import type { Secrecy } from '../../../common/domain';
import type { Db } from '../db/connection';
import { globalIdOf } from '../events/eventLog';
import { schemaOf } from '../compartments/levels';
import { cursor, getState, pushCursorKey } from './outbox';
import type { SyncService } from './SyncService';

/** The person's own changes made here and not yet acknowledged by the server, in the logs they hold. */
export function ownUnsent(db: Db, levels: readonly Secrecy[], userId: number): number {
  const me = globalIdOf(db, 'users', userId, 'main');
  if (!me) return 0;
  let n = 0;
  for (const stream of ['base', ...levels] as const) {
    const schema = stream === 'base' ? 'main' : schemaOf(stream);
    // Past the push cursor, or in a batch cut but not yet acknowledged (the outbox keeps its range).
    const firstOut = db.prepare('SELECT min(first_seq) FROM main.sync_outbox WHERE channel = ?').pluck().get(stream) as number | null;
    const from = firstOut !== null ? firstOut - 1 : cursor(db, pushCursorKey(stream));
    n += db.prepare(`SELECT count(*) FROM ${schema}.events WHERE seq > ? AND received = 0 AND actor = ?`).pluck().get(from, me) as number;
  }
  return n;
}

export function syncIndicator(
  db: Db, levels: readonly Secrecy[], userId: number, sync: { service: SyncService | null; server: string | null },
): SyncIndicatorView {
  if (!sync.server) return { state: 'off', waiting: 0, since: null };
  const waiting = ownUnsent(db, levels, userId);
  const failure = sync.service?.lastFailure ?? null;
  const lastContact = sync.service?.client.status().lastContact ?? getState(db, 'last_contact');
  // A count, never which documents: the figure the văn thư needs to know numbers are still to come.
  const awaiting = waitingCount(db);
  const more = awaiting > 0 ? { awaitingNumbers: awaiting } : {};
  if (failure?.kind === 'offline') return { state: 'offline', waiting, since: lastContact, ...more };
  if (failure?.kind === 'error') return { state: 'error', waiting, since: lastContact, ...more };
  return { state: waiting > 0 || !lastContact ? 'waiting' : 'synced', waiting, since: lastContact, ...more };
}
