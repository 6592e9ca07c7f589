// Pack files (attachments/packs.ts): a bulk import's blobs appended to a few files of a level's store
// instead of a file each. Real files on disk, real AES-GCM, real worker threads and processes killed
// with SIGKILL: each blob reads back byte-exact, a damaged index or pack is refused like a damaged blob,
// a destroyed blob leaves none of its bytes in the packs folder, and a rewrite cut at any step keeps
// every other blob readable.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BlobIntegrityError, decryptBlobStream, blobBinding } from '../../main/core/attachments/blobCipher';
import { forgetPackSets, PACK_MAX_ENTRIES } from '../../main/core/attachments/packs';
import { AttachmentStore } from '../../main/core/attachments/store';
import { FilePool } from '../../main/core/import/filePool';
import { tempDir } from '../helpers/desk';

const work = tempDir('securedesk-packs-');
const pool = new FilePool(1);
after(async () => {
  await pool.close();
  work.cleanup();
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
let n = 0;
function newStore(): { store: AttachmentStore; dir: string; key: Buffer; packs: string; fresh: () => AttachmentStore } {
  const dir = join(work.dir, `p${n++}`, 'thuong-files');
  const key = randomBytes(32);
  const fresh = () => new AttachmentStore(dir, join(dir, '..', 'staging'), key);
  return { store: fresh(), dir, key, packs: join(dir, 'packs'), fresh };
}

async function drain(stream: Readable): Promise<{ bytes: Buffer; error: unknown }> {
  const parts: Buffer[] = [];
  try {
    for await (const c of stream) parts.push(c as Buffer);
    return { bytes: Buffer.concat(parts), error: null };
  } catch (error) {
    return { bytes: Buffer.concat(parts), error };
  }
}

/** Files of assorted sizes: empty-ish, one chunk, several chunks (64 KiB each). */
const files = (count: number) => Array.from({ length: count }, (_, i) => randomBytes([1, 1000, 65536, 65537, 200_000][i % 5]! + i));

async function readsBack(store: AttachmentStore, list: Buffer[]): Promise<void> {
  for (const f of list) {
    const got = await drain(store.openBlob(sha(f)));
    assert.equal(got.error, null);
    assert.ok(got.bytes.equals(f), 'byte-exact');
    assert.equal(await store.blobSize(sha(f)), f.length);
    assert.equal(await store.hasBlob(sha(f)), true);
  }
}

/** Every byte of the packs folder, to search for a blob's sealed bytes. */
const packBytes = (dir: string) => Buffer.concat(readdirSync(dir).map((f) => readFileSync(join(dir, f))));

test('placeMany writes one pack and its index; each blob reads back byte-exact, from this store, a fresh one and a worker', async () => {
  const { store, packs, fresh, dir, key } = newStore();
  await store.init();
  const list = files(40);
  const folders = await store.placeMany(list.map((plain) => ({ sha256: sha(plain), plain })));
  assert.deepEqual(folders, [packs]);
  assert.deepEqual(readdirSync(packs).map((f) => f.replace(/^\d+\.[0-9a-f]{16}/, '')).sort(), ['.idx', '.pack']);
  assert.deepEqual(readdirSync(dir).sort(), ['packs'], 'no blob file, no shard folder');
  await readsBack(store, list);
  await readsBack(fresh(), list);
  // The sealed bytes as sync carries them: a blob of its own, bound to its hash.
  const sealed = (await drain(store.sealedBlob(sha(list[2]!)))).bytes;
  assert.equal(sealed.subarray(0, 8).toString('latin1'), 'SDBLOB02');
  assert.ok((await drain(fresh().openBlob(sha(list[2]!)))).bytes.equals(list[2]!));
  const opened = await drain((await import('node:stream')).Readable.from([sealed]).pipe(decryptBlobStream(key, blobBinding(sha(list[2]!)))));
  assert.ok(opened.bytes.equals(list[2]!));
  assert.equal(await store.hasBlob('a'.repeat(64)), false);
  await assert.rejects(drain(store.openBlob('a'.repeat(64))).then((r) => { if (r.error) throw r.error; }), /ENOENT/);

  // Written on a worker thread (the import's path), read here; a second place of the same files writes nothing.
  const more = files(7);
  const paths = more.map((b, i) => { const p = join(work.dir, `w${n}-${i}.bin`); writeFileSync(p, b); return p; });
  const handoff = store.handoff();
  await pool.run({ op: 'place', store: handoff, files: more.map((b, i) => ({ path: paths[i]!, sha256: sha(b), size: b.length })) }, 0);
  await readsBack(store, more);
  const before = readdirSync(packs).sort();
  await pool.run({ op: 'place', store: handoff, files: more.map((b, i) => ({ path: paths[i]!, sha256: sha(b), size: b.length })) }, 0);
  assert.deepEqual(readdirSync(packs).sort(), before, 'already packed: nothing written');
  // Removed here, placed again there: the worker sees the folder changed and writes it anew.
  await store.removeBlobs([sha(more[0]!)]);
  assert.equal(await store.hasBlob(sha(more[0]!)), false);
  await pool.run({ op: 'place', store: handoff, files: [{ path: paths[0]!, sha256: sha(more[0]!), size: more[0]!.length }] }, 0);
  await readsBack(store, [more[0]!, ...more.slice(1), ...list]);
});

test('a loose and a packed copy of one hash: the loose one is read first; removal takes both', async () => {
  const { store, packs } = newStore();
  await store.init();
  const [a, b] = files(2);
  await store.placeMany([a!, b!].map((plain) => ({ sha256: sha(plain), plain })));
  await store.putBytes(a!); // already packed: not written again
  assert.equal(existsSync(store.blobPath(sha(a!))), false);
  // A loose copy written by another writer (sync) before the pack: both exist, both read.
  const { mkdirSync } = await import('node:fs');
  mkdirSync(join(store.blobPath(sha(b!)), '..'), { recursive: true });
  const sealedB = (await drain(store.sealedBlob(sha(b!)))).bytes;
  writeFileSync(store.blobPath(sha(b!)), sealedB);
  await readsBack(store, [a!, b!]);
  await store.destroyBlob(sha(b!));
  assert.equal(existsSync(store.blobPath(sha(b!))), false);
  assert.equal(await store.hasBlob(sha(b!)), false);
  assert.equal(packBytes(packs).indexOf(sealedB.subarray(0, 64)), -1);
  await readsBack(store, [a!]);
});

test('a tampered index, a swapped index, a tampered or truncated pack: BlobIntegrityError, never other bytes', async () => {
  const { store, packs, fresh, key } = newStore();
  const reload = () => { forgetPackSets(); return fresh(); };
  await store.init();
  const list = files(10);
  await store.placeMany(list.map((plain) => ({ sha256: sha(plain), plain })));
  const [pack] = readdirSync(packs).filter((f) => f.endsWith('.pack'));
  const packFile = join(packs, pack!);
  const idxFile = packFile.replace(/\.pack$/, '.idx');
  const idx = readFileSync(idxFile);
  const bytes = readFileSync(packFile);

  // A byte of the pack changed: the blob holding it fails; the others still read.
  const altered = Buffer.from(bytes);
  altered[70_000] = altered[70_000]! ^ 1;
  writeFileSync(packFile, altered);
  const results = await Promise.all(list.map((f) => drain(reload().openBlob(sha(f)))));
  const failed = results.filter((r) => r.error);
  assert.equal(failed.length, 1);
  assert.ok(failed[0]!.error instanceof BlobIntegrityError);
  for (const [i, r] of results.entries()) if (!r.error) assert.ok(r.bytes.equals(list[i]!));
  writeFileSync(packFile, bytes);

  // Truncated: the blobs past the cut are refused (read and sealed), those before still read.
  truncateSync(packFile, bytes.length - 10);
  const cut = await Promise.all(list.map((f) => drain(store.openBlob(sha(f)))));
  assert.equal(cut.filter((r) => r.error).length, 1);
  assert.ok(cut.find((r) => r.error)!.error instanceof BlobIntegrityError);
  const sealedCut = await Promise.all(list.map((f) => drain(store.sealedBlob(sha(f)))));
  assert.ok(sealedCut.find((r) => r.error)?.error instanceof BlobIntegrityError);
  writeFileSync(packFile, bytes);

  // The index altered: nothing of that pack is served, and a look-up is refused rather than "missing".
  const badIdx = Buffer.from(idx);
  badIdx[badIdx.length - 20] = badIdx[badIdx.length - 20]! ^ 1;
  writeFileSync(idxFile, badIdx);
  const s2 = reload();
  assert.equal(await s2.hasBlob(sha(list[0]!)), false);
  const r = await drain(s2.openBlob(sha(list[0]!)));
  assert.ok(r.error instanceof BlobIntegrityError, String(r.error));
  assert.equal(r.bytes.length, 0);
  await assert.rejects(s2.blobSize(sha(list[0]!)), BlobIntegrityError);
  writeFileSync(idxFile, idx);
  await readsBack(reload(), list);

  // Another pack's index put in this one's place (its name differs: bound to the pack) is refused.
  const o = newStore();
  const oStore = new AttachmentStore(o.dir, join(o.dir, '..', 'staging'), key);
  await oStore.init();
  await oStore.placeMany(files(3).map((plain) => ({ sha256: sha(plain), plain })));
  const [oIdx] = readdirSync(o.packs).filter((f) => f.endsWith('.idx'));
  writeFileSync(idxFile, readFileSync(join(o.packs, oIdx!)));
  const r2 = await drain(reload().openBlob(sha(list[1]!)));
  assert.ok(r2.error instanceof BlobIntegrityError);
  writeFileSync(idxFile, idx);

  // The pack swapped for another pack (its index kept): every range fails its binding.
  writeFileSync(packFile, readFileSync(join(o.packs, oIdx!.replace(/\.idx$/, '.pack'))));
  for (const f of list.slice(0, 3)) {
    const got = await drain(reload().openBlob(sha(f)));
    assert.ok(got.error instanceof BlobIntegrityError);
    assert.equal(got.bytes.length, 0);
  }
  writeFileSync(packFile, bytes);
});

test('destroyBlob rewrites the pack without it: no byte of its sealed form left in the folder, the others read', async () => {
  const { store, packs } = newStore();
  await store.init();
  const list = files(12);
  await store.placeMany(list.map((plain) => ({ sha256: sha(plain), plain })));
  const victim = list[4]!;
  const sealed = (await drain(store.sealedBlob(sha(victim)))).bytes;
  assert.notEqual(packBytes(packs).indexOf(sealed.subarray(0, 64)), -1);
  await store.destroyBlob(sha(victim));
  const all = packBytes(packs);
  for (const at of [0, Math.floor(sealed.length / 2), sealed.length - 64]) assert.equal(all.indexOf(sealed.subarray(at, at + 64)), -1);
  assert.equal(all.indexOf(victim.subarray(0, 64)), -1);
  assert.equal(await store.hasBlob(sha(victim)), false);
  await readsBack(store, list.filter((f) => f !== victim));
  assert.equal(readdirSync(packs).filter((f) => f.endsWith('.pack')).length, 1);

  // A cut batch removed whole: the pack and its index go, nothing else is written.
  const batch = files(6);
  await store.placeMany(batch.map((plain) => ({ sha256: sha(plain), plain })));
  assert.equal(readdirSync(packs).filter((f) => f.endsWith('.pack')).length, 2);
  await store.removeBlobs(batch.map(sha));
  assert.equal(readdirSync(packs).filter((f) => f.endsWith('.pack')).length, 1);
  await readsBack(store, list.filter((f) => f !== victim));
});

test('a pack is split at its entry cap; removing blobs of two packs rewrites each once', async () => {
  const { store, packs } = newStore();
  await store.init();
  const list = Array.from({ length: PACK_MAX_ENTRIES + 3 }, () => randomBytes(40));
  await store.placeMany(list.map((plain) => ({ sha256: sha(plain), plain })));
  assert.equal(readdirSync(packs).filter((f) => f.endsWith('.pack')).length, 2);
  await store.removeBlobs([sha(list[0]!), sha(list[1]!), sha(list.at(-1)!)]);
  assert.equal(readdirSync(packs).filter((f) => f.endsWith('.pack')).length, 2);
  for (const f of list.slice(2, -1).filter((_, i) => i % 97 === 0)) assert.ok((await drain(store.openBlob(sha(f)))).bytes.equals(f));
  for (const f of [list[0]!, list[1]!, list.at(-1)!]) assert.equal(await store.hasBlob(sha(f)), false);
});

const child = fileURLToPath(new URL('./packsChild.ts', import.meta.url));
function runChild(dir: string, key: Buffer, args: string[], killAt?: string): { signal: NodeJS.Signals | null; status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', child, dir, key.toString('hex'), ...args], {
    env: { ...process.env, ...(killAt ? { SD_TEST_PACK_KILL_AT: killAt } : {}) }, encoding: 'utf8',
  });
  return { signal: r.signal, status: r.status, stderr: r.stderr };
}

for (const killAt of ['pack:written', 'rewrite:new-indexed', 'rewrite:old-unindexed']) {
  test(`destruction killed (SIGKILL) at ${killAt}: every kept blob readable, the destroyed one gone after the retry`, async () => {
    const { store, packs, dir, key, fresh } = newStore();
    await store.init();
    const list = files(8);
    await store.placeMany(list.map((plain) => ({ sha256: sha(plain), plain })));
    const victim = list[3]!;
    const sealed = (await drain(store.sealedBlob(sha(victim)))).bytes;
    const r = runChild(dir, key, ['destroy', sha(victim)], killAt);
    assert.equal(r.signal, 'SIGKILL', r.stderr);
    await readsBack(fresh(), list.filter((f) => f !== victim));
    // The retry (after a restart: init sweeps what the dead process left).
    const again = fresh();
    await again.init();
    await again.destroyBlob(sha(victim));
    assert.equal(await again.hasBlob(sha(victim)), false);
    assert.equal(packBytes(packs).indexOf(sealed.subarray(0, 64)), -1, 'no byte of it left');
    assert.deepEqual(readdirSync(packs).filter((f) => f.endsWith('.tmp')), []);
    await readsBack(fresh(), list.filter((f) => f !== victim));
    // Each kept blob indexed once only (not copied twice by the retry).
    assert.equal(readdirSync(packs).filter((f) => f.endsWith('.pack')).length, 1);
  });
}

test('a placing killed between the pack taking its name and its index: nothing visible, the leftover shredded at init', async () => {
  const { store, packs, dir, key, fresh } = newStore();
  await store.init();
  const list = files(4);
  const paths = list.map((b, i) => { const p = join(work.dir, `k${n}-${i}.bin`); writeFileSync(p, b); return p; });
  const r = runChild(dir, key, ['place', ...paths], 'pack:renamed');
  assert.equal(r.signal, 'SIGKILL', r.stderr);
  assert.equal(readdirSync(packs).filter((f) => f.endsWith('.pack')).length, 1);
  for (const f of list) assert.equal(await store.hasBlob(sha(f)), false);
  const again = fresh();
  await again.init();
  assert.deepEqual(readdirSync(packs), []);
  // The job's retry places them.
  await again.placeMany(list.map((plain) => ({ sha256: sha(plain), plain })));
  await readsBack(fresh(), list);
});

test('a cut batch placed in a pack: the next unlock removes its unreferenced blobs in one rewrite, keeps a referenced one', async () => {
  const { newDesk, registration } = await import('../helpers/desk');
  const env = await newDesk();
  try {
    const ctx = env.desk.context();
    const store = ctx.storeFor('thuong');
    // A registered file (referenced by its record), placed again in the batch: kept.
    const r = await env.desk.incoming.register(env.admin, await registration(env.desk, env.admin, { subject: 'giữ lại' }));
    const kept = env.desk.incoming.get(env.admin, r.id).attachments[0]!.sha256;
    const keptPlain = (await drain(store.openBlob(kept))).bytes;
    const list = files(5);
    const marker = await ctx.store.markPlacingMany(store, [...list.map(sha), kept]);
    assert.ok(marker);
    await store.placeMany(list.map((plain) => ({ sha256: sha(plain), plain })));
    const packs = join(store.blobPath(kept), '..', '..', 'packs');
    const sealed = (await drain(store.sealedBlob(sha(list[0]!)))).bytes;
    assert.equal(readdirSync(packs).filter((f) => f.endsWith('.pack')).length, 1);
    env.desk.lock();
    await env.desk.unlock(env.identity);
    const after = env.desk.context().storeFor('thuong');
    for (const f of list) assert.equal(await after.hasBlob(sha(f)), false);
    assert.deepEqual(readdirSync(packs), [], 'the whole pack went (nothing in it kept)');
    assert.equal(packBytes(packs).indexOf(sealed.subarray(0, 64)), -1);
    assert.ok((await drain(after.openBlob(kept))).bytes.equals(keptPlain));
  } finally {
    env.cleanup();
  }
});
