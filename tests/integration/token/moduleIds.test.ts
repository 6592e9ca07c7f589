// No driver path from the window (issue 6, section 2, item 2): a shared library whose constructor
// writes a marker file is offered to every channel that takes a token (setup.create, session.unlock,
// session.legacyUsers, session.bindLegacy, users.bindToken), through the router and through the
// development host, by path and by the id it would have if discovery had found it. It is never
// loaded, and the window gets the same answer for that existing file as for a missing one. The
// driver discovery offers still works by its id.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import type { Wire } from '../../../common/contract';
import { Desk } from '../../../main/core/desk';
import { SessionGuard } from '../../../main/core/session/guard';
import { TokenService } from '../../../main/core/session/tokens';
import { startDevHost, type DevHost } from '../../../main/devhost/server';
import { createRouter } from '../../../main/ipc/router';
import { TokenBridge } from '../../../native/bridge/client';
import { moduleId } from '../../../native/modules/discovery';
import { createSoftHsm, type SoftHsm } from '../../fixtures/softhsm/tokens';
import { tempDir } from '../../helpers/desk';

const exec = promisify(execFile);
const work = tempDir('securedesk-modules-');
const marker = join(work.dir, 'loaded.marker');
const evil = join(work.dir, 'libevil.so');
const missing = join(work.dir, 'libmissing.so');
const SETUP = {
  unit: { name: 'Văn phòng Thành ủy', code: '000.00.01.T01', preset: 'party' },
  admin: { fullName: 'Nguyễn Văn An', position: 'Quản trị', role: 'quan_tri', clearance: 'tuyet_mat' },
};

let hsm: SoftHsm;
let bridge: TokenBridge;
let guard: SessionGuard;
let desk: Desk;
let host: DevHost;
let route: ReturnType<typeof createRouter>;

before(async () => {
  // A library that does its harm on load, before any PKCS#11 function is called.
  const source = join(work.dir, 'evil.c');
  writeFileSync(source, `#include <stdio.h>
__attribute__((constructor)) static void on_load(void) {
  FILE *f = fopen(${JSON.stringify(marker)}, "w");
  if (f) { fputs("loaded", f); fclose(f); }
}
int C_Nothing(void) { return 0; }
`);
  await exec('cc', ['-shared', '-fPIC', '-O0', '-o', evil, source]);
  hsm = await createSoftHsm({ tokens: ['userRsa'] });
  bridge = new TokenBridge({ env: hsm.env });
  desk = await Desk.open({ profileDir: join(work.dir, 'profile'), trustAnchors: [hsm.ca.certDer] });
  guard = new SessionGuard(desk, new TokenService(bridge, async () => [hsm.modulePath]));
  route = createRouter({ desk, guard, attachmentUrl: (t) => t });
  const renderer = join(work.dir, 'renderer');
  mkdirSync(renderer);
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>SecureDesk</title>');
  host = await startDevHost({ desk, guard, rendererDir: renderer });
});
after(async () => {
  await host?.close();
  await guard?.close();
  await hsm?.cleanup();
  work.cleanup();
});

/** The same call over the development host's HTTP transport. */
function viaHost(channel: string, input: unknown): Promise<Wire<unknown>> {
  const url = new URL(host.url);
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port: url.port, path: `/ipc/${channel}`, method: 'POST', headers: { Authorization: `Bearer ${host.token}`, 'Content-Type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => ok(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Wire<unknown>));
    });
    req.on('error', fail);
    req.end(JSON.stringify(input));
  });
}

const byPath = (path: string) => ({ module: path, serial: hsm.tokens.userRsa.serial });
const byId = (path: string) => ({ moduleId: moduleId(path), serial: hsm.tokens.userRsa.serial });
const good = () => byId(hsm.modulePath);

/** Each channel that names a token, with the token reference put where it goes. */
const calls = (token: unknown): Array<[string, unknown]> => [
  ['users.bindToken', { userId: 1, token }],
  ['setup.create', { ...SETUP, token, pin: hsm.tokens.userRsa.pin }],
  ['session.legacyUsers', { token, pin: hsm.tokens.userRsa.pin }],
  ['session.bindLegacy', { token, pin: hsm.tokens.userRsa.pin, userId: 1, person: good() }],
  ['session.bindLegacy', { token: good(), pin: hsm.tokens.userRsa.pin, userId: 1, person: token }],
  // Last: an unlock attempt ends the session that is open.
  ['session.unlock', { token, pin: hsm.tokens.userRsa.pin }],
];

async function attack(): Promise<string[]> {
  const codes: string[] = [];
  const pairs = [[byPath(evil), byPath(missing)], [byId(evil), byId(missing)]] as const;
  for (let i = 0; i < calls(null).length; i++) {
    for (const transport of [route, viaHost]) {
      for (const [existing, absent] of pairs) {
        const [channel, input] = calls(existing)[i]!;
        const a = await transport(channel, input);
        const b = await transport(channel, calls(absent)[i]![1]);
        assert.equal(a.ok, false, `${channel} accepted ${JSON.stringify(input)}`);
        assert.deepEqual(a, b, `${channel}: the answer differs for an existing and a missing library`);
        assert.doesNotMatch(JSON.stringify(a), /libevil|libmissing|NOT_PKCS11|MODULE_NOT_FOUND/);
        assert.equal(existsSync(marker), false, `${channel} loaded the library`);
        if (!a.ok) codes.push(`${channel}:${a.error.code}`);
      }
    }
  }
  return codes;
}

test('before setup: a library named by the window is never loaded, and tells nothing about the file', async () => {
  const codes = await attack();
  assert.ok(codes.includes('setup.create:TOKEN_ABSENT') && codes.includes('session.unlock:VALIDATION'), codes.join(' '));
  assert.equal(desk.state, 'new');
});

test('the driver discovery offers is named by its id: setup, lock, unlock', async () => {
  const dir = await route('tokens.directory', {});
  assert.ok(dir.ok);
  const listed = (dir.value as { modules: Array<{ id: string; path: string }>; tokens: Array<{ moduleId: string; serial: string }> });
  assert.deepEqual(listed.modules.map((m) => m.id), [moduleId(hsm.modulePath)]);
  assert.ok(listed.tokens.every((x) => x.moduleId === moduleId(hsm.modulePath)) && !JSON.stringify(listed.tokens).includes(hsm.modulePath));
  const setup = await route('setup.create', { ...SETUP, token: good(), pin: hsm.tokens.userRsa.pin });
  assert.ok(setup.ok, JSON.stringify(setup));
  // Signed in as the administrator: binding is as closed as signing in.
  const codes = await attack();
  assert.ok(codes.includes('users.bindToken:TOKEN_ABSENT'), codes.join(' '));
  const unlock = await route('session.unlock', { token: good(), pin: hsm.tokens.userRsa.pin });
  assert.ok(unlock.ok, JSON.stringify(unlock));
  assert.ok((await attack()).includes('session.unlock:TOKEN_ABSENT'));
});

test('control: the library does write its marker when something loads it', async () => {
  const direct = new TokenBridge({ env: hsm.env });
  try {
    await direct.info(evil).catch(() => undefined);
    assert.equal(existsSync(marker), true);
  } finally {
    await direct.close();
  }
});
