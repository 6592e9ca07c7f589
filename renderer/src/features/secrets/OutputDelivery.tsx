// In the Electron shell, where a finished printout goes is main's decision (main/app/outputs.ts): a
// print run to one of the workstation's printers, printed silently in exactly the copies composed;
// an electronic copy or a register to a file through main's save dialog, into the folders policy
// allows for its level. The page holds only the one-use ticket; it never sees the bytes or a path.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PrinterChoice } from '../../../../common/contract';
import { Field } from '../../components/Field';
import { Icon, Spinner } from '../../components/Icon';
import { errorText } from '../../i18n/errors';
import { asDeskError, isGloballyHandled } from '../../ipc/call';
import { desk } from '../../ipc/desk';

/** Whether main delivers outputs itself (the Electron shell); a browser opens or downloads them. */
export const mainDelivers = (): boolean => typeof desk.printOutput === 'function' && typeof desk.saveOutput === 'function';

type Phase = { kind: 'idle' } | { kind: 'busy' } | { kind: 'done'; message: string } | { kind: 'error'; message: string };

export function OutputDelivery({ ticket, toPrinter }: { ticket: string; toPrinter: boolean }) {
  const { t } = useTranslation();
  const [printers, setPrinters] = useState<PrinterChoice[] | null>(null);
  const [printer, setPrinter] = useState('');
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });

  useEffect(() => {
    if (!toPrinter || !desk.printers) return;
    let live = true;
    desk.printers().then(
      (list) => {
        if (!live) return;
        setPrinters(list);
        setPrinter((list.find((p) => p.isDefault) ?? list[0])?.name ?? '');
      },
      (err: unknown) => live && setPhase({ kind: 'error', message: errorText(asDeskError(err)) }),
    );
    return () => {
      live = false;
    };
  }, [toPrinter]);

  const fail = (err: unknown) => {
    const de = asDeskError(err);
    if (!isGloballyHandled(de)) setPhase({ kind: 'error', message: errorText(de) });
    else setPhase({ kind: 'idle' });
  };

  const print = async () => {
    setPhase({ kind: 'busy' });
    try {
      await desk.printOutput!(ticket, printer);
      const chosen = printers?.find((p) => p.name === printer);
      setPhase({ kind: 'done', message: t('secrets.print.sentTo', { printer: chosen?.displayName ?? printer }) });
    } catch (err) {
      fail(err);
    }
  };

  const save = async () => {
    setPhase({ kind: 'busy' });
    try {
      const r = await desk.saveOutput!(ticket);
      setPhase(r.saved ? { kind: 'done', message: t('secrets.print.savedAs', { name: r.name ?? '' }) } : { kind: 'idle' });
    } catch (err) {
      fail(err);
    }
  };

  if (phase.kind === 'done') return <p className="print-delivered" role="status"><Icon name="checkCircle" /> {phase.message}</p>;
  return (
    <div className="form-stack">
      {toPrinter ? (
        printers !== null && printers.length === 0 ? (
          <div className="notice notice-warning" role="note">{t('secrets.print.noPrinter')}</div>
        ) : (
          <div className="print-actions">
            <Field id="print-printer" label={t('secrets.print.printer')} required>
              <select id="print-printer" className="input" value={printer} disabled={printers === null || phase.kind === 'busy'} onChange={(e) => setPrinter(e.target.value)}>
                {(printers ?? []).map((p) => <option key={p.name} value={p.name}>{p.displayName}</option>)}
              </select>
            </Field>
            <button type="button" className="button primary" disabled={!printer || phase.kind === 'busy'} onClick={() => void print()}>
              {phase.kind === 'busy' ? <Spinner /> : <Icon name="file" />} {t('secrets.print.toPrinter')}
            </button>
          </div>
        )
      ) : (
        <div className="print-actions">
          <button type="button" className="button primary" disabled={phase.kind === 'busy'} onClick={() => void save()}>
            {phase.kind === 'busy' ? <Spinner /> : <Icon name="arrowDown" />} {t('secrets.print.saveFile')}
          </button>
        </div>
      )}
      {phase.kind === 'error' && <div className="form-error" role="alert">{phase.message}</div>}
    </div>
  );
}
