// The OCR tools as child processes, fed and read through pipes only: the decrypted file goes to the
// tool's stdin and the image or text comes back on its stdout, so no plaintext of a classified file
// is ever written to disk. Poppler (pdfinfo, pdftotext, pdftoppm given "-") and Tesseract (input
// "stdin", output "stdout") read stdin into memory themselves. Every child runs at the lowest CPU and
// I/O priority (nice 19, ionice idle) with one thread, so the window and the register stay responsive.
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** A tool that failed or was stopped; `code` names which and why, never any content. */
export class OcrToolError extends Error {
  constructor(readonly code: 'missing' | 'failed' | 'cancelled' | 'timeout', readonly tool: string, detail = '') {
    super(`${tool} ${code}${detail ? `: ${detail}` : ''}`);
    this.name = 'OcrToolError';
  }
}

function which(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, name);
    try {
      if (statSync(file).isFile()) {
        accessSync(file, constants.X_OK);
        return file;
      }
    } catch { /* not here */ }
  }
  return null;
}

export interface OcrTools {
  pdfinfo: string;
  pdftotext: string;
  pdftoppm: string;
  tesseract: string;
  /** Wrappers that lower the child's priority (Linux: nice, ionice), empty where absent. */
  lowPriority: string[];
}

/** The tools on this machine (PATH), or the list of those missing. */
export function findOcrTools(): OcrTools | { missing: string[] } {
  const found = Object.fromEntries(['pdfinfo', 'pdftotext', 'pdftoppm', 'tesseract'].map((n) => [n, which(n)])) as Record<string, string | null>;
  const missing = Object.entries(found).filter(([, p]) => p === null).map(([n]) => n);
  if (missing.length > 0) return { missing };
  const nice = which('nice');
  const ionice = which('ionice');
  return {
    pdfinfo: found.pdfinfo!, pdftotext: found.pdftotext!, pdftoppm: found.pdftoppm!, tesseract: found.tesseract!,
    lowPriority: [...(nice ? [nice, '-n', '19'] : []), ...(ionice ? [ionice, '-c', '3'] : [])],
  };
}

export interface RunOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Largest output accepted (an image of a page at 300 dpi is about 9 MB as 8-bit grey). */
  maxOutput?: number;
}

const TOOL_TIMEOUT_MS = 120_000;

/** Runs a tool at low priority with `input` on its stdin; resolves with its stdout. */
export function runTool(tools: OcrTools, bin: string, args: string[], input: Buffer, opts: RunOptions = {}): Promise<Buffer> {
  const tool = bin.split('/').pop()!;
  if (opts.signal?.aborted) return Promise.reject(new OcrToolError('cancelled', tool));
  const [cmd, ...rest] = [...tools.lowPriority, bin, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd!, rest, {
      stdio: ['pipe', 'pipe', 'pipe'],
      // One thread: the other core stays with the window; no locale surprises in pdfinfo's output.
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', OMP_THREAD_LIMIT: '1', LC_ALL: 'C.UTF-8' },
    });
    const out: Buffer[] = [];
    let size = 0;
    let stderr = '';
    let settled = false;
    const finish = (err: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (err) {
        child.kill('SIGKILL');
        reject(err);
      } else resolve(Buffer.concat(out));
    };
    const onAbort = () => finish(new OcrToolError('cancelled', tool));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => finish(new OcrToolError('timeout', tool)), opts.timeoutMs ?? TOOL_TIMEOUT_MS);
    child.stdout.on('data', (d: Buffer) => {
      size += d.length;
      if (size > (opts.maxOutput ?? 64 * 1024 * 1024)) finish(new OcrToolError('failed', tool, 'output too large'));
      else out.push(d);
    });
    // stderr is kept short and only for the log: tools print progress and warnings there, not content.
    child.stderr.on('data', (d: Buffer) => { if (stderr.length < 500) stderr += d.toString(); });
    child.on('error', (e: NodeJS.ErrnoException) => finish(new OcrToolError(e.code === 'ENOENT' ? 'missing' : 'failed', tool, e.code ?? '')));
    child.on('close', (code, signal) => {
      if (code === 0) finish(null);
      else finish(new OcrToolError('failed', tool, `exit ${code ?? signal}; ${stderr.trim().split('\n').pop() ?? ''}`.slice(0, 200)));
    });
    // A tool that stops reading early (pdfinfo needs only part of the file) closes the pipe: not an error.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

/** The number of pages of a PDF. */
export async function pdfPageCount(tools: OcrTools, pdf: Buffer, opts?: RunOptions): Promise<number> {
  const info = (await runTool(tools, tools.pdfinfo, ['-'], pdf, opts)).toString('utf8');
  const m = /^Pages:\s+(\d+)/m.exec(info);
  if (!m) throw new OcrToolError('failed', 'pdfinfo', 'no page count');
  return Number(m[1]);
}

/** The text layer of one page (1-based), as pdftotext reads it. */
export async function pdfPageText(tools: OcrTools, pdf: Buffer, page: number, opts?: RunOptions): Promise<string> {
  return (await runTool(tools, tools.pdftotext, ['-q', '-f', String(page), '-l', String(page), '-enc', 'UTF-8', '-', '-'], pdf, opts)).toString('utf8');
}

/** Letters enough to call a page's text layer real text (a scanner's stamp or page number is not). */
export const hasTextLayer = (text: string): boolean => (text.match(/\p{L}/gu)?.length ?? 0) >= 20;

export const RASTER_DPI = 300;

/** One page (1-based) as an 8-bit grey PGM image at 300 dpi. */
export function rasterisePage(tools: OcrTools, pdf: Buffer, page: number, opts?: RunOptions): Promise<Buffer> {
  return runTool(tools, tools.pdftoppm, ['-q', '-r', String(RASTER_DPI), '-gray', '-f', String(page), '-l', String(page), '-singlefile', '-'], pdf, { maxOutput: 256 * 1024 * 1024, ...opts });
}

/**
 * The Vietnamese text Tesseract reads in an image (PGM, PNG, JPEG, TIFF). `page`: the 0-based page
 * of a multi-page TIFF. `dpi`: the resolution when the image does not say it (a rasterised page).
 */
export async function recognise(tools: OcrTools, image: Buffer, o: { dpi?: number; page?: number } & RunOptions = {}): Promise<string> {
  const args = ['stdin', 'stdout', '-l', 'vie', '--psm', '3'];
  if (o.dpi) args.push('--dpi', String(o.dpi));
  if (o.page !== undefined) args.push('-c', `tessedit_page_number=${o.page}`);
  const text = (await runTool(tools, tools.tesseract, args, image, o)).toString('utf8');
  // Tesseract ends each page with a form feed; lines and paragraphs are kept.
  return text.replace(/\f/g, '').normalize('NFC').trim();
}

/** The number of pages (IFDs) of a TIFF, read from its header; 0 when it is not a TIFF. */
export function tiffPageCount(bytes: Buffer): number {
  if (bytes.length < 8) return 0;
  const order = bytes.toString('latin1', 0, 2);
  const le = order === 'II';
  if (!le && order !== 'MM') return 0;
  const u16 = (o: number) => (le ? bytes.readUInt16LE(o) : bytes.readUInt16BE(o));
  const u32 = (o: number) => (le ? bytes.readUInt32LE(o) : bytes.readUInt32BE(o));
  if (u16(2) !== 42) return 0;
  let offset = u32(4);
  const seen = new Set<number>();
  let pages = 0;
  // The chain of IFDs, guarded against loops and offsets outside the file.
  while (offset !== 0 && offset + 2 <= bytes.length && !seen.has(offset) && pages < 10_000) {
    seen.add(offset);
    pages += 1;
    const entries = u16(offset);
    const next = offset + 2 + entries * 12;
    if (next + 4 > bytes.length) break;
    offset = u32(next);
  }
  return pages;
}
