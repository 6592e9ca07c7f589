// The marks and the watermark, drawn into the pixels of each rendered page canvas (not an element
// above it, which could be hidden or removed from the page): the red level and urgency stamps and
// the flags at the top of the page as the printout places them (main/core/print), and a light
// diagonal watermark repeated across the page naming who views it, their unit, when and which
// document. The wording comes from common/marks.ts, the same as the printout's.
import { markStamps, watermarkLines, type DocumentMarks, type WatermarkFields } from '../../../../common/marks';

export interface ViewerOverlay {
  marks: DocumentMarks;
  /** Who views which document; the time is the moment each page is drawn. */
  watermark: Omit<WatermarkFields, 'time'>;
}

/** The app's own font stack (styles/base.css): all three have the Vietnamese glyphs. */
const FONT = '"Segoe UI", "Noto Sans", "DejaVu Sans", sans-serif';
const RED = 'rgb(204, 13, 13)';

/**
 * Draws onto `canvas` (already rendered by pdf.js), whose page measures `page` points as displayed.
 * Sizes follow the printout's: an A4 width is the reference, in the canvas's own pixels.
 */
export function drawPageMarks(canvas: HTMLCanvasElement, page: { width: number; height: number }, overlay: ViewerOverlay, now: Date = new Date()): void {
  const ctx = canvas.getContext('2d');
  if (!ctx || page.width <= 0 || page.height <= 0) return;
  const pxPerPt = canvas.width / page.width;
  const k = Math.max(0.45, Math.min(1.5, Math.min(page.width / 595, page.height / 595))) * pxPerPt;
  ctx.save();
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  drawStamps(ctx, canvas.width, overlay.marks, k);
  drawWatermark(ctx, canvas.width, canvas.height, watermarkLines({ ...overlay.watermark, time: now }), k);
  ctx.restore();
}

function stamp(ctx: CanvasRenderingContext2D, text: string, x: number, top: number, size: number): number {
  ctx.font = `bold ${size}px ${FONT}`;
  const padX = size * 0.45;
  const padY = size * 0.3;
  const w = ctx.measureText(text).width + 2 * padX;
  const h = size * 1.15 + 2 * padY;
  ctx.strokeStyle = RED;
  ctx.lineWidth = Math.max(1, size / 11);
  ctx.strokeRect(x, top, w, h);
  ctx.fillStyle = RED;
  ctx.textBaseline = 'alphabetic';
  ctx.fillText(text, x + padX, top + padY + size * 0.93);
  return w;
}

function drawStamps(ctx: CanvasRenderingContext2D, width: number, marks: DocumentMarks, k: number): void {
  const s = markStamps(marks);
  const margin = 14 * k;
  const top = 10 * k;
  const gap = 7 * k;
  let x = margin;
  for (const t of [s.secrecy, s.urgency]) if (t) x += stamp(ctx, t, x, top, 13 * k) + gap;
  // The flags from the right edge; below the first row when the page is too narrow for both.
  const small = 8.5 * k;
  ctx.font = `bold ${small}px ${FONT}`;
  const widths = s.flags.map((f) => ctx.measureText(f).width + small * 0.9);
  const total = widths.reduce((a, w) => a + w + gap, 0) - (widths.length ? gap : 0);
  let fx = width - margin - total;
  const flagTop = fx < x ? top + 13 * k * 1.75 + gap / 2 : top;
  if (fx < x) fx = Math.max(margin, width - margin - total);
  for (const f of s.flags) fx += stamp(ctx, f, fx, flagTop, small) + gap;
}

function drawWatermark(ctx: CanvasRenderingContext2D, width: number, height: number, lines: string[], k: number): void {
  const size = 10 * k;
  const lead = size * 1.35;
  ctx.font = `${size}px ${FONT}`;
  const blockW = Math.max(...lines.map((l) => ctx.measureText(l).width));
  const blockH = lead * lines.length;
  const angle = Math.max(25, Math.min(55, (Math.atan2(height, width) * 180) / Math.PI));
  const stepX = blockW + 40 * k;
  const stepY = blockH + 46 * k;
  const reach = Math.hypot(width, height) / 2 + Math.max(stepX, stepY);
  ctx.translate(width / 2, height / 2);
  // Counter-clockwise on screen, as on the printout (canvas y points down).
  ctx.rotate((-angle * Math.PI) / 180);
  ctx.fillStyle = 'rgba(110, 110, 125, 0.3)';
  ctx.textBaseline = 'top';
  const rows = Math.ceil(reach / stepY);
  const cols = Math.ceil(reach / stepX);
  for (let row = -rows; row <= rows; row++) {
    const shift = Math.abs(row) % 2 === 0 ? 0 : stepX / 2;
    for (let col = -cols; col <= cols; col++) {
      const cx = col * stepX + shift;
      const cy = row * stepY;
      lines.forEach((text, i) => ctx.fillText(text, cx - blockW / 2, cy - blockH / 2 + i * lead));
    }
  }
}
