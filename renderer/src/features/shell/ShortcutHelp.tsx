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
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [onClose]);
  return (
    <div
      id="shortcut-help"
      ref={ref}
      className="popover shortcut-help"
      role="dialog"
      aria-label={t('shortcuts.title')}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onClose();
        }
      }}
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
