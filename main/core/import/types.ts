// The shapes the importer passes between its steps: a source read into tables of cells, and the
// quirks found on the way (each at its place: sheet, row, column).
import type { Encoding } from './encodings';

/** One cell as read: its text (NFC, trimmed), and what the source says it is beyond text. */
export interface Cell {
  text: string;
  /** A real date cell (XLSX) or a dBase date field: the date in Vietnam, ISO. */
  date?: string;
  /** A numeric cell (XLSX number, dBase N/F): a date column may hold an Excel serial. */
  number?: number;
  /** A formula: never evaluated, its cached result not trusted; `text` is then empty. */
  formula?: string;
}

export interface SourceRow {
  /** Sheet name (XLSX); the file's name otherwise. */
  sheet: string;
  /** Where a person finds the row: the spreadsheet row, the CSV line where the record starts, or the dBase record number. */
  row: number;
  cells: Record<string, Cell>;
}

export interface SourceTable {
  sheet: string;
  /** Column titles, flattened ("Số, ký hiệu", "Ngày / Đến"), unique. */
  headers: string[];
  rows: SourceRow[];
}

export const QUIRK_CODES = [
  'encodingDetected', 'bom', 'delimiterDetected', 'quotedNewline', 'raggedRow', 'titleRows', 'twoRowHeader',
  'mergedHeader', 'mergedCells', 'duplicateHeader', 'emptyHeader', 'formula', 'excelSerialDate', 'dateCell',
  'deletedRecord', 'memoField', 'memoMissing', 'codePageByte', 'severalSheets', 'hiddenSheet',
] as const;
export type QuirkCode = (typeof QUIRK_CODES)[number];

export interface Quirk {
  code: QuirkCode;
  sheet?: string;
  row?: number;
  column?: string;
  detail?: string;
}

export type SourceFormat = 'csv' | 'xlsx' | 'dbf';

export interface ReadSource {
  format: SourceFormat;
  name: string;
  sha256: string;
  encoding?: Encoding;
  /** CSV: the delimiter it was read with (chosen or detected). */
  delimiter?: string;
  tables: SourceTable[];
  quirks: Quirk[];
}

export interface ReadOptions {
  /** The encoding chosen by the clerk; detected when absent. */
  encoding?: Encoding | undefined;
  /** CSV: the delimiter chosen; detected when absent. */
  delimiter?: string | undefined;
  /** The header row (1-based); found when absent. */
  headerRow?: number | undefined;
}
