// Where the header is: the first row, among the first few, filled across at least 60% of the widest
// row. Rows above it are title rows ("SỔ ĐĂNG KÝ VĂN BẢN ĐẾN", "Năm 2019"), reported and skipped.

/** Rows looked at for the header. */
export const HEADER_SCAN = 12;

export function findHeaderRow(rows: ReadonlyArray<readonly string[]>): number {
  const head = rows.slice(0, HEADER_SCAN);
  const filled = head.map((r) => r.filter((c) => c.trim() !== '').length);
  const widest = Math.max(0, ...filled);
  const i = filled.findIndex((n) => n > 0 && n >= Math.ceil(widest * 0.6));
  return i < 0 ? 0 : i;
}

/** Unique, non-empty titles: an empty one becomes "Cột N", a repeated one gets " (2)". */
export function uniqueHeaders(titles: readonly string[], onEmpty: (col: number) => void, onRepeat: (title: string) => void): string[] {
  const seen = new Map<string, number>();
  return titles.map((t, i) => {
    let title = t.replace(/\s+/g, ' ').trim();
    if (!title) {
      title = `Cột ${i + 1}`;
      onEmpty(i + 1);
    }
    const n = (seen.get(title) ?? 0) + 1;
    seen.set(title, n);
    if (n > 1) {
      onRepeat(title);
      return `${title} (${n})`;
    }
    return title;
  });
}

/** Text as stored: NFC, NBSP as space, runs of spaces collapsed, trimmed. */
export const cleanText = (s: string): string => s.normalize('NFC').replace(/\u00a0/g, ' ').replace(/[ \t]+/g, ' ').trim();
