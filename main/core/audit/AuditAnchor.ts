// Anchors the audit chain with the signed-in person's token: the head is signed at unlock (the head
// the previous session left), at least hourly while unlocked, and at lock while the token is still
// present. The vault calls sessionStarted/sessionEnding; nothing else here touches the vault.
//
// At lock the database closes at once, while the token signs asynchronously: the signed head is
// written to a small file beside the database (audit-heads.pending.jsonl: seq, hash, certificate and
// signature, nothing secret) and moved into audit_heads at the next unlock. A signed head vouches for
// itself, so the file needs no protection beyond the profile's; removing it loses one anchor only.
import { appendFileSync, existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { PrivateKeyOps } from '../crypto';
import type { Db } from '../db/connection';
import { writeTx } from '../db/transaction';
import type { Logger } from '../log';
import { getSetting } from '../profile/settings';
import { appendAudit, auditHead, type AuditEntry } from './auditLog';
import { anchorHead, fingerprintOfDer, headStatement as headText, parseHeadStatement, signHead, storeHead, type HeadStatement } from './heads';

export const PENDING_HEADS_FILE = 'audit-heads.pending.jsonl';
/** Entries of events while locked (failed sign-ins, refused calls): appended to the chain at the next unlock. */
export const PENDING_EVENTS_FILE = 'audit-events.pending.jsonl';
/** A locked app hammered with calls must not fill the disk: past this size further events are dropped. */
const PENDING_EVENTS_MAX_BYTES = 256 * 1024;
const HOUR_MS = 60 * 60 * 1000;

interface PendingHead {
  statement: HeadStatement;
  certificate: string;
  signature: string;
  cause: string;
}

export class AuditAnchor {
  private timer: NodeJS.Timeout | null = null;
  private session: { db: Db; key: PrivateKeyOps } | null = null;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly profileDir: string,
    private readonly log: Logger,
    private readonly now: () => Date,
    private readonly intervalMs = HOUR_MS,
  ) {}

  private get pendingFile(): string {
    return join(this.profileDir, PENDING_HEADS_FILE);
  }

  private track(p: Promise<unknown>, what: string): void {
    const t = p.catch((err: unknown) => this.log.log('warn', `could not sign the audit head (${what})`, { error: (err as Error).message }));
    this.inFlight.add(t);
    void t.finally(() => this.inFlight.delete(t));
  }

  /** Resolves when every signature started so far is written (the CLI waits before closing the token). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** The key that signs heads: a signing key bound to this person, else the key that unlocked. */
  private keyFor(db: Db, userId: number, keys: readonly PrivateKeyOps[]): PrivateKeyOps | null {
    for (const k of keys) {
      try {
        const owner = db.prepare('SELECT user_id FROM user_certificates WHERE fingerprint = ?').pluck().get(fingerprintOfDer(k.certificate));
        if (owner === userId) return k;
      } catch {
        // an unreadable certificate signs nothing
      }
    }
    return null;
  }

  /** Moves the heads signed at earlier locks into the database. */
  private importPending(db: Db): void {
    if (!existsSync(this.pendingFile)) return;
    const ws = getSetting(db, 'workstation_id');
    const lines = readFileSync(this.pendingFile, 'utf8').split('\n').filter(Boolean);
    writeTx(db, () => {
      for (const line of lines) {
        try {
          const p = JSON.parse(line) as PendingHead;
          if (p.statement.workstation !== ws || !parseHeadStatement(headText(p.statement))) continue;
          const known = db.prepare('SELECT 1 FROM audit_heads WHERE seq = ? AND hash = ? AND at = ? AND signer = ?').get(p.statement.seq, p.statement.hash, p.statement.at, p.statement.signer);
          if (!known) storeHead(db, p.statement, Buffer.from(p.certificate, 'base64'), Buffer.from(p.signature, 'base64'), p.cause);
        } catch {
          this.log.log('warn', 'skipped an unreadable pending audit head');
        }
      }
    });
    rmSync(this.pendingFile, { force: true });
  }

  /**
   * Something to record while no database is open (a failed sign-in). Kept beside the database and
   * appended to the chain at the next unlock, with its own time and marked as recorded while locked.
   */
  recordWhileLocked(entry: AuditEntry, at: Date): void {
    const file = join(this.profileDir, PENDING_EVENTS_FILE);
    try {
      if (existsSync(file) && statSync(file).size > PENDING_EVENTS_MAX_BYTES) return;
      appendFileSync(file, JSON.stringify({ entry, at: at.toISOString() }) + '\n', { mode: 0o600 });
    } catch (err) {
      this.log.log('warn', 'could not keep an audit event for the next unlock', { error: (err as Error).message });
    }
  }

  private importPendingEvents(db: Db): void {
    const file = join(this.profileDir, PENDING_EVENTS_FILE);
    if (!existsSync(file)) return;
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    writeTx(db, () => {
      for (const line of lines) {
        try {
          const p = JSON.parse(line) as { entry: AuditEntry; at: string };
          appendAudit(db, { ...p.entry, details: { ...(p.entry.details ?? {}), recordedWhileLocked: true } }, p.at);
        } catch {
          this.log.log('warn', 'skipped an unreadable pending audit event');
        }
      }
    });
    rmSync(file, { force: true });
  }

  /** A session began: carry over the lock heads, sign the head left behind, start the hourly timer. */
  sessionStarted(db: Db, userId: number, keys: readonly PrivateKeyOps[], whenWritable: (write: () => void) => void): void {
    this.stopTimer();
    const key = this.keyFor(db, userId, keys);
    if (!key) {
      this.log.log('warn', 'no key of this person can sign audit heads');
      return;
    }
    this.session = { db, key };
    whenWritable(() => {
      try {
        this.importPendingEvents(db);
        this.importPending(db);
      } catch (err) {
        this.log.log('warn', 'could not import the pending audit heads', { error: (err as Error).message });
      }
      this.track(anchorHead(db, key, 'unlock', this.now()), 'unlock');
    });
    this.timer = setInterval(() => {
      if (this.session?.db === db && db.open) this.track(anchorHead(db, key, 'hourly', this.now()), 'hourly');
    }, this.intervalMs);
    this.timer.unref();
  }

  /** Signs the head now, on demand (before an export: the package is anchored up to its last entry). */
  async anchorNow(cause: 'export' | 'hourly' = 'export'): Promise<void> {
    const s = this.session;
    if (!s || !s.db.open) return;
    const p = anchorHead(s.db, s.key, cause, this.now());
    this.track(p, cause);
    await p;
  }

  /** The session ends; while the token is there the final head is signed and kept for the next unlock. */
  sessionEnding(reason: string): void {
    this.stopTimer();
    const s = this.session;
    this.session = null;
    // Removed token (or its bridge gone): nothing can sign; the next unlock signs this head.
    if (!s || reason === 'removed' || reason === 'bridge' || !s.db.open) return;
    let head: { seq: number; hash: string };
    let ws: string;
    try {
      head = auditHead(s.db);
      ws = getSetting(s.db, 'workstation_id') ?? 'unknown';
    } catch (err) {
      this.log.log('warn', 'could not read the audit head at lock', { error: (err as Error).message });
      return;
    }
    if (head.seq === 0) return;
    const file = this.pendingFile;
    this.track(
      signHead(head, ws, s.key, this.now()).then(({ statement, signature }) => {
        const p: PendingHead = { statement, certificate: Buffer.from(s.key.certificate).toString('base64'), signature: Buffer.from(signature).toString('base64'), cause: 'lock' };
        appendFileSync(file, JSON.stringify(p) + '\n', { mode: 0o600 });
      }),
      'lock',
    );
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
