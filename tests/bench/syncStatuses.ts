// `npm run bench -- --only sync` (first half): catching up the statuses that queued while the sender's
// workstation was offline (issue 9, "Done when": 10 000 statuses after a day offline in under 30 s).
// Agency A sent documents to agency B; B's văn thư sent the edXML status packets back (01 received,
// 03 registered, 04 assigned, 05 in progress, 06 done or 15 update agreed; signed by B's agency key,
// sealed for A's encryption certificate when the document is Mật) through B's agency server and the
// hub to A's agency server (real servers over loopback HTTPS, mutual TLS to the hub), while A's
// workstation ran no round. Timed: from A's workstation reconnecting to every status applied to its
// outgoing register: ExchangeLink rounds (directory, pull after the cursor, each packet opened and
// verified against the directory and the trust anchors, taken at the agency server, recorded on its
// dispatch with its event) until the 10 000th is recorded.
// Untimed setup: A's issued documents and their dispatches are written straight into A's compartments
// (the issue itself is measured by the outgoing part); B's status packets are made with the core's
// makeStatusPacket and sent through B's real packet client.
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { EdxmlStatusCode } from '../../common/edxml';
import { secrecyRank, type Secrecy } from '../../common/domain';
import { nextRecordId } from '../../main/core/compartments/ids';
import { schemaOf } from '../../main/core/compartments/levels';
import { Desk } from '../../main/core/desk';
import { writeTx } from '../../main/core/db/transaction';
import { recordChange } from '../../main/core/events/eventLog';
import { newGlobalId } from '../../main/core/events/globalId';
import { ExchangeLink } from '../../main/core/exchange/link';
import { makeStatusPacket, statusPacketId } from '../../main/core/exchange/statusPackets';
import { actorFor } from '../../main/core/org/users';
import { PacketClient } from '../../main/core/sync/packets/PacketClient';
import { ServerClient } from '../../main/core/sync/ServerClient';
import { identityFromPem, tempDir } from '../helpers/desk';
import { agencyConfig, CODES, hubConfig, networkPki, startAgency, startTestHub, waitFor, workstation } from '../helpers/network';
import { softKey } from '../helpers/softKey';
import { profiled } from './profileWindow';
import { ms, progress } from './stats';

export const SYNC_STATUS_TARGETS = { statuses: 10_000, catchUpSeconds: 30 };

export interface StatusCatchUpFigures {
  statuses: number;
  documents: number;
  /** Statuses sealed (their document Mật) / clear (Thường). */
  sealed: number;
  clear: number;
  atTargetScale: boolean;
  /** Untimed: making B's packets, and their way to A's agency server. */
  setup: { documentsMs: number; packetsMs: number; deliveredMs: number };
  /** Reconnect to every status recorded on A's outgoing register. */
  catchUpSeconds: number;
  /** CPU time of this process (workstation and both agency servers) during the catch-up. */
  catchUpCpuSeconds: number;
  statusesPerSecond: number;
  rounds: number;
  peakRssMb: number;
  /** A sample of dispatches as "Văn bản đi" shows them: every code B sent, in order. */
  shownOnRegister: boolean;
  withinTarget: boolean;
  loadAverage: number[];
}

const CODES_PER_DOCUMENT = 5;
const codesFor = (i: number): EdxmlStatusCode[] => ['01', '03', '04', '05', i % 10 === 9 ? '15' : '06'];

export async function measureStatusCatchUp(o: { statuses?: number } = {}): Promise<StatusCatchUpFigures> {
  const statuses = Math.ceil((o.statuses ?? SYNC_STATUS_TARGETS.statuses) / CODES_PER_DOCUMENT) * CODES_PER_DOCUMENT;
  const documents = statuses / CODES_PER_DOCUMENT;
  const tmp = tempDir('securedesk-status-bench-');
  const n = await networkPki();
  const closers: Array<() => unknown> = [];
  try {
    const hub = await startTestHub(hubConfig(n, join(tmp.dir, 'hub')));
    closers.unshift(() => hub.close());
    const hubUrl = `https://localhost:${hub.port}`;
    const serverA = await startAgency(agencyConfig(n, 'A', join(tmp.dir, 'A'), { backend: 'sqlite', hubUrl, pollMs: 50 }));
    closers.unshift(() => serverA.close());
    const serverB = await startAgency(agencyConfig(n, 'B', join(tmp.dir, 'B'), { backend: 'sqlite', hubUrl, pollMs: 50 }));
    closers.unshift(() => serverB.close());

    // A's profile: its văn thư holds the agency's keys (signing and encryption) in this test PKI.
    const A = n.agencies.A;
    const desk = await Desk.open({ profileDir: join(tmp.dir, 'profileA'), trustAnchors: [n.ca.certDer] });
    closers.unshift(() => desk.close());
    const identity = identityFromPem(A.encryption.certPem, A.encryption.keyPem);
    const session = await desk.setup({
      unit: { name: A.name, code: A.code, preset: 'party' },
      admin: { fullName: 'Nguyễn Thị Hương', position: 'Văn thư', role: 'van_thu', clearance: 'tuyet_mat' },
    }, identity);
    await desk.verdict();
    const clerk = actorFor(session.user);

    // A's issued documents, each sent to B: 70 % Thường, 30 % Mật.
    const t0 = performance.now();
    const levelOf = (i: number): Secrecy => (i % 10 < 7 ? 'thuong' : 'mat');
    const docs: Array<{ numberSymbol: string; date: string; level: Secrecy; dispatchGid: string }> = [];
    const registerId = desk.db.prepare("SELECT id FROM main.registers WHERE kind = 'outgoing' ORDER BY id LIMIT 1").pluck().get() as number;
    const now = new Date();
    writeTx(desk.db, () => {
      for (let i = 0; i < documents; i++) {
        const level = levelOf(i);
        const c = schemaOf(level);
        const date = `2026-${String(1 + (i % 11)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`;
        const numberSymbol = `${i + 1}-CV/TU`;
        const at = `${date}T03:00:00.000Z`;
        const id = nextRecordId(desk.db);
        desk.db.prepare(`INSERT INTO ${c}.outgoing (id, global_id, status, type_code, subject, secrecy, secrecy_rank, urgency, signer_id, drafted_by, created_at, updated_at,
            register_id, period, bucket, number, number_symbol, issued_date, issued_at, issued_by) VALUES (?,?, 'issued', 'CV', ?, ?, ?, 'thuong', ?, ?, ?, ?, ?, '2026', '*', ?, ?, ?, ?, ?)`)
          .run(id, newGlobalId(), `Về việc phối hợp triển khai nhiệm vụ số ${i + 1}`, level, secrecyRank(level), clerk.id, clerk.id, at, at, registerId, i + 1, numberSymbol, date, at, clerk.id);
        recordChange(desk.db, 'outgoing', id, 'create', clerk.id, now, c);
        const rid = nextRecordId(desk.db);
        desk.db.prepare(`INSERT INTO ${c}.outgoing_recipients (id, global_id, outgoing_id, ordinal, kind, code, name) VALUES (?,?,?,1,'external',?,?)`)
          .run(rid, newGlobalId(), id, CODES.B, n.agencies.B.name);
        recordChange(desk.db, 'outgoing_recipients', rid, 'create', clerk.id, now, c);
        const did = nextRecordId(desk.db);
        const dispatchGid = newGlobalId();
        desk.db.prepare(`INSERT INTO ${c}.outgoing_dispatches (id, global_id, outgoing_id, recipient_id, status, created_at, updated_at) VALUES (?,?,?,?,'sent',?,?)`)
          .run(did, dispatchGid, id, rid, at, at);
        recordChange(desk.db, 'outgoing_dispatches', did, 'create', clerk.id, now, c);
        docs.push({ numberSymbol, date, level, dispatchGid });
      }
    });
    const documentsMs = performance.now() - t0;
    progress(`sync statuses: ${documents} documents issued to B on A's profile in ${(documentsMs / 1000).toFixed(1)} s`);

    // B's statuses: made, signed with B's agency key, sealed for A when the document is Mật, and sent.
    const t1 = performance.now();
    const wsB = workstation(n, join(tmp.dir, 'wsB'), serverB.port, n.agencies.B.vanThu);
    closers.unshift(() => wsB.close());
    const keyB = softKey(n.agencies.B.signing.certDer, n.agencies.B.signing.keyPem);
    let sealed = 0;
    for (let i = 0; i < documents; i++) {
      const d = docs[i]!;
      for (const code of codesFor(i)) {
        const packetId = statusPacketId(d.dispatchGid, code);
        const seal = d.level !== 'thuong';
        if (seal) sealed++;
        const bytes = await makeStatusPacket({
          self: { code: CODES.B, name: n.agencies.B.name },
          target: { senderCode: CODES.A, documentId: `${CODES.A},${d.date.replaceAll('-', '/')},${d.numberSymbol}`, numberSymbol: d.numberSymbol, promulgationDate: d.date },
          code, description: code === '15' ? 'Đồng ý cập nhật' : null, at: new Date(), staff: 'Phạm Thị Lan', key: keyB,
          sealFor: seal ? [A.encryption.certPem] : null, packetId,
        });
        wsB.packets.send({ packetId, bytes });
      }
      if (i % 200 === 199) {
        await wsB.packets.flush();
        progress(`sync statuses: ${(i + 1) * CODES_PER_DOCUMENT} status packets made and sent by B`);
      }
    }
    await waitFor("B's outbox sent", async () => (await wsB.packets.flush().catch(() => 0), wsB.packets.status().outbox.queued === 0), 600_000, 50);
    const packetsMs = performance.now() - t1;
    // A's agency server pulls them from the hub on its own; A's workstation is offline meanwhile.
    const atA = () => serverA.store.db.selectFrom('packets_in').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow().then((r) => Number(r.n));
    await waitFor("the statuses queued at A's agency server", async () => (await atA()) >= statuses, 900_000, 200);
    const deliveredMs = performance.now() - t1;
    progress(`sync statuses: ${statuses} status packets queued at A's agency server (${(deliveredMs / 1000).toFixed(1)} s)`);

    // Reconnect: A's workstation signs in to its agency server and runs rounds until all are recorded.
    const transportKey = softKey(A.vanThu.certDer, A.vanThu.keyPem);
    const server = new ServerClient({
      db: desk.db, transport: { url: `https://localhost:${serverA.port}`, caPem: n.ca.certPem, timeoutMs: 30_000 }, signer: () => transportKey, channels: () => [],
      keys: { current: () => null, byId: () => null }, apply: () => {},
    });
    closers.unshift(() => server.close());
    const link = new ExchangeLink(desk.exchange, new PacketClient({ db: desk.db, server }));
    desk.exchange.inbox.claims = link.claims;
    const agencyKey = softKey(A.signing.certDer, A.signing.keyPem);
    const decryption = [softKey(A.encryption.certDer, A.encryption.keyPem)];
    const recorded = () => ['c_thuong', 'c_mat'].reduce((s, c) => s + (desk.db.prepare(`SELECT count(*) FROM ${c}.exchange_status_in`).pluck().get() as number), 0);
    let peakRss = process.memoryUsage().rss;
    const rss = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 100);
    let rounds = 0;
    const t2 = performance.now();
    const cpu0 = process.cpuUsage();
    try {
      await profiled('sync-statuses-catch-up', async () => {
        while (recorded() < statuses) {
          const r = await link.round(clerk, { agencyKey, decryption });
          rounds++;
          if (r.refused) throw new Error(`${r.refused} status packets refused at A`);
          if (performance.now() - t2 > 1_800_000) throw new Error('the catch-up took more than 30 min');
        }
      });
    } finally {
      clearInterval(rss);
    }
    const seconds = (performance.now() - t2) / 1000;
    const cpu = process.cpuUsage(cpu0);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    progress(`sync statuses: ${statuses} statuses applied on A in ${seconds.toFixed(1)} s (${rounds} rounds)`);

    // What "Văn bản đi" shows for a sample of documents: every code B sent, in order.
    const sample = [0, 1, Math.floor(documents / 2), documents - 3, documents - 1].filter((i, k, a) => i >= 0 && a.indexOf(i) === k);
    const shown = sample.every((i) => {
      const d = docs[i]!;
      const id = desk.db.prepare(`SELECT outgoing_id FROM ${schemaOf(d.level)}.outgoing_dispatches WHERE global_id = ?`).pluck().get(d.dispatchGid) as number;
      const codes = desk.exchange.dispatchStatuses(clerk, id).find((x) => x.code === CODES.B)?.statuses.map((s) => s.code) ?? [];
      return JSON.stringify([...codes].sort()) === JSON.stringify([...codesFor(i)].sort());
    });
    return {
      statuses, documents, sealed, clear: statuses - sealed, atTargetScale: statuses >= SYNC_STATUS_TARGETS.statuses,
      setup: { documentsMs: ms(documentsMs), packetsMs: ms(packetsMs), deliveredMs: ms(deliveredMs) },
      catchUpSeconds: ms(seconds), catchUpCpuSeconds: ms((cpu.user + cpu.system) / 1e6), statusesPerSecond: ms(statuses / seconds), rounds, peakRssMb: Math.round(peakRss / (1 << 20)),
      shownOnRegister: shown, withinTarget: shown && statuses >= SYNC_STATUS_TARGETS.statuses && seconds <= SYNC_STATUS_TARGETS.catchUpSeconds,
      loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
    };
  } finally {
    for (const c of closers) {
      try { await c(); } catch { /* closed */ }
    }
    n.pki.cleanup();
    tmp.cleanup();
  }
}
