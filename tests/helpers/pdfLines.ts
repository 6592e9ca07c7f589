// pdftotext -bbox read as lines: the words of a page grouped by their vertical centre (top to bottom),
// each line's words in x order joined without spaces ("Số:15/QĐ-UBND"), so a test can tell on which
// line of the page, and in which order, a text was written.
import { execFileSync } from 'node:child_process';

export function pdfLines(path: string, page = 1): string[] {
  const html = execFileSync('pdftotext', ['-bbox', '-enc', 'UTF-8', '-f', String(page), '-l', String(page), path, '-'], { encoding: 'utf8' });
  const words = [...html.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<\/word>/g)]
    .map((m) => ({ x: Number(m[1]), y: (Number(m[2]) + Number(m[3])) / 2, t: m[4]!.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>') }));
  const rows: Array<{ y: number; w: typeof words }> = [];
  for (const w of words) {
    const r = rows.find((x) => Math.abs(x.y - w.y) < 4);
    if (r) r.w.push(w);
    else rows.push({ y: w.y, w: [w] });
  }
  return rows.sort((a, b) => a.y - b.y).map((r) => r.w.sort((a, b) => a.x - b.x).map((w) => w.t).join(''));
}
