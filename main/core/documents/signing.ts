// Signing a registered document: one detached CMS signature (CAdES-BES, key on the token) over each
// file and one over the document's metadata in a canonical form, so a changed file or a changed
// register entry both show as invalid. Verification re-reads the files from the store.
import type { DocumentSignature } from '../../../common/contract';
import { DeskError } from '../../../common/errors';
import { parseCertificate, signDetached, verifyDetached, type CertInput, type CrlInfo, type PrivateKeyOps, type VerifyResult } from '../crypto';
import { appendAudit } from '../audit/auditLog';
import type { AttachmentStore } from '../attachments/store';
import type { Db } from '../db/connection';
import { writeTx } from '../db/transaction';
import { recordChange } from '../events/eventLog';
import { fingerprintOf } from '../org/certificates';
import { authorize, type Actor } from '../org/rights';
import { getIncoming, visibleArm } from './incoming';
import type { Arm } from './arms';
import type { Secrecy } from '../../../common/domain';
import { nextRecordId } from '../compartments/ids';
import { newGlobalId } from '../events/globalId';

/** Where a document's records and files are: the compartments held, and a level's store. */
export interface DocumentPlace { db: Db; arms: readonly Arm[]; storeFor(level: Secrecy): AttachmentStore }

/** The register entry as signed: fixed key order, no volatile fields (status moves on later). */
export function canonicalMetadata(db: Db, arms: readonly Arm[], actor: Actor, id: number): Buffer {
  const d = getIncoming(db, arms, actor, id);
  const canonical = {
    id: d.id, register: d.registerName, arrivalNumber: d.arrivalNumber, arrivalDate: d.arrivalDate, issuer: d.issuerName,
    numberSymbol: d.numberSymbol, documentDate: d.documentDate, type: d.typeCode, subject: d.subject, secrecy: d.secrecy,
    urgency: d.urgency, deadline: d.deadline, recipients: d.recipients,
    files: d.attachments.map((a) => ({ name: a.name, sha256: a.sha256, size: a.size })),
  };
  return Buffer.from(JSON.stringify(canonical), 'utf8');
}

export async function signIncoming(p: DocumentPlace, actor: Actor, id: number, key: PrivateKeyOps, now: Date): Promise<number> {
  authorize(actor, 'doc.register');
  const { db, arms } = p;
  const doc = getIncoming(db, arms, actor, id);
  const c = visibleArm(db, arms, actor, id).schema;
  const store = p.storeFor(doc.secrecy);
  const signer = parseCertificate(key.certificate);
  const results: Array<{ attachmentId: number | null; cms: Uint8Array }> = [];
  // Signatures are made outside the transaction (the token takes its time); stored all at once.
  for (const a of doc.attachments) results.push({ attachmentId: a.id, cms: await signDetached(store.openBlob(a.sha256), { key, signingTime: now }) });
  results.push({ attachmentId: null, cms: await signDetached(new Uint8Array(canonicalMetadata(db, arms, actor, id)), { key, signingTime: now }) });
  writeTx(db, () => {
    const insert = db.prepare(`INSERT INTO ${c}.signatures (id, global_id, incoming_id, attachment_id, signer_fingerprint, signer_name, signed_at, cms, signed_by) VALUES (?,?,?,?,?,?,?,?,?)`);
    for (const r of results) {
      const sigId = nextRecordId(db);
      insert.run(sigId, newGlobalId(), id, r.attachmentId, fingerprintOf(signer), signer.commonName, now.toISOString(), Buffer.from(r.cms), actor.id);
      recordChange(db, 'signatures', sigId, 'create', actor.id, now, c);
    }
    appendAudit(db, { userId: actor.id, action: 'incoming.sign', entity: 'incoming', entityId: id, details: { signer: signer.subject, serial: signer.serialNumber, parts: results.length } });
  });
  return results.length;
}

interface SignatureRow { id: number; attachment_id: number | null; signer_name: string; signed_at: string; cms: Buffer; name: string | null; sha256: string | null }

/** `crls`: the revocation lists installed on the workstation (read afresh for each verification). */
export async function verifyIncoming(
  p: DocumentPlace, actor: Actor, id: number, trustAnchors: readonly CertInput[], now: Date, crls: readonly CrlInfo[] = [],
): Promise<DocumentSignature[]> {
  authorize(actor, 'doc.read');
  const { db, arms } = p;
  const doc = getIncoming(db, arms, actor, id); // clearance and need-to-know: otherwise the document does not exist
  const c = visibleArm(db, arms, actor, id).schema;
  const store = p.storeFor(doc.secrecy);
  const rows = db
    .prepare(`SELECT s.id, s.attachment_id, s.signer_name, s.signed_at, s.cms, a.name, a.sha256 FROM ${c}.signatures s
              LEFT JOIN ${c}.attachments a ON a.id = s.attachment_id WHERE s.incoming_id = ? ORDER BY s.id`)
    .all(id) as SignatureRow[];
  const out: DocumentSignature[] = [];
  for (const r of rows) {
    let result: VerifyResult | null = null;
    let problem: string | null = null;
    try {
      const content = r.sha256 ? store.openBlob(r.sha256) : new Uint8Array(canonicalMetadata(db, arms, actor, id));
      result = await verifyDetached(new Uint8Array(r.cms), content, { trustAnchors, now, crls });
    } catch (err) {
      // A blob that fails its own authentication (changed on disk) is a changed file.
      problem = err instanceof DeskError ? err.message : 'Tệp đã bị thay đổi hoặc không đọc được; chữ ký không còn giá trị.';
    }
    const failed = result ? Object.entries(result.checks).filter(([, c]) => !c.ok).map(([k, c]) => ({ check: k, reason: c.reasonVi || c.reason })) : [];
    out.push({
      id: r.id,
      target: r.attachment_id === null ? 'metadata' : 'file',
      fileName: r.name,
      signer: result?.signer?.commonName ?? r.signer_name,
      signingTime: result?.signingTime?.toISOString() ?? r.signed_at,
      valid: result?.valid ?? false,
      message: problem ?? result!.messageVi,
      failed: problem ? [{ check: 'digest', reason: problem }] : failed,
      ...(result ? { trust: trustOf(result) } : {}),
    });
  }
  return out;
}

function trustOf(r: VerifyResult): NonNullable<DocumentSignature['trust']> {
  return {
    validatedAt: r.validatedAt.toISOString(),
    timestamp: r.timestamp ? { time: r.timestamp.time.toISOString(), authority: r.timestamp.authority } : null,
    revocation: r.revocation.status === 'not-checked' ? 'not_checked' : r.revocation.status,
    revocationNote: r.revocation.reasonVi,
  };
}
