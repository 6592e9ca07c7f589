// The import's file workers alone (fileWorker.ts through FilePool): N generated PDFs resolved (found
// inside the folder, read, hashed, sniffed, signature-checked), then placed (sealed into a level's
// store, synced, renamed), batch by batch as a job does, nothing else in the process. Prints the
// process's CPU seconds (the workers' and this idle thread's) and the wall time, per file.
// `node --import tsx tests/bench/importFiles.ts [N] [batch]`; `--keep DIR` reuses the generated files;
// SD_IMPORT_HOLD_MB: the bytes the two workers keep between resolve and place.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { AttachmentStore } from '../../main/core/attachments/store';
import { FilePool } from '../../main/core/import/filePool';
import { tempDir } from '../helpers/desk';
import { writeImportArchive } from './importArchive';

const args = process.argv.slice(2);
const keepAt = args.indexOf('--keep');
const keep = keepAt >= 0 ? args.splice(keepAt, 2)[1] : undefined;
const n = Number(args[0] ?? 3000);
const batch = Number(args[1] ?? 1000);
const work = tempDir('securedesk-bench-files-');
const dir = keep ?? join(work.dir, 'archive');
const list = join(dir, 'files.json');
let files: string[];
if (keep && existsSync(list)) files = JSON.parse(readFileSync(list, 'utf8')) as string[];
else {
  mkdirSync(dir, { recursive: true });
  files = writeImportArchive(dir, n).files.map((f) => relative(dir, f));
  writeFileSync(list, JSON.stringify(files));
}
const store = new AttachmentStore(join(work.dir, 'store'), join(work.dir, 'staging'), randomBytes(32), randomBytes(32));
await store.init();
const pool = new FilePool(2);
/** Bytes each worker keeps of the files it resolved (SD_IMPORT_HOLD_MB for both together, default 128: a whole batch kept). */
const HOLD = Math.floor((Number(process.env.SD_IMPORT_HOLD_MB ?? 128) * 1024 * 1024) / 2);
// Both shapes of the 'resolve' answer (a file's result, or { resolved, held }) and of 'place' (size, held ignored where unknown).
type Answer = { ok: boolean; value?: { path: string; sha256: string; size: number } } | { resolved: { ok: boolean; value?: { path: string; sha256: string; size: number } }; held?: number };
await pool.run({ op: 'close', handle: 0 }, 0);
await pool.run({ op: 'close', handle: 0 }, 1);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < files.length; i += batch) {
  const names = files.slice(i, i + batch).map((f) => [f]);
  const parts: Array<{ worker: number; answers: Answer[] }> = await Promise.all([0, 1].map(async (w) => ({
    worker: w,
    answers: await pool.run<Answer[]>({ op: 'resolve', folder: dir, names: names.filter((_, k) => k % 2 === w), hold: HOLD } as never, w),
  })));
  await Promise.all(parts.map(({ worker, answers }) => pool.run({
    op: 'place', store: store.handoff(),
    files: answers.map((a) => {
      const r = 'resolved' in a ? a.resolved : a;
      if (!r.ok || !r.value) throw new Error('a generated file was not resolved');
      return { path: r.value.path, sha256: r.value.sha256, size: r.value.size, ...('resolved' in a && a.held !== undefined ? { held: a.held } : {}) };
    }),
  } as never, worker)));
}
const wall = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
await pool.close();
work.cleanup();
const per = (s: number) => Math.round((s * 1000 * 1000) / files.length) / 1000;
process.stdout.write(`${JSON.stringify({ files: files.length, batch, wallSeconds: Math.round(wall * 100) / 100, cpu: { user: cpu.user / 1e6, system: cpu.system / 1e6 }, msPerFile: { cpu: per((cpu.user + cpu.system) / 1e6), user: per(cpu.user / 1e6), system: per(cpu.system / 1e6), wall: per(wall) } })}\n`);
