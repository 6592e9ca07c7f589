// The agency server's address and pinned CA from machine.json.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { AgencyServerConfigError, agencyServerFromMachine } from '../../main/core/sync/machine';

const dir = mkdtempSync(join(tmpdir(), 'securedesk-syncmachine-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

test('no agencyServer entry: no server', async () => {
  assert.equal(await agencyServerFromMachine({ pkcs11Modules: [] }), null);
  assert.equal(await agencyServerFromMachine(null), null);
});

test('the CA files are read and joined; the address must be https', async () => {
  writeFileSync(join(dir, 'a.pem'), pem);
  writeFileSync(join(dir, 'b.pem'), pem);
  const t = await agencyServerFromMachine({ agencyServer: { url: 'https://sync.vptu.local:8443', ca: [join(dir, 'a.pem'), join(dir, 'b.pem')] } });
  assert.equal(t?.url, 'https://sync.vptu.local:8443');
  assert.equal(t?.caPem.match(/BEGIN CERTIFICATE/g)?.length, 2);
  await assert.rejects(agencyServerFromMachine({ agencyServer: { url: 'http://sync.vptu.local', ca: [join(dir, 'a.pem')] } }), /https/);
  await assert.rejects(agencyServerFromMachine({ agencyServer: { url: 'https://x', ca: [] } }), AgencyServerConfigError);
  await assert.rejects(agencyServerFromMachine({ agencyServer: { url: 'https://x', ca: [join(dir, 'missing.pem')] } }), /cannot be read/);
  writeFileSync(join(dir, 'junk.pem'), 'not a certificate');
  await assert.rejects(agencyServerFromMachine({ agencyServer: { url: 'https://x', ca: [join(dir, 'junk.pem')] } }), /no PEM/);
});
