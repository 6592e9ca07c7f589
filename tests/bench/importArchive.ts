// A generated legacy archive for the import benchmark: one CSV register of N rows and one real PDF per
// row (one page naming the document, plus a binary stream object to reach its size; sizes log-uniform
// between minKb and maxKb, so most scans are small and a few large, as in a scanned register), spread
// over folders of 1 000 files. Every row is valid and unique: the benchmark imports all of them.
import { randomFillSync } from 'node:crypto';
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const IMPORT_HEADERS = ['Số đến', 'Ngày đến', 'Số, ký hiệu', 'Ngày văn bản', 'Cơ quan ban hành', 'Trích yếu', 'Độ mật', 'Tệp'];

const ISSUERS = ['UBND tỉnh Quảng Ninh', 'Sở Nội vụ', 'Sở Tài chính', 'Ban Tổ chức Tỉnh ủy', 'Công an tỉnh', 'Sở Giáo dục và Đào tạo'];
const TYPES = ['CV', 'QĐ', 'TB', 'KH', 'BC', 'TTr'];
const SUBJECTS = ['Về việc triển khai nhiệm vụ', 'Về việc kiện toàn Ban chỉ đạo', 'Thông báo kết luận cuộc họp', 'Kế hoạch kiểm tra công tác', 'Báo cáo tình hình thực hiện', 'Về việc đề nghị bổ sung kinh phí'];

/** mulberry32: the same archive for the same seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A well-formed one-page PDF of exactly about `size` bytes: its page says `line`; a binary stream fills the rest. */
export function samplePdf(line: string, size: number, fill: Buffer): Buffer {
  const text = line.replace(/[()\\]/g, ' ').normalize('NFD').replace(/[^\x20-\x7e]/g, '');
  const content = `BT /F1 12 Tf 72 720 Td (${text}) Tj ET`;
  const objs = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
  ];
  const head = Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1');
  const parts: Buffer[] = [head];
  const offsets: number[] = [];
  let at = head.length;
  const push = (b: Buffer) => { parts.push(b); at += b.length; };
  objs.forEach((o, i) => { offsets.push(at); push(Buffer.from(`${i + 1} 0 obj\n${o}\nendobj\n`, 'latin1')); });
  // Object 6: the scan's bytes (any binary payload: a PDF stream object may hold any bytes).
  const fillLen = Math.max(0, size - at - 400);
  offsets.push(at);
  push(Buffer.from(`6 0 obj\n<< /Length ${fillLen} >>\nstream\n`, 'latin1'));
  push(fill.subarray(0, fillLen));
  push(Buffer.from('\nendstream\nendobj\n', 'latin1'));
  const xref = at;
  const table = offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
  push(Buffer.from(`xref\n0 ${offsets.length + 1}\n0000000000 65535 f \n${table}trailer\n<< /Size ${offsets.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`, 'latin1'));
  return Buffer.concat(parts);
}

export interface ImportArchive { dir: string; source: string; records: number; fileBytes: number; files: string[] }

/** Writes `so-den.csv` and `scans/NNN/*.pdf` into `dir`. */
export function writeImportArchive(dir: string, records: number, o: { seed?: number; minKb?: number; maxKb?: number } = {}): ImportArchive {
  const next = rng(o.seed ?? 2026);
  const minKb = o.minKb ?? 20;
  const maxKb = o.maxKb ?? 200;
  const fill = Buffer.alloc(maxKb * 1024);
  const lines = [IMPORT_HEADERS.map((h) => (h.includes(',') ? `"${h}"` : h)).join(',')];
  const files: string[] = [];
  let fileBytes = 0;
  const start = Date.UTC(2024, 0, 2);
  for (let i = 1; i <= records; i++) {
    const folder = String(Math.floor((i - 1) / 1000)).padStart(3, '0');
    if ((i - 1) % 1000 === 0) mkdirSync(join(dir, 'scans', folder), { recursive: true });
    // Arrivals in order over two years; each document dated a few days before its arrival.
    const arrival = new Date(start + Math.floor(((i - 1) / records) * 700) * 86_400_000);
    const docDate = new Date(arrival.getTime() - Math.floor(next() * 10) * 86_400_000);
    const vn = (d: Date) => `${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()}`;
    const type = TYPES[i % TYPES.length]!;
    const issuer = ISSUERS[i % ISSUERS.length]!;
    const symbol = `${i}/${type}-UBND`;
    const subject = `${SUBJECTS[i % SUBJECTS.length]!} số ${i}`;
    const secrecy = i % 20 === 0 ? 'Mật' : 'Thường';
    const name = `scans/${folder}/${i}.pdf`;
    const size = Math.round(minKb * 1024 * Math.pow(maxKb / minKb, next()));
    randomFillSync(fill, 0, Math.min(fill.length, size));
    const pdf = samplePdf(`${symbol} ${subject}`, size, fill);
    const fd = openSync(join(dir, name), 'w');
    writeSync(fd, pdf);
    closeSync(fd);
    files.push(join(dir, name));
    fileBytes += pdf.length;
    lines.push([String(i), vn(arrival), symbol, vn(docDate), issuer, `"${subject}"`, secrecy, name].join(','));
  }
  const source = join(dir, 'so-den.csv');
  writeFileSync(source, `${lines.join('\n')}\n`);
  return { dir, source, records, fileBytes, files };
}
