// Attacks on the import's file workers between the check of a file and its read (files.ts openInside,
// fileWorker.ts): a file or its folder swapped for a link out of the chosen folder, a FIFO named as a
// scan, a file changed after it was resolved. Each file is opened once, judged by what the descriptor
// really is, and read from it; the bytes a worker hashed are the bytes it seals.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { asyncIo, openInside, resolveFile, syncIo } from '../../main/core/import/files';
import { FilePool } from '../../main/core/import/filePool';
import type { ResolveAnswer } from '../../main/core/import/fileWorker';
import { readAll } from '../../main/core/pdf/view';
import { newDesk, tempDir } from '../helpers/desk';

let env: Awaited<ReturnType<typeof newDesk>>;
let work: ReturnType<typeof tempDir>;
let folder: string;
let outside: string;
let pool: FilePool;

const pdf = (text: string) => Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from(text), randomBytes(2000)]);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

before(async () => {
  env = await newDesk();
  work = tempDir('securedesk-import-swap-');
  folder = join(work.dir, 'chon');
  outside = join(work.dir, 'ngoai');
  mkdirSync(join(folder, 'scans'), { recursive: true });
  mkdirSync(join(outside, 'scans'), { recursive: true });
  pool = new FilePool(1);
});

after(async () => {
  await pool.close();
  env.desk.close();
  work.cleanup();
});

for (const [label, io] of [['sync', syncIo], ['async', asyncIo]] as const) {
  test(`${label}: a file swapped for a link out of the folder after its real path was judged is refused`, async () => {
    const root = realpathSync(folder);
    const real = join(root, 'scans', `a-${label}.pdf`);
    writeFileSync(real, pdf('inside'));
    writeFileSync(join(outside, `secret-${label}.pdf`), pdf('secret outside'));
    // The check saw a plain file inside; now the file is a link to the outside one.
    rmSync(real);
    symlinkSync(join(outside, `secret-${label}.pdf`), real);
    assert.deepEqual(await openInside(io, root, real, real), { refused: 'symlinkOut' });
  });

  test(`${label}: a folder swapped for a link out of the chosen folder after the check is refused`, async () => {
    const root = realpathSync(folder);
    const sub = join(root, `ho-so-${label}`);
    mkdirSync(sub);
    writeFileSync(join(sub, 'b.pdf'), pdf('inside'));
    writeFileSync(join(outside, 'scans', 'b.pdf'), pdf('secret outside'));
    const real = join(sub, 'b.pdf');
    // Judged inside; then the folder itself becomes a link to an outside folder holding the same name.
    renameSync(sub, `${sub}-cu`);
    symlinkSync(join(outside, 'scans'), sub);
    assert.deepEqual(await openInside(io, root, real, real), { refused: 'symlinkOut' });
    // And through resolveFile the link is refused from the start.
    const r = await resolveFile(folder, `ho-so-${label}/b.pdf`, { io });
    assert.equal(r.ok ? 'ok' : r.code, 'symlinkOut');
  });

  test(`${label}: a FIFO named as a scan is refused without waiting for a writer`, async () => {
    const fifo = join(folder, 'scans', `ong-${label}.pdf`);
    execFileSync('mkfifo', [fifo]);
    const r = await resolveFile(folder, `scans/ong-${label}.pdf`, { io });
    assert.equal(r.ok ? 'ok' : r.code, 'fileMissing');
  });

  test(`${label}: a file read once: the bytes given are those hashed, and a directory named .pdf is no file`, async () => {
    const bytes = pdf(`once ${label}`);
    writeFileSync(join(folder, 'scans', `c-${label}.pdf`), bytes);
    let given: Buffer | null = null;
    const r = await resolveFile(folder, `scans/c-${label}.pdf`, { io, onBytes: (b) => { given = b; } });
    assert.ok(r.ok);
    assert.equal(r.value.sha256, sha(bytes));
    assert.equal(r.value.size, bytes.length);
    assert.deepEqual(given, bytes);
    mkdirSync(join(folder, 'scans', `thu-muc-${label}.pdf`));
    const d = await resolveFile(folder, `scans/thu-muc-${label}.pdf`, { io });
    assert.equal(d.ok ? 'ok' : d.code, 'fileMissing');
  });
}

test('a large file is read once in chunks: its hash and size are those of every byte', async () => {
  const big = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(9 * 1024 * 1024)]);
  writeFileSync(join(folder, 'scans', 'lon.pdf'), big);
  for (const io of [syncIo, asyncIo]) {
    const r = await resolveFile(folder, 'scans/lon.pdf', { io, signatures: true });
    assert.ok(r.ok);
    assert.equal(r.value.sha256, sha(big));
    assert.equal(r.value.size, big.length);
  }
});

/** Resolves one file on the pool's worker, keeping its bytes within `hold`. */
async function resolveOnWorker(name: string, hold: number): Promise<ResolveAnswer> {
  const [a] = await pool.run<ResolveAnswer[]>({ op: 'resolve', folder, names: [[name]], hold }, 0);
  return a!;
}

test('a file replaced by a link to an outside file after the worker resolved it: the worker seals the bytes it checked, or refuses', async () => {
  const store = env.desk.context().storeFor('thuong');
  const original = pdf('the scan the clerk chose');
  const path = join(folder, 'scans', 'd.pdf');
  writeFileSync(path, original);
  writeFileSync(join(outside, 'secret-d.pdf'), pdf('a secret outside the folder'));
  const kept = await resolveOnWorker('scans/d.pdf', 1024 * 1024);
  assert.ok(kept.resolved?.ok && kept.held !== undefined, 'the bytes are kept by the worker');
  const resolved = kept.resolved.value;
  // Swapped between the listing and the place.
  rmSync(path);
  symlinkSync(join(outside, 'secret-d.pdf'), path);
  await pool.run({ op: 'place', store: store.handoff(), files: [{ path: resolved.path, sha256: resolved.sha256, size: resolved.size, held: kept.held }] }, 0);
  assert.deepEqual(Buffer.from(await readAll(store.openBlob(resolved.sha256))), original, 'the blob is the file checked, not the link\'s target');

  // Not kept (over the budget): read again by its path, the link refused (not followed), nothing placed.
  const other = pdf('another scan');
  const path2 = join(folder, 'scans', 'e.pdf');
  writeFileSync(path2, other);
  const notKept = await resolveOnWorker('scans/e.pdf', 0);
  assert.ok(notKept.resolved?.ok);
  assert.equal(notKept.held, undefined, 'no budget: nothing kept');
  rmSync(path2);
  symlinkSync(join(outside, 'secret-d.pdf'), path2);
  await assert.rejects(pool.run({ op: 'place', store: store.handoff(), files: [{ path: notKept.resolved.value.path, sha256: notKept.resolved.value.sha256, size: notKept.resolved.value.size }] }, 0), /ELOOP/);
  assert.equal(await store.hasBlob(notKept.resolved.value.sha256), false);
});

test('kept bytes are bound to their hash: a place naming another hash reads the file again and refuses it', async () => {
  const store = env.desk.context().storeFor('thuong');
  const bytes = pdf('bound');
  writeFileSync(join(folder, 'scans', 'f.pdf'), bytes);
  const a = await resolveOnWorker('scans/f.pdf', 1024 * 1024);
  assert.ok(a.resolved?.ok && a.held !== undefined);
  await assert.rejects(pool.run({ op: 'place', store: store.handoff(), files: [{ path: a.resolved.value.path, sha256: 'c'.repeat(64), size: a.resolved.value.size, held: a.held }] }, 0), /does not belong/);
  assert.equal(await store.hasBlob('c'.repeat(64)), false);
  // The kept bytes were released with that place: the same id places nothing from memory any more.
  writeFileSync(join(folder, 'scans', 'f.pdf'), pdf('changed since'));
  await assert.rejects(pool.run({ op: 'place', store: store.handoff(), files: [{ path: a.resolved.value.path, sha256: a.resolved.value.sha256, size: a.resolved.value.size, held: a.held }] }, 0), /does not belong/);
});

test('placeMany: each blob decrypts to its file, bound to its hash, the same file twice once, no part left behind', async () => {
  const store = env.desk.context().storeFor('mat');
  const files = Array.from({ length: 70 }, (_, i) => pdf(`batch ${i}`));
  const list = [...files, files[3]!].map((plain) => ({ sha256: sha(plain), plain }));
  const folders = await store.placeMany(list);
  for (const f of files) assert.deepEqual(Buffer.from(await readAll(store.openBlob(sha(f)))), f);
  // One pack and its index in the store's packs folder (the folder answered, for the job to sync); no blob file, no part.
  const packs = join(store.blobPath(sha(files[0]!)), '..', '..', 'packs');
  assert.deepEqual(folders, [packs]);
  const names = readdirSync(packs);
  assert.equal(names.filter((n) => n.endsWith('.pack')).length, 1);
  assert.equal(names.filter((n) => n.endsWith('.idx')).length, 1);
  assert.deepEqual(names.filter((n) => n.endsWith('.tmp')), []);
  for (const f of files) assert.ok(!existsSync(store.blobPath(sha(f))));
  // Idempotent: placed again, nothing changes (no new pack).
  await store.placeMany(list.slice(0, 2));
  assert.deepEqual(readdirSync(packs).sort(), names.sort());
  assert.deepEqual(Buffer.from(await readAll(store.openBlob(sha(files[0]!)))), files[0]);
  assert.equal(await store.hasBlob(sha(files[1]!)), true);
});
