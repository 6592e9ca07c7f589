// The bulk import's set-wise duplicate look-up (documents/duplicates.ts BatchDuplicates): for every
// row of a write slice it must answer exactly what findDuplicates answers at that point of the
// transaction, records written earlier in the slice included, and never show a record above the
// person's clearance (the audit entry of each record lists the duplicates it acknowledged).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { secrecyRank } from '../../common/domain';
import { BatchDuplicates, findDuplicates } from '../../main/core/documents/duplicates';
import { registerIncomingPlaced, type RegisterInput } from '../../main/core/documents/incoming';
import type { Actor } from '../../main/core/org/rights';
import { addActor, newDesk, registration } from '../helpers/desk';

let env: Awaited<ReturnType<typeof newDesk>>;
let clerk: Actor;
let low: Actor;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

before(async () => {
  env = await newDesk();
  clerk = addActor(env.desk, 'van_thu', 'toi_mat', 'Trần Văn Nhập');
  low = addActor(env.desk, 'van_thu', 'thuong', 'Lê Thị Thường');
  // Records already in the profile: one at Thường, one at Tối mật with the same number-symbol and date.
  const day = '2024-03-05';
  await env.desk.incoming.register(clerk, await registration(env.desk, clerk, { numberSymbol: '12/QĐ-UBND', documentDate: day, arrivalDate: '2024-03-06', acknowledgeOutOfOrder: true }));
  await env.desk.incoming.register(clerk, await registration(env.desk, clerk, { numberSymbol: '12/QĐ-UBND', documentDate: day, arrivalDate: '2024-03-06', secrecy: 'toi_mat', acknowledgeOutOfOrder: true, acknowledgeDuplicates: true }));
});
after(() => env.cleanup());

const input = (over: Partial<RegisterInput>): RegisterInput => ({
  issuer: { name: 'Sở Nội vụ' }, numberSymbol: '1/TB', documentDate: '2024-03-05', arrivalDate: '2024-03-07', typeCode: 'TB',
  subject: 'Thông báo', secrecy: 'thuong', urgency: 'thuong', recipients: [], notes: '', stagedIds: [],
  acknowledgeDuplicates: true, acknowledgeOutOfOrder: true, ...over,
} as RegisterInput);

const rows: Array<{ input: RegisterInput; file: string }> = [
  { input: input({ numberSymbol: '12/QĐ-UBND', issuer: { name: 'Sở Thông tin và Truyền thông' } }), file: 'a' },
  // The same number-symbol and date from another issuer: a duplicate of both above (sameIssuer false).
  { input: input({ numberSymbol: '12/QĐ-UBND' }), file: 'b' },
  // Same file as the first row of this slice.
  { input: input({ numberSymbol: '7/TB' }), file: 'a' },
  { input: input({ numberSymbol: '7/TB', documentDate: '2024-03-04' }), file: 'c' },
  { input: input({ numberSymbol: '0012/QĐ-UBND', secrecy: 'mat' }), file: 'd' },
  { input: input({ numberSymbol: '12/QĐ-UBND', documentDate: '2024-03-05' }), file: 'd' },
];

const cases = [['cleared for Tối mật', () => clerk, true], ['cleared for Thường only', () => low, true], ['rows not announced to the batch', () => clerk, false]] as const;
for (const [who, actorOf, announced] of cases) {
  test(`a slice's duplicates, set-wise, are exactly findDuplicates' row by row (${who})`, () => {
    const actor = actorOf();
    const c = env.desk.context();
    const usable = rows.filter((r) => secrecyRank(r.input.secrecy) <= secrecyRank(actor.clearance));
    const q = (r: (typeof rows)[number]) => ({ numberSymbol: r.input.numberSymbol, issuerName: r.input.issuer.name, documentDate: r.input.documentDate, sha256s: [sha(r.file)] });
    c.db.exec('BEGIN IMMEDIATE');
    try {
      const batch = new BatchDuplicates(c.db, c.arms, announced ? usable.map(q) : [], secrecyRank(actor.clearance));
      let seen = 0;
      for (const r of usable) {
        const expected = findDuplicates(c.db, c.arms, q(r), secrecyRank(actor.clearance));
        const got = batch.find(q(r));
        const norm = (d: typeof got) => [...d].sort((x, y) => x.id - y.id);
        assert.deepEqual(norm(got), norm(expected));
        seen += got.length;
        registerIncomingPlaced(c, actor, r.input, [{ name: `${r.file}.pdf`, size: 10, sha256: sha(r.file), mime: 'application/pdf', isPdf: true, signature: null }], c.now(), batch);
      }
      // The case is not empty: duplicates were found, from before the slice and from within it.
      assert.ok(seen >= 4, `duplicates seen: ${seen}`);
    } finally {
      c.db.exec('ROLLBACK');
    }
  });
}
