// The Content-Security-Policy of every response the app:// protocol serves. Electron-free (plain
// strings) so the unit tests and the development host can import it.
//
// Why on every response, not only on index.html: a worker's CSP comes from the worker script's own
// response (pdf.js's worker), and an attachment that somehow ended up rendered as a document must
// not run anything either. No 'unsafe-eval', no 'unsafe-inline', no remote origin: pdf.js 5.6 runs
// with `isEvalSupported: false`. Should pdf.js >= 5.7 arrive, its WebAssembly decoders need
// 'wasm-unsafe-eval' (WebAssembly only, never JavaScript eval) or `useWasm: false`.

export const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "frame-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Attachments (app://securedesk/blob/…) are user-supplied bytes served from our own origin. They are
 * meant to be fetched by the viewer, never rendered as a page; should one be rendered anyway (an
 * HTML or SVG file opened as a document), `sandbox` puts it in an opaque origin with scripts off.
 */
export const BLOB_CSP = `${CSP}; sandbox`;

/** Headers every app:// response carries, errors included. */
export function securityHeaders(csp: string = CSP): Record<string, string> {
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}
