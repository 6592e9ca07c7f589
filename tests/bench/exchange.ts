// `npm run bench -- --only exchange`: 1 MB sealed edXML packets through the whole path, workstation →
// agency server A → hub → agency server B → workstation (real servers over loopback HTTPS: storage,
// checks, mutual TLS to the hub, the durable queues at both workstations), next to a raw HTTPS
// transfer of the same bytes along the same four hops (in-memory relays that forward each body the
// moment it has arrived: no storage, no checks, no polling). Both are pipelined: packets per second
// from the first byte sent to the last packet at B's workstation. Target: ours / raw ≥ 0.5.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Transport } from '../../main/core/sync/transport';
import { tempDir } from '../helpers/desk';
import {
  agencyConfig, clearPacket, CODES, hubConfig, keyedProfile, networkPki, readdressed, sealedPacket, startAgency, startTestHub, waitFor, workstation, type NetworkPki,
} from '../helpers/network';
import type { Party } from '../helpers/pki';
import { measureProcessTopology, type ProcessTopologyFigures } from './exchangeProcesses';
import { ms, progress } from './stats';

export const EXCHANGE_TARGETS = { ratio: 0.5 };
/** Which topologies to run (`--exchange-topology`): both by default, the process per party counting. */
export type ExchangeTopology = 'both' | 'processes' | 'one';

type Rate = { seconds: number; packetsPerSecond: number; mbPerSecond: number };

export interface ExchangeFigures {
  packets: number;
  packetBytes: number;
  /** The ratio that counts: `topology` says which (a process per party, as deployed, unless only one was run). */
  topology: 'a process per party' | 'one process';
  ours: Rate;
  raw: Rate;
  ratio: number;
  withinTarget: boolean;
  /** Every party and every raw relay on the bench's one event loop (the figure of the runs before 2026-12-06 15:00 UTC). */
  singleProcess?: { ours: Rate; raw: Rate; ratio: number; oursSeconds: number[]; rawSeconds: number[] };
  /** Each party (hub, servers A and B, each workstation) in a process of its own, each raw hop in its party's process. */
  processes?: ProcessTopologyFigures & { ours: Rate; raw: Rate; ratio: number; cpuSecondsPerPacket: { ours: number; raw: number } };
  storage: string;
  loadAverage: number[];
}

/** An HTTPS relay that takes PUT bodies and hands each to `onBody` (a forwarder or the final sink). */
export async function relay(tls: Party, n: NetworkPki, mutual: boolean, onBody: (id: string, body: Buffer) => void): Promise<{ server: Server; port: number }> {
  const server = createServer({ cert: tls.certPem, key: tls.keyPem, ...(mutual ? { ca: n.ca.certPem, requestCert: true, rejectUnauthorized: true } : {}) }, (req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      onBody(req.url ?? '', Buffer.concat(parts));
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end('{"result":"stored"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, port: (server.address() as AddressInfo).port };
}

/** Forwards bodies one at a time, in order, to the next hop (what a store-and-forward relay does at best). */
export function forwarder(t: Transport): (id: string, body: Buffer) => void {
  let chain = Promise.resolve();
  return (id, body) => {
    chain = chain.then(async () => {
      // A keep-alive socket closed under the request is retried (ours retries the same way).
      for (let attempt = 1; ; attempt++) {
        const r = await t.request('PUT', id, { body, headers: { 'content-type': 'application/octet-stream' } }).catch((e: unknown) => (attempt < 5 ? null : Promise.reject(e)));
        if (!r) continue;
        if (r.status !== 201) throw new Error(`raw relay: ${r.status}`);
        return;
      }
    }).catch((e: unknown) => progress(`raw relay failed: ${(e as Error).message}`));
  };
}

async function measureRaw(n: NetworkPki, packets: Array<{ packetId: string; bytes: Buffer }>): Promise<number> {
  // Distinct ids: a body forwarded again after a keep-alive socket closed under it counts once.
  const seen = new Set<string>();
  const sink = await relay(n.serverTls, n, false, (id) => void seen.add(id));
  const toSink = new Transport({ url: `https://localhost:${sink.port}`, caPem: n.ca.certPem });
  const rawB = await relay(n.serverTls, n, true, forwarder(toSink));
  const toB = new Transport({ url: `https://localhost:${rawB.port}`, caPem: n.ca.certPem, clientCertificate: { certPem: n.agencies.B.client.certPem, keyPem: n.agencies.B.client.keyPem } });
  const rawHub = await relay(n.hubTls, n, true, forwarder(toB));
  const toHub = new Transport({ url: `https://localhost:${rawHub.port}`, caPem: n.ca.certPem, clientCertificate: { certPem: n.agencies.A.client.certPem, keyPem: n.agencies.A.client.keyPem } });
  const rawA = await relay(n.serverTls, n, false, forwarder(toHub));
  const fromWs = new Transport({ url: `https://localhost:${rawA.port}`, caPem: n.ca.certPem });
  try {
    const t0 = performance.now();
    const send = forwarder(fromWs);
    for (const p of packets) send(`/p/${p.packetId}`, p.bytes);
    await waitFor('raw packets at the sink', () => seen.size >= packets.length, 600_000, 1);
    return (performance.now() - t0) / 1000;
  } finally {
    for (const t of [fromWs, toHub, toB, toSink]) t.close();
    for (const s of [rawA, rawHub, rawB, sink]) s.server.close();
  }
}

/** Every party and every raw relay on this process's one event loop: ours and raw alternating, two rounds each. */
async function measureOneProcess(n: NetworkPki, dir: string, sealed: Buffer, packets: Array<{ packetId: string; bytes: Buffer }>): Promise<{ ours: number[]; raw: number[] }> {
  const hubCfg = hubConfig(n, join(dir, 'hub'));
  const hub = await startTestHub(hubCfg);
  const hubUrl = `https://localhost:${hub.port}`;
  const A = await startAgency(agencyConfig(n, 'A', join(dir, 'A'), { backend: 'sqlite', hubUrl, pollMs: 20 }));
  const B = await startAgency(agencyConfig(n, 'B', join(dir, 'B'), { backend: 'sqlite', hubUrl, pollMs: 20 }));
  const got = new Set<string>();
  const wsA = workstation(n, join(dir, 'wsA'), A.port, n.agencies.A.vanThu, keyedProfile(join(dir, 'wsA')));
  const wsB = workstation(n, join(dir, 'wsB'), B.port, n.agencies.B.vanThu, { ...keyedProfile(join(dir, 'wsB')), onPacket: (p) => void got.add(p.packetId) });
  // Ours and raw alternate (two rounds each, the best of each kept): the load of a shared machine
  // drifts within a run, and measuring one after the other would charge the drift to one side.
  const ours: number[] = [];
  const raw: number[] = [];
  try {
    // Warm up: sessions and directory in place, one packet through.
    const warm = readdressed(sealed, randomUUID());
    wsA.packets.send(warm);
    await wsA.packets.flush();
    await waitFor('warm-up packet', async () => { await wsB.packets.syncOnce(); return got.has(warm.packetId); }, 120_000, 10);
    for (let round = 0; round < 2; round++) {
      const batch = packets.map((p) => readdressed(p.bytes));
      got.clear();
      const t0 = performance.now();
      for (const p of batch) wsA.packets.send(p);
      // A failed request (a keep-alive socket the server closed) is retried, as the client's loop does.
      const sending = waitFor('A\'s outbox sent', async () => (await wsA.packets.flush().catch(() => 0), wsA.packets.status().outbox.queued === 0), 600_000, 5);
      await waitFor('packets at B\'s workstation', async () => { await wsB.packets.syncOnce().catch(() => null); return got.size >= packets.length; }, 600_000, 20);
      await sending;
      ours.push((performance.now() - t0) / 1000);
      raw.push(await measureRaw(n, batch));
      progress(`exchange round ${round + 1}: ours ${ours[round]!.toFixed(2)} s, raw ${raw[round]!.toFixed(2)} s`);
    }
  } finally {
    wsA.close();
    wsB.close();
    await A.close();
    await B.close();
    await hub.close();
  }
  return { ours, raw };
}

export async function measureExchange(o: { packets?: number; packetMb?: number; topology?: ExchangeTopology } = {}): Promise<ExchangeFigures> {
  const count = o.packets ?? 40;
  const topology = o.topology ?? 'both';
  const tmp = tempDir('securedesk-exchange-bench-');
  const n = await networkPki();
  try {
    // One signed packet with an attachment that makes the sealed packet about 1 MB, re-addressed per packet id.
    const attachment = Math.round(((o.packetMb ?? 1) * (1 << 20) * 3) / 4) - 6_000;
    const signed = await clearPacket(n, 'A', [CODES.B], { attachmentBytes: attachment, subject: 'Tài liệu 1 MB' });
    const sealed = (await sealedPacket(n, CODES.A, ['B'], signed.bytes)).bytes;
    const packets = Array.from({ length: count }, () => readdressed(sealed));
    const packetBytes = packets[0]!.bytes.length;
    progress(`exchange: ${count} sealed packets of ${(packetBytes / (1 << 20)).toFixed(2)} MiB, workstation → server → hub → server → workstation`);

    const one = topology === 'processes' ? null : await measureOneProcess(n, join(tmp.dir, 'one'), sealed, packets);
    const fig = (s: number) => ({ seconds: ms(s), packetsPerSecond: ms(count / s), mbPerSecond: ms((count * packetBytes) / (1 << 20) / s) });
    const single = one && { ours: fig(Math.min(...one.ours)), raw: fig(Math.min(...one.raw)), ratio: ms(Math.min(...one.raw) / Math.min(...one.ours)), oursSeconds: one.ours.map(ms), rawSeconds: one.raw.map(ms) };
    let processes: ExchangeFigures['processes'];
    if (topology !== 'one') {
      const p = await measureProcessTopology(n, join(tmp.dir, 'processes'), sealed, packets);
      const best = (xs: number[]) => Math.min(...xs);
      const perPacket = (xs: number[]) => ms(xs.reduce((a, b) => a + b, 0) / xs.length / count);
      processes = { ...p, ours: fig(best(p.oursSeconds)), raw: fig(best(p.rawSeconds)), ratio: ms(best(p.rawSeconds) / best(p.oursSeconds)), cpuSecondsPerPacket: { ours: perPacket(p.oursCpuSeconds), raw: perPacket(p.rawCpuSeconds) } };
    }
    const counted = processes ?? single!;
    return {
      packets: count, packetBytes, topology: processes ? 'a process per party' : 'one process', ours: counted.ours, raw: counted.raw, ratio: counted.ratio,
      withinTarget: counted.ratio >= EXCHANGE_TARGETS.ratio, ...(single ? { singleProcess: single } : {}), ...(processes ? { processes } : {}),
      storage: 'agency servers and hub on SQLite; workstations SQLite', loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
    };
  } finally {
    n.pki.cleanup();
    tmp.cleanup();
  }
}
