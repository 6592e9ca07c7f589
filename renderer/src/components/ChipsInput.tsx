// A list of short texts entered one by one (Enter or comma adds, Backspace on empty removes).
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Icon } from './Icon';

interface Props {
  id: string;
  values: string[];
  onChange(values: string[]): void;
  placeholder?: string;
  describedBy?: string | undefined;
  invalid?: boolean;
  max?: number;
}

export function ChipsInput({ id, values, onChange, placeholder, describedBy, invalid, max = 30 }: Props) {
  const [text, setText] = useState('');
  const { t } = useTranslation();

  const add = (raw: string) => {
    const v = raw.replace(/,/g, ' ').replace(/\s+/g, ' ').trim();
    if (v && !values.some((x) => x.toLocaleLowerCase('vi') === v.toLocaleLowerCase('vi')) && values.length < max) onChange([...values, v]);
    setText('');
  };

  return (
    <div className={invalid ? 'chips-input is-invalid' : 'chips-input'}>
      <ul className="chips" aria-label={t('register.recipientsList')}>
        {values.map((v, i) => (
          <li key={v} className="chip">
            <span>{v}</span>
            <button type="button" onClick={() => onChange(values.filter((_, j) => j !== i))} aria-label={t('register.removeRecipient', { name: v })}>
              <Icon name="close" />
            </button>
          </li>
        ))}
      </ul>
      <input
        id={id}
        className="chips-entry"
        value={text}
        placeholder={values.length === 0 ? placeholder : undefined}
        aria-describedby={describedBy}
        aria-invalid={invalid || undefined}
        autoComplete="off"
        onChange={(e) => (e.target.value.endsWith(',') ? add(e.target.value) : setText(e.target.value))}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            add(text);
          } else if (e.key === 'Backspace' && text === '' && values.length > 0) {
            onChange(values.slice(0, -1));
          }
        }}
        onBlur={() => add(text)}
      />
    </div>
  );
}
