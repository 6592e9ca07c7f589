// Outside readers of the PDFs the app makes: poppler's command-line tools (pdftotext, pdffonts,
// pdfinfo) and pdf.js, which reports each text run with its matrix (so the diagonal watermark can be
// read as whole lines, with its angle on the page as displayed).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function withFile<T>(bytes: Uint8Array, fn: (path: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'sd-pdf-'));
  try {
    const path = join(dir, 'f.pdf');
    writeFileSync(path, bytes);
    return fn(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** pdftotext's text of each page (diagonal text left out: the watermark is read with pdf.js). */
export function pdfTextPages(bytes: Uint8Array, extra: string[] = ['-nodiag']): string[] {
  return withFile(bytes, (p) => {
    const out = execFileSync('pdftotext', [...extra, '-enc', 'UTF-8', p, '-'], { encoding: 'utf8', maxBuffer: 256 << 20 });
    const pages = out.split('\f');
    if (pages.at(-1)?.trim() === '') pages.pop();
    return pages;
  });
}

export interface FontRow { name: string; type: string; embedded: boolean; unicode: boolean }

export function pdfFonts(bytes: Uint8Array): FontRow[] {
  return withFile(bytes, (p) => {
    const out = execFileSync('pdffonts', [p], { encoding: 'utf8' });
    return out.split('\n').slice(2).filter((l) => l.trim()).map((l) => {
      const cols = l.trim().split(/\s+/);
      // name type... encoding emb sub uni objectId gen
      const n = cols.length;
      return { name: cols[0]!, type: cols.slice(1, n - 6).join(' '), embedded: cols[n - 5] === 'yes', unicode: cols[n - 3] === 'yes' };
    });
  });
}

export interface PageInfo { width: number; height: number; rotation: number }

/** pdfinfo's size (pt) and rotation of every page. */
export function pdfPageInfo(bytes: Uint8Array): PageInfo[] {
  return withFile(bytes, (p) => {
    const out = execFileSync('pdfinfo', ['-f', '1', '-l', '100000', p], { encoding: 'utf8' });
    const pages: PageInfo[] = [];
    for (const m of out.matchAll(/^Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+) pts.*\nPage\s+\1 rot:\s+(\d+)/gm))
      pages.push({ width: Number(m[2]), height: Number(m[3]), rotation: Number(m[4]) });
    return pages;
  });
}

export function pdfInfoFails(bytes: Uint8Array): string | null {
  return withFile(bytes, (p) => {
    try {
      execFileSync('pdfinfo', [p], { encoding: 'utf8', stdio: 'pipe' });
      return null;
    } catch (e) {
      return String((e as { stderr?: string }).stderr ?? e);
    }
  });
}

export interface TextRun {
  str: string;
  /** Position on the page as displayed, y from the top (CSS-like), in points. */
  x: number;
  y: number;
  /** Angle of the run on the displayed page, degrees counter-clockwise (0 = horizontal). */
  angle: number;
  size: number;
}

/** Each text run of each page, placed on the page as displayed (rotation applied), via pdf.js. */
export async function pdfRuns(bytes: Uint8Array): Promise<{ width: number; height: number; runs: TextRun[] }[]> {
  const lib = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await lib.getDocument({ data: new Uint8Array(bytes), isEvalSupported: false, verbosity: 0 }).promise;
  try {
    const pages = [];
    for (let i = 1; i <= doc.numPages; i++) {
      const page = await doc.getPage(i);
      const vp = page.getViewport({ scale: 1 });
      const content = await page.getTextContent();
      const runs: TextRun[] = [];
      for (const it of content.items) {
        if (!('str' in it) || it.str.trim() === '') continue;
        const m = lib.Util.transform(vp.transform, it.transform) as number[];
        // The viewport flips y: a run going up and right on screen has a negative b.
        runs.push({ str: it.str, x: m[4]!, y: m[5]!, angle: (Math.atan2(-m[1]!, m[0]!) * 180) / Math.PI, size: Math.hypot(m[0]!, m[1]!) });
      }
      pages.push({ width: vp.width, height: vp.height, runs });
    }
    return pages;
  } finally {
    await doc.destroy();
  }
}

/**
 * What a reader sees on page `page` (1-based): poppler renders it (annotations and signature
 * appearances included) and Tesseract reads the picture. Used where the text layer cannot say it: the
 * number the văn thư writes into a signed draft's blank is drawn over the draft's placeholder in the
 * agency signature's appearance, so the draft's own "…" stays in the signed content underneath.
 */
export function pdfSeenText(bytes: Uint8Array, page = 1): string {
  return withFile(bytes, (p) => {
    execFileSync('pdftoppm', ['-f', String(page), '-l', String(page), '-r', '200', '-gray', '-png', p, join(p, '..', 'seen')]);
    const png = join(p, '..', `seen-${page}.png`);
    return execFileSync('tesseract', [png, '-', '-l', 'vie'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  });
}
