// The agency's workstations as its server knows them, for an administrator (IT staff): each one's last
// contact and whether it was declared lost; and declaring one lost for good (ExchangeService checks the
// right, the reason and not-this-workstation, and audits it). Every request goes out on the signed-in
// person's own server session (ServerClient: their token signed the server's nonce), so the server
// checks the role of that same person, never one the window names; the core checks the right first.
import type { AgencyWorkstationView, WorkstationLostResult } from '../../../common/contract';
import { DeskError } from '../../../common/errors';
import type { Desk } from '../desk';
import { workstationId } from '../events/eventLog';
import { authorize, type Actor } from '../org/rights';
import type { AgencyWorkstationsPage, LostWorkstation } from './packets/protocol';
import { TransportError } from './transport';

export interface AgencyWorkstationsServer {
  agencyWorkstations(): Promise<AgencyWorkstationsPage>;
  declareLost(workstation: string, reason: string): Promise<LostWorkstation>;
}

/** A refusal or failure of the agency server, in the person's words (the English cause stays in details). */
function serverError(e: unknown): never {
  if (!(e instanceof TransportError)) throw e;
  const details = { details: { status: e.status, code: e.code } };
  if (e.status === 403 && e.code !== 'workstation-lost') throw DeskError.keyed('FORBIDDEN', 'sync.adminRefused', undefined, details);
  if (e.code === 'own-workstation') throw DeskError.keyed('VALIDATION', 'exchange.lostSelf', undefined, details);
  if (e.transient) throw DeskError.keyed('VALIDATION', 'sync.serverUnreachable', { error: e.message }, details);
  throw DeskError.keyed('VALIDATION', 'sync.serverRefused', { error: e.message }, details);
}

export class AgencyWorkstations {
  constructor(private readonly desk: Pick<Desk, 'db' | 'exchange'>, private readonly server: AgencyWorkstationsServer) {}

  async list(actor: Actor): Promise<AgencyWorkstationView[]> {
    authorize(actor, 'org.manage');
    const page = await this.server.agencyWorkstations().catch(serverError);
    const self = workstationId(this.desk.db);
    return page.workstations.map((w) => ({ id: w.id, lastPerson: w.lastPerson, firstSeen: w.firstSeen, lastSeen: w.lastSeen, self: w.id === self, lost: w.lost }));
  }

  async declareLost(actor: Actor, input: { workstation: string; reason: string }): Promise<WorkstationLostResult> {
    const r = await this.desk.exchange.declareWorkstationLost(actor, input, this.server).catch(serverError);
    return { workstation: r.workstation, declaredBy: r.declaredBy, reason: r.reason, declaredAt: r.declaredAt, released: r.released.length };
  }
}
