// One party of the exchange benchmark in a process of its own (exchangeProcesses.ts forks one per party:
// the hub, agency servers A and B, and each workstation), as in deployment where they are five machines.
// The same process also runs the raw relay that stands for its party on the raw path, so both sides get
// the same topology. Driven over IPC: each message { id, op, ...args } gets { id, result } or { id, error }.
import { join } from 'node:path';
import type { RunningServer } from '../../server/app';
import type { RunningHub } from '../../server/hub';
import { Transport } from '../../main/core/sync/transport';
import {
  agencyConfig, hubConfig, keyedProfile, startAgency, startTestHub, waitFor, workstation, type AgencyName, type NetworkPki, type TestWorkstation,
} from '../helpers/network';
import { forwarder, relay } from './exchange';

type Pki = Omit<NetworkPki, 'pki'>;
type Packet = { packetId: string; bytes: Uint8Array };
interface Message { id: number; op: string; [k: string]: unknown }

let n: Pki;
let hub: RunningHub | null = null;
let agency: RunningServer | null = null;
let ws: TestWorkstation | null = null;
const got = new Set<string>();
let batch: Packet[] = [];
// The raw side: this party's relay (or sink), and the sender's transport at the workstation.
const closers: Array<() => unknown> = [];
const seen = new Set<string>();
let rawSend: ((id: string, body: Buffer) => void) | null = null;
let rawBatch: Packet[] = [];

/** How long B's workstation's listing may wait at its agency server (below the test transport's 10 s timeout). */
const RECEIVE_WAIT_MS = 5_000;

const asBuffer = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

const ops: Record<string, (m: Message) => Promise<unknown> | unknown> = {
  init: (m) => { n = m.pki as Pki; },
  hub: async (m) => {
    hub = await startTestHub(hubConfig(n as NetworkPki, m.dir as string));
    return hub.port;
  },
  agency: async (m) => {
    const a = m.agency as AgencyName;
    agency = await startAgency(agencyConfig(n as NetworkPki, a, m.dir as string, { backend: 'sqlite', hubUrl: m.hubUrl as string, pollMs: 20 }));
    return agency.port;
  },
  workstation: (m) => {
    const a = m.agency as AgencyName;
    ws = workstation(n as NetworkPki, join(m.dir as string), m.port as number, n.agencies[a].vanThu, { ...keyedProfile(m.dir as string), onPacket: (p) => void got.add(p.packetId) });
  },
  /** The packets the next `send` queues (handed over before the clock starts). */
  prepare: (m) => { batch = m.packets as Packet[]; },
  /** Queues the prepared packets and flushes until the outbox is empty (a failed request is retried, as the client's loop does). */
  send: async () => {
    for (const p of batch) ws!.packets.send({ packetId: p.packetId, bytes: asBuffer(p.bytes) });
    batch = [];
    await waitFor('the outbox sent', async () => (await ws!.packets.flush().catch(() => 0), ws!.packets.status().outbox.queued === 0), 600_000, 5);
  },
  arm: () => { got.clear(); },
  /**
   * Syncs until `count` packets were handed over since `arm`: each sync's listing waits at the agency
   * server for a packet (a long poll, RECEIVE_WAIT_MS) instead of a new request every 20 ms.
   */
  receive: async (m) => {
    await waitFor('packets at the workstation', async () => { await ws!.packets.syncOnce({ waitMs: RECEIVE_WAIT_MS }).catch(() => null); return got.size >= (m.count as number); }, 600_000, 1);
  },
  /** Syncs as `receive` does, for `ms` with nothing on the way (the cost of waiting). */
  idle: async (m) => {
    const end = Date.now() + (m.ms as number);
    await waitFor('the idle window', async () => {
      await ws!.packets.syncOnce({ waitMs: Math.max(1, Math.min(RECEIVE_WAIT_MS, end - Date.now())) }).catch(() => null);
      return Date.now() >= end;
    }, 600_000, 1);
  },
  /** One warm-up packet through (sessions and directory in place); at the receiver: wait for it. */
  warmSend: async (m) => {
    const p = m.packet as Packet;
    ws!.packets.send({ packetId: p.packetId, bytes: asBuffer(p.bytes) });
    await ws!.packets.flush();
  },
  warmReceive: async (m) => {
    await waitFor('warm-up packet', async () => { await ws!.packets.syncOnce({ waitMs: RECEIVE_WAIT_MS }); return got.has(m.packetId as string); }, 120_000, 1);
  },
  // Raw: the sink (B's workstation), a relay forwarding to the next hop, the sender (A's workstation).
  rawSink: async () => {
    const sink = await relay(n.serverTls, n as NetworkPki, false, (id) => void seen.add(id));
    closers.push(() => sink.server.close());
    return sink.port;
  },
  rawRelay: async (m) => {
    const client = m.client as AgencyName | null;
    const next = new Transport({
      url: `https://localhost:${m.next as number}`, caPem: n.ca.certPem,
      ...(client ? { clientCertificate: { certPem: n.agencies[client].client.certPem, keyPem: n.agencies[client].client.keyPem } } : {}),
    });
    const r = await relay(m.tls === 'hub' ? n.hubTls : n.serverTls, n as NetworkPki, m.mutual as boolean, forwarder(next));
    closers.push(() => next.close(), () => r.server.close());
    return r.port;
  },
  rawSender: (m) => {
    const t = new Transport({ url: `https://localhost:${m.next as number}`, caPem: n.ca.certPem });
    closers.push(() => t.close());
    rawSend = forwarder(t);
  },
  rawPrepare: (m) => { rawBatch = m.packets as Packet[]; },
  rawSend: () => {
    for (const p of rawBatch) rawSend!(`/p/${p.packetId}`, asBuffer(p.bytes));
    rawBatch = [];
  },
  rawArm: () => { seen.clear(); },
  rawWait: async (m) => { await waitFor('raw packets at the sink', () => seen.size >= (m.count as number), 600_000, 1); },
  cpu: () => process.cpuUsage(),
  close: async () => {
    for (const c of closers.reverse()) c();
    ws?.close();
    await agency?.close();
    await hub?.close();
  },
};

process.on('message', (m: Message) => {
  void (async () => {
    try {
      const result = await ops[m.op]!(m);
      process.send!({ id: m.id, result });
    } catch (e) {
      process.send!({ id: m.id, error: (e as Error).stack ?? String(e) });
    }
  })();
});
// The parent is done with this party (or gone): exit, which also writes a --cpu-prof profile.
process.on('disconnect', () => process.exit(0));
process.send!({ id: 0, result: 'ready' });
