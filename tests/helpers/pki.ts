// A throw-away test PKI made with the real openssl CLI: CAs and end-entity certificates with
// chosen keys, key usages and validity periods (`openssl ca` accepts explicit start and end
// dates, so expired and back-dated certificates are possible). Subjects are Vietnamese UTF-8.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type KeyAlg = 'rsa2048' | 'rsa3072' | 'ec-p256' | 'ec-p384';

export interface Party {
  name: string;
  keyPath: string;
  certPath: string;
  /** PEM private key (PKCS#8). */
  keyPem: string;
  certPem: string;
  certDer: Uint8Array;
}

export interface IssueOptions {
  key?: KeyAlg;
  /** openssl -subj form, e.g. "/C=VN/O=Bộ Tài chính/CN=Nguyễn Văn An". */
  subject: string;
  /** Issuing CA; omitted = self-signed. */
  issuer?: Party;
  ca?: boolean;
  pathLen?: number;
  /** openssl keyUsage value, e.g. "digitalSignature, nonRepudiation"; null = no extension. */
  keyUsage?: string | null;
  extKeyUsage?: string;
  /** YYYYMMDDHHMMSSZ */
  start?: string;
  end?: string;
  /** Digest the issuer signs with. */
  md?: 'sha256' | 'sha384';
  /** Sign the certificate with RSA-PSS (issuer must have an RSA key). */
  pss?: boolean;
  /** openssl subjectAltName value, e.g. "DNS:localhost, IP:127.0.0.1" (a TLS server's names). */
  subjectAltName?: string;
}

export const openssl = (args: string[], opts: { input?: Buffer | string } = {}): Buffer =>
  execFileSync('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 64 << 20, ...(opts.input !== undefined ? { input: opts.input } : {}) });

/** Runs openssl and returns { ok, stdout, stderr } instead of throwing. */
export function opensslTry(args: string[]): { ok: boolean; stdout: string; stderr: string } {
  try {
    const out = execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
    return { ok: true, stdout: out.toString(), stderr: '' };
  } catch (e) {
    const err = e as { stdout?: Buffer; stderr?: Buffer };
    return { ok: false, stdout: err.stdout?.toString() ?? '', stderr: err.stderr?.toString() ?? '' };
  }
}

const execFileAsync = promisify(execFile);

function genKeyArgs(key: KeyAlg, out: string): string[] {
  const alg = key.startsWith('rsa')
    ? ['-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${key === 'rsa3072' ? 3072 : 2048}`]
    : ['-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${key === 'ec-p256' ? 'P-256' : 'P-384'}`];
  return ['genpkey', ...alg, '-out', out];
}

const CA_CONFIG = (dir: string) => `
[ ca ]
default_ca = CA_default
[ CA_default ]
dir = ${dir}
database = ${dir}/index.txt
new_certs_dir = ${dir}/newcerts
serial = ${dir}/serial
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no
utf8 = yes
string_mask = utf8only
[ policy_any ]
commonName = supplied
`;

export class TestPki {
  readonly dir: string;
  private readonly parties = new Map<string, Party>();

  constructor(dir?: string) {
    this.dir = dir ?? mkdtempSync(join(tmpdir(), 'securedesk-pki-'));
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  get(name: string): Party {
    const p = this.parties.get(name);
    if (!p) throw new Error(`no party ${name}`);
    return p;
  }

  private caDir(issuerName: string): string {
    const d = join(this.dir, `ca-${issuerName}`);
    mkdirSync(join(d, 'newcerts'), { recursive: true });
    try {
      readFileSync(join(d, 'serial'));
    } catch {
      writeFileSync(join(d, 'index.txt'), '');
      // Random 16-byte serials, like real CAs (and a high bit set sometimes, to test sign handling).
      writeFileSync(join(d, 'serial'), `${Buffer.from(Array.from({ length: 16 }, () => Math.floor(Math.random() * 256))).toString('hex').toUpperCase()}\n`);
      writeFileSync(join(d, 'ca.cnf'), CA_CONFIG(d));
    }
    return d;
  }

  /** Generates keys in parallel (RSA key generation dominates the time of a test PKI). */
  async generateKeys(keys: Record<string, KeyAlg>): Promise<void> {
    await Promise.all(Object.entries(keys).map(([name, alg]) => execFileAsync('openssl', genKeyArgs(alg, join(this.dir, `${name}.key`)))));
  }

  /** Issues a certificate for `name` (reusing `name`.key if generateKeys made it). */
  issue(name: string, o: IssueOptions): Party {
    const keyPath = join(this.dir, `${name}.key`);
    const csrPath = join(this.dir, `${name}.csr`);
    const certPath = join(this.dir, `${name}.pem`);
    const extPath = join(this.dir, `${name}.ext`);
    if (!existsSync(keyPath)) openssl(genKeyArgs(o.key ?? 'rsa2048', keyPath));
    openssl(['req', '-new', '-utf8', '-key', keyPath, '-subj', o.subject, '-out', csrPath]);

    const ext = ['[ext]', 'subjectKeyIdentifier = hash'];
    if (o.issuer) ext.push('authorityKeyIdentifier = keyid:always');
    if (o.ca) ext.push(`basicConstraints = critical, CA:TRUE${o.pathLen !== undefined ? `, pathlen:${o.pathLen}` : ''}`);
    else ext.push('basicConstraints = CA:FALSE');
    const ku = o.keyUsage === undefined ? (o.ca ? 'keyCertSign, cRLSign' : 'digitalSignature, nonRepudiation, keyEncipherment') : o.keyUsage;
    if (ku !== null) ext.push(`keyUsage = critical, ${ku}`);
    if (o.extKeyUsage) ext.push(`extendedKeyUsage = ${o.extKeyUsage}`);
    if (o.subjectAltName) ext.push(`subjectAltName = ${o.subjectAltName}`);
    writeFileSync(extPath, `${ext.join('\n')}\n`);

    const signer = o.issuer ?? null;
    const ca = this.caDir(signer ? signer.name : name);
    const args = [
      'ca', '-batch', '-notext', '-utf8', '-preserveDN', '-config', join(ca, 'ca.cnf'),
      '-in', csrPath, '-out', certPath, '-extfile', extPath, '-extensions', 'ext',
      '-startdate', o.start ?? '20190101000000Z', '-enddate', o.end ?? '20450101000000Z', '-md', o.md ?? 'sha256',
    ];
    if (signer) args.push('-cert', signer.certPath, '-keyfile', signer.keyPath);
    else args.push('-selfsign', '-keyfile', keyPath);
    if (o.pss) args.push('-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32');
    openssl(args);

    const certPem = readFileSync(certPath, 'utf8');
    const party: Party = {
      name,
      keyPath,
      certPath,
      keyPem: readFileSync(keyPath, 'utf8'),
      certPem,
      certDer: new Uint8Array(Buffer.from(certPem.replace(/-----[^-]+-----|\s+/g, ''), 'base64')),
    };
    this.parties.set(name, party);
    return party;
  }

  /** Sets the serial (hex) of the next certificate `issuer` issues. */
  nextSerial(issuer: Party, hex: string): void {
    writeFileSync(join(this.caDir(issuer.name), 'serial'), `${hex}\n`);
  }

  /** Revokes `party`'s certificate in its issuer's `openssl ca` database (revocation date: now). */
  revoke(party: Party, issuer: Party, reason?: 'keyCompromise' | 'superseded' | 'cessationOfOperation'): void {
    const ca = this.caDir(issuer.name);
    openssl(['ca', '-batch', '-config', join(ca, 'ca.cnf'), '-revoke', party.certPath, '-cert', issuer.certPath, '-keyfile', issuer.keyPath, ...(reason ? ['-crl_reason', reason] : [])]);
  }

  /**
   * A CRL of `issuer` by `openssl ca -gencrl` (PEM; returns its path), listing what revoke() revoked.
   * lastUpdate/nextUpdate as YYYYMMDDHHMMSSZ; default: now and 30 days on.
   */
  crl(issuer: Party, o: { file?: string; lastUpdate?: string; nextUpdate?: string } = {}): string {
    const ca = this.caDir(issuer.name);
    const out = join(this.dir, o.file ?? `${issuer.name}-${Date.now()}-${Math.random().toString(16).slice(2, 8)}.crl.pem`);
    const times = [...(o.lastUpdate ? ['-crl_lastupdate', o.lastUpdate] : []), ...(o.nextUpdate ? ['-crl_nextupdate', o.nextUpdate] : ['-crldays', '30'])];
    openssl(['ca', '-batch', '-gencrl', '-config', join(ca, 'ca.cnf'), '-cert', issuer.certPath, '-keyfile', issuer.keyPath, '-md', 'sha256', ...times, '-out', out]);
    return out;
  }

  /**
   * An RFC 3161 TimeStampToken (DER) from `tsa` over `data`, made by `openssl ts -query` and
   * `openssl ts -reply -token_out` (genTime: now). The TSA's certificate is included.
   */
  timestampToken(tsa: Party, data: Uint8Array, chain: readonly Party[] = []): Uint8Array {
    const d = join(this.dir, `ts-${tsa.name}`);
    mkdirSync(d, { recursive: true });
    const id = `${Date.now()}-${Math.random().toString(16).slice(2, 8)}`;
    const dataPath = join(d, `${id}.bin`);
    writeFileSync(dataPath, data);
    if (!existsSync(join(d, 'serial'))) writeFileSync(join(d, 'serial'), '01\n');
    const chainPath = join(d, 'chain.pem');
    writeFileSync(chainPath, chain.map((c) => c.certPem).join(''));
    writeFileSync(join(d, 'tsa.cnf'), [
      '[ tsa ]', 'default_tsa = tsa1', '[ tsa1 ]', `dir = ${d}`, `serial = ${d}/serial`, 'crypto_device = builtin',
      `signer_cert = ${tsa.certPath}`, `signer_key = ${tsa.keyPath}`, ...(chain.length ? [`certs = ${chainPath}`] : []),
      'signer_digest = sha256', 'default_policy = 1.3.6.1.4.1.99999.1', 'digests = sha256, sha384, sha512', 'accuracy = secs:1',
      'ordering = no', 'tsa_name = yes', 'ess_cert_id_chain = no', 'ess_cert_id_alg = sha256', '',
    ].join('\n'));
    openssl(['ts', '-query', '-data', dataPath, '-sha256', '-cert', '-out', join(d, `${id}.tsq`)]);
    openssl(['ts', '-reply', '-config', join(d, 'tsa.cnf'), '-queryfile', join(d, `${id}.tsq`), '-token_out', '-out', join(d, `${id}.tst`)]);
    return new Uint8Array(readFileSync(join(d, `${id}.tst`)));
  }

  /** Writes PEM bundle of the given parties' certificates; returns its path. */
  bundle(fileName: string, parties: readonly Party[]): string {
    const p = join(this.dir, fileName);
    writeFileSync(p, parties.map((x) => x.certPem).join(''));
    return p;
  }
}

/**
 * The standard test hierarchy: an RSA root, an EC P-384 intermediate, end entities of every key
 * type we support, and a separate untrusted root. A few seconds (RSA key generation, in parallel).
 */
export async function standardPki(): Promise<TestPki & { root: Party; inter: Party }> {
  const pki = new TestPki();
  await pki.generateKeys({
    root: 'rsa3072', inter: 'ec-p384', alice: 'rsa2048', bob: 'rsa2048', eve: 'rsa2048', ec256: 'ec-p256', ec384: 'ec-p384',
    expired: 'ec-p256', encOnly: 'ec-p256', otherRoot: 'ec-p256', stranger: 'ec-p256',
  });
  const root = pki.issue('root', { key: 'rsa3072', subject: '/C=VN/O=Ban Cơ yếu Chính phủ/CN=Cơ quan chứng thực gốc thử nghiệm', ca: true });
  const inter = pki.issue('inter', { key: 'ec-p384', subject: '/C=VN/O=Ban Cơ yếu Chính phủ/OU=Cục Chứng thực số/CN=CA trung gian thử nghiệm', issuer: root, ca: true, pathLen: 0 });
  const leaf = (name: string, cn: string, o: Partial<IssueOptions> = {}) =>
    pki.issue(name, { subject: `/C=VN/L=Hà Nội/O=Bộ Tài chính/OU=Văn phòng/CN=${cn}`, issuer: inter, md: 'sha384', ...o });
  leaf('alice', 'Nguyễn Văn An');
  leaf('bob', 'Trần Thị Bích Ngọc');
  leaf('eve', 'Lê Văn Đức');
  leaf('ec256', 'Phạm Minh Đăng', { key: 'ec-p256', keyUsage: 'digitalSignature, nonRepudiation' });
  leaf('ec384', 'Hoàng Thu Hương', { key: 'ec-p384', keyUsage: 'digitalSignature, nonRepudiation' });
  leaf('expired', 'Đỗ Quang Hải', { key: 'ec-p256', keyUsage: 'digitalSignature, nonRepudiation', start: '20200101000000Z', end: '20210101000000Z' });
  // Key agreement only: a certificate that must not sign.
  leaf('encOnly', 'Vũ Thị Mai', { key: 'ec-p256', keyUsage: 'keyAgreement' });
  const otherRoot = pki.issue('otherRoot', { key: 'ec-p256', subject: '/C=VN/O=Tổ chức lạ/CN=CA không tin cậy', ca: true });
  pki.issue('stranger', { key: 'ec-p256', subject: '/C=VN/O=Tổ chức lạ/CN=Người lạ', issuer: otherRoot, keyUsage: 'digitalSignature' });
  return Object.assign(pki, { root, inter });
}
