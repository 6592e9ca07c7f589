// The directory of name prefixes over a store's packs: every name held is found in the pack(s) that
// hold it, a name held by none finds no pack, shared prefixes name every pack that has them, and a
// reset after a pack is dropped forgets it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { PackDirectory } from '../../main/core/attachments/packDirectory';

const pack = (id: string, names: Buffer[]) => ({ id, names: Buffer.concat([...names].sort(Buffer.compare)) });
const named = (prefix: number) => {
  const b = randomBytes(16);
  b.writeUInt32BE(prefix, 0);
  return b;
};

test('every name is found in its pack, an absent one in none, whatever the number of packs', () => {
  const dir = new PackDirectory<ReturnType<typeof pack>>();
  const held: Array<[Buffer, string]> = [];
  for (let p = 0; p < 40; p++) {
    const names = Array.from({ length: 1 + ((p * 37) % 300) }, () => randomBytes(16));
    dir.add(pack(`p${p}`, names));
    for (const n of names) held.push([n, `p${p}`]);
  }
  for (const [n, id] of held) assert.ok(dir.candidates(n).some((c) => c.id === id), `found in ${id}`);
  let none = 0;
  for (let i = 0; i < 2000; i++) if (dir.candidates(randomBytes(16)).length === 0) none++;
  assert.ok(none > 1990, `absent names find no pack (${none} of 2000)`);
});

test('a prefix shared by names of several packs names each of them once; the extremes of the range are found', () => {
  const dir = new PackDirectory<ReturnType<typeof pack>>();
  const a = pack('a', [named(7), named(7), named(0), named(0xffffffff)]);
  const b = pack('b', [named(7), named(9)]);
  dir.add(a);
  dir.add(b);
  assert.deepEqual(dir.candidates(named(7)).map((p) => p.id).sort(), ['a', 'b']);
  assert.deepEqual(dir.candidates(named(9)).map((p) => p.id), ['b']);
  assert.deepEqual(dir.candidates(named(0)).map((p) => p.id), ['a']);
  assert.deepEqual(dir.candidates(named(0xffffffff)).map((p) => p.id), ['a']);
  assert.deepEqual(dir.candidates(named(8)), []);
  dir.reset([b]);
  assert.deepEqual(dir.candidates(named(7)).map((p) => p.id), ['b'], 'a dropped pack is forgotten');
  assert.deepEqual(dir.candidates(named(0)), []);
});
