// Marks where a text matches the register search (<mark>), with the same reading of the query as
// the core's (common/searchQuery): folded words, i/y variants, the word being typed by its
// beginning, a number-symbol as a whole whatever its zeros and dashes.
import { memo, type ReactNode } from 'react';
import { highlightRanges, type SearchQuery } from '../../../common/searchQuery';

export const Highlight = memo(function Highlight({ text, query }: { text: string; query: SearchQuery | null }) {
  const ranges = query ? highlightRanges(text, query) : [];
  if (ranges.length === 0) return <>{text}</>;
  const parts: ReactNode[] = [];
  let at = 0;
  for (const [start, end] of ranges) {
    if (start > at) parts.push(text.slice(at, start));
    parts.push(<mark key={start} className="search-hit">{text.slice(start, end)}</mark>);
    at = end;
  }
  if (at < text.length) parts.push(text.slice(at));
  return <>{parts}</>;
});
