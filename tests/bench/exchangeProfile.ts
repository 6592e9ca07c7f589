// Sums the CPU profiles of the exchange bench's processes (BENCH_EXCHANGE_PROF=DIR) over one side's timed
// rounds (DIR/windows.json, written by exchangeProcesses.ts): per party, the self time of the hottest
// functions and the time under each nearest project frame (what our code spends, natives included).
//   node --import tsx tests/bench/exchangeProfile.ts DIR [ours|raw] [top]
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Node { id: number; parent?: number; children?: number[]; callFrame: { functionName: string; url: string; lineNumber: number } }
interface Profile { nodes: Node[]; startTime: number; samples: number[]; timeDeltas: number[] }

const [dir, side = 'ours', topArg = '20'] = process.argv.slice(2);
if (!dir) throw new Error('usage: exchangeProfile.ts DIR [ours|raw] [top]');
const top = Number(topArg);
const focus = process.env.EXCHANGE_PROF_FOCUS;
const windows = (JSON.parse(readFileSync(join(dir, 'windows.json'), 'utf8')) as Array<{ side: string; startUs: number; endUs: number }>).filter((w) => w.side === side);
const inWindow = (t: number) => windows.some((w) => t >= w.startUs && t <= w.endUs);
const project = /\/(main|server|common|packages|tests)\/[^/]+/;
const short = (url: string) => url.replace(/^file:\/\//, '').replace(/^.*?\/((main|server|common|packages|tests)\/)/, '$1').split('/').slice(-2).join('/');

for (const party of readdirSync(dir).filter((d) => !d.endsWith('.json')).sort()) {
  // The party's own thread: the profile with samples in the window (the other is tsx's loader).
  const profiles = readdirSync(join(dir, party)).map((f) => JSON.parse(readFileSync(join(dir, party, f), 'utf8')) as Profile);
  const self = new Map<string, number>();
  const under = new Map<string, number>();
  const focused = new Map<string, number>();
  let busy = 0;
  for (const p of profiles) {
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    let t = p.startTime;
    for (let i = 0; i < p.samples.length; i++) {
      t += p.timeDeltas[i]!;
      const dt = p.timeDeltas[i + 1] ?? 0;
      if (!inWindow(t)) continue;
      const n = byId.get(p.samples[i]!)!;
      const f = n.callFrame;
      if (f.functionName === '(idle)') continue;
      busy += dt;
      const k = `${f.functionName || '(anon)'} ${short(f.url)}:${f.lineNumber + 1}`;
      self.set(k, (self.get(k) ?? 0) + dt);
      let a: Node | undefined = n;
      while (a && !project.test(a.callFrame.url)) a = byId.get(parent.get(a.id) ?? -1);
      const u = a ? `${a.callFrame.functionName || '(anon)'} ${short(a.callFrame.url)}:${a.callFrame.lineNumber + 1}` : `(no project frame) ${f.functionName || '(anon)'}`;
      under.set(u, (under.get(u) ?? 0) + dt);
      // EXCHANGE_PROF_FOCUS=text: the self time below the project frames whose name holds it.
      if (focus && u.includes(focus)) focused.set(k, (focused.get(k) ?? 0) + dt);
    }
  }
  const list = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, v]) => `    ${(v / 1000).toFixed(1).padStart(7)} ms  ${k}`).join('\n');
  console.log(`== ${party}: ${(busy / 1000).toFixed(0)} ms busy in ${side}'s rounds\n  self:\n${list(self)}\n  under the nearest project frame:\n${list(under)}${focus ? `\n  self below "${focus}":\n${list(focused)}` : ''}`);
}
