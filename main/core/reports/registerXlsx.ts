// A register as an XLSX workbook (exceljs): the agency, title and period above the table, the
// column titles and numbers as a frozen header (repeated on every printed page), column widths from
// the layout, dates as real dates shown dd/mm/yyyy, A4 landscape fitted to the page width.
import ExcelJS from 'exceljs';
import { formatDateVn } from '../../../common/dates';
import { checkRegisterInput, LAYOUTS, type Cell, type Column, type RegisterKind, type RegisterOptions, type RegisterRows } from './registers';

/** The row of the column titles; the column numbers follow; data starts two rows below. */
export const XLSX_HEADER_ROW = 5;
export const XLSX_FIRST_DATA_ROW = XLSX_HEADER_ROW + 2;

/** yyyy-mm-dd as a date at 00:00 UTC, which exceljs writes as that calendar day exactly. */
const asDate = (iso: string): Date => new Date(`${iso}T00:00:00Z`);

function value(c: Cell): ExcelJS.CellValue {
  if (!c) return null;
  if ('text' in c) return c.text;
  if ('number' in c) return c.number;
  return asDate(c.date);
}

/** Composes the register's workbook. Bad input is refused with a DeskError before anything is written. */
export async function registerXlsx<K extends RegisterKind>(kind: K, rows: readonly RegisterRows[K][], opts: RegisterOptions): Promise<Uint8Array> {
  checkRegisterInput(kind, rows, opts);
  const layout = LAYOUTS[kind];
  const columns = layout.columns as Column<RegisterRows[K]>[];
  const wb = new ExcelJS.Workbook();
  wb.creator = 'SecureDesk';
  wb.created = new Date();
  const ws = wb.addWorksheet(`${layout.sheet} ${opts.year}`.slice(0, 31), {
    pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
    views: [{ state: 'frozen', ySplit: XLSX_FIRST_DATA_ROW - 1, xSplit: 0 }],
  });
  ws.pageSetup.printTitlesRow = `${XLSX_HEADER_ROW}:${XLSX_FIRST_DATA_ROW - 1}`;
  // (+3: exceljs reads a width of exactly 9, its default, back as no width at all.)
  ws.columns = columns.map((c) => ({ width: c.width + 3 }));
  const last = columns.length;

  const banner = (row: number, text: string, size: number, bold: boolean) => {
    ws.mergeCells(row, 1, row, last);
    const cell = ws.getCell(row, 1);
    cell.value = text;
    cell.font = { name: 'Times New Roman', size, bold };
    cell.alignment = { horizontal: 'center', vertical: 'middle' };
  };
  banner(1, [opts.parentUnitName, opts.unitName].filter(Boolean).join(' — ').toLocaleUpperCase('vi'), 12, true);
  banner(2, layout.title, 14, true);
  banner(3, `Năm ${opts.year} — từ ngày ${formatDateVn(opts.period.from)} đến ngày ${formatDateVn(opts.period.to)}${opts.volume !== undefined ? ` — Quyển số ${opts.volume}` : ''}`, 11, false);

  const border: Partial<ExcelJS.Borders> = { top: { style: 'thin' }, left: { style: 'thin' }, bottom: { style: 'thin' }, right: { style: 'thin' } };
  const header = ws.getRow(XLSX_HEADER_ROW);
  const numbers = ws.getRow(XLSX_HEADER_ROW + 1);
  columns.forEach((c, i) => {
    const h = header.getCell(i + 1);
    h.value = c.title;
    h.font = { bold: true };
    h.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
    h.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFEBEBEB' } };
    h.border = border;
    const n = numbers.getCell(i + 1);
    n.value = `(${i + 1})`;
    n.alignment = { horizontal: 'center' };
    n.border = border;
  });
  header.height = 32;

  rows.forEach((row, r) => {
    const xr = ws.getRow(XLSX_FIRST_DATA_ROW + r);
    columns.forEach((c, i) => {
      const cellValue = c.cell(row);
      const cell = xr.getCell(i + 1);
      cell.value = value(cellValue);
      cell.border = border;
      cell.alignment = { vertical: 'top', wrapText: true };
      if (cellValue && 'date' in cellValue) cell.numFmt = 'dd/mm/yyyy';
    });
  });

  const buf = await wb.xlsx.writeBuffer();
  return new Uint8Array(buf as ArrayBuffer);
}
