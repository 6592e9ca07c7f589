// Telling which tokens are bound to a workstation before sign-in: the keyring's recipient
// identifiers (issuer + serial number) are read without any key. Real profile, real certificates.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pemToDer } from '../../../main/core/crypto';
import { keyringRecipients } from '../../../main/core/profile/keyring';
import { newDesk, tempDir } from '../../helpers/desk';

/** Another self-signed RSA certificate with the very same subject (so the same issuer name). */
function sameNameOtherCertificate(dir: string): Uint8Array {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '30',
    '-subj', '/CN=Nguyễn Thị Hương/O=Văn phòng Tỉnh ủy Quảng Ninh/C=VN', '-utf8'], { stdio: 'pipe' });
  return pemToDer(readFileSync(join(dir, 'c.pem'), 'utf8'))[0]!;
}

test('the keyring says which certificates it is addressed to, read-only and without a key', async () => {
  const { desk, identity, cleanup } = await newDesk();
  const t = tempDir();
  try {
    desk.lock('manual');
    const before = readFileSync(desk.keyringFile);
    const isBound = await keyringRecipients(desk.keyringFile);
    assert.ok(isBound, 'a keyring is there');
    assert.equal(isBound(identity.unlockKeys[0]!.certificate), true, 'the certificate bound at setup');
    assert.equal(isBound(sameNameOtherCertificate(t.dir)), false, 'same name, another serial and key: not bound');
    assert.equal(isBound(Uint8Array.from([0x30, 0x03, 0x02, 0x01, 0x00])), false, 'not a certificate');
    assert.deepEqual(readFileSync(desk.keyringFile), before, 'the keyring is untouched');
    assert.equal(desk.state, 'locked', 'reading the recipients opens nothing');
  } finally {
    t.cleanup();
    cleanup();
  }
});

test('no keyring, or one that does not parse: cannot be told (null)', async () => {
  const t = tempDir();
  try {
    assert.equal(await keyringRecipients(join(t.dir, 'keyring.cms')), null);
    writeFileSync(join(t.dir, 'broken.cms'), 'not a CMS file');
    assert.equal(await keyringRecipients(join(t.dir, 'broken.cms')), null);
  } finally {
    t.cleanup();
  }
});
