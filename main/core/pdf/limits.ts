// PDF limits that code which never parses a PDF itself needs (registration's bookkeeping), kept apart
// from view.ts so that importing them does not load pdf-lib and fontkit (the import's database worker).

/** Larger PDFs are staged and registered without a signature check (it reads the whole file into memory). */
export const PDF_CHECK_LIMIT = 64 * 1024 * 1024;
