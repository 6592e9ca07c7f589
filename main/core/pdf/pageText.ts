// The text of a PDF page with its positions (pdf.js getTextContent, run in Node on the main-thread
// "fake worker"): what locating the draft's "Số: …" and "ngày … tháng … năm …" blanks needs.
//
// pdf.js's display layer builds a DOMMatrix at load time and, in Node, tries to borrow DOMMatrix,
// Path2D and ImageData from @napi-rs/canvas, a native module the app does not ship. Text extraction
// uses none of them: inert stand-ins are installed when they are missing, and the load-time warnings
// about them are kept out of the log.

/** One run of text: its string and where it sits (the page's user space, PDF points). */
export interface TextRun { str: string; x: number; y: number; width: number; size: number }

/** `view`: the page's box [x0, y0, x1, y1] in user space. */
export interface PageText { view: [number, number, number, number]; runs: TextRun[] }

import type * as PdfJsModule from 'pdfjs-dist/legacy/build/pdf.mjs';

type PdfJs = typeof PdfJsModule;
let loading: Promise<PdfJs> | undefined;

class InertMatrix {
  a = 1; b = 0; c = 0; d = 1; e = 0; f = 0;
}

function loadPdfJs(): Promise<PdfJs> {
  loading ??= (async () => {
    const g = globalThis as Record<string, unknown>;
    for (const name of ['DOMMatrix', 'Path2D', 'ImageData']) if (g[name] === undefined) g[name] = InertMatrix;
    const { log, warn } = console;
    // pdf.js's load-time "Cannot load @napi-rs/canvas" / "Cannot polyfill" notices.
    console.log = () => undefined;
    console.warn = () => undefined;
    try {
      // @ts-expect-error: the worker module ships no type declarations (it is used whole, as pdfjsWorker)
      g.pdfjsWorker = (await import('pdfjs-dist/legacy/build/pdf.worker.mjs')) as unknown;
      return await import('pdfjs-dist/legacy/build/pdf.mjs');
    } finally {
      console.log = log;
      console.warn = warn;
    }
  })();
  return loading;
}

/** Rejects when `p` takes longer than `ms` (a reader that never answers must not hold up an issue). */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
    p.then((v) => { clearTimeout(t); resolve(v); }, (e: unknown) => { clearTimeout(t); reject(e instanceof Error ? e : new Error(String(e))); });
  });
}

/**
 * The text runs of one page (0-based); the reading (not the one-time load of pdf.js, which under a
 * TypeScript loader is compiled on first use and may take seconds) rejects after `timeoutMs` (10 s).
 */
export async function pageText(pdf: Uint8Array, pageIndex: number, timeoutMs = 10_000): Promise<PageText> {
  const pdfjs = await loadPdfJs();
  return within(readPage(pdfjs, pdf, pageIndex), timeoutMs, 'reading the page text');
}

async function readPage(pdfjs: PdfJs, pdf: Uint8Array, pageIndex: number): Promise<PageText> {
  // pdf.js takes ownership of (and detaches) the buffer it is given: hand it a copy.
  const doc = await pdfjs.getDocument({ data: new Uint8Array(pdf), isEvalSupported: false, disableFontFace: true, useSystemFonts: false, stopAtErrors: false, verbosity: 0 }).promise;
  try {
    const page = await doc.getPage(pageIndex + 1);
    const content = await page.getTextContent();
    const runs: TextRun[] = [];
    for (const item of content.items) {
      if (!('str' in item) || item.str === '') continue;
      const [a, b, , , e, f] = item.transform as [number, number, number, number, number, number];
      // Upright text only (the header of a draft); rotated runs are not the blanks we look for.
      if (Math.abs(b) > 1e-3 || a <= 0) continue;
      runs.push({ str: item.str.normalize('NFC'), x: e, y: f, width: item.width, size: Math.hypot(a, b) });
    }
    return { view: page.view as [number, number, number, number], runs };
  } finally {
    await doc.destroy();
  }
}
