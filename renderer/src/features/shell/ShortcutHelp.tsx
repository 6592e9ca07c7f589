// The shortcuts panel (F1 or "Phím tắt"): a non-modal popover under the header button; Esc or a
// click elsewhere closes it.
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';

export const SHORTCUTS: Array<{ keys: string[]; action: string }> = [
  { keys: ['Ctrl', 'N'], action: 'shortcuts.newIncoming' },
  { keys: ['Ctrl', 'F'], action: 'shortcuts.find' },
  { keys: ['↑', '↓'], action: 'shortcuts.move' },
  { keys: ['Enter'], action: 'shortcuts.open' },
  { keys: ['Esc'], action: 'shortcuts.close' },
  { keys: ['Ctrl', 'L'], action: 'shortcuts.lock' },
  { keys: ['F1'], action: 'shortcuts.help' },
];

export function ShortcutHelp({ onClose }: { onClose(): void }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const onDown = (e: MouseEvent) => {
      if (!ref.current?.parentElement?.contains(e.target as Node)) onClose();
    };
    // Esc closes the panel wherever the focus is (F1 opens it without moving the focus), before
    // the view behind gets the key (the detail view would go back to the register). A modal dialog
    // above it keeps its own Esc.
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented || document.querySelector('dialog[open]')) return;
      e.preventDefault();
      e.stopPropagation();
      onClose();
    };
    document.addEventListener('mousedown', onDown);
    window.addEventListener('keydown', onKey, { capture: true });
    return () => {
      document.removeEventListener('mousedown', onDown);
      window.removeEventListener('keydown', onKey, { capture: true });
    };
  }, [onClose]);
  return (
    <div
      id="shortcut-help"
      ref={ref}
      className="popover shortcut-help"
      role="dialog"
      aria-label={t('shortcuts.title')}
    >
      <h2>{t('shortcuts.title')}</h2>
      <table>
        <tbody>
          {SHORTCUTS.map((s) => (
            <tr key={s.action}>
              <td className="keys">
                {s.keys.map((k, i) => (
                  <span key={k}>
                    {i > 0 && (k === '↓' ? ' ' : '+')}
                    <kbd>{k}</kbd>
                  </span>
                ))}
              </td>
              <td>{t(s.action)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
