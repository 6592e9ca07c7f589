// PAdES on SoftHSM through the token bridge: the signer's signature (RSA, visible, with its image)
// and then the agency's (EC, the seal over it) on a one-page PDF, each signPdf timed, against the
// baseline measured in the same run: a detached CAdES signature (crypto/sign.ts signDetached) of the
// same PDF with the same token key, which is what signPdf adds PDF work to. And verification of the
// twice-signed file.
import { performance } from 'node:perf_hooks';
import { deflateSync } from 'node:zlib';
import { signDetached } from '../../main/core/crypto';
import { signPdf, verifyPdfSignatures } from '../../main/core/pdf';
import { tokenKeyOps } from '../../main/core/token/tokenKeyOps';
import { makeSamplePdf } from '../../main/devhost/samplePdf';
import { TokenBridge } from '../../native/bridge/client';
import { createSoftHsm, keyOf } from '../fixtures/softhsm/tokens';
import { progress, summarize, type Summary } from './stats';

/** The outgoing document signed by the signer and the agency on the token, end to end. */
export const PADES_TARGETS = { signerAndAgencyP95Ms: 1000 };

export interface PadesFigures {
  rounds: number;
  /** signPdf by the signer (RSA 2048 on SoftHSM, visible, with an image). */
  signerMs: Summary;
  /** signPdf by the agency over it (EC P-256 on SoftHSM, the seal). */
  agencyMs: Summary;
  /** Both, end to end: what issuing a document costs in signatures. */
  bothMs: Summary;
  /** Baseline, same run, same keys: signDetached of the same PDF (CAdES-BES .p7s), RSA then EC. */
  baselineBothMs: Summary;
  /** verifyPdfSignatures of the twice-signed PDF (two CMS checks, chain, no CRL). */
  verifyMs: Summary;
  /** bothMs.p50 / baselineBothMs.p50: the PDF work's share. */
  ratioP50: number;
  withinTarget: boolean;
}

function png(w: number, h: number): Uint8Array {
  // A solid red square with alpha: a stand-in seal/signature image of realistic size.
  const row = Buffer.alloc(1 + w * 4);
  for (let x = 0; x < w; x++) row.set([200, 20, 20, x % 7 ? 255 : 0], 1 + x * 4);
  const raw = Buffer.concat(Array.from({ length: h }, () => row));
  const crcTable = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
  const crc = (b: Buffer) => { let c = 0xffffffff; for (const x of b) c = crcTable[(c ^ x) & 0xff]! ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
  const chunk = (t: string, d: Buffer) => { const td = Buffer.concat([Buffer.from(t), d]); const l = Buffer.alloc(4); l.writeUInt32BE(d.length); const c = Buffer.alloc(4); c.writeUInt32BE(crc(td)); return Buffer.concat([l, td, c]); };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

export async function measurePades(rounds = 20): Promise<PadesFigures> {
  const hsm = await createSoftHsm({ tokens: ['userRsa', 'userEc'] });
  const bridge = new TokenBridge({ env: hsm.env });
  try {
    const rsa = hsm.tokens.userRsa;
    const ec = hsm.tokens.userEc;
    await bridge.login(hsm.modulePath, { serial: rsa.serial }, rsa.pin);
    await bridge.login(hsm.modulePath, { serial: ec.serial }, ec.pin);
    const signer = tokenKeyOps(bridge, { module: hsm.modulePath, slot: { serial: rsa.serial }, keyId: keyOf(rsa, 'an-sign').id, certificate: keyOf(rsa, 'an-sign').certDer });
    const agency = tokenKeyOps(bridge, { module: hsm.modulePath, slot: { serial: ec.serial }, keyId: keyOf(ec, 'binh-sign').id, certificate: keyOf(ec, 'binh-sign').certDer });
    const pdf = await makeSamplePdf({ issuer: 'Bộ Tài chính', numberSymbol: '125/QĐ-BTC', title: 'QUYẾT ĐỊNH', subject: 'Về việc ban hành quy chế bảo vệ bí mật nhà nước' });
    const image = png(240, 90);
    const seal = png(151, 151);
    const s: number[] = [], a: number[] = [], both: number[] = [], base: number[] = [], ver: number[] = [];
    // One warm-up round of each (fontkit, first bridge calls), not counted.
    for (let i = -1; i < rounds; i++) {
      const t0 = performance.now();
      const one = await signPdf(pdf, { key: signer, appearance: { kind: 'signer', page: 0, rect: { x: 330, y: 120, width: 200, height: 100 }, name: 'Nguyễn Văn An', position: 'THỨ TRƯỞNG', image } });
      const t1 = performance.now();
      const two = await signPdf(one, { key: agency, appearance: { kind: 'seal', image: seal } });
      const t2 = performance.now();
      await signDetached(pdf, { key: signer });
      await signDetached(pdf, { key: agency });
      const t3 = performance.now();
      await verifyPdfSignatures(two, { trustAnchors: [hsm.ca.certDer] });
      const t4 = performance.now();
      if (i < 0) continue;
      s.push(t1 - t0);
      a.push(t2 - t1);
      both.push(t2 - t0);
      base.push(t3 - t2);
      ver.push(t4 - t3);
      progress(`pades: round ${i + 1}/${rounds}: ${(t2 - t0).toFixed(0)} ms (baseline ${(t3 - t2).toFixed(0)} ms)`);
    }
    const bothMs = summarize(both);
    const baselineBothMs = summarize(base);
    return {
      rounds, signerMs: summarize(s), agencyMs: summarize(a), bothMs, baselineBothMs, verifyMs: summarize(ver),
      ratioP50: Math.round((bothMs.p50 / baselineBothMs.p50) * 100) / 100,
      withinTarget: bothMs.p95 <= PADES_TARGETS.signerAndAgencyP95Ms,
    };
  } finally {
    await bridge.close();
    await hsm.cleanup();
  }
}
