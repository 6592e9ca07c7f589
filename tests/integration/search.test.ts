// Number-symbols as people write them, document types, search a clerk trusts, and duplicates:
// through the core on a real (encrypted) profile, real PDFs, real SQLite FTS5.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DeskError } from '../../common/errors';
import { MIGRATIONS } from '../../main/core/db/migrations';
import { Desk } from '../../main/core/desk';
import { numberSymbolKey } from '../../main/core/documents/duplicates';
import { reindexSymbolKeysAndSearch } from '../../main/core/documents/search';
import type { Actor } from '../../main/core/org/rights';
import { newGlobalId } from '../../main/core/events/globalId';
import { addActor, newDesk, registration, softIdentity, tempDir } from '../helpers/desk';
import { oldProfile } from '../helpers/legacyProfile';

const list = (desk: Desk, actor: Actor, query: string, page: { offset?: number; limit?: number } = {}) =>
  desk.incoming.list(actor, { query, sort: { field: 'arrival', dir: 'desc' }, offset: page.offset ?? 0, limit: page.limit ?? 100 });

async function rejects(p: Promise<unknown>, code: string): Promise<DeskError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof DeskError, `expected DeskError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected ${code}`);
}

describe('number-symbols, types and search (state preset)', () => {
  let env: Awaited<ReturnType<typeof newDesk>>;
  const ids: Record<string, number> = {};
  const reg = async (name: string, over: Parameters<typeof registration>[2]) => {
    ids[name] = (await env.desk.incoming.register(env.admin, await registration(env.desk, env.admin, over))).id;
  };

  before(async () => {
    env = await newDesk('state');
    await reg('cd', { numberSymbol: '3/CĐ-TTg', issuer: { name: 'Thủ tướng Chính phủ' }, typeCode: 'CĐ', subject: 'Về việc ứng phó bão số 3' });
    // Types are tested on their own below: here every record has a type the previous version knew too.
    await reg('nd', { numberSymbol: '01/2024/NĐ-CP', issuer: { name: 'Chính phủ' }, subject: 'Quy định về quản lý văn bản điện tử' });
    await reg('qd', { numberSymbol: '27-QĐ/TW', issuer: { name: 'Ban Chấp hành Trung ương' }, typeCode: 'QĐ', subject: 'Về công tác bảo vệ chính trị nội bộ' });
    await reg('kh', { numberSymbol: '27-KH/TW', issuer: { name: 'Ban Chấp hành Trung ương' }, typeCode: 'KH', subject: 'Kế hoạch 27 về quyết định TW của Ban Bí thư' });
    await reg('cites', { numberSymbol: '15/UBND-VP', issuer: { name: 'UBND tỉnh Quảng Ninh' }, typeCode: 'CV', subject: 'Triển khai Quy định số 27-QĐ/TW của Bộ Chính trị' });
    await reg('citesNd', { numberSymbol: '16/UBND-VP', issuer: { name: 'UBND tỉnh Quảng Ninh' }, typeCode: 'CV', subject: 'Thực hiện Nghị định 01/2024/NĐ–CP của Chính phủ' });
    await reg('secret', { numberSymbol: '9/CĐ-TTg', issuer: { name: 'Thủ tướng Chính phủ' }, typeCode: 'CĐ', subject: 'Công điện mật', secrecy: 'mat' });
  });
  after(() => env.cleanup());

  test('a number-symbol is kept as typed and found by its key: 3/CĐ-TTg by 03/CĐ-TTg and the reverse', () => {
    const { desk, admin } = env;
    assert.equal(desk.incoming.get(admin, ids.cd!).numberSymbol, '3/CĐ-TTg', 'stored as typed, not rewritten to 03/CĐ-TTg');
    for (const q of ['03/CĐ-TTg', '3/CĐ-TTg', '003/cđ-ttg', '3/C\u00D0\u2013TTg']) {
      assert.equal(list(desk, admin, q)[0]?.id, ids.cd, q);
    }
    assert.equal(list(desk, admin, '01/2024/NĐ-CP')[0]?.numberSymbol, '01/2024/NĐ-CP');
  });

  test('a query that is a number-symbol finds that symbol first, then the documents citing it, and nothing else', () => {
    const { desk, admin } = env;
    const nd = list(desk, admin, '1/2024/NĐ-CP');
    assert.deepEqual(nd.map((r) => r.id), [ids.nd, ids.citesNd], '1/2024/NĐ-CP finds 01/2024/NĐ-CP, then the document citing it (en dash)');
    const qd = list(desk, admin, '27-QĐ/TW');
    assert.deepEqual(qd.map((r) => r.id), [ids.qd, ids.cites]);
    assert.ok(!qd.some((r) => r.numberSymbol === '27-KH/TW'), '27-QĐ/TW does not return 27-KH/TW');
    assert.equal(desk.incoming.count(admin, { query: '27-QĐ/TW' }).total, 2);
    // Typed with the state's slash, or still being typed.
    assert.equal(list(desk, admin, '27/QĐ/TW')[0]?.id, ids.qd);
    assert.equal(list(desk, admin, '27-QĐ/T')[0]?.id, ids.qd);
    // With other words: the symbol and the words must all be there.
    assert.deepEqual(list(desk, admin, '27-QĐ/TW triển khai').map((r) => r.id), [ids.cites]);
    assert.deepEqual(list(desk, admin, 'Số: 27-QĐ/TW').map((r) => r.id), [ids.qd, ids.cites]);
    // Pages follow one order: the keyed record, then the citing one.
    assert.deepEqual([...list(desk, admin, '27-QĐ/TW', { limit: 1 }), ...list(desk, admin, '27-QĐ/TW', { offset: 1, limit: 1 })].map((r) => r.id), [ids.qd, ids.cites]);
  });

  test('a symbol search keeps to the person\'s clearance', () => {
    const { desk, admin } = env;
    const officer = addActor(desk, 'chuyen_vien', 'thuong', 'Lê Thu Trang');
    assert.equal(list(desk, admin, '09/CĐ-TTg')[0]?.id, ids.secret);
    assert.deepEqual(list(desk, officer, '09/CĐ-TTg'), []);
    assert.equal(desk.incoming.count(officer, { query: '09/CĐ-TTg' }).total, 0);
  });

  test('accepts the symbols people really write; refuses dates, bare numbers and number 0', async () => {
    const { desk, admin } = env;
    for (const numberSymbol of ['5053-CV/VPTW/nb', 'Số: 15/QĐ-UBND', 'Luật số 117/2025/QH15', '02/2016/TTLT-BTC-BNV', '12/SY-VP',
      '17/QĐ\u2011UBND', '18\uFF0FQ\u00D0-UBND', '\u200B19/QĐ-UBND\u00A0', '20/QĐ-UBND.']) {
      const r = await desk.incoming.register(admin, await registration(desk, admin, { numberSymbol, subject: `Văn bản ${numberSymbol}` }));
      const kept = desk.incoming.get(admin, r.id).numberSymbol;
      assert.equal(kept, numberSymbol.replace(/[\u200B]/g, '').replace(/\u00A0/g, ' ').trim(), numberSymbol);
    }
    assert.equal(list(desk, admin, '18/QĐ-UBND')[0]?.numberSymbol, '18\uFF0FQ\u00D0-UBND');
    for (const numberSymbol of ['12/03/2024', '15/2024', '1/2', '0/QĐ-UBND']) {
      const input = { ...(await registration(desk, admin)), numberSymbol };
      const err = await rejects(desk.incoming.register(admin, input), 'VALIDATION');
      assert.ok(err.fields?.numberSymbol, numberSymbol);
    }
    // A shape no form has is registered as written, the warning kept in the audit log.
    const odd = await desk.incoming.register(admin, await registration(desk, admin, { numberSymbol: '27/QĐ/TU' }));
    assert.equal(desk.incoming.get(admin, odd.id).numberSymbol, '27/QĐ/TU');
    const audit = desk.db.prepare("SELECT details FROM audit_log WHERE action = 'incoming.register' AND entity_id = ?").pluck().get(odd.id) as string;
    assert.equal(JSON.parse(audit).numberSymbolWarning, 'party_slash');
  });

  test('the register accepts every type that can arrive, and a type written by name', async () => {
    const { desk, admin } = env;
    const cases: Array<[string, string, string]> = [
      ['Luật', 'Luật số 118/2025/QH15', 'Luật'], ['Pháp lệnh', '01/2026/UBTVQH15', 'Pháp lệnh'], ['L', '05/2026/L-CTN', 'L'],
      ['NĐ', '02/2024/NĐ-CP', 'NĐ'], ['TT', '03/2024/TT-BTC', 'TT'], ['TTLT', '04/2016/TTLT-BTC-BNV', 'TTLT'], ['NQLT', '05/2016/NQLT-CP-TLĐ', 'NQLT'],
      ['KL', '12-KL/TW', 'KL'], ['Thông tri', '05-TT/TW', 'Thông tri'], ['QyĐ', '66-QĐi/TW', 'QyĐ'], ['Điều lệ', '01-ĐL/TW', 'Điều lệ'],
      ['nghị định', '06/2024/NĐ-CP', 'NĐ'], ['Báo cáo nhanh', '21/BCN-UBND', 'Báo cáo nhanh'],
    ];
    for (const [typeCode, numberSymbol, stored] of cases) {
      const r = await desk.incoming.register(admin, await registration(desk, admin, { typeCode, numberSymbol }));
      assert.equal(desk.incoming.get(admin, r.id).typeCode, stored, typeCode);
    }
    for (const typeCode of ['', '123', 'QĐ; DROP TABLE']) {
      await assert.rejects(registration(desk, admin, { typeCode }), (err: Error) => /loại văn bản/i.test(err.message), typeCode);
    }
  });

  test('words typed with diacritics rank exact spellings first: "hòa" puts Hòa Bình above kế hoạch', async () => {
    const { desk, admin } = env;
    const hoaBinh = await desk.incoming.register(admin, await registration(desk, admin, {
      issuer: { name: 'UBND tỉnh Hoà Bình' }, subject: 'Về việc phối hợp tổ chức hội nghị',
    }));
    const later: number[] = [];
    for (const subject of ['Kế hoạch công tác năm 2027', 'Kế hoạch kiểm tra, giám sát', 'Hoạt động văn hóa cơ sở', 'Kế hoạch tuyên truyền',
      'Kế hoạch phòng chống thiên tai', 'Hóa chất độc hại', 'Kế hoạch cải cách hành chính', 'Kế hoạch số hóa tài liệu',
      'Kế hoạch đào tạo', 'Hoạch định chính sách']) {
      later.push((await desk.incoming.register(admin, await registration(desk, admin, { subject }))).id);
    }
    const found = list(desk, admin, 'hòa');
    assert.equal(found[0]?.id, hoaBinh.id, 'the exact spelling comes first');
    const rest = found.slice(1).map((r) => r.id);
    assert.deepEqual(rest, [...rest].sort((a, b) => b - a), 'the others stay newest first');
    assert.ok(later.every((id) => rest.includes(id)));
    // The word still being typed, found as the beginning of a word with the same tone, comes next.
    const hoan = await desk.incoming.register(admin, await registration(desk, admin, { subject: 'Hoàn thiện thể chế' }));
    assert.deepEqual(list(desk, admin, 'hòa').slice(0, 3).map((r) => r.id), [hoaBinh.id, hoan.id, later[later.length - 1]]);
    // Typed without diacritics nothing is ranked: newest first as before.
    assert.equal(list(desk, admin, 'hoa')[0]?.id, hoan.id);
    // Pages of a ranked search follow the same order.
    const all = list(desk, admin, 'hòa');
    const paged = [0, 4, 8, 12, 16].flatMap((offset) => list(desk, admin, 'hòa', { offset, limit: 4 }));
    assert.deepEqual(paged.map((r) => r.id), all.map((r) => r.id));
  });

  test('i/y spelling variants find each other; y that does not vary is found as written', async () => {
    const { desk, admin } = env;
    const ky = await desk.incoming.register(admin, await registration(desk, admin, { subject: 'Hạ tầng kĩ thuật và lí luận chính trị' }));
    const sy = await desk.incoming.register(admin, await registration(desk, admin, { subject: 'Đào tạo sỹ quan dự bị tại Mĩ Đức' }));
    const quyet = await desk.incoming.register(admin, await registration(desk, admin, { subject: 'Quyết định tuyệt mật về yêu cầu bảo vệ' }));
    const has = (q: string, id: number) => list(desk, admin, q).some((r) => r.id === id);
    for (const q of ['kỹ thuật', 'ky thuat', 'kĩ thuật', 'lý luận', 'ly luan']) assert.ok(has(q, ky.id), q);
    for (const q of ['sĩ quan', 'si quan', 'sy quan', 'Mỹ Đức', 'my duc']) assert.ok(has(q, sy.id), q);
    for (const q of ['quyết định', 'quyet dinh', 'tuyệt mật', 'tuyet', 'yêu cầu', 'yeu cau', 'quy']) assert.ok(has(q, quyet.id), q);
    assert.ok(!has('tuiet', quyet.id), 'y inside a word is not folded to i');
  });

  test('Ð (U+00D0) from legacy fonts is found as d', async () => {
    const { desk, admin } = env;
    const r = await desk.incoming.register(admin, await registration(desk, admin, { issuer: { name: '\u00D0ảng ủy Khối cơ quan' }, subject: 'Về \u00D0ại hội chi bộ' }));
    for (const q of ['dang uy khoi', 'Đảng ủy khối', 'dai hoi']) assert.ok(list(desk, admin, q).some((x) => x.id === r.id), q);
  });
});

describe('duplicates on the number-symbol key and the date', () => {
  test('warn although the issuer is written differently; the issuer is a second signal', async () => {
    const env = await newDesk('state');
    try {
      const { desk, admin } = env;
      const first = await desk.incoming.register(admin, await registration(desk, admin, {
        numberSymbol: '3/CĐ-UBND', issuer: { name: 'UBND tỉnh Quảng Ninh' }, documentDate: '2026-11-02',
      }));
      const same = await rejects(desk.incoming.register(admin, await registration(desk, admin, {
        numberSymbol: '03/CĐ-UBND', issuer: { name: 'Ủy ban nhân dân tỉnh Quảng Ninh' }, documentDate: '2026-11-02',
      })), 'DUPLICATE');
      const dups = same.details?.duplicates as Array<{ id: number; reason: string; sameIssuer?: boolean }>;
      assert.deepEqual(dups.map((d) => [d.id, d.reason, d.sameIssuer]), [[first.id, 'same_number_symbol', true]]);
      // Another issuer altogether: still a warning, marked as such.
      const other = await rejects(desk.incoming.register(admin, await registration(desk, admin, {
        numberSymbol: '3/CĐ\u2013UBND', issuer: { name: 'Sở Tài chính' }, documentDate: '2026-11-02',
      })), 'DUPLICATE');
      assert.deepEqual((other.details?.duplicates as Array<{ sameIssuer?: boolean }>).map((d) => d.sameIssuer), [false]);
      // Another date is another document.
      await desk.incoming.register(admin, await registration(desk, admin, { numberSymbol: '03/CĐ-UBND', documentDate: '2026-11-01' }));
      // The form's early check: on the key, before an issuer is typed.
      const early = await desk.incoming.checkDuplicates(admin, { numberSymbol: '03/CĐ-UBND', issuerName: '', documentDate: '2026-11-02', stagedIds: [] });
      assert.deepEqual(early.map((d) => d.id), [first.id]);
      assert.equal(early[0]!.sameIssuer, undefined);
    } finally {
      env.cleanup();
    }
  });
});

describe('the migration to the new keys and folding', () => {
  test('rebuilds the keys and the index of records registered before', async () => {
    // A profile in the single-file layout as the previous version left it (schema 7, plain), holding a
    // record with the canonical symbol, its old folded key and the old folding in the index (no i/y
    // variants, Ð not folded, numbers with their zeros). Its first unlock encrypts it, runs the
    // migrations (the step below among them) and splits it into compartments.
    const t = tempDir();
    const oldFold = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd').toLowerCase();
    let id = 0;
    try {
      oldProfile(t.dir, 'state', {
        extra: (db, userId) => {
          const rec = { numberSymbol: '03/CĐ-TTg', issuer: '\u00D0ảng ủy Khối', subject: 'Đào tạo sỹ quan kĩ thuật', notes: '' };
          id = Number(db.prepare(`INSERT INTO incoming (register_id, period, arrival_number, arrival_date, year, issuer_name, number_symbol,
            number_symbol_key, issuer_key, document_date, type_code, subject, secrecy, secrecy_rank, urgency, registered_by, registered_at, global_id)
            VALUES (1, '2026', 2, '2026-10-04', 2026, ?, ?, ?, ?, '2026-10-03', 'CĐ', ?, 'thuong', 0, 'thuong', ?, '2026-10-04T02:00:00.000Z', ?)`)
            .run(rec.issuer, rec.numberSymbol, oldFold(rec.numberSymbol), oldFold(rec.issuer), rec.subject, userId, newGlobalId()).lastInsertRowid);
          db.prepare("UPDATE number_counters SET last = 2 WHERE scope_id = 1").run();
          const body = oldFold([rec.subject, rec.numberSymbol, rec.issuer, rec.notes].join(' \n '));
          db.prepare('INSERT INTO incoming_fts (rowid, body) VALUES (?, ?)').run(id, body);
          db.prepare('INSERT OR IGNORE INTO search_terms (term) SELECT value FROM json_each(?)').run(JSON.stringify(body.split(/[^\p{L}\p{N}]+/u).filter(Boolean)));
          assert.equal(db.prepare("SELECT count(*) FROM incoming_fts WHERE incoming_fts MATCH 'si'").pluck().get(), 0, 'the old index does not know the i/y variant');
        },
      });
      assert.ok(MIGRATIONS.includes(reindexSymbolKeysAndSearch), 'the step is a migration');
      const desk = await Desk.open({ profileDir: t.dir });
      const session = await desk.unlock(softIdentity());
      const admin = { ...session.user, rights: session.rights };
      try {
        assert.equal(desk.db.prepare("SELECT count(*) FROM main.sqlite_master WHERE name = 'incoming'").pluck().get(), 0, 'split: the base holds no records');
        assert.equal(desk.db.prepare('SELECT number_symbol_key FROM c_thuong.incoming WHERE id = ?').pluck().get(id), numberSymbolKey('3/CĐ-TTg'), 'the new key');
        assert.equal(list(desk, admin, '3/CĐ-TTg')[0]?.id, id, 'found by its key');
        for (const q of ['si quan', 'ki thuat', 'dang uy']) assert.ok(list(desk, admin, q).some((r) => r.id === id), q);
        const { documentDate } = desk.incoming.get(admin, id);
        const dups = await desk.incoming.checkDuplicates(admin, { numberSymbol: '3/CĐ-TTg', issuerName: '', documentDate, stagedIds: [] });
        assert.deepEqual(dups.map((d) => d.id), [id]);
      } finally {
        desk.close();
      }
    } finally {
      t.cleanup();
    }
  });
});
