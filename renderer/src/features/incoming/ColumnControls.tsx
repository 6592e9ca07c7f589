// Changing the register's columns: a handle on each header's right edge (drag it, or focus it and
// use ← →; double-click or Delete gives the default back), and the "Cột" menu to show or hide
// columns. Both are remembered for the person (columnLayout.ts).
import { useEffect, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Icon } from '../../components/Icon';
import type { ColumnKey, ColumnState } from './columnLayout';
import { MAX_WIDTH } from './columnLayout';

const STEP = 8;
const BIG_STEP = 32;

interface ResizerProps {
  column: ColumnState;
  label: string;
  onResize(key: ColumnKey, px: number, save: boolean): void;
  onReset(key: ColumnKey): void;
}

export function ColumnResizer({ column, label, onResize, onReset }: ResizerProps) {
  const { t } = useTranslation();
  const drag = useRef<{ x: number; width: number; pointer: number } | null>(null);
  const widthAt = (e: PointerEvent) => drag.current!.width + (e.clientX - drag.current!.x);

  const onKeyDown = (e: KeyboardEvent) => {
    const step = e.shiftKey ? BIG_STEP : STEP;
    let next: number | null = null;
    if (e.key === 'ArrowRight') next = column.current + step;
    else if (e.key === 'ArrowLeft') next = column.current - step;
    else if (e.key === 'Home') next = column.min;
    else if (e.key === 'End') next = MAX_WIDTH;
    else if (e.key === 'Delete' || e.key === 'Backspace') onReset(column.key);
    else return;
    e.preventDefault();
    e.stopPropagation();
    if (next !== null) onResize(column.key, next, true);
  };

  return (
    <div
      role="separator"
      aria-orientation="vertical"
      aria-label={t('incoming.columnResize', { column: label })}
      aria-valuenow={column.current}
      aria-valuemin={column.min}
      aria-valuemax={MAX_WIDTH}
      aria-valuetext={t('incoming.columnWidth', { px: column.current })}
      title={t('incoming.columnResizeTooltip')}
      tabIndex={0}
      className="column-resizer"
      onKeyDown={onKeyDown}
      onClick={(e) => e.stopPropagation()}
      onDoubleClick={(e) => {
        e.stopPropagation();
        onReset(column.key);
      }}
      onPointerDown={(e) => {
        if (e.button !== 0) return;
        e.preventDefault();
        e.stopPropagation();
        e.currentTarget.setPointerCapture(e.pointerId);
        drag.current = { x: e.clientX, width: column.current, pointer: e.pointerId };
      }}
      onPointerMove={(e) => {
        if (drag.current?.pointer === e.pointerId) onResize(column.key, widthAt(e), false);
      }}
      onPointerUp={(e) => {
        if (drag.current?.pointer !== e.pointerId) return;
        onResize(column.key, widthAt(e), true);
        drag.current = null;
      }}
      onPointerCancel={() => {
        drag.current = null;
      }}
    />
  );
}

interface ChooserProps {
  columns: readonly ColumnState[];
  labelOf(key: ColumnKey): string;
  onShow(key: ColumnKey, shown: boolean): void;
  onResetAll(): void;
  customised: boolean;
}

/** The "Cột" button (in the header's last cell) and its menu. */
export function ColumnChooser({ columns, labelOf, onShow, onResetAll, customised }: ChooserProps) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  /** Where the menu shows: under the button, in the window (the register scrolls sideways under it). */
  const [place, setPlace] = useState<{ top: number; right: number }>({ top: 0, right: 0 });
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    panel.current?.querySelector<HTMLInputElement>('input')?.focus();
    const onDown = (e: MouseEvent) => {
      const target = e.target as Node;
      if (!panel.current?.contains(target) && !button.current?.contains(target)) setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open]);

  const close = () => {
    setOpen(false);
    button.current?.focus();
  };

  return (
    <>
      <button ref={button} type="button" className="icon-button column-chooser-button" aria-haspopup="dialog" aria-expanded={open}
        aria-controls={open ? 'column-chooser' : undefined} aria-label={t('incoming.columnsMenu')} title={t('incoming.columnsMenu')}
        onClick={() => {
          const r = button.current!.getBoundingClientRect();
          setPlace({ top: r.bottom + 2, right: Math.max(8, window.innerWidth - r.right) });
          setOpen((o) => !o);
        }}>
        <Icon name="columns" />
      </button>
      {open && (
        <div id="column-chooser" ref={panel} className="popover column-chooser" role="dialog" aria-label={t('incoming.columnsMenu')}
          style={{ top: place.top, right: place.right }}
          onKeyDown={(e) => {
            if (e.key !== 'Escape') return;
            // Esc is the menu's (the document view behind would go back to the register).
            e.preventDefault();
            e.stopPropagation();
            close();
          }}>
          <p className="column-chooser-title">{t('incoming.columnsShown')}</p>
          <ul>
            {columns.map((c) => (
              <li key={c.key}>
                <label>
                  <input type="checkbox" checked={c.shown} disabled={c.key === 'subject'} onChange={(e) => onShow(c.key, e.target.checked)} />
                  {labelOf(c.key)}
                </label>
              </li>
            ))}
          </ul>
          <p className="column-chooser-hint">{t('incoming.columnsHint')}</p>
          <div className="column-chooser-actions">
            <button type="button" className="button subtle" disabled={!customised} onClick={onResetAll}>{t('incoming.columnsReset')}</button>
            <button type="button" className="button" onClick={close}>{t('common.close')}</button>
          </div>
        </div>
      )}
    </>
  );
}
