// A labelled form field with its hint and its error right under it (aria-describedby links both).
import type { ReactNode } from 'react';

interface FieldProps {
  id: string;
  label: ReactNode;
  error?: string | undefined;
  hint?: ReactNode;
  required?: boolean;
  className?: string;
  children: ReactNode;
}

export function Field({ id, label, error, hint, required, className, children }: FieldProps) {
  return (
    <div className={['field', error ? 'has-error' : '', className ?? ''].filter(Boolean).join(' ')}>
      <label htmlFor={id}>
        {label}
        {required && <span className="required" aria-hidden="true"> *</span>}
      </label>
      {children}
      {hint && <div id={`${id}-hint`} className="field-hint">{hint}</div>}
      {error && <div id={`${id}-error`} className="field-error">{error}</div>}
    </div>
  );
}

/** Accessibility attributes of the control inside a Field. */
export function controlProps(id: string, error: string | undefined, hasHint = false, required = false) {
  const describedBy = [hasHint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return {
    id,
    'aria-invalid': error ? (true as const) : undefined,
    'aria-describedby': describedBy || undefined,
    'aria-required': required ? (true as const) : undefined,
  };
}
