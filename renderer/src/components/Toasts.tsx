import { useTranslation } from 'react-i18next';
import { useToasts } from '../stores/toasts';
import { Icon } from './Icon';

export function Toasts() {
  const { toasts, dismiss } = useToasts();
  const { t } = useTranslation();
  return (
    <div className="toasts" aria-live="polite" aria-relevant="additions">
      {toasts.map((toast) => (
        <div key={toast.id} className={`toast toast-${toast.kind}`} role={toast.kind === 'error' ? 'alert' : 'status'}>
          <Icon name={toast.kind === 'error' ? 'alert' : toast.kind === 'success' ? 'check' : 'info'} />
          <span className="toast-text">{toast.text}</span>
          {toast.action && (
            <button
              type="button"
              className="link-button"
              onClick={() => {
                toast.action?.run();
                dismiss(toast.id);
              }}
            >
              {toast.action.label}
            </button>
          )}
          <button type="button" className="icon-button" onClick={() => dismiss(toast.id)} aria-label={t('common.dismiss')}>
            <Icon name="close" />
          </button>
        </div>
      ))}
    </div>
  );
}
