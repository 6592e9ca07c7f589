// Issue 7 diagnosis: the CPU of the Mật person's cold first page over Thường + Mật against the same
// over Thường alone, on bare keyed connections of a kept profile. The benchmark's own cold figure
// (firstPage.ts) is wall time on a fresh Desk, while the integrity checks start on three worker
// threads of the same process, so neither process.cpuUsage (it counts those threads) nor one wall
// sample isolates the page's own work. Here nothing else runs in the process: each round opens the
// base with the data key, attaches the two compartments with their level keys (attachCompartment,
// as unlock does), prepares the first screens' statements (prepareListStatements, as unlock does;
// the single side also for its one arm, as firstPage.ts does), then times the first listIncoming
// (cold: a new connection's empty page cache) and a second one (warm). The two sides take turns
// going first.
//
//   node --import tsx tests/bench/coldPageCpu.ts DIR [ROUNDS] [split]
//
// DIR is a profile kept by `npm run bench -- --keep DIR`; `split` also times each statement.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { attachCompartment, createViews } from '../../main/core/compartments/attach';
import { openLevelKeyring, type LevelKey } from '../../main/core/compartments/keyrings';
import { compartmentFile, levelKeyringFile, schemaOf, type Level } from '../../main/core/compartments/levels';
import { openKeyed as openCoreKeyed } from '../../main/core/db/keying';
import { listIncoming, prepareListStatements } from '../../main/core/documents/incoming';
import { actorFor, getUser } from '../../main/core/org/users';
import { registerRoles } from '../../main/core/org/registerPolicy';
import { DB_NAME, MAT_IDENTITY_FILE, profileHexKey, storedIdentity } from './session';

const dir = process.argv[2];
if (!dir) throw new Error('usage: coldPageCpu.ts DIR [ROUNDS] [split]');
const rounds = Number(process.argv[3] ?? 20);
const split = process.argv[4] === 'split';
const { matUserId } = (JSON.parse(readFileSync(join(dir, 'bench-profile.json'), 'utf8')) as { meta: { matUserId: number } }).meta;
const identity = storedIdentity(dir, MAT_IDENTITY_FILE);
if (!identity) throw new Error(`${dir} holds no ${MAT_IDENTITY_FILE}`);
const input = { sort: { field: 'arrival' as const, dir: 'desc' as const }, offset: 0, limit: 100 };
/** This process's CPU in ms (no other thread runs here). */
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const f = (x: number) => x.toFixed(3);

async function main(): Promise<void> {
  const hexKey = await profileHexKey(dir!, identity!);
  const keys: LevelKey[] = [];
  for (const level of ['thuong', 'mat'] as Level[]) keys.push(await openLevelKeyring(levelKeyringFile(dir!, level), level, identity!.unlockKeys[0]!));
  const sides = { held: { cold: [] as number[], warm: [] as number[] }, single: { cold: [] as number[], warm: [] as number[] } };
  const parts = new Map<string, number[]>();
  for (let r = 0; r < rounds; r++) {
    for (const single of r % 2 === 0 ? [false, true] : [true, false]) {
      const { db } = openCoreKeyed(join(dir!, DB_NAME), hexKey, { readonly: true });
      try {
        db.pragma('query_only = OFF'); // the temporary views, as the vault makes them
        for (const k of keys) attachCompartment(db, compartmentFile(dir!, k.level), k);
        createViews(db, keys.map((k) => schemaOf(k.level)));
        const actor = actorFor(getUser(db, matUserId)!, registerRoles(db));
        const held = keys.map((k) => ({ schema: schemaOf(k.level), level: k.level }));
        const arms = single ? [held[0]!] : held;
        const now = new Date();
        prepareListStatements(db, held, actor, now);
        if (single) prepareListStatements(db, arms, actor, now);
        const proto = Object.getPrototypeOf(db.prepare('SELECT 1')) as Record<'all' | 'get', (...a: unknown[]) => unknown>;
        const originals = { all: proto.all, get: proto.get };
        if (split) {
          for (const m of ['all', 'get'] as const) {
            proto[m] = function (this: { source: string }, ...a: unknown[]) {
              const c0 = cpu();
              try {
                return originals[m].apply(this, a);
              } finally {
                const key = `${single ? 'single' : 'held'} ${m} ${this.source.replace(/\s+/g, ' ').slice(0, 60)}`;
                parts.set(key, [...(parts.get(key) ?? []), cpu() - c0]);
              }
            };
          }
        }
        const c0 = cpu();
        listIncoming(db, arms, actor, input, now);
        const c1 = cpu();
        Object.assign(proto, originals);
        listIncoming(db, arms, actor, input, now);
        const c2 = cpu();
        const side = single ? sides.single : sides.held;
        side.cold.push(c1 - c0);
        side.warm.push(c2 - c1);
      } finally {
        db.close();
      }
    }
  }
  const [h, s] = [sides.held, sides.single];
  process.stdout.write(`${JSON.stringify({
    rounds,
    coldCpuMs: { held: f(median(h.cold)), single: f(median(s.cold)), ratio: (median(h.cold) / median(s.cold)).toFixed(2) },
    warmCpuMs: { held: f(median(h.warm)), single: f(median(s.warm)), ratio: (median(h.warm) / median(s.warm)).toFixed(2) },
    ...(split ? { coldStatementsCpuMs: Object.fromEntries([...parts].map(([k, v]) => [k, f(median(v))])) } : {}),
  }, null, 2)}\n`);
}

void main();
