// A person's signature image (hình ảnh chữ ký, Nghị định 30/2020 Phụ lục I): the picture the signer's
// PAdES signature shows between their position and their name. Uploaded by the person or by an
// administrator for them; the format is sniffed from the bytes (never the name or a declared type): a
// PNG checked chunk by chunk (outgoing/seal.ts checkPng), or a baseline/progressive JPEG whose markers
// are walked to its frame header and its end; size and dimension limits; and pdf-lib must embed it.
// Kept in the base database (SQLCipher, under the profile's key), one row per person, replicated.
import { createHash } from 'node:crypto';
import { PDFDocument } from 'pdf-lib';
import { DeskError } from '../../../common/errors';
import type { Db } from '../db/connection';
import { recordChange } from '../events/eventLog';
import { newGlobalId } from '../events/globalId';
import { checkPng } from '../outgoing/seal';
import { wholeBuffer } from '../pdf/appearance';

export const SIGNATURE_IMAGE_LIMITS = { maxBytes: 512 * 1024, minPixels: 32, maxPixels: 2000 } as const;

export interface SignatureImageInfo { mime: 'image/png' | 'image/jpeg'; width: number; height: number }

const bad = (reason: string, log: string): DeskError =>
  DeskError.keyed('VALIDATION', 'person.signatureImageInvalid', { reason }, { at: 'image', details: { code: 'person.signatureImageInvalid', log } });

/** SOFn markers that carry the frame's dimensions (not DHT C4, JPG C8, DAC CC). */
const isFrame = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

function checkJpeg(b: Buffer): SignatureImageInfo {
  let at = 2;
  let size: { width: number; height: number } | null = null;
  for (;;) {
    if (at + 4 > b.length) throw bad('tệp JPEG bị cắt cụt', `truncated marker at ${at}`);
    if (b[at] !== 0xff) throw bad('tệp JPEG bị hỏng', `no marker at ${at}`);
    const marker = b[at + 1]!;
    if (marker === 0xff) { at++; continue; } // fill byte
    if (marker === 0xd9) throw bad('tệp JPEG bị hỏng', 'EOI before the scan');
    const len = b.readUInt16BE(at + 2);
    if (len < 2 || at + 2 + len > b.length) throw bad('tệp JPEG bị cắt cụt', `segment ${marker.toString(16)} of ${len} bytes runs past the end`);
    if (isFrame(marker)) {
      if (len < 8) throw bad('tệp JPEG bị hỏng', 'short frame header');
      size = { height: b.readUInt16BE(at + 5), width: b.readUInt16BE(at + 7) };
    }
    at += 2 + len;
    if (marker === 0xda) break; // start of scan: entropy-coded data follows
  }
  if (!size) throw bad('tệp JPEG bị hỏng', 'no frame header before the scan');
  // The file ends with EOI (a scanner or an editor may add nothing after it that matters: refused).
  if (b[b.length - 2] !== 0xff || b[b.length - 1] !== 0xd9) throw bad('tệp JPEG bị cắt cụt hoặc có dữ liệu lạ ở cuối', 'does not end with EOI');
  return { mime: 'image/jpeg', ...size };
}

/** The image checked (format sniffed, limits, embeddable in a PDF); refusals say what is wrong. */
export async function checkSignatureImage(bytes: Uint8Array): Promise<SignatureImageInfo> {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const { maxBytes, minPixels, maxPixels } = SIGNATURE_IMAGE_LIMITS;
  if (b.length === 0) throw bad('tệp rỗng', 'empty image');
  if (b.length > maxBytes) throw bad(`tệp lớn hơn ${maxBytes / 1024} KB`, `image of ${b.length} bytes exceeds ${maxBytes}`);
  let info: SignatureImageInfo;
  if (b[0] === 0x89 && b.subarray(1, 4).toString('latin1') === 'PNG') {
    const png = checkPng(b, { ...SIGNATURE_IMAGE_LIMITS, requireAlpha: false, bad });
    info = { mime: 'image/png', width: png.width, height: png.height };
  } else if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) {
    info = checkJpeg(b);
  } else {
    throw bad('chỉ nhận ảnh PNG (nên có nền trong suốt) hoặc JPEG', 'neither PNG nor JPEG by its first bytes');
  }
  if (info.width < minPixels || info.height < minPixels || info.width > maxPixels || info.height > maxPixels) {
    throw bad(`kích thước ảnh phải từ ${minPixels} đến ${maxPixels} điểm ảnh mỗi chiều`, `image ${info.width}x${info.height} outside ${minPixels}..${maxPixels}`);
  }
  // What the signature's appearance will do with it: pdf-lib embeds it (unusual colour models refused here, not at signing).
  try {
    const doc = await PDFDocument.create();
    const own = wholeBuffer(b);
    await (info.mime === 'image/png' ? doc.embedPng(own) : doc.embedJpg(own));
  } catch (e) {
    throw bad('không đưa được ảnh vào tệp PDF', `pdf-lib cannot embed it: ${(e as Error).message}`);
  }
  return info;
}

export interface StoredSignatureImage extends SignatureImageInfo { bytes: Buffer; sha256: string; setBy: number; setAt: string }

export function readSignatureImage(db: Db, userId: number): StoredSignatureImage | null {
  const r = db.prepare('SELECT mime, width, height, image, sha256, set_by, set_at FROM main.signature_images WHERE user_id = ?').get(userId) as
    { mime: SignatureImageInfo['mime']; width: number; height: number; image: Buffer; sha256: string; set_by: number; set_at: string } | undefined;
  return r ? { mime: r.mime, width: r.width, height: r.height, bytes: r.image, sha256: r.sha256, setBy: r.set_by, setAt: r.set_at } : null;
}

/** Stores (replaces) or, with null, removes a person's image; inside a write transaction; one event each. */
export function writeSignatureImage(db: Db, userId: number, image: { bytes: Uint8Array; info: SignatureImageInfo } | null, by: number, now: Date): void {
  const old = db.prepare('SELECT id FROM main.signature_images WHERE user_id = ?').pluck().get(userId) as number | undefined;
  if (image === null) {
    if (old === undefined) return;
    recordChange(db, 'signature_images', old, 'delete', by, now);
    db.prepare('DELETE FROM main.signature_images WHERE id = ?').run(old);
    return;
  }
  const bytes = Buffer.from(image.bytes);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (old !== undefined) {
    db.prepare('UPDATE main.signature_images SET mime = ?, width = ?, height = ?, image = ?, sha256 = ?, set_by = ?, set_at = ? WHERE id = ?')
      .run(image.info.mime, image.info.width, image.info.height, bytes, sha256, by, now.toISOString(), old);
    recordChange(db, 'signature_images', old, 'update', by, now);
    return;
  }
  const res = db.prepare('INSERT INTO main.signature_images (global_id, user_id, mime, width, height, image, sha256, set_by, set_at) VALUES (?,?,?,?,?,?,?,?,?)')
    .run(newGlobalId(), userId, image.info.mime, image.info.width, image.info.height, bytes, sha256, by, now.toISOString());
  recordChange(db, 'signature_images', Number(res.lastInsertRowid), 'create', by, now);
}
