// Asking before something that cannot be taken back or that is probably a mistake. A modal over
// whatever is open (a second native <dialog> stacks above the first); Esc and "Hủy" say no, and
// the focus starts on the safe choice.
import { useEffect, useRef, type ReactNode } from 'react';
import { Dialog } from './Dialog';

interface Props {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  cancelLabel: string;
  /** The confirming button is styled as destructive (it deletes something). */
  danger?: boolean;
  onConfirm(): void;
  onCancel(): void;
}

export function ConfirmDialog({ open, title, children, confirmLabel, cancelLabel, danger, onConfirm, onCancel }: Props) {
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (open) cancel.current?.focus();
  }, [open]);
  return (
    <Dialog open={open} title={title} onClose={onCancel} className="confirm-dialog"
      footer={
        <>
          <button ref={cancel} type="button" className="button" onClick={onCancel}>{cancelLabel}</button>
          <button type="button" className={danger ? 'button danger' : 'button primary'} onClick={onConfirm}>{confirmLabel}</button>
        </>
      }>
      <div className="confirm-body">{children}</div>
    </Dialog>
  );
}
