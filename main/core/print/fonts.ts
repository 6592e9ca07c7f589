// The Unicode fonts printouts and register PDFs embed (DejaVu Sans, vendored in ./fonts with its
// licence): PDF's standard 14 fonts have no Vietnamese glyphs, and a workstation's own fonts vary.
// Found beside the sources (tsx, tests) or beside the bundle (dist/main/fonts, dist/cli/fonts,
// copied there by scripts/build.mjs).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface FontSet {
  regular: Uint8Array;
  bold: Uint8Array;
}

const FILES = { regular: 'DejaVuSans.ttf', bold: 'DejaVuSans-Bold.ttf' } as const;

function candidateDirs(): string[] {
  const dirs: string[] = [];
  try {
    // ESM (sources run by tsx, the CLI bundle): the folder of this module.
    dirs.push(join(dirname(fileURLToPath(import.meta.url)), 'fonts'));
  } catch {
    /* a CommonJS bundle has no import.meta.url */
  }
  // The CommonJS bundle of the main process.
  if (typeof __dirname === 'string') dirs.push(join(__dirname, 'fonts'));
  return dirs;
}

let cached: FontSet | undefined;

/** The vendored fonts (read once). */
export function loadFonts(): FontSet {
  if (cached) return cached;
  for (const dir of candidateDirs()) {
    try {
      cached = { regular: readFileSync(join(dir, FILES.regular)), bold: readFileSync(join(dir, FILES.bold)) };
      return cached;
    } catch {
      /* try the next place */
    }
  }
  throw new Error(`the printout fonts (${FILES.regular}, ${FILES.bold}) are missing beside the application`);
}
