// The number and date of issue written into the draft's own blanks (Nghị định 30/2020 Phụ lục I, state
// form; Hướng dẫn 36-HD/VPTW, party form): found in the positioned text of page 1 (pdf.js), written in
// the update a real SoftHSM token key signs; pdftotext -bbox reads "Số: 15/QĐ-UBND" and "ngày 05 tháng
// 12 năm 2026" on the draft's own lines, pdfsig finds the signature valid over the whole file. Drafts
// without such blanks, with a number already written or another symbol, say why nothing was placed.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PrivateKeyOps } from '../../../main/core/crypto';
import { locateIssueBlanks, measureText, signPdf } from '../../../main/core/pdf';
import { tokenKeyOps } from '../../../main/core/token/tokenKeyOps';
import { makeSamplePdf } from '../../../main/devhost/samplePdf';
import { TokenBridge } from '../../../native/bridge/client';
import { createSoftHsm, keyOf, type SoftHsm } from '../../fixtures/softhsm/tokens';
import { decreeDraftPdf } from '../../helpers/decreeDraft';
import { pdfLines } from '../../helpers/pdfLines';

let hsm: SoftHsm;
let bridge: TokenBridge;
let key: PrivateKeyOps;
let dir = '';

/** pdftotext -bbox lines of page 1 (tests/helpers/pdfLines.ts). */
function lines(bytes: Uint8Array, name: string): string[] {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return pdfLines(path);
}

const pdfsig = (bytes: Uint8Array, name: string) => {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return execFileSync('pdfsig', ['-nocert', path], { encoding: 'utf8' });
};

/** Page 1 rendered at 72 dpi: whether the pixel at (x, y) in PDF points (from the bottom left) is white. */
function render(path: string): { white(x: number, y: number): boolean } {
  const ppm = execFileSync('pdftoppm', ['-r', '72', '-f', '1', '-l', '1', path], { maxBuffer: 64 << 20 });
  const m = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(ppm.toString('latin1', 0, 40))!;
  const [w, h, off] = [Number(m[1]), Number(m[2]), m[0].length];
  return { white: (x, y) => { const o = off + ((h - 1 - y) * w + x) * 3; return ppm[o]! > 200 && ppm[o + 1]! > 200 && ppm[o + 2]! > 200; } };
}

async function issue(draft: Uint8Array, numberSymbol: string, date: string, name: string) {
  const blanks = await locateIssueBlanks(draft, numberSymbol, date);
  const signed = await signPdf(draft, { key, fills: blanks.fills, reason: 'Ký số của cơ quan, tổ chức' });
  mkdirSync('test-results/outgoing', { recursive: true });
  writeFileSync(join(dir, `${name}.pdf`), signed);
  execFileSync('pdftoppm', ['-png', '-r', '110', '-f', '1', '-l', '1', '-x', '0', '-y', '0', '-W', '910', '-H', '260', '-singlefile', join(dir, `${name}.pdf`), `test-results/outgoing/${name}-header`]);
  return { blanks, signed, text: lines(signed, `${name}-t.pdf`) };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'issue-blanks-'));
  hsm = await createSoftHsm({ tokens: ['userEc'] });
  bridge = new TokenBridge({ env: hsm.env });
  await bridge.login(hsm.modulePath, { serial: hsm.tokens.userEc.serial }, hsm.tokens.userEc.pin);
  key = tokenKeyOps(bridge, { module: hsm.modulePath, slot: { serial: hsm.tokens.userEc.serial }, keyId: '01', certificate: keyOf(hsm.tokens.userEc, 'binh-sign').certDer });
});
after(async () => {
  await bridge?.close();
  await hsm?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('the number and date written into the draft\'s blanks', () => {
  it('state form: "Số:      /QĐ-UBND" and "Quảng Ninh, ngày      tháng      năm 2026" on one row', async () => {
    const draft = await decreeDraftPdf({ form: 'state' });
    assert.ok(lines(draft, 'd0.pdf').some((l) => l.startsWith('Số:/QĐ-UBND')), 'the draft has the blank');
    const { blanks, signed, text } = await issue(draft, '15/QĐ-UBND', '2026-12-05', 'state-blanks');
    assert.deepEqual([blanks.numberPlaced, blanks.datePlaced, blanks.misses], [true, true, []]);
    const row = text.find((l) => l.includes('Số:'))!;
    assert.ok(row.startsWith('Số:15/QĐ-UBND'), row);
    assert.ok(row.includes('QuảngNinh,ngày05tháng12năm2026'), row);
    // The body's own dates are left alone, nothing is stamped in the margin.
    assert.ok(text.some((l) => l.includes('ngày19tháng6năm2015')));
    assert.equal(text.filter((l) => l.includes('15/QĐ-UBND')).length, 1, text.join('\n'));
    const sig = pdfsig(signed, 'state-sig.pdf');
    assert.match(sig, /Signature is Valid\./, sig);
    assert.match(sig, /Total document signed/, sig);
  });

  it('state form with placeholder dots and a year to complete: the dots are covered, the year written whole', async () => {
    const draft = await decreeDraftPdf({ form: 'state', numberBlank: ' ……………/QĐ-UBND', dateLine: 'Quảng Ninh, ngày ……… tháng ……… năm 20…' });
    const { blanks, text } = await issue(draft, '07/QĐ-UBND', '2026-02-09', 'state-dots');
    assert.deepEqual([blanks.numberPlaced, blanks.datePlaced], [true, true]);
    assert.ok(blanks.fills.every((f) => f.cover), 'placeholder dots are whited out');
    // pdftotext still reads the dots under the white cover; the page as printed shows only the number.
    const row = text.find((l) => l.includes('Số:'))!.replace(/[.…]/g, '');
    // "Số:……/QĐ-UBND" is one word to pdftotext, so the number written over its dots reads after it.
    assert.ok(row.startsWith('Số:/QĐ-UBND07'), row);
    assert.ok(/ngày09tháng02năm(20)?2026$/.test(row), row);
    const img = render(join(dir, 'state-dots.pdf'));
    for (const f of blanks.fills) {
      // Left of the written text inside a covered blank: white, the dots gone.
      const from = Math.ceil(f.rect.x + 1);
      const tw = measureText(f.text, f.size);
      const to = Math.floor((f.align === 'right' ? f.rect.x + f.rect.width - tw : f.rect.x + (f.rect.width - tw) / 2) - 1);
      for (let x = from; x < to; x++) for (let y = Math.ceil(f.rect.y + 2); y < f.rect.y + f.rect.height - 2; y++) assert.ok(img.white(x, y), `${f.text}: dark pixel at ${x},${y}`);
    }
  });

  it('state form exported by a word processor: "Số:" and "/QĐ-UBND" as separate runs with a gap, no spaces', async () => {
    const draft = await decreeDraftPdf({ form: 'state', splitRuns: true, numberBlank: '/2026/NĐ-UBND' });
    const { blanks, text } = await issue(draft, '03/2026/NĐ-UBND', '2026-11-20', 'state-split');
    assert.equal(blanks.numberPlaced, true, JSON.stringify(blanks.misses));
    assert.ok(text.find((l) => l.includes('Số:'))!.startsWith('Số:03/2026/NĐ-UBND'), text.join('\n'));
  });

  it('party form: "Số      -QĐ/TU" under the star and the date under the motto', async () => {
    const draft = await decreeDraftPdf({ form: 'party' });
    const { blanks, signed, text } = await issue(draft, '12-QĐ/TU', '2026-03-01', 'party-blanks');
    assert.deepEqual([blanks.numberPlaced, blanks.datePlaced, blanks.misses], [true, true, []]);
    assert.ok(text.some((l) => l === 'Số12-QĐ/TU'), text.join('\n'));
    assert.ok(text.some((l) => l === 'QuảngNinh,ngày01tháng3năm2026'), text.join('\n'));
    assert.match(pdfsig(signed, 'party-sig.pdf'), /Signature is Valid\./);
  });

  it('says why when there is no blank: none at all, a number already written, another symbol, a blank too narrow', async () => {
    const none = await locateIssueBlanks(await makeSamplePdf({ issuer: 'Ủy ban nhân dân tỉnh', numberSymbol: '', title: 'PHỤ LỤC', subject: 'Danh mục' }), '15/QĐ-UBND', '2026-12-05');
    assert.deepEqual([none.numberPlaced, none.datePlaced, none.misses], [false, false, ['numberNotFound', 'dateNotFound']]);
    const written = await locateIssueBlanks(await decreeDraftPdf({ form: 'state', numberBlank: ' 09/QĐ-UBND', dateLine: 'Quảng Ninh, ngày 02 tháng 12 năm 2026' }), '15/QĐ-UBND', '2026-12-05');
    assert.deepEqual(written.misses, ['numberNotFound', 'dateNotFound']);
    const other = await locateIssueBlanks(await decreeDraftPdf({ form: 'state', numberBlank: '        /QĐ-STTTT' }), '15/QĐ-UBND', '2026-12-05');
    assert.deepEqual([other.numberPlaced, other.datePlaced, other.misses], [false, true, ['numberSymbolDiffers']]);
    const narrow = await locateIssueBlanks(await decreeDraftPdf({ form: 'state', numberBlank: ' /QĐ-UBND' }), '1234/QĐ-UBND', '2026-12-05');
    assert.deepEqual(narrow.misses, ['numberTooNarrow']);
  });
});
