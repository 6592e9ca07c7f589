// What the numbering routes know of the agency's registers without reading any ciphertext: the base
// channel travels in clear (people, units, registers, closed years), so its events are read as they
// are stored (in the batch's transaction) and two facts kept: each register's lowest level (the
// clearance the core asks of whoever registers into it) and its closed years. Anyone of the agency may
// push a base event, so a fact only ever tightens: a register's level never goes down here and a
// closed year never reopens (a forged event can refuse numbers, never hand them out).
import { SECRECY_LEVELS, secrecyRank, type Secrecy } from '../../common/domain';
import type { Kysely, Transaction } from 'kysely';
import type { ServerDatabase } from './schema';

type Db = Kysely<ServerDatabase> | Transaction<ServerDatabase>;

/** The closed years of the secret registers (closed together with the Sổ đăng ký BMNN đến). */
export const SECRET_INCOMING = 'secret-incoming';

interface BaseEvent { entity?: unknown; entityId?: unknown; kind?: unknown; data?: unknown }

/** A stored base batch's events (validated as a JSON array when it was pushed). */
export function parseEvents(payload: Buffer | Uint8Array): BaseEvent[] {
  try {
    const v = JSON.parse(Buffer.from(payload).toString('utf8')) as unknown;
    return Array.isArray(v) ? (v as BaseEvent[]) : [];
  } catch {
    return [];
  }
}

/** The lowest level a register's `secrecy` column names, or null when it names none. */
function lowestRank(secrecy: unknown): number | null {
  let levels: unknown = secrecy;
  if (typeof secrecy === 'string') {
    try {
      levels = JSON.parse(secrecy);
    } catch {
      return null;
    }
  }
  if (!Array.isArray(levels)) return null;
  const ranks = levels.filter((l): l is Secrecy => (SECRECY_LEVELS as readonly unknown[]).includes(l)).map(secrecyRank);
  return ranks.length > 0 ? Math.min(...ranks) : null;
}

const isYear = (y: unknown): y is number => typeof y === 'number' && Number.isInteger(y) && y >= 1900 && y <= 9999;

/** Who pushed a batch, and when it was stored: the home of a register it creates. */
export interface BatchPusher { workstation: string; person: string; at: string }

/**
 * Keeps the register facts a batch of base events carries. A register's creation also names its home
 * (docs/server.md, "Numbering authority"): the workstation that pushed the creation, which made it
 * (a workstation pushes only its own events), unless a home was named before. Nobody else can name
 * himself first: a register's global id is known to others only once its creation is here.
 */
export async function noteRegisterFacts(db: Db, events: readonly BaseEvent[], pusher: BatchPusher | null = null): Promise<void> {
  for (const e of events) {
    if (e.kind !== 'create' && e.kind !== 'update') continue;
    const data = (e.data && typeof e.data === 'object' ? e.data : {}) as Record<string, unknown>;
    if (e.entity === 'registers' && typeof e.entityId === 'string' && e.kind === 'create' && pusher) {
      await db.insertInto('register_homes').values({ register_gid: e.entityId, workstation: pusher.workstation, named_by: pusher.person, named_at: pusher.at })
        .onConflict((oc) => oc.column('register_gid').doNothing()).execute();
    }
    if (e.entity === 'registers' && typeof e.entityId === 'string') {
      const rank = lowestRank(data.secrecy);
      if (rank === null) continue;
      await db.insertInto('number_registers').values({ register_gid: e.entityId, min_rank: rank })
        .onConflict((oc) => oc.column('register_gid').doUpdateSet({ min_rank: rank }).where('number_registers.min_rank', '<', rank))
        .execute();
    } else if (e.entity === 'register_years' && typeof data.register_id === 'string' && isYear(data.year)) {
      await closeYear(db, data.register_id, data.year);
    } else if (e.entity === 'secret_register_years' && data.kind === 'secret_incoming' && isYear(data.year)) {
      await closeYear(db, SECRET_INCOMING, data.year);
    }
  }
}

async function closeYear(db: Db, register: string, year: number): Promise<void> {
  await db.insertInto('number_closed_years').values({ register_gid: register, year })
    .onConflict((oc) => oc.columns(['register_gid', 'year']).doNothing()).execute();
}

/** The register's facts for a check: the clearance rank it takes (0 when the server has not heard of it) and whether the year is closed. */
export async function registerFacts(db: Db, register: string, year: number | null): Promise<{ known: boolean; minRank: number; yearClosed: boolean }> {
  const r = await db.selectFrom('number_registers').select('min_rank').where('register_gid', '=', register).executeTakeFirst();
  const minRank = r ? Number(r.min_rank) : 0;
  let yearClosed = false;
  if (year !== null) {
    const names = minRank > 0 ? [register, SECRET_INCOMING] : [register];
    yearClosed = (await db.selectFrom('number_closed_years').select('year').where('register_gid', 'in', names).where('year', '=', year).executeTakeFirst()) !== undefined;
  }
  return { known: r !== undefined, minRank, yearClosed };
}
