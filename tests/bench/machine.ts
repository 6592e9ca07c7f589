// The machine the figures were taken on.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import type { Db } from '../../main/core/db/connection';

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memGiB: number;
  platform: string;
  node: string;
  sqlite: string;
  driver: string;
  /** 1-minute load average when the run started and when it ended: the machine may be shared. */
  loadAvg1m: { start: number; end: number };
  /** Linux PSI: share of the last 60 s in which some runnable task waited for a CPU (null elsewhere). */
  cpuPressureSomeAvg60: { start: number | null; end: number | null };
}

function cpuPressure(): number | null {
  try {
    const m = /some avg10=[\d.]+ avg60=([\d.]+)/.exec(readFileSync('/proc/pressure/cpu', 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

const startLoad = loadavg()[0]!;
const startPressure = cpuPressure();

export function machineInfo(db: Db): MachineInfo {
  const require = createRequire(import.meta.url);
  const pkg = require('better-sqlite3-multiple-ciphers/package.json') as { version: string };
  const cpu = cpus();
  return {
    cpus: cpu.length,
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    memGiB: Math.round(totalmem() / 2 ** 30),
    platform: `${platform()} ${release()}`,
    node: process.version,
    sqlite: db.prepare('select sqlite_version()').pluck().get() as string,
    driver: `better-sqlite3-multiple-ciphers ${pkg.version}`,
    loadAvg1m: { start: Math.round(startLoad * 100) / 100, end: Math.round(loadavg()[0]! * 100) / 100 },
    cpuPressureSomeAvg60: { start: startPressure, end: cpuPressure() },
  };
}
