// The app's sync rounds wake on the agency server's sync log long poll (issue 9; docs/sync.md "Waking on
// changes"): workstation 1 runs the link as the app attaches it (attachAgencySync, the văn thư signed in
// with a SoftHSM token through the SessionGuard) with its timer at 10 minutes; a document registered at
// workstation 2 of the same agency (a copy of the profile with its own workstation id, same token) and
// pushed there is in workstation 1's profile long before the timer would have run a round. Signing out and
// close() end the outstanding waits at once (the server sees them close unanswered, and nothing after);
// with the server down the waiting loops back off instead of spinning. Real agency server and hub over
// HTTPS loopback (SQLite; the route on PostgreSQL: events-wait.test.ts), real profiles, the real token bridge.
import assert from 'node:assert/strict';
import { cpSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Desk } from '../../../main/core/desk';
import type { Logger } from '../../../main/core/log';
import { SessionGuard } from '../../../main/core/session/guard';
import { TokenService } from '../../../main/core/session/tokens';
import { attachAgencySync, type AgencySyncHandle } from '../../../main/core/sync/agencySync';
import { SyncService } from '../../../main/core/sync/SyncService';
import { takeNewWorkstationId } from '../../../main/core/sync/workstation';
import { TokenBridge } from '../../../native/bridge/client';
import { moduleId } from '../../../native/modules/discovery';
import { startServer, type RunningServer } from '../../../server/app';
import type { RunningHub } from '../../../server/hub';
import { createSoftHsm, type SoftHsm } from '../../fixtures/softhsm/tokens';
import { registration, tempDir } from '../../helpers/desk';
import { agencyConfig, CODES, hubConfig, networkPki, startTestHub, waitFor, type NetworkPki } from '../../helpers/network';

/** The rounds' timer in these tests: far beyond any bound below, so only a long poll can wake a round. */
const INTERVAL_MS = 10 * 60_000;
const quiet: Logger = { log: () => {} };

let n: NetworkPki;
let hsm: SoftHsm;
let hub: RunningHub;
let server: RunningServer;
let desk: Desk;
let guard: SessionGuard;
let desk2: Desk;
let guard2: SessionGuard;
let sync2: SyncService;
const cleanups: Array<() => unknown> = [];

/** Requests the agency server is handling, as its HTTPS server sees them. */
interface Seen { url: string; start: number; end: number | null; answered: boolean }
const seen: Seen[] = [];
const longPolls = () => seen.filter((s) => s.url.includes('waitMs='));
const eventWaits = () => longPolls().filter((s) => s.url.startsWith('/v1/events/wait?') && s.end === null);
const outstanding = () => longPolls().filter((s) => s.end === null);

const ref = () => ({ moduleId: moduleId(hsm.modulePath), serial: hsm.tokens.userRsa.serial });
const signIn = () => guard.unlock(ref(), hsm.tokens.userRsa.pin);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  const tmp = tempDir('securedesk-sync-longpoll-');
  cleanups.push(tmp.cleanup);
  [hsm, n] = await Promise.all([createSoftHsm({ tokens: ['userRsa'] }), networkPki()]);
  cleanups.push(() => hsm.cleanup(), () => n.pki.cleanup());
  hub = await startTestHub(hubConfig(n, join(tmp.dir, 'hub')));
  cleanups.push(() => hub.close());
  const cfg = agencyConfig(n, 'A', join(tmp.dir, 'A'), { backend: 'sqlite', hubUrl: `https://localhost:${hub.port}` });
  const tokenCert = join(tmp.dir, 'van-thu-token.pem');
  writeFileSync(tokenCert, hsm.tokens.userRsa.keys[0]!.certPem);
  cfg.trustAnchors.push(hsm.ca.certPath);
  cfg.people.push({ person: 'A-van-thu-token', role: 'van_thu', clearance: 'tuyet_mat', certificates: [tokenCert] });
  server = await startServer(cfg, { logger: quiet });
  server.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const e: Seen = { url: req.url ?? '', start: Date.now(), end: null, answered: false };
    seen.push(e);
    res.on('finish', () => { e.answered = true; });
    res.on('close', () => { e.end = Date.now(); });
  });
  cleanups.push(() => server.close());

  const anchors = [hsm.ca.certDer, n.ca.certDer];
  desk = await Desk.open({ profileDir: join(tmp.dir, 'profile-1'), trustAnchors: anchors });
  guard = new SessionGuard(desk, new TokenService(new TokenBridge({ env: hsm.env }), async () => [hsm.modulePath]));
  cleanups.push(() => guard.close());
  await guard.setup({
    unit: { name: 'Văn phòng Tỉnh ủy', code: CODES.A, preset: 'party' },
    admin: { fullName: 'Nguyễn Văn An', position: 'Văn thư', role: 'van_thu', clearance: 'tuyet_mat' },
  }, ref(), hsm.tokens.userRsa.pin);
  guard.lock('manual');
  // Workstation 2: the agency's profile copied, its own workstation id, the same văn thư's token.
  cpSync(join(tmp.dir, 'profile-1'), join(tmp.dir, 'profile-2'), { recursive: true });
  desk2 = await Desk.open({ profileDir: join(tmp.dir, 'profile-2'), trustAnchors: anchors });
  guard2 = new SessionGuard(desk2, new TokenService(new TokenBridge({ env: hsm.env }), async () => [hsm.modulePath]));
  cleanups.push(() => guard2.close());
  await guard2.unlock(ref(), hsm.tokens.userRsa.pin);
  takeNewWorkstationId(desk2.db, new Date());
  sync2 = new SyncService(desk2, {
    transport: { url: `https://localhost:${server.port}`, caPem: n.ca.certPem, timeoutMs: 30_000 },
    signer: () => guard2.signingKey(desk2.session!), clearance: 'tuyet_mat',
  });
  cleanups.push(() => sync2.close());
});

after(async () => {
  for (const c of cleanups.reverse()) {
    try { await c(); } catch { /* closed already */ }
  }
});

/** Until the sync log's wait is held at the server (workstation 1's first round done, nothing new). */
const waitHeld = () => waitFor('the sync log wait held at the agency server', () => eventWaits().length === 1, 30_000, 20);

/** Both long polls (packets, sync log) end within a second of `act`, unanswered, and no request follows. */
async function cancelsTheWaits(act: () => void): Promise<void> {
  // The rounds done first: the two long polls open and nothing else, no new request, for 500 ms.
  let last = seen.length;
  let quietSince = Date.now();
  await waitFor('only the long polls at the server', () => {
    if (seen.length !== last || outstanding().length !== 2 || seen.some((s) => s.end === null && !outstanding().includes(s))) {
      last = seen.length;
      quietSince = Date.now();
    }
    return Date.now() - quietSince >= 500;
  }, 30_000, 20);
  const held = outstanding();
  assert.equal(held.filter((s) => s.url.startsWith('/v1/events/wait?')).length, 1, 'one sync log wait');
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

describe('the sync rounds wake on the agency server\'s sync log long poll', () => {
  let sync: AgencySyncHandle;

  test('a document registered at workstation 2 is in workstation 1\'s profile long before the 10-minute timer', { timeout: 120_000 }, async (t) => {
    sync = attachAgencySync(desk, guard, { url: `https://localhost:${server.port}`, caPem: n.ca.certPem }, quiet, { intervalMs: INTERVAL_MS });
    await signIn();
    await waitHeld();
    const waitsBefore = longPolls().filter((s) => s.url.startsWith('/v1/events/wait?')).length;

    const clerk2 = desk2.session!;
    const reg = await desk2.incoming.register(clerk2, await registration(desk2, clerk2, { subject: 'Về việc trả lời kiến nghị của cử tri' }));
    const gid = desk2.db.prepare('SELECT global_id FROM c_thuong.incoming WHERE id = ?').pluck().get(reg.id) as string;
    assert.ok(gid);
    // Timed from the start of workstation 2's round: workstation 1 may have it before that round ends.
    const t0 = Date.now();
    let roundMs = 0;
    const pushing = sync2.syncOnce().finally(() => { roundMs = Date.now() - t0; });
    const id = await waitFor('the registration in workstation 1\'s profile', () =>
      desk.db.prepare('SELECT id FROM c_thuong.incoming WHERE global_id = ?').pluck().get(gid) as number | undefined ?? null, 60_000, 10);
    const took = Date.now() - t0;
    const pushed = await pushing;
    assert.ok(pushed.sent >= 1, `workstation 2 sent its batches (${pushed.sent})`);
    const row = desk.incoming.get(desk.session!, id);
    assert.equal(row.subject, 'Về việc trả lời kiến nghị của cử tri');
    // The wait that was held answered it; one wait at a time, held again once the round is done.
    await waitHeld();
    assert.ok(longPolls().filter((s) => s.url.startsWith('/v1/events/wait?')).length > waitsBefore);
    assert.ok(took < 5_000, `${took} ms`);
    t.diagnostic(`workstation 2's round began to in workstation 1's profile: ${took} ms (workstation 2's round: ${roundMs} ms)`);
  });

  test('signing out cancels the outstanding waits at once; no request follows; a new sign-in waits again', { timeout: 60_000 }, async () => {
    await cancelsTheWaits(() => guard.lock('manual'));
    assert.equal(sync().running, false);
    await signIn();
    await waitHeld();
  });

  test('close() cancels the outstanding waits at once and leaves nothing running', { timeout: 60_000 }, async () => {
    await cancelsTheWaits(() => sync.close());
    assert.equal(sync().running, false);
    guard.lock('manual');
    const count = seen.length;
    await signIn();
    await sleep(1_500);
    assert.equal(seen.length, count, 'nothing asked of the server');
    guard.lock('manual');
  });

  test('the server down: the sync log\'s waiting loop backs off (a handful of connections in 6 s, not a busy loop)', { timeout: 60_000 }, async () => {
    const port = server.port;
    await server.close();
    const sockets: Socket[] = [];
    const down = createTcpServer((s) => { sockets.push(s); s.destroy(); });
    await new Promise<void>((r) => down.listen(port, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => down.close(() => r())));
    const warnings: string[] = [];
    const counting: Logger = { log: (_l, msg) => { warnings.push(msg); } };
    const downSync = attachAgencySync(desk, guard, { url: `https://localhost:${port}`, caPem: n.ca.certPem }, counting, { intervalMs: INTERVAL_MS });
    cleanups.push(() => downSync.close());
    await signIn();
    await waitFor('the sync log waiting loop failing', () => warnings.includes('waiting for sync log changes failed'), 20_000, 20);
    const from = sockets.length;
    await sleep(6_000);
    const tries = sockets.length - from;
    // Three loops (sync rounds, packet waits, sync log waits) each back off from 1 s, doubling with full
    // jitter: a busy loop would be hundreds of connections; backoff a few (well below 30 whatever the jitter).
    assert.ok(tries >= 1, 'still trying');
    assert.ok(tries <= 30, `${tries} connections in 6 s`);
    const failures = warnings.filter((w) => w === 'waiting for sync log changes failed').length;
    assert.ok(failures <= 8, `${failures} failed waits logged`);
    downSync.close();
    guard.lock('manual');
  });
});
