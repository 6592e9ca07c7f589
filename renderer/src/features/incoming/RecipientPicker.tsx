// Recipients inside the agency: chosen among its units and people (recipients.search), or, when
// allowed, a name written freely (Enter or a comma adds it). Chosen ones show as chips; Backspace
// on an empty entry removes the last one. With max 1 it picks a single unit or person.
import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RecipientOption } from '../../../../common/contract';
import { foldVietnamese } from '../../../../common/vietnamese';
import { Icon } from '../../components/Icon';
import { call } from '../../ipc/call';
import { useDebounced } from '../../lib/useDebounced';
import type { DraftRecipient } from '../../stores/registerDraft';

interface Props {
  id: string;
  values: DraftRecipient[];
  onChange(values: DraftRecipient[]): void;
  /** Which kinds may be chosen (default both); free text only when allowText. */
  kinds?: ReadonlyArray<'unit' | 'user'>;
  allowText?: boolean;
  max?: number;
  placeholder?: string;
  describedBy?: string | undefined;
  invalid?: boolean;
  disabled?: boolean;
}

const sameRecipient = (a: DraftRecipient, b: DraftRecipient) =>
  a.kind === b.kind && (a.kind === 'text' ? foldVietnamese(a.name) === foldVietnamese(b.name) : a.id === (b as { id: number }).id);

export function RecipientPicker({ id, values, onChange, kinds = ['unit', 'user'], allowText = true, max = 30, placeholder, describedBy, invalid, disabled }: Props) {
  const { t } = useTranslation();
  const listId = useId();
  const [text, setText] = useState('');
  const [open, setOpen] = useState(false);
  const [options, setOptions] = useState<RecipientOption[]>([]);
  const [active, setActive] = useState(-1);
  const query = useDebounced(text, 150);
  const full = values.length >= max;

  useEffect(() => {
    if (!open) return;
    let live = true;
    call('recipients.search', { query, limit: 12 }).then(
      (found) => {
        if (!live) return;
        setOptions(found.filter((o) => kinds.includes(o.kind)));
        setActive(-1);
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [query, open, kinds]);

  const add = (r: DraftRecipient) => {
    if (!values.some((v) => sameRecipient(v, r)) && values.length < max) onChange([...values, r]);
    setText('');
    setActive(-1);
  };
  const addText = () => {
    const v = text.replace(/,/g, ' ').replace(/\s+/g, ' ').trim();
    if (v && allowText) add({ kind: 'text', name: v });
    else setText('');
  };
  const shown = options.filter((o) => !values.some((v) => v.kind === o.kind && (v as { id?: number }).id === o.id));
  const showList = open && !full && shown.length > 0;

  return (
    <div className={invalid ? 'chips-input is-invalid' : 'chips-input'}>
      <ul className="chips" aria-label={t('register.recipientsList')}>
        {values.map((v, i) => (
          <li key={v.kind === 'text' ? `t${v.name}` : `${v.kind}${v.id}`} className={`chip chip-${v.kind}`}>
            {v.kind !== 'text' && <Icon name={v.kind === 'unit' ? 'building' : 'user'} />}
            <span>{v.name}</span>
            <button type="button" disabled={disabled} onClick={() => onChange(values.filter((_, j) => j !== i))}
              aria-label={t('register.removeRecipient', { name: v.name })}>
              <Icon name="close" />
            </button>
          </li>
        ))}
      </ul>
      <div className="combobox chips-combobox">
        <input
          id={id}
          className="chips-entry"
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={showList}
          aria-controls={listId}
          aria-activedescendant={showList && active >= 0 ? `${listId}-${active}` : undefined}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          autoComplete="off"
          disabled={disabled || full}
          value={text}
          placeholder={values.length === 0 ? placeholder : undefined}
          onChange={(e) => {
            setOpen(true);
            if (e.target.value.endsWith(',') && allowText) {
              setText(e.target.value);
              const v = e.target.value.slice(0, -1).trim();
              if (v) add({ kind: 'text', name: v });
            } else setText(e.target.value);
          }}
          onFocus={() => setOpen(true)}
          onBlur={() => {
            setOpen(false);
            if (allowText) addText();
          }}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown') {
              e.preventDefault();
              setOpen(true);
              setActive((a) => Math.min(shown.length - 1, a + 1));
            } else if (e.key === 'ArrowUp') {
              e.preventDefault();
              setActive((a) => Math.max(0, a - 1));
            } else if (e.key === 'Enter') {
              e.preventDefault();
              const o = showList && active >= 0 ? shown[active] : undefined;
              if (o) add({ kind: o.kind, id: o.id, name: o.name });
              else addText();
            } else if (e.key === 'Escape' && showList) {
              // Close the list, not the dialog.
              e.preventDefault();
              e.stopPropagation();
              setOpen(false);
            } else if (e.key === 'Backspace' && text === '' && values.length > 0) {
              onChange(values.slice(0, -1));
            }
          }}
        />
        {showList && (
          <ul id={listId} className="listbox" role="listbox" aria-label={t('entry.recipientSuggestions')}>
            {shown.map((o, i) => (
              <li
                key={`${o.kind}${o.id}`}
                id={`${listId}-${i}`}
                role="option"
                aria-selected={i === active}
                className={i === active ? 'option is-active' : 'option'}
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => add({ kind: o.kind, id: o.id, name: o.name })}
              >
                <span>{o.name}</span>
                <span className="option-detail">{o.kind === 'unit' ? (o.detail || t('entry.unit')) : o.detail}</span>
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}

/** What the contract takes for a chosen recipient. */
export const recipientInput = (r: DraftRecipient) =>
  r.kind === 'unit' ? { unitId: r.id } : r.kind === 'user' ? { userId: r.id } : r.name;
