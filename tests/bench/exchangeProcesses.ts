// The exchange benchmark with each party in a process of its own (exchangeParty.ts): the hub, agency
// servers A and B, A's workstation and B's workstation, as in deployment (five machines). The raw
// relays run in the same processes, each hop in the process of the party it stands for (A's
// workstation sends, A's server, the hub and B's server forward, B's workstation is the sink), so both
// sides have the same topology and the machine's cores. Both sides are warmed up (one packet through:
// TLS sessions, the directory) before the rounds; ours and raw alternate, the best round of each kept.
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { NetworkPki } from '../helpers/network';
import { readdressed } from '../helpers/network';
import { ms, progress } from './stats';

export interface ProcessTopologyFigures {
  oursSeconds: number[];
  rawSeconds: number[];
  /** CPU seconds (user + system) of the five processes during each round, per side. */
  oursCpuSeconds: number[];
  rawCpuSeconds: number[];
  /** CPU seconds per party over the ours rounds and the raw rounds, and of that the kernel's (system). */
  cpuByParty: Record<string, { ours: number; raw: number; oursSystem: number; rawSystem: number }>;
  /**
   * CPU seconds per party over one second with nothing to send, B's workstation syncing as in `receive`
   * (a long poll since 2026-12-06; 20 ms polls before) and the agency servers' hub links waiting: what
   * ours spends on waiting, charged to each round.
   */
  idleCpuByParty: Record<string, number>;
}

const CHILD = fileURLToPath(new URL('./exchangeParty.ts', import.meta.url));

class Party {
  private next = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly ready: Promise<unknown>;

  constructor(readonly name: string, readonly child: ChildProcess) {
    this.ready = new Promise((resolve, reject) => this.waiting.set(0, { resolve, reject }));
    child.on('message', (m: { id: number; result?: unknown; error?: string }) => {
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (m.error) w?.reject(new Error(`${name}: ${m.error}`));
      else w?.resolve(m.result);
    });
    child.on('exit', (code) => {
      for (const w of this.waiting.values()) w.reject(new Error(`${name} exited (${code})`));
      this.waiting.clear();
    });
  }

  call<T = unknown>(op: string, args: Record<string, unknown> = {}): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, op, ...args });
    });
  }
}

function spawnParty(name: string): Party {
  // BENCH_EXCHANGE_PROF=DIR: CPU profiles of each party's threads in DIR/<party>/ (written when it exits;
  // the main thread's is the one with the party's work, the other is tsx's module loader).
  const prof = process.env.BENCH_EXCHANGE_PROF ? ['--cpu-prof', '--cpu-prof-dir', join(process.env.BENCH_EXCHANGE_PROF, name)] : [];
  const child = fork(CHILD, [], { execArgv: ['--import', 'tsx', ...prof], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Party(name, child);
}

const cpuSeconds = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;

/**
 * With BENCH_EXCHANGE_PROF: the timed windows of each side on the monotonic clock in µs (the clock of
 * --cpu-prof's timestamps, shared by the processes), in DIR/windows.json, so a profile can be cut to
 * ours' rounds or raw's (tests/bench/exchangeProfile.ts).
 */
const windows: Array<{ side: 'ours' | 'raw'; startUs: number; endUs: number }> = [];
const nowUs = () => Number(process.hrtime.bigint() / 1000n);

export async function measureProcessTopology(n: NetworkPki, dir: string, sealed: Buffer, packets: Array<{ packetId: string; bytes: Buffer }>): Promise<ProcessTopologyFigures> {
  const names = ['hub', 'serverA', 'serverB', 'wsA', 'wsB'] as const;
  const p = Object.fromEntries(names.map((k) => [k, spawnParty(k)])) as Record<(typeof names)[number], Party>;
  const all = Object.values(p);
  const usage = async () => Object.fromEntries(await Promise.all(all.map(async (x) => [x.name, await x.call<NodeJS.CpuUsage>('cpu')] as const))) as Record<string, NodeJS.CpuUsage>;
  const cpu = async () => Object.fromEntries(Object.entries(await usage()).map(([k, u]) => [k, cpuSeconds(u)])) as Record<string, number>;
  const plain = (list: Array<{ packetId: string; bytes: Buffer }>) => list.map((x) => ({ packetId: x.packetId, bytes: new Uint8Array(x.bytes) }));
  const out: ProcessTopologyFigures = { oursSeconds: [], rawSeconds: [], oursCpuSeconds: [], rawCpuSeconds: [], cpuByParty: Object.fromEntries(names.map((k) => [k, { ours: 0, raw: 0, oursSystem: 0, rawSystem: 0 }])), idleCpuByParty: {} };
  const account = (side: 'ours' | 'raw', before: Record<string, NodeJS.CpuUsage>, after: Record<string, NodeJS.CpuUsage>) => {
    let total = 0;
    for (const k of names) {
      const d = cpuSeconds(after[k]!) - cpuSeconds(before[k]!);
      const c = out.cpuByParty[k]!;
      c[side] = ms(c[side] + d);
      const sys = side === 'ours' ? 'oursSystem' : 'rawSystem';
      c[sys] = ms(c[sys] + (after[k]!.system - before[k]!.system) / 1e6);
      total += d;
    }
    (side === 'ours' ? out.oursCpuSeconds : out.rawCpuSeconds).push(ms(total));
  };
  try {
    await Promise.all(all.map((x) => x.ready));
    const { pki: _pki, ...plainPki } = n;
    await Promise.all(all.map((x) => x.call('init', { pki: plainPki })));
    // Ours: the hub, the two agency servers linked to it, a workstation at each.
    const hubPort = await p.hub.call<number>('hub', { dir: join(dir, 'hub') });
    const hubUrl = `https://localhost:${hubPort}`;
    const [aPort, bPort] = await Promise.all([
      p.serverA.call<number>('agency', { agency: 'A', dir: join(dir, 'A'), hubUrl }), p.serverB.call<number>('agency', { agency: 'B', dir: join(dir, 'B'), hubUrl }),
    ]);
    await p.wsA.call('workstation', { agency: 'A', dir: join(dir, 'wsA'), port: aPort });
    await p.wsB.call('workstation', { agency: 'B', dir: join(dir, 'wsB'), port: bPort });
    // Raw: sink ← B's relay ← the hub's relay ← A's relay ← A's workstation.
    const sink = await p.wsB.call<number>('rawSink');
    const rawB = await p.serverB.call<number>('rawRelay', { tls: 'server', mutual: true, next: sink, client: null });
    const rawHub = await p.hub.call<number>('rawRelay', { tls: 'hub', mutual: true, next: rawB, client: 'B' });
    const rawA = await p.serverA.call<number>('rawRelay', { tls: 'server', mutual: false, next: rawHub, client: 'A' });
    await p.wsA.call('rawSender', { next: rawA });
    // Warm-up, both sides: one packet through.
    const warm = readdressed(sealed, randomUUID());
    await p.wsB.call('arm');
    await Promise.all([p.wsA.call('warmSend', { packet: plain([warm])[0] }), p.wsB.call('warmReceive', { packetId: warm.packetId })]);
    await p.wsB.call('rawArm');
    await p.wsA.call('rawPrepare', { packets: plain([readdressed(sealed)]) });
    await Promise.all([p.wsA.call('rawSend'), p.wsB.call('rawWait', { count: 1 })]);

    const idleBefore = await cpu();
    await p.wsB.call('idle', { ms: 1000 });
    const idleAfter = await cpu();
    for (const k of names) out.idleCpuByParty[k] = ms(idleAfter[k]! - idleBefore[k]!);
    progress(`exchange (a process per party) idle second: CPU ${names.map((k) => `${k} ${out.idleCpuByParty[k]!.toFixed(3)} s`).join(', ')}`);

    for (let round = 0; round < 2; round++) {
      const batch = plain(packets.map((x) => readdressed(x.bytes)));
      await p.wsA.call('prepare', { packets: batch });
      await p.wsB.call('arm');
      let before = await usage();
      let t0 = performance.now();
      let us0 = nowUs();
      await Promise.all([p.wsA.call('send'), p.wsB.call('receive', { count: batch.length })]);
      windows.push({ side: 'ours', startUs: us0, endUs: nowUs() });
      out.oursSeconds.push(ms((performance.now() - t0) / 1000));
      account('ours', before, await usage());

      await p.wsA.call('rawPrepare', { packets: batch });
      await p.wsB.call('rawArm');
      before = await usage();
      t0 = performance.now();
      us0 = nowUs();
      await Promise.all([p.wsA.call('rawSend'), p.wsB.call('rawWait', { count: batch.length })]);
      windows.push({ side: 'raw', startUs: us0, endUs: nowUs() });
      out.rawSeconds.push(ms((performance.now() - t0) / 1000));
      account('raw', before, await usage());
      progress(`exchange (a process per party) round ${round + 1}: ours ${out.oursSeconds[round]!.toFixed(2)} s (CPU ${out.oursCpuSeconds[round]!.toFixed(2)} s), raw ${out.rawSeconds[round]!.toFixed(2)} s (CPU ${out.rawCpuSeconds[round]!.toFixed(2)} s)`);
    }
    return out;
  } finally {
    await Promise.allSettled(all.map((x) => x.call('close')));
    for (const x of all) x.child.disconnect();
    await Promise.all(all.map((x) => (x.child.exitCode === null ? new Promise((r) => x.child.once('exit', r)) : null)));
    if (process.env.BENCH_EXCHANGE_PROF) writeFileSync(join(process.env.BENCH_EXCHANGE_PROF, 'windows.json'), JSON.stringify(windows));
  }
}
