// The agency server's batch claims route (POST /v1/packets/inbox/claims), on both back ends (A on
// PostgreSQL, B on SQLite): a page's takes in one request, with the per-packet route's rules: the first
// insert wins (the batch and the old route agree whichever asked first), the takes of packets not taken
// now are only read, packets the agency does not hold refuse the whole request before anything is
// claimed, bad bodies are refused, and only the văn thư and administrators may ask.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunningServer } from '../../../server/app';
import type { RunningHub } from '../../../server/hub';
import { CLAIMS_BATCH_MAX, PACKETS_API, packetKeyString, type PacketKey } from '../../../main/core/sync/packets/protocol';
import { TransportError } from '../../../main/core/sync/transport';
import { tempDir } from '../../helpers/desk';
import { agencyConfig, clearPacket, CODES, hubConfig, networkPki, startAgency, startTestHub, waitFor, workstation, type NetworkPki, type TestWorkstation } from '../../helpers/network';
import { startPostgres, type TestPostgres } from '../../helpers/postgres';

let n: NetworkPki;
let pg: TestPostgres;
let tmp: { dir: string; cleanup(): void };
let hub: RunningHub;
const servers: Partial<Record<'A' | 'B', RunningServer>> = {};
const opened: TestWorkstation[] = [];

before(async () => {
  tmp = tempDir('securedesk-claims-batch-');
  [n, pg] = await Promise.all([networkPki(), startPostgres()]);
  hub = await startTestHub(hubConfig(n, join(tmp.dir, 'hub')));
  const hubUrl = `https://localhost:${hub.port}`;
  [servers.A, servers.B] = await Promise.all([
    startAgency(agencyConfig(n, 'A', join(tmp.dir, 'A'), { backend: 'postgres', pg, hubUrl, pollMs: 50 })),
    startAgency(agencyConfig(n, 'B', join(tmp.dir, 'B'), { backend: 'sqlite', hubUrl, pollMs: 50 })),
  ]);
});
after(async () => {
  for (const w of opened) w.close();
  await Promise.all([servers.A?.close(), servers.B?.close()]);
  await hub?.close();
  pg?.stop();
  n?.pki.cleanup();
  tmp?.cleanup();
});

const ws = (agency: 'A' | 'B', name: string, who: 'vanThu' | 'chuyenVien' = 'vanThu'): TestWorkstation => {
  const w = workstation(n, join(tmp.dir, `${agency}-${name}`), servers[agency]!.port, n.agencies[agency][who]);
  opened.push(w);
  return w;
};

/** `count` packets from the other agency, queued at `to`'s agency server. */
async function arrivals(to: 'A' | 'B', count: number): Promise<string[]> {
  const from = to === 'A' ? 'B' : 'A';
  const sender = ws(from, `sender-${to}-${count}`);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const p = await clearPacket(n, from, [CODES[to]]);
    sender.packets.send(p);
    ids.push(p.packetId);
  }
  await waitFor(`${count} packets sent`, async () => (await sender.packets.flush().catch(() => 0), sender.packets.status().outbox.queued === 0), 60_000, 50);
  const store = servers[to]!.packets;
  await waitFor(`${count} packets at ${to}`, async () => (await Promise.all(ids.map((id) => store.hasInbound(id)))).every(Boolean), 60_000, 50);
  return ids;
}

async function post(w: TestWorkstation, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await w.server.request('POST', `${PACKETS_API}/inbox/claims`, { body: Buffer.from(JSON.stringify(body)), headers: { 'content-type': 'application/json' } });
  return { status: res.status, body: JSON.parse(res.body.toString('utf8')) as Record<string, unknown> };
}

for (const agency of ['A', 'B'] as const) {
  // A packet is named by its sender and id (docs/server.md, "Packet ids are the sender's"); answers come by packetKeyString.
  const key = (id: string): PacketKey => ({ from: CODES[agency === 'A' ? 'B' : 'A'], packetId: id });
  const keys = (ids: string[]): PacketKey[] => ids.map(key);
  const k = (id: string): string => packetKeyString(key(id));
  describe(`batch claims on agency server ${agency} (${agency === 'A' ? 'PostgreSQL' : 'SQLite'})`, () => {
    test('one request takes a page; a second workstation is answered with the first one\'s takes, by the batch and by the old route', async () => {
      const ids = await arrivals(agency, 6);
      const w1 = ws(agency, 'w1');
      const w2 = ws(agency, 'w2');
      // w2 takes one packet by the old per-packet route first: the batch must not take it from it.
      const early = await w2.packets.claim(key(ids[5]!), 'take');
      assert.equal(early.mine, true);
      const first = await w1.packets.claimMany(keys(ids.slice(0, 4).concat(ids[5]!)), [key(ids[4]!)]);
      assert.ok(first);
      for (const id of ids.slice(0, 4)) assert.equal(first.take[k(id)]?.mine, true, `w1 took ${id}`);
      assert.equal(first.take[k(ids[5]!)]?.mine, false, 'the old route\'s earlier take holds');
      assert.equal(first.read[k(ids[4]!)], null, 'a packet only read is not taken');
      const second = await w2.packets.claimMany(keys(ids.slice(0, 5)), keys(ids.slice(0, 2)));
      assert.ok(second);
      for (const id of ids.slice(0, 4)) {
        assert.equal(second.take[k(id)]?.mine, false);
        assert.equal(second.take[k(id)]?.workstation, first.take[k(id)]?.workstation, 'the first insert won');
      }
      assert.equal(second.take[k(ids[4]!)]?.mine, true, 'the packet w1 only read was free to take');
      for (const id of ids.slice(0, 2)) assert.equal(second.read[k(id)]?.mine, false);
      // The old routes see the batch's takes.
      assert.equal((await w2.packets.claim(key(ids[0]!), 'take')).mine, false);
      assert.equal((await w2.packets.claims(key(ids[0]!))).take?.workstation, first.take[k(ids[0]!)]?.workstation);
      // A workstation from before claims named the sender asks by the id alone: the same packet (its only sender's).
      const byId = await post(w2, { take: [ids[0]!], read: [] });
      assert.equal(byId.status, 200);
      assert.equal((byId.body.take as Record<string, { workstation: string }>)[ids[0]!]?.workstation, first.take[k(ids[0]!)]?.workstation);
      const old = await w2.server.request('GET', `${PACKETS_API}/inbox/${ids[0]!}/claims`);
      assert.equal((JSON.parse(old.body.toString('utf8')) as { take: { workstation: string } }).take.workstation, first.take[k(ids[0]!)]?.workstation);
      // Asking again for one's own takes answers the same (a retry after a lost answer).
      const again = await w1.packets.claimMany(keys(ids.slice(0, 4)), []);
      assert.deepEqual(again?.take, Object.fromEntries(ids.slice(0, 4).map((id) => [k(id), first.take[k(id)]])));
    });

    test('a packet the agency does not hold refuses the whole request, nothing claimed; bad bodies and other roles are refused', async () => {
      const [id] = await arrivals(agency, 1);
      const w = ws(agency, 'w3');
      const unknown = await post(w, { take: [key(id!), 'khong-co-goi-tin-nay-0000'], read: [] });
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.error, 'not-found');
      // Another sender's name on a held id is no packet the agency holds.
      const otherSender = await post(w, { take: [key(id!), { from: CODES[agency], packetId: id }], read: [] });
      assert.equal(otherSender.status, 404);
      assert.equal((await w.packets.claims(key(id!))).take, null, 'nothing was claimed by the refused requests');
      for (const bad of [{ take: ['../../etc'] }, { take: 'x' }, { take: [id], read: [], kind: 'decide' }, { take: [{ from: 'A/B', packetId: id }] }, { take: [{ from: CODES[agency], packetId: id, extra: 1 }] }, { take: Array.from({ length: CLAIMS_BATCH_MAX + 1 }, (_, i) => `packet-${String(i).padStart(8, '0')}`) }]) {
        const r = await post(w, bad);
        assert.equal(r.status, 400, JSON.stringify(bad).slice(0, 80));
        assert.equal(r.body.error, 'bad-request');
      }
      const notJson = await w.server.request('POST', `${PACKETS_API}/inbox/claims`, { body: Buffer.from('{take:'), headers: { 'content-type': 'application/json' } });
      assert.equal(notJson.status, 400);
      const cv = ws(agency, 'cv', 'chuyenVien');
      await assert.rejects(cv.packets.claimMany([key(id!)], []), (e: unknown) => e instanceof TransportError && e.status === 403);
      assert.equal((await w.packets.claims(key(id!))).take, null, 'the refused person claimed nothing');
      const get = await w.server.request('GET', `${PACKETS_API}/inbox/claims`);
      assert.equal(get.status, 405);
    });
  });
}
