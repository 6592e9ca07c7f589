// The app's exchange rounds wake on the agency server's long poll (issue 9; docs/sync.md "Waking on
// arrivals"): the link as the app attaches it (attachAgencySync, the văn thư signed in with a SoftHSM
// token through the SessionGuard) with its timer set to 10 minutes. A packet agency B's workstation sends
// through B's server and the hub reaches A's exchange inbox long before the timer would have run a round;
// signing out and close() cancel the outstanding long poll at once (the server sees the request end, and
// nothing after); with A's server down the loop backs off instead of spinning. Real servers over HTTPS
// loopback (both agency servers and the hub on SQLite), a real profile, the real token bridge.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Desk } from '../../../main/core/desk';
import type { Logger } from '../../../main/core/log';
import { SessionGuard } from '../../../main/core/session/guard';
import { TokenService } from '../../../main/core/session/tokens';
import { attachAgencySync, type AgencySyncHandle } from '../../../main/core/sync/agencySync';
import { TokenBridge } from '../../../native/bridge/client';
import { moduleId } from '../../../native/modules/discovery';
import { startServer, type RunningServer } from '../../../server/app';
import type { ServerConfig } from '../../../server/config';
import type { RunningHub } from '../../../server/hub';
import { createSoftHsm, type SoftHsm } from '../../fixtures/softhsm/tokens';
import { tempDir } from '../../helpers/desk';
import { agencyConfig, clearPacket, CODES, hubConfig, networkPki, startAgency, startTestHub, waitFor, workstation, type NetworkPki, type TestWorkstation } from '../../helpers/network';

/** The rounds' timer in these tests: far beyond any bound below, so only the long poll can wake a round. */
const INTERVAL_MS = 10 * 60_000;
const quiet: Logger = { log: () => {} };

let n: NetworkPki;
let hsm: SoftHsm;
let hub: RunningHub;
let serverA: RunningServer;
let cfgA: ServerConfig;
let serverB: RunningServer;
let sender: TestWorkstation;
let desk: Desk;
let guard: SessionGuard;
const cleanups: Array<() => unknown> = [];

/** Requests A's server is handling, as its HTTPS server sees them (start, end, whether it answered). */
interface Seen { url: string; person: boolean; start: number; end: number | null; answered: boolean }
const seen: Seen[] = [];
const inboxWaits = () => seen.filter((s) => s.url.startsWith('/v1/packets/inbox?') && s.url.includes('waitMs='));
const outstanding = () => inboxWaits().filter((s) => s.end === null);
/** The sync log's long poll, held beside the inbox's (sync-longpoll.test.ts). */
const syncLogWaits = () => seen.filter((s) => s.url.startsWith('/v1/events/wait?') && s.end === null);

function watch(s: RunningServer): void {
  s.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const e: Seen = { url: req.url ?? '', person: !!req.headers.authorization, start: Date.now(), end: null, answered: false };
    seen.push(e);
    res.on('finish', () => { e.answered = true; });
    res.on('close', () => { e.end = Date.now(); });
  });
}

const ref = () => ({ moduleId: moduleId(hsm.modulePath), serial: hsm.tokens.userRsa.serial });
const signIn = () => guard.unlock(ref(), hsm.tokens.userRsa.pin);
const clerk = () => desk.session!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  const tmp = tempDir('securedesk-longpoll-');
  cleanups.push(tmp.cleanup);
  [hsm, n] = await Promise.all([createSoftHsm({ tokens: ['userRsa'] }), networkPki()]);
  cleanups.push(() => hsm.cleanup(), () => n.pki.cleanup());
  hub = await startTestHub(hubConfig(n, join(tmp.dir, 'hub')));
  cleanups.push(() => hub.close());
  const hubUrl = `https://localhost:${hub.port}`;
  serverB = await startAgency(agencyConfig(n, 'B', join(tmp.dir, 'B'), { backend: 'sqlite', hubUrl }));
  cleanups.push(() => serverB.close());
  // A's văn thư signs in to A's server with the certificate on their token (the token CA is trusted there).
  cfgA = agencyConfig(n, 'A', join(tmp.dir, 'A'), { backend: 'sqlite', hubUrl });
  const tokenCert = join(tmp.dir, 'van-thu-token.pem');
  writeFileSync(tokenCert, hsm.tokens.userRsa.keys[0]!.certPem);
  cfgA.trustAnchors.push(hsm.ca.certPath);
  cfgA.people.push({ person: 'A-van-thu-token', role: 'van_thu', clearance: 'tuyet_mat', certificates: [tokenCert] });
  serverA = await startServer(cfgA, { logger: quiet });
  cfgA.listen.port = serverA.port;
  watch(serverA);
  cleanups.push(() => serverA.close());
  sender = workstation(n, join(tmp.dir, 'ws-B'), serverB.port, n.agencies.B.vanThu);
  cleanups.push(() => sender.close());

  desk = await Desk.open({ profileDir: join(tmp.dir, 'profile-A'), trustAnchors: [hsm.ca.certDer, n.ca.certDer] });
  guard = new SessionGuard(desk, new TokenService(new TokenBridge({ env: hsm.env }), async () => [hsm.modulePath]));
  cleanups.push(() => guard.close());
  await guard.setup({
    unit: { name: 'Văn phòng Tỉnh ủy', code: CODES.A, preset: 'party' },
    admin: { fullName: 'Nguyễn Văn An', position: 'Văn thư', role: 'van_thu', clearance: 'tuyet_mat' },
  }, ref(), hsm.tokens.userRsa.pin);
  guard.lock('manual');
});

after(async () => {
  for (const c of cleanups.reverse()) {
    try { await c(); } catch { /* closed already */ }
  }
});

/** Until the waiting loop's long poll is held at A's server (the first round done, nothing new). */
const pollHeld = () => waitFor('a long poll held at the agency server', () => outstanding().length === 1, 30_000, 20);

/** The outstanding long poll ends within a second of `act`, unanswered, and no request follows. */
async function cancelsTheWait(act: () => void): Promise<void> {
  // The other rounds done first (a sync round's request already on its way when `act` runs reaches the
  // server after it: sent before, not after): the long polls open (the inbox's, the sync log's) and nothing
  // else, no new request, for 500 ms.
  let last = seen.length;
  let quietSince = Date.now();
  await waitFor('only the long polls at the server', () => {
    const polls = [...outstanding(), ...syncLogWaits()];
    if (seen.length !== last || outstanding().length !== 1 || syncLogWaits().length !== 1 || seen.some((s) => s.end === null && !polls.includes(s))) {
      last = seen.length;
      quietSince = Date.now();
    }
    return Date.now() - quietSince >= 500;
  }, 30_000, 20);
  const held = [...outstanding(), ...syncLogWaits()];
  assert.equal(held.length, 2);
  const count = seen.length;
  const t0 = Date.now();
  act();
  await waitFor('the long polls ended at the server', () => held.every((h) => h.end !== null), 5_000, 10);
  for (const h of held) {
    assert.ok(h.end! - t0 < 1_000, `${h.url} ended ${h.end! - t0} ms after`);
    assert.equal(h.answered, false, 'the client went away: the server never answered it');
  }
  await sleep(2_000);
  assert.deepEqual(seen.slice(count).map((s) => s.url), [], 'no request after');
}

describe('the exchange rounds wake on the agency server\'s long poll', () => {
  let sync: AgencySyncHandle;

  test('a packet from agency B reaches A\'s exchange inbox long before the 10-minute timer', { timeout: 120_000 }, async (t) => {
    sync = attachAgencySync(desk, guard, { url: `https://localhost:${serverA.port}`, caPem: n.ca.certPem }, quiet, { intervalMs: INTERVAL_MS });
    await signIn();
    await pollHeld();
    const first = sync().exchange!.last;
    assert.ok(first, 'the first round ran at sign-in');
    assert.equal(desk.exchange.inbox.list(clerk(), {}).length, 0);

    const p = await clearPacket(n, 'B', [CODES.A], { subject: 'Về việc trao đổi văn bản qua trục liên thông' });
    sender.packets.send(p);
    assert.equal(await sender.packets.flush(), 1);
    const t0 = Date.now();
    const rows = await waitFor('the packet in A\'s exchange inbox', () => {
      const r = desk.exchange.inbox.list(clerk(), {});
      return r.length ? r : null;
    }, 60_000, 50);
    const took = Date.now() - t0;
    assert.equal(rows[0]!.fromCode, CODES.B);
    assert.equal(rows[0]!.subject, 'Về việc trao đổi văn bản qua trục liên thông');
    assert.notEqual(sync().exchange!.last, first, 'a round other than the first took it');
    // One long poll at a time, and it is held again once the round is done.
    await pollHeld();
    assert.ok(took < INTERVAL_MS / 10, `${took} ms`);
    t.diagnostic(`sent by B's workstation to listed in A's exchange inbox: ${took} ms`);
  });

  test('signing out cancels the outstanding long poll at once; no request follows; a new sign-in waits again', { timeout: 60_000 }, async () => {
    await cancelsTheWait(() => guard.lock('manual'));
    assert.equal(sync().running, false);
    await signIn();
    await pollHeld();
  });

  test('close() cancels the outstanding long poll at once and leaves nothing running, signed in or not', { timeout: 60_000 }, async () => {
    await cancelsTheWait(() => sync.close());
    assert.equal(sync().running, false);
    // The handle listens no more: another sign-in starts nothing.
    guard.lock('manual');
    const count = seen.length;
    await signIn();
    await sleep(1_500);
    assert.equal(seen.length, count, 'nothing asked of the server');
    guard.lock('manual');
  });

  test('A\'s server down: the waiting loop backs off (a handful of connections in 6 s, not a busy loop)', { timeout: 60_000 }, async () => {
    await serverA.close();
    // Something listens on its port and drops each connection, as a server that crashed on accept.
    const sockets: Socket[] = [];
    const down = createTcpServer((s) => { sockets.push(s); s.destroy(); });
    await new Promise<void>((r) => down.listen(serverA.port, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => down.close(() => r())));
    const warnings: string[] = [];
    const counting: Logger = { log: (_l, msg) => { warnings.push(msg); } };
    const downSync = attachAgencySync(desk, guard, { url: `https://localhost:${serverA.port}`, caPem: n.ca.certPem }, counting, { intervalMs: INTERVAL_MS });
    cleanups.push(() => downSync.close());
    await signIn();
    await waitFor('the waiting loop failing', () => warnings.includes('waiting for packets failed'), 20_000, 20);
    const from = sockets.length;
    await sleep(6_000);
    const tries = sockets.length - from;
    // The sync rounds and the two waiting loops each back off from 1 s, doubling (full jitter): a busy loop
    // would be hundreds of connections; a backoff a few (the sum is well below 30 whatever the jitter).
    assert.ok(tries >= 1, 'still trying');
    assert.ok(tries <= 30, `${tries} connections in 6 s`);
    downSync.close();
    guard.lock('manual');
  });
});
