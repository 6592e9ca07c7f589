// Every packet we build reads back through our parser to the same model: a property test over
// generated input (seeded, so a failure names its seed), Vietnamese text in NFD and NFC, XML's
// special characters, every business type and every status code.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { EDXML_STATUS_CODES, EDXML_STATUS_NEEDS_REASON, type EdxmlDocument, type EdxmlOrgan } from '../../common/edxml';
import { SECRECY_LEVELS } from '../../common/domain';
import { buildDocumentPacket, buildStatusPacket, parseEdxml, type EdxmlDocumentInput } from '../../main/core/exchange/edxml';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32);
}

const WORDS = ['Về việc', 'triển khai', 'chuyển đổi số', 'Đảng ủy', 'Tối mật', 'hỏa tốc', 'Ủy ban nhân dân', 'Quảng Ninh', 'Hải Phòng', 'đơn thư', 'x < y & z > w', '"trích" \'dẫn\'', '№ 5', 'Ð (U+00D0)', 'a\u00a0b'];

function gen(seed: number) {
  const r = rng(seed);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const maybe = <T,>(v: T): T | null => (r() < 0.3 ? null : v);
  const textOf = (n = 1 + Math.floor(r() * 5)) => {
    const t = Array.from({ length: n }, () => pick(WORDS)).join(' ');
    return r() < 0.5 ? t.normalize('NFD') : t; // NFD input must come back NFC
  };
  const code = () => `${String(Math.floor(r() * 1000)).padStart(3, '0')}.${String(Math.floor(r() * 100)).padStart(2, '0')}.${String(Math.floor(r() * 100)).padStart(2, '0')}.${pick(['G', 'H', 'K'])}${String(1 + Math.floor(r() * 99)).padStart(2, '0')}`;
  const organ = (): EdxmlOrgan => ({
    organId: code(), organizationInCharge: maybe(textOf()), organName: maybe(textOf()), organAdd: maybe(textOf()), email: maybe('vanthu@example.gov.vn'),
    telephone: maybe('0203 3835 123'), fax: maybe('0203 3835 124'), website: maybe('https://quangninh.gov.vn'),
  });
  const date = () => `20${10 + Math.floor(r() * 20)}-${String(1 + Math.floor(r() * 12)).padStart(2, '0')}-${String(1 + Math.floor(r() * 28)).padStart(2, '0')}`;
  const ts = () => `${date()}T${String(Math.floor(r() * 24)).padStart(2, '0')}:${String(Math.floor(r() * 60)).padStart(2, '0')}:${String(Math.floor(r() * 60)).padStart(2, '0')}+07:00`;
  const docType = Math.floor(r() * 4) as 0 | 1 | 2 | 3;
  const input: EdxmlDocumentInput = {
    from: organ(), to: Array.from({ length: 1 + Math.floor(r() * 3) }, organ), documentId: maybe(`${code()},2026/11/02,15-CV/TU`),
    code: { number: maybe(String(1 + Math.floor(r() * 9999))), notation: maybe(pick(['CV/TU', 'QĐ-UBND', 'KH/TU', 'BC-VPTW/nb'])) },
    promulgation: { place: maybe(textOf(1)), date: maybe(date()) },
    documentType: { type: maybe(String(Math.floor(r() * 20))), typeDetail: maybe('0'), typeName: maybe(pick(['Công văn', 'Quyết định', 'Kế hoạch', 'Tờ trình'])) },
    subject: maybe(textOf(8)), content: maybe(textOf(12)),
    signer: { competence: maybe(pick(['KT. CHỦ TỊCH', 'T/M BAN THƯỜNG VỤ', 'TL. BỘ TRƯỞNG'])), position: maybe(textOf(2)), fullName: maybe('Nguyễn Thị Hương') },
    dueDate: maybe(date()), toPlaces: Array.from({ length: Math.floor(r() * 3) }, () => textOf(2)),
    otherInfo: {
      priority: maybe(Math.floor(r() * 5)), sphereOfPromulgation: maybe(textOf(2)), typerNotation: maybe('TVC'), promulgationAmount: maybe(Math.floor(r() * 50)),
      pageAmount: maybe(Math.floor(r() * 50)), direction: maybe(r() < 0.5), appendixes: Array.from({ length: Math.floor(r() * 3) }, () => textOf(2)), secrecy: maybe(pick(SECRECY_LEVELS)),
    },
    responseFor: Array.from({ length: Math.floor(r() * 2) }, () => ({ organId: code(), code: '7816/VPCP-TTĐT', promulgationDate: maybe(date()), documentId: maybe(`${code()},2015/09/30,7816/VPCP-TTĐT`) })),
    steeringType: maybe(Math.floor(r() * 3)),
    trace: Array.from({ length: Math.floor(r() * 4) }, () => ({ organId: code(), timestamp: maybe(ts()) })),
    business: r() < 0.2 && docType === 0 ? null : {
      documentId: maybe(`${code()},2026/11/02,15-CV/TU`), docType, reason: docType === 0 ? maybe(textOf(3)) : textOf(3), paper: maybe(pick([0, 1] as const)),
      staff: Array.from({ length: Math.floor(r() * 3) }, () => ({ department: maybe('Văn thư'), staff: 'Lê Thị Hoa', mobile: maybe('0912000001'), email: maybe('hoa@example.gov.vn') })),
      documentInfo: docType === 2 ? { documentInfo: '1', documentReceiver: maybe('1'), receivers: [{ organId: code(), receiverType: maybe('0') }] } : null,
      replacements: docType === 3 ? [{ documentId: `${code()},2014/01/30,7806/VPCP-TTĐT`, organIds: [code(), code()] }] : [],
    },
    attachments: Array.from({ length: Math.floor(r() * 3) }, (_, i) => ({
      name: `${textOf(1)} ${i}.pdf`, description: maybe(textOf(2)), contentType: pick(['application/pdf', 'application/zip', 'application/msword']),
      bytes: Uint8Array.from({ length: Math.floor(r() * 3000) }, () => Math.floor(r() * 256)),
    })),
  };
  return input;
}

/** What the model must be: the input, NFC and trimmed, with the manifest the builder assigned. */
function expected(input: EdxmlDocumentInput, built: ReturnType<typeof buildDocumentPacket>) {
  const nfc = (v: unknown): unknown => (typeof v === 'string' ? v.normalize('NFC').trim() : Array.isArray(v) ? v.map(nfc) : v && typeof v === 'object' && !(v instanceof Uint8Array) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, nfc(x)])) : v);
  const { attachments, ...rest } = input;
  return {
    ...(nfc(rest) as object), kind: 'document', manifest: built.manifest,
    attachments: attachments.map((a, i) => ({ contentId: `cid:${i + 1}`, name: nfc(a.name), description: nfc(a.description ?? null), declaredType: a.contentType, size: a.bytes.length, sha256: createHash('sha256').update(a.bytes).digest('hex') })),
  };
}

test('document packets round-trip through the parser (300 generated inputs)', async () => {
  for (let seed = 1; seed <= 300; seed++) {
    const input = gen(seed);
    const built = buildDocumentPacket(input);
    const r = await parseEdxml(built.bytes);
    const p = r.packet as EdxmlDocument;
    const got = { ...p, attachments: p.attachments.map(({ contentId, name, description, declaredType, size, sha256 }) => ({ contentId, name, description, declaredType, size, sha256 })) };
    assert.deepEqual(got, expected(input, built), `seed ${seed}`);
    assert.deepEqual(r.problems.filter((x) => x.code !== 'EDXML_PAGE_COUNT'), [], `seed ${seed}`);
    assert.equal(built.bytes.toString('utf8'), built.bytes.toString('utf8').normalize('NFC'), `seed ${seed}: the packet is NFC`);
  }
});

test('status packets round-trip: every code, reasons required where the standard wants one', async () => {
  const from: EdxmlOrgan = { organId: '000.00.00.H41', organizationInCharge: 'UBND Tỉnh Nghệ An', organName: null, organAdd: null, email: null, telephone: null, fax: null, website: null };
  const responseFor = { organId: '000.00.00.G22', code: '7816/VPCP-TTĐT', promulgationDate: '2015-09-30', documentId: '000.00.00.G22,2015/09/30,7816/VPCP-TTĐT' };
  for (const statusCode of EDXML_STATUS_CODES) {
    const input = { from, responseFor, staff: { department: 'Văn thư', staff: 'Nguyễn Thị Ngọc Trâm', mobile: null, email: null }, statusCode, description: 'Lý do: gửi nhầm nơi nhận'.normalize('NFD'), timestamp: '2026-11-02T08:05:09+07:00', trace: [] };
    const p = (await parseEdxml(buildStatusPacket(input).bytes)).packet;
    assert.deepEqual(p, { kind: 'status', ...input, description: 'Lý do: gửi nhầm nơi nhận' }, statusCode);
    if (EDXML_STATUS_NEEDS_REASON.has(statusCode)) {
      assert.throws(() => buildStatusPacket({ ...input, description: '  ' }), { code: 'EDXML_INPUT' });
    }
  }
});

test('the builder refuses what it cannot write faithfully', () => {
  const input = gen(7);
  assert.throws(() => buildDocumentPacket({ ...input, from: { ...input.from, organId: 'not a code' } }), { code: 'EDXML_INPUT' });
  assert.throws(() => buildDocumentPacket({ ...input, to: [] }), { code: 'EDXML_INPUT' });
  assert.throws(() => buildDocumentPacket({ ...input, subject: 'bell \u0007' }), { code: 'EDXML_INPUT' });
  assert.throws(() => buildDocumentPacket({ ...input, business: { documentId: null, docType: 3, reason: 'Thay thế', paper: null, staff: [], documentInfo: null, replacements: [] } }), { code: 'EDXML_INPUT' });
  assert.throws(() => buildDocumentPacket({ ...input, business: { documentId: null, docType: 1, reason: null, paper: null, staff: [], documentInfo: null, replacements: [] } }), { code: 'EDXML_INPUT' });
});

test('a 30 MB attachment: built and read back byte for byte within seconds', async () => {
  const bytes = Uint8Array.from(createHash('sha512').update('x').digest()).subarray(0, 1);
  const big = Buffer.alloc(30 << 20);
  for (let i = 0; i < big.length; i += 4096) big[i] = (i >> 12) & 0xff ^ bytes[0]!;
  const input = { ...gen(11), attachments: [{ name: 'lon.bin', description: null, contentType: 'application/octet-stream', bytes: big }] };
  const started = Date.now();
  const r = await parseEdxml(buildDocumentPacket(input).bytes);
  assert.ok(r.files[0]!.bytes.equals(big));
  assert.ok(Date.now() - started < 20_000, `${Date.now() - started} ms`);
});
