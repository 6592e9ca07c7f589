// The PDF verdict as the window and other services see it: plain JSON (ISO dates), Vietnamese
// messages; and the check with the workstation's trust (machine trust anchors, installed CRLs).
import type { Readable } from 'node:stream';
import type { PdfSignaturesView } from '../../../common/contract';
import type { CoreContext } from '../context';
import { parseCrlFiles } from '../crypto';
import { PdfError } from './errors';
import { verifyPdfSignatures, type PdfVerification, type PdfVerifyOptions } from './verify';

export function pdfVerificationView(r: PdfVerification): PdfSignaturesView {
  return {
    status: r.status,
    ok: r.ok,
    signatures: r.signatures.map((s) => ({
      index: s.index,
      signer: s.signer?.commonName ?? null,
      organisation: s.signer?.organisation ?? null,
      agency: r.agencySignature === s.index,
      signingTime: s.signingTime?.toISOString() ?? null,
      timestamp: s.timestamp?.time.toISOString() ?? null,
      coversWholeDocument: s.coversWholeDocument,
      integrity: s.integrity,
      valid: s.valid,
      flags: [...s.flags],
      message: s.messageVi,
    })),
    findings: r.findings.map((f) => ({ code: f.code, message: f.messageVi })),
    message: r.messageVi,
  };
}

/** Verifies with the workstation's trust anchors and CRLs; a file that is no readable PDF is 'unreadable', never an error. */
export async function verifyPdfWithWorkstationTrust(
  c: Pick<CoreContext, 'trustAnchors' | 'revocationLists' | 'now' | 'log'>, pdf: Uint8Array, opts: Pick<PdfVerifyOptions, 'isOrganisation'> = {},
): Promise<PdfSignaturesView> {
  const { crls, problems } = parseCrlFiles(await c.revocationLists());
  if (problems.length) c.log.log('warn', 'CRL files left out', { problems });
  try {
    return pdfVerificationView(await verifyPdfSignatures(pdf, { trustAnchors: c.trustAnchors, crls, now: c.now(), ...opts }));
  } catch (e) {
    if (!(e instanceof PdfError)) throw e;
    c.log.log('info', 'PDF signatures not checked', { reason: e.logReason });
    return { status: 'unreadable', ok: false, signatures: [], findings: [], message: e.message };
  }
}

export { PDF_CHECK_LIMIT } from './limits';

export async function readAll(stream: Readable): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return new Uint8Array(Buffer.concat(chunks));
}

/**
 * Whether the PDF's last signature leaves part of the file uncovered (changed or appended after
 * signing): registration refuses such a file. Trust does not matter here, only what is covered.
 */
export async function partialSignature(pdf: Uint8Array): Promise<'changed-after-signing' | 'appended-bytes' | null> {
  try {
    const r = await verifyPdfSignatures(pdf, { trustAnchors: [], expectAgencySignature: false });
    return (r.findings.find((f) => f.code === 'changed-after-signing' || f.code === 'appended-bytes')?.code as 'changed-after-signing' | 'appended-bytes' | undefined) ?? null;
  } catch (e) {
    if (e instanceof PdfError) return null; // not a PDF that can be read: nothing signed to protect
    throw e;
  }
}
