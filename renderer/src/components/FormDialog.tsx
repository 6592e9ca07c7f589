// A dialog around one form: submit and cancel in the footer, the core's field errors at their
// fields and any other error under the form.
import { useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Dialog } from './Dialog';
import { Spinner } from './Icon';
import { errorFields, errorText } from '../i18n/errors';
import { asDeskError, isGloballyHandled } from '../ipc/call';

export type Errors = Record<string, string>;

/** Runs a core call for a dialog: field errors at their fields, anything else under the form. */
export function useSubmit() {
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const run = async (found: Errors, action: () => Promise<unknown>) => {
    if (Object.keys(found).length > 0) {
      setErrors(found);
      return;
    }
    setBusy(true);
    setErrors({});
    try {
      await action();
    } catch (err) {
      const de = asDeskError(err);
      if (de.fields && Object.keys(de.fields).length > 0) setErrors(errorFields(de));
      else if (!isGloballyHandled(de)) setErrors({ _: errorText(de) });
    } finally {
      setBusy(false);
    }
  };
  return { errors, busy, run };
}

export function FormDialog({ id, title, submit, busy, danger, onClose, onSubmit, children, className }: {
  id: string; title: string; submit: string; busy: boolean; danger?: boolean | undefined; onClose(): void; onSubmit(): void; children: ReactNode; className?: string;
}) {
  const { t } = useTranslation();
  return (
    <Dialog open title={title} onClose={onClose} className={className ?? 'small-dialog'}
      footer={
        <>
          <span className="footer-status" />
          <button type="button" className="button" onClick={onClose}>{t('common.cancel')}</button>
          <button type="submit" form={id} className={danger ? 'button danger' : 'button primary'} disabled={busy}>
            {busy && <Spinner />} {submit}
          </button>
        </>
      }>
      <form id={id} className="form-stack" noValidate onSubmit={(e: FormEvent) => {
        e.preventDefault();
        onSubmit();
      }}>
        {children}
      </form>
    </Dialog>
  );
}

export const FormError = ({ text }: { text: string | undefined }) => (text ? <div className="form-error" role="alert">{text}</div> : null);
