// Base migration 36 (docs/exchange.md, "Registering while cut off"): a profile made before it keeps its
// waits, each with no arrival named (an arrival's wait made before it is still found by the arrival's row
// naming its record); a wait made since can name the exchange arrival it is for.
import assert from 'node:assert/strict';
import Database from 'better-sqlite3-multiple-ciphers';
import { test } from 'node:test';
import { openDatabase } from '../../main/core/db/connection';
import { MIGRATIONS } from '../../main/core/db/migrations';
import { linkWaitToArrival } from '../../main/core/documents/numberWaits';
import { tempDir } from '../helpers/desk';

const BASE_STEP = 36;

test('base 36: waits made before it name no arrival; one made since names its arrival', () => {
  const t = tempDir();
  try {
    const file = `${t.dir}/securedesk.db`;
    const old = new Database(file);
    old.pragma('foreign_keys = OFF');
    for (const step of MIGRATIONS.slice(0, BASE_STEP - 1)) {
      if (typeof step === 'string') old.exec(step);
      else step(old);
    }
    old.pragma(`user_version = ${BASE_STEP - 1}`);
    old.prepare(`INSERT INTO number_waits (register_id, period, bucket, placeholder, compartment, record_global_id, made_at)
      VALUES (1, '2026', '*', -5, 'c_thuong', 'rec-old', '2026-12-01T00:00:00Z'), (1, '2026', '*', -6, 'c_thuong', 'rec-new', '2026-12-02T00:00:00Z')`).run();
    old.close();
    const { db } = openDatabase(file);
    try {
      assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
      linkWaitToArrival(db, 'rec-new', 'arrival-1');
      assert.deepEqual(db.prepare('SELECT record_global_id, arrival_global_id FROM number_waits ORDER BY id').all(),
        [{ record_global_id: 'rec-old', arrival_global_id: null }, { record_global_id: 'rec-new', arrival_global_id: 'arrival-1' }]);
    } finally {
      db.close();
    }
  } finally {
    t.cleanup();
  }
});
