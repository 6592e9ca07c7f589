// Finding token drivers: machine.json validation and the well-known fallback, on the real
// filesystem of this machine (SoftHSM and OpenSC are installed here).
//   node --import tsx --test tests/integration/token/discovery.test.ts
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { discoverModules, wellKnownModules } from '../../../native/modules/discovery';
import { defaultMachineConfigPath, MachineConfigError, readMachineConfig } from '../../../native/modules/machineConfig';

const SOFTHSM = '/usr/lib/softhsm/libsofthsm2.so';

describe('token module discovery', () => {
  let dir: string;
  const config = async (name: string, body: unknown, mode = 0o644): Promise<string> => {
    const file = join(dir, name);
    await writeFile(file, typeof body === 'string' ? body : JSON.stringify(body));
    await chmod(file, mode);
    return file;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'securedesk-discovery-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('default config locations', () => {
    assert.equal(defaultMachineConfigPath('linux'), '/etc/securedesk/machine.json');
    assert.equal(
      defaultMachineConfigPath('win32', { ProgramData: 'D:\\ProgramData' }),
      'D:\\ProgramData\\SecureDesk\\machine.json',
    );
  });

  test('no machine.json: well-known modules that exist, symlinks counted once', async () => {
    const r = await discoverModules({ configPath: join(dir, 'absent.json') });
    assert.equal(r.config, null);
    const paths = r.modules.map((m) => m.path);
    assert.ok(paths.includes(SOFTHSM));
    assert.ok(paths.includes('/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so'));
    assert.ok(!paths.includes('/usr/lib/x86_64-linux-gnu/pkcs11/opensc-pkcs11.so'), 'same library as the one above');
    assert.equal(r.modules.find((m) => m.path === SOFTHSM)?.software, true);
    assert.ok(r.modules.every((m) => m.source === 'well-known'));
  });

  test('machine.json decides: listed modules only, missing ones reported', async () => {
    const missing = join(dir, 'vendor-missing.so');
    const file = await config('ok.json', { pkcs11Modules: [SOFTHSM, missing], idleLockMinutes: 10, exchange: { url: 'x' } });
    const r = await discoverModules({ configPath: file });
    assert.deepEqual(r.modules.map((m) => [m.path, m.source, m.software]), [[SOFTHSM, 'machine-config', true]]);
    assert.deepEqual(r.skipped, [{ path: missing, reason: 'not found' }]);
    assert.equal(r.config?.idleLockMinutes, 10);
  });

  test('a world-writable module is refused', async () => {
    const lib = join(dir, 'libwritable.so');
    await writeFile(lib, 'x');
    await chmod(lib, 0o666);
    const r = await discoverModules({ configPath: await config('w.json', { pkcs11Modules: [lib] }) });
    assert.deepEqual(r.skipped, [{ path: lib, reason: 'writable by other users' }]);
    const link = join(dir, 'softhsm-link.so');
    await symlink(SOFTHSM, link);
    const both = await discoverModules({ configPath: await config('l.json', { pkcs11Modules: [SOFTHSM, link] }) });
    assert.equal(both.modules.length, 1);
  });

  test('errors name the bad field in English', async () => {
    const cases: [unknown, RegExp][] = [
      [{}, /field "pkcs11Modules" is required/],
      [{ pkcs11Modules: [SOFTHSM, 'relative.so'] }, /field "pkcs11Modules\[1\]" must be an absolute path/],
      [{ pkcs11Modules: [], idleLockMinutes: 0 }, /field "idleLockMinutes"/],
      [{ pkcs11Modules: [], trustAnchors: [42] }, /field "trustAnchors\[0\]"/],
      ['{ "pkcs11Modules": [', /is not valid JSON/],
    ];
    for (const [body, message] of cases) {
      const file = await config('bad.json', body);
      await assert.rejects(readMachineConfig(file), (e: unknown) => e instanceof MachineConfigError && message.test(e.message));
    }
    const open = await config('open.json', { pkcs11Modules: [] }, 0o666);
    await assert.rejects(readMachineConfig(open), /writable by other users/);
  });

  test('Windows paths are checked as Windows paths', async () => {
    const file = await config('win.json', { pkcs11Modules: ['C:\\Windows\\System32\\vnpt-ca_csp11.dll'] });
    const parsed = await readMachineConfig(file, { platform: 'win32', requireProtected: false });
    assert.deepEqual(parsed?.pkcs11Modules, ['C:\\Windows\\System32\\vnpt-ca_csp11.dll']);
    const known = wellKnownModules('win32', { SystemRoot: 'C:\\Windows' }).map((m) => m.path);
    assert.ok(known.includes('C:\\Windows\\System32\\eTPKCS11.dll'));
    assert.ok(known.includes('C:\\Windows\\System32\\viettel-ca_v6.dll'));
  });
});
