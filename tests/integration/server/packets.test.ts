// edXML packets between agencies over the real path: workstation → agency server A (PostgreSQL) →
// hub (SQLite, mutual TLS) → agency server B (SQLite) → workstation, over loopback HTTPS. A packet
// arrives exactly once; the hub refuses unknown recipients, a wrong sender, bad signatures, oversized
// packets and a changed body under an old id (each with its code) and acknowledges a replay once;
// an agency server stopped mid-transfer, B offline for 200 packets, and 1,000 packets each way
// end with every packet delivered once.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunningServer } from '../../../server/app';
import type { ServerConfig } from '../../../server/config';
import type { RunningHub } from '../../../server/hub';
import type { Directory } from '../../../main/core/sync/packets/protocol';
import type { PacketStep } from '../../../main/core/sync/packets/PacketClient';
import type { InboundPacket } from '../../../main/core/sync/packets/queue';
import { Transport, TransportError } from '../../../main/core/sync/transport';
import { tempDir } from '../../helpers/desk';
import {
  agencyConfig, clearPacket, CODES, hubConfig, networkPki, readdressed, sealedPacket, startAgency, startTestHub, waitFor, workstation, type NetworkPki, type TestWorkstation,
} from '../../helpers/network';
import type { Party } from '../../helpers/pki';
import { startPostgres, type TestPostgres } from '../../helpers/postgres';
import { openWorkstation } from '../../helpers/workstation';

let n: NetworkPki;
let pg: TestPostgres;
let tmp: { dir: string; cleanup(): void };
let hubCfg: ServerConfig;
let hub: RunningHub;
let cfgA: ServerConfig;
let cfgB: ServerConfig;
let serverA: RunningServer;
let serverB: RunningServer;
let wsA: TestWorkstation;
let wsB: TestWorkstation;
/** Every packet B's workstation handed over, in order (duplicates would show here). */
const gotB: InboundPacket[] = [];
const gotA: InboundPacket[] = [];

before(async () => {
  tmp = tempDir('securedesk-packets-');
  [n, pg] = await Promise.all([networkPki(), startPostgres()]);
  hubCfg = hubConfig(n, join(tmp.dir, 'hub'), { maxPacketBytes: 2 << 20, packetInlineBytes: 16 << 10 });
  hub = await startTestHub(hubCfg);
  hubCfg.listen.port = hub.port;
  const hubUrl = `https://localhost:${hub.port}`;
  cfgA = agencyConfig(n, 'A', join(tmp.dir, 'A'), { backend: 'postgres', pg, hubUrl, limits: { packetInlineBytes: 16 << 10 } });
  cfgB = agencyConfig(n, 'B', join(tmp.dir, 'B'), { backend: 'sqlite', hubUrl, limits: { packetInlineBytes: 16 << 10 } });
  [serverA, serverB] = await Promise.all([startAgency(cfgA), startAgency(cfgB)]);
  wsA = workstation(n, join(tmp.dir, 'wsA'), serverA.port, n.agencies.A.vanThu, { onPacket: (p) => gotA.push(p) });
  wsB = workstation(n, join(tmp.dir, 'wsB'), serverB.port, n.agencies.B.vanThu, { onPacket: (p) => gotB.push(p) });
});
after(async () => {
  wsA?.close();
  wsB?.close();
  await Promise.all([serverA?.close(), serverB?.close()]);
  await hub?.close();
  pg?.stop();
  n?.pki.cleanup();
  tmp?.cleanup();
});

/** Syncs a workstation until `count` packets have been handed over in all. */
async function receiveUntil(ws: TestWorkstation, got: InboundPacket[], count: number, timeoutMs = 30_000): Promise<void> {
  await waitFor(`${count} packets`, async () => {
    await ws.packets.syncOnce().catch(() => null);
    return got.length >= count;
  }, timeoutMs, 30);
}

/** An agency server's own client to the hub (mutual TLS with its directory certificate). */
function hubClient(a: 'A' | 'B' | 'stranger'): Transport {
  const p = a === 'stranger' ? n.stranger : n.agencies[a].client;
  return new Transport({ url: `https://localhost:${hub.port}`, caPem: n.ca.certPem, clientCertificate: { certPem: p.certPem, keyPem: p.keyPem } });
}

async function putToHub(t: Transport, packetId: string, bytes: Buffer): Promise<{ status: number; code: string | null; body: Record<string, unknown> }> {
  const res = await t.request('PUT', `/v1/hub/packets/${packetId}`, { body: bytes, headers: { 'content-type': 'application/octet-stream' } });
  const body = JSON.parse(res.body.toString('utf8')) as Record<string, unknown>;
  return { status: res.status, code: (body.error as string | undefined) ?? null, body };
}

function assertOnce(got: InboundPacket[], ids: readonly string[]): void {
  const seen = got.map((p) => p.packetId);
  assert.equal(new Set(seen).size, seen.length, 'a packet was handed over twice');
  for (const id of ids) assert.ok(seen.includes(id), `packet ${id} never arrived`);
}

describe('packets between agencies', () => {
  test('a clear and a sealed packet from A\'s workstation reach B\'s workstation exactly once, bytes intact', async () => {
    const clear = await clearPacket(n, 'A', [CODES.B]);
    const inner = (await clearPacket(n, 'A', [CODES.B], { subject: 'Tài liệu mật' })).bytes;
    const sealed = await sealedPacket(n, CODES.A, ['B'], inner);
    assert.equal(wsA.packets.send(clear), 'queued');
    assert.equal(wsA.packets.send(sealed), 'queued');
    assert.equal(wsA.packets.send(clear), 'duplicate', 'queued twice is queued once');
    assert.equal(await wsA.packets.flush(), 2);
    assert.equal(wsA.packets.sentState(clear.packetId)?.state, 'sent');
    const before = gotB.length;
    await receiveUntil(wsB, gotB, before + 2);
    const mine = gotB.slice(before);
    assert.deepEqual(mine.map((p) => p.packetId).sort(), [clear.packetId, sealed.packetId].sort());
    assert.ok(mine.find((p) => p.packetId === clear.packetId)!.bytes.equals(clear.bytes));
    assert.ok(mine.find((p) => p.packetId === sealed.packetId)!.bytes.equals(sealed.bytes));
    assert.ok(mine.every((p) => p.from === CODES.A && !Number.isNaN(Date.parse(p.receivedAt))));
    // Nothing more arrives on later rounds; the server forwarded each once.
    await wsB.packets.syncOnce();
    assert.equal(gotB.length, before + 2);
    assert.equal((await serverA.packets.outboundState(sealed.packetId))?.state, 'forwarded');
    const st = wsB.packets.status();
    assert.equal(st.inbox.pending, 0);
    assert.ok(st.inbox.received >= 2 && st.lastError === null && st.lastContact !== null);
    assert.equal(wsA.packets.status().outbox.queued, 0);
  });

  test('the bytes sent are the bytes queued: a caller reusing its buffer after send changes nothing, and a restarted client reads them back', async () => {
    const sealed = await sealedPacket(n, CODES.A, ['B'], (await clearPacket(n, 'A', [CODES.B], { attachmentBytes: 200_000 })).bytes);
    const original = Buffer.from(sealed.bytes);
    const mine = { packetId: sealed.packetId, bytes: Buffer.from(sealed.bytes) };
    assert.equal(wsA.packets.send(mine), 'queued');
    mine.bytes.fill(0x41); // the caller's buffer reused for something else
    // A second packet queued by another client on the same database (a restart): read from the database.
    const other = readdressed(sealed.bytes);
    const again = workstation(n, join(tmp.dir, 'wsA'), serverA.port, n.agencies.A.vanThu);
    try {
      assert.equal(again.packets.send(other), 'queued');
    } finally {
      again.close();
    }
    assert.equal(await wsA.packets.flush(), 2);
    const before = gotB.length;
    await receiveUntil(wsB, gotB, before + 2);
    const got = gotB.slice(before);
    assert.ok(got.find((p) => p.packetId === sealed.packetId)!.bytes.equals(original), 'the queued bytes went, not the reused buffer');
    assert.ok(got.find((p) => p.packetId === other.packetId)!.bytes.equals(other.bytes));
  });

  test('long polls: an empty inbox listing waits, and answers as soon as a packet arrives through the hub', async () => {
    await receiveUntil(wsB, gotB, gotB.length); // nothing left for B's workstation
    while ((await wsB.packets.syncOnce()).received > 0);
    // Nothing arrives: the listing is held for the wait asked, then answers empty.
    let t0 = Date.now();
    assert.equal(await wsB.packets.pull({ waitMs: 700 }), 0);
    assert.ok(Date.now() - t0 >= 600, `an empty listing answered after ${Date.now() - t0} ms: it did not wait`);
    // A packet sent while B's workstation waits ends its wait (and the hub's wait of B's agency server).
    const p = await clearPacket(n, 'A', [CODES.B], { subject: 'Công văn chờ nhận' });
    const before = gotB.length;
    t0 = Date.now();
    const waiting = wsB.packets.pull({ waitMs: 8_000 });
    await new Promise((r) => setTimeout(r, 300));
    wsA.packets.send(p);
    await wsA.packets.flush();
    assert.equal(await waiting, 1);
    const took = Date.now() - t0;
    assert.ok(took < 6_000, `the wait ended ${took} ms after it began: the packet did not end it`);
    wsB.packets.drain();
    assert.equal(gotB.length, before + 1);
    assert.equal(gotB[before]!.packetId, p.packetId);
    // A malformed wait is refused, at the agency server and at the hub.
    const bad = await wsB.server.request('GET', '/v1/packets/inbox?after=0&waitMs=soon');
    assert.equal(bad.status, 400);
    const t = hubClient('B');
    try {
      const res = await t.request('GET', '/v1/hub/inbox?after=0&waitMs=-1');
      assert.equal(res.status, 400);
    } finally {
      t.close();
    }
  });

  test('agency servers sync the directory and show their workstations the encryption certificates', async () => {
    const res = await wsA.server.request('GET', '/v1/directory');
    const d = JSON.parse(res.body.toString('utf8')) as Directory;
    assert.equal(res.status, 200);
    assert.equal(d.version, hub.directory.directory.version);
    const b = d.agencies.find((x) => x.code === CODES.B)!;
    assert.equal(b.encryptionCertificate.trim(), n.agencies.B.encryption.certPem.trim());
    assert.deepEqual(b.aliases, ['000.00.20.H49']);
  });

  test('the hub refuses an unknown recipient, a wrong sender, bad signatures, oversized packets and a changed body; a replay is stored once', async () => {
    const t = hubClient('A');
    try {
      const unknown = await clearPacket(n, 'A', [CODES.unknown]);
      assert.deepEqual([(await putToHub(t, unknown.packetId, unknown.bytes)).status, (await putToHub(t, unknown.packetId, unknown.bytes)).code], [422, 'unknown-recipient']);
      const fromB = await clearPacket(n, 'B', [CODES.A]);
      const wrong = await putToHub(t, fromB.packetId, fromB.bytes);
      assert.deepEqual([wrong.status, wrong.code], [403, 'wrong-sender']);
      const sealedFromB = await sealedPacket(n, CODES.B, ['A'], fromB.bytes);
      assert.equal((await putToHub(t, sealedFromB.packetId, sealedFromB.bytes)).code, 'wrong-sender');
      // Tampered after signing, signed by someone else's key, and not signed at all.
      const good = await clearPacket(n, 'A', [CODES.B]);
      const tampered = Buffer.from(good.bytes.toString('utf8').replace('Về việc trao đổi', 'Về việc đổi trao'), 'utf8');
      const byOther = await clearPacket(n, 'A', [CODES.B], { signer: n.agencies.B.signing });
      const unsigned = Buffer.from(good.bytes.toString('utf8').replace(/<Signature [\s\S]*<\/Signature>/, ''), 'utf8');
      for (const bytes of [tampered, byOther.bytes, unsigned]) {
        const r = await putToHub(t, randomUUID(), bytes);
        assert.deepEqual([r.status, r.code], [422, 'bad-signature']);
      }
      const big = await clearPacket(n, 'A', [CODES.B], { attachmentBytes: 2 << 20 });
      const tooLarge = await putToHub(t, big.packetId, big.bytes);
      assert.deepEqual([tooLarge.status, tooLarge.code], [413, 'too-large']);
      // To B by its alias: delivered to B. Sent twice: stored once, the second answered as a duplicate.
      const viaAlias = await clearPacket(n, 'A', ['000.00.20.H49']);
      const first = await putToHub(t, viaAlias.packetId, viaAlias.bytes);
      const replay = await putToHub(t, viaAlias.packetId, viaAlias.bytes);
      assert.deepEqual([first.status, first.body.result, replay.status, replay.body.result], [201, 'stored', 200, 'duplicate']);
      const other = await clearPacket(n, 'A', [CODES.B], { subject: 'Nội dung khác' });
      const changed = await putToHub(t, viaAlias.packetId, other.bytes);
      assert.deepEqual([changed.status, changed.code], [409, 'changed-body']);
      const before = gotB.length;
      await receiveUntil(wsB, gotB, before + 1);
      await new Promise((r) => setTimeout(r, 300));
      await wsB.packets.syncOnce();
      assert.deepEqual(gotB.slice(before).map((p) => p.packetId), [viaAlias.packetId]);
      assert.ok(gotB[before]!.bytes.equals(viaAlias.bytes));
    } finally {
      t.close();
    }
  });

  test('the hub knows agency servers only by the directory\'s client certificates', async () => {
    const t = hubClient('stranger');
    try {
      const p = await clearPacket(n, 'A', [CODES.B]);
      const r = await putToHub(t, p.packetId, p.bytes);
      assert.deepEqual([r.status, r.code], [403, 'forbidden']);
    } finally {
      t.close();
    }
    const bare = new Transport({ url: `https://localhost:${hub.port}`, caPem: n.ca.certPem });
    try {
      await assert.rejects(bare.request('GET', '/v1/hub/directory'), (e: unknown) => e instanceof TransportError && e.status === null);
    } finally {
      bare.close();
    }
  });

  test('the agency server refuses a wrong sender, an unknown recipient and people who do not handle the exchange', async () => {
    const fromB = await clearPacket(n, 'B', [CODES.A]);
    const unknown = await clearPacket(n, 'A', [CODES.unknown]);
    const notAPacket = { packetId: randomUUID(), bytes: Buffer.from('<html>không phải gói tin</html>') };
    for (const p of [fromB, unknown, notAPacket]) wsA.packets.send(p);
    await wsA.packets.flush();
    assert.deepEqual([fromB, unknown, notAPacket].map((p) => wsA.packets.sentState(p.packetId)?.errorCode), ['wrong-sender', 'unknown-recipient', 'not-a-packet']);
    assert.ok(wsA.packets.status().refusals.length >= 3);
    const cv = workstation(n, join(tmp.dir, 'wsA-cv'), serverA.port, n.agencies.A.chuyenVien);
    try {
      const p = await clearPacket(n, 'A', [CODES.B]);
      cv.packets.send(p);
      await assert.rejects(cv.packets.flush(), (e: unknown) => e instanceof TransportError && e.code === 'forbidden');
      assert.equal(cv.packets.sentState(p.packetId)?.state, 'queued', 'kept for a văn thư to send');
      await assert.rejects(cv.packets.pull(), (e: unknown) => e instanceof TransportError && e.status === 403);
    } finally {
      cv.close();
    }
  });
});

describe('faults: restarts, an agency offline, kill -9, volume', () => {
  const inner = () => clearPacket(n, 'A', [CODES.B], { subject: 'Văn bản mật gửi Ban Tổ chức' });

  test('agency server A stopped mid-transfer and restarted: every packet reaches B once', async () => {
    const sealed = (await sealedPacket(n, CODES.A, ['B'], (await inner()).bytes)).bytes;
    const ps = Array.from({ length: 60 }, () => readdressed(sealed));
    for (const p of ps) wsA.packets.send(p);
    const counts = async () => Object.values(await serverA.packets.outboundCounts()).reduce((x, y) => x + y, 0);
    const start = await counts();
    const flushing = wsA.packets.flush().then(() => null, (e: unknown) => e);
    await waitFor('20 packets at server A', async () => (await counts()) - start >= 20, 30_000, 5);
    await serverA.close();
    assert.ok((await flushing) instanceof Error, 'the send was cut by the stop');
    assert.ok(wsA.packets.status().outbox.queued > 0);
    serverA = await startAgency(cfgA);
    await waitFor('A\'s outbox empty', async () => {
      await wsA.packets.flush().catch(() => null);
      return wsA.packets.status().outbox.queued === 0;
    }, 30_000, 30);
    const before = gotB.length;
    await receiveUntil(wsB, gotB, before + 60);
    assertOnce(gotB, ps.map((p) => p.packetId));
    assert.equal(gotB.length, before + 60);
    assert.equal((await serverA.packets.outboundCounts()).queued, 0);
  });

  test('B offline while A sends 200 packets; B catches up, each once', async () => {
    const sealed = (await sealedPacket(n, CODES.A, ['B'], (await inner()).bytes)).bytes;
    await serverB.close();
    const ps = Array.from({ length: 200 }, () => readdressed(sealed));
    for (const p of ps) wsA.packets.send(p);
    await wsA.packets.flush();
    await waitFor('A forwarded all to the hub', async () => (await serverA.packets.outboundCounts()).queued === 0, 30_000);
    serverB = await startAgency(cfgB);
    const before = gotB.length;
    await receiveUntil(wsB, gotB, before + 200, 60_000);
    assertOnce(gotB, ps.map((p) => p.packetId));
    assert.equal(gotB.length, before + 200);
  });

  test('kill -9 of a workstation at 10 random points of send and receive: every packet delivered once', async (t) => {
    const seed = Number(process.env.PACKET_SEED ?? Math.floor(Math.random() * 1e9));
    t.diagnostic(`seed ${seed} (PACKET_SEED reruns it)`);
    let state = seed >>> 0;
    const rnd = () => ((state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const child = (mode: 'send' | 'receive', dir: string, port: number, person: Party, crashAt?: PacketStep, crashNth?: number) =>
      new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
        const c = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'packetChild.ts')], {
          env: { ...process.env, PACKET_CHILD: JSON.stringify({ dir, url: `https://localhost:${port}`, caPath: n.ca.certPath, certPath: person.certPath, keyPath: person.keyPath, mode, crashAt, crashNth }) },
        });
        let stdout = '';
        let stderr = '';
        c.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
        c.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
        c.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
      });
    // 12 small packets and 3 large ones (downloaded in parts, so a kill between parts resumes with Range).
    const small = (await sealedPacket(n, CODES.A, ['B'], (await inner()).bytes)).bytes;
    const large = await Promise.all([0, 1, 2].map(async () => sealedPacket(n, CODES.A, ['B'], (await clearPacket(n, 'A', [CODES.B], { attachmentBytes: 450_000 })).bytes)));
    const ps = [...Array.from({ length: 12 }, () => readdressed(small)), ...large];
    const dirS = join(tmp.dir, 'wsA-child');
    const sender = workstation(n, dirS, serverA.port, n.agencies.A.vanThu);
    for (const p of ps) sender.packets.send(p);
    sender.close();
    const killed: string[] = [];
    const extra: string[] = [];
    const dirR = join(tmp.dir, 'wsB-child');
    mkdirSync(dirR, { recursive: true });
    // Five kills while sending and five while a new workstation of B fetches B's whole inbox, the two
    // sequences side by side (separate processes, separate databases).
    const sendSteps = Array.from({ length: 5 }, () => pick(['packet-sending', 'packet-sent', 'packet-acknowledged', 'packet-cleared'] as const));
    const recvSteps = Array.from({ length: 5 }, () => pick(['packet-part-saved', 'packet-downloaded', 'packet-stored', 'packet-taken'] as const));
    const sending = (async () => {
      for (const step of sendSteps) {
        const r = await child('send', dirS, serverA.port, n.agencies.A.vanThu, step, 1 + Math.floor(rnd() * 4));
        if (r.signal === 'SIGKILL') killed.push(`send:${step}`);
        else assert.equal(r.code, 0, r.stderr);
      }
      const last = await child('send', dirS, serverA.port, n.agencies.A.vanThu);
      assert.equal(last.code, 0, last.stderr);
      assert.equal((JSON.parse(last.stdout) as { outbox: { queued: number; sent: number } }).outbox.queued, 0);
    })();
    const receiving = (async () => {
      for (const step of recvSteps) {
        // New packets for each run (12 small, one large in parts), so every kill point has work to reach.
        const target = (await serverB.packets.inboundCount()) + 13;
        for (const p of [...Array.from({ length: 12 }, () => readdressed(small)), readdressed(large[0]!.bytes)]) {
          wsA.packets.send(p);
          extra.push(p.packetId);
        }
        await waitFor('A\'s outbox sent', async () => (await wsA.packets.flush().catch(() => 0), wsA.packets.status().outbox.queued === 0), 60_000);
        await waitFor('the new packets at B', async () => (await serverB.packets.inboundCount()) >= target, 60_000);
        const r = await child('receive', dirR, serverB.port, n.agencies.B.vanThu, step, 1 + Math.floor(rnd() * (step === 'packet-part-saved' ? 4 : 12)));
        if (r.signal === 'SIGKILL') killed.push(`receive:${step}`);
        else assert.equal(r.code, 0, r.stderr);
      }
    })();
    const before = gotB.length;
    await Promise.all([sending, receiving]);
    const all = [...ps.map((p) => p.packetId), ...extra];
    await receiveUntil(wsB, gotB, before + all.length);
    assertOnce(gotB, all);
    assert.equal(gotB.length, before + all.length, 'each packet once at B despite the kills');
    const done = await child('receive', dirR, serverB.port, n.agencies.B.vanThu);
    assert.equal(done.code, 0, done.stderr);
    t.diagnostic(`killed at ${killed.join(', ')}`);
    assert.equal(killed.filter((k) => k.startsWith('receive:')).length, 5, 'every receive run reached its kill point');
    assert.ok(killed.length >= 8, `only ${killed.length} of the 10 runs reached their kill point`);
    const db = openWorkstation(dirR, []);
    try {
      const rows = db.prepare('SELECT packet_id, count(*) AS n FROM handed GROUP BY packet_id').all() as Array<{ packet_id: string; n: number }>;
      assert.ok(rows.every((r) => r.n === 1), 'a packet was handed over twice');
      assert.equal(rows.length, await serverB.packets.inboundCount(), 'every packet of B\'s inbox handed over');
      for (const p of ps) assert.ok(rows.some((r) => r.packet_id === p.packetId));
      assert.equal((db.prepare('SELECT count(*) FROM packet_download_parts').pluck().get() as number), 0, 'no download left half done');
    } finally {
      db.close();
    }
  });

  test('kill -9 between fetch and hand-over, and just after the commit that stores and hands over: each packet handed over once, no body kept', async () => {
    const child = (dir: string, crashAt?: PacketStep, crashNth?: number) =>
      new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
        const c = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'packetChild.ts')], {
          env: { ...process.env, PACKET_CHILD: JSON.stringify({ dir, url: `https://localhost:${serverB.port}`, caPath: n.ca.certPath, certPath: n.agencies.B.vanThu.certPath, keyPath: n.agencies.B.vanThu.keyPath, mode: 'receive', crashAt, crashNth }) },
        });
        let stderr = '';
        c.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
        c.on('exit', (code, signal) => resolve({ code, signal, stderr }));
      });
    // Large packets (not inlined in the listing: each is stored in a transaction of its own).
    const large = (await sealedPacket(n, CODES.A, ['B'], (await clearPacket(n, 'A', [CODES.B], { attachmentBytes: 100_000 })).bytes)).bytes;
    const ps = Array.from({ length: 4 }, () => readdressed(large));
    const target = (await serverB.packets.inboundCount()) + ps.length;
    const before = gotB.length;
    for (const p of ps) wsA.packets.send(p);
    await wsA.packets.flush();
    await waitFor('the packets at B', async () => (await serverB.packets.inboundCount()) >= target, 30_000);
    const dir = join(tmp.dir, 'wsB-handover');
    mkdirSync(dir, { recursive: true });
    // Killed after fetching and checking the 2nd packet, before the transaction that stores and hands it over.
    const a = await child(dir, 'packet-downloaded', 2);
    assert.equal(a.signal, 'SIGKILL', a.stderr);
    // Killed just after the commit that stored and handed over the 3rd (the kill lands before the next step).
    const b = await child(dir, 'packet-stored', 3);
    assert.equal(b.signal, 'SIGKILL', b.stderr);
    // What the killed runs committed is stored and handed over together: no packet waits for a later drain.
    const mid = openWorkstation(dir, []);
    try {
      const r = mid.prepare('SELECT count(*) AS n, coalesce(sum(taken_at IS NULL), 0) AS pending, coalesce(sum(bytes IS NOT NULL), 0) AS bodies, (SELECT count(*) FROM handed) AS handed FROM packet_inbox').get() as { n: number; pending: number; bodies: number; handed: number };
      assert.ok(r.n >= 3, `only ${r.n} packets stored before the kill`);
      assert.deepEqual([r.pending, r.bodies, r.handed], [0, 0, r.n], 'a packet stored but not handed over, or its body kept');
    } finally {
      mid.close();
    }
    const c = await child(dir);
    assert.equal(c.code, 0, c.stderr);
    const db = openWorkstation(dir, []);
    try {
      const handed = db.prepare('SELECT packet_id, count(*) AS n FROM handed GROUP BY packet_id').all() as Array<{ packet_id: string; n: number }>;
      for (const p of ps) assert.equal(handed.find((h) => h.packet_id === p.packetId)?.n, 1, `packet ${p.packetId} handed over once`);
      assert.ok(handed.every((h) => h.n === 1), 'a packet was handed over twice');
      const rows = db.prepare('SELECT count(*) AS n, sum(taken_at IS NULL) AS pending, sum(bytes IS NOT NULL) AS bodies FROM packet_inbox').get() as { n: number; pending: number; bodies: number };
      assert.equal(rows.n, handed.length, 'a row per packet handed over');
      assert.deepEqual([rows.pending, rows.bodies], [0, 0], 'every row taken in the transaction that stored it, no body written into the database');
    } finally {
      db.close();
    }
    // B's own workstation takes them too (the later tests count what it got).
    await receiveUntil(wsB, gotB, before + ps.length);
    assertOnce(gotB, ps.map((p) => p.packetId));
  });

  test('1,000 packets in both directions: none lost, none duplicated', async () => {
    const fromA = (await sealedPacket(n, CODES.A, ['B'], (await inner()).bytes)).bytes;
    const fromB = (await sealedPacket(n, CODES.B, ['A'], (await clearPacket(n, 'B', [CODES.A], { subject: 'Báo cáo gửi Văn phòng' })).bytes)).bytes;
    const ab = Array.from({ length: 1000 }, () => readdressed(fromA));
    const ba = Array.from({ length: 1000 }, () => readdressed(fromB));
    for (const p of ab) wsA.packets.send(p);
    for (const p of ba) wsB.packets.send(p);
    const [b0, a0] = [gotB.length, gotA.length];
    await Promise.all([receiveUntil(wsA, gotA, a0 + 1000, 300_000), receiveUntil(wsB, gotB, b0 + 1000, 300_000)]);
    assertOnce(gotB, ab.map((p) => p.packetId));
    assertOnce(gotA, ba.map((p) => p.packetId));
    assert.equal(gotB.length, b0 + 1000);
    assert.equal(gotA.length, a0 + 1000);
    assert.ok(gotA.slice(a0).every((p) => p.from === CODES.B));
  });
});
