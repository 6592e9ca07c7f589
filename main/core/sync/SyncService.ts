// The workstation's sync with its agency server, put together: the transport client (ServerClient:
// outbox, cursors, sealed batches) carries the events this profile appended and brings the others';
// what it brings goes into each schema's inbox in the transaction that moves the cursor, and is applied
// by global id right after (apply.ts). The channels are the base and the levels this session holds.
import { clearedFor, type Secrecy } from '../../../common/domain';
import type { PrivateKeyOps } from '../crypto';
import type { Db } from '../db/connection';
import { schemaOf } from '../compartments/levels';
import { applyReceived, inboxState, receiveEvents, type ApplyResult } from './apply';
import type { Channel } from './protocol';
import { ServerClient, type SyncStatus } from './ServerClient';
import type { TransportOptions } from './transport';
import type { WireEvent } from './wire';

/** What the vault lends the sync: its database and the level keys of the session. */
export interface SyncSource {
  readonly db: Db;
  syncLevelKeys(): Array<{ level: Secrecy; keyId: string; key: Buffer }>;
}

export interface SyncRound extends ApplyResult {
  sent: number;
  /** Batches pulled. */
  pulled: number;
}

export interface SyncPanelStatus extends SyncStatus {
  /** Per schema ('main' for the base): events waiting for what they reference, and those set aside. */
  inbox: Record<string, { waiting: number; conflicts: number }>;
}

const schemaOfChannel = (c: Channel): string => (c === 'base' ? 'main' : schemaOf(c));

export class SyncService {
  readonly client: ServerClient;

  constructor(private readonly source: SyncSource, o: { transport: TransportOptions; signer: () => PrivateKeyOps | null; clearance: Secrecy }) {
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
        byId: (level, keyId) => keys().find((x) => x.level === level && x.keyId === keyId)?.key ?? null,
      },
      apply: (batch) => {
        receiveEvents(source.db, schemaOfChannel(batch.channel), batch.events as unknown as WireEvent[], new Date());
      },
    });
  }

  /** One round: send what waits, pull what is new, apply it (the base first: people before their documents). */
  async syncOnce(): Promise<SyncRound> {
    const { sent, applied: pulled } = await this.client.syncOnce();
    const total: SyncRound = { sent, pulled, applied: 0, stale: 0, waiting: 0, conflicts: 0 };
    for (const schema of ['main', ...this.source.syncLevelKeys().map((k) => schemaOf(k.level))]) {
      const r = applyReceived(this.source.db, schema);
      total.applied += r.applied; total.stale += r.stale; total.waiting += r.waiting; total.conflicts += r.conflicts;
    }
    return total;
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
    this.client.close();
  }
}
