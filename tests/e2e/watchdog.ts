// A watchdog for the end-to-end process: twice in CI a spec stood still for about 350 s at the same
// step (secret-registers, after the "Sổ chuyển giao BMNN" tab is clicked) and never alone here. When
// this process's event loop makes no progress for STALL_MS, a worker thread (which keeps running while
// the main thread is stuck) records what the process is doing: its state and CPU time from /proc (busy
// in a loop, or waiting), each thread's kernel wait channel, and a native backtrace when gdb is
// installed; when the loop moves again, how long it stood and whether the wall clock jumped meanwhile.
// The record goes to test-results/e2e/stalls.log and to stderr. It changes nothing in the test.
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

const STALL_MS = 15_000;
const BEAT_MS = 250;

let started = false;

/** Starts the watchdog once per process; `resultsDir` receives stalls.log. */
export function startWatchdog(resultsDir: string, label: string): void {
  if (started || process.env.SD_E2E_WATCHDOG === '0') return;
  started = true;
  mkdirSync(resultsDir, { recursive: true });
  // [0] the main thread's last beat (performance.now() of the worker's clock origin is not shared: Date.now()
  // and hrtime are both stored, so a jump of the wall clock shows apart from the time that really passed).
  const shared = new SharedArrayBuffer(3 * Float64Array.BYTES_PER_ELEMENT);
  const beats = new Float64Array(shared);
  const beat = () => {
    beats[0] = Date.now();
    beats[1] = Number(process.hrtime.bigint() / 1_000_000n);
  };
  beat();
  const timer = setInterval(beat, BEAT_MS);
  timer.unref();
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { shared, pid: process.pid, log: join(resultsDir, 'stalls.log'), label, stallMs: STALL_MS },
    stdout: false,
    stderr: false,
  });
  worker.unref();
  worker.on('error', (err) => appendFileSync(join(resultsDir, 'stalls.log'), `${new Date().toISOString()} ${label}: watchdog failed: ${String(err)}\n`));
}

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { appendFileSync, readFileSync, readdirSync } = require('node:fs');
const { execFileSync } = require('node:child_process');
const beats = new Float64Array(workerData.shared);
const { pid, log, label, stallMs } = workerData;
const now = () => Number(process.hrtime.bigint() / 1000000n);
const write = (line) => {
  const text = new Date().toISOString() + ' ' + label + ' (pid ' + pid + '): ' + line + '\\n';
  try { appendFileSync(log, text); } catch {}
  process.stderr.write('[e2e watchdog] ' + text);
};
// utime + stime of the process, in clock ticks (100 per second on Linux).
const cpuTicks = () => {
  try {
    const f = readFileSync('/proc/' + pid + '/stat', 'utf8').split(') ')[1].split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch { return NaN; }
};
const threads = () => {
  try {
    return readdirSync('/proc/' + pid + '/task').map((t) => {
      let state = '?', wchan = '?', name = '?';
      try { state = readFileSync('/proc/' + pid + '/task/' + t + '/stat', 'utf8').split(') ')[1].split(' ')[0]; } catch {}
      try { wchan = readFileSync('/proc/' + pid + '/task/' + t + '/wchan', 'utf8') || '0'; } catch {}
      try { name = readFileSync('/proc/' + pid + '/task/' + t + '/comm', 'utf8').trim(); } catch {}
      return t + ' ' + name + ' ' + state + ' ' + wchan;
    }).join('; ');
  } catch { return '?'; }
};
let stall = null;
let tick = now();
let prev = [beats[0], beats[1]];
setInterval(() => {
  const lastWall = beats[0], lastMono = beats[1];
  // The watchdog's own tick late: the whole process (or machine) stood, not only the event loop.
  const own = now() - tick - 1000;
  tick = now();
  if (own > 5000) write('the watchdog itself stood ' + (own / 1000).toFixed(1) + ' s: the process or the machine was paused');
  // A wall clock that moves apart from the monotonic one between two beats: a step of the clock.
  if (lastMono !== prev[1]) {
    const skew = (lastWall - prev[0]) - (lastMono - prev[1]);
    if (Math.abs(skew) > 2000) write('the wall clock jumped ' + (skew / 1000).toFixed(1) + ' s against the monotonic clock');
    prev = [lastWall, lastMono];
  }
  const late = now() - lastMono;
  if (late > stallMs && !stall) {
    stall = { since: lastMono, wall: lastWall, cpu: cpuTicks() };
    write('event loop still for ' + Math.round(late / 1000) + ' s; threads: ' + threads());
    try {
      const bt = execFileSync('gdb', ['-p', String(pid), '-batch', '-ex', 'thread apply all bt 30'], { encoding: 'utf8', timeout: 60000, stdio: ['ignore', 'pipe', 'pipe'] });
      write('native stacks:\\n' + bt.split('\\n').filter((l) => /^(Thread|#)/.test(l)).join('\\n'));
    } catch (e) { write('no native stacks (' + String(e && e.code || e) + ')'); }
  } else if (stall && late < 2000) {
    const stood = (lastMono - stall.since) / 1000;
    const wallMoved = (lastWall - stall.wall) / 1000;
    const cpu = (cpuTicks() - stall.cpu) / 100;
    write('event loop moved again after ' + stood.toFixed(1) + ' s (wall clock moved ' + wallMoved.toFixed(1) + ' s; process CPU since the stall was noticed ' + cpu.toFixed(1) + ' s)');
    stall = null;
  }
}, 1000);
`;
