// The tokens this workstation can see, and signing in with one. Talks to the token bridge (its own
// process); turns what a token holds into what the core needs: each key on the token paired with
// its own certificate (same CKA_ID), for unlocking the profile or signing.
//
// The window names a PKCS#11 module only by the opaque id discovery gave it (ModuleView.id). Every
// call maps that id back to a path from the module list (machine configuration and discovery) at
// that moment; an id that is not on the list gets one error, so the window can neither load a
// library of its choosing nor learn which files exist.
import type { ModuleView, TokenCertificateView, TokenDirectory, TokenRefValue, TokenView } from '../../../common/contract';
import { DeskError } from '../../../common/errors';
import type { TokenBridge } from '../../../native/bridge/client';
import type { CertificateEntry, SlotInfo } from '../../../native/bridge/protocol';
import { moduleId } from '../../../native/modules/discovery';
import { isValidAt, parseCertificate, type CertificateInfo, type PrivateKeyOps } from '../crypto';
import type { TokenIdentity } from '../vault/ProfileVault';
import { canSign, canUnlock, fingerprintOf } from '../org/certificates';
import { tokenKeyOps } from '../token/tokenKeyOps';
import { toDeskError } from './tokenErrors';

export type TokenRef = TokenRefValue;

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
  /** The module's path (core only; the window never sees or sends it). */
  module: string;
  identity: TokenIdentity;
  /** Keys able to sign, each with its own certificate (valid ones first); identity.signingKeys. */
  signingKeys: readonly PrivateKeyOps[];
}

/** The one answer for a module id the machine does not offer (whatever file the id might stand for). */
export const unknownModule = (): DeskError =>
  DeskError.keyed('TOKEN_ABSENT', 'token.unknownModule');

export class TokenService {
  constructor(
    readonly bridge: TokenBridge,
    /** The PKCS#11 libraries this machine offers: machine configuration, else discovery (paths). */
    private readonly modules: () => Promise<string[]>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The path of an offered module, or TOKEN_ABSENT (the same for every id not offered). */
  async modulePath(id: string): Promise<string> {
    const path = (await this.modules()).find((p) => moduleId(p) === id);
    if (!path) throw unknownModule();
    return path;
  }

  /** `isBound`: whether a certificate opens this workstation's keyring (sets TokenView.bound). */
  async directory(opts: { isBound?: ((certificate: Uint8Array) => boolean) | null } = {}): Promise<TokenDirectory> {
    const paths = await this.modules();
    const probes = await this.bridge.listModules(paths);
    const modules: ModuleView[] = [];
    const tokens: TokenView[] = [];
    for (const p of probes) {
      const id = moduleId(p.module);
      if ('error' in p) {
        modules.push({ id, path: p.module, ok: false, error: (toDeskError(p.error) as Error).message });
        continue;
      }
      const i = p.info;
      modules.push({ id, path: p.module, ok: true, manufacturer: i.manufacturer, description: i.description, version: i.libraryVersion });
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
          moduleId: id, slotId: s.slotId, serial: t.serial, label: t.label, manufacturer: t.manufacturer, model: t.model,
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

  /** The certificates on a token (public objects: no PIN). */
  async readCertificates(ref: TokenRef): Promise<CertificateEntry[]> {
    const module = await this.modulePath(ref.moduleId);
    try {
      return await this.bridge.listCertificates(module, { serial: ref.serial });
    } catch (err) {
      throw toDeskError(err);
    }
  }

  /** Logs in (the PIN goes to the bridge once and is not kept) and returns the token's keys. */
  async signIn(ref: TokenRef, pin: string | undefined): Promise<SignedInToken> {
    const module = await this.modulePath(ref.moduleId);
    try {
      await this.bridge.login(module, { serial: ref.serial }, pin);
    } catch (err) {
      throw toDeskError(err);
    }
    try {
      const certs = await this.bridge.listCertificates(module, { serial: ref.serial });
      const now = this.now();
      const entries = certs.map((c) => ({ c, info: parseCertificate(c.der) }));
      const keyFor = (e: (typeof entries)[number]) => tokenKeyOps(this.bridge, { module, slot: { serial: ref.serial }, keyId: e.c.id, certificate: e.c.der });
      const byValidity = (a: (typeof entries)[number], b: (typeof entries)[number]) => Number(isValidAt(b.info, now)) - Number(isValidAt(a.info, now));
      const signingKeys = entries.filter((e) => canSign(e.info)).sort(byValidity).map(keyFor);
      return {
        ref,
        module,
        identity: { unlockKeys: entries.filter((e) => canUnlock(e.info)).sort(byValidity).map(keyFor), signingKeys },
        signingKeys,
      };
    } catch (err) {
      await this.signOut({ module, ref });
      throw toDeskError(err);
    }
  }

  async signOut(signed: Pick<SignedInToken, 'module' | 'ref'>): Promise<void> {
    await this.bridge.logout(signed.module, { serial: signed.ref.serial }).catch(() => undefined);
  }
}
