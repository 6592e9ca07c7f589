// The level keyrings travel through the agency server (issue 9 §2): each workstation sends its
// keyrings/<level>.cms when it changed (a holder added, a re-key), and takes the entries other
// workstations sent. The server keeps them as they are (CMS AuthEnvelopedData: the level key wrapped
// for its holders' certificates) and lists an entry only to a person it is addressed to.
// What a received entry does here (ProfileVault.weighSyncedKeyring):
// - it is kept in keyrings/received/ (a person newly given the level elsewhere opens it at unlock here);
// - when it replaced this session's key on another workstation (a re-key there), the compartment is
//   re-keyed here to it, so both seal and open under the same key again;
// - any key it holds opens batches sealed under it (LevelKeys.byId), for as long as the session lasts.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { Secrecy } from '../../../common/domain';
import type { Db } from '../db/connection';
import { writeTx } from '../db/transaction';
import { levelKeyringFile, type Level } from '../compartments/levels';
import { cursor, getState, keyringPullKey, keyringSentKey, setState } from './outbox';
import { keepReceivedKeyring } from './receivedKeyrings';
import type { ServerClient } from './ServerClient';

export interface KeyringHooks {
  readonly db: Db;
  readonly syncProfileDir: string;
  syncLevelKeys(): Array<{ level: Level; keyId: string; key: Buffer }>;
  weighSyncedKeyring(level: Level, cms: Buffer): Promise<{ outcome: 'same' | 'adopted' | 'other' | 'not-mine'; keyId?: string; key?: Buffer }>;
}

export interface KeyringRound { sent: number; received: number; adopted: Level[] }

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

export class KeyringShare {
  /** Keys opened from received entries this session (by wire key id), wiped at close. */
  private readonly extra = new Map<string, { level: Level; key: Buffer }>();

  constructor(private readonly hooks: KeyringHooks, private readonly client: ServerClient, private readonly levels: () => readonly Secrecy[]) {}

  /** A key of the level known to this session under a wire key id, besides the session's own. */
  byId(level: Secrecy, keyId: string): Buffer | null {
    const k = this.extra.get(keyId);
    return k && k.level === level ? k.key : null;
  }

  async round(): Promise<KeyringRound> {
    const out: KeyringRound = { sent: 0, received: 0, adopted: [] };
    const { db } = this.hooks;
    for (const level of this.levels()) {
      // A level the person is cleared for but not yet given here: nothing to send; what is received
      // for them is kept, and opens the level at their next unlock.
      const own = this.hooks.syncLevelKeys().find((k) => k.level === level);
      own?.key.fill(0);
      // Send ours when it changed since last sent.
      const file = levelKeyringFile(this.hooks.syncProfileDir, level);
      if (own && existsSync(file)) {
        const cms = readFileSync(file);
        const sha = sha256(cms);
        if (getState(db, keyringSentKey(level)) !== sha) {
          await this.client.pushKeyring(level, own.keyId, cms);
          writeTx(db, () => setState(db, keyringSentKey(level), sha));
          out.sent++;
        }
      }
      // Take the others'.
      for (;;) {
        const page = await this.client.pullKeyringPage(level, cursor(db, keyringPullKey(level)));
        for (const k of page.keyrings) {
          const cms = Buffer.from(k.payload, 'base64');
          if (sha256(cms) !== k.sha256) throw new Error(`keyring ${k.seq} does not match its hash`);
          if (existsSync(file) && sha256(readFileSync(file)) === k.sha256) continue; // ours
          out.received++;
          await keepReceivedKeyring(this.hooks.syncProfileDir, level, k.keyId, cms);
          const w = await this.hooks.weighSyncedKeyring(level, cms);
          if (w.outcome === 'adopted') {
            out.adopted.push(level);
            // What we send next is the new keyring: mark it unsent.
            writeTx(db, () => setState(db, keyringSentKey(level), ''));
          }
          if (w.key && w.keyId) {
            this.extra.get(w.keyId)?.key.fill(0);
            this.extra.set(w.keyId, { level, key: w.key });
          }
        }
        writeTx(db, () => setState(db, keyringPullKey(level), String(page.next)));
        if (!page.more) break;
      }
    }
    return out;
  }

  close(): void {
    for (const k of this.extra.values()) k.key.fill(0);
    this.extra.clear();
  }
}
