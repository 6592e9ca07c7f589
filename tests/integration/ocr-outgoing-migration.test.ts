// Compartment migration 14 (docs/ocr.md, "Outgoing documents"): on a compartment made before it, the
// OCR queue and page texts keep every row, each still naming its incoming document; a row may then name
// an outgoing document instead, never both nor neither; outgoing_fts is there, empty.
import assert from 'node:assert/strict';
import Database from 'better-sqlite3-multiple-ciphers';
import { test } from 'node:test';
import { COMPARTMENT_MIGRATIONS, migrateCompartment } from '../../main/core/compartments/schema';
import { tempDir } from '../helpers/desk';

/** The step under test (1-based, as user_version counts them): the compartment is built up to the one before. */
const COMPARTMENT_STEP = 14;

test('compartment 14: the OCR queue and pages keep their rows and take outgoing documents\' files', () => {
  const t = tempDir();
  try {
    const db = new Database(`${t.dir}/c_mat.db`);
    try {
      for (const step of COMPARTMENT_MIGRATIONS.slice(0, COMPARTMENT_STEP - 1)) db.exec(step);
      db.pragma(`user_version = ${COMPARTMENT_STEP - 1}`);
      db.prepare("INSERT INTO ocr_queue (attachment_id, incoming_id, state, pages, pages_done, pages_recognised, attempts, problem, queued_at, finished_at) VALUES (5, 4, 'done', 2, 2, 1, 1, NULL, 'q', 'f')").run();
      db.prepare("INSERT INTO ocr_queue (attachment_id, incoming_id, state, attempts, problem, queued_at) VALUES (6, 4, 'pending', 2, 'tesseract.timeout', 'q')").run();
      db.prepare("INSERT INTO ocr_pages (attachment_id, page, incoming_id, source, text, done_at) VALUES (5, 1, 4, 'ocr', 'CÔNG VĂN KHẨN', 'd1'), (5, 2, 4, 'text', 'Trang hai', 'd2')").run();
      assert.throws(() => db.prepare("INSERT INTO ocr_queue (attachment_id, incoming_id, queued_at) VALUES (7, NULL, 'q')").run(), /NOT NULL/, 'before: an incoming document only');

      migrateCompartment(db, 'mat', 'profile');
      assert.equal(db.pragma('user_version', { simple: true }), COMPARTMENT_MIGRATIONS.length);
      assert.deepEqual(db.prepare('SELECT * FROM ocr_queue ORDER BY attachment_id').all(), [
        { attachment_id: 5, incoming_id: 4, state: 'done', pages: 2, pages_done: 2, pages_recognised: 1, attempts: 1, problem: null, queued_at: 'q', finished_at: 'f', outgoing_id: null },
        { attachment_id: 6, incoming_id: 4, state: 'pending', pages: null, pages_done: 0, pages_recognised: 0, attempts: 2, problem: 'tesseract.timeout', queued_at: 'q', finished_at: null, outgoing_id: null },
      ]);
      assert.deepEqual(db.prepare('SELECT attachment_id AS a, page, incoming_id AS i, outgoing_id AS o, source, text, done_at AS at FROM ocr_pages ORDER BY page').all(), [
        { a: 5, page: 1, i: 4, o: null, source: 'ocr', text: 'CÔNG VĂN KHẨN', at: 'd1' },
        { a: 5, page: 2, i: 4, o: null, source: 'text', text: 'Trang hai', at: 'd2' },
      ]);
      // An outgoing document's file now; never both records, nor none.
      db.prepare("INSERT INTO ocr_queue (attachment_id, outgoing_id, queued_at) VALUES (8, 3, 'q')").run();
      db.prepare("INSERT INTO ocr_pages (attachment_id, page, outgoing_id, source, text, done_at) VALUES (8, 1, 3, 'ocr', 'PHỤ LỤC', 'd')").run();
      assert.throws(() => db.prepare("INSERT INTO ocr_queue (attachment_id, incoming_id, outgoing_id, queued_at) VALUES (9, 4, 3, 'q')").run(), /CHECK/);
      assert.throws(() => db.prepare("INSERT INTO ocr_queue (attachment_id, queued_at) VALUES (10, 'q')").run(), /CHECK/);
      assert.throws(() => db.prepare("INSERT INTO ocr_pages (attachment_id, page, source, text, done_at) VALUES (10, 1, 'ocr', '', 'd')").run(), /CHECK/);
      // The pending index and the per-record indexes are there; the outgoing index is empty and contentless.
      const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('ocr_queue','ocr_pages') AND name LIKE 'idx_%' ORDER BY name").pluck().all();
      assert.deepEqual(indexes, ['idx_ocr_pages_incoming', 'idx_ocr_pages_outgoing', 'idx_ocr_queue_incoming', 'idx_ocr_queue_outgoing', 'idx_ocr_queue_pending']);
      assert.equal(db.prepare('SELECT count(*) FROM outgoing_fts').pluck().get(), 0);
      db.prepare("INSERT INTO outgoing_fts (rowid, body) VALUES (3, 'phu luc')").run();
      assert.deepEqual(db.prepare("SELECT rowid FROM outgoing_fts WHERE outgoing_fts MATCH '\"phu\"'").pluck().all(), [3]);
      assert.equal(db.prepare('SELECT body FROM outgoing_fts WHERE rowid = 3').pluck().get(), null, 'contentless: the words are not kept as text');
      assert.equal(db.prepare("SELECT count(*) FROM sqlite_master WHERE name LIKE '%_v14'").pluck().get(), 0, 'no table of the rebuild left');
      // The plan for the per-record reads uses the partial indexes.
      const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>).map((r) => r.detail).join(' | ');
      assert.match(plan('SELECT text FROM ocr_pages WHERE incoming_id = 4'), /idx_ocr_pages_incoming/);
      assert.match(plan('SELECT text FROM ocr_pages WHERE outgoing_id = 3'), /idx_ocr_pages_outgoing/);
    } finally {
      db.close();
    }
  } finally {
    t.cleanup();
  }
});
