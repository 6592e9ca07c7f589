// Issuer: free text, or a known unit chosen from units.search (then issuer.unitId is sent).
import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { KnownUnit } from '../../../../common/contract';
import { call } from '../../ipc/call';
import { useDebounced } from '../../lib/useDebounced';

interface Props {
  id: string;
  value: string;
  unitId: number | null;
  invalid: boolean;
  describedBy?: string | undefined;
  onText(text: string): void;
  onPick(unit: KnownUnit): void;
  onBlur?(): void;
}

export function IssuerCombobox({ id, value, unitId, invalid, describedBy, onText, onPick, onBlur }: Props) {
  const { t } = useTranslation();
  const listId = useId();
  const [open, setOpen] = useState(false);
  const [options, setOptions] = useState<KnownUnit[]>([]);
  const [active, setActive] = useState(-1);
  const query = useDebounced(value, 150);

  useEffect(() => {
    if (!open) return;
    let live = true;
    call('units.search', { query, limit: 8 }).then(
      (units) => {
        if (!live) return;
        setOptions(units);
        setActive(-1);
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [query, open]);

  const pick = (u: KnownUnit) => {
    onPick(u);
    setOpen(false);
  };
  const showList = open && options.length > 0 && !(unitId !== null && options.length === 1 && options[0]!.id === unitId);

  return (
    <div className="combobox">
      <input
        id={id}
        className="input"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={showList}
        aria-controls={listId}
        aria-activedescendant={showList && active >= 0 ? `${listId}-${active}` : undefined}
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy}
        aria-required="true"
        autoComplete="off"
        spellCheck={false}
        value={value}
        onChange={(e) => {
          onText(e.target.value);
          setOpen(true);
        }}
        onClick={() => setOpen(true)}
        onBlur={() => {
          setOpen(false);
          onBlur?.();
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            if (!open) setOpen(true);
            setActive((a) => Math.min(options.length - 1, a + 1));
          } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            setActive((a) => Math.max(0, a - 1));
          } else if (e.key === 'Enter' && showList && active >= 0) {
            e.preventDefault();
            pick(options[active]!);
          } else if (e.key === 'Escape' && showList) {
            // Close the list, not the dialog.
            e.preventDefault();
            e.stopPropagation();
            setOpen(false);
          }
        }}
      />
      {showList && (
        <ul id={listId} className="listbox" role="listbox" aria-label={t('register.issuerSuggestions')}>
          {options.map((u, i) => (
            <li
              key={u.id}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'option is-active' : 'option'}
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => pick(u)}
            >
              <span>{u.name}</span>
              {u.code && <span className="option-code">{u.code}</span>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
