// Scratch: one import run on a generated archive (profiling).
import { performance } from 'node:perf_hooks';
import { suggestMapping } from '../../main/core/import/mapping';
import { newDesk, tempDir } from '../helpers/desk';
import { IMPORT_HEADERS, writeImportArchive } from './importArchive';

const n = Number(process.argv[2] ?? 2000);
const work = tempDir('securedesk-import-probe-');
const a = writeImportArchive(work.dir, n);
const env = await newDesk('state');
const actor = env.admin;
const t0 = performance.now();
const r = await env.desk.imports.start(actor, a.source, suggestMapping(IMPORT_HEADERS), { batchSize: 500 });
const s = (performance.now() - t0) / 1000;
console.log(JSON.stringify({ n, s, rate: n / s, job: r.job }));
env.cleanup(); work.cleanup();
