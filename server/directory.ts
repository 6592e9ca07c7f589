// The directory of agencies. The hub keeps it (from its configuration: identifier codes, names,
// aliases, encryption and signing certificates, the client certificate of each agency's server) and
// serves it to agency servers over mutual TLS; each agency server keeps its last copy
// (server_state 'directory') and serves it to its workstations (the recipients' encryption certificates).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { checkIdentifierCode } from '../common/identifierCode';
import { pemToDer } from '../main/core/crypto/certificates';
import type { Directory, DirectoryAgency } from '../main/core/sync/packets/protocol';
import type { DirectoryAgencyEntry } from './config';

const sha256Hex = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function canonicalCode(c: string, what: string): string {
  const r = checkIdentifierCode(c);
  if (!r.ok) throw new Error(`directory: ${what} "${c}" is not an identifier code (${r.reason})`);
  return r.code!;
}

/** SHA-256 (hex) of every certificate in a PEM text. */
export const pemPrints = (pem: string): string[] => pemToDer(pem).map(sha256Hex);

export class HubDirectory {
  private readonly byCode = new Map<string, DirectoryAgency>();
  /** Code or alias → the agency's code. */
  private readonly names = new Map<string, string>();
  private readonly servers = new Map<string, string>();
  private readonly signers = new Map<string, Set<string>>();
  readonly directory: Directory;

  constructor(entries: readonly DirectoryAgencyEntry[], now: Date = new Date()) {
    const agencies: DirectoryAgency[] = [];
    for (const e of entries) {
      const code = canonicalCode(e.code, 'code');
      const aliases = e.aliases.map((a) => canonicalCode(a, 'alias'));
      for (const n of [code, ...aliases]) {
        if (this.names.has(n)) throw new Error(`directory: ${n} is listed twice`);
        this.names.set(n, code);
      }
      const signing = e.signingCertificates.map((f) => readFileSync(f, 'utf8'));
      const a: DirectoryAgency = { code, name: e.name, aliases, encryptionCertificate: readFileSync(e.encryptionCertificate, 'utf8'), signingCertificates: signing };
      agencies.push(a);
      this.byCode.set(code, a);
      for (const p of pemPrints(readFileSync(e.serverCertificate, 'utf8'))) this.servers.set(p, code);
      this.signers.set(code, new Set(signing.flatMap(pemPrints)));
    }
    agencies.sort((x, y) => x.code.localeCompare(y.code));
    this.directory = { version: sha256Hex(Buffer.from(JSON.stringify(agencies))), issuedAt: now.toISOString(), agencies };
  }

  /** The agency a code or alias names, or null. */
  resolve(code: string): string | null {
    return this.names.get(code.trim().toUpperCase()) ?? null;
  }

  /** The agency whose server presented this client certificate (SHA-256 of its DER), or null. */
  agencyOfServer(certSha256: string): string | null {
    return this.servers.get(certSha256) ?? null;
  }

  /** Whether a certificate (SHA-256 of its DER) is one the agency signs its packets with. */
  isSigner(code: string, certSha256: string): boolean {
    return this.signers.get(code)?.has(certSha256) ?? false;
  }
}

/** An agency server's copy of the hub's directory, for recipients' checks and the workstations. */
export function directoryNames(d: Directory | null): Map<string, string> | null {
  if (!d) return null;
  const m = new Map<string, string>();
  for (const a of d.agencies) for (const n of [a.code, ...a.aliases]) m.set(n, a.code);
  return m;
}
