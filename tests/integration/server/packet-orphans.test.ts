// Orphan packet files (server/storage/packetFiles.ts): a large body is written to its file before its row
// commits, so a crash in between leaves a file no row names. The agency server and the hub sweep them at
// start (older than the grace period, logged with a count); a file whose row exists is kept however old,
// and a young file is kept (its row may be about to commit).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startServer, type RunningServer } from '../../../server/app';
import type { ServerConfig } from '../../../server/config';
import { startHub, type RunningHub } from '../../../server/hub';
import type { Logger } from '../../../server/log';
import { PacketFiles } from '../../../server/storage/packetFiles';
import { sha256Hex } from '../../../main/core/sync/packets/queue';
import { tempDir } from '../../helpers/desk';
import { agencyConfig, clearPacket, CODES, hubConfig, networkPki, readdressed, sealedPacket, waitFor, workstation, type NetworkPki, type TestWorkstation } from '../../helpers/network';

const KEY = 'cd'.repeat(32);
let n: NetworkPki;
let tmp: { dir: string; cleanup(): void };

before(async () => {
  tmp = tempDir('securedesk-packet-orphans-');
  n = await networkPki();
});
after(() => {
  n?.pki.cleanup();
  tmp?.cleanup();
});

const lines: Array<{ msg: string; fields: Record<string, unknown> }> = [];
const logger: Logger = { log: (_level, msg, fields = {}) => { lines.push({ msg, fields }); } };
const sweeps = () => lines.filter((l) => l.msg === 'orphan packet files removed');
const TWO_HOURS_AGO = new Date(Date.now() - 2 * 60 * 60_000);
const age = (file: string) => utimesSync(file, TWO_HOURS_AGO, TWO_HOURS_AGO);
const listed = (dir: string) => (existsSync(dir) ? readdirSync(dir).sort() : []);

describe('orphan packet files are swept at start', () => {
  let hubCfg: ServerConfig;
  let cfgA: ServerConfig;
  let hub: RunningHub;
  let A: RunningServer;
  let ws: TestWorkstation;

  before(async () => {
    hubCfg = hubConfig(n, join(tmp.dir, 'hub'));
    hub = await startHub(hubCfg, { logger });
    hubCfg.listen.port = hub.port;
    cfgA = agencyConfig(n, 'A', join(tmp.dir, 'A'), { backend: 'sqlite', hubUrl: `https://localhost:${hub.port}`, pollMs: 30 });
    cfgA.storage = { ...(cfgA.storage as Extract<ServerConfig['storage'], { kind: 'sqlite' }>), keyHex: KEY };
    A = await startServer(cfgA, { logger });
    cfgA.listen.port = A.port;
    ws = workstation(n, join(tmp.dir, 'ws'), A.port, n.agencies.A.vanThu);
  });
  after(async () => {
    ws?.close();
    await A?.close();
    await hub?.close();
  });

  test('a file written the way the store writes, with no row, and a cut write\'s temporary go; real packets\' files and a young orphan stay', async () => {
    const inner = await clearPacket(n, 'A', [CODES.B], { attachmentBytes: 120_000, subject: 'Tài liệu lớn' });
    const real = readdressed((await sealedPacket(n, CODES.A, ['B'], inner.bytes)).bytes);
    ws.packets.send(real);
    assert.equal(await ws.packets.flush(), 1);
    await waitFor('the packet forwarded to the hub', async () => (await A.packets.outboundState(real.packetId))?.state === 'forwarded', 30_000, 20);
    await Promise.all([A.close(), hub.close()]);

    const aDir = `${(cfgA.storage as { file: string }).file}.packets`;
    const hubDir = `${(hubCfg.storage as { file: string }).file}.packets`;
    const realName = `${real.packetId}.${sha256Hex(real.bytes)}`;
    assert.deepEqual(listed(join(aDir, 'out')), [realName]);
    assert.deepEqual(listed(join(hubDir, 'hub')), [realName]);
    // What a kill -9 between the file's write and the row's commit leaves: the body under its name (put()
    // as the store calls it, encrypted on A), and a temporary of a write cut before its rename.
    const orphan = readdressed(real.bytes);
    const young = readdressed(real.bytes);
    const files = new PacketFiles(aDir, KEY);
    await files.put('out', orphan.packetId, sha256Hex(orphan.bytes), orphan.bytes);
    await files.put('in', young.packetId, sha256Hex(young.bytes), young.bytes);
    const tmpName = `${orphan.packetId}.${sha256Hex(orphan.bytes)}.0b6f1c1e-9c1d-4d4e-8f3a-2a6b1e0c9d7f.tmp`;
    writeFileSync(join(aDir, 'out', tmpName), real.bytes.subarray(0, 5000));
    const hubOrphan = readdressed(real.bytes);
    await new PacketFiles(hubDir).put('hub', hubOrphan.packetId, sha256Hex(hubOrphan.bytes), hubOrphan.bytes);
    // All old enough to sweep but the young one; the real packets' files too (kept because their rows exist).
    for (const f of [join(aDir, 'out', realName), join(aDir, 'out', `${orphan.packetId}.${sha256Hex(orphan.bytes)}`), join(aDir, 'out', tmpName), join(hubDir, 'hub', realName), join(hubDir, 'hub', `${hubOrphan.packetId}.${sha256Hex(hubOrphan.bytes)}`)]) age(f);

    lines.length = 0;
    hub = await startHub(hubCfg, { logger });
    A = await startServer(cfgA, { logger });
    cfgA.listen.port = A.port;
    assert.deepEqual(listed(join(aDir, 'out')), [realName], 'A: the orphan and the temporary are gone, the real body stays');
    assert.deepEqual(listed(join(aDir, 'in')), [`${young.packetId}.${sha256Hex(young.bytes)}`], 'A: a young file stays (its row may be about to commit)');
    assert.deepEqual(listed(join(hubDir, 'hub')), [realName], 'hub: the orphan is gone, the real body stays');
    assert.deepEqual(sweeps().map((l) => l.fields).sort((x, y) => Number(x.total) - Number(y.total)), [{ out: 0, in: 0, hub: 1, total: 1 }, { out: 2, in: 0, hub: 0, total: 2 }]);
    // The real packet is whole: A still reads it, the hub still lists it for B.
    assert.equal((await A.packets.outboundState(real.packetId))!.state, 'forwarded');
    const page = await hub.packets.hubList(CODES.B, 0, 10, 1 << 20);
    assert.ok(Buffer.from(page.rows[0]!.payload!, 'base64').equals(real.bytes));

    // Started again: nothing more to sweep, nothing logged.
    await Promise.all([A.close(), hub.close()]);
    lines.length = 0;
    hub = await startHub(hubCfg, { logger });
    A = await startServer(cfgA, { logger });
    assert.deepEqual(sweeps(), []);
    assert.deepEqual(listed(join(aDir, 'out')), [realName]);
  });
});
