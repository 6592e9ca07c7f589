// The agency's seal image (hình ảnh con dấu) that its signature shows over the signer's
// (Nghị định 30/2020, Phụ lục I: red, its real size, PNG with a transparent background). The
// administrator uploads the agency's own; until then a generated one stands in (the demo, tests).
// An upload is checked as a real PNG: signature, every chunk's CRC, IHDR first and IEND last, the
// image data inflating to exactly the size its header says, an alpha channel, and size limits.
import { createHash } from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';
import { DeskError } from '../../../common/errors';
import type { Db } from '../db/connection';
import { getSetting, setSetting } from '../profile/settings';

export const SEAL_LIMITS = { maxBytes: 512 * 1024, minPixels: 64, maxPixels: 2000 } as const;

const SIGNATURE = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(b: Buffer): number {
  let c = 0xffffffff;
  for (const x of b) c = CRC_TABLE[(c ^ x) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const bad = (reason: string, log: string, params?: Record<string, string | number>) =>
  DeskError.keyed('VALIDATION', 'outgoing.sealInvalid', { reason, ...(params ?? {}) }, { at: 'png', details: { code: 'outgoing.sealInvalid', log } });

export interface PngInfo { width: number; height: number; colorType: number; bitDepth: number; alpha: boolean }

/** A real PNG within the limits, with transparency; its dimensions. Refusals name what is wrong. */
export function checkSealPng(bytes: Uint8Array): PngInfo {
  return checkPng(bytes, { ...SEAL_LIMITS, requireAlpha: true, bad });
}

export interface PngRules {
  maxBytes: number; minPixels: number; maxPixels: number;
  /** Refuse an image without an alpha channel or tRNS (a seal must be transparent). */
  requireAlpha: boolean;
  /** The refusal: a Vietnamese reason for the message, and an English line for the log. */
  bad(reason: string, log: string): Error;
}

/**
 * A real PNG within the limits: signature, every chunk's CRC, IHDR first and IEND last, nothing
 * after it, the image data inflating to exactly the size its header says; its dimensions.
 */
export function checkPng(bytes: Uint8Array, rules: PngRules): PngInfo {
  const { bad, maxBytes, minPixels, maxPixels } = rules;
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (b.length > maxBytes) throw bad(`tệp lớn hơn ${maxBytes / 1024} KB`, `image of ${b.length} bytes exceeds ${maxBytes}`);
  if (b.length < SIGNATURE.length + 12 || !b.subarray(0, 8).equals(SIGNATURE)) throw bad('không phải tệp PNG', 'image lacks the PNG signature');
  let at = 8;
  let info: PngInfo | undefined;
  let ended = false;
  let hasTrns = false;
  const idat: Buffer[] = [];
  while (at < b.length) {
    if (at + 12 > b.length) throw bad('tệp PNG bị cắt cụt', `truncated chunk header at ${at}`);
    const len = b.readUInt32BE(at);
    const type = b.toString('latin1', at + 4, at + 8);
    if (at + 12 + len > b.length) throw bad('tệp PNG bị cắt cụt', `chunk ${type} of ${len} bytes runs past the end`);
    const body = b.subarray(at + 8, at + 8 + len);
    if (crc32(b.subarray(at + 4, at + 8 + len)) !== b.readUInt32BE(at + 8 + len)) throw bad('tệp PNG bị hỏng', `CRC mismatch in chunk ${type}`);
    if (at === 8 && type !== 'IHDR') throw bad('tệp PNG bị hỏng', 'first chunk is not IHDR');
    if (type === 'IHDR') {
      if (len !== 13) throw bad('tệp PNG bị hỏng', 'IHDR length is not 13');
      const colorType = body[9]!;
      info = { width: body.readUInt32BE(0), height: body.readUInt32BE(4), bitDepth: body[8]!, colorType, alpha: colorType === 4 || colorType === 6 };
      if (body[12] !== 0) throw bad('ảnh PNG xen kẽ (interlaced) không được hỗ trợ', 'interlaced PNG');
    } else if (type === 'tRNS') hasTrns = true;
    else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') {
      ended = true;
      at += 12 + len;
      break;
    }
    at += 12 + len;
  }
  if (!info || !ended || idat.length === 0) throw bad('tệp PNG bị hỏng', 'missing IHDR, IDAT or IEND');
  if (at !== b.length) throw bad('tệp PNG có dữ liệu lạ sau phần kết thúc', `${b.length - at} bytes after IEND`);
  const { width, height } = info;
  if (width < minPixels || height < minPixels || width > maxPixels || height > maxPixels)
    throw bad(`kích thước ảnh phải từ ${minPixels} đến ${maxPixels} điểm ảnh mỗi chiều`, `image ${width}x${height} outside ${minPixels}..${maxPixels}`);
  const channels = ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as Record<number, number>)[info.colorType];
  if (!channels || ![1, 2, 4, 8, 16].includes(info.bitDepth)) throw bad('tệp PNG bị hỏng', `colour type ${info.colorType} with bit depth ${info.bitDepth}`);
  if (rules.requireAlpha && !info.alpha && !hasTrns) throw bad('ảnh con dấu phải có nền trong suốt', 'seal image has no alpha channel nor tRNS');
  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(idat));
  } catch (e) {
    throw bad('tệp PNG bị hỏng', `image data does not inflate: ${(e as Error).message}`);
  }
  const rowBytes = 1 + Math.ceil((width * channels * info.bitDepth) / 8);
  if (raw.length !== rowBytes * height) throw bad('tệp PNG bị hỏng', `image data is ${raw.length} bytes, its header says ${rowBytes * height}`);
  for (let y = 0; y < height; y++) if (raw[y * rowBytes]! > 4) throw bad('tệp PNG bị hỏng', `row ${y} has filter type ${raw[y * rowBytes]}`);
  return { ...info, alpha: info.alpha || hasTrns };
}

/** An RGBA image as PNG (8 bits, filter 0 on every row). */
export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(raw, y * (width * 4 + 1) + 1);
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([head, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

/** Whether (x, y), relative to the centre, lies inside a five-pointed star of outer radius r (point up). */
function inStar(x: number, y: number, r: number): boolean {
  const inner = r * 0.382;
  const pts: Array<[number, number]> = [];
  for (let i = 0; i < 10; i++) {
    const a = -Math.PI / 2 + (i * Math.PI) / 5;
    const rad = i % 2 === 0 ? r : inner;
    pts.push([Math.cos(a) * rad, Math.sin(a) * rad]);
  }
  let inside = false;
  for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) {
    const [xi, yi] = pts[i]!;
    const [xj, yj] = pts[j]!;
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

let generated: Buffer | undefined;

/**
 * The stand-in seal: a red round seal (two rings, a ring of dots, a star in the centre) on a
 * transparent background, 302 px across: 40 mm at 192 dpi. Drawn with 4×4 supersampling.
 */
export function defaultSealPng(): Buffer {
  if (generated) return generated;
  const size = 302;
  const c = size / 2;
  const red = [200, 16, 26];
  const rgba = new Uint8Array(size * size * 4);
  const inked = (x: number, y: number): boolean => {
    const dx = x - c;
    const dy = y - c;
    const d = Math.hypot(dx, dy);
    if (d <= 148 && d >= 139) return true; // outer ring
    if (d <= 100 && d >= 96) return true; // inner ring
    // A ring of 36 dots between the rings, where the agency's name goes on a real seal.
    if (d > 112 && d < 128) {
      const a = Math.atan2(dy, dx);
      const k = Math.round((a / (2 * Math.PI)) * 36);
      const ka = (k * 2 * Math.PI) / 36;
      if (Math.hypot(dx - Math.cos(ka) * 120, dy - Math.sin(ka) * 120) <= 5.5) return true;
    }
    return inStar(dx, dy, 62);
  };
  const ss = 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let hits = 0;
      for (let sy = 0; sy < ss; sy++) for (let sx = 0; sx < ss; sx++) if (inked(x + (sx + 0.5) / ss, y + (sy + 0.5) / ss)) hits++;
      if (hits === 0) continue;
      const o = (y * size + x) * 4;
      rgba.set([red[0]!, red[1]!, red[2]!, Math.round((255 * hits) / (ss * ss))], o);
    }
  }
  generated = encodePng(size, size, rgba);
  return generated;
}

export interface SealView { custom: boolean; png: string; width: number; height: number; sha256: string }

/** The agency's seal image: the uploaded one, else the generated stand-in. */
export function readSeal(db: Db): { bytes: Buffer; custom: boolean } {
  const stored = getSetting(db, 'agency_seal');
  if (stored) return { bytes: Buffer.from(stored, 'base64'), custom: true };
  return { bytes: defaultSealPng(), custom: false };
}

export function sealView(db: Db): SealView {
  const { bytes, custom } = readSeal(db);
  const { width, height } = checkSealPng(bytes);
  return { custom, png: bytes.toString('base64'), width, height, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Stores an uploaded seal (checked) or, with null, goes back to the stand-in (inside a write transaction). */
export function writeSeal(db: Db, png: Uint8Array | null): void {
  if (png === null) {
    db.prepare("DELETE FROM settings WHERE key = 'agency_seal'").run();
    return;
  }
  checkSealPng(png);
  setSetting(db, 'agency_seal', Buffer.from(png).toString('base64'));
}
