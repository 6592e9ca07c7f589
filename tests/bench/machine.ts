// The machine the figures were taken on.
import Database from 'better-sqlite3-multiple-ciphers';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memGiB: number;
  platform: string;
  node: string;
  sqlite: string;
  driver: string;
  /** The openssl the crypto section compares with. */
  openssl: string | null;
  /** 1-minute load average when the run started and when it ended: the machine may be shared. */
  loadAvg1m: { start: number; end: number };
  /** Linux PSI: share of the last 60 s in which some runnable task waited for a CPU (null elsewhere). */
  cpuPressureSomeAvg60: { start: number | null; end: number | null };
  /** The core measured: commit of the checkout and its tracked files changed outside tests/bench (null without git). */
  core: { commit: string; subject: string; changedOutsideBench: string[] } | null;
}

function coreVersion(): MachineInfo['core'] {
  const root = new URL('../../', import.meta.url).pathname;
  const git = (...args: string[]) => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    return {
      commit: git('rev-parse', '--short', 'HEAD'),
      subject: git('log', '-1', '--format=%s'),
      changedOutsideBench: git('status', '--porcelain', '--untracked-files=no', '--', '.', ':(exclude)tests/bench').split('\n').filter(Boolean),
    };
  } catch {
    return null;
  }
}

function cpuPressure(window: 'avg10' | 'avg60' = 'avg60'): number | null {
  try {
    const m = /some avg10=([\d.]+) avg60=([\d.]+)/.exec(readFileSync('/proc/pressure/cpu', 'utf8'));
    return m ? Number(m[window === 'avg10' ? 1 : 2]) : null;
  } catch {
    return null;
  }
}

/** CPU pressure over the last 10 s (Linux PSI, % of time some task waited for a CPU), null elsewhere. */
export const cpuPressure10s = (): number | null => cpuPressure('avg10');

/** The 1-minute load average and the 10 s CPU pressure now: recorded around each timed part. */
export const loadNow = (): { loadAvg1m: number; cpuPressure10s: number | null } => ({
  loadAvg1m: Math.round(loadavg()[0]! * 100) / 100, cpuPressure10s: cpuPressure10s(),
});

const startLoad = loadavg()[0]!;
const startPressure = cpuPressure();

function opensslVersion(): string | null {
  try {
    return execFileSync('openssl', ['version'], { encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

export function machineInfo(): MachineInfo {
  const require = createRequire(import.meta.url);
  const pkg = require('better-sqlite3-multiple-ciphers/package.json') as { version: string };
  const cpu = cpus();
  const db = new Database(':memory:');
  const sqlite = db.prepare('select sqlite_version()').pluck().get() as string;
  db.close();
  return {
    cpus: cpu.length,
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    memGiB: Math.round(totalmem() / 2 ** 30),
    platform: `${platform()} ${release()}`,
    node: process.version,
    sqlite,
    driver: `better-sqlite3-multiple-ciphers ${pkg.version}`,
    openssl: opensslVersion(),
    loadAvg1m: { start: Math.round(startLoad * 100) / 100, end: Math.round(loadavg()[0]! * 100) / 100 },
    cpuPressureSomeAvg60: { start: startPressure, end: cpuPressure() },
    core: coreVersion(),
  };
}
