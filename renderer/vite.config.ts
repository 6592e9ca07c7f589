// Builds the renderer into dist/renderer: one ES module bundle, one CSS file, and the pdf.js
// worker, CMaps, standard fonts and no-wasm JPEG 2000 decoder served by the app itself as files.
// Nothing inline: the page runs under script-src 'self'; style-src 'self' with no exceptions.
// This file runs in Node at build time (it is not renderer code), hence the Node imports.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const pdfjsRoot = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));

/** Emits pdf.js's runtime files under pdfjs/ (see src/features/viewer/pdfjs.ts for the URLs). */
function pdfjsAssets(): Plugin {
  return {
    name: 'securedesk:pdfjs-assets',
    apply: 'build',
    generateBundle() {
      const emit = (from: string, fileName: string) =>
        this.emitFile({ type: 'asset', fileName, source: readFileSync(join(pdfjsRoot, from)) });
      emit('build/pdf.worker.min.mjs', 'pdfjs/pdf.worker.min.mjs');
      // WebAssembly needs 'wasm-unsafe-eval', which our CSP does not grant: the viewer passes
      // useWasm: false and pdf.js imports this plain-JS OpenJPEG decoder instead.
      emit('wasm/openjpeg_nowasm_fallback.js', 'pdfjs/wasm/openjpeg_nowasm_fallback.js');
      for (const dir of ['cmaps', 'standard_fonts'])
        for (const f of readdirSync(join(pdfjsRoot, dir))) emit(`${dir}/${f}`, `pdfjs/${dir}/${f}`);
    },
  };
}

export default defineConfig({
  root: here,
  base: './',
  publicDir: false,
  plugins: [pdfjsAssets()],
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: {
    outDir: join(here, '../dist/renderer'),
    emptyOutDir: true,
    target: 'chrome140',
    // The polyfill is an inline-able script; Chromium/Electron support modulepreload natively.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
    chunkSizeWarningLimit: 1024,
  },
});
