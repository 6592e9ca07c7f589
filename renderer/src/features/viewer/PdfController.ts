// The imperative part of the viewer: page boxes sized from the PDF, lazy rendering of the pages
// near the viewport (canvas + pdf.js TextLayer so text can be selected), far pages released,
// zoom that keeps the reading position, and find with highlights in the text layer.
import type * as PdfJs from 'pdfjs-dist';
import type { PDFDocumentProxy, PDFPageProxy, RenderTask } from 'pdfjs-dist';
import { buildPageText, findAll, foldQuery, matchRanges, type PageText } from './findText';

type PdfJsModule = typeof PdfJs;
type TextLayer = InstanceType<PdfJsModule['TextLayer']>;

/** PDF points to CSS pixels. */
const CSS_UNITS = 96 / 72;
const PAGE_MARGIN = 12;
const MAX_CANVAS_PIXELS = 16_777_216;
/** Rendered pages further than this from the current one are released when out of view. */
const KEEP_AROUND = 4;
export const ZOOM_STEPS = [0.5, 0.67, 0.75, 0.9, 1, 1.1, 1.25, 1.5, 1.75, 2, 2.5, 3, 4];
/** Fit modes: the page's width fills the pane, or the whole page shows; null: a fixed zoom. */
export type FitMode = 'width' | 'page' | null;

/** The next zoom step from `scale` that way, or undefined at the limit (the button is disabled). */
export function nextZoomStep(scale: number, direction: 1 | -1): number | undefined {
  return direction > 0 ? ZOOM_STEPS.find((z) => z > scale + 0.001) : [...ZOOM_STEPS].reverse().find((z) => z < scale - 0.001);
}

export interface FindState {
  query: string;
  total: number;
  /** 1-based index of the selected match; 0 when none. */
  current: number;
  searching: boolean;
}

export interface ViewerEvents {
  onPage(page: number): void;
  onScale(scale: number, fit: FitMode): void;
  onFind(state: FindState): void;
  pageLabel(page: number): string;
  /** Draws into a page's canvas once pdf.js has rendered it, before it is shown (marks, watermark). */
  decorate?(canvas: HTMLCanvasElement, page: { width: number; height: number }): void;
}

interface Slot {
  index: number;
  div: HTMLDivElement;
  /** Page size in PDF points (at scale 1). */
  width: number;
  height: number;
  proxy: PDFPageProxy | null;
  canvas: HTMLCanvasElement | null;
  textDiv: HTMLDivElement | null;
  textLayer: TextLayer | null;
  task: RenderTask | null;
  rendering: boolean;
  renderedScale: number;
  visible: boolean;
  highlighted: number[];
}

interface Match {
  page: number;
  start: number;
  length: number;
}

export class PdfController {
  private slots: Slot[] = [];
  private scale = 1;
  private fit: FitMode = 'width';
  private page = 1;
  private io: IntersectionObserver | null = null;
  private ro: ResizeObserver | null = null;
  private frame = 0;
  private scrollFrame = 0;
  private destroyed = false;
  private texts = new Map<number, PageText>();
  private query = '';
  private rawQuery = '';
  private matches: Match[] = [];
  private current = -1;
  private findToken = 0;
  private revealPending = false;

  constructor(
    private readonly lib: PdfJsModule,
    private readonly doc: PDFDocumentProxy,
    private readonly scroller: HTMLDivElement,
    private readonly pagesEl: HTMLDivElement,
    private readonly events: ViewerEvents,
  ) {}

  get numPages(): number {
    return this.doc.numPages;
  }

  async init(): Promise<void> {
    const first = await this.doc.getPage(1);
    if (this.destroyed) return;
    const base = first.getViewport({ scale: 1 });
    for (let i = 0; i < this.doc.numPages; i++) {
      const div = document.createElement('div');
      div.className = 'pdf-page';
      div.dataset.pageNumber = String(i + 1);
      div.setAttribute('role', 'region');
      div.setAttribute('aria-label', this.events.pageLabel(i + 1));
      const placeholder = document.createElement('div');
      placeholder.className = 'pdf-page-loading';
      div.append(placeholder);
      this.pagesEl.append(div);
      this.slots.push({
        index: i, div, width: base.width, height: base.height, proxy: i === 0 ? first : null, canvas: null, textDiv: null,
        textLayer: null, task: null, rendering: false, renderedScale: 0, visible: false, highlighted: [],
      });
    }
    this.io = new IntersectionObserver(
      (entries) => {
        for (const e of entries) {
          const slot = this.slots[Number((e.target as HTMLElement).dataset.pageNumber) - 1];
          if (slot) slot.visible = e.isIntersecting;
        }
        this.queueRender();
      },
      { root: this.scroller, rootMargin: '75% 0px' },
    );
    for (const s of this.slots) this.io.observe(s.div);
    this.ro = new ResizeObserver(() => {
      if (this.fit && this.scroller.clientWidth > 0) this.setScale(this.fitScale(this.fit), this.fit);
    });
    this.ro.observe(this.scroller);
    this.scroller.addEventListener('scroll', this.onScroll, { passive: true });
    this.setScale(this.fitScale('width'), 'width');
  }

  destroy(): void {
    this.destroyed = true;
    cancelAnimationFrame(this.frame);
    cancelAnimationFrame(this.scrollFrame);
    this.io?.disconnect();
    this.ro?.disconnect();
    this.scroller.removeEventListener('scroll', this.onScroll);
    for (const s of this.slots) this.release(s);
    this.pagesEl.replaceChildren();
    this.slots = [];
  }

  // ---- zoom and navigation ----

  private fitScale(mode: 'width' | 'page'): number {
    const widest = Math.max(...this.slots.map((s) => s.width), 1);
    const byWidth = (this.scroller.clientWidth - 2 * PAGE_MARGIN - 2) / (widest * CSS_UNITS);
    // The page being read, whole, with its margins above and below.
    const page = this.slots[this.page - 1] ?? this.slots[0];
    const byHeight = page ? (this.scroller.clientHeight - 2 * PAGE_MARGIN) / (page.height * CSS_UNITS) : byWidth;
    return Math.max(0.25, Math.min(4, mode === 'width' ? byWidth : Math.min(byWidth, byHeight)));
  }

  fitWidth(): void {
    this.setScale(this.fitScale('width'), 'width');
  }

  /** "Vừa trang": the whole page in view, its top at the top. */
  fitPage(): void {
    this.setScale(this.fitScale('page'), 'page');
    this.goToPage(this.page);
  }

  zoom(direction: 1 | -1): void {
    const next = nextZoomStep(this.scale, direction);
    if (next !== undefined) this.setScale(next, null);
  }

  setScale(scale: number, fit: FitMode): void {
    if (this.destroyed || this.slots.length === 0) return;
    this.fit = fit;
    if (Math.abs(scale - this.scale) < 0.0005 && this.slots[0]!.div.style.width) {
      this.events.onScale(this.scale, fit);
      return;
    }
    // Keep the reading position: the same point of the same page stays at the top.
    const anchor = this.slots[this.page - 1];
    const ratio = anchor && anchor.div.offsetHeight > 0 ? (this.scroller.scrollTop - anchor.div.offsetTop) / anchor.div.offsetHeight : 0;
    this.scale = scale;
    for (const s of this.slots) this.sizeSlot(s);
    if (anchor) this.scroller.scrollTop = anchor.div.offsetTop + ratio * anchor.div.offsetHeight;
    this.events.onScale(scale, fit);
    this.queueRender();
  }

  goToPage(page: number): void {
    const slot = this.slots[Math.max(1, Math.min(this.slots.length, page)) - 1];
    if (!slot) return;
    this.scroller.scrollTop = slot.div.offsetTop - PAGE_MARGIN / 2;
    this.setPage(slot.index + 1);
  }

  private sizeSlot(s: Slot): void {
    const css = this.scale * CSS_UNITS;
    s.div.style.width = `${Math.floor(s.width * css)}px`;
    s.div.style.height = `${Math.floor(s.height * css)}px`;
    s.div.style.setProperty('--scale-factor', String(css));
  }

  private setPage(page: number): void {
    if (page === this.page) return;
    this.page = page;
    this.events.onPage(page);
  }

  private onScroll = () => {
    cancelAnimationFrame(this.scrollFrame);
    this.scrollFrame = requestAnimationFrame(() => {
      const mark = this.scroller.scrollTop + this.scroller.clientHeight / 3;
      let lo = 0;
      let hi = this.slots.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (this.slots[mid]!.div.offsetTop <= mark) lo = mid;
        else hi = mid - 1;
      }
      this.setPage(lo + 1);
    });
  };

  // ---- rendering ----

  private queueRender(): void {
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame(() => this.renderVisible());
  }

  private renderVisible(): void {
    if (this.destroyed) return;
    for (const s of this.slots) {
      if (s.visible && !s.rendering && s.renderedScale !== this.scale) void this.render(s);
      else if (!s.visible && s.renderedScale !== 0 && Math.abs(s.index + 1 - this.page) > KEEP_AROUND) this.release(s);
    }
  }

  private async render(s: Slot): Promise<void> {
    s.rendering = true;
    const scale = this.scale;
    try {
      const proxy = (s.proxy ??= await this.doc.getPage(s.index + 1));
      if (this.destroyed) return;
      const base = proxy.getViewport({ scale: 1 });
      if (base.width !== s.width || base.height !== s.height) {
        s.width = base.width;
        s.height = base.height;
        this.sizeSlot(s);
      }
      const viewport = proxy.getViewport({ scale: scale * CSS_UNITS });
      const canvas = document.createElement('canvas');
      canvas.className = 'pdf-canvas';
      canvas.setAttribute('aria-hidden', 'true');
      const ratio = Math.min(window.devicePixelRatio || 1, Math.sqrt(MAX_CANVAS_PIXELS / (viewport.width * viewport.height)));
      canvas.width = Math.floor(viewport.width * ratio);
      canvas.height = Math.floor(viewport.height * ratio);
      s.task = proxy.render({ canvas, viewport, ...(ratio !== 1 ? { transform: [ratio, 0, 0, ratio, 0, 0] } : {}) });
      await s.task.promise;
      if (this.destroyed || scale !== this.scale) return;
      this.events.decorate?.(canvas, { width: base.width, height: base.height });
      // Swap in the new canvas only once it is drawn: zooming never shows a blank page.
      s.canvas?.remove();
      if (s.canvas) s.canvas.width = 0;
      s.div.prepend(canvas);
      s.canvas = canvas;
      s.div.querySelector('.pdf-page-loading')?.remove();

      s.textLayer?.cancel();
      s.textDiv?.remove();
      const textDiv = document.createElement('div');
      textDiv.className = 'textLayer';
      s.div.append(textDiv);
      const textLayer = new this.lib.TextLayer({ textContentSource: proxy.streamTextContent(), container: textDiv, viewport });
      s.textLayer = textLayer;
      s.textDiv = textDiv;
      s.highlighted = [];
      await textLayer.render();
      if (this.destroyed || s.textLayer !== textLayer) return;
      const end = document.createElement('div');
      end.className = 'endOfContent';
      textDiv.append(end);
      s.renderedScale = scale;
      s.div.classList.add('is-rendered');
      this.highlight(s);
      if (this.revealPending && this.matches[this.current]?.page === s.index) this.revealCurrent();
    } catch (err) {
      if ((err as Error)?.name !== 'RenderingCancelledException' && (err as Error)?.name !== 'AbortException') {
        s.div.classList.add('is-failed');
        s.div.setAttribute('data-error', String((err as Error)?.message ?? err));
      }
    } finally {
      s.task = null;
      s.rendering = false;
      if (!this.destroyed && s.visible && s.renderedScale !== this.scale) this.queueRender();
    }
  }

  private release(s: Slot): void {
    s.task?.cancel();
    s.textLayer?.cancel();
    s.textLayer = null;
    s.textDiv?.remove();
    s.textDiv = null;
    if (s.canvas) {
      s.canvas.width = 0;
      s.canvas.height = 0;
      s.canvas.remove();
      s.canvas = null;
    }
    s.renderedScale = 0;
    s.highlighted = [];
    s.div.classList.remove('is-rendered');
    if (!s.div.querySelector('.pdf-page-loading')) {
      const placeholder = document.createElement('div');
      placeholder.className = 'pdf-page-loading';
      s.div.append(placeholder);
    }
    s.proxy?.cleanup();
  }

  // ---- find ----

  private async pageText(index: number): Promise<PageText> {
    let text = this.texts.get(index);
    if (!text) {
      const page = this.slots[index]?.proxy ?? (await this.doc.getPage(index + 1));
      const content = await page.getTextContent();
      text = buildPageText(content.items.filter((it): it is typeof it & { str: string } => 'str' in it));
      this.texts.set(index, text);
    }
    return text;
  }

  private emitFind(searching: boolean): void {
    this.events.onFind({ query: this.rawQuery, total: this.matches.length, current: this.current + 1, searching });
  }

  async find(raw: string): Promise<void> {
    const token = ++this.findToken;
    this.rawQuery = raw;
    this.query = foldQuery(raw);
    this.matches = [];
    this.current = -1;
    this.revealPending = false;
    for (const s of this.slots) this.highlight(s);
    if (!this.query) {
      this.emitFind(false);
      return;
    }
    this.emitFind(true);
    for (let p = 0; p < this.slots.length; p++) {
      const text = await this.pageText(p);
      if (token !== this.findToken || this.destroyed) return;
      for (const start of findAll(text, this.query)) this.matches.push({ page: p, start, length: this.query.length });
    }
    // The first match from the page being read.
    const fromHere = this.matches.findIndex((m) => m.page >= this.page - 1);
    this.current = this.matches.length === 0 ? -1 : Math.max(0, fromHere);
    this.emitFind(false);
    this.showCurrent();
  }

  findNext(direction: 1 | -1): void {
    if (this.matches.length === 0) return;
    this.current = (this.current + direction + this.matches.length) % this.matches.length;
    this.emitFind(false);
    this.showCurrent();
  }

  private showCurrent(): void {
    for (const s of this.slots) this.highlight(s);
    const m = this.matches[this.current];
    if (!m) return;
    const slot = this.slots[m.page]!;
    if (slot.renderedScale === this.scale && slot.textLayer) this.revealCurrent();
    else {
      this.revealPending = true;
      this.goToPage(m.page + 1);
    }
  }

  /**
   * Brings the selected match to the middle of the pane. Only the pane scrolls: scrollIntoView would
   * also scroll every ancestor that can be scrolled, the window included.
   */
  private revealCurrent(): void {
    this.revealPending = false;
    const el = this.pagesEl.querySelector<HTMLElement>('.textLayer .highlight.selected');
    if (!el) return;
    const box = el.getBoundingClientRect();
    const pane = this.scroller.getBoundingClientRect();
    this.scroller.scrollTop += box.top - pane.top - (this.scroller.clientHeight - box.height) / 2;
    if (box.left < pane.left || box.right > pane.left + this.scroller.clientWidth)
      this.scroller.scrollLeft += box.left - pane.left - (this.scroller.clientWidth - box.width) / 2;
  }

  /** Rewrites the text spans of a rendered page so that matches are wrapped in highlights. */
  private highlight(s: Slot): void {
    const layer = s.textLayer;
    if (!layer) return;
    const divs = layer.textDivs;
    const strs = layer.textContentItemsStr;
    for (const k of s.highlighted) {
      const d = divs[k];
      if (d) d.textContent = strs[k] ?? '';
    }
    s.highlighted = [];
    const text = this.texts.get(s.index);
    if (!this.query || !text) return;
    const byItem = new Map<number, Array<{ start: number; end: number; selected: boolean }>>();
    this.matches.forEach((m, i) => {
      if (m.page !== s.index) return;
      for (const r of matchRanges(text, m.start, m.length)) {
        const list = byItem.get(r.item) ?? [];
        list.push({ start: r.start, end: r.end, selected: i === this.current });
        byItem.set(r.item, list);
      }
    });
    for (const [k, ranges] of byItem) {
      const div = divs[k];
      const str = strs[k];
      if (!div || str === undefined) continue;
      ranges.sort((a, b) => a.start - b.start);
      div.textContent = '';
      let pos = 0;
      for (const r of ranges) {
        if (r.start < pos) continue;
        if (r.start > pos) div.append(str.slice(pos, r.start));
        const span = document.createElement('span');
        span.className = r.selected ? 'highlight selected' : 'highlight';
        span.textContent = str.slice(r.start, r.end);
        div.append(span);
        pos = r.end;
      }
      if (pos < str.length) div.append(str.slice(pos));
      s.highlighted.push(k);
    }
  }
}
