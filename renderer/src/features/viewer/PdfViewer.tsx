// The embedded viewer: the attachment is opened through a short-lived URL that pdf.js streams
// (no temp file, no download); pages render lazily with a selectable text layer; find is
// accent-insensitive. A file that is not a PDF, or that pdf.js rejects, gets a clear message.
// A lock destroys the pdf.js document and its rendered pages at once (stores/wipe.ts).
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AttachmentInfo, OpenedAttachment } from '../../../../common/contract';
import type { Secrecy } from '../../../../common/domain';
import { Icon, Spinner } from '../../components/Icon';
import { SecrecyMark } from '../../components/Secrecy';
import i18n from '../../i18n';
import { errorText } from '../../i18n/errors';
import { asDeskError, call } from '../../ipc/call';
import { viewerHeaders } from '../../ipc/desk';
import { setFindHandler } from '../../stores/nav';
import { onWipe } from '../../stores/wipe';
import { drawPageMarks, type ViewerOverlay } from './canvasMarks';
import { nextZoomStep, PdfController, type FindState, type FitMode } from './PdfController';
import { OcrPanel } from './OcrPanel';
import { documentParams, loadPdfJs } from './pdfjs';

type Phase =
  | { kind: 'opening' }
  | { kind: 'ready' }
  | { kind: 'not-pdf'; detail?: string }
  | { kind: 'password' }
  | { kind: 'error'; message: string };

interface Props {
  attachment: AttachmentInfo;
  secrecy: Secrecy;
  /** Marks and watermark drawn into every rendered page (canvasMarks.ts). */
  overlay?: ViewerOverlay;
  /** How to get the file's URL when it is not a registered document's attachment (an electronic arrival's file). */
  open?: () => Promise<OpenedAttachment>;
}

/** fetch()'s network failure, as Chromium, Firefox and WebKit word it. */
function isFetchFailure(err: unknown): boolean {
  const e = err as { name?: unknown; message?: unknown } | null;
  if (e?.name === 'TypeError') return true;
  return typeof e?.message === 'string' && /failed to fetch|network ?error|load failed/i.test(e.message);
}

export function PdfViewer({ attachment, secrecy, overlay, open }: Props) {
  const { t } = useTranslation();
  const scroller = useRef<HTMLDivElement>(null);
  const pagesEl = useRef<HTMLDivElement>(null);
  const findInput = useRef<HTMLInputElement>(null);
  const controller = useRef<PdfController | null>(null);
  // Read when a page is drawn: the latest overlay, without reopening the document when it changes.
  const overlayRef = useRef(overlay);
  overlayRef.current = overlay;
  const openRef = useRef(open);
  openRef.current = open;
  const [phase, setPhase] = useState<Phase>({ kind: 'opening' });
  const [numPages, setNumPages] = useState(0);
  const [page, setPage] = useState(1);
  const [pageText, setPageText] = useState('1');
  const [zoom, setZoom] = useState<{ scale: number; fit: FitMode }>({ scale: 1, fit: 'width' });
  const [find, setFind] = useState<FindState>({ query: '', total: 0, current: 0, searching: false });
  const [findText, setFindText] = useState('');
  // "Văn bản nhận dạng (OCR)": the text read from the current page, beside the pages.
  const [showOcr, setShowOcr] = useState(false);

  useEffect(() => {
    if (!attachment.isPdf) {
      setPhase({ kind: 'not-pdf' });
      return;
    }
    let cancelled = false;
    let task: { destroy(): Promise<void> } | null = null;
    // The document in pdf.js (and its worker), the canvases and the text layer all go.
    const drop = () => {
      if (cancelled) return;
      cancelled = true;
      controller.current?.destroy();
      controller.current = null;
      void task?.destroy();
      task = null;
    };
    const unregister = onWipe(drop);
    setPhase({ kind: 'opening' });
    (async () => {
      const [opened, lib] = await Promise.all([openRef.current ? openRef.current() : call('attachments.open', { id: attachment.id }), loadPdfJs()]);
      if (cancelled) return;
      if (!opened.isPdf) {
        setPhase({ kind: 'not-pdf' });
        return;
      }
      const loading = lib.getDocument(documentParams(lib, opened.url, viewerHeaders()));
      task = loading;
      const doc = await loading.promise;
      if (cancelled || !scroller.current || !pagesEl.current) return;
      const c = new PdfController(lib, doc, scroller.current, pagesEl.current, {
        onPage: (p) => {
          setPage(p);
          setPageText(String(p));
        },
        onScale: (scale, fit) => setZoom({ scale, fit }),
        onFind: setFind,
        pageLabel: (p) => i18n.t('viewer.pageLabel', { page: p }),
        decorate: (canvas, size) => {
          if (overlayRef.current) drawPageMarks(canvas, size, overlayRef.current);
        },
      });
      controller.current = c;
      setNumPages(doc.numPages);
      setPhase({ kind: 'ready' });
      await c.init();
    })().catch((err: unknown) => {
      if (cancelled) return;
      const name = (err as Error)?.name;
      if (name === 'DeskError') setPhase({ kind: 'error', message: errorText(asDeskError(err)) });
      else if (name === 'PasswordException') setPhase({ kind: 'password' });
      // The file could not be fetched (an expired link, a lost connection): opening it again may work.
      else if (name === 'ResponseException' || name === 'AbortException') setPhase({ kind: 'error', message: i18n.t('viewer.failed') });
      // The stream broke off: a stored file that fails its integrity check ends like this (pdf.js
      // passes fetch's TypeError on as an UnknownErrorException). It is no statement about the PDF.
      else if (isFetchFailure(err)) setPhase({ kind: 'error', message: i18n.t('viewer.fetchFailed') });
      // Anything else pdf.js refuses (InvalidPDFException, FormatError, …) is not a usable PDF.
      else setPhase({ kind: 'not-pdf', detail: String((err as Error)?.message ?? err) });
    });
    return () => {
      unregister();
      drop();
    };
  }, [attachment.id, attachment.isPdf]);

  // Ctrl+F in the detail view goes to the find box of the document.
  useEffect(() => {
    if (phase.kind !== 'ready') return;
    return setFindHandler(() => {
      findInput.current?.focus();
      findInput.current?.select();
    });
  }, [phase.kind]);

  // Find as one types, after a short pause.
  useEffect(() => {
    if (phase.kind !== 'ready') return;
    const timer = setTimeout(() => void controller.current?.find(findText), 250);
    return () => clearTimeout(timer);
  }, [findText, phase.kind]);

  const goTo = (p: number) => {
    if (!Number.isFinite(p) || numPages === 0) return;
    controller.current?.goToPage(Math.max(1, Math.min(numPages, Math.round(p))));
  };

  const ready = phase.kind === 'ready';

  return (
    <section className="viewer" aria-label={t('viewer.label', { name: attachment.name })}>
      <div className="viewer-toolbar" role="toolbar" aria-label={t('viewer.toolbar')}>
        {ready ? (
          <>
            <div className="toolbar-group">
              <button type="button" className="icon-button" onClick={() => goTo(page - 1)} disabled={!ready || page <= 1}
                aria-label={t('viewer.prevPage')} title={t('viewer.prevPage')}>
                <Icon name="chevronUp" />
              </button>
              <button type="button" className="icon-button" onClick={() => goTo(page + 1)} disabled={!ready || page >= numPages}
                aria-label={t('viewer.nextPage')} title={t('viewer.nextPage')}>
                <Icon name="chevronDown" />
              </button>
              <label className="page-input">
                <span>{t('viewer.page')}</span>
                <input className="input" inputMode="numeric" value={pageText} disabled={!ready} aria-label={t('viewer.pageNumber')}
                  onChange={(e) => setPageText(e.target.value.replace(/\D/g, ''))}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter') goTo(Number(pageText));
                  }}
                  onBlur={() => setPageText(String(page))} />
                <span className="page-count" aria-live="polite">{t('viewer.ofPages', { page, count: numPages })}</span>
              </label>
            </div>
            <div className="toolbar-group">
              <button type="button" className="icon-button" onClick={() => controller.current?.zoom(-1)}
                disabled={!ready || nextZoomStep(zoom.scale, -1) === undefined} aria-label={t('viewer.zoomOut')} title={t('viewer.zoomOut')}>
                <Icon name="zoomOut" />
              </button>
              <span className="zoom-value" aria-live="polite">{Math.round(zoom.scale * 100)}%</span>
              <button type="button" className="icon-button" onClick={() => controller.current?.zoom(1)}
                disabled={!ready || nextZoomStep(zoom.scale, 1) === undefined} aria-label={t('viewer.zoomIn')} title={t('viewer.zoomIn')}>
                <Icon name="zoomIn" />
              </button>
              <button type="button" className={zoom.fit === 'width' ? 'icon-button is-on' : 'icon-button'} aria-pressed={zoom.fit === 'width'}
                onClick={() => controller.current?.fitWidth()} disabled={!ready} aria-label={t('viewer.fitWidth')} title={t('viewer.fitWidth')}>
                <Icon name="fitWidth" />
              </button>
              <button type="button" className={zoom.fit === 'page' ? 'icon-button is-on' : 'icon-button'} aria-pressed={zoom.fit === 'page'}
                onClick={() => controller.current?.fitPage()} disabled={!ready} aria-label={t('viewer.fitPage')} title={t('viewer.fitPage')}>
                <Icon name="fitPage" />
              </button>
            </div>
            <div className="toolbar-group find-group" role="search">
              <div className="search-box small">
                <Icon name="search" />
                <input ref={findInput} type="search" className="input" value={findText} disabled={!ready}
                  aria-label={t('viewer.find')} placeholder={t('viewer.findPlaceholder')}
                  onChange={(e) => setFindText(e.target.value)}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter') {
                      e.preventDefault();
                      if (find.query !== findText) void controller.current?.find(findText);
                      else controller.current?.findNext(e.shiftKey ? -1 : 1);
                    } else if (e.key === 'Escape' && findText) {
                      e.preventDefault();
                      e.stopPropagation();
                      setFindText('');
                    }
                  }} />
              </div>
              <button type="button" className="icon-button" onClick={() => controller.current?.findNext(-1)} disabled={find.total === 0}
                aria-label={t('viewer.findPrev')} title={t('viewer.findPrev')}>
                <Icon name="chevronUp" />
              </button>
              <button type="button" className="icon-button" onClick={() => controller.current?.findNext(1)} disabled={find.total === 0}
                aria-label={t('viewer.findNext')} title={t('viewer.findNext')}>
                <Icon name="chevronDown" />
              </button>
              <span className="find-status" aria-live="polite">
                {find.searching ? <Spinner /> : find.query.trim() ? (find.total > 0 ? t('viewer.findCount', { current: find.current, total: find.total }) : t('viewer.findNone')) : ''}
              </span>
            </div>
          </>
        ) : (
          <span className="viewer-file" title={attachment.name}>
            <Icon name="file" /> {attachment.name}
          </span>
        )}
        <div className="toolbar-end">
          {!attachment.sealed && (
            <button type="button" className={showOcr ? 'button small is-on' : 'button small'} aria-pressed={showOcr} onClick={() => setShowOcr((v) => !v)}
              aria-label={t('viewer.ocrToggle')} title={t('viewer.ocrToggle')}>
              {t('viewer.ocrShort')}
            </button>
          )}
          <SecrecyMark level={secrecy} />
        </div>
      </div>
      <div className={showOcr ? 'viewer-body has-ocr' : 'viewer-body'}>
        <div ref={scroller} className="viewer-scroll" tabIndex={0} hidden={phase.kind !== 'ready' && phase.kind !== 'opening'}
          aria-label={t('viewer.pages')}>
          <div ref={pagesEl} className="viewer-pages" />
        </div>
        {phase.kind === 'opening' && (
          <div className="viewer-message">
            <Spinner /> {t('viewer.opening')}
          </div>
        )}
        {phase.kind === 'not-pdf' && (
          <div className="viewer-message is-problem" role="alert">
            <Icon name="alert" />
            <p className="viewer-message-title">{t('viewer.notPdf')}</p>
            <p>{t('viewer.notPdfDetail', { name: attachment.name })}</p>
          </div>
        )}
        {phase.kind === 'password' && (
          <div className="viewer-message is-problem" role="alert">
            <Icon name="lock" />
            <p className="viewer-message-title">{t('viewer.password')}</p>
          </div>
        )}
        {phase.kind === 'error' && (
          <div className="viewer-message is-problem" role="alert">
            <Icon name="alert" />
            <p className="viewer-message-title">{phase.message}</p>
          </div>
        )}
        {showOcr && (
          <OcrPanel attachmentId={attachment.id} {...(ready ? { page } : {})} onClose={() => setShowOcr(false)} />
        )}
      </div>
    </section>
  );
}
