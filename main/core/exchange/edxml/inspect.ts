// What `securedesk edxml inspect` reports: what a packet holds and what is wrong with it, without
// throwing for problems a reader should see (a packet that cannot be read at all is one error).
import type { EdxmlPacket, EdxmlProblem, EdxmlShape, EdxmlSignatureVerdict } from '../../../../common/edxml';
import { isEdxmlError } from './errors';
import type { EdxmlLimits } from './limits';
import { readEdxml } from './parse';
import { verifySignatureElement, type SignatureCheckOptions } from './xmldsig';

export interface EdxmlInspection {
  ok: boolean;
  bytes: number;
  shape: EdxmlShape | null;
  packet: EdxmlPacket | null;
  signature: EdxmlSignatureVerdict | null;
  problems: EdxmlProblem[];
}

export async function inspectPacket(bytes: Uint8Array, opts: SignatureCheckOptions & { limits?: Partial<EdxmlLimits>; requireSignature?: boolean }): Promise<EdxmlInspection> {
  try {
    const r = await readEdxml(bytes, opts.limits ? { limits: opts.limits } : {});
    const signature = await verifySignatureElement(r.tree, opts, r.signature);
    const problems = [...r.problems];
    const sigBad = signature.status !== 'valid' && (signature.status !== 'absent' || opts.requireSignature === true);
    if (sigBad) {
      problems.push({ code: 'EDXML_SIGNATURE', severity: 'error', where: 'Signature', message: signature.reason, messageVi: signature.reasonVi });
    }
    return { ok: !problems.some((p) => p.severity === 'error'), bytes: bytes.length, shape: r.shape, packet: r.packet, signature, problems };
  } catch (e) {
    if (!isEdxmlError(e)) throw e;
    return { ok: false, bytes: bytes.length, shape: null, packet: null, signature: null, problems: [{ code: e.code, severity: 'error', where: '', message: e.message, messageVi: e.messageVi }] };
  }
}
