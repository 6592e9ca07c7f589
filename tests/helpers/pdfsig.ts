// poppler's pdfsig as the oracle for PDF signatures, with its own NSS database (certutil) holding
// the test CAs as trusted roots; and pdfsig as a second, independent signer (NSS, adbe.pkcs7.detached)
// for the key pk12util imports into that database.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { openssl, type Party } from './pki';

export interface PdfsigSignature {
  field: string;
  commonName: string;
  subFilter: string;
  /** "Signature is Valid.", "Digest Mismatch.", ... (without the trailing period). */
  validation: string;
  /** "Certificate is Trusted.", "Certificate issuer isn't Trusted.", ... */
  certificate: string;
  total: boolean;
}

export interface PdfsigReport { unsigned: boolean; signatures: PdfsigSignature[]; raw: string }

export class NssDb {
  readonly dir: string;
  constructor(parent: string) {
    this.dir = join(parent, 'nssdb');
    mkdirSync(this.dir, { recursive: true });
    execFileSync('certutil', ['-N', '-d', `sql:${this.dir}`, '--empty-password']);
  }

  /** Trusts `pem` (a file path) as a root for signatures. */
  trust(nick: string, pemPath: string): void {
    execFileSync('certutil', ['-A', '-d', `sql:${this.dir}`, '-n', nick, '-t', 'CT,C,C', '-i', pemPath]);
  }

  /** Imports a signer's key and certificate (and chain) for pdfsig -add-signature. */
  importKey(party: Party, chain: readonly Party[], workDir: string): void {
    const p12 = join(workDir, `${party.name}.p12`);
    const chainPem = join(workDir, `${party.name}-chain.pem`);
    writeFileSync(chainPem, chain.map((c) => c.certPem).join(''));
    openssl(['pkcs12', '-export', '-inkey', party.keyPath, '-in', party.certPath, ...(chain.length ? ['-certfile', chainPem] : []), '-name', party.name, '-passout', 'pass:pw', '-out', p12]);
    execFileSync('pk12util', ['-i', p12, '-d', `sql:${this.dir}`, '-W', 'pw'], { stdio: 'pipe' });
  }

  /** pdfsig's report on `path`, parsed. */
  check(path: string): PdfsigReport {
    // Not -no-ocsp: poppler 22.12 then reports every certificate as "Unknown issue"; the test
    // certificates carry no AIA, so nothing is fetched anyway.
    const r = spawnSync('pdfsig', ['-nssdir', `sql:${this.dir}`, path], { encoding: 'utf8' });
    const raw = `${r.stdout}${r.stderr}`;
    if (/does not contain any signatures/.test(raw)) return { unsigned: true, signatures: [], raw };
    const signatures = raw.split(/^Signature #\d+:$/m).slice(1).map((block) => {
      const field = (k: string) => new RegExp(`- ${k}: (.*)$`, 'm').exec(block)?.[1]?.trim() ?? '';
      return {
        field: field('Signature Field Name'),
        commonName: field('Signer Certificate Common Name'),
        subFilter: field('Signature Type'),
        validation: field('Signature Validation').replace(/\.$/, ''),
        certificate: field('Certificate Validation').replace(/\.$/, ''),
        total: /- Total document signed/.test(block),
      };
    });
    if (signatures.length === 0) throw new Error(`pdfsig said nothing usable (exit ${r.status}): ${raw}`);
    return { unsigned: false, signatures, raw };
  }

  /** Signs `input` with pdfsig itself (NSS; adbe.pkcs7.detached, as poppler 22.12 adds it). */
  pdfsigSign(input: string, output: string, nick: string, field: string): void {
    const r = spawnSync('pdfsig', [input, output, '-add-signature', '-nssdir', `sql:${this.dir}`, '-nick', nick, '-new-signature-field-name', field, '-reason', 'Ky thu'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`pdfsig -add-signature failed (${r.status}): ${r.stderr}`);
  }
}

/** The CMS and the signed bytes of signature `index` (0-based, file order), for openssl cms. */
export function extractSignature(pdf: Uint8Array, index: number): { cms: Buffer; content: Buffer } {
  const text = Buffer.from(pdf).toString('latin1');
  const ranges = [...text.matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)].map((m) => m.slice(1, 5).map(Number));
  const [a, b, c, d] = ranges[index]!;
  const padded = Buffer.from(text.slice(b! + 1, c! - 1).replace(/\s+/g, ''), 'hex');
  // The DER length of the ContentInfo: the padding after it is zeros. NSS writes BER with
  // indefinite lengths (0x80): then all of it, openssl stops at the end-of-contents itself.
  const l = padded[1]!;
  const n = l & 0x7f;
  const len = l === 0x80 ? padded.length : l < 0x80 ? 2 + l : 2 + n + padded.subarray(2, 2 + n).reduce((acc, x) => acc * 256 + x, 0);
  return { cms: padded.subarray(0, len), content: Buffer.concat([Buffer.from(pdf.subarray(a!, a! + b!)), Buffer.from(pdf.subarray(c!, c! + d!))]) };
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (b: Buffer) => {
  let c = 0xffffffff;
  for (const x of b) c = CRC_TABLE[(c ^ x) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};

/** A real RGBA PNG (a ring in `rgb` on transparency, like a seal, or a stroke like a signature). */
export function makePng(width: number, height: number, rgb: [number, number, number], shape: 'ring' | 'stroke'): Buffer {
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 4);
    for (let x = 0; x < width; x++) {
      const dx = x - width / 2, dy = y - height / 2;
      const r = Math.hypot(dx / (width / 2), dy / (height / 2));
      const on = shape === 'ring' ? (r > 0.8 && r < 0.95) || (r < 0.35 && Math.abs(dy) < height * 0.05) : Math.abs(dy - Math.sin(x / 6) * height * 0.25) < 2;
      if (on) row.set([...rgb, 255], 1 + x * 4);
    }
    rows.push(row);
  }
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

export const readBytes = (p: string) => new Uint8Array(readFileSync(p));
