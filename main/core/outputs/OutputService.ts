// What leaves the app as a finished file: a composed printout or copy (CopyService) and a register
// output (RegisterOutputService). Each is held in memory behind a one-use ticket for the person who
// made it, never written to disk by the core, and goes out one way only:
//   - 'printer': a print run goes to paper (the Electron layer prints it silently on the printer the
//     person chose, so the system dialog cannot add copies the register does not know of);
//   - 'file': an electronic copy or a register output is saved as a file (the Electron layer asks
//     where, and policy decides which folders may receive a classified file).
// The development host, which has no printer, serves both to the browser once.
// Where it went (printer and outcome, or the file's folder) is audited by `delivered`.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Secrecy } from '../../../common/domain';
import { appendAudit } from '../audit/auditLog';
import type { ContextSource } from '../context';
import { writeTx } from '../db/transaction';
import type { Actor } from '../org/rights';

const TICKET_TTL_MS = 10 * 60 * 1000;
/** Tickets are 16 random bytes in lower-case hex, like the viewer's. */
export const OUTPUT_TICKET = /^[0-9a-f]{32}$/;

/** Where an output may go: a print run to paper, an electronic copy to a file, a register either. */
export type OutputPurpose = 'printer' | 'file' | 'any';

export interface OutputInput {
  bytes: Uint8Array;
  /** The file name offered when saved (no path). */
  name: string;
  mime: string;
  /** The record's (or, for a register, the highest listed) secrecy level: what policy decides on. */
  level: Secrecy;
  purpose: OutputPurpose;
  /** The record it was made from, for the audit entry (none for a register output). */
  incomingId?: number;
  /** Short, content-free description for the audit: 'copy:print', 'register:copies' … */
  what: string;
}

export interface OutputMeta {
  name: string;
  mime: string;
  size: number;
  level: Secrecy;
  purpose: OutputPurpose;
  incomingId: number | null;
  what: string;
}

interface Held extends OutputMeta {
  bytes: Uint8Array;
  userId: number;
  expires: number;
}

export interface OutputSource extends ContextSource {
  readonly session: Actor | null;
  onLock(listener: () => void): void;
}

export type Delivery =
  | { target: 'printer'; printer: string; ok: boolean; error?: string }
  | { target: 'file'; folder: string; ok: boolean; error?: string }
  | { target: 'page'; ok: boolean };

export class OutputService {
  private readonly held = new Map<string, Held>();

  constructor(private readonly source: OutputSource) {
    // A printout never outlives the session that made it.
    source.onLock(() => this.clear());
  }

  issue(actor: Actor, input: OutputInput): string {
    const ticket = randomBytes(16).toString('hex');
    const now = Date.now();
    for (const [k, h] of this.held) if (h.expires < now) this.forget(k);
    this.held.set(ticket, {
      bytes: input.bytes, name: input.name, mime: input.mime, size: input.bytes.length, level: input.level, purpose: input.purpose,
      incomingId: input.incomingId ?? null, what: input.what, userId: actor.id, expires: now + TICKET_TTL_MS,
    });
    return ticket;
  }

  /** What a ticket holds, for the person who made it only; the ticket stays unspent. */
  peek(ticket: string): OutputMeta | undefined {
    const h = this.live(ticket);
    if (!h) return undefined;
    const { bytes: _bytes, userId: _userId, expires: _expires, ...meta } = h;
    return meta;
  }

  /** The bytes, once: the ticket is spent. */
  take(ticket: string): (OutputMeta & { bytes: Uint8Array }) | undefined {
    const h = this.live(ticket);
    if (!h) return undefined;
    this.held.delete(ticket);
    const { userId: _userId, expires: _expires, ...out } = h;
    return out;
  }

  /** The ticket as a stream (the app:// and development host /blob/ routes), once. */
  async openTicket(ticket: string): Promise<{ stream: Readable; size: number; mime: string; name: string } | undefined> {
    const actor = this.source.session;
    const out = this.take(ticket);
    if (!out || !actor) return undefined;
    // Handed to a page (the browser of the development host, or the Electron print window).
    this.delivered(actor, out, { target: 'page', ok: true });
    return { stream: Readable.from([Buffer.from(out.bytes)]), size: out.size, mime: out.mime, name: out.name };
  }

  /** Records where an output went (or why it did not). Folder names only; never the content. */
  delivered(actor: Actor, meta: OutputMeta, delivery: Delivery): void {
    const c = this.source.context();
    const action = delivery.target === 'printer' ? 'output.printed' : delivery.target === 'file' ? 'output.saved' : 'output.served';
    writeTx(c.db, () => appendAudit(c.db, {
      userId: actor.id,
      action,
      ...(meta.incomingId !== null ? { entity: 'incoming', entityId: meta.incomingId } : {}),
      outcome: delivery.ok ? 'ok' : 'failed',
      details: {
        what: meta.what, level: meta.level, size: meta.size,
        ...(delivery.target === 'printer' ? { printer: delivery.printer.slice(0, 200) } : {}),
        ...(delivery.target === 'file' ? { folder: delivery.folder.slice(0, 500) } : {}),
        ...('error' in delivery && delivery.error ? { error: delivery.error.slice(0, 200) } : {}),
      },
    }, c.now().toISOString()));
  }

  private live(ticket: string): Held | undefined {
    if (typeof ticket !== 'string' || !OUTPUT_TICKET.test(ticket)) return undefined;
    const h = this.held.get(ticket);
    const actor = this.source.session;
    if (!h || !actor || actor.id !== h.userId) return undefined;
    if (h.expires < Date.now()) {
      this.forget(ticket);
      return undefined;
    }
    return h;
  }

  private forget(ticket: string): void {
    const h = this.held.get(ticket);
    if (h) h.bytes.fill(0);
    this.held.delete(ticket);
  }

  private clear(): void {
    for (const k of [...this.held.keys()]) this.forget(k);
  }
}
