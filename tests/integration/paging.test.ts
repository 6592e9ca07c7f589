// Paging the register by key (documents/paging.ts): every page, found from sampled keys or from the
// page before, holds exactly the rows OFFSET gives in the same order, for every sort, both directions,
// below the top clearance and with filters; a change from any connection starts the keys over.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3-multiple-ciphers';
import { secrecyRank, type Secrecy } from '../../common/domain';
import type { IncomingFilter } from '../../common/schemas';
import { openDatabase, type Db } from '../../main/core/db/connection';
import { listIncoming, type ListInput } from '../../main/core/documents/incoming';
import { ANCHOR_EVERY, anchorsSettled, sampledKeys } from '../../main/core/documents/paging';
import { runSetup } from '../../main/core/org/setup';
import type { Actor } from '../../main/core/org/rights';
import { actorFor, getUser } from '../../main/core/org/users';
import { tempDir } from '../helpers/desk';

const ROWS = 3 * ANCHOR_EVERY + 517;
const SECRECY: Secrecy[] = ['thuong', 'thuong', 'thuong', 'mat', 'toi_mat', 'tuyet_mat'];
const ISSUERS = ['so thong tin', 'ubnd tinh', 'dang uy khoi', 'ban to chuc'];
const now = new Date('2026-11-20T03:00:00Z');
/** A profile in the single-file layout (as a damaged one not yet split is read): one arm, the base. */
const MAIN = [{ schema: 'main', level: null }] as const;

/** The order as written before key paging (NULL deadlines smallest), to compare against. */
const REFERENCE_ORDER: Record<ListInput['sort']['field'], string> = {
  arrival: 'i.arrival_date {dir}, i.id {dir}',
  documentDate: 'i.document_date {dir}, i.id {dir}',
  deadline: "ifnull(i.deadline, '9999-12-31') {dir}, i.id {dir}",
  numberSymbol: 'i.number_symbol_key {dir}, i.id {dir}',
  issuer: 'i.issuer_key {dir}, i.id {dir}',
};

let t: ReturnType<typeof tempDir>;
let db: Db;
let file: string;
let admin: Actor;

function insertRows(into: Database.Database, from: number, count: number): void {
  const add = into.prepare(`INSERT INTO incoming (register_id, period, arrival_number, arrival_date, year, issuer_name, number_symbol,
    number_symbol_key, issuer_key, document_date, type_code, subject, secrecy, secrecy_rank, urgency, deadline, registered_by, registered_at)
    VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'CV', ?, ?, ?, 'thuong', ?, 1, ?)`);
  into.transaction(() => {
    for (let n = from; n < from + count; n++) {
      // Many rows share a date, an issuer or no deadline: keys repeat, as they do in a register.
      const day = 1 + Math.floor(n / 40);
      const arrival = `202${4 + Math.floor(day / 365) % 3}-${String(1 + (Math.floor(day / 28) % 12)).padStart(2, '0')}-${String(1 + (day % 28)).padStart(2, '0')}`;
      const secrecy = SECRECY[n % SECRECY.length]!;
      const issuer = ISSUERS[(n * 7) % ISSUERS.length]!;
      const deadline = n % 3 === 0 ? null : `2027-0${1 + (n % 9)}-1${n % 10}`;
      const symbol = `${n % 97}/QD-${issuer.slice(0, 3).toUpperCase()}`;
      add.run(arrival.slice(0, 4), n, arrival, Number(arrival.slice(0, 4)), issuer, symbol, symbol.toLowerCase(), issuer, arrival,
        `Van ban ${n}`, secrecy, secrecyRank(secrecy), deadline, `${arrival}T02:00:00.000Z`);
    }
  })();
}

before(() => {
  t = tempDir();
  file = join(t.dir, 'securedesk.db');
  db = openDatabase(file).db;
  const userId = runSetup(db, {
    unit: { name: 'Văn phòng Tỉnh ủy Quảng Ninh', code: '000.00.01.H49', preset: 'state' },
    admin: { fullName: 'Nguyễn Thị Hương', position: 'Văn thư', role: 'van_thu', clearance: 'tuyet_mat' },
  }, now);
  admin = actorFor(getUser(db, userId)!);
  insertRows(db, 0, ROWS);
});

after(() => {
  db.close();
  t.cleanup();
});

function referenceIds(actor: Actor, f: IncomingFilter, sort: ListInput['sort'], offset: number, limit: number): number[] {
  const where: string[] = [];
  const params: unknown[] = [];
  if (actor.clearance !== 'tuyet_mat') { where.push('i.secrecy_rank <= ?'); params.push(secrecyRank(actor.clearance)); }
  if (f.year !== undefined) { where.push('i.year = ?'); params.push(f.year); }
  if (f.secrecy) { where.push(`i.secrecy IN (${f.secrecy.map(() => '?').join(',')})`); params.push(...f.secrecy); }
  const dir = sort.dir === 'asc' ? 'ASC' : 'DESC';
  return db.prepare(`SELECT i.id FROM incoming i ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY ${REFERENCE_ORDER[sort.field].replaceAll('{dir}', dir)} LIMIT ? OFFSET ?`).pluck().all(...params, limit, offset) as number[];
}

const list = (actor: Actor, f: IncomingFilter, sort: ListInput['sort'], offset: number, limit = 100) =>
  listIncoming(db, MAIN, actor, { ...f, sort, offset, limit }, now).map((r) => r.id);

const POSITIONS = [0, 1, 99, ANCHOR_EVERY - 1, ANCHOR_EVERY, ANCHOR_EVERY + 1, 2 * ANCHOR_EVERY - 50, 2 * ANCHOR_EVERY, 3 * ANCHOR_EVERY + 400, ROWS - 1, ROWS, ROWS + 500];

describe('a page anywhere holds the rows OFFSET gives, in the same order', () => {
  const fields: ListInput['sort']['field'][] = ['arrival', 'documentDate', 'deadline', 'numberSymbol', 'issuer'];
  for (const field of fields) {
    for (const dir of ['asc', 'desc'] as const) {
      test(`${field} ${dir}`, () => {
        const mat = { ...admin, clearance: 'mat' as const };
        for (const [actor, f] of [[admin, {}], [mat, {}], [admin, { secrecy: ['mat', 'tuyet_mat'] as Secrecy[] }], [mat, { year: 2025 }]] as const) {
          // Jumps first (samples), then back and forth.
          for (const p of [...POSITIONS].reverse().concat(POSITIONS)) {
            assert.deepEqual(list(actor, f, { field, dir }, p), referenceIds(actor, f, { field, dir }, p, 100), `${actor.clearance} ${JSON.stringify(f)} at ${p}`);
          }
        }
      });
    }
  }
});

test('scrolling page after page (keyed on the page before) gives every row once, in order', () => {
  const sort = { field: 'issuer', dir: 'asc' } as const;
  const seen: number[] = [];
  for (let p = 0; ; p += 100) {
    const page = list(admin, {}, sort, p);
    if (page.length === 0) break;
    seen.push(...page);
  }
  assert.equal(seen.length, ROWS);
  assert.deepEqual(seen, referenceIds(admin, {}, sort, 0, ROWS));
});

test('a change from another connection (another process) starts the keys over', () => {
  const sort = { field: 'arrival', dir: 'desc' } as const;
  const at = 2 * ANCHOR_EVERY + 10;
  assert.deepEqual(list(admin, {}, sort, at), referenceIds(admin, {}, sort, at, 100));
  const other = new Database(file);
  try {
    insertRows(other, ROWS, 3); // newest arrivals: every position moves by three
    other.prepare('UPDATE incoming SET issuer_key = ? WHERE id = ?').run('aaa first', 5);
  } finally {
    other.close();
  }
  assert.deepEqual(list(admin, {}, sort, at), referenceIds(admin, {}, sort, at, 100));
  assert.deepEqual(list(admin, {}, { field: 'issuer', dir: 'asc' }, ANCHOR_EVERY + 3), referenceIds(admin, {}, { field: 'issuer', dir: 'asc' }, ANCHOR_EVERY + 3, 100));
  assert.equal(list(admin, {}, { field: 'issuer', dir: 'asc' }, 0, 1)[0], 5);
});

test('once an order has been shown, its keys are sampled in the background, ready for the scrollbar', async () => {
  const sort = { field: 'documentDate', dir: 'desc' } as const;
  const mat = { ...admin, clearance: 'mat' as const };
  const order = { arms: ['main'], from: '{c}.incoming i', where: ['i.secrecy_rank <= ?'], params: [1], key: 'i.document_date', dir: 'DESC' as const };
  assert.equal(sampledKeys(db, order), undefined, 'nothing known of this order yet');
  assert.deepEqual(list(mat, {}, sort, 0), referenceIds(mat, {}, sort, 0, 100));
  assert.deepEqual(sampledKeys(db, order), { samples: 0, complete: false }, 'the first page itself samples nothing');
  await anchorsSettled();
  const visible = referenceIds(mat, {}, sort, 0, ROWS).length;
  assert.deepEqual(sampledKeys(db, order), { samples: Math.floor(visible / ANCHOR_EVERY), complete: true });
  assert.deepEqual(list(mat, {}, sort, visible - 150), referenceIds(mat, {}, sort, visible - 150, 100));
});
