// fontkit parses a whole font file on every PDFDocument.embedFont: for the vendored DejaVu Sans that is
// tens of milliseconds and megabytes of garbage, and issuing one outgoing document embeds it up to four
// times (the signer's appearance, the agency's number and date fills). The parsed tables are only read,
// so one parse per font file serves every document. Its glyph objects are not shared: a glyph keeps the
// code points it was first asked for, and one first taken into a subset as a component of a composite
// ("U" inside "Ư") has none, which would drop "U" from a later document's ToUnicode map (its text would
// no longer read back). Each create() therefore returns a view of its own over the shared parse: an
// object whose prototype is the parsed font, with an empty glyph cache (and its own lazily built layout
// engine), so documents embedding at the same time cannot meet each other's glyphs either.
import fontkit from '@pdf-lib/fontkit';
import type { PDFDocument } from 'pdf-lib';

type Fontkit = Parameters<PDFDocument['registerFontkit']>[0];
type Font = ReturnType<Fontkit['create']>;

const parsed = new WeakMap<Uint8Array, Map<string, Font>>();

/** fontkit whose create() parses each font buffer once (the same bytes object: print/fonts loads each file once). */
export const cachedFontkit: Fontkit = {
  create(buffer: Uint8Array, postscriptName?: string): Font {
    let byName = parsed.get(buffer);
    if (!byName) parsed.set(buffer, (byName = new Map()));
    const name = postscriptName ?? '';
    let font = byName.get(name);
    if (!font) byName.set(name, (font = fontkit.create(buffer, postscriptName) as Font));
    const own = Object.create(font) as Font & { _glyphs: Record<number, unknown> };
    own._glyphs = {};
    return own;
  },
};
