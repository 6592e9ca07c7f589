// "Văn bản nhận dạng (OCR)": the text the OCR job read from a page of the file open in the viewer
// (main/core/ocr). Asked page by page from main, which checks it like opening the file; dropped on lock.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { OcrPageView, OcrStatus } from '../../../../common/contract';
import { Icon, Spinner } from '../../components/Icon';
import { errorText } from '../../i18n/errors';
import { asDeskError, call } from '../../ipc/call';
import { onWipe } from '../../stores/wipe';

interface Props {
  attachmentId: number;
  /** The viewer's current page; absent for a file the viewer cannot show (a scanned image): the panel pages itself. */
  page?: number;
  onClose(): void;
}

type Loaded = { kind: 'loading' } | { kind: 'ready'; view: OcrPageView } | { kind: 'error'; message: string };

export function OcrPanel({ attachmentId, page, onClose }: Props) {
  const { t } = useTranslation();
  const [ownPage, setOwnPage] = useState(1);
  const shown = page ?? ownPage;
  const [loaded, setLoaded] = useState<Loaded>({ kind: 'loading' });

  useEffect(() => {
    let live = true;
    setLoaded({ kind: 'loading' });
    call('ocr.pageText', { attachmentId, page: shown })
      .then((view) => { if (live) setLoaded({ kind: 'ready', view }); })
      .catch((err: unknown) => { if (live) setLoaded({ kind: 'error', message: errorText(asDeskError(err)) }); });
    const unregister = onWipe(() => {
      live = false;
      setLoaded({ kind: 'loading' });
    });
    return () => {
      live = false;
      unregister();
    };
  }, [attachmentId, shown]);

  const view = loaded.kind === 'ready' ? loaded.view : null;
  const pages = view?.pages ?? null;

  return (
    <aside className="ocr-panel" aria-label={t('viewer.ocrTitle')}>
      <header className="ocr-panel-head">
        <h3>{t('viewer.ocrTitle')}</h3>
        <span className="ocr-panel-page">{pages ? t('viewer.ocrPageOf', { page: shown, count: pages }) : t('viewer.pageLabel', { page: shown })}</span>
        {page === undefined && pages !== null && pages > 1 && (
          <>
            <button type="button" className="icon-button" onClick={() => setOwnPage((p) => Math.max(1, p - 1))} disabled={shown <= 1}
              aria-label={t('viewer.prevPage')} title={t('viewer.prevPage')}>
              <Icon name="chevronUp" />
            </button>
            <button type="button" className="icon-button" onClick={() => setOwnPage((p) => Math.min(pages, p + 1))} disabled={shown >= pages}
              aria-label={t('viewer.nextPage')} title={t('viewer.nextPage')}>
              <Icon name="chevronDown" />
            </button>
          </>
        )}
        <button type="button" className="icon-button" onClick={onClose} aria-label={t('viewer.ocrClose')} title={t('viewer.ocrClose')}>
          <Icon name="close" />
        </button>
      </header>
      <div className="ocr-panel-body" aria-live="polite">
        {loaded.kind === 'loading' && <p className="ocr-panel-note"><Spinner /> {t('viewer.ocrLoading')}</p>}
        {loaded.kind === 'error' && <p className="ocr-panel-note is-problem" role="alert">{loaded.message}</p>}
        {view && <OcrText view={view} />}
      </div>
    </aside>
  );
}

function OcrText({ view }: { view: OcrPageView }) {
  const { t } = useTranslation();
  if (view.state === 'none') return <p className="ocr-panel-note">{t('viewer.ocrNone')}</p>;
  if (view.text === null) {
    return view.state === 'failed'
      ? <p className="ocr-panel-note">{t('viewer.ocrFailed')}</p>
      : <><p className="ocr-panel-note">{t('viewer.ocrPending')}</p><OcrProgress /></>;
  }
  return (
    <>
      <p className="ocr-panel-note">{view.source === 'text' ? t('viewer.ocrTextLayer') : t('viewer.ocrMachineRead')}</p>
      {view.text.trim() ? <pre className="ocr-panel-text" lang="vi">{view.text}</pre> : <p className="ocr-panel-note">{t('viewer.ocrEmpty')}</p>}
    </>
  );
}

const decimal = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 1 });

/** Where the workstation's OCR job stands (pages done of those counted, pages per minute). */
function OcrProgress() {
  const { t } = useTranslation();
  const [status, setStatus] = useState<OcrStatus | null>(null);
  useEffect(() => {
    let live = true;
    const read = () => void call('ocr.status', {}).then((s) => { if (live) setStatus(s); }).catch(() => undefined);
    read();
    const timer = setInterval(read, 5000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, []);
  if (!status || status.files.total === 0) return null;
  const state = status.state === 'running' ? t('viewer.ocrRunning') : status.state === 'unavailable' ? t('viewer.ocrUnavailable') : t('viewer.ocrWaiting');
  return (
    <p className="ocr-panel-note" aria-live="polite">
      {state}{' '}
      {t('viewer.ocrProgress', { done: status.pages.done, total: status.pages.total, files: status.files.done, filesTotal: status.files.total })}
      {status.pagesPerMinute !== null && ` ${t('viewer.ocrRate', { rate: decimal.format(status.pagesPerMinute) })}`}
    </p>
  );
}
