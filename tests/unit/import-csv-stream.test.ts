// A CSV read as a stream parses exactly as the whole file does, however its bytes are cut: in the
// middle of a UTF-8 or UTF-16 character, between a VNI letter's base byte and its mark byte,
// between a Windows-1258 letter and its combining tone mark, inside a quoted field with line
// breaks. The oracle is independent of the streaming code: the whole file decoded at once
// (decodeAs) and parsed at once (csv-parse's sync parser).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { decodeAs, type Encoding } from '../../main/core/import/encodings';
import { encodeCp1258 } from '../../main/core/import/encodings/cp1258';
import { StreamDecoder } from '../../main/core/import/encodings/stream';
import { encodeTcvn3 } from '../../main/core/import/encodings/tcvn3';
import { encodeVni } from '../../main/core/import/encodings/vni';
import { readCsvStream } from '../../main/core/import/readers/csv';
import { readSourceStream } from '../../main/core/import/readers/source';
import { cleanText } from '../../main/core/import/readers/header';
import type { Quirk } from '../../main/core/import/types';

const SUBJECTS = [
  'Về việc tổ chức Hội nghị tổng kết công tác năm', 'Quyết định thành lập Ban chỉ đạo', 'Thông báo lịch trực Tết Nguyên đán',
  'Kế hoạch phòng, chống lụt bão; ứng phó sự cố', 'Báo cáo kết quả thực hiện nhiệm vụ quý IV', 'Giấy mời họp giao ban tuần',
];
const ISSUERS = ['Ủy ban nhân dân tỉnh', 'Sở Nội vụ', 'Văn phòng Tỉnh ủy', 'Phòng Tư pháp huyện Đức Thọ'];

/** A register with Vietnamese everywhere, a title row, quoted fields with line breaks (CRLF), a ragged row and blank lines. */
function register(rows: number): string {
  const lines = ['SỔ ĐĂNG KÝ VĂN BẢN ĐẾN', 'Số đến;Ngày đến;Số, ký hiệu;Cơ quan ban hành;Trích yếu'];
  for (let i = 1; i <= rows; i++) {
    const subject = SUBJECTS[i % SUBJECTS.length]!;
    const quoted = i % 7 === 0 ? `"${subject}\r\nkèm theo phụ lục ""số ${i}"""` : subject;
    const cells = [String(i), `${(i % 28) + 1}/${(i % 12) + 1}/2019`, `${i}/CV-UBND`, ISSUERS[i % ISSUERS.length]!, quoted];
    if (i % 13 === 0) cells.push('thừa');
    lines.push(cells.join(';'));
    if (i % 17 === 0) lines.push('');
  }
  return `${lines.join('\r\n')}\r\n`;
}

const ENCODE: Record<Encoding, (t: string) => Buffer> = {
  utf8: (t) => Buffer.from(t, 'utf8'),
  utf16le: (t) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(t, 'utf16le')]),
  utf16be: (t) => Buffer.from(t, 'utf16le').swap16(),
  cp1258: encodeCp1258,
  tcvn3: encodeTcvn3,
  vni: encodeVni,
};

/** Cuts `bytes` into chunks of the sizes given, in turn. */
async function* chunks(bytes: Buffer, sizes: readonly number[]): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (let k = 0; at < bytes.length; k++) {
    const n = sizes[k % sizes.length]!;
    yield Uint8Array.from(bytes.subarray(at, at + n)); // a copy: nothing shares the file's buffer
    at += n;
  }
}

async function read(bytes: Buffer, sizes: readonly number[], encoding?: Encoding) {
  const quirks: Quirk[] = [];
  const r = await readCsvStream(chunks(bytes, sizes), 'so-den.csv', encoding ? { encoding } : {}, quirks);
  return { ...r, quirks };
}

/** The whole file decoded and parsed at once: each non-blank record's cells as stored. */
function oracle(bytes: Buffer, encoding: Encoding): string[][] {
  const text = decodeAs(bytes, encoding);
  const records = parse(text, { delimiter: ';', relax_column_count: true, relax_quotes: true, skip_empty_lines: true, bom: true }) as string[][];
  return records.filter((r) => r.some((f) => f.trim() !== '')).slice(2).map((r) => r.slice(0, 5).map(cleanText));
}

const SPLITS: ReadonlyArray<readonly number[]> = [[1], [2], [3], [7], [1, 2, 3, 5, 8, 13], [4093], [65536]];

for (const encoding of ['utf8', 'utf16le', 'utf16be', 'cp1258', 'tcvn3', 'vni'] as const) {
  test(`${encoding}: every cut of the bytes reads the same rows as the whole file`, async () => {
    // The encoding chosen: the bytes reach the decoder as they were cut, from the first.
    const bytes = ENCODE[encoding](register(300));
    const expected = oracle(bytes, encoding);
    assert.equal(expected.length, 300);
    const whole = await read(bytes, [bytes.length], encoding);
    assert.deepEqual(whole.table.rows.map((r) => whole.table.headers.map((h) => r.cells[h]!.text)), expected);
    assert.deepEqual(whole.table.headers, ['Số đến', 'Ngày đến', 'Số, ký hiệu', 'Cơ quan ban hành', 'Trích yếu']);
    // Row 7: a quoted field across a CRLF, with doubled quotes; it keeps the line it starts on.
    assert.match(whole.table.rows[6]!.cells['Trích yếu']!.text, /^Quyết định thành lập Ban chỉ đạo\r\nkèm theo phụ lục "số 7"$/);
    for (const sizes of SPLITS) {
      const cut = await read(bytes, sizes, encoding);
      assert.deepEqual(cut.table, whole.table, `${encoding} in chunks of ${sizes.join(',')}`);
      assert.deepEqual(cut.quirks, whole.quirks, `${encoding} quirks in chunks of ${sizes.join(',')}`);
    }
  });
}

test('an encoding detected on the first 256 KiB of a stream is the one detected on the whole file; the rows are the same', async () => {
  // Larger than the detection sample, so that the sample is cut from a stream.
  for (const encoding of ['tcvn3', 'vni', 'cp1258', 'utf8'] as const) {
    const bytes = ENCODE[encoding](register(6000));
    assert.ok(bytes.length > 256 * 1024, `${bytes.length} bytes`);
    const whole = await read(bytes, [bytes.length]);
    const cut = await read(bytes, [4096, 1, 4095, 7]);
    assert.equal(whole.encoding, encoding);
    assert.equal(cut.encoding, encoding);
    assert.deepEqual(cut.table, whole.table);
    assert.deepEqual(cut.quirks, whole.quirks);
    assert.deepEqual(cut.table.rows.map((r) => cut.table.headers.map((h) => r.cells[h]!.text)), oracle(bytes, encoding));
  }
});

test('the decoder holds back exactly what a cut leaves unfinished', () => {
  // "Việt" in UTF-8 cut inside "ệ" (3 bytes); in VNI between "e" and its mark bytes; in Windows-1258 between "ê" and its tone.
  for (const [encoding, bytes] of [['utf8', Buffer.from('Việt Nam\n')], ['vni', encodeVni('Việt Nam\n')], ['cp1258', encodeCp1258('Việt Nam\n')]] as const) {
    for (let cut = 1; cut < bytes.length; cut++) {
      const d = new StreamDecoder(encoding);
      const text = d.write(bytes.subarray(0, cut)) + d.write(bytes.subarray(cut)) + d.end();
      assert.equal(text, 'Việt Nam\n', `${encoding} cut at ${cut}`);
      assert.equal(text, decodeAs(bytes, encoding));
    }
  }
});

test('the SHA-256 and the bytes read are those of the whole file, in any chunks', async () => {
  const bytes = ENCODE.tcvn3(register(300));
  const seen: number[] = [];
  const src = await readSourceStream(chunks(bytes, [1000, 3]), 'so-den.csv', {}, { onBytes: (n) => seen.push(n) });
  const { createHash } = await import('node:crypto');
  assert.equal(src.sha256, createHash('sha256').update(bytes).digest('hex'));
  assert.equal(seen.at(-1), bytes.length);
  assert.ok(seen.every((n, i) => i === 0 || n > seen[i - 1]!));
  assert.equal(src.encoding, 'tcvn3');
  assert.equal(src.delimiter, ';');
});
