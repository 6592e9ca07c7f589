// The cross-reference reader on a file written by hand the way Office exports write theirs: a
// cross-reference stream, Flate-compressed with the PNG Up predictor. The reader finds every object;
// signing appends an xref-stream update that pdfsig reads (its /Prev leads back into the original).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { deflateSync } from 'node:zlib';
import { PdfError, readStructure, signPdf, verifyPdfSignatures } from '../../../main/core/pdf';
import { standardPki, type Party, type TestPki } from '../../helpers/pki';
import { softKey } from '../../helpers/softKey';

let pki: TestPki & { root: Party; inter: Party };
before(async () => {
  pki = await standardPki();
});
after(() => pki.cleanup());

/** A one-page PDF whose only cross-reference section is a predictor-encoded xref stream. */
function predictorPdf(): { bytes: Uint8Array; offsets: number[] } {
  const objs = [
    '1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n',
    '2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n',
    '3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>\nendobj\n',
    '4 0 obj\n<< /Length 22 >>\nstream\n0 0 1 rg 50 50 100 100 re f\nendstream\nendobj\n',
  ];
  let text = '%PDF-1.5\n%\xe2\xe3\xcf\xd3\n';
  const offsets = [0];
  for (const o of objs) {
    offsets.push(Buffer.byteLength(text, 'latin1'));
    text += o;
  }
  const xrefAt = Buffer.byteLength(text, 'latin1');
  offsets.push(xrefAt); // object 5: the xref stream itself
  // Rows [type, offset (3 bytes), gen]; PNG Up predictor: each byte minus the one above it.
  const rows = offsets.map((off, i) => (i === 0 ? [0, 0, 0, 0, 255] : [1, (off >> 16) & 255, (off >> 8) & 255, off & 255, 0]));
  const encoded: number[] = [];
  rows.forEach((r, i) => encoded.push(2, ...r.map((b, k) => (b - (i ? rows[i - 1]![k]! : 0)) & 255)));
  const data = deflateSync(Buffer.from(encoded));
  const head = `5 0 obj\n<< /Type /XRef /Size 6 /W [1 3 1] /Root 1 0 R /Filter /FlateDecode /DecodeParms << /Columns 5 /Predictor 12 >> /Length ${data.length} >>\nstream\n`;
  const bytes = Buffer.concat([Buffer.from(text + head, 'latin1'), data, Buffer.from(`\nendstream\nendobj\nstartxref\n${xrefAt}\n%%EOF\n`, 'latin1')]);
  return { bytes: new Uint8Array(bytes), offsets };
}

test('a predictor-encoded xref stream is read, signed over, and pdfsig agrees', async () => {
  const { bytes, offsets } = predictorPdf();
  const s = readStructure(bytes);
  assert.equal(s.sections.length, 1);
  assert.equal(s.sections[0]!.kind, 'stream');
  assert.deepEqual([...s.sections[0]!.objects.entries()].sort((a, b) => a[0] - b[0]), offsets.slice(1).map((o, i) => [i + 1, o]));
  const file = join(pki.dir, 'pred.pdf');
  writeFileSync(file, bytes);
  assert.equal(spawnSync('pdfinfo', [file]).status, 0, 'poppler reads the hand-made file');

  const signed = await signPdf(bytes, { key: softKey(pki.get('ec256').certDer, pki.get('ec256').keyPem), chain: [pki.inter.certDer], appearance: { kind: 'signer', page: 0, rect: { x: 300, y: 100, width: 200, height: 80 }, name: 'Phạm Minh Đăng' } });
  const after = readStructure(signed);
  assert.deepEqual(after.sections.map((x) => x.kind), ['stream', 'stream']);
  assert.equal(after.sections[0]!.prev, s.startxref);
  writeFileSync(join(pki.dir, 'pred-signed.pdf'), signed);
  const out = spawnSync('pdfsig', ['-nocert', join(pki.dir, 'pred-signed.pdf')], { encoding: 'utf8' }).stdout;
  assert.match(out, /Signature is Valid/);
  assert.match(out, /Total document signed/);
  const r = await verifyPdfSignatures(signed, { trustAnchors: [pki.root.certDer], expectAgencySignature: false });
  assert.equal(r.ok, true, r.messageVi);
});

test('a /Prev that loops, and a truncated xref stream, are broken xrefs', () => {
  const { bytes } = predictorPdf();
  const text = Buffer.from(bytes).toString('latin1');
  const xrefAt = Number(/startxref\n(\d+)/.exec(text)![1]);
  const loop = text.replace('/Size 6 /W', `/Prev ${xrefAt} /W`).replace('/Root 1 0 R', '/Size 6 /Root 1 0 R');
  assert.throws(() => readStructure(new Uint8Array(Buffer.from(loop, 'latin1'))), (e: unknown) => e instanceof PdfError && e.reason === 'PDF_BROKEN_XREF' && /loops/.test(e.logReason));
  const cut = text.replace('/Size 6', '/Size 9');
  assert.throws(() => readStructure(new Uint8Array(Buffer.from(cut, 'latin1'))), (e: unknown) => e instanceof PdfError && e.reason === 'PDF_BROKEN_XREF' && /shorter/.test(e.logReason));
});
