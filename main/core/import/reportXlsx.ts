// The validation report as a workbook for the clerk: "Kết quả" (one line per row: sheet, row,
// status, reasons), "Đặc điểm tệp" (the source's quirks), "Đơn vị chưa có" (issuers to map).
import ExcelJS from 'exceljs';
import type { ValidationReport } from './dryRun';

const STATUS_TEXT = { ok: 'Hợp lệ', warning: 'Cảnh báo', duplicate: 'Trùng', rejected: 'Bị từ chối' } as const;

export async function reportWorkbook(report: ValidationReport): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const rows = wb.addWorksheet('Kết quả');
  rows.addRow(['Trang', 'Dòng', 'Kết quả', 'Lý do', 'Cột', 'Chi tiết']);
  for (const r of report.rows) {
    rows.addRow([r.sheet, r.row, STATUS_TEXT[r.status], r.reasons.map((x) => x.text).join('; '), r.reasons.map((x) => x.column ?? '').filter(Boolean).join('; '),
      r.reasons.map((x) => x.detail ?? '').filter(Boolean).join('; ')]);
  }
  const quirks = wb.addWorksheet('Đặc điểm tệp');
  quirks.addRow(['Đặc điểm', 'Trang', 'Dòng', 'Cột', 'Chi tiết', 'Mã']);
  for (const q of report.quirks) quirks.addRow([q.text, q.sheet ?? '', q.row ?? '', q.column ?? '', q.detail ?? '', q.code]);
  const units = wb.addWorksheet('Đơn vị chưa có');
  units.addRow(['Cơ quan ban hành (như đã ghi)', 'Số dòng', 'Các dòng']);
  for (const u of report.unknownUnits) units.addRow([u.name, u.count, u.rows.map((x) => `${x.sheet}:${x.row}`).join(', ')]);
  for (const ws of [rows, quirks, units]) ws.getRow(1).font = { bold: true };
  return Buffer.from(await wb.xlsx.writeBuffer());
}
