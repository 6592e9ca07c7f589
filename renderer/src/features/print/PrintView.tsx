// The page the Electron layer prints: `#/print/<ticket>` in a hidden window of its own (no preload,
// no bridge). It fetches the composed printout once through its one-use ticket (app://securedesk/blob/
// in Electron, the development host's /blob/ with its bearer token in a browser), draws every page
// with pdf.js into an image at print resolution, one page per sheet at the PDF's own page size, and
// says when it is done on <html data-print-state="ready|error">, which main waits for before it prints.
// Printing images rather than handing the PDF to Chromium's viewer: the viewer plugin cannot be
// printed silently in every Electron release, and the marks and watermark are in the pixels anyway.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { documentParams, loadPdfJs } from '../viewer/pdfjs';

/** Print resolution: enough for 8-point text and the watermark's fine lines. */
const DPI = 200;

interface PageImage {
  url: string;
  /** Size in PDF points (1/72 inch), which is what CSS `pt` is. */
  widthPt: number;
  heightPt: number;
  sizeName: string;
}

function setState(state: 'loading' | 'ready' | 'error', pages = 0): void {
  document.documentElement.dataset.printState = state;
  document.documentElement.dataset.printPages = String(pages);
}

/** One named @page per distinct page size, so each sheet gets its page's size (landscape pages too). */
function pageSizeSheet(pages: readonly PageImage[]): CSSStyleSheet {
  const sheet = new CSSStyleSheet();
  const seen = new Set<string>();
  for (const p of pages) {
    if (seen.has(p.sizeName)) continue;
    seen.add(p.sizeName);
    sheet.insertRule(`@page ${p.sizeName} { size: ${p.widthPt}pt ${p.heightPt}pt; margin: 0; }`);
    sheet.insertRule(`.print-sheet.${p.sizeName} { page: ${p.sizeName}; }`);
  }
  return sheet;
}

/** Draws every page once per window (React's development double effects must not spend the ticket twice). */
let drawing: Promise<PageImage[]> | null = null;
function drawOnce(ticket: string, token: string | null): Promise<PageImage[]> {
  drawing ??= (async () => {
    const lib = await loadPdfJs();
    const doc = await lib.getDocument(documentParams(lib, `blob/${ticket}`, token ? { Authorization: `Bearer ${token}` } : {})).promise;
    const out: PageImage[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const base = page.getViewport({ scale: 1 });
      const viewport = page.getViewport({ scale: DPI / 72 });
      const canvas = document.createElement('canvas');
      canvas.width = Math.ceil(viewport.width);
      canvas.height = Math.ceil(viewport.height);
      await page.render({ canvas, canvasContext: canvas.getContext('2d')!, viewport }).promise;
      const blob = await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('canvas'))), 'image/png'));
      // The canvas's memory goes now; a long print run keeps only the compressed pages.
      canvas.width = 0;
      canvas.height = 0;
      page.cleanup();
      const widthPt = Math.round(base.width * 100) / 100;
      const heightPt = Math.round(base.height * 100) / 100;
      out.push({ url: URL.createObjectURL(blob), widthPt, heightPt, sizeName: `s${Math.round(widthPt)}x${Math.round(heightPt)}` });
    }
    await doc.destroy();
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, pageSizeSheet(out)];
    return out;
  })();
  return drawing;
}

export function PrintView({ ticket, token }: { ticket: string; token: string | null }) {
  const { t } = useTranslation();
  const [pages, setPages] = useState<PageImage[]>([]);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    setState('loading');
    let live = true;
    drawOnce(ticket, token).then(
      (out) => live && setPages(out),
      () => {
        if (!live) return;
        setFailed(true);
        setState('error');
      },
    );
    return () => {
      live = false;
    };
  }, [ticket, token]);

  // Ready once every image has decoded: printing earlier would print blank sheets.
  useEffect(() => {
    if (pages.length === 0) return;
    let live = true;
    const images = [...document.querySelectorAll<HTMLImageElement>('.print-sheet img')];
    void Promise.all(images.map((img) => img.decode())).then(
      () => live && setState('ready', pages.length),
      () => live && setState('error'),
    );
    return () => {
      live = false;
    };
  }, [pages]);

  if (failed) return <p className="print-failed" role="alert">{t('print.failed')}</p>;
  if (pages.length === 0) return <p className="print-loading" role="status">{t('print.preparing')}</p>;
  return (
    <div className="print-run">
      {pages.map((p, i) => (
        <div key={i} className={`print-sheet ${p.sizeName}`} style={{ width: `${p.widthPt}pt`, height: `${p.heightPt}pt` }}>
          <img src={p.url} alt="" width={Math.round((p.widthPt * DPI) / 72)} height={Math.round((p.heightPt * DPI) / 72)} />
        </div>
      ))}
    </div>
  );
}
