// Two workstations of one agency sharing its incoming register through a real agency server (the
// "Chờ cấp số" tests, and its outgoing registers): A made the profile and is the registers' home; B is a
// copy of it with a workstation id of its own. Each signs its rounds with its văn thư's software key.
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { Desk } from '../../main/core/desk';
import type { NumberingPreset } from '../../common/domain';
import type { Actor } from '../../main/core/org/rights';
import { actorFor, getUser } from '../../main/core/org/users';
import { NumberClient } from '../../main/core/sync/numbers/NumberClient';
import { SyncService } from '../../main/core/sync/SyncService';
import { takeNewWorkstationId } from '../../main/core/sync/workstation';
import { startServer, type RunningServer } from '../../server/app';
import type { ServerConfig } from '../../server/config';
import { startAgencyServer, type AgencyPki, type AgencyServerOptions, type Backend } from './agencyServer';
import { newDesk, softIdentity, tempDir } from './desk';
import type { TestPostgres } from './postgres';
import { softKey } from './softKey';

export interface Station { name: string; dir: string; desk: Desk; clerk: Actor; sync: SyncService; numbers: NumberClient; person: string }

export interface SharedRegister {
  /** The agency server as it runs now. */
  server(): RunningServer;
  readonly url: string;
  transport(): { url: string; caPem: string; timeoutMs: number };
  /** A then B; `reopen` replaces one. */
  readonly stations: Station[];
  A(): Station;
  B(): Station;
  /** The server started again on the same port and store. */
  startServer(): Promise<void>;
  /** startServer, then each station on a new connection (a socket of the stopped server would hang up, ending a round as an outage). */
  restart(): Promise<void>;
  /** Station `i` opened again from its folder (its process was killed), unlocked and connected. */
  reopen(i: 0 | 1): Promise<Station>;
  close(st: Station): void;
}

const quiet = { log: () => {} };

/**
 * The server (the văn thư `vanthu1` and `vanthu2`, both cleared to Tuyệt mật, plus `extraPeople`) and
 * the two stations. Everything made is undone by the functions pushed on `cleanups`.
 */
export async function sharedRegister(o: {
  backend: Backend; pg: TestPostgres; pki: AgencyPki; prefix: string; cleanups: Array<() => unknown>;
  extraPeople?: AgencyServerOptions['people'];
  /** The profile's numbering preset (default: state). */
  preset?: NumberingPreset;
  /** Runs on A's profile before it is copied (people, registers: B then holds the same ones). */
  prepare?: (desk: Desk, admin: Actor) => Promise<void>;
  /** The stations' request timeout (default 5 s): a test that must not take a slow answer for an outage sets more. */
  timeoutMs?: number;
}): Promise<SharedRegister> {
  const { pki, cleanups } = o;
  const tmp = tempDir(`${o.prefix}-${o.backend}-`);
  cleanups.push(tmp.cleanup);
  let server = await startAgencyServer({
    backend: o.backend, ...(o.backend === 'postgres' ? { pg: o.pg } : {}), dir: join(tmp.dir, 'server'), pki, logger: quiet,
    people: [
      ...['vanthu1', 'vanthu2'].map((p) => ({ person: `p-${p}`, role: 'van_thu' as const, clearance: 'tuyet_mat' as const, certificates: [pki.person(p).certPath] })),
      ...(o.extraPeople ?? []),
    ],
  });
  const config: ServerConfig = server.config;
  config.listen.port = server.port;
  const url = `https://localhost:${server.port}`;
  cleanups.push(() => server.close().catch(() => undefined));

  const transport = () => ({ url, caPem: pki.ca.certPem, timeoutMs: o.timeoutMs ?? 5_000 });
  const connect = (st: Pick<Station, 'desk' | 'person'>): Pick<Station, 'sync' | 'numbers'> => {
    const key = softKey(pki.person(st.person).certDer, pki.person(st.person).keyPem);
    const sync = new SyncService(st.desk, { transport: transport(), signer: () => key, clearance: 'tuyet_mat' });
    const numbers = new NumberClient(sync.client);
    st.desk.incoming.numbering = numbers;
    st.desk.outgoing.numbering = numbers;
    return { sync, numbers };
  };
  const open = async (name: string, dir: string, person: string, adminId: number, copied: boolean): Promise<Station> => {
    const desk = await Desk.open({ profileDir: dir });
    await desk.unlock(softIdentity());
    // A copied profile is another workstation: its own id before it signs in.
    if (copied) takeNewWorkstationId(desk.db, new Date());
    return { name, dir, person, desk, clerk: actorFor(getUser(desk.db, adminId)!), ...connect({ desk, person }) };
  };
  const close = (st: Station) => { st.sync.close(); st.desk.close(); };

  const env = await newDesk(o.preset ?? 'state');
  cleanups.push(env.cleanup);
  await o.prepare?.(env.desk, env.admin);
  env.desk.close();
  const copy = tempDir(`${o.prefix}-${o.backend}-b-`);
  cleanups.push(copy.cleanup);
  cpSync(env.dir, copy.dir, { recursive: true });
  const stations = [await open('A', env.dir, 'vanthu1', env.admin.id, false), await open('B', copy.dir, 'vanthu2', env.admin.id, true)];
  cleanups.push(() => { for (const st of stations) try { close(st); } catch { /* closed */ } });
  const startAgain = async () => { server = Object.assign(await startServer(config, { logger: quiet }), { config, configFile: server.configFile }); };
  return {
    server: () => server, url, transport, stations, A: () => stations[0]!, B: () => stations[1]!, close,
    startServer: startAgain,
    async restart() {
      await startAgain();
      for (const st of stations) {
        st.sync.close();
        Object.assign(st, connect(st));
      }
    },
    async reopen(i) {
      const st = stations[i]!;
      stations[i] = await open(st.name, st.dir, st.person, env.admin.id, false);
      return stations[i]!;
    },
  };
}
