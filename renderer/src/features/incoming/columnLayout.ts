// The register's columns: their default widths (a full dd/mm/yyyy always fits, even in the
// widest of the fonts we fall back on), which show by default, and each person's own widths and
// choices, kept in this workstation's localStorage under their user id (layout only, never
// document content). The subject takes whatever room is left.
import { useCallback, useEffect, useState } from 'react';
import type { SortField } from '../../../../common/schemas';

export type ColumnKey =
  | 'register' | 'arrivalNumber' | 'arrivalDate' | 'issuer' | 'numberSymbol' | 'documentDate' | 'type' | 'subject'
  | 'recipients' | 'notes' | 'secrecy' | 'urgency' | 'deadline' | 'status';

export interface ColumnDef {
  key: ColumnKey;
  sort?: SortField;
  /** Also the class of the column's cells in every row. */
  className: string;
  /** Default width in px (for the subject: the least it gets; it takes the rest). */
  width: number;
  /** Narrowest it can be made: a date column never gets narrower than a full date. */
  min: number;
  /** Shown by default only when the register is at least WIDE px wide. */
  wideOnly?: boolean;
}

/** Below this width (the register's own, 1366×768 gives ~1160) the type and status columns start hidden. */
export const WIDE = 1400;
export const MAX_WIDTH = 800;
/** The column that holds the column chooser, after the last column. */
export const CHOOSER_WIDTH = 28;

export const COLUMNS: readonly ColumnDef[] = [
  // Which register and year an arrival number belongs to: shown only when the list mixes registers.
  { key: 'register', className: 'col-register', width: 104, min: 64 },
  { key: 'arrivalNumber', className: 'col-number', width: 64, min: 44 },
  { key: 'arrivalDate', sort: 'arrival', className: 'col-date col-arrival-date', width: 100, min: 92 },
  { key: 'issuer', sort: 'issuer', className: 'col-issuer', width: 136, min: 64 },
  { key: 'numberSymbol', sort: 'numberSymbol', className: 'col-symbol', width: 100, min: 64 },
  { key: 'documentDate', sort: 'documentDate', className: 'col-date col-document-date', width: 96, min: 92 },
  { key: 'type', className: 'col-type', width: 100, min: 56, wideOnly: true },
  { key: 'subject', className: 'col-subject', width: 240, min: 120 },
  // The decree's Đơn vị hoặc người nhận and Ghi chú (Phụ lục IV).
  { key: 'recipients', className: 'col-recipients', width: 150, min: 64, wideOnly: true },
  { key: 'notes', className: 'col-notes', width: 110, min: 56, wideOnly: true },
  { key: 'secrecy', className: 'col-secrecy', width: 92, min: 56 },
  { key: 'urgency', className: 'col-urgency', width: 108, min: 56 },
  // A full date and the "Hôm nay" / "Quá hạn" tag.
  { key: 'deadline', sort: 'deadline', className: 'col-date col-deadline', width: 164, min: 92 },
  { key: 'status', className: 'col-status', width: 100, min: 56, wideOnly: true },
];

interface Stored {
  widths: Partial<Record<ColumnKey, number>>;
  shown: Partial<Record<ColumnKey, boolean>>;
}

export interface ColumnState extends ColumnDef {
  /** Width now (the person's, else the default). */
  current: number;
  shown: boolean;
}

const EMPTY: Stored = { widths: {}, shown: {} };
const storageKey = (userId: number) => `securedesk.incoming.columns.${userId}`;
const isKey = (k: string): k is ColumnKey => COLUMNS.some((c) => c.key === k);

function load(userId: number | null): Stored {
  if (userId === null) return EMPTY;
  try {
    const raw = JSON.parse(localStorage.getItem(storageKey(userId)) ?? 'null') as Partial<Stored> | null;
    if (!raw || typeof raw !== 'object') return EMPTY;
    const widths: Stored['widths'] = {};
    const shown: Stored['shown'] = {};
    for (const [k, v] of Object.entries(raw.widths ?? {})) if (isKey(k) && typeof v === 'number' && Number.isFinite(v)) widths[k] = v;
    for (const [k, v] of Object.entries(raw.shown ?? {})) if (isKey(k) && typeof v === 'boolean') shown[k] = v;
    return { widths, shown };
  } catch {
    return EMPTY;
  }
}

export const clampWidth = (c: ColumnDef, px: number): number => Math.round(Math.max(c.min, Math.min(MAX_WIDTH, px)));

/** The columns for this person at this register width, and ways to change them. */
export function useColumnLayout(userId: number | null, registerWidth: number) {
  const [stored, setStored] = useState<Stored>(() => load(userId));
  useEffect(() => setStored(load(userId)), [userId]);

  const persist = useCallback(
    (next: Stored) => {
      if (userId === null) return;
      try {
        if (Object.keys(next.widths).length === 0 && Object.keys(next.shown).length === 0) localStorage.removeItem(storageKey(userId));
        else localStorage.setItem(storageKey(userId), JSON.stringify(next));
      } catch {
        /* storage full or refused: the layout lasts for this session only */
      }
    },
    [userId],
  );

  const wide = registerWidth === 0 || registerWidth >= WIDE;
  const columns: ColumnState[] = COLUMNS.map((c) => ({
    ...c,
    current: clampWidth(c, stored.widths[c.key] ?? c.width),
    shown: c.key === 'subject' || (stored.shown[c.key] ?? (!c.wideOnly || wide)),
  }));

  /** `save` false while dragging (the width follows the pointer; it is written when let go). */
  const setWidth = useCallback(
    (key: ColumnKey, px: number, save = true) => {
      setStored((s) => {
        const c = COLUMNS.find((x) => x.key === key)!;
        const next = { ...s, widths: { ...s.widths, [key]: clampWidth(c, px) } };
        if (save) persist(next);
        return next;
      });
    },
    [persist],
  );
  const resetWidth = useCallback(
    (key: ColumnKey) => {
      setStored((s) => {
        const { [key]: _gone, ...widths } = s.widths;
        const next = { ...s, widths };
        persist(next);
        return next;
      });
    },
    [persist],
  );
  const setShown = useCallback(
    (key: ColumnKey, shown: boolean) => {
      setStored((s) => {
        const next = { ...s, shown: { ...s.shown, [key]: shown } };
        persist(next);
        return next;
      });
    },
    [persist],
  );
  const resetAll = useCallback(() => {
    setStored(EMPTY);
    persist(EMPTY);
  }, [persist]);

  return { columns, setWidth, resetWidth, setShown, resetAll, customised: Object.keys(stored.widths).length + Object.keys(stored.shown).length > 0 };
}

/** grid-template-columns for the shown columns (the subject flexes), then the chooser's column. */
export function gridTemplate(columns: readonly ColumnState[]): { template: string; minWidth: number } {
  const shown = columns.filter((c) => c.shown);
  const template = [...shown.map((c) => (c.key === 'subject' ? `minmax(${c.current}px, 1fr)` : `${c.current}px`)), `${CHOOSER_WIDTH}px`].join(' ');
  return { template, minWidth: shown.reduce((sum, c) => sum + c.current, CHOOSER_WIDTH) };
}
