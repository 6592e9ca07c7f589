// XLSX registers as clerks keep them: title rows above the header, a header of two rows whose top
// cells are merged across the columns below them (flattened to "Top / Sub"), several sheets, real
// date cells and Excel serial numbers, merged cells in the data. Formulas are never evaluated and
// their cached results never trusted: the cell is reported and read as empty.
import ExcelJS from 'exceljs';
import { DeskError } from '../../../../common/errors';
import type { Cell, Quirk, ReadOptions, SourceRow, SourceTable } from '../types';
import { cleanText, findHeaderRow, uniqueHeaders } from './header';

const MAX_ROWS = 1_000_000;

interface Merge { top: number; left: number; bottom: number; right: number }

function mergesOf(ws: ExcelJS.Worksheet): Merge[] {
  const ranges = (ws.model as unknown as { merges?: string[] }).merges ?? [];
  return ranges.map((r) => {
    const [a, b = a] = r.split(':') as [string, string?];
    const ca = ws.getCell(a);
    const cb = ws.getCell(b);
    return { top: Number(ca.row), left: Number(ca.col), bottom: Number(cb.row), right: Number(cb.col) };
  });
}

/** A date cell's date: exceljs gives the day's wall time as UTC, which is the date in Vietnam as written. */
const isoOf = (d: Date): string => d.toISOString().slice(0, 10);

function readCell(v: ExcelJS.CellValue, at: { sheet: string; row: number; column: string }, quirks: Quirk[]): Cell {
  if (v === null || v === undefined) return { text: '' };
  if (v instanceof Date) {
    quirks.push({ code: 'dateCell', ...at });
    return { text: isoOf(v), date: isoOf(v) };
  }
  if (typeof v === 'number') return { text: String(v), number: v };
  if (typeof v === 'boolean') return { text: v ? 'TRUE' : 'FALSE' };
  if (typeof v === 'string') return { text: cleanText(v) };
  if ('formula' in v || 'sharedFormula' in v) {
    const f = 'formula' in v ? v.formula : (v as { sharedFormula: string }).sharedFormula;
    quirks.push({ code: 'formula', ...at, detail: `=${f}` });
    return { text: '', formula: f };
  }
  if ('richText' in v) return { text: cleanText(v.richText.map((r) => r.text).join('')) };
  if ('text' in v && typeof v.text === 'string') return { text: cleanText(v.text) };
  if ('error' in v) return { text: '' };
  return { text: '' };
}

/** Text of a header cell (a formula in a header counts as no title). */
function headerText(v: ExcelJS.CellValue): string {
  if (typeof v === 'string') return cleanText(v);
  if (typeof v === 'number') return String(v);
  if (v && typeof v === 'object' && 'richText' in v) return cleanText(v.richText.map((r) => r.text).join(''));
  return '';
}

export async function readXlsx(bytes: Uint8Array, opts: ReadOptions, quirks: Quirk[]): Promise<SourceTable[]> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  } catch {
    throw DeskError.keyed('VALIDATION', 'structure.import.badFile');
  }
  const sheets = wb.worksheets.filter((ws) => ws.actualRowCount > 0);
  if (sheets.length > 1) quirks.push({ code: 'severalSheets', detail: String(sheets.length) });
  const tables: SourceTable[] = [];
  for (const ws of sheets) {
    if (ws.state !== 'visible') quirks.push({ code: 'hiddenSheet', sheet: ws.name });
    if (ws.rowCount > MAX_ROWS) throw DeskError.keyed('VALIDATION', 'structure.import.tooMany', { max: MAX_ROWS });
    tables.push(readSheet(ws, opts, quirks));
  }
  return tables;
}

function readSheet(ws: ExcelJS.Worksheet, opts: ReadOptions, quirks: Quirk[]): SourceTable {
  const sheet = ws.name;
  const width = ws.columnCount;
  const merges = mergesOf(ws);
  const masterOf = (r: number, c: number): Merge | undefined => merges.find((m) => r >= m.top && r <= m.bottom && c >= m.left && c <= m.right);
  const texts: string[][] = [];
  for (let r = 1; r <= Math.min(ws.rowCount, 12); r++) {
    const row = ws.getRow(r);
    texts.push(Array.from({ length: width }, (_, i) => {
      // A merged cell's title is its master's, once (the others read as empty when finding the header).
      const m = masterOf(r, i + 1);
      return m && (m.top !== r || m.left !== i + 1) ? '' : headerText(row.getCell(i + 1).value);
    }));
  }
  const headerRow = opts.headerRow ?? findHeaderRow(texts) + 1;
  if (headerRow > 1) quirks.push({ code: 'titleRows', sheet, row: headerRow, detail: String(headerRow - 1) });
  // A second header row: the header has a cell merged across columns, with sub-titles below it.
  const wide = merges.filter((m) => m.top === headerRow && m.right > m.left && m.bottom === headerRow);
  const twoRows = wide.length > 0;
  const titles: string[] = [];
  for (let c = 1; c <= width; c++) {
    const m = masterOf(headerRow, c);
    const top = headerText(ws.getCell(m ? m.top : headerRow, m ? m.left : c).value);
    if (!twoRows) { titles.push(top); continue; }
    const sub = masterOf(headerRow + 1, c) && masterOf(headerRow + 1, c) === m ? '' : headerText(ws.getCell(headerRow + 1, c).value);
    titles.push(sub && m && m.right > m.left ? `${top} / ${sub}` : top || sub);
  }
  if (merges.some((m) => m.top <= headerRow && m.bottom >= headerRow)) quirks.push({ code: 'mergedHeader', sheet, row: headerRow });
  if (twoRows) quirks.push({ code: 'twoRowHeader', sheet, row: headerRow, detail: `${headerRow}-${headerRow + 1}` });
  const headers = uniqueHeaders(titles,
    (col) => quirks.push({ code: 'emptyHeader', sheet, column: `Cột ${col}` }),
    (title) => quirks.push({ code: 'duplicateHeader', sheet, column: title }));
  const first = headerRow + (twoRows ? 2 : 1);
  const dataMerges = merges.filter((m) => m.bottom >= first);
  const rows: SourceRow[] = [];
  for (let r = first; r <= ws.rowCount; r++) {
    const row = ws.getRow(r);
    const cells: Record<string, Cell> = {};
    let any = false;
    headers.forEach((h, i) => {
      const m = dataMerges.find((x) => r >= x.top && r <= x.bottom && i + 1 >= x.left && i + 1 <= x.right);
      const source = m ? ws.getCell(m.top, m.left) : row.getCell(i + 1);
      if (m && (m.top !== r || m.left !== i + 1)) quirks.push({ code: 'mergedCells', sheet, row: r, column: h, detail: source.address });
      const cell = readCell(source.value, { sheet, row: r, column: h }, quirks);
      if (cell.text || cell.formula) any = true;
      cells[h] = cell;
    });
    if (!any) continue;
    rows.push({ sheet, row: r, cells });
  }
  return { sheet, headers, rows };
}
