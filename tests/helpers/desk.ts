// Test helpers: real profiles in temporary directories, real files, the real core.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { IncomingRegisterInput } from '../../common/schemas';
import { makeIncomingRegisterSchema } from '../../common/schemas';
import { addDaysIso, todayIso } from '../../common/dates';
import type { NumberingPreset, Role, Secrecy } from '../../common/domain';
import { Desk, type TokenIdentity } from '../../main/core/desk';
import { pemToDer } from '../../main/core/crypto';
import { softKey } from './softKey';
import type { Actor } from '../../main/core/org/rights';
import { actorFor, addUser, getUser } from '../../main/core/org/users';
import { makeSamplePdf } from '../../main/devhost/samplePdf';

/**
 * Removes a profile directory. A background integrity check of a just-closed profile may still be
 * opening a compartment (its read-only connection makes the -shm file), so a directory emptied
 * under it can be refilled: wait and retry. (rmSync's own retries do not wait except on Windows.)
 */
export function removeTree(dir: string): void {
  for (let attempt = 1; ; attempt++) {
    try {
      rmSync(dir, { recursive: true, force: true });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOTEMPTY' || attempt >= 50) throw err;
      // A synchronous pause: the worker thread finishes its check meanwhile.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
}

export function tempDir(prefix = 'securedesk-test-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => removeTree(dir) };
}

let softIdentityCache: (TokenIdentity & { keyPem: string; certPem: string }) | undefined;
/**
 * A software stand-in for a person's token (an RSA key and a self-signed certificate made by the real
 * openssl), for tests about documents rather than tokens; the token tests use SoftHSM.
 */
export function softIdentity(): TokenIdentity & { keyPem: string; certPem: string } {
  if (softIdentityCache) return softIdentityCache;
  const t = tempDir('securedesk-softid-');
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${t.dir}/k.pem`, '-out', `${t.dir}/c.pem`, '-days', '3650',
      '-subj', '/CN=Nguyễn Thị Hương/O=Văn phòng Tỉnh ủy Quảng Ninh/C=VN', '-utf8', '-addext', 'basicConstraints=critical,CA:FALSE', '-addext', 'keyUsage=critical,digitalSignature,nonRepudiation,keyEncipherment'], { stdio: 'pipe' });
    const cert = pemToDer(readFileSync(`${t.dir}/c.pem`, 'utf8'))[0]!;
    const keyPem = readFileSync(`${t.dir}/k.pem`, 'utf8');
    const key = softKey(cert, keyPem);
    softIdentityCache = { unlockKeys: [key], signingKeys: [key], keyPem, certPem: readFileSync(`${t.dir}/c.pem`, 'utf8') };
    return softIdentityCache;
  } finally {
    t.cleanup();
  }
}

export async function newDesk(
  preset: NumberingPreset = 'state', dir?: string, opts: { now?: () => Date; trustAnchors?: readonly Uint8Array[] } = {},
): Promise<{ desk: Desk; admin: Actor; dir: string; identity: TokenIdentity; cleanup(): void }> {
  const t = dir ? { dir, cleanup: () => removeTree(dir) } : tempDir();
  // `now` is the clock of what the test does; setup binds a certificate made just now, so it runs on the real clock.
  let settingUp = true;
  const clock = opts.now;
  const desk = await Desk.open({ profileDir: t.dir, ...(opts.trustAnchors ? { trustAnchors: opts.trustAnchors } : {}), ...(clock ? { now: () => (settingUp ? new Date() : clock()) } : {}) });
  const identity = softIdentity();
  const session = await desk.setup({
    unit: { name: 'Văn phòng Tỉnh ủy Quảng Ninh', code: '000.00.01.H49', preset },
    admin: { fullName: 'Nguyễn Thị Hương', position: 'Văn thư', role: 'van_thu', clearance: 'tuyet_mat' },
  }, identity);
  settingUp = false;
  return { desk, admin: actorFor(session.user), dir: t.dir, identity, cleanup: () => { try { desk.close(); } catch { /* closed */ } t.cleanup(); } };
}

export function addActor(desk: Desk, role: Role, clearance: Secrecy, fullName = 'Người thử'): Actor {
  const id = addUser(desk.db, { fullName, position: 'Cán bộ', role, clearance });
  return actorFor(getUser(desk.db, id)!);
}

export async function stageBytes(desk: Desk, actor: Actor, bytes: Uint8Array | string, name = 'vanban.pdf') {
  return desk.attachments.stage(actor, Readable.from([Buffer.from(bytes)]), name);
}

let serial = 0;
export async function pdfBytes(subject: string): Promise<Uint8Array> {
  serial += 1;
  return makeSamplePdf({ issuer: 'Sở Thông tin và Truyền thông', numberSymbol: `${serial}/QĐ-UBND`, title: 'QUYẾT ĐỊNH', subject });
}

/** A valid registration input with one freshly staged PDF; override any field. Dates are checked by the desk's clock. */
export async function registration(desk: Desk, actor: Actor, over: Partial<IncomingRegisterInput> = {}) {
  const staged = over.stagedIds ? undefined : await stageBytes(desk, actor, await pdfBytes(over.subject ?? 'Văn bản thử'));
  return makeIncomingRegisterSchema(() => todayIso(desk.now())).parse({
    issuer: { name: 'Sở Thông tin và Truyền thông' },
    numberSymbol: `${++serial}/QĐ-UBND`,
    // Received today (by the desk's clock), dated the day before: in order whatever today is.
    documentDate: addDaysIso(todayIso(desk.now()), -1),
    arrivalDate: todayIso(desk.now()),
    typeCode: 'QĐ',
    subject: 'Về việc triển khai chính quyền điện tử',
    secrecy: 'thuong',
    urgency: 'thuong',
    stagedIds: staged ? [staged.stagedId] : [],
    ...over,
  });
}

/** The same software identity in another process (PEM texts passed on the command line or env). */
export function identityFromPem(certPem: string, keyPem: string): TokenIdentity {
  const cert = pemToDer(certPem)[0]!;
  const key = softKey(cert, keyPem);
  return { unlockKeys: [key], signingKeys: [key] };
}
