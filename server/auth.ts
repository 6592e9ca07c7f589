// Authentication without passwords. A workstation asks for a nonce; the person's token signs
// authChallenge(nonce, workstation, server certificate hash); the server checks the signature with
// the certificate's key, the certificate's chain to the agency CA (and the CRLs, when configured),
// and finds the person by that certificate alone: nothing the client says about who it is counts.
// Nonces are single-use and short-lived; sessions expire. Both live in memory: a restart asks every
// workstation to sign in again, which the client does by itself.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Secrecy } from '../common/domain';
import { checkPathRevocation } from '../main/core/crypto/crl';
import { parseCertificate, parseCertificates, publicKeyOf, verifyChain, type CertificateInfo } from '../main/core/crypto/certificates';
import { checkSignature, type ParsedSignatureAlg } from '../main/core/crypto/algorithms';
import { authChallenge, type SessionRequest } from '../main/core/sync/protocol';
import type { PersonEntry, ServerConfig } from './config';
import { CrlSource } from './crlSource';

export class AuthError extends Error {
  override readonly name = 'AuthError';
  constructor(readonly status: 400 | 401 | 403, message: string) {
    super(message);
  }
}

export interface Session {
  token: string;
  person: string;
  role: PersonEntry['role'];
  clearance: Secrecy;
  workstation: string;
  certificateSha256: string;
  expiresAt: number;
}

const ALGS: Record<SessionRequest['algorithm'], ParsedSignatureAlg> = {
  'RSASSA-PKCS1-v1_5-SHA256': { kind: 'rsa-pkcs1', hash: 'SHA-256' },
  'ECDSA-SHA256': { kind: 'ecdsa', hash: 'SHA-256' },
};

const WORKSTATION_RE = /^[0-9A-Za-z-]{8,64}$/;
const sha256Hex = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

export class Authenticator {
  private readonly nonces = new Map<string, number>();
  private readonly sessions = new Map<string, Session>();
  private readonly anchors: CertificateInfo[];
  private readonly intermediates: CertificateInfo[];
  private readonly crls: CrlSource;
  private readonly people = new Map<string, PersonEntry>();

  constructor(private readonly cfg: ServerConfig, private readonly serverCertSha256: string, private readonly clock: () => number = Date.now) {
    this.anchors = parseCertificates(cfg.trustAnchors.map((f) => readFileSync(f, 'utf8')));
    this.intermediates = parseCertificates(cfg.intermediates.map((f) => readFileSync(f, 'utf8')));
    this.crls = new CrlSource(cfg.crls);
    for (const p of cfg.people) {
      for (const file of p.certificates) {
        for (const c of parseCertificates([readFileSync(file, 'utf8')])) this.people.set(c.fingerprintSha256, p);
      }
    }
  }

  issueNonce(): { nonce: string; expiresAt: number } {
    const now = this.clock();
    if (this.nonces.size > 10_000) this.sweep(now);
    const nonce = randomBytes(32).toString('base64url');
    const expiresAt = now + this.cfg.limits.nonceTtlSeconds * 1000;
    this.nonces.set(nonce, expiresAt);
    return { nonce, expiresAt };
  }

  private sweep(now: number): void {
    for (const [n, exp] of this.nonces) if (exp < now) this.nonces.delete(n);
    for (const [t, s] of this.sessions) if (s.expiresAt < now) this.sessions.delete(t);
  }

  /** Verifies a signed nonce and opens a session for the certificate's person. */
  openSession(req: SessionRequest): Session {
    const now = this.clock();
    if (!WORKSTATION_RE.test(req.workstation)) throw new AuthError(400, 'workstation id is malformed');
    const alg = ALGS[req.algorithm];
    if (!alg) throw new AuthError(400, 'unsupported signature algorithm');
    // Single use: gone before anything else is checked, so a failed attempt cannot be retried with it.
    const exp = this.nonces.get(req.nonce);
    this.nonces.delete(req.nonce);
    if (exp === undefined) throw new AuthError(401, 'unknown or already used nonce');
    if (exp < now) throw new AuthError(401, 'nonce expired');
    let cert: CertificateInfo;
    try {
      cert = parseCertificate(Buffer.from(req.certificate, 'base64'));
    } catch {
      throw new AuthError(400, 'certificate does not parse');
    }
    if (cert.keyUsage && !cert.keyUsage.includes('digitalSignature') && !cert.keyUsage.includes('nonRepudiation')) throw new AuthError(401, 'certificate may not sign');
    const bad = checkSignature(publicKeyOf(cert), alg, authChallenge(req.nonce, req.workstation, this.serverCertSha256), Buffer.from(req.signature, 'base64'));
    if (bad) throw new AuthError(401, `signature refused: ${bad}`);
    const at = new Date(now);
    const chain = verifyChain(cert, { trustAnchors: this.anchors, intermediates: this.intermediates, at });
    if (!chain.ok) throw new AuthError(401, `certificate refused: ${chain.reason}`);
    const crls = this.crls.get();
    if (crls.length > 0) {
      const rev = checkPathRevocation(chain.path, crls, at);
      if (rev.status === 'revoked') throw new AuthError(401, 'certificate revoked');
    }
    const person = this.people.get(cert.fingerprintSha256);
    if (!person) throw new AuthError(403, 'certificate is not enrolled on this server');
    const token = randomBytes(32).toString('base64url');
    const session: Session = {
      token, person: person.person, role: person.role, clearance: person.clearance, workstation: req.workstation,
      certificateSha256: sha256Hex(cert.der), expiresAt: now + this.cfg.limits.sessionTtlSeconds * 1000,
    };
    this.sessions.set(token, session);
    return session;
  }

  /** Ends every session of a workstation (declared lost). */
  dropWorkstation(workstation: string): void {
    for (const [t, s] of this.sessions) if (s.workstation === workstation) this.sessions.delete(t);
  }

  /** The live session of a bearer token, or null. */
  session(token: string): Session | null {
    const s = this.sessions.get(token);
    if (!s) return null;
    if (s.expiresAt < this.clock()) {
      this.sessions.delete(token);
      return null;
    }
    return s;
  }
}
