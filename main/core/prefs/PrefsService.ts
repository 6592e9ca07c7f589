// Each person's preferences, kept in the profile (user_prefs) rather than on the workstation: the
// UI language follows the person who signs in. A change is a replicated record with its event, so
// the preference follows the person to the agency's other workstations.
import type { UiLanguage, UserPrefs } from '../../../common/contract';
import { UI_LANGUAGES } from '../../../common/contract';
import type { ContextSource } from '../context';
import type { Db } from '../db/connection';
import { writeTx } from '../db/transaction';
import { recordChange } from '../events/eventLog';
import { newGlobalId } from '../events/globalId';
import { authorize, type Actor } from '../org/rights';

type PrefKey = 'language';

function readPref(db: Db, userId: number, key: PrefKey): string | undefined {
  return db.prepare('SELECT value FROM user_prefs WHERE user_id = ? AND key = ?').pluck().get(userId, key) as string | undefined;
}

/** Sets one preference; returns nothing when the value is unchanged (no event for a no-op). */
function writePref(db: Db, userId: number, key: PrefKey, value: string, now: Date): void {
  const row = db.prepare('SELECT id, value FROM user_prefs WHERE user_id = ? AND key = ?').get(userId, key) as { id: number; value: string } | undefined;
  if (row?.value === value) return;
  if (row) {
    db.prepare('UPDATE user_prefs SET value = ?, updated_at = ? WHERE id = ?').run(value, now.toISOString(), row.id);
    recordChange(db, 'user_prefs', row.id, 'update', userId, now);
    return;
  }
  const res = db
    .prepare('INSERT INTO user_prefs (global_id, user_id, key, value, updated_at) VALUES (?,?,?,?,?)')
    .run(newGlobalId(), userId, key, value, now.toISOString());
  recordChange(db, 'user_prefs', Number(res.lastInsertRowid), 'create', userId, now);
}

const asLanguage = (v: string | undefined): UiLanguage | null =>
  v !== undefined && (UI_LANGUAGES as readonly string[]).includes(v) ? (v as UiLanguage) : null;

export class PrefsService {
  constructor(private readonly vault: ContextSource) {}

  /** The signed-in person's own preferences (nobody reads another's). */
  get(actor: Actor): UserPrefs {
    authorize(actor, 'session');
    const { db } = this.vault.context();
    return { language: asLanguage(readPref(db, actor.id, 'language')) };
  }

  async setLanguage(actor: Actor, language: UiLanguage): Promise<UserPrefs> {
    authorize(actor, 'session');
    const c = this.vault.context();
    await c.writable();
    writeTx(c.db, () => writePref(c.db, actor.id, 'language', language, c.now()));
    return { language };
  }
}
