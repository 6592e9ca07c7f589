// Offline packages from the window: the same PackageService the CLI uses (rights, clearance and
// need-to-know are checked there), fed what the window can give without naming a path. A package comes
// in as the person's own staged upload (read into memory from the sealed staging area), recipients are
// certificates this profile knows (people bound here, agencies of the exchange directory) or a
// certificate file the person staged, and the package going out is returned in memory for a one-use
// output ticket. An import runs in the background with progress and a cancel that holds until the one
// transaction that records it.
import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { DeskError } from '../../../common/errors';
import { secrecyRank, type Secrecy } from '../../../common/domain';
import type { MessageKey } from '../../../common/messages';
import type {
  PackageCheckView, PackageEdxmlPreview, PackageEdxmlResult, PackageImportRunView, PackageOutcome, PackageOutcomeCounts, PackageReason, PackageRecipientOption, PackageRecipientsInput, PackageSelectionInput,
} from '../../../common/packages';
import type { ContextSource, CoreContext } from '../context';
import { parseCertificate, pemToDer, type CertificateInfo, type PrivateKeyOps, type RecipientSpec } from '../crypto';
import { encryptionCertificates, readDirectory } from '../exchange/directory';
import { fingerprintOf } from '../org/certificates';
import { authorize, type Actor } from '../org/rights';
import { isPackageError, type PackageError } from './errors';
import { previewPackage, type Preview } from './importer';
import { DEFAULT_EDXML_LIMITS } from '../exchange/edxml';
import type { EdxmlBatchService } from './edxmlBatch';
import type { OpenedPackage } from './open';
import { MAX_PACKAGE_BYTES, type PackageSelection, type PackageService } from './PackageService';

/** A certificate file is small; anything larger is not one. */
const MAX_CERTIFICATE_BYTES = 64 * 1024;

/**
 * RSA-OAEP with SHA-1: the one OAEP every cipher token here unwraps on the token (SoftHSM and the CAs'
 * tokens refuse SHA-256), as the exchange does (exchange/directory.ts encryptionCertificates).
 */
const OAEP = 'SHA-1' as const;

/** A package refusal as the window shows it: a code for programs, the Vietnamese from the catalog. */
export function packageDeskError(e: PackageError): DeskError {
  const code = e.code === 'FORBIDDEN' ? 'FORBIDDEN' : 'VALIDATION';
  return DeskError.keyed(code, `package.error.${e.code}` as MessageKey, undefined, { details: { packageCode: e.code } });
}

const asDesk = (e: unknown): unknown => (isPackageError(e) ? packageDeskError(e) : e);

const emptyCounts = (): PackageOutcomeCounts => ({ new: 0, already: 0, update: 0, duplicate: 0, conflict: 0, refused: 0 });

function reasonOf(outcome: PackageOutcome, detail: string | null): PackageReason | null {
  if (outcome === 'duplicate') return 'separateCopy';
  if (outcome === 'conflict') return 'otherLevel';
  if (outcome !== 'refused') return null;
  return detail?.startsWith('this session does not hold') ? 'levelNotHeld' : 'aboveClearance';
}

/** The preview as the window shows it: counts per level and register, the reasons, no title above the person's clearance. */
export function checkView(p: Preview, meta: { stagedId: string; fileName: string; exportedBy: string; encrypted: boolean; levels: Secrecy[] }, clearance: Secrecy): PackageCheckView {
  const registers = new Map<string, { name: string; documents: number; counts: PackageOutcomeCounts }>();
  for (const [gid, r] of Object.entries(p.byRegister)) registers.set(gid, { name: r.name, documents: r.documents, counts: emptyCounts() });
  const reasons = new Map<string, PackageCheckView['reasons'][number]>();
  for (const d of p.documents) {
    const reg = registers.get(d.register);
    if (reg) reg.counts[d.outcome] += 1;
    const reason = reasonOf(d.outcome, d.detail);
    if (!reason) continue;
    const key = `${d.level}|${d.outcome}|${reason}`;
    const r = reasons.get(key) ?? { level: d.level, outcome: d.outcome as 'refused' | 'conflict' | 'duplicate', reason, count: 0 };
    r.count += 1;
    reasons.set(key, r);
  }
  return {
    stagedId: meta.stagedId, fileName: meta.fileName, packageId: p.packageId, agency: p.agency, exportedAt: p.exportedAt, exportedBy: meta.exportedBy,
    signer: p.signer, encrypted: meta.encrypted, levels: meta.levels,
    byLevel: meta.levels.map((level) => ({ level, counts: { ...emptyCounts(), ...p.byLevel[level] }, outgoing: { ...emptyCounts(), ...p.outgoingByLevel[level] } })),
    byRegister: [...registers.values()],
    workFiles: p.workFiles.map((w) => ({ code: w.code, title: secrecyRank(w.level) > secrecyRank(clearance) ? null : w.title, level: w.level, outcome: w.outcome })),
    reasons: [...reasons.values()],
    importable: p.documents.filter((d) => d.outcome === 'new' || d.outcome === 'update').length,
  };
}

/** The stream's bytes; null (and the stream stopped) past `max`. */
async function readAll(stream: Readable, max: number): Promise<Buffer | null> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > max) {
      stream.destroy();
      for (const p of parts) p.fill(0);
      return null;
    }
    parts.push(chunk as Buffer);
  }
  const all = Buffer.concat(parts);
  for (const p of parts) p.fill(0);
  return all;
}

interface Run {
  view: PackageImportRunView;
  userId: number;
  abort: AbortController;
  settled: Promise<void>;
}

/** What the service needs of the vault: the context, and the lock (runs and previews are forgotten then). */
export interface PackageWindowVault extends ContextSource {
  onLock(listener: () => void): void;
}

/** A preview shown to a person, kept until the import of the same upload (or the lock). */
interface EdxmlPreviewMemo { userId: number; digest: string; preview: PackageEdxmlPreview }

const digestOf = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** The window's selection as the services take it (absent fields left out, not undefined). */
function selectionOf(sel: PackageSelectionInput): PackageSelection {
  return {
    ...(sel.year !== undefined ? { year: sel.year } : {}), ...(sel.registerId !== undefined ? { registerId: sel.registerId } : {}),
    ...(sel.secrecy ? { secrecy: sel.secrecy } : {}), ...(sel.workFileId !== undefined ? { workFileId: sel.workFileId } : {}), ...(sel.query ? { query: sel.query } : {}),
  };
}

export class PackageWindowService {
  private readonly runs = new Map<string, Run>();
  private readonly edxmlPreviews = new Map<string, EdxmlPreviewMemo>();
  /** Runs stopped by a lock and forgotten, until they settle (tests, and a close that waits). */
  private readonly stopping = new Set<Promise<void>>();
  /** Counts the locks: a preview or a run begun before one is not kept after it. */
  private locks = 0;

  constructor(private readonly source: PackageWindowVault, private readonly packages: PackageService, private readonly edxml: EdxmlBatchService) {
    // A lock (token removed, the button, idle) ends the person's work here: runs are cancelled (an
    // import already recording finishes its one transaction) and forgotten with their results, previews
    // dropped, so the next person to unlock neither sees nor can follow any of it.
    source.onLock(() => {
      this.locks++;
      for (const run of this.runs.values()) {
        run.abort.abort();
        this.stopping.add(run.settled);
        void run.settled.finally(() => this.stopping.delete(run.settled));
      }
      this.runs.clear();
      this.edxmlPreviews.clear();
    });
  }

  /**
   * What importing the person's staged ZIP of edXML packets (or one packet) would do here, packet by
   * packet, with the exchange's own checks; nothing is written. Kept (in memory, until the lock) so the
   * import of the same upload can say what turned out otherwise.
   */
  async previewEdxml(actor: Actor, stagedId: string, keys: () => readonly PrivateKeyOps[]): Promise<PackageEdxmlPreview> {
    authorize(actor, 'doc.register');
    const c = this.source.context();
    const locks = this.locks;
    const file = await this.staged(c, actor, stagedId, DEFAULT_EDXML_LIMITS.maxPacketBytes * 4);
    let preview: PackageEdxmlPreview;
    try {
      preview = await this.edxml.previewBytes(actor, file.name, file.bytes, keys());
    } catch (e) {
      throw asDesk(e);
    }
    // Locked meanwhile: nothing of it is kept nor shown.
    if (locks !== this.locks) throw DeskError.keyed('NO_SESSION', 'session.locked');
    this.edxmlPreviews.set(`${actor.id}:${stagedId}`, { userId: actor.id, digest: digestOf(file.bytes), preview });
    return preview;
  }

  /**
   * A ZIP of edXML packets (or one packet) the person uploaded, through the exchange's inbound path: each
   * opened, waiting, refused or already received; after a preview of the same upload, the packets whose
   * outcome is not the one it showed.
   */
  async importEdxml(actor: Actor, stagedId: string, keys: () => readonly PrivateKeyOps[]): Promise<PackageEdxmlResult> {
    authorize(actor, 'doc.register');
    const c = this.source.context();
    const file = await this.staged(c, actor, stagedId, DEFAULT_EDXML_LIMITS.maxPacketBytes * 4);
    const key = `${actor.id}:${stagedId}`;
    const memo = this.edxmlPreviews.get(key);
    this.edxmlPreviews.delete(key);
    try {
      const result = await this.edxml.importBytes(actor, file.name, file.bytes, keys());
      return { ...result, changed: memo && memo.userId === actor.id && memo.digest === digestOf(file.bytes) ? changedSince(memo.preview, result) : null };
    } catch (e) {
      throw asDesk(e);
    }
  }

  /** The person's own staged upload, read into memory (another's: FORBIDDEN, audited by the router; one gone: NOT_FOUND). */
  private async staged(c: CoreContext, actor: Actor, stagedId: string, max: number): Promise<{ name: string; bytes: Buffer }> {
    const meta = await c.store.stagedMeta(stagedId, actor.id);
    const tooLarge = () => DeskError.keyed('VALIDATION', 'package.error.TOO_LARGE', undefined, { details: { packageCode: 'TOO_LARGE' } });
    if (meta.size > max) throw tooLarge();
    const bytes = await readAll(c.store.openStaged(stagedId), max);
    if (!bytes) throw tooLarge();
    return { name: meta.name, bytes };
  }

  /** Certificates a package may be sealed for: people bound on this workstation and agencies of the directory, fit for key encipherment. */
  recipients(actor: Actor): PackageRecipientOption[] {
    authorize(actor, 'doc.read');
    const c = this.source.context();
    const now = c.now();
    const people = c.db.prepare(`SELECT c.fingerprint, c.der, u.full_name AS name FROM main.user_certificates c JOIN main.users u ON u.id = c.user_id
      ORDER BY u.full_name, c.bound_at`).all() as Array<{ fingerprint: string; der: Buffer; name: string }>;
    const out: PackageRecipientOption[] = [];
    for (const p of people) {
      const info = parseCertificate(p.der);
      if (!encipherment(info) || info.notAfter < now) continue;
      out.push({ kind: 'person', id: p.fingerprint, name: p.name, detail: info.subject, notAfter: info.notAfter.toISOString() });
    }
    const book = readDirectory(c.db);
    const agencies = c.db.prepare('SELECT code, name FROM main.exchange_agencies ORDER BY name').all() as Array<{ code: string; name: string }>;
    const certsOf = encryptionCertificates(book);
    for (const a of agencies) if (certsOf(a.code).length > 0) out.push({ kind: 'agency', id: a.code, name: a.name, detail: a.code });
    return out;
  }

  /** A certificate file the person staged: read, fit for key encipherment and valid now, or a specific refusal. */
  async checkCertificate(actor: Actor, stagedId: string): Promise<PackageRecipientOption> {
    authorize(actor, 'doc.read');
    const c = this.source.context();
    const info = await this.stagedCertificate(c, actor, stagedId);
    return { kind: 'file', id: stagedId, name: info.commonName, detail: info.subject, notAfter: info.notAfter.toISOString() };
  }

  private async stagedCertificate(c: CoreContext, actor: Actor, stagedId: string): Promise<CertificateInfo> {
    let file: { bytes: Buffer };
    try {
      file = await this.staged(c, actor, stagedId, MAX_CERTIFICATE_BYTES);
    } catch (e) {
      // Another's upload (FORBIDDEN) or one gone (NOT_FOUND) say so; anything else is not a certificate.
      if (e instanceof DeskError && e.code !== 'VALIDATION') throw e;
      throw DeskError.keyed('VALIDATION', 'package.certificate.unreadable');
    }
    let info: CertificateInfo;
    try {
      const text = file.bytes.toString('latin1');
      info = parseCertificate(text.includes('-----BEGIN CERTIFICATE-----') ? pemToDer(text)[0]! : file.bytes);
    } catch {
      throw DeskError.keyed('VALIDATION', 'package.certificate.unreadable');
    }
    if (!encipherment(info)) throw DeskError.keyed('VALIDATION', 'package.certificate.unsuitable', { name: info.commonName });
    const now = c.now();
    if (info.notAfter < now || info.notBefore > now) throw DeskError.keyed('VALIDATION', 'package.certificate.expired', { name: info.commonName });
    return info;
  }

  private async resolveRecipients(c: CoreContext, actor: Actor, r: PackageRecipientsInput): Promise<RecipientSpec[]> {
    const out: RecipientSpec[] = [];
    const byFingerprint = c.db.prepare('SELECT der FROM main.user_certificates WHERE fingerprint = ?').pluck();
    for (const f of r.people) {
      const der = byFingerprint.get(f) as Buffer | undefined;
      const info = der ? parseCertificate(der) : null;
      if (!info || !encipherment(info) || info.notAfter < c.now()) throw DeskError.keyed('VALIDATION', 'package.recipient.unknown');
      out.push({ certificate: info.der, oaepHash: OAEP });
    }
    const certsOf = encryptionCertificates(readDirectory(c.db));
    for (const code of r.agencies) {
      const certs = certsOf(code);
      if (certs.length === 0) throw DeskError.keyed('VALIDATION', 'package.recipient.unknown');
      out.push(...certs);
    }
    for (const id of r.files) out.push({ certificate: (await this.stagedCertificate(c, actor, id)).der, oaepHash: OAEP });
    // One certificate named twice (a person and their file) seals once.
    const seen = new Set<string>();
    return out.filter((s) => {
      const f = fingerprintOf(parseCertificate(s.certificate));
      if (seen.has(f)) return false;
      seen.add(f);
      return true;
    });
  }

  /** Exports the selection (what the person may read: PackageService) sealed for the recipients; the package is returned in memory. */
  async export(actor: Actor, input: { selection: PackageSelectionInput; recipients: PackageRecipientsInput }, signer: () => PrivateKeyOps) {
    authorize(actor, 'doc.read');
    const c = this.source.context();
    const recipients = await this.resolveRecipients(c, actor, input.recipients);
    try {
      const r = await this.packages.export(actor, { selection: selectionOf(input.selection), recipients, out: null, signer: signer() });
      const levels = r.manifest.levels;
      const level = levels.reduce<Secrecy>((hi, l) => (secrecyRank(l) > secrecyRank(hi) ? l : hi), 'thuong');
      return { result: r, data: r.data!, level, recipients: recipients.length };
    } catch (e) {
      throw asDesk(e);
    }
  }

  /**
   * The edXML packets of the selection's issued documents as one ZIP in memory (the CLI's `export --edxml`):
   * signed with the agency's key on the văn thư's token, above Thường sealed for the recipients.
   */
  async exportEdxml(actor: Actor, selection: PackageSelectionInput, agencyKey: () => PrivateKeyOps): Promise<{ zip: Buffer; packets: number; documents: number; level: Secrecy }> {
    authorize(actor, 'doc.register');
    try {
      return await this.edxml.exportZip(actor, selectionOf(selection), agencyKey());
    } catch (e) {
      throw asDesk(e);
    }
  }

  /** Opens and verifies the person's staged package: signature, integrity, and what an import would do here. Nothing is written. */
  async verify(actor: Actor, stagedId: string, keys: () => readonly PrivateKeyOps[]): Promise<PackageCheckView> {
    authorize(actor, 'doc.register');
    const c = this.source.context();
    const file = await this.staged(c, actor, stagedId, MAX_PACKAGE_BYTES);
    let pkg: OpenedPackage;
    try {
      pkg = await this.packages.open({ file: file.bytes, keys: keys() }, c);
    } catch (e) {
      throw asDesk(e);
    }
    try {
      const preview = previewPackage({ db: c.db, clearance: actor.clearance, heldSchemas: c.arms.map((a) => a.schema) }, pkg);
      const m = pkg.manifest;
      return checkView(preview, { stagedId, fileName: file.name, exportedBy: m.exportedBy.name, encrypted: m.encrypted, levels: m.levels }, actor.clearance);
    } finally {
      pkg.close();
    }
  }

  /** Starts importing the person's staged package in the background; followed by `progress`, stopped by `cancel` until it records. */
  async start(actor: Actor, stagedId: string, keys: () => readonly PrivateKeyOps[]): Promise<PackageImportRunView> {
    authorize(actor, 'doc.register');
    const c = this.source.context();
    await c.writable();
    const locks = this.locks;
    const file = await this.staged(c, actor, stagedId, MAX_PACKAGE_BYTES);
    // Locked while the upload was read: nothing is started for a session that ended.
    if (locks !== this.locks) throw DeskError.keyed('NO_SESSION', 'session.locked');
    const runId = randomBytes(16).toString('hex');
    const abort = new AbortController();
    const view: PackageImportRunView = { runId, state: 'running', phase: 'opening', filesDone: 0, filesTotal: 0, result: null, error: null };
    const work = this.packages.import(actor, {
      file: file.bytes, keys: keys(),
      control: {
        signal: abort.signal,
        onFiles: (done, total) => {
          view.phase = done === total ? 'recording' : 'files';
          view.filesDone = done;
          view.filesTotal = total;
        },
      },
    });
    const settled = work.then((r) => {
      const counts = emptyCounts();
      for (const d of r.preview.documents) counts[d.outcome] += 1;
      view.result = { applied: r.applied, filesPlaced: r.filesPlaced, waiting: r.waiting, conflicts: r.conflicts, counts };
      view.state = 'done';
      view.phase = 'finished';
    }, (e: unknown) => {
      view.phase = 'finished';
      if (isPackageError(e, 'CANCELLED')) {
        view.state = 'cancelled';
        return;
      }
      view.state = 'failed';
      const d = asDesk(e);
      view.error = d instanceof DeskError ? d.toPayload() : { code: 'INTERNAL', message: 'Lỗi không mong đợi.' };
    });
    this.runs.set(runId, { view, userId: actor.id, abort, settled });
    return { ...view };
  }

  progress(actor: Actor, runId: string): PackageImportRunView {
    authorize(actor, 'doc.register');
    return { ...this.runOf(actor, runId).view };
  }

  /** Stops the import if it has not started recording: nothing of the package is recorded then. */
  cancel(actor: Actor, runId: string): PackageImportRunView {
    authorize(actor, 'doc.register');
    const run = this.runOf(actor, runId);
    run.abort.abort();
    return { ...run.view };
  }

  /** Settles when the run has stopped (tests, and the lock). */
  async settled(runId: string): Promise<void> {
    await this.runs.get(runId)?.settled;
  }

  /** Settles when every run a lock stopped has stopped (tests). */
  async stopped(): Promise<void> {
    await Promise.all([...this.stopping]);
  }

  private runOf(actor: Actor, runId: string): Run {
    const run = this.runs.get(runId);
    if (!run) throw DeskError.keyed('NOT_FOUND', 'import.run.notFound');
    if (run.userId !== actor.id) throw DeskError.keyed('FORBIDDEN', 'import.run.notYours');
    return run;
  }
}

/** The packets whose outcome is not the one the preview showed (the same upload: the same packets, in order). */
function changedSince(preview: PackageEdxmlPreview, result: PackageEdxmlPreview): NonNullable<PackageEdxmlResult['changed']> {
  const out: NonNullable<PackageEdxmlResult['changed']> = [];
  result.packets.forEach((p, i) => {
    const expected = preview.packets[i]?.outcome;
    if (expected && expected !== p.outcome) out.push({ name: p.name, expected, outcome: p.outcome });
  });
  return out;
}

const encipherment = (info: CertificateInfo): boolean =>
  info.publicKey.algorithm === 'RSA' && (info.keyUsage === null || info.keyUsage.includes('keyEncipherment'));
