// A generated legacy archive, every file made by the test (never committed): an XLSX register with
// title rows, a merged two-row header, date cells, Excel serials, a formula and several sheets; a
// Windows-1258 CSV; a TCVN3 TSV; a VNI CSV; a dBase III table with its .dbt memo; scanned PDFs.
// Each file plants known quirks; the tests check they are reported exactly.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { encodeCp1258 } from '../../main/core/import/encodings/cp1258';
import { encodeTcvn3 } from '../../main/core/import/encodings/tcvn3';
import { encodeVni } from '../../main/core/import/encodings/vni';
import { makeSamplePdf } from '../../main/devhost/samplePdf';

/** Days since 1899-12-30 (Excel's serial of a date after February 1900). */
export const excelSerial = (iso: string): number => Math.round((Date.parse(`${iso}T00:00:00Z`) - Date.UTC(1899, 11, 30)) / 86_400_000);

export async function writePdf(dir: string, name: string, numberSymbol: string, subject: string): Promise<void> {
  writeFileSync(join(dir, name), await makeSamplePdf({ issuer: 'Sở Nội vụ', numberSymbol, title: 'CÔNG VĂN', subject }));
}

/**
 * The XLSX register "so-den.xlsx":
 *   sheet "Sổ đến 2019": rows 1-2 title, rows 3-4 header (A-B, F-H merged down; C3:E3 "Văn bản" merged
 *   across over "Số, ký hiệu" / "Ngày" / "Cơ quan ban hành"), data from row 5;
 *   sheet "Sổ đến 2020": a one-row header; sheet "Hướng dẫn": text only, no mapped column.
 */
export async function writeXlsxRegister(dir: string): Promise<void> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Sổ đến 2019');
  ws.getCell('A1').value = 'SỔ ĐĂNG KÝ VĂN BẢN ĐẾN';
  ws.mergeCells('A1:H1');
  ws.getCell('A2').value = 'Năm 2019';
  for (const [col, title] of [['A', 'Số đến'], ['B', 'Ngày đến'], ['F', 'Trích yếu'], ['G', 'Độ mật'], ['H', 'Tệp']] as const) {
    ws.getCell(`${col}3`).value = title;
    ws.mergeCells(`${col}3:${col}4`);
  }
  ws.getCell('C3').value = 'Văn bản';
  ws.mergeCells('C3:E3');
  ws.getCell('C4').value = 'Số, ký hiệu';
  ws.getCell('D4').value = 'Ngày';
  ws.getCell('E4').value = 'Cơ quan ban hành';
  const date = (iso: string) => new Date(`${iso}T00:00:00Z`);
  const rows: unknown[][] = [
    // row 5: ok: real date cells, Excel serial for the document date, a file
    [1, date('2019-03-06'), '12/QĐ-UBND', excelSerial('2019-03-05'), 'UBND tỉnh Quảng Ninh', 'Về việc kiện toàn Ban chỉ đạo', 'Thường', 'scans/12-qd.pdf'],
    // row 6: party form typed with a space, written date; an issuer not in the directory
    [2, date('2019-03-08'), 'Số 27 QĐ/TU', 'ngày 7 tháng 3 năm 2019', 'Ban Tổ chức Huyện ủy Đông Triều', 'Quyết định về công tác cán bộ', 'Mật', ''],
    // row 7: the same document as row 5 (a duplicate within the file)
    [3, date('2019-03-09'), '12/QĐ-UBND', excelSerial('2019-03-05'), 'Ủy ban nhân dân tỉnh Quảng Ninh', 'Về việc kiện toàn Ban chỉ đạo', '', ''],
    // row 8: Tối mật, above a Mật-cleared importer
    [4, date('2019-03-10'), '5/KH-UBND', excelSerial('2019-03-09'), 'UBND tỉnh Quảng Ninh', 'Kế hoạch bảo vệ bí mật', 'TM', ''],
    // row 9: a path that climbs out of the folder
    [5, date('2019-03-11'), '6/TB-UBND', excelSerial('2019-03-10'), 'UBND tỉnh Quảng Ninh', 'Thông báo lịch làm việc', 'Thường', '../ngoai.pdf'],
    // row 10: a .pdf that is a JPEG
    [6, date('2019-03-12'), '7/TB-UBND', excelSerial('2019-03-11'), 'UBND tỉnh Quảng Ninh', 'Thông báo kết luận', 'Thường', 'scans/gia.pdf'],
    // row 11: the document date is a formula
    [7, date('2019-03-13'), '8/BC-UBND', { formula: 'B11-1', result: date('2019-03-12') }, 'UBND tỉnh Quảng Ninh', 'Báo cáo tháng 3', 'Thường', ''],
  ];
  rows.forEach((r, i) => { ws.getRow(5 + i).values = r as ExcelJS.CellValue[]; });
  ws.getColumn('B').numFmt = 'dd/mm/yyyy';
  const ws2 = wb.addWorksheet('Sổ đến 2020');
  ws2.addRow(['Số đến', 'Ngày đến', 'Văn bản / Số, ký hiệu', 'Văn bản / Ngày', 'Văn bản / Cơ quan ban hành', 'Trích yếu', 'Độ mật', 'Tệp']);
  ws2.addRow([1, date('2020-01-03'), '01/CV-UBND', '02/01/2020', 'UBND tỉnh Quảng Ninh', 'Về việc nghỉ Tết', 'khẩn', '']);
  const ws3 = wb.addWorksheet('Hướng dẫn');
  ws3.addRow(['Sổ này do văn thư ghi chép hằng ngày.']);
  writeFileSync(join(dir, 'so-den.xlsx'), Buffer.from(await wb.xlsx.writeBuffer()));
}

/** A register exported as Windows-1258 ("; "-separated, a quoted subject over two lines, d/m/yy dates). */
export function writeCp1258Csv(dir: string): void {
  const text = [
    'Số ký hiệu;Ngày văn bản;Cơ quan ban hành;Trích yếu;Độ mật;Độ khẩn',
    '15/QĐ-UBND;5/3/19;UBND tỉnh Quảng Ninh;"Về việc triển khai',
    'chính quyền điện tử";;Hỏa tốc',
    'Số: 16/CV-UBND;06/03/2019;UBND tỉnh Quảng Ninh;Về việc tiếp nhận hồ sơ;MẬT;thượng khẩn',
    '17/TB-UBND;07/13/2019;UBND tỉnh Quảng Ninh;Thông báo lịch trực;Không;Khẩn',
    '18/TB-UBND;32/03/2019;UBND tỉnh Quảng Ninh;Ngày sai;;',
  ].join('\r\n');
  writeFileSync(join(dir, 'cp1258.csv'), encodeCp1258(text));
}

/** A TCVN3 (ABC) TSV: tabs, no quotes; capitals the fonts lacked are written in lowercase bytes. */
export function writeTcvn3Tsv(dir: string): void {
  const text = [
    'Số ký hiệu\tNgày văn bản\tCơ quan ban hành\tTrích yếu\tĐộ mật',
    '20-CV/TU\t2019-04-01\tTỉnh ủy Quảng Ninh\tVề việc học tập nghị quyết\tMẬT',
    '21-TB/TU\t02/04/2019\tTỉnh ủy Quảng Ninh\tThông báo ý kiến của Thường trực\tThường',
  ].join('\n');
  writeFileSync(join(dir, 'tcvn3.tsv'), encodeTcvn3(text));
}

/** A VNI-Windows CSV (commas). */
export function writeVniCsv(dir: string): void {
  const text = [
    'Số ký hiệu,Ngày văn bản,Cơ quan ban hành,Trích yếu,Độ khẩn',
    '30/KH-SNV,10/05/2019,Sở Nội vụ,Kế hoạch tuyển dụng viên chức năm 2019,Khẩn',
    '31/QĐ-SNV,11/05/2019,000.00.12.H49,Quyết định điều động cán bộ,',
  ].join('\n');
  writeFileSync(join(dir, 'vni.csv'), encodeVni(text));
}

/**
 * A dBase III table with a .dbt memo, made byte by byte: fields SOKH C(20), NGAYVB D, COQUAN C(40),
 * TRICHYEU M (memo, TCVN3 text), SOTRANG N(3,0); 3 records, the second deleted.
 */
export function writeDbf(dir: string): void {
  const fields: Array<[string, string, number]> = [['SOKH', 'C', 20], ['NGAYVB', 'D', 8], ['COQUAN', 'C', 40], ['TRICHYEU', 'M', 10], ['SOTRANG', 'N', 3]];
  const records: Array<{ deleted: boolean; values: [string, string, string, string, string] }> = [
    { deleted: false, values: ['40/QĐ-UBND', '20190601', 'UBND tỉnh Quảng Ninh', 'Quyết định phê duyệt đề án chuyển đổi số của tỉnh', '3'] },
    { deleted: true, values: ['41/QĐ-UBND', '20190602', 'UBND tỉnh Quảng Ninh', 'Bản ghi đã xóa', '1'] },
    { deleted: false, values: ['42/TB-UBND', '20190603', 'UBND tỉnh Quảng Ninh', 'Thông báo kết quả kiểm tra công tác văn thư', '2'] },
  ];
  const recordLength = 1 + fields.reduce((n, f) => n + f[2], 0);
  const headerLength = 32 + 32 * fields.length + 1;
  const header = Buffer.alloc(headerLength);
  header[0] = 0x83; // dBase III with memo
  header[1] = 119; header[2] = 6; header[3] = 30;
  header.writeUInt32LE(records.length, 4);
  header.writeUInt16LE(headerLength, 8);
  header.writeUInt16LE(recordLength, 10);
  fields.forEach(([name, type, len], i) => {
    const at = 32 + 32 * i;
    header.write(name, at, 'latin1');
    header[at + 11] = type.charCodeAt(0);
    header[at + 16] = len;
  });
  header[headerLength - 1] = 0x0d;
  // Memo: block 0 is the header (next free block), each memo in its own 512-byte block ending 0x1A 0x1A.
  const memoBlocks: Buffer[] = [];
  const body = records.map((r) => {
    const rec = Buffer.alloc(recordLength, 0x20);
    rec[0] = r.deleted ? 0x2a : 0x20;
    let at = 1;
    fields.forEach(([, type, len], i) => {
      const v = r.values[i]!;
      let bytes: Buffer;
      if (type === 'M') {
        const memo = Buffer.concat([encodeTcvn3(v), Buffer.from([0x1a, 0x1a])]);
        const block = Buffer.alloc(Math.ceil(memo.length / 512) * 512);
        memo.copy(block);
        bytes = Buffer.from(String(1 + memoBlocks.reduce((n, b) => n + b.length / 512, 0)).padStart(len, ' '), 'latin1');
        memoBlocks.push(block);
      } else if (type === 'N') bytes = Buffer.from(v.padStart(len, ' '), 'latin1');
      else bytes = encodeTcvn3(v);
      bytes.copy(rec, at, 0, Math.min(len, bytes.length));
      at += len;
    });
    return rec;
  });
  writeFileSync(join(dir, 'VANBAN.DBF'), Buffer.concat([header, ...body, Buffer.from([0x1a])]));
  const memoHeader = Buffer.alloc(512);
  memoHeader.writeUInt32LE(1 + memoBlocks.reduce((n, b) => n + b.length / 512, 0), 0);
  writeFileSync(join(dir, 'VANBAN.DBT'), Buffer.concat([memoHeader, ...memoBlocks]));
}

/** The whole archive in `dir`: the registers and their scans (one a JPEG named .pdf; one outside, one reached by a link out). */
export async function writeLegacyArchive(root: string): Promise<{ dir: string }> {
  const dir = join(root, 'archive');
  mkdirSync(join(dir, 'scans'), { recursive: true });
  await writeXlsxRegister(dir);
  writeCp1258Csv(dir);
  writeTcvn3Tsv(dir);
  writeVniCsv(dir);
  writeDbf(dir);
  await writePdf(join(dir, 'scans'), '12-qd.pdf', '12/QĐ-UBND', 'Về việc kiện toàn Ban chỉ đạo');
  writeFileSync(join(dir, 'scans', 'gia.pdf'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0]));
  await writePdf(root, 'ngoai.pdf', '1/TB', 'Ở ngoài thư mục');
  symlinkSync(join(root, 'ngoai.pdf'), join(dir, 'scans', 'lien-ket.pdf'));
  return { dir };
}
