import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateProfile } from './generate';
const dir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'sdbench-'));
const n = Number(process.argv[3] ?? 100000);
const r = await generateProfile(dir, n, { seed: 1, batchSize: Number(process.argv[4] ?? 2000), cacheMiB: Number(process.argv[5] ?? 256), years: 6 });
console.log(dir, JSON.stringify(r, null, 1));
