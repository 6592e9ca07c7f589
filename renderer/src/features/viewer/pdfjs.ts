// pdf.js, loaded on first use, with everything it needs served by the app itself (see
// renderer/vite.config.ts): the worker as a file (worker-src 'self'), CMaps and standard fonts,
// and the plain-JS JPEG 2000 decoder, since WebAssembly would need 'wasm-unsafe-eval'.
import type * as PdfJs from 'pdfjs-dist';
import type { DocumentInitParameters } from 'pdfjs-dist/types/src/display/api';

type PdfJsModule = typeof PdfJs;
let loading: Promise<PdfJsModule> | null = null;

/** URL of a pdf.js runtime file, relative to the page (works on the dev host and app:// alike). */
export const pdfjsAsset = (path: string): string => new URL(`pdfjs/${path}`, document.baseURI).href;

export function loadPdfJs(): Promise<PdfJsModule> {
  loading ??= import('pdfjs-dist').then((lib) => {
    lib.GlobalWorkerOptions.workerSrc = pdfjsAsset('pdf.worker.min.mjs');
    return lib;
  });
  return loading;
}

/** getDocument options for a URL that streams the file (no copy on disk, no blob download). */
export function documentParams(lib: PdfJsModule, url: string, httpHeaders: Record<string, string> = {}): DocumentInitParameters {
  return {
    url,
    httpHeaders,
    isEvalSupported: false,
    useWasm: false,
    wasmUrl: pdfjsAsset('wasm/'),
    cMapUrl: pdfjsAsset('cmaps/'),
    cMapPacked: true,
    standardFontDataUrl: pdfjsAsset('standard_fonts/'),
    enableXfa: false,
    verbosity: lib.VerbosityLevel.ERRORS,
  };
}
