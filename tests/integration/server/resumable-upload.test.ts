// Resumable uploads (docs/server.md, "Uploads that resume") over the real path, loopback HTTPS:
// workstation → agency server A (PostgreSQL) → hub (SQLite, mutual TLS) → agency server B (SQLite).
// A connection cut midway (a TCP proxy that drops both sockets after N bytes), a client killed with
// SIGKILL between chunks, and a server restarted between chunks each resume at the server's offset:
// only the remaining bytes travel, the result is byte-identical, and it is stored exactly once.
// Attacks: another workstation (or agency) cannot see, continue or complete someone else's upload;
// a wrong SHA-256 at completion is refused with nothing visible; ranges past the total, gaps and
// overlaps are refused; chunks and the number of staged uploads are bounded.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunningServer } from '../../../server/app';
import type { ServerConfig } from '../../../server/config';
import type { RunningHub } from '../../../server/hub';
import { UploadStore } from '../../../server/storage/uploadStore';
import { workstationId } from '../../../main/core/events/eventLog';
import { HUB_API, PACKETS_API } from '../../../main/core/sync/packets/protocol';
import type { PacketStep } from '../../../main/core/sync/packets/PacketClient';
import { API } from '../../../main/core/sync/protocol';
import { uploadResumable, UPLOAD_SHA_HEADER, type UploadSend } from '../../../main/core/sync/resumableUpload';
import { Transport, type Response } from '../../../main/core/sync/transport';
import { tempDir } from '../../helpers/desk';
import { agencyConfig, clearPacket, CODES, hubConfig, networkPki, sealedPacket, startAgency, startTestHub, waitFor, workstation, type NetworkPki, type TestWorkstation } from '../../helpers/network';
import { startPostgres, type TestPostgres } from '../../helpers/postgres';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const KB = 1024;
/** Server chunk limit and the clients' chunk and threshold: small, so a 1.5 MB body is many chunks. */
const SERVER_CHUNK = 256 * KB;
const CHUNK = 200 * KB;
const ABOVE = 300 * KB;

/**
 * A TCP proxy that counts the client's bytes and, when armed, drops both sockets once N more have passed
 * (the count of forwarded bytes then starts again: what travels after the cut).
 */
class CutProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private cutAfter: number | null = null;
  private seen = 0;
  /** Client → server bytes forwarded since the last reset. */
  forwarded = 0;
  cuts = 0;
  port = 0;

  constructor(private readonly upstream: number) {
    this.server = createServer((c) => {
      const u = connect(this.upstream, '127.0.0.1');
      this.sockets.add(c).add(u);
      c.on('data', (d: Buffer) => {
        if (this.cutAfter !== null) {
          this.seen += d.length;
          if (this.seen > this.cutAfter) {
            this.cutAfter = null;
            this.cuts++;
            this.forwarded = 0;
            c.destroy();
            u.destroy();
            return;
          }
        }
        this.forwarded += d.length;
        u.write(d);
      });
      u.on('data', (d: Buffer) => c.write(d));
      for (const [a, b] of [[c, u], [u, c]] as const) {
        a.on('error', () => b.destroy());
        a.on('close', () => { b.destroy(); this.sockets.delete(a); });
      }
    });
  }

  async listen(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, r));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  arm(bytes: number): void {
    this.seen = 0;
    this.cutAfter = bytes;
  }

  reset(): void {
    this.forwarded = 0;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

let n: NetworkPki;
let pg: TestPostgres;
let tmp: { dir: string; cleanup(): void };
let hub: RunningHub;
let cfgA: ServerConfig;
let cfgB: ServerConfig;
let serverA: RunningServer;
let serverB: RunningServer;
let toA: CutProxy;
let toHub: CutProxy;
let wsA1: TestWorkstation;
let wsA2: TestWorkstation;
let wsB1: TestWorkstation;
let wsB2: TestWorkstation;
const stepsA1: Array<{ step: PacketStep; offset?: number }> = [];

before(async () => {
  tmp = tempDir('securedesk-upload-');
  [n, pg] = await Promise.all([networkPki(), startPostgres()]);
  const hubCfg = hubConfig(n, join(tmp.dir, 'hub'), { maxPacketBytes: 8 << 20, uploadChunkBytes: SERVER_CHUNK });
  hub = await startTestHub(hubCfg);
  hubCfg.listen.port = hub.port;
  toHub = await new CutProxy(hub.port).listen();
  const limits = { uploadChunkBytes: SERVER_CHUNK, maxBlobBytes: 4 << 20 };
  cfgA = agencyConfig(n, 'A', join(tmp.dir, 'A'), { backend: 'postgres', pg, hubUrl: `https://localhost:${toHub.port}`, limits });
  cfgA.hub!.resumableAboveBytes = ABOVE;
  cfgA.hub!.uploadChunkBytes = CHUNK;
  cfgB = agencyConfig(n, 'B', join(tmp.dir, 'B'), { backend: 'sqlite', hubUrl: `https://localhost:${hub.port}`, limits: { ...limits, uploadsPerClient: 3 } });
  [serverA, serverB] = await Promise.all([startAgency(cfgA), startAgency(cfgB)]);
  toA = await new CutProxy(serverA.port).listen();
  const big = { resumableAboveBytes: ABOVE, uploadChunkBytes: CHUNK };
  wsA1 = workstation(n, join(tmp.dir, 'wsA1'), toA.port, n.agencies.A.vanThu, { ...big, onStep: (step, d) => void stepsA1.push({ step, ...(d.offset !== undefined ? { offset: d.offset } : {}) }) });
  wsA2 = workstation(n, join(tmp.dir, 'wsA2'), serverA.port, n.agencies.A.vanThu, big);
  wsB1 = workstation(n, join(tmp.dir, 'wsB1'), serverB.port, n.agencies.B.vanThu, big);
  wsB2 = workstation(n, join(tmp.dir, 'wsB2'), serverB.port, n.agencies.B.vanThu, big);
});
after(async () => {
  for (const w of [wsA1, wsA2, wsB1, wsB2]) w?.close();
  await Promise.all([serverA?.close(), serverB?.close()]);
  await Promise.all([toA?.close(), toHub?.close()]);
  await hub?.close();
  pg?.stop();
  n?.pki.cleanup();
  tmp?.cleanup();
});

/** A sealed packet from A to B of about `attachment` × 4/3 bytes. */
async function bigPacket(attachment = 1_100_000): Promise<{ packetId: string; bytes: Buffer }> {
  return sealedPacket(n, CODES.A, ['B'], (await clearPacket(n, 'A', [CODES.B], { attachmentBytes: attachment })).bytes);
}

interface Answer { status: number; body: Record<string, unknown>; headers: Response['headers'] }
const answer = (r: Response): Answer => ({ status: r.status, body: r.body.length ? JSON.parse(r.body.toString('utf8')) as Record<string, unknown> : {}, headers: r.headers });

/** One raw request of the upload protocol (a chunk, or the question `*` with no body). */
function chunkSender(request: (o: { body?: Buffer; headers: Record<string, string> }) => Promise<Response>, extra: Record<string, string> = {}) {
  return async (range: string, sha: string, body?: Buffer): Promise<Answer> => answer(await request({
    ...(body ? { body } : {}),
    headers: { 'content-type': 'application/octet-stream', 'content-range': range, [UPLOAD_SHA_HEADER]: sha, ...(body ? {} : { 'content-length': '0' }), ...extra },
  }));
}

const viaWorkstation = (ws: TestWorkstation, path: string, extra: Record<string, string> = {}): UploadSend =>
  (o) => ws.server.request('PUT', path, { ...(o.body ? { body: o.body } : {}), headers: { ...o.headers, ...extra } });

const staged = (s: { store: { db: ConstructorParameters<typeof UploadStore>[0] } }) => new UploadStore(s.store.db);

describe('resumable uploads', () => {
  test('a workstation\'s large packet cut midway resumes at the server\'s offset (PostgreSQL): only the rest travels, stored once', async () => {
    const p = await bigPacket();
    const total = p.bytes.length;
    assert.ok(total > 1_400_000, `a packet of ${total} bytes`);
    wsA1.packets.send(p);
    toA.arm(700 * KB);
    await assert.rejects(wsA1.packets.flush(), 'the connection was cut');
    assert.equal(toA.cuts, 1);
    assert.equal(await serverA.packets.outboundState(p.packetId), null, 'nothing is visible before the whole arrived');
    const owner = `workstation:${workstationId(wsA1.db)}`;
    // The chunk under way when the cut came may still be committed: wait until the offset settles.
    let held = 0;
    await waitFor('a settled offset', async () => {
      const st = await staged(serverA).state(owner, `packet:${p.packetId}`);
      const same = st !== null && st.received === held;
      held = st?.received ?? 0;
      await new Promise((r) => setTimeout(r, 100));
      return same;
    }, 10_000, 10);
    assert.ok(held >= CHUNK && held < total && held % CHUNK === 0, `the server holds ${held} of ${total}`);

    // Another workstation of the agency (same person) neither sees nor continues nor completes it.
    const other = chunkSender((o) => wsA2.server.request('PUT', `${PACKETS_API}/${p.packetId}`, o));
    const sha = sha256(p.bytes);
    const asked = await other(`bytes */${total}`, sha);
    assert.equal(asked.status, 202);
    assert.equal(asked.body.received, 0, 'another workstation is told nothing of this one\'s upload');
    const cont = await other(`bytes ${held}-${Math.min(total, held + CHUNK) - 1}/${total}`, sha, p.bytes.subarray(held, held + CHUNK));
    assert.equal(cont.status, 409);
    assert.equal(cont.body.error, 'upload-offset');
    assert.equal(cont.body.received, 0);
    assert.equal((await staged(serverA).state(owner, `packet:${p.packetId}`))?.received, held, 'the owner\'s upload is untouched');

    // The owner's own bad ranges: past the total, a gap, an overlap.
    const mine = chunkSender((o) => wsA1.server.request('PUT', `${PACKETS_API}/${p.packetId}`, o));
    // (The range is refused before a byte of the body is read: small bodies keep the connection usable.)
    const past = await mine(`bytes ${held}-${total}/${total}`, sha, Buffer.alloc(10));
    assert.equal(past.status, 416);
    assert.equal(past.body.error, 'range');
    const gap = await mine(`bytes ${held + 10}-${held + 19}/${total}`, sha, Buffer.alloc(10));
    assert.equal(gap.status, 409);
    assert.equal(gap.body.received, held);
    assert.equal(gap.headers['upload-offset'], String(held));
    const overlap = await mine(`bytes ${held - 10}-${held + 9}/${total}`, sha, p.bytes.subarray(held - 10, held + 10));
    assert.equal(overlap.status, 409);
    const tooBig = await mine(`bytes ${held}-${held + SERVER_CHUNK}/${total}`, sha, Buffer.alloc(10));
    assert.equal(tooBig.status, 413, 'a chunk above the server\'s limit');
    assert.equal((await staged(serverA).state(owner, `packet:${p.packetId}`))?.received, held);

    // Resumed: the workstation asks, sends only the rest.
    toA.reset();
    stepsA1.length = 0;
    await waitFor('the packet sent', async () => (await wsA1.packets.flush().catch(() => 0)) === 1 || wsA1.packets.sentState(p.packetId)?.state === 'sent', 15_000, 100);
    assert.deepEqual(stepsA1.find((s) => s.step === 'packet-upload-resumed'), { step: 'packet-upload-resumed', offset: held });
    assert.ok(toA.forwarded >= total - held, `${toA.forwarded} bytes forwarded`);
    assert.ok(toA.forwarded < total - held + 64 * KB, `only the rest travelled: ${toA.forwarded} bytes for ${total - held} remaining of ${total}`);
    assert.equal((await serverA.packets.outboundDigest(p.packetId))?.sha256, sha, 'byte-identical');
    assert.equal(await staged(serverA).state(owner, `packet:${p.packetId}`), null, 'the staged chunks are gone');

    // The same upload again after completion: the same answer, nothing stored twice.
    const again = await uploadResumable(viaWorkstation(wsA1, `${PACKETS_API}/${p.packetId}`, { 'content-type': 'application/octet-stream' }), p.bytes, { chunkBytes: CHUNK });
    assert.equal(again.status, 200);
    assert.deepEqual(answer(again).body, { result: 'duplicate', packetId: p.packetId, sha256: sha });
    // It reaches B through the hub (itself a resumable upload from A's server), once.
    await waitFor('B holds the packet', async () => (await serverB.packets.inboundCount()) >= 1, 30_000, 50);
    const { rows } = await serverB.packets.listInbound(0, 100, 0);
    assert.deepEqual(rows.map((r) => [r.packetId, r.sha256]), [[p.packetId, sha]]);
  });

  test('an agency server\'s forwarding to the hub cut midway resumes (hub on SQLite): the packet arrives once, identical', async () => {
    const p = await bigPacket();
    const total = p.bytes.length;
    const before = await hub.packets.hubCounts();
    const inB = await serverB.packets.inboundCount();
    toHub.arm(900 * KB);
    wsA2.packets.send(p);
    assert.equal(await wsA2.packets.flush(), 1);
    await waitFor('B holds it', async () => (await serverB.packets.inboundCount()) > inB, 30_000, 50);
    assert.equal(toHub.cuts, 1, 'the connection to the hub was cut once');
    // After the cut only the rest travelled: at most the chunk under way is sent again (a restart would send it all).
    const bound = total - 900 * KB + CHUNK + 128 * KB;
    assert.ok(toHub.forwarded < bound, `${toHub.forwarded} bytes to the hub after the cut, for a packet of ${total} cut after 900 KB (bound ${bound})`);
    assert.equal(await hub.packets.hubDigest(CODES.A, p.packetId), sha256(p.bytes));
    const after = await hub.packets.hubCounts();
    assert.equal(after.packets - before.packets, 1);
    assert.equal(await staged(hub).count().then((c) => c.uploads), 0, 'no staged upload is left at the hub');
    await waitFor('A marks it forwarded', async () => (await serverA.packets.outboundState(p.packetId))?.state === 'forwarded', 10_000, 50);
  });

  test('at the hub, another agency cannot continue or complete an agency\'s upload; a wrong SHA-256 leaves nothing', async () => {
    const t = (who: 'A' | 'B') => new Transport({ url: `https://localhost:${hub.port}`, caPem: n.ca.certPem, clientCertificate: { certPem: n.agencies[who].client.certPem, keyPem: n.agencies[who].client.keyPem } });
    const [a, b] = [t('A'), t('B')];
    try {
      const p = await bigPacket(500_000);
      const total = p.bytes.length;
      const sha = sha256(p.bytes);
      const path = `${HUB_API}/packets/${p.packetId}`;
      const send = (tr: Transport) => chunkSender((o) => tr.request('PUT', path, o));
      const first = await send(a)(`bytes 0-${CHUNK - 1}/${total}`, sha, p.bytes.subarray(0, CHUNK));
      assert.deepEqual(first.body, { received: CHUNK, total });
      assert.equal((await send(b)(`bytes */${total}`, sha)).body.received, 0, 'B is told nothing of A\'s upload');
      const cont = await send(b)(`bytes ${CHUNK}-${2 * CHUNK - 1}/${total}`, sha, p.bytes.subarray(CHUNK, 2 * CHUNK));
      assert.equal(cont.status, 409);
      assert.equal(cont.body.received, 0);
      // B sending the same bytes whole is its own upload, refused at completion: the packet is A's.
      const asB = answer(await uploadResumable((o) => b.request('PUT', path, o), p.bytes, { chunkBytes: CHUNK }));
      assert.equal(asB.status, 403);
      assert.equal(asB.body.error, 'wrong-sender');
      assert.equal(await hub.packets.hubDigest(CODES.B, p.packetId), null);
      assert.equal(await hub.packets.hubDigest(CODES.A, p.packetId), null);
      assert.equal(await staged(hub).state(`agency:${CODES.B}`, `packet:${p.packetId}`), null, 'the refused upload is dropped');
      // A's range past the total is refused; A resumes at its offset and completes.
      assert.equal((await send(a)(`bytes ${CHUNK}-${total}/${total}`, sha, Buffer.alloc(10))).status, 416);
      let resumedAt = -1;
      const done = answer(await uploadResumable((o) => a.request('PUT', path, o), p.bytes, { chunkBytes: CHUNK, onResume: (o) => void (resumedAt = o) }));
      assert.equal(resumedAt, CHUNK);
      assert.equal(done.status, 201);
      assert.deepEqual(done.body, { result: 'stored', packetId: p.packetId, sha256: sha });
      assert.equal(await hub.packets.hubDigest(CODES.A, p.packetId), sha);

      // A wrong SHA-256 announced: every byte sent, the whole refused, nothing visible.
      const q = await bigPacket(500_000);
      const wrong = sha256(Buffer.from('not these bytes'));
      const qPath = `${HUB_API}/packets/${q.packetId}`;
      const qs = chunkSender((o) => a.request('PUT', qPath, o));
      let last: Answer | null = null;
      for (let at = 0; at < q.bytes.length; at += CHUNK) {
        const end = Math.min(q.bytes.length, at + CHUNK) - 1;
        last = await qs(`bytes ${at}-${end}/${q.bytes.length}`, wrong, q.bytes.subarray(at, end + 1));
      }
      assert.equal(last!.status, 400);
      assert.equal(last!.body.error, 'upload-digest');
      assert.equal(await hub.packets.hubDigest(CODES.A, q.packetId), null);
      assert.equal(await staged(hub).state(`agency:${CODES.A}`, `packet:${q.packetId}`), null);
    } finally {
      a.close();
      b.close();
    }
  });

  test('a large file upload resumes across a server restart (SQLite); another workstation cannot complete it; a wrong SHA-256 is refused', async () => {
    const sealed = randomBytes(900 * KB);
    const total = sealed.length;
    const sealedSha = sha256(sealed);
    const plain = sha256(Buffer.from('the plain file'));
    const path = `${API}/blobs/mat/${plain}`;
    const headers = { 'content-type': 'application/octet-stream', 'x-sealed-sha256': sealedSha };
    // The client dies after two chunks (its third request never leaves).
    let sentChunks = 0;
    const dying: UploadSend = async (o) => {
      if (o.body && ++sentChunks > 2) throw new Error('the client died');
      return viaWorkstation(wsB1, path, headers)(o);
    };
    await assert.rejects(uploadResumable(dying, sealed, { chunkBytes: CHUNK }), /the client died/);
    const owner = `workstation:${workstationId(wsB1.db)}`;
    assert.equal((await staged(serverB).state(owner, `blob:mat:${plain}`))?.received, 2 * CHUNK);

    // The server restarts: what it committed stays.
    await serverB.close();
    serverB = await startAgency(cfgB);
    assert.equal((await staged(serverB).state(owner, `blob:mat:${plain}`))?.received, 2 * CHUNK);

    // Another workstation cannot continue it, nor does it see it.
    const other = chunkSender((o) => wsB2.server.request('PUT', path, o), { 'x-sealed-sha256': sealedSha });
    assert.equal((await other(`bytes */${total}`, sealedSha)).body.received, 0);
    const cont = await other(`bytes ${2 * CHUNK}-${total - 1}/${total}`, sealedSha, Buffer.alloc(10));
    assert.equal(cont.status, 413, 'more than a chunk');
    const cont2 = await other(`bytes ${2 * CHUNK}-${3 * CHUNK - 1}/${total}`, sealedSha, sealed.subarray(2 * CHUNK, 3 * CHUNK));
    assert.equal(cont2.status, 409);
    assert.equal((await wsB2.server.request('GET', path)).status, 404, 'nothing visible yet');

    // The owner resumes: only the rest is sent.
    let bodyBytes = 0;
    let resumedAt = -1;
    const counting: UploadSend = async (o) => {
      bodyBytes += o.body?.length ?? 0;
      return viaWorkstation(wsB1, path, headers)(o);
    };
    const done = await uploadResumable(counting, sealed, { chunkBytes: CHUNK, onResume: (o) => void (resumedAt = o) });
    assert.equal(done.status, 201);
    assert.equal(resumedAt, 2 * CHUNK);
    assert.equal(bodyBytes, total - 2 * CHUNK);
    const got = await wsB2.server.request('GET', path);
    assert.equal(got.status, 200);
    assert.equal(sha256(got.body), sealedSha, 'byte-identical');
    assert.equal((await serverB.store.db.selectFrom('blobs').select('sha256').where('sha256', '=', plain).execute()).length, 1);
    // Again after completion: acknowledged at the question, no byte sent.
    bodyBytes = 0;
    assert.equal((await uploadResumable(counting, sealed, { chunkBytes: CHUNK })).status, 200);
    assert.equal(bodyBytes, 0);

    // A wrong SHA-256 at completion (x-sealed-sha256 and the upload's agree, the bytes do not).
    const bad = randomBytes(500 * KB);
    const badPlain = sha256(Buffer.from('another file'));
    const wrong = sha256(Buffer.from('other bytes'));
    const badPath = `${API}/blobs/mat/${badPlain}`;
    const mine = chunkSender((o) => wsB1.server.request('PUT', badPath, o), { 'x-sealed-sha256': wrong });
    let last: Answer | null = null;
    for (let at = 0; at < bad.length; at += CHUNK) {
      const end = Math.min(bad.length, at + CHUNK) - 1;
      last = await mine(`bytes ${at}-${end}/${bad.length}`, wrong, bad.subarray(at, end + 1));
    }
    assert.equal(last!.status, 400);
    assert.equal(last!.body.error, 'upload-digest');
    assert.equal((await wsB1.server.request('GET', badPath)).status, 404);
    assert.equal(await staged(serverB).state(owner, `blob:mat:${badPlain}`), null);
  });

  test('staged uploads are bounded per workstation and expire', async () => {
    const mine = (i: number) => chunkSender((o) => wsB2.server.request('PUT', `${API}/blobs/mat/${sha256(Buffer.from(`f${i}`))}`, o), { 'x-sealed-sha256': sha256(Buffer.from(`s${i}`)) });
    for (let i = 0; i < 3; i++) assert.equal((await mine(i)(`bytes 0-1023/${600 * KB}`, sha256(Buffer.from(`s${i}`)), Buffer.alloc(1024))).status, 202);
    const fourth = await mine(3)(`bytes 0-1023/${600 * KB}`, sha256(Buffer.from('s3')), Buffer.alloc(1024));
    assert.equal(fourth.status, 429, 'uploadsPerClient is 3');
    assert.equal((await mine(4)(`bytes 0-1023/${8 << 20}`, sha256(Buffer.from('s4')), Buffer.alloc(1024))).status, 413, 'above maxBlobBytes');
    const store = staged(serverB);
    const before = (await store.count()).uploads;
    assert.ok(before >= 3);
    assert.equal(await store.expire(new Date(Date.now() - 3_600_000)), 0, 'nothing is stale yet');
    assert.equal(await store.expire(new Date(Date.now() + 3_600_000)), before);
    assert.deepEqual(await store.count(), { uploads: 0, chunks: 0 });
    assert.equal((await mine(3)(`bytes 0-1023/${600 * KB}`, sha256(Buffer.from('s3')), Buffer.alloc(1024))).status, 202, 'room again');
  });

  test('two chunks at the same offset at once: one lands, the other is told the new offset (PostgreSQL and SQLite)', async () => {
    for (const [ws, server] of [[wsA2, serverA], [wsB1, serverB]] as const) {
      const bytes = randomBytes(300 * KB);
      const sha = sha256(bytes);
      const plain = sha256(bytes.subarray(0, 10));
      const path = `${API}/blobs/mat/${plain}`;
      const put = chunkSender((o) => ws.server.request('PUT', path, o), { 'x-sealed-sha256': sha });
      const answers = await Promise.all(Array.from({ length: 6 }, () => put(`bytes 0-${CHUNK - 1}/${bytes.length}`, sha, bytes.subarray(0, CHUNK))));
      const landed = answers.filter((a) => a.status === 202);
      assert.equal(landed.length, 1, `${server.store.dialect}: ${answers.map((a) => a.status).join(',')}`);
      assert.ok(answers.filter((a) => a.status !== 202).every((a) => a.status === 409 && a.body.received === CHUNK));
      const owner = `workstation:${workstationId(ws.db)}`;
      const st = await staged(server).state(owner, `blob:mat:${plain}`);
      assert.equal(st?.received, CHUNK);
      assert.equal((await server.store.db.selectFrom('upload_chunks').select('start_at').where('upload_id', '=', st!.id).execute()).length, 1, 'one chunk stored');
      const last = await put(`bytes ${CHUNK}-${bytes.length - 1}/${bytes.length}`, sha, bytes.subarray(CHUNK));
      assert.equal(last.status, 201);
      assert.equal(sha256((await ws.server.request('GET', path)).body), sha);
    }
  });

  test('a workstation killed with SIGKILL between chunks resumes after its restart: one packet, identical', async () => {
    const p = await bigPacket();
    const dir = join(tmp.dir, 'wsA-child');
    const sender = workstation(n, dir, serverA.port, n.agencies.A.vanThu);
    sender.packets.send(p);
    const owner = `workstation:${workstationId(sender.db)}`;
    sender.close();
    const child = (crashAt?: PacketStep, crashNth?: number) => new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
      const c = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'packetChild.ts')], {
        env: { ...process.env, PACKET_CHILD: JSON.stringify({ dir, url: `https://localhost:${serverA.port}`, caPath: n.ca.certPath, certPath: n.agencies.A.vanThu.certPath, keyPath: n.agencies.A.vanThu.keyPath, mode: 'send', crashAt, crashNth, resumableAboveBytes: ABOVE, uploadChunkBytes: CHUNK }) },
      });
      let stdout = '';
      let stderr = '';
      c.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
      c.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      c.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
    });
    const killed = await child('packet-chunk-sent', 3);
    assert.equal(killed.signal, 'SIGKILL', killed.stderr);
    assert.equal((await staged(serverA).state(owner, `packet:${p.packetId}`))?.received, 3 * CHUNK);
    assert.equal(await serverA.packets.outboundState(p.packetId), null);
    const again = await child();
    assert.equal(again.code, 0, again.stderr);
    const status = JSON.parse(again.stdout) as { outbox: { queued: number }; resumedAt: number[] };
    assert.equal(status.outbox.queued, 0);
    assert.deepEqual(status.resumedAt, [3 * CHUNK], 'the restarted client went on from the server\'s offset');
    assert.equal((await serverA.packets.outboundDigest(p.packetId))?.sha256, sha256(p.bytes));
    assert.equal(await staged(serverA).state(owner, `packet:${p.packetId}`), null);
  });
});
