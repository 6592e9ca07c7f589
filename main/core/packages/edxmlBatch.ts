// Folders and ZIPs of edXML packets, carried on removable media between workstations that share no
// transport. Import: every packet goes through the exchange's own door (ExchangeService.accept: the
// existing parser, signature, addressee and level checks, the same refusals with their reasons, the
// same packet id twice is one packet); a ZIP is checked whole before any entry is used (an entry that
// climbs out, a link, a bomb: refused, nothing read); nothing is ever extracted to disk. Export: the
// packets of the selected issued documents (signed by the agency's key, sealed above Thường for the
// recipients' certificates, as the transport would carry them) as one ZIP, or files in a folder.
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { secrecyRank, type Secrecy } from '../../../common/domain';
import { DeskError } from '../../../common/errors';
import { appendAudit } from '../audit/auditLog';
import type { ContextSource } from '../context';
import type { PrivateKeyOps } from '../crypto';
import { writeTx } from '../db/transaction';
import { encryptionCertificates, readDirectory } from '../exchange/directory';
import { DEFAULT_EDXML_LIMITS } from '../exchange/edxml';
import type { ExchangeService } from '../exchange/ExchangeService';
import { looksLikeZip, ZipArchive, ZIP_LIMITS } from '../import/zipSource';
import { authorize, type Actor } from '../org/rights';
import { PackageError } from './errors';
import { ALREADY_RECEIVED, WAITING_FOR_LEVEL, walkBatch, type BatchPacket, type BatchResult, type PacketStep } from './batchWalk';
import { previewStep } from './edxmlPreview';
import { selectOutgoing } from './selectOutgoing';
import type { PackageSelection } from './PackageService';
import { storedZip } from './zipWrite';

/** At most this many packets in one folder or ZIP. */
export const MAX_BATCH_PACKETS = 1000;

const UNSAFE = new Set(['climbsOut', 'absolutePath', 'backslash', 'link', 'duplicateEntry']);

function openZip(buf: Buffer): BatchPacket[] {
  let zip: ZipArchive;
  try {
    zip = ZipArchive.open(buf, { ...ZIP_LIMITS, maxEntries: MAX_BATCH_PACKETS, maxEntryBytes: DEFAULT_EDXML_LIMITS.maxPacketBytes });
  } catch (e) {
    const why = e instanceof DeskError ? String((e.details as { zip?: string } | undefined)?.zip ?? '') : '';
    const entry = e instanceof DeskError ? String((e.details as { entry?: string } | undefined)?.entry ?? '') : '';
    if (UNSAFE.has(why)) throw new PackageError('UNSAFE_ENTRY', `unsafe entry in the archive (${why}): ${JSON.stringify(entry)}`, `Tệp nén chứa mục không an toàn: "${entry}". Không mục nào được đọc.`);
    if (why === 'tooLarge' || why === 'ratio' || why === 'tooManyEntries') throw new PackageError('TOO_LARGE', `archive refused: ${why}`, 'Tệp nén vượt quá giới hạn cho phép.');
    throw new PackageError('NOT_A_PACKAGE', `archive unreadable: ${why || (e as Error).message}`, 'Không đọc được tệp nén.');
  }
  return zip.files.map((f) => ({ name: f.name, bytes: zip.read(f.name) }));
}

/** The packets in a folder (its files, not its subfolders; a link is refused), a ZIP, or one packet file. */
export async function readBatch(path: string): Promise<BatchPacket[]> {
  const st = await fsp.lstat(path);
  if (st.isSymbolicLink()) throw new PackageError('UNSAFE_ENTRY', `${path} is a link`, 'Đường dẫn là liên kết, không được đọc.');
  if (st.isDirectory()) {
    const out: BatchPacket[] = [];
    const names = (await fsp.readdir(path)).sort();
    for (const name of names) {
      const s = await fsp.lstat(join(path, name));
      if (s.isSymbolicLink()) throw new PackageError('UNSAFE_ENTRY', `${name} is a link`, `Thư mục chứa liên kết "${name}". Không tệp nào được đọc.`);
      if (!s.isFile()) continue;
      if (s.size > DEFAULT_EDXML_LIMITS.maxPacketBytes) throw new PackageError('TOO_LARGE', `${name}: ${s.size} bytes`, `Tệp "${name}" vượt quá dung lượng gói tin.`);
      out.push({ name, bytes: await fsp.readFile(join(path, name)) });
      if (out.length > MAX_BATCH_PACKETS) throw new PackageError('TOO_LARGE', `more than ${MAX_BATCH_PACKETS} packets`, 'Quá nhiều gói tin trong một lần nhập.');
    }
    return out;
  }
  if (st.size > DEFAULT_EDXML_LIMITS.maxPacketBytes * 4) throw new PackageError('TOO_LARGE', `${path}: ${st.size} bytes`, 'Tệp vượt quá dung lượng cho phép.');
  const bytes = await fsp.readFile(path);
  return looksLikeZip(bytes) ? openZip(bytes) : [{ name: path.split(/[\\/]/).pop() ?? path, bytes }];
}

export class EdxmlBatchService {
  constructor(private readonly source: ContextSource, private readonly exchange: ExchangeService) {}

  /** Imports a folder or ZIP of packets: each opened, refused with its reason, or recognised as already received. */
  async importBatch(actor: Actor, path: string, keys: readonly PrivateKeyOps[]): Promise<BatchResult> {
    return this.importFrom(actor, () => readBatch(path), keys);
  }

  /** The same for a ZIP or one packet the person uploaded (the window: bytes read from their staging area, never a path). */
  async importBytes(actor: Actor, name: string, bytes: Buffer, keys: readonly PrivateKeyOps[]): Promise<BatchResult> {
    return this.importFrom(actor, async () => (looksLikeZip(bytes) ? openZip(bytes) : [{ name, bytes }]), keys);
  }

  /**
   * What importing a ZIP or one packet the person uploaded would do, packet by packet (opened, waiting,
   * refused with its reason, already here), read-only: nothing is written, not even an audit entry.
   * An archive refused whole (an unsafe entry, too large) throws as the import would.
   */
  async previewBytes(actor: Actor, name: string, bytes: Buffer, keys: readonly PrivateKeyOps[]): Promise<BatchResult> {
    authorize(actor, 'doc.register');
    const c = this.source.context();
    const packets = looksLikeZip(bytes) ? openZip(bytes) : [{ name, bytes }];
    return walkBatch(packets, await previewStep(c, actor, keys));
  }

  private async importFrom(actor: Actor, read: () => Promise<BatchPacket[]>, keys: readonly PrivateKeyOps[]): Promise<BatchResult> {
    authorize(actor, 'doc.register');
    const c = this.source.context();
    await c.writable();
    let packets: BatchPacket[];
    try {
      packets = await read();
    } catch (e) {
      if (e instanceof PackageError) writeTx(c.db, () => appendAudit(c.db, { userId: actor.id, action: 'package.edxml_import', outcome: 'refused', reason: e.code }, c.now().toISOString()));
      throw e;
    }
    const accept: PacketStep = async (p, { packetId, from }) => {
      const r = await this.exchange.accept(actor, { packetId, from, bytes: p.bytes, receivedAt: c.now().toISOString() }, keys);
      if (!r.fresh) return { outcome: 'duplicate', reason: ALREADY_RECEIVED };
      const row = c.db.prepare('SELECT state, reason FROM main.exchange_inbound WHERE from_code = ? AND packet_id = ?').get(from.toUpperCase(), packetId) as { state: string; reason: string | null } | undefined;
      if (row?.state === 'opened') return { outcome: 'opened', reason: null };
      if (row?.state === 'pending') return { outcome: 'waiting', reason: WAITING_FOR_LEVEL };
      return { outcome: row?.state === 'duplicate' ? 'duplicate' : 'refused', reason: row?.reason?.replace(/^-/, '') ?? null };
    };
    const result = await walkBatch(packets, accept);
    writeTx(c.db, () => appendAudit(c.db, { userId: actor.id, action: 'package.edxml_import', details: { counts: result.counts } }, c.now().toISOString()));
    return result;
  }

  /**
   * The packets of the selected issued documents, for their external recipients, into a ZIP (`out`
   * ending in .zip) or a folder: each signed by the agency's key and, above Thường, sealed for the
   * recipient's certificates from the directory (never in clear).
   */
  async exportBatch(actor: Actor, input: { selection: PackageSelection; agencyKey: PrivateKeyOps; out: string }): Promise<{ packets: number; documents: number }> {
    const c = this.source.context();
    const made = await this.packets(actor, input.selection, input.agencyKey);
    if (input.out.toLowerCase().endsWith('.zip')) {
      const part = `${input.out}.${randomBytes(4).toString('hex')}.part`;
      await fsp.writeFile(part, storedZip(made.files, c.now()), { mode: 0o600 });
      await fsp.rename(part, input.out);
    } else {
      await fsp.mkdir(input.out, { recursive: true, mode: 0o700 });
      for (const f of made.files) await fsp.writeFile(join(input.out, f.name), f.bytes, { mode: 0o600 });
    }
    this.auditExport(actor, made, 'file');
    return { packets: made.files.length, documents: made.documents };
  }

  /**
   * The same packets as one ZIP in memory, for the window (handed out as a one-use output ticket: the
   * renderer never names a path). `level` is the highest level among the documents: the ticket's, so the
   * folder policy treats the medium as carrying that level even though what is above Thường is sealed.
   */
  async exportZip(actor: Actor, selection: PackageSelection, agencyKey: PrivateKeyOps): Promise<{ zip: Buffer; packets: number; documents: number; level: Secrecy }> {
    const c = this.source.context();
    const made = await this.packets(actor, selection, agencyKey);
    const zip = storedZip(made.files, c.now());
    this.auditExport(actor, made, 'window');
    return { zip, packets: made.files.length, documents: made.documents, level: made.level };
  }

  /** The packets of the selected issued documents, as the transport would carry them. */
  private async packets(actor: Actor, selection: PackageSelection, agencyKey: PrivateKeyOps): Promise<{ files: Array<{ name: string; bytes: Buffer }>; documents: number; level: Secrecy }> {
    authorize(actor, 'doc.register');
    const c = this.source.context();
    await c.writable();
    const certs = encryptionCertificates(readDirectory(c.db));
    const files: Array<{ name: string; bytes: Buffer }> = [];
    const docs = selectOutgoing(c.db, c.arms, actor, selection).filter((r) => r.status === 'issued');
    let level: Secrecy = 'thuong';
    for (const d of docs) {
      if (secrecyRank(d.secrecy) > secrecyRank(level)) level = d.secrecy;
      for (const p of await this.exchange.packetsFor(actor, d.id, agencyKey, certs)) files.push({ name: `${p.packetId}.${p.sealed ? 'sealed' : 'edxml'}`, bytes: p.bytes });
    }
    if (files.length === 0) throw new PackageError('NOTHING_SELECTED', 'no packet for the selection', 'Không có gói tin nào trong phạm vi được chọn.');
    return { files, documents: docs.length, level };
  }

  private auditExport(actor: Actor, made: { files: readonly unknown[]; documents: number }, to: 'file' | 'window'): void {
    const c = this.source.context();
    writeTx(c.db, () => appendAudit(c.db, { userId: actor.id, action: 'package.edxml_export', details: { documents: made.documents, packets: made.files.length, to } }, c.now().toISOString()));
  }
}
