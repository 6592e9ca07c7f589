// The tokens this workstation can see, and signing in with one. Talks to the token bridge (its own
// process); turns what a token holds into what the core needs: the certificates that name the
// person, and the keys that can unlock the profile or sign.
import type { ModuleView, TokenCertificateView, TokenDirectory, TokenRefValue, TokenView } from '../../../common/contract';
import type { TokenBridge } from '../../../native/bridge/client';
import type { SlotInfo } from '../../../native/bridge/protocol';
import { isValidAt, parseCertificate, type CertificateInfo, type PrivateKeyOps } from '../crypto';
import type { TokenIdentity } from '../desk';
import { canUnlock, fingerprintOf } from '../org/certificates';
import { tokenKeyOps } from '../token/tokenKeyOps';
import { toDeskError } from './tokenErrors';

export type TokenRef = TokenRefValue;

const canSign = (c: CertificateInfo) =>
  c.keyUsage === null || c.keyUsage.includes('digitalSignature') || c.keyUsage.includes('nonRepudiation');

function algorithmName(c: CertificateInfo): string {
  const k = c.publicKey;
  if (k.algorithm === 'RSA' || k.algorithm === 'RSA-PSS') return `${k.algorithm} ${k.bits}`;
  if (k.algorithm === 'EC') return `EC ${k.curve}`;
  return k.oid;
}

export function certificateView(keyId: string, label: string, der: Uint8Array, now: Date): TokenCertificateView {
  const c = parseCertificate(der);
  return {
    keyId, label, subject: c.subject, commonName: c.commonName, issuer: c.issuer, serialNumber: c.serialNumber,
    notBefore: c.notBefore.toISOString(), notAfter: c.notAfter.toISOString(), keyUsage: c.keyUsage,
    algorithm: algorithmName(c), fingerprint: fingerprintOf(c), canUnlock: canUnlock(c), canSign: canSign(c), validNow: isValidAt(c, now),
  };
}

export interface SignedInToken {
  ref: TokenRef;
  identity: TokenIdentity;
  /** Keys able to sign, with their certificates (valid ones first). */
  signingKeys: PrivateKeyOps[];
}

export class TokenService {
  constructor(
    readonly bridge: TokenBridge,
    private readonly modules: () => Promise<string[]>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** `isBound`: whether a certificate opens this workstation's keyring (sets TokenView.bound). */
  async directory(opts: { isBound?: ((certificate: Uint8Array) => boolean) | null } = {}): Promise<TokenDirectory> {
    const paths = await this.modules();
    const probes = await this.bridge.listModules(paths);
    const modules: ModuleView[] = [];
    const tokens: TokenView[] = [];
    for (const p of probes) {
      if ('error' in p) {
        modules.push({ path: p.module, ok: false, error: (toDeskError(p.error) as Error).message });
        continue;
      }
      const i = p.info;
      modules.push({ path: p.module, ok: true, manufacturer: i.manufacturer, description: i.description, version: i.libraryVersion });
      let slots: SlotInfo[] = [];
      try {
        slots = await this.bridge.listSlots(p.module);
      } catch (err) {
        modules[modules.length - 1]!.error = (toDeskError(err) as Error).message;
        continue;
      }
      for (const s of slots) {
        // A blank token (SoftHSM's free slot, a card never personalised) holds no certificate to offer.
        if (!s.tokenPresent || !s.token || !s.token.initialized) continue;
        const t = s.token;
        const view: TokenView = {
          module: p.module, slotId: s.slotId, serial: t.serial, label: t.label, manufacturer: t.manufacturer, model: t.model,
          pinPad: t.pinPad, pin: { countLow: t.userPin.countLow, finalTry: t.userPin.finalTry, locked: t.userPin.locked }, certificates: [],
        };
        try {
          const certs = await this.bridge.listCertificates(p.module, { serial: t.serial });
          view.certificates = certs.map((c) => certificateView(c.id, c.label, c.der, this.now()));
          if (opts.isBound) view.bound = certs.some((c) => opts.isBound!(c.der));
        } catch (err) {
          view.error = (toDeskError(err) as Error).message;
        }
        tokens.push(view);
      }
    }
    return { modules, tokens };
  }

  /** Logs in (the PIN goes to the bridge once and is not kept) and returns what the token proves. */
  async signIn(ref: TokenRef, pin: string | undefined): Promise<SignedInToken> {
    try {
      await this.bridge.login(ref.module, { serial: ref.serial }, pin);
      const certs = await this.bridge.listCertificates(ref.module, { serial: ref.serial });
      const now = this.now();
      const entries = certs.map((c) => ({ c, info: parseCertificate(c.der) }));
      const keyFor = (e: (typeof entries)[number]) => tokenKeyOps(this.bridge, { module: ref.module, slot: { serial: ref.serial }, keyId: e.c.id, certificate: e.c.der });
      const byValidity = (a: (typeof entries)[number], b: (typeof entries)[number]) => Number(isValidAt(b.info, now)) - Number(isValidAt(a.info, now));
      return {
        ref,
        identity: {
          certificates: certs.map((c) => c.der),
          unlockKeys: entries.filter((e) => canUnlock(e.info)).sort(byValidity).map(keyFor),
        },
        signingKeys: entries.filter((e) => canSign(e.info)).sort(byValidity).map(keyFor),
      };
    } catch (err) {
      throw toDeskError(err);
    }
  }

  async signOut(ref: TokenRef): Promise<void> {
    await this.bridge.logout(ref.module, { serial: ref.serial }).catch(() => undefined);
  }
}
