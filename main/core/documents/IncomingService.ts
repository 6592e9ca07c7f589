// The incoming register as a service: every call names who acts, and the service checks their rights
// and clearance itself, so the IPC router, the development host, the CLI and later the importer and
// the sync client all get the same rules.
import type {
  CountResult, DocumentSignature, DuplicateRef, HandoverView, IncomingDetail, IncomingRow, NumberPreview, RegisterResult, RegisterSummary,
  RenumberResult, SetAsideRegistration,
} from '../../../common/contract';
import type { HandOverInput, IncomingCorrectionInput, IncomingFilter, RenumberInput } from '../../../common/schemas';
import type { ContextSource } from '../context';
import { parseCrlFiles, type PrivateKeyOps } from '../crypto';
import type { Actor } from '../org/rights';
import { correctIncoming } from './corrections';
import { listSetAside, renumberSetAside } from './renumber';
import { acknowledge, handOver } from './handover';
import * as incoming from './incoming';
import type { NumberAuthority } from './sharedNumbering';
import { moveWaitToOpenYear, type MovedWait } from './waitYear';
import { withdrawDuplicate, type WithdrawnDuplicate } from './withdrawDuplicate';
import * as signing from './signing';
import { appendAudit } from '../audit/auditLog';
import { writeTx } from '../db/transaction';

export type { ListInput, RegisterInput } from './incoming';

export class IncomingService {
  /** The agency server numbering shared registers, while this workstation is linked to it (agencySync.ts); null: it numbers alone. */
  numbering: NumberAuthority | null = null;

  constructor(private readonly source: ContextSource) {}

  registers(actor: Actor): RegisterSummary[] {
    return incoming.listRegisters(this.source.context().db, actor);
  }

  checkDuplicates(actor: Actor, q: { issuerName: string; numberSymbol: string; documentDate: string; stagedIds: string[] }): Promise<DuplicateRef[]> {
    return incoming.checkDuplicates(this.source.context(), actor, q);
  }

  previewNumber(actor: Actor, q: Parameters<typeof incoming.previewNumber>[2]): NumberPreview {
    return incoming.previewNumber(this.source.context(), actor, q);
  }

  register(actor: Actor, input: incoming.RegisterInput): Promise<RegisterResult> {
    return incoming.registerIncoming(this.source.context(), actor, input, { numbering: this.numbering });
  }

  list(actor: Actor, q: incoming.ListInput): IncomingRow[] {
    const c = this.source.context();
    const rows = incoming.listIncoming(c.db, c.arms, actor, q, c.now());
    // A search is recorded (not its words, which may be secret: their count and what came back).
    if (q.query?.trim() && q.offset === 0) {
      const ids = rows.map((r) => r.id);
      c.whenWritable(() => writeTx(c.db, () => appendAudit(c.db, { userId: actor.id, action: 'incoming.search', details: { words: q.query!.trim().split(/\s+/).length, results: ids.slice(0, 50) } })));
    }
    return rows;
  }

  /** A "Chờ cấp số" arrival whose register year was closed meanwhile: registered in the open year instead (waitYear.ts). */
  moveAwaitingToOpenYear(actor: Actor, id: number): Promise<MovedWait> {
    return moveWaitToOpenYear(this.source.context(), actor, id);
  }

  /** An electronic arrival registered twice: this "chờ cấp số" copy withdrawn (withdrawDuplicate.ts). */
  withdrawDuplicate(actor: Actor, id: number): Promise<WithdrawnDuplicate> {
    return withdrawDuplicate(this.source.context(), actor, id);
  }

  count(actor: Actor, f: IncomingFilter): CountResult {
    const c = this.source.context();
    return incoming.countIncoming(c.db, c.arms, actor, f, c.now());
  }

  /** Every view of a record is recorded (once the database is known sound). */
  get(actor: Actor, id: number): IncomingDetail {
    const c = this.source.context();
    const d = incoming.getIncoming(c.db, c.arms, actor, id);
    c.whenWritable(() => writeTx(c.db, () => appendAudit(c.db, { userId: actor.id, action: 'incoming.view', entity: 'incoming', entityId: id })));
    return d;
  }

  /** Signs the document's files and register entry with a key on the person's token. */
  async sign(actor: Actor, id: number, key: PrivateKeyOps): Promise<number> {
    const c = this.source.context();
    await c.writable();
    return signing.signIncoming(c, actor, id, key, c.now());
  }

  /** Records a hand-over inside the agency (ngày chuyển). */
  handOver(actor: Actor, input: HandOverInput): Promise<HandoverView> {
    return handOver(this.source.context(), actor, input);
  }

  /** Ký nhận: the recipient acknowledges a hand-over. */
  /** With `key` (the person's signing key on their token) the acknowledgement is signed (Sổ chuyển giao BMNN). */
  acknowledge(actor: Actor, handoverId: number, key?: PrivateKeyOps): Promise<HandoverView> {
    return acknowledge(this.source.context(), actor, handoverId, key);
  }

  /** Corrects a registered entry with a reason; the old values are kept. */
  correct(actor: Actor, input: IncomingCorrectionInput): Promise<IncomingDetail> {
    return correctIncoming(this.source.context(), actor, input);
  }

  /** Registrations the sync set aside because another workstation gave the same arrival number offline. */
  setAside(actor: Actor): SetAsideRegistration[] {
    return listSetAside(this.source.context(), actor);
  }

  /** Gives the later of two registrations with one arrival number the next number of its register; audited, synced. */
  renumber(actor: Actor, input: RenumberInput): Promise<RenumberResult> {
    return renumberSetAside(this.source.context(), actor, input, this.numbering);
  }

  async verify(actor: Actor, id: number): Promise<DocumentSignature[]> {
    const c = this.source.context();
    const { crls, problems } = parseCrlFiles(await c.revocationLists());
    if (problems.length) c.log.log('warn', 'CRL files left out', { problems });
    return signing.verifyIncoming(c, actor, id, c.trustAnchors, c.now(), crls);
  }
}

