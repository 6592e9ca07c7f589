// What the exchange did with another workstation of the agency, for the sync panel (docs/exchange.md,
// "One agency, many workstations"): the last round's figures (packets fetched, opened, refused, and
// those another workstation took first, whose records come by sync), how many received packets were
// taken elsewhere in all (the inbound ledger), and our packets another workstation had sent first (the
// agency server kept its copy under the same packet id: packet_outbox 'sent-elsewhere'). Need-to-know
// as the outbox: a document above the person's clearance has no subject, one of a compartment not held
// is not named.
import type { SyncPanelView } from '../../../common/contract';
import type { Secrecy } from '../../../common/domain';
import type { Db } from '../db/connection';
import { schemaOf } from '../compartments/levels';
import type { ExchangeLinkRound } from '../exchange/link';
import type { Actor } from '../org/rights';
import { documentOf } from './exchangeQueue';

type Exchange = NonNullable<SyncPanelView['exchange']>;

/** The last round of the exchange link and when it ended (kept in memory by agencySync.ts while the link runs). */
export interface LastExchangeRound { at: string; round: ExchangeLinkRound }

/** At most this many packets sent elsewhere are listed (latest first). */
const LISTED = 20;

export function exchangeElsewhere(db: Db, levels: readonly Secrecy[], actor: Actor, last: LastExchangeRound | null):
  Pick<Exchange, 'lastRound' | 'takenElsewhere' | 'sentElsewhere' | 'sentElsewhereTotal'> {
  const schemas = levels.map(schemaOf);
  // The ledger keeps who took it: `-TAKEN_ELSEWHERE:<workstation>` (the dash: no answer owed to the sender).
  const takenElsewhere = db.prepare("SELECT count(*) FROM main.exchange_inbound WHERE state = 'duplicate' AND reason LIKE '-TAKEN\\_ELSEWHERE:%' ESCAPE '\\'").pluck().get() as number;
  const rows = db.prepare(`SELECT p.packet_id, p.done_at, o.kind, o.to_code, a.name FROM main.packet_outbox p
    LEFT JOIN main.exchange_outbox o ON o.packet_id = p.packet_id LEFT JOIN main.exchange_agencies a ON a.code = o.to_code
    WHERE p.state = 'sent' AND p.error_code = 'sent-elsewhere' ORDER BY p.id DESC LIMIT ${LISTED}`).all() as
    Array<{ packet_id: string; done_at: string | null; kind: string | null; to_code: string | null; name: string | null }>;
  const sentElsewhereTotal = db.prepare("SELECT count(*) FROM main.packet_outbox WHERE state = 'sent' AND error_code = 'sent-elsewhere'").pluck().get() as number;
  const r = last?.round;
  return {
    lastRound: r ? { at: last.at, received: r.received, opened: r.opened, refused: r.refused, elsewhere: r.elsewhere, reopened: r.reopened, sent: r.sent } : null,
    takenElsewhere,
    sentElsewhere: rows.map((p) => ({
      packetId: p.packet_id, to: p.to_code, toName: p.name, at: p.done_at, status: p.kind === 'status',
      document: p.kind === 'document' || p.kind === 'status' ? documentOf(db, schemas, actor, p.packet_id) : null,
    })),
    sentElsewhereTotal,
  };
}
