// The agency server under 200 simulated workstations (`npm run bench -- --only server`), on SQLite
// and on a real PostgreSQL: the server runs as `npm run server` would (its own process, from a
// configuration file, TLS with the agency CA's certificate); the workstations share this process,
// each with its own keep-alive TLS connection, signed in with its own software key (real ECDSA).
// For a bounded time each workstation pulls the Mật channel after its cursor about once a second
// (jittered) and, one time in ten, first pushes a sealed batch of 5 events (AES-256-GCM under the
// level key, ~3 KB). Reported: latency of every request as the workstation sees it (p50/p95/p99/max),
// requests per second, errors; target p95 < 200 ms.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseCertificate } from '../../main/core/crypto/certificates';
import { newGlobalId } from '../../main/core/events/globalId';
import { API, authChallenge, type BatchPage, type SessionResponse } from '../../main/core/sync/protocol';
import { sealBatch } from '../../main/core/sync/seal';
import { Transport } from '../../main/core/sync/transport';
import { agencyPki, startAgencyServer, type Backend } from '../helpers/agencyServer';
import { startPostgres, type TestPostgres } from '../helpers/postgres';
import { softKey } from '../helpers/softKey';
import { ms, progress } from './stats';

export const SERVER_TARGETS = { p95Ms: 200 };

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');

export interface LatencySummary { n: number; p50: number; p95: number; p99: number; max: number; mean: number }

export interface ServerBackendFigures {
  backend: Backend;
  workstations: number;
  seconds: number;
  requests: number;
  requestsPerSecond: number;
  errors: number;
  pushes: number;
  batchesReceived: number;
  signInMs: LatencySummary;
  allMs: LatencySummary;
  pullMs: LatencySummary;
  pushMs: LatencySummary;
  withinTarget: boolean;
  /** The machine's 1-minute load average before and after the run: other work on the box inflates every figure. */
  loadAverage: { before: number; after: number };
}

export interface ServerFigures { workstations: number; seconds: number; backends: ServerBackendFigures[]; summary: Record<string, { p95Ms: number; withinTarget: boolean }> }

function summary(samples: number[]): LatencySummary {
  const s = Float64Array.from(samples).sort();
  const at = (p: number) => (s.length ? s[Math.min(s.length, Math.max(1, Math.ceil((p / 100) * s.length))) - 1]! : Number.NaN);
  let sum = 0;
  for (const x of s) sum += x;
  return { n: s.length, p50: ms(at(50)), p95: ms(at(95)), p99: ms(at(99)), max: ms(s.length ? s[s.length - 1]! : Number.NaN), mean: ms(sum / Math.max(1, s.length)) };
}

/** Starts `server/main.ts` with the configuration file; resolves with its port once it listens. */
function spawnServer(configFile: string): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolvePort, reject) => {
    // BENCH_SERVER_PROF=DIR: a CPU profile of the server process, for finding where its time goes.
    const prof = process.env.BENCH_SERVER_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_SERVER_PROF}`] : [];
    const child = spawn(process.execPath, [...prof, '--import', 'tsx', join(ROOT, 'server/main.ts'), '--config', configFile], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let buf = '';
    let found = false;
    child.stdout!.on('data', (c: Buffer) => {
      if (found) return; // request logs are drained, not kept
      buf += c.toString();
      for (const line of buf.split('\n')) {
        try {
          const j = JSON.parse(line) as { msg?: string; port?: number };
          if (j.msg === 'listening' && j.port) {
            found = true;
            resolvePort({ child, port: j.port });
          }
        } catch { /* partial line */ }
      }
    });
    let err = '';
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.once('exit', (code) => { if (!found) reject(new Error(`server exited (${code}): ${err}`)); });
  });
}

async function measureBackend(backend: Backend, workstations: number, seconds: number, pg: TestPostgres | undefined, dir: string): Promise<ServerBackendFigures> {
  const PEOPLE = 20;
  const names = Array.from({ length: PEOPLE }, (_, i) => `nguoi${i}`);
  const pki = await agencyPki(names);
  try {
    // The configuration (and database) the service runs from; started here only to write them.
    const prepared = await startAgencyServer({
      backend, ...(pg ? { pg } : {}), dir, pki,
      people: names.map((n) => ({ person: `p-${n}`, role: 'chuyen_vien' as const, clearance: 'mat' as const, certificates: [pki.person(n).certPath] })),
      limits: { requestsPerSecond: 50, burst: 200, signInPerSecond: 1000, signInBurst: 1000, pageSize: 100 },
      logger: { log: () => {} },
    });
    await prepared.close();
    const { child, port } = await spawnServer(prepared.configFile);
    const keyId = randomBytes(16).toString('hex');
    const levelKey = randomBytes(32);
    const all: number[] = [];
    const pulls: number[] = [];
    const pushes: number[] = [];
    const signIns: number[] = [];
    let errors = 0;
    let pushed = 0;
    let received = 0;
    const timed = async <T>(bucket: number[], fn: () => Promise<T>): Promise<T | null> => {
      const t0 = performance.now();
      try {
        const r = await fn();
        const dt = performance.now() - t0;
        bucket.push(dt);
        if (bucket !== signIns) all.push(dt);
        return r;
      } catch {
        errors++;
        return null;
      }
    };
    const url = `https://localhost:${port}`;
    const clients = Array.from({ length: workstations }, (_, i) => {
      const who = names[i % PEOPLE]!;
      return { t: new Transport({ url, caPem: pki.ca.certPem, maxSockets: 1 }), key: softKey(pki.person(who).certDer, pki.person(who).keyPem), ws: newGlobalId(), token: '', cursor: 0 };
    });
    try {
      progress(`server bench (${backend}): ${workstations} workstations sign in`);
      await Promise.all(clients.map(async (c) => {
        const s = await timed(signIns, async () => {
          const { data: n } = await c.t.json<{ nonce: string }>('POST', `${API}/auth/nonce`, {});
          const alg = parseCertificate(c.key.certificate).publicKey.algorithm === 'EC' ? 'ECDSA-SHA256' : 'RSASSA-PKCS1-v1_5-SHA256';
          const sig = await c.key.sign(alg, authChallenge(n.nonce, c.ws, c.t.serverCertSha256!));
          return (await c.t.json<SessionResponse>('POST', `${API}/auth/session`, {
            nonce: n.nonce, workstation: c.ws, certificate: Buffer.from(c.key.certificate).toString('base64'), algorithm: alg, signature: Buffer.from(sig).toString('base64'),
          })).data;
        });
        if (!s) throw new Error('a simulated workstation could not sign in');
        c.token = s.token;
      }));
      progress(`server bench (${backend}): ${seconds} s of sync`);
      const loadBefore = loadavg()[0]!;
      const end = performance.now() + seconds * 1000;
      const t0 = performance.now();
      await Promise.all(clients.map(async (c) => {
        await new Promise((r) => setTimeout(r, Math.random() * 1000)); // spread the start
        while (performance.now() < end) {
          const auth = { authorization: `Bearer ${c.token}` };
          if (Math.random() < 0.1) {
            const events = Array.from({ length: 5 }, () => ({ id: newGlobalId(), seq: 0, at: new Date().toISOString(), origin: c.ws, actor: null, entity: 'incoming', entityId: newGlobalId(), kind: 'create', data: { subject: randomBytes(200).toString('base64') } }));
            const batchId = newGlobalId();
            const eventIds = events.map((e) => e.id);
            const payload = sealBatch(levelKey, { channel: 'mat', keyId, batchId, eventIds }, Buffer.from(JSON.stringify(events)));
            const ok = await timed(pushes, () => c.t.json('POST', `${API}/events`, { batchId, channel: 'mat', keyId, encoding: 'aes-256-gcm', eventIds, payload: payload.toString('base64') }, auth));
            if (ok) pushed++;
          }
          const page = await timed(pulls, () => c.t.json<BatchPage>('GET', `${API}/events?channel=mat&after=${c.cursor}`, undefined, auth));
          if (page) {
            received += page.data.batches.length;
            c.cursor = page.data.next;
          }
          await new Promise((r) => setTimeout(r, 500 + Math.random() * 1000));
        }
      }));
      const elapsed = (performance.now() - t0) / 1000;
      const allS = summary(all);
      return {
        backend, workstations, seconds, requests: all.length, requestsPerSecond: Math.round(all.length / elapsed), errors, pushes: pushed, batchesReceived: received,
        signInMs: summary(signIns), allMs: allS, pullMs: summary(pulls), pushMs: summary(pushes), withinTarget: allS.p95 < SERVER_TARGETS.p95Ms && errors === 0,
        loadAverage: { before: Math.round(loadBefore * 100) / 100, after: Math.round(loadavg()[0]! * 100) / 100 },
      };
    } finally {
      for (const c of clients) c.t.close();
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  } finally {
    pki.pki.cleanup();
  }
}

export async function measureServer(o: { workstations?: number; seconds?: number } = {}): Promise<ServerFigures> {
  const workstations = o.workstations ?? 200;
  const seconds = o.seconds ?? 30;
  const dir = mkdtempSync(join(tmpdir(), 'securedesk-server-bench-'));
  const backends: ServerBackendFigures[] = [];
  try {
    backends.push(await measureBackend('sqlite', workstations, seconds, undefined, join(dir, 'sqlite')));
    const pg = await startPostgres('bench');
    try {
      backends.push(await measureBackend('postgres', workstations, seconds, pg, join(dir, 'postgres')));
    } finally {
      pg.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { workstations, seconds, backends, summary: Object.fromEntries(backends.map((b) => [b.backend, { p95Ms: b.allMs.p95, withinTarget: b.withinTarget }])) };
}
