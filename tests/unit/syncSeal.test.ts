// Sealed batches: they open only under the same level key and the same routing header.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { isSealed, openBatch, sealBatch, SealError, type SealHeader } from '../../main/core/sync/seal';

const key = randomBytes(32);
const h: SealHeader = { channel: 'mat', keyId: 'a1b2c3d4e5f6a7b8', batchId: '0193b0c4-0000-7000-8000-000000000001', eventIds: ['e1', 'e2'] };
const plain = Buffer.from(JSON.stringify([{ id: 'e1', data: { subject: 'Trích yếu mật' } }, { id: 'e2' }]));

test('a sealed batch opens with its key and header, and holds no plaintext', () => {
  const s = sealBatch(key, h, plain);
  assert.ok(isSealed(s));
  assert.ok(!s.includes(Buffer.from('Trích yếu')));
  assert.deepEqual(openBatch(key, h, s), plain);
  assert.notDeepEqual(sealBatch(key, h, plain), s, 'a fresh IV each time');
});

test('another key, level, key id, batch id, event ids or a flipped byte: refused', () => {
  const s = sealBatch(key, h, plain);
  const bad: Array<[Buffer, SealHeader, Buffer]> = [
    [randomBytes(32), h, s],
    [key, { ...h, channel: 'toi_mat' }, s],
    [key, { ...h, keyId: 'ffffffffffffffff' }, s],
    [key, { ...h, batchId: '0193b0c4-0000-7000-8000-000000000002' }, s],
    [key, { ...h, eventIds: ['e2', 'e1'] }, s],
    [key, h, Buffer.concat([s.subarray(0, 20), Buffer.from([s[20]! ^ 1]), s.subarray(21)])],
  ];
  for (const [k, hh, bytes] of bad) assert.throws(() => openBatch(k, hh, bytes), SealError);
  assert.throws(() => openBatch(key, h, Buffer.from('[]')), /not a sealed batch/);
});
