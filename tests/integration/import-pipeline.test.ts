// The import job's pipeline: the source parsed on a worker, files resolved, hashed and encrypted on
// workers into their level's store (the same blob format and key as every attachment), rows written
// in short transactions; progress after each transaction, cancel through the service, resume exact.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readAll } from '../../main/core/pdf/view';
import { decryptBlobStream, encryptBlobBuffer, blobBinding } from '../../main/core/attachments/blobCipher';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { suggestMapping } from '../../main/core/import/mapping';
import type { ImportProgress } from '../../main/core/import/ImportService';
import { newDesk, tempDir } from '../helpers/desk';
import { IMPORT_HEADERS, writeImportArchive, type ImportArchive } from '../bench/importArchive';

const ROWS = 240;
let env: Awaited<ReturnType<typeof newDesk>>;
let work: ReturnType<typeof tempDir>;
let archive: ImportArchive;
const mapping = suggestMapping(IMPORT_HEADERS);

before(async () => {
  env = await newDesk('state');
  work = tempDir('securedesk-import-pipeline-');
  // Small PDFs (2–70 KB: one chunk and several); every 20th row Mật.
  archive = writeImportArchive(work.dir, ROWS, { seed: 7, minKb: 2, maxKb: 70 });
});
after(() => { env.cleanup(); work.cleanup(); });

const count = (sql: string) => Number(env.desk.db.prepare(sql).pluck().get());

test('cancel through the service stops between transactions; resume finishes exactly, numbers without a gap', async () => {
  const seen: ImportProgress[] = [];
  let jobId = 0;
  let during: ImportProgress | null = null;
  const stopped = await env.desk.imports.start(env.admin, archive.source, mapping, {
    batchSize: 50, workers: 2,
    onProgress: (p) => {
      seen.push(p);
      jobId = p.jobId;
      if (p.handled >= 60 && p.state === 'running' && during === null) {
        during = env.desk.imports.progress(env.admin, p.jobId);
        assert.equal(env.desk.imports.cancel(env.admin, p.jobId), true);
      }
    },
  });
  assert.equal(stopped.cancelled, true);
  assert.equal(stopped.job.state, 'cancelled');
  assert.ok(during !== null, 'the service reports the progress of a running job');
  assert.equal(env.desk.imports.progress(env.admin, jobId), null, 'not running any more');
  assert.equal(env.desk.imports.cancel(env.admin, jobId), false);
  const handled = stopped.job.imported + stopped.job.duplicates + stopped.job.rejected;
  assert.ok(handled >= 60 && handled < ROWS, `stopped part-way (${handled})`);
  // What is committed is exactly what the journal says.
  assert.equal(count(`SELECT count(*) FROM import_rows WHERE job_id = ${jobId}`), handled);
  assert.equal(count('SELECT count(*) FROM c_thuong.incoming') + count('SELECT count(*) FROM c_mat.incoming'), stopped.job.imported);
  // Progress: counts never go back, a rate, time left; the last report is the cancelled state.
  assert.ok(seen.every((p, i) => i === 0 || p.handled >= seen[i - 1]!.handled));
  assert.ok(seen.some((p) => p.rate > 0 && p.secondsLeft !== null && p.secondsLeft > 0));
  assert.equal(seen.at(-1)!.state, 'cancelled');

  const done = await env.desk.imports.resume(env.admin, jobId, { batchSize: 64 });
  assert.equal(done.cancelled, false);
  assert.deepEqual([done.job.state, done.job.total, done.job.imported, done.job.duplicates, done.job.rejected], ['done', ROWS, ROWS, 0, 0]);
  assert.equal(count(`SELECT count(DISTINCT row_key) FROM import_rows WHERE job_id = ${jobId}`), ROWS);
  for (const c of ['c_thuong', 'c_mat']) {
    // Numbering per register and year: 1..N in each, no gap, no repeat.
    const years = env.desk.db.prepare(`SELECT year, count(*) AS n, count(DISTINCT arrival_number) AS d, min(arrival_number) AS lo, max(arrival_number) AS hi FROM ${c}.incoming GROUP BY register_id, year`).all() as Array<{ n: number; d: number; lo: number; hi: number }>;
    for (const y of years) assert.deepEqual([y.d, y.lo, y.hi], [y.n, 1, y.n]);
  }
  assert.equal(count('SELECT count(*) FROM c_mat.incoming'), ROWS / 20);
});

test('every record has its file, encrypted in its level store as any attachment; events and index for each; no marker left', async () => {
  const ctx = env.desk.context();
  const rows = [...env.desk.db.prepare("SELECT 'thuong' AS level, i.number_symbol AS ns, a.sha256, a.size, a.mime, a.is_pdf AS isPdf, a.name FROM c_thuong.incoming i JOIN c_thuong.attachments a ON a.incoming_id = i.id").all(),
    ...env.desk.db.prepare("SELECT 'mat' AS level, i.number_symbol AS ns, a.sha256, a.size, a.mime, a.is_pdf AS isPdf, a.name FROM c_mat.incoming i JOIN c_mat.attachments a ON a.incoming_id = i.id").all()] as
    Array<{ level: 'thuong' | 'mat'; ns: string; sha256: string; size: number; mime: string; isPdf: number; name: string }>;
  assert.equal(rows.length, ROWS);
  for (const r of rows.filter((_, i) => i % 16 === 0)) {
    const n = Number(r.ns.split('/')[0]);
    const source = readFileSync(archive.files[n - 1]!);
    assert.equal(r.sha256, createHash('sha256').update(source).digest('hex'));
    assert.deepEqual([r.size, r.mime, r.isPdf, r.name], [source.length, 'application/pdf', 1, `${n}.pdf`]);
    const store = ctx.storeFor(r.level);
    // On disk (in a pack): not the PDF (sealed, named by an HMAC of the hash); through the store: the same bytes.
    const onDisk = Buffer.from(await readAll(store.sealedBlob(r.sha256)));
    assert.equal(onDisk.subarray(0, 8).toString('latin1'), 'SDBLOB02');
    assert.equal(onDisk.indexOf('%PDF-'), -1);
    assert.ok(!store.blobPath(r.sha256).includes(r.sha256));
    assert.ok(Buffer.from(await readAll(store.openBlob(r.sha256))).equals(source));
  }
  // A Mật record's file is in the Mật store only.
  const mat = rows.find((r) => r.level === 'mat')!;
  assert.equal(await ctx.storeFor('thuong').hasBlob(mat.sha256), false);
  assert.equal(await ctx.storeFor('mat').hasBlob(mat.sha256), true);
  // One create event per record and per file, one index entry and one audit entry per record.
  for (const c of ['c_thuong', 'c_mat']) {
    const n = count(`SELECT count(*) FROM ${c}.incoming`);
    assert.equal(count(`SELECT count(*) FROM ${c}.events WHERE entity = 'incoming' AND kind = 'create'`), n);
    assert.equal(count(`SELECT count(*) FROM ${c}.events WHERE entity = 'attachments' AND kind = 'create'`), n);
    assert.equal(count(`SELECT count(*) FROM ${c}.incoming_fts`), n);
  }
  assert.equal(count("SELECT count(*) FROM audit_log WHERE action = 'incoming.register'"), ROWS);
  const found = env.desk.incoming.list(env.admin, { query: 'trien khai nhiem vu so 6', limit: 10, offset: 0, sort: { field: 'arrival', dir: 'desc' } } as never);
  assert.ok(found.some((r) => r.numberSymbol.startsWith('6/')));
  // The batch markers were removed once their records committed; the cancelled batch's markers stay
  // until the next unlock resolves them (the blobs are referenced now: kept): the batch being written
  // and the one whose files were placed meanwhile, one marker per level (Thường and Mật) each.
  const staging = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? staging(join(dir, e.name)) : [e.name]));
  assert.ok(staging(join(env.dir, 'staging')).filter((f) => f.endsWith('.placing')).length <= 4);
  env.desk.lock();
  await env.desk.unlock(env.identity);
  assert.deepEqual(staging(join(env.dir, 'staging')).filter((f) => f.endsWith('.placing')), []);
  assert.equal(await env.desk.context().storeFor('mat').hasBlob(mat.sha256), true, 'a referenced blob is kept');
});

test('a batch marker names every blob it places; an unreferenced one is removed at the next unlock', async () => {
  const ctx = env.desk.context();
  const store = ctx.storeFor('thuong');
  const plain = randomBytes(3000);
  const sha = createHash('sha256').update(plain).digest('hex');
  const path = join(work.dir, 'orphan.pdf');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(path, plain);
  const marker = await ctx.store.markPlacingMany(store, [sha, 'a'.repeat(64)]);
  assert.ok(marker);
  const placings = (await ctx.store.placings()).filter((p) => p.file === marker);
  assert.deepEqual(placings.map((p) => [p.store, p.sha256]), [[store.storeName, sha], [store.storeName, 'a'.repeat(64)]]);
  await store.placeFile(path, sha);
  assert.equal(await store.hasBlob(sha), true);
  // A file that changed since it was hashed is refused, nothing placed.
  await assert.rejects(store.placeFile(path, 'b'.repeat(64)), /does not belong/);
  assert.equal(await store.hasBlob('b'.repeat(64)), false);
  // No record took it (the import "crashed" before its commit): the next unlock removes it.
  env.desk.lock();
  await env.desk.unlock(env.identity);
  assert.equal(await env.desk.context().storeFor('thuong').hasBlob(sha), false);
});

test('a blob sealed in memory is the streamed format: it decrypts with the stream, bound to its hash', async () => {
  const key = randomBytes(32);
  for (const size of [0, 1, 65_536, 65_537, 200_000]) {
    const plain = randomBytes(size);
    const sha = createHash('sha256').update(plain).digest('hex');
    const sealed = encryptBlobBuffer(key, blobBinding(sha), plain);
    const back = Buffer.from(await readAll(Readable.from([sealed]).pipe(decryptBlobStream(key, blobBinding(sha)))));
    assert.ok(back.equals(plain), `size ${size}`);
    await assert.rejects(readAll(Readable.from([sealed]).pipe(decryptBlobStream(key, blobBinding('c'.repeat(64))))));
  }
});
