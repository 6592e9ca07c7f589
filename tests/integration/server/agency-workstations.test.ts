// The agency's workstations for an administrator, through the IPC router, the core and a real agency
// server (SQLite, HTTPS on loopback; the listing's storage on both backends is in server.test.ts): the
// list as the server knows it; declaring one lost with a reason, audited; refused in the core for a
// person without the right (before the server is asked), for bad input and for this workstation
// itself; refused by the server when the person who signed in there is not its administrator. Every
// request goes out on the session the signed-in person's own key opened (a real signed nonce).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { AgencyWorkstationView, WorkstationLostResult } from '../../../common/contract';
import type { Db } from '../../../main/core/db/connection';
import { workstationId } from '../../../main/core/events/eventLog';
import { SessionGuard } from '../../../main/core/session/guard';
import { TokenService } from '../../../main/core/session/tokens';
import { AgencyWorkstations } from '../../../main/core/sync/agencyWorkstations';
import { PacketClient } from '../../../main/core/sync/packets/PacketClient';
import { ServerClient } from '../../../main/core/sync/ServerClient';
import { SyncService } from '../../../main/core/sync/SyncService';
import { TransportError } from '../../../main/core/sync/transport';
import { createRouter, type Router } from '../../../main/ipc/router';
import type { RunningServer } from '../../../server/app';
import { TokenBridge } from '../../../native/bridge/client';
import { agencyPki, startAgencyServer, type AgencyPki } from '../../helpers/agencyServer';
import { newDesk, tempDir } from '../../helpers/desk';
import { addPerson } from '../../helpers/people';
import { softKey } from '../../helpers/softKey';
import { openWorkstation } from '../../helpers/workstation';
import type { TokenIdentity } from '../../../main/core/vault/ProfileVault';

let pki: AgencyPki;
let server: RunningServer;
let env: Awaited<ReturnType<typeof newDesk>>;
let guard: SessionGuard;
let adminIdentity: TokenIdentity;
let otherDb: Db;
let other: ServerClient;
const cleanups: Array<() => unknown> = [];

/** The router with the agency sync as the app attaches it at sign-in: a server session opened with `person`'s key. */
function routerSignedInAs(person: 'quantri' | 'vanthu'): Router {
  const key = softKey(pki.person(person).certDer, pki.person(person).keyPem);
  const service = new SyncService(env.desk, { transport: { url: server.url, caPem: pki.ca.certPem, timeoutMs: 10_000 }, signer: () => key, clearance: 'mat' });
  cleanups.push(() => service.close());
  const workstations = new AgencyWorkstations(env.desk, new PacketClient({ db: env.desk.db, server: service.client }));
  return createRouter({ desk: env.desk, guard, attachmentUrl: (t) => t, sync: () => ({ service, server: server.url, running: true, exchange: null, workstations }) });
}

const ok = <T>(r: Awaited<ReturnType<Router>>): T => {
  assert.ok(r.ok, JSON.stringify(r));
  return r.value as T;
};
const refusal = (r: Awaited<ReturnType<Router>>) => {
  assert.ok(!r.ok, `not refused: ${JSON.stringify(r)}`);
  return r.error;
};
const audits = () => env.desk.db.prepare("SELECT outcome, reason, details FROM audit_log WHERE action = 'exchange.workstationLost' ORDER BY id").all() as Array<{ outcome: string; reason: string | null; details: string }>;

before(async () => {
  const tmp = tempDir('securedesk-agency-ws-');
  cleanups.push(tmp.cleanup);
  pki = await agencyPki(['quantri', 'vanthu']);
  cleanups.push(() => pki.pki.cleanup());
  server = await startAgencyServer({
    backend: 'sqlite', dir: join(tmp.dir, 'server'), pki, logger: { log: () => {} },
    people: [
      { person: 'p-quantri', role: 'quan_tri', clearance: 'mat', certificates: [pki.person('quantri').certPath] },
      { person: 'p-vanthu', role: 'van_thu', clearance: 'mat', certificates: [pki.person('vanthu').certPath] },
    ],
  });
  cleanups.push(() => server.close());
  env = await newDesk('party');
  cleanups.push(() => env.cleanup());
  guard = new SessionGuard(env.desk, new TokenService(new TokenBridge(), async () => []));
  cleanups.push(() => guard.close());
  adminIdentity = (await addPerson(env.desk, { fullName: 'Trần Quản Trị', role: 'quan_tri', clearance: 'mat', position: 'Quản trị hệ thống' })).identity;
  // Another workstation of the agency: the văn thư signs in from it (the server records its contact).
  mkdirSync(join(tmp.dir, 'other'));
  otherDb = openWorkstation(join(tmp.dir, 'other'), []);
  const vanThuKey = softKey(pki.person('vanthu').certDer, pki.person('vanthu').keyPem);
  other = new ServerClient({
    db: otherDb, transport: { url: server.url, caPem: pki.ca.certPem, timeoutMs: 10_000 }, signer: () => vanThuKey, channels: () => [],
    keys: { current: () => null, byId: () => null }, apply: () => {},
  });
  cleanups.push(() => { other.close(); otherDb.close(); });
  assert.equal((await other.request('GET', '/v1/directory')).status, 200);
  env.desk.lock('manual');
});

after(async () => {
  for (const c of cleanups.reverse()) {
    try {
      await c();
    } catch { /* closed */ }
  }
});

describe('the agency\'s workstations for an administrator', () => {
  test('a văn thư is refused in the core: neither the list nor a declaration reaches the server', async () => {
    await env.desk.unlock(env.identity);
    const call = routerSignedInAs('vanthu');
    const before = (await server.store.workstations()).length;
    assert.equal(refusal(await call('sync.workstations', {})).code, 'FORBIDDEN');
    const e = refusal(await call('sync.declareLost', { workstation: workstationId(otherDb), reason: 'Máy bị mất cắp' }));
    assert.equal(e.code, 'FORBIDDEN');
    assert.equal((await server.store.workstations()).length, before, 'this workstation never signed in to the server');
    assert.deepEqual(audits(), []);
    await env.desk.verdict(); // refusals are written once the profile is known writable
    const refused = env.desk.db.prepare("SELECT details FROM audit_log WHERE action = 'request.refused' AND reason = 'FORBIDDEN'").pluck().all() as string[];
    assert.deepEqual(refused.map((d) => (JSON.parse(d) as { channel: string }).channel), ['sync.workstations', 'sync.declareLost']);
    env.desk.lock('manual');
  });

  test('the administrator lists the workstations as the server knows them: this one marked, the other with its person and contact', async () => {
    await env.desk.unlock(adminIdentity);
    const rows = ok<AgencyWorkstationView[]>(await routerSignedInAs('quantri')('sync.workstations', {}));
    const byId = new Map(rows.map((r) => [r.id, r]));
    const self = byId.get(workstationId(env.desk.db));
    const theOther = byId.get(workstationId(otherDb));
    assert.deepEqual([self?.self, self?.lastPerson, self?.lost], [true, 'p-quantri', null]);
    assert.deepEqual([theOther?.self, theOther?.lastPerson, theOther?.lost], [false, 'p-vanthu', null]);
    assert.ok(theOther?.lastSeen && !Number.isNaN(Date.parse(theOther.lastSeen)));
    assert.equal(rows.length, 2);
    env.desk.lock('manual');
  });

  test('bad input, and this workstation itself, are refused in the core; nothing is declared', async () => {
    await env.desk.unlock(adminIdentity);
    const call = routerSignedInAs('quantri');
    const ws = workstationId(otherDb);
    for (const input of [
      { workstation: ws, reason: 'hư' }, { workstation: ws, reason: '     ' }, { workstation: '../admin', reason: 'Máy bị mất cắp' },
      { workstation: ws, reason: 'x'.repeat(501) }, { workstation: ws, reason: 'Máy bị mất cắp', by: 'p-quantri' }, { reason: 'Máy bị mất cắp' },
    ]) assert.equal(refusal(await call('sync.declareLost', input)).code, 'VALIDATION', JSON.stringify(input).slice(0, 80));
    assert.equal(refusal(await call('sync.declareLost', { workstation: ws, reason: 'hư' })).key, 'exchange.lostReasonShort');
    assert.equal(refusal(await call('sync.declareLost', { workstation: workstationId(env.desk.db), reason: 'Máy bị mất cắp' })).key, 'exchange.lostSelf');
    assert.deepEqual(audits(), []);
    const rows = ok<AgencyWorkstationView[]>(await call('sync.workstations', {}));
    assert.ok(rows.every((r) => r.lost === null));
    env.desk.lock('manual');
  });

  test('the server refuses an administrator here who signed in there as a văn thư; the refusal is audited', async () => {
    await env.desk.unlock(adminIdentity);
    const call = routerSignedInAs('vanthu');
    const e = refusal(await call('sync.declareLost', { workstation: workstationId(otherDb), reason: 'Máy bị mất cắp' }));
    assert.deepEqual([e.code, e.key], ['FORBIDDEN', 'sync.adminRefused']);
    assert.equal(refusal(await call('sync.workstations', {})).key, 'sync.adminRefused');
    assert.deepEqual(audits().map((a) => [a.outcome, a.reason]), [['failed', 'forbidden']]);
    assert.equal((await other.request('GET', '/v1/directory')).status, 200, 'the other workstation still works');
    env.desk.lock('manual');
  });

  test('the administrator declares the other workstation lost: recorded by the server, audited with the reason, listed as lost; it is refused from then on', async () => {
    await env.desk.unlock(adminIdentity);
    const call = routerSignedInAs('quantri');
    const ws = workstationId(otherDb);
    const r = ok<WorkstationLostResult>(await call('sync.declareLost', { workstation: ws, reason: '  Máy trạm bị mất cắp tại phòng văn thư  ' }));
    assert.deepEqual({ ...r, declaredAt: '' }, { workstation: ws, declaredBy: 'p-quantri', reason: 'Máy trạm bị mất cắp tại phòng văn thư', declaredAt: '', released: 0 });
    const last = audits().at(-1)!;
    assert.equal(last.outcome, 'ok');
    assert.deepEqual(JSON.parse(last.details), { workstation: ws, reason: 'Máy trạm bị mất cắp tại phòng văn thư', released: [], declaredAt: r.declaredAt });
    const rows = ok<AgencyWorkstationView[]>(await call('sync.workstations', {}));
    assert.deepEqual(rows.find((x) => x.id === ws)?.lost, { declaredBy: 'p-quantri', reason: 'Máy trạm bị mất cắp tại phòng văn thư', declaredAt: r.declaredAt });
    assert.equal(rows.find((x) => x.self)?.lost, null);
    await assert.rejects(other.request('GET', '/v1/directory').then((res) => {
      if (res.status !== 200) throw new TransportError('refused', res.status, 'http');
    }), (e: unknown) => e instanceof TransportError && e.status === 403);
    env.desk.lock('manual');
  });

  test('without an agency server the channels say so', async () => {
    await env.desk.unlock(adminIdentity);
    const alone = createRouter({ desk: env.desk, guard, attachmentUrl: (t) => t });
    assert.equal(refusal(await alone('sync.workstations', {})).key, 'sync.notConfigured');
    env.desk.lock('manual');
  });
});
