// More SoftHSM tokens for identity tests, in a SoftHsm made by tests/fixtures/softhsm/tokens.ts:
// keys generated on the token, certificates issued by the fixture's test CA (or self-signed by the
// token key through OpenSSL's pkcs11 engine, as someone making their own certificate would), and
// the certificate objects on a token rewritten the way a token holder can (pkcs11-tool with the PIN).
// SoftHSM shows a new token only to processes that call C_Initialize afterwards: add tokens before
// the bridge starts (or close the bridge; its next call starts a fresh process).
import { execFile } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SOFTHSM_MODULE, type SoftHsm } from '../fixtures/softhsm/tokens';

const exec = promisify(execFile);

export interface CustomKey {
  /** CKA_ID, hex. */
  id: string;
  label: string;
  algorithm: 'rsa:2048' | 'EC:secp256r1';
  /** OpenSSL -subj form, UTF-8. */
  subject: string;
  /** openssl keyUsage value, e.g. "critical,keyEncipherment". */
  keyUsage: string;
  /** 'ca': issued by the SoftHsm's test CA; 'self': self-signed by the token key. */
  issuer: 'ca' | 'self';
  /** Validity window (default: yesterday to two years ahead). */
  start?: Date;
  end?: Date;
}

export interface CustomToken {
  label: string;
  pin: string;
  serial: string;
  /** DER certificate per key id. */
  certs: Record<string, Buffer>;
}

const SO_PIN = '12345678';

async function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  try {
    const { stdout, stderr } = await exec(cmd, args, { env, maxBuffer: 4 << 20 });
    return `${stdout}${stderr}`;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.slice(0, 3).join(' ')} failed: ${err.stderr || err.message}`);
  }
}

const tokenArgs = (label: string, pin: string) => ['--module', SOFTHSM_MODULE, '--token-label', label, '--login', '--pin', pin];
const asn1Time = (d: Date) => `${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;

/** Initialises a token and provisions its keys and certificates. */
export async function addToken(hsm: SoftHsm, label: string, pin: string, keys: readonly CustomKey[]): Promise<CustomToken> {
  await run('softhsm2-util', ['--init-token', '--free', '--label', label, '--so-pin', SO_PIN, '--pin', pin], hsm.env);
  const slots = await run('softhsm2-util', ['--show-slots'], hsm.env);
  const block = slots.split(/^Slot /m).find((b) => new RegExp(`Label:\\s*${label}\\s*$`, 'm').test(b));
  const serial = block ? /Serial number:\s*(\S+)/.exec(block)?.[1] : undefined;
  if (!serial) throw new Error(`SoftHSM shows no token ${label}`);
  const certs: Record<string, Buffer> = {};
  for (const key of keys) {
    await run('pkcs11-tool', [...tokenArgs(label, pin), '--keypairgen', '--key-type', key.algorithm, '--id', key.id, '--label', key.label], hsm.env);
    certs[key.id] = await certify(hsm, label, pin, key);
    await writeCertificate(hsm, { label, pin }, certs[key.id]!, key.id, key.label);
  }
  return { label, pin, serial, certs };
}

/** A certificate for the key on the token: a CSR signed by the token key, then the CA or the key itself signs. */
async function certify(hsm: SoftHsm, label: string, pin: string, key: CustomKey): Promise<Buffer> {
  const engineEnv = { ...hsm.env, OPENSSL_CONF: join(hsm.root, 'openssl-pkcs11.cnf') };
  const uri = `pkcs11:token=${label};id=%${key.id};type=private;pin-value=${pin}`;
  const base = join(hsm.root, `${label}-${key.id}-${randomBytes(4).toString('hex')}`);
  const start = key.start ?? new Date(Date.now() - 86_400_000);
  const end = key.end ?? new Date(Date.now() + 730 * 86_400_000);
  if (key.issuer === 'self') {
    await run('openssl', ['req', '-new', '-x509', '-engine', 'pkcs11', '-keyform', 'engine', '-key', uri, '-utf8', '-subj', key.subject, '-sha256',
      '-days', '365', '-addext', 'basicConstraints=critical,CA:FALSE', '-addext', `keyUsage=${key.keyUsage}`, '-out', `${base}.pem`], engineEnv);
  } else {
    await run('openssl', ['req', '-new', '-engine', 'pkcs11', '-keyform', 'engine', '-key', uri, '-utf8', '-subj', key.subject, '-sha256', '-out', `${base}.csr`], engineEnv);
    const caDir = join(hsm.root, 'ca');
    // `openssl ca` (the fixture's CA database) takes explicit dates, so expired certificates are possible.
    const cnf = join(caDir, 'ca.cnf');
    const section = `custom${randomBytes(3).toString('hex')}`;
    await writeFile(cnf, `${await readFile(cnf, 'utf8')}\n[${section}]\nbasicConstraints = critical,CA:FALSE\nkeyUsage = ${key.keyUsage}\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n`);
    await run('openssl', ['ca', '-batch', '-utf8', '-notext', '-config', cnf, '-extensions', section, '-startdate', asn1Time(start), '-enddate', asn1Time(end),
      '-in', `${base}.csr`, '-out', `${base}.pem`], hsm.env);
  }
  return new X509Certificate(await readFile(`${base}.pem`)).raw;
}

/** Writes a certificate object onto a token (what anyone holding the token's PIN can do). */
export async function writeCertificate(hsm: SoftHsm, token: { label: string; pin: string }, der: Uint8Array, id: string, label: string): Promise<void> {
  const file = join(hsm.root, `write-${randomBytes(6).toString('hex')}.der`);
  await writeFile(file, der);
  await run('pkcs11-tool', [...tokenArgs(token.label, token.pin), '--write-object', file, '--type', 'cert', '--id', id, '--label', label], hsm.env);
}

/** Deletes the certificate object with this CKA_ID from a token (the private key stays). */
export async function deleteCertificate(hsm: SoftHsm, token: { label: string; pin: string }, id: string): Promise<void> {
  await run('pkcs11-tool', [...tokenArgs(token.label, token.pin), '--delete-object', '--type', 'cert', '--id', id], hsm.env);
}

