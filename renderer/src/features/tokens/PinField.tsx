// The PIN: masked, never in a store or in React state. It is read from the input once, at submit,
// and the input is emptied at that moment, whatever the answer turns out to be.
import { useImperativeHandle, useRef, type Ref } from 'react';
import { useTranslation } from 'react-i18next';
import { controlProps, Field } from '../../components/Field';

export interface PinHandle {
  /** The typed PIN; the field is empty afterwards. */
  take(): string;
  focus(): void;
}

interface Props {
  id: string;
  handle: Ref<PinHandle>;
  error?: string | null | undefined;
  /** The token has its own PIN pad: nothing is typed here. */
  pinPad?: boolean;
  hint?: string;
  label?: string;
  disabled?: boolean;
  autoFocus?: boolean;
}

export function PinField({ id, handle, error, pinPad, hint, label, disabled, autoFocus }: Props) {
  const { t } = useTranslation();
  const input = useRef<HTMLInputElement>(null);
  useImperativeHandle(handle, () => ({
    take() {
      const el = input.current;
      if (!el) return '';
      const value = el.value;
      el.value = '';
      return value;
    },
    focus() {
      input.current?.focus();
    },
  }));
  if (pinPad) {
    return (
      <div className="field">
        <span className="field-label">{label ?? t('pin.label')}</span>
        <div className="notice">{t('pin.pinPad')}</div>
        {error && <div id={`${id}-error`} className="field-error" role="alert">{error}</div>}
      </div>
    );
  }
  const shownHint = hint ?? t('pin.hint');
  return (
    <Field id={id} label={label ?? t('pin.label')} error={error ?? undefined} hint={shownHint} required className="pin-field">
      <input ref={input} type="password" className="input pin-input" {...controlProps(id, error ?? undefined, true, true)}
        autoComplete="off" spellCheck={false} autoCapitalize="off" maxLength={64} disabled={disabled}
        name={`pin-${id}`} autoFocus={autoFocus} />
    </Field>
  );
}
