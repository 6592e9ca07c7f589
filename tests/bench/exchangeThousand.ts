// Issue 9 §7 at full size: 1,000 documents each way through the two agency servers and the hub, with a
// server restart and a workstation's receiving round killed with SIGKILL (the exactly-once checks are
// tests/integration/server/exchange-thousand.test.ts's, which CI runs at 40 each way). Runs that test
// file with EXCHANGE_N in a child and reports its printed figures.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { progress } from './stats';

export interface ExchangeThousandFigures {
  documentsEachWay: number; passed: boolean; seconds: number;
  /** The test's own figures line (issue, send + restart + killed round, receive, register, statuses), as printed. */
  figures: string | null; killedAt: string | null;
}

const TEST = resolve(fileURLToPath(new URL('.', import.meta.url)), '../integration/server/exchange-thousand.test.ts');

export async function measureExchangeThousand(n: number): Promise<ExchangeThousandFigures> {
  progress(`exchange both ways: ${n} documents each way through the test network (issue 9 §7)`);
  const t0 = performance.now();
  const { code, out } = await new Promise<{ code: number | null; out: string }>((done) => {
    const p = spawn(process.execPath, ['--import', 'tsx', '--test', TEST], { env: { ...process.env, EXCHANGE_N: String(n), EXCHANGE_WAIT_MS: String(60 * 60_000) } });
    let out = '';
    const take = (c: Buffer) => { out += c.toString(); process.stderr.write(c); };
    p.stdout.on('data', take);
    p.stderr.on('data', take);
    p.on('close', (c) => done({ code: c, out }));
  });
  const line = (re: RegExp) => out.split('\n').find((l) => re.test(l))?.replace(/^#\s*/, '').replace(/\\#/g, '#') ?? null;
  return { documentsEachWay: n, passed: code === 0, seconds: Math.round((performance.now() - t0) / 100) / 10, figures: line(/^# N=\d+ each way/), killedAt: line(/^# B killed at/) };
}
