// The workstation's sync with its agency server, put together: the transport client (ServerClient:
// outbox, cursors, sealed batches) carries the events this profile appended and brings the others';
// what it brings goes into each schema's inbox in the transaction that moves the cursor, and is applied
// by global id right after (apply.ts). The channels are the base and the levels this session holds.
import { clearedFor, SECRECY_LEVELS, type Secrecy } from '../../../common/domain';
import type { AttachmentStore } from '../attachments/store';
import { backoffDelay, DEFAULT_BACKOFF } from './backoff';
import { BlobSync, type BlobRound, type BlobStep } from './blobSync';
import { KeyringShare, type KeyringRound } from './keyringShare';
import { TransportError } from './transport';
import type { PrivateKeyOps } from '../crypto';
import type { Db } from '../db/connection';
import { schemaOf } from '../compartments/levels';
import { applyReceived, inboxState, receiveEvents, type ApplyResult } from './apply';
import type { Channel } from './protocol';
import { ServerClient, type ServerClientOptions, type SyncStatus } from './ServerClient';
import type { TransportOptions } from './transport';
import type { WireEvent } from './wire';

/** What the vault lends the sync: its database and the level keys of the session. */
export interface SyncSource {
  readonly db: Db;
  syncLevelKeys(): Array<{ level: Secrecy; keyId: string; key: Buffer }>;
  /** With these (the profile vault has them) keyrings and files travel too. */
  readonly syncProfileDir?: string;
  syncLevelStore?(level: Secrecy): AttachmentStore | null;
  weighSyncedKeyring?(level: Secrecy, cms: Buffer): Promise<{ outcome: 'same' | 'adopted' | 'other' | 'not-mine'; keyId?: string; key?: Buffer }>;
}

export interface SyncRound extends ApplyResult {
  sent: number;
  /** Batches pulled. */
  pulled: number;
  keyrings?: KeyringRound;
  files?: BlobRound;
}

export interface SyncPanelStatus extends SyncStatus {
  /** Per schema ('main' for the base): events waiting for what they reference, and those set aside. */
  inbox: Record<string, { waiting: number; conflicts: number }>;
}

const schemaOfChannel = (c: Channel): string => (c === 'base' ? 'main' : schemaOf(c));

export class SyncService {
  readonly client: ServerClient;
  readonly keyrings: KeyringShare | null = null;
  readonly files: BlobSync | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private failures = 0;
  private lastFiles: BlobRound | null = null;

  constructor(private readonly source: SyncSource, o: {
    transport: TransportOptions; signer: () => PrivateKeyOps | null; clearance: Secrecy;
    onStep?: ServerClientOptions['onStep']; onBlobStep?: (step: BlobStep, detail: { level: Secrecy; sha256: string; bytes: number }) => void;
  }) {
    const keys = () => source.syncLevelKeys();
    this.client = new ServerClient({
      db: source.db,
      transport: o.transport,
      signer: o.signer,
      // The levels whose compartments this session opened, up to what the person is cleared for.
      channels: () => ['base', ...keys().map((k) => k.level).filter((l) => clearedFor(o.clearance, l))] as Channel[],
      keys: {
        current: (level) => {
          const k = keys().find((x) => x.level === level);
          return k ? { keyId: k.keyId, key: k.key } : null;
        },
        byId: (level, keyId) => keys().find((x) => x.level === level && x.keyId === keyId)?.key ?? this.keyrings?.byId(level, keyId) ?? null,
      },
      apply: (batch) => {
        receiveEvents(source.db, schemaOfChannel(batch.channel), batch.events as unknown as WireEvent[], new Date());
      },
      ...(o.onStep ? { onStep: o.onStep } : {}),
    });
    const cleared = () => SECRECY_LEVELS.filter((l) => clearedFor(o.clearance, l));
    const held = () => keys().map((k) => k.level).filter((l) => clearedFor(o.clearance, l));
    const { syncProfileDir, syncLevelStore, weighSyncedKeyring } = source;
    if (syncProfileDir && weighSyncedKeyring) {
      this.keyrings = new KeyringShare({
        db: source.db, syncProfileDir, syncLevelKeys: () => source.syncLevelKeys(), weighSyncedKeyring: (l, c) => weighSyncedKeyring.call(source, l, c),
      }, this.client, cleared);
    }
    if (syncProfileDir && syncLevelStore) {
      this.files = new BlobSync({ db: source.db, syncProfileDir, syncLevelStore: (l) => syncLevelStore.call(source, l) }, this.client, held, o.onBlobStep);
    }
  }

  /** One round: send what waits, pull what is new, apply it (the base first: people before their documents). */
  /** What the last round's failure was: the server not reached (offline) or a refusal (error); null after a good round. */
  lastFailure: { kind: 'offline' | 'error'; message: string; at: string } | null = null;

  private inFlight: Promise<SyncRound> | null = null;

  /** One round; while one runs (the timer's, the panel's, a wake's), callers share it: never two at once. */
  syncOnce(): Promise<SyncRound> {
    this.inFlight ??= (async () => {
      try {
        const r = await this.round();
        this.lastFailure = null;
        return r;
      } catch (e) {
        const offline = e instanceof TransportError ? e.status === null || e.status >= 500 : false;
        this.lastFailure = { kind: offline ? 'offline' : 'error', message: e instanceof Error ? e.message : String(e), at: new Date().toISOString() };
        throw e;
      } finally {
        this.inFlight = null;
      }
    })();
    return this.inFlight;
  }

  /**
   * A round that begins now: one in flight may have pulled before the news it is asked for (the sync
   * log's long poll), so it is waited for first, then a round of its own (shared with other callers).
   */
  async freshRound(): Promise<SyncRound> {
    if (this.inFlight) await this.inFlight.catch(() => null);
    return this.syncOnce();
  }

  private async round(): Promise<SyncRound> {
    // Keyrings first: a key re-keyed elsewhere is needed to open that level's new batches.
    const keyrings = this.keyrings ? await this.keyrings.round() : undefined;
    const { sent, applied: pulled } = await this.client.syncOnce();
    const total: SyncRound = { sent, pulled, applied: 0, stale: 0, waiting: 0, conflicts: 0, ...(keyrings ? { keyrings } : {}) };
    for (const schema of ['main', ...this.source.syncLevelKeys().map((k) => schemaOf(k.level))]) {
      const r = applyReceived(this.source.db, schema);
      total.applied += r.applied; total.stale += r.stale; total.waiting += r.waiting; total.conflicts += r.conflicts;
    }
    // Files last: the records that name them are here now.
    if (this.files) {
      total.files = await this.files.round();
      this.lastFiles = total.files;
    }
    return total;
  }

  /** Syncs every `intervalMs` (the whole round: keyrings, events applied, files); after a failure with backoff. */
  start(intervalMs = 5_000): void {
    if (this.running) return;
    this.running = true;
    const tick = async () => {
      let wait = intervalMs;
      try {
        await this.syncOnce();
        this.failures = 0;
      } catch (e) {
        this.failures++;
        wait = e instanceof TransportError && e.retryAfterMs ? e.retryAfterMs : backoffDelay(this.failures, DEFAULT_BACKOFF);
      }
      if (this.running) this.timer = setTimeout(() => void tick(), wait);
    };
    void tick();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Files of the last round: waiting on the server, refused. */
  get lastFileRound(): BlobRound | null {
    return this.lastFiles;
  }

  status(): SyncPanelStatus {
    const inbox: SyncPanelStatus['inbox'] = {};
    for (const schema of ['main', ...this.source.syncLevelKeys().map((k) => schemaOf(k.level))]) {
      const s = inboxState(this.source.db, schema);
      inbox[schema] = { waiting: s.waiting, conflicts: s.conflicts.length };
    }
    return { ...this.client.status(), inbox };
  }

  close(): void {
    this.stop();
    this.keyrings?.close();
    this.client.close();
  }
}
