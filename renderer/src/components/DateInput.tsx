// A date typed as dd/mm/yyyy. Accepts what the command line accepts too (common/dates parseDateInput:
// 5/3/2026, 05.03.2026, 05-03-2026, 05032026, 2026-03-05), and tidies the text to 05/03/2026 when the
// field is left; the value stays text until the form parses it.
import { forwardRef, type InputHTMLAttributes } from 'react';
import { formatDateVn, parseDateInput } from '../../../common/dates';

export function normaliseDateText(text: string): string {
  const iso = parseDateInput(text);
  return iso ? formatDateVn(iso) : text.trim();
}

/** The ISO date of a typed text; the text itself when it is not a date (so the schema says why). */
export function dateTextToIso(text: string): string {
  return parseDateInput(text) ?? text.trim();
}

type Props = Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange' | 'type'> & {
  value: string;
  onValueChange(text: string): void;
};

export const DateInput = forwardRef<HTMLInputElement, Props>(function DateInput({ value, onValueChange, onBlur, ...rest }, ref) {
  return (
    <input
      ref={ref}
      {...rest}
      type="text"
      inputMode="numeric"
      autoComplete="off"
      placeholder="dd/mm/yyyy"
      maxLength={10}
      className="input date-input"
      value={value}
      onChange={(e) => onValueChange(e.target.value)}
      onBlur={(e) => {
        const tidy = normaliseDateText(e.target.value);
        if (tidy !== e.target.value) onValueChange(tidy);
        onBlur?.(e);
      }}
    />
  );
});
