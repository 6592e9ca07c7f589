// PAdES signatures inside PDFs, with poppler's pdfsig (its own NSS database trusting the test CAs) and
// `openssl cms -verify` as oracles. A corpus of PDFs: signed by SecureDesk (one signature; signer +
// agency; RSA and EC; a real SoftHSM token key; classic xref and xref streams), signed by pdfsig
// itself (NSS, another signer than ours), changed after signing, with bytes appended, tampered,
// signed by an untrusted CA, unsigned. SecureDesk's verdict must equal pdfsig's on every file.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PDFDocument, PDFName, type PDFRef, type PDFObject } from 'pdf-lib';
import type { PrivateKeyOps } from '../../../main/core/crypto';
import { PdfError, readStructure, signPdf, stampPdf, verifyPdfSignatures, type PdfVerification } from '../../../main/core/pdf';
import { tokenKeyOps } from '../../../main/core/token/tokenKeyOps';
import { makeSamplePdf } from '../../../main/devhost/samplePdf';
import { TokenBridge } from '../../../native/bridge/client';
import { createSoftHsm, keyOf, type SoftHsm } from '../../fixtures/softhsm/tokens';
import { pdfFonts, pdfTextPages } from '../../helpers/pdfOracle';
import { extractSignature, makePng, NssDb, readBytes } from '../../helpers/pdfsig';
import { opensslTry, standardPki, type Party, type TestPki } from '../../helpers/pki';
import { softKey } from '../../helpers/softKey';
import { cliEntry } from '../../helpers/cli';

let pki: TestPki & { root: Party; inter: Party };
let hsm: SoftHsm;
let bridge: TokenBridge;
let nss: NssDb;
let tokenKey: PrivateKeyOps;
let anchors: Uint8Array[];
let caBundle: string;
const corpus = new Map<string, Uint8Array>();
const signTimes: number[] = [];

const key = (name: string) => softKey(pki.get(name).certDer, pki.get(name).keyPem);
const seal = makePng(151, 151, [220, 20, 20], 'ring');
const signature = makePng(240, 90, [20, 40, 200], 'stroke');
const file = (name: string) => join(pki.dir, `${name}.pdf`);
const put = (name: string, bytes: Uint8Array) => {
  corpus.set(name, bytes);
  writeFileSync(file(name), bytes);
  return bytes;
};
const verify = (bytes: Uint8Array, extra: { expectAgencySignature?: boolean } = {}) => verifyPdfSignatures(bytes, { trustAnchors: anchors, ...extra });

async function timed<T>(fn: () => Promise<T>): Promise<T> {
  const t = performance.now();
  const r = await fn();
  signTimes.push(performance.now() - t);
  return r;
}

/** A source document: pdf-lib's output, with a cross-reference stream or a classic table. */
async function sourcePdf(classic: boolean): Promise<Uint8Array> {
  const pdf = await makeSamplePdf({ issuer: 'Bộ Tài chính', numberSymbol: '125/QĐ-BTC', title: 'QUYẾT ĐỊNH', subject: 'Về việc ban hành quy chế bảo vệ bí mật nhà nước' });
  if (!classic) return pdf;
  return (await PDFDocument.load(pdf)).save({ useObjectStreams: false });
}

/**
 * An incremental update that is not a signature: a second content stream on page 1 (what an editor
 * appends when someone changes a signed document), with a classic xref section chained by /Prev.
 */
async function appendContentUpdate(pdf: Uint8Array): Promise<Uint8Array> {
  const s = readStructure(pdf);
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  const ctx = doc.context;
  ctx.largestObjectNumber = Math.max(ctx.largestObjectNumber, s.size - 1);
  const page = doc.getPage(0);
  const added = ctx.register(ctx.stream('0 0 1 rg 100 400 200 40 re f'));
  page.node.set(PDFName.of('Contents'), ctx.obj([page.node.get(PDFName.of('Contents'))!, added]));
  const ser = (ref: PDFRef, obj: PDFObject) => {
    const b = Buffer.alloc(obj.sizeInBytes());
    obj.copyBytesInto(b, 0);
    return Buffer.concat([Buffer.from(`${ref.objectNumber} ${ref.generationNumber} obj\n`), b, Buffer.from('\nendobj\n')]);
  };
  const a = ser(added, ctx.lookup(added)!);
  const p = ser(page.ref, page.node);
  const base = pdf.length;
  const xref = base + a.length + p.length;
  const root = /\/Root\s+(\d+\s+\d+\s+R)/.exec(s.sections[0]!.dict)![1];
  const entry = (off: number) => `${String(off).padStart(10, '0')} 00000 n\r\n`;
  const table = `xref\n${page.ref.objectNumber} 1\n${entry(base + a.length)}${added.objectNumber} 1\n${entry(base)}trailer\n<< /Size ${Math.max(s.size, added.objectNumber + 1)} /Root ${root} /Prev ${s.startxref} >>\nstartxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(Buffer.concat([Buffer.from(pdf), a, p, Buffer.from(table)]));
}

before(async () => {
  pki = await standardPki();
  await pki.generateKeys({ agency: 'rsa2048', tsa: 'ec-p256' });
  pki.issue('tsa', { key: 'ec-p256', subject: '/C=VN/O=Ban Cơ yếu Chính phủ/CN=Dịch vụ cấp dấu thời gian thử nghiệm', issuer: pki.inter, keyUsage: 'digitalSignature', extKeyUsage: 'critical, timeStamping' });
  // The agency's certificate: the organisation itself is the subject (CN = O), as Ban Cơ yếu issues them.
  pki.issue('agency', { subject: '/C=VN/L=Hà Nội/O=Bộ Tài chính/CN=Bộ Tài chính', issuer: pki.inter, keyUsage: 'digitalSignature, nonRepudiation' });
  hsm = await createSoftHsm({ tokens: ['userEc'] });
  bridge = new TokenBridge({ env: hsm.env });
  await bridge.login(hsm.modulePath, { serial: hsm.tokens.userEc.serial }, hsm.tokens.userEc.pin);
  tokenKey = tokenKeyOps(bridge, { module: hsm.modulePath, slot: { serial: hsm.tokens.userEc.serial }, keyId: '01', certificate: keyOf(hsm.tokens.userEc, 'binh-sign').certDer });
  anchors = [pki.root.certDer, new Uint8Array(hsm.ca.certDer)];
  caBundle = pki.bundle('cas.pem', [pki.root, pki.inter]);
  writeFileSync(caBundle, `${pki.root.certPem}${pki.inter.certPem}${hsm.ca.certPem}`);
  nss = new NssDb(pki.dir);
  nss.trust('root', pki.root.certPath);
  nss.trust('hsm', hsm.ca.certPath);
  nss.importKey(pki.get('bob'), [pki.inter], pki.dir);

  const streams = await sourcePdf(false);
  const classic = await sourcePdf(true);
  put('unsigned', streams);
  const chain = [pki.inter.certDer];
  const signerLook = { kind: 'signer' as const, rect: { x: 330, y: 120, width: 200, height: 100 }, name: 'Nguyễn Văn An', position: 'KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG'.split('\n')[1]!, image: signature };
  // One signature, RSA, on a file with a cross-reference stream.
  put('one-rsa', await timed(() => signPdf(streams, { key: key('alice'), chain, appearance: signerLook, reason: 'Phê duyệt', location: 'Hà Nội' })));
  // The signer (EC P-256), then the agency (RSA) with the seal over a third of the signer's image.
  const bySigner = await timed(() => signPdf(classic, { key: key('ec256'), chain, appearance: signerLook }));
  put('signer-agency', await timed(() => signPdf(bySigner, { key: key('agency'), chain, appearance: { kind: 'seal', image: seal } })));
  // An attachment: the agency's signature as "số, ký hiệu; thời gian ký" at the top right of page 1.
  put('attachment', await timed(() => signPdf(classic, { key: key('agency'), chain, appearance: { kind: 'attachment-note', numberSymbol: '125/QĐ-BTC' } })));
  // A real SoftHSM token key (EC P-256 through the token bridge), then the agency.
  const byToken = await timed(() => signPdf(streams, { key: tokenKey, appearance: { ...signerLook, name: 'Trần Thị Bình' } }));
  put('token-agency', await timed(() => signPdf(byToken, { key: key('agency'), chain, appearance: { kind: 'seal', image: seal } })));
  // PAdES B-T: an RFC 3161 timestamp over the signature value (openssl ts as the authority).
  put('timestamped', await signPdf(classic, { key: key('agency'), chain, appearance: { kind: 'attachment-note', numberSymbol: '125/QĐ-BTC' }, timestamp: async (sv) => pki.timestampToken(pki.get('tsa'), sv, [pki.inter]) }));
  // EC P-384, invisible.
  put('ec384-invisible', await timed(() => signPdf(streams, { key: key('ec384'), chain })));
  // Another signer than SecureDesk: pdfsig itself (poppler + NSS, adbe.pkcs7.detached), then our agency signature on top.
  nss.pdfsigSign(file('unsigned'), file('by-pdfsig'), 'bob', 'PopplerSig');
  // (pdfsig wrote the file: read it into the corpus.)
  put('by-pdfsig', readBytes(file('by-pdfsig')));
  put('by-pdfsig-then-agency', await signPdf(corpus.get('by-pdfsig')!, { key: key('agency'), chain, appearance: { kind: 'attachment-note', numberSymbol: '07/TB-BTC' } }));
  // Changed after signing: a further incremental update that is not a signature.
  put('changed-after-signing', await appendContentUpdate(corpus.get('signer-agency')!));
  // Bytes appended after the signature that are no PDF update: the signature covers part of the file.
  put('appended-bytes', new Uint8Array(Buffer.concat([Buffer.from(corpus.get('attachment')!), Buffer.from('\n% added later by someone\n1 0 obj (x) endobj\n')])));
  // Tampered inside the signed range: one letter of the Producer in the classic file's Info dictionary.
  const tampered = Buffer.from(corpus.get('attachment')!);
  const at = tampered.indexOf('/Producer <FEFF0070');
  assert.ok(at > 0);
  tampered[at + 18] = '1'.charCodeAt(0); // "p" (0070) becomes "q" (0071)
  put('tampered', new Uint8Array(tampered));
  // A signer whose CA nobody here trusts.
  put('untrusted', await signPdf(classic, { key: key('stranger') }));
});

after(async () => {
  await bridge?.close();
  await hsm?.cleanup();
  pki?.cleanup();
});

const ours = ['one-rsa', 'signer-agency', 'attachment', 'token-agency', 'timestamped', 'ec384-invisible', 'by-pdfsig-then-agency'];

describe('what SecureDesk signs', () => {
  test('pdfsig: every signature valid and trusted, the last one covering the whole document', () => {
    for (const name of ours) {
      const r = nss.check(file(name));
      assert.ok(!r.unsigned, name);
      for (const s of r.signatures) {
        assert.equal(s.validation, 'Signature is Valid', `${name} ${s.field}: ${r.raw}`);
        assert.equal(s.certificate, 'Certificate is Trusted', `${name} ${s.field}: ${r.raw}`);
      }
      const last = r.signatures.at(-1)!;
      assert.equal(last.total, true, `${name}: ${r.raw}`);
      if (name !== 'by-pdfsig-then-agency') assert.equal(last.subFilter, 'ETSI.CAdES.detached');
      // An earlier signature covers its own revision, not the whole file.
      for (const s of r.signatures.slice(0, -1)) assert.equal(s.total, false, name);
    }
  });

  test('openssl cms -verify accepts each /Contents over its /ByteRange bytes', () => {
    for (const name of ours) {
      const pdf = corpus.get(name)!;
      const count = (Buffer.from(pdf).toString('latin1').match(/\/ByteRange\s*\[/g) ?? []).length;
      assert.ok(count >= 1);
      for (let i = 0; i < count; i++) {
        const { cms, content } = extractSignature(pdf, i);
        const sig = join(pki.dir, `${name}-${i}.p7s`);
        const data = join(pki.dir, `${name}-${i}.bin`);
        writeFileSync(sig, cms);
        writeFileSync(data, content);
        const r = opensslTry(['cms', '-verify', '-binary', '-inform', 'DER', '-in', sig, '-content', data, '-CAfile', caBundle, '-purpose', 'any', '-out', '/dev/null']);
        assert.ok(r.ok, `${name} #${i}: ${r.stderr}`);
      }
    }
  });

  test('two signatures: the signer first, then the agency; both stay valid; the agency one is found', async () => {
    const r = await verify(corpus.get('signer-agency')!);
    assert.equal(r.status, 'valid');
    assert.equal(r.ok, true, r.messageVi);
    assert.deepEqual(r.signatures.map((s) => [s.signer?.commonName, s.valid, s.coversWholeDocument, s.organisationCertificate]),
      [['Phạm Minh Đăng', true, false, false], ['Bộ Tài chính', true, true, true]]);
    assert.equal(r.agencySignature, 2);
    assert.deepEqual(r.signatures.map((s) => s.revision), [2, 3], 'each signature ends its own revision');
    assert.equal(r.signatures[0]!.signer?.organisation, 'Bộ Tài chính');
    assert.ok(r.signatures.every((s) => s.signingTime instanceof Date && Math.abs(s.signingTime.getTime() - Date.now()) < 10 * 60_000));
  });

  test('a timestamped signature (B-T): the certificate is judged at the timestamp', async () => {
    const r = await verify(corpus.get('timestamped')!);
    assert.equal(r.ok, true, r.messageVi);
    const s = r.signatures[0]!;
    assert.ok(s.flags.includes('timestamped'));
    assert.ok(s.timestamp && Math.abs(s.timestamp.time.getTime() - Date.now()) < 10 * 60_000);
    assert.match(s.timestamp.authority, /dấu thời gian/);
    assert.equal(s.verification?.validatedAtSource, 'timestamp');
  });

  test('a document signed by the person only: the agency signature is missing', async () => {
    const r = await verify(corpus.get('one-rsa')!);
    assert.equal(r.status, 'valid');
    assert.equal(r.ok, false);
    assert.deepEqual(r.findings.map((f) => f.code), ['agency-signature-missing']);
    assert.match(r.messageVi, /thiếu chữ ký số của cơ quan/);
    assert.equal((await verify(corpus.get('one-rsa')!, { expectAgencySignature: false })).ok, true);
  });

  test('the token signs through the bridge (SoftHSM, EC P-256)', async () => {
    const r = await verify(corpus.get('token-agency')!);
    assert.equal(r.ok, true, r.messageVi);
    assert.equal(r.signatures[0]!.signer?.commonName, 'Trần Thị Bình');
    const t = performance.now();
    const signed = await signPdf(corpus.get('unsigned')!, { key: tokenKey, appearance: { kind: 'signer', rect: { x: 330, y: 120, width: 200, height: 100 }, name: 'Trần Thị Bình', image: signature } });
    const ms = performance.now() - t;
    console.log(`# signPdf on SoftHSM: ${ms.toFixed(0)} ms (all signings in the corpus: ${signTimes.map((x) => x.toFixed(0)).join(', ')} ms)`);
    // The figure is for the log: the 1 s target is the bench's (npm run bench -- --only pades, a quiet
    // machine: p95 ~350 ms for signer + agency). A bound here failed now and then on a loaded machine.
    assert.equal((await verify(signed, { expectAgencySignature: false })).ok, true);
  });

  test('the appearance: text with its Vietnamese diacritics in an embedded font, the images, the note at the top right of page 1', async () => {
    const pages = pdfTextPages(corpus.get('signer-agency')!);
    assert.match(pages.at(-1)!, /Nguyễn Văn An/);
    assert.match(pages.at(-1)!, /THỨ TRƯỞNG/);
    assert.ok(pdfFonts(corpus.get('signer-agency')!).filter((f) => /DejaVu/.test(f.name)).every((f) => f.embedded));
    const images = execFileSync('pdfimages', ['-list', file('signer-agency')], { encoding: 'utf8' }).split('\n').slice(2).filter((l) => l.trim());
    assert.ok(images.length >= 2, 'the signature image and the seal');
    // The seal covers the left third of the signer's signature.
    const doc = await PDFDocument.load(corpus.get('signer-agency')!);
    const { signatureWidgets } = await import('../../../main/core/pdf/appearance');
    const [signer, agency] = signatureWidgets(doc);
    assert.ok(signer && agency);
    assert.ok(Math.abs(agency.rect.x + agency.rect.width - (signer.rect.x + signer.rect.width / 3)) < 0.5);
    const note = execFileSync('pdftotext', ['-f', '1', '-l', '1', '-x', '380', '-y', '0', '-W', '215', '-H', '60', '-enc', 'UTF-8', file('attachment'), '-'], { encoding: 'utf8' });
    assert.match(note, /125\/QĐ-BTC/);
    assert.match(note, /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00/);
  });
});

describe('SecureDesk and pdfsig agree on the corpus', () => {
  test('every file, every signature: integrity, trust, whole-document coverage', async () => {
    assert.ok(corpus.size >= 12);
    const rows: string[] = [];
    for (const [name, bytes] of corpus) {
      const mine: PdfVerification = await verify(bytes);
      const theirs = nss.check(file(name));
      assert.equal(mine.status === 'unsigned', theirs.unsigned, name);
      assert.equal(mine.signatures.length, theirs.signatures.length, name);
      for (const p of theirs.signatures) {
        const s = mine.signatures.find((x) => x.fieldName === p.field);
        assert.ok(s, `${name}: no signature ${p.field} in ${mine.signatures.map((x) => x.fieldName).join(', ')}`);
        assert.equal(s.integrity, p.validation === 'Signature is Valid', `${name} ${p.field}: ${p.validation}`);
        assert.equal(s.valid, p.validation === 'Signature is Valid' && p.certificate === 'Certificate is Trusted', `${name} ${p.field}: ${p.validation} / ${p.certificate}; ours: ${s.messageVi}`);
        assert.equal(s.coversWholeDocument, p.total, `${name} ${p.field}`);
        assert.equal(s.signer?.commonName, p.commonName, name);
      }
      rows.push(`${name}: ${mine.status}${mine.findings.length ? ` [${mine.findings.map((f) => f.code).join(', ')}]` : ''}`);
    }
    console.log(`# corpus verdicts (pdfsig agrees on each):\n# ${rows.join('\n# ')}`);
  });

  test('the findings on the bad files', async () => {
    const codes = async (n: string) => (await verify(corpus.get(n)!)).findings.map((f) => f.code);
    assert.deepEqual(await codes('unsigned'), ['unsigned']);
    assert.deepEqual(await codes('changed-after-signing'), ['changed-after-signing']);
    assert.deepEqual(await codes('appended-bytes'), ['appended-bytes']);
    assert.deepEqual(await codes('tampered'), ['invalid-signature', 'agency-signature-invalid']);
    assert.deepEqual(await codes('untrusted'), ['invalid-signature', 'agency-signature-missing']);
    // What the unsigned updates hold: a rewritten page content is never described as "only annotations",
    // not even behind an update that only stamps (the issue without the agency's signature, stampPdf).
    const rewritten = (await verify(corpus.get('changed-after-signing')!)).findings[0]!;
    assert.deepEqual([rewritten.unsignedTail?.annotationsOnly, rewritten.unsignedTail?.otherChanges], [false, 1]);
    assert.match(rewritten.messageVi, /^Tệp đã bị sửa đổi sau khi ký: 1 lần cập nhật .* còn sửa 1 đối tượng của phiên bản đã ký: nội dung đã ký có thể đã bị thay đổi\.$/);
    const stamped = await stampPdf(corpus.get('signer-agency')!, { notes: [{ page: 0, lines: ['Số: 07/QĐ-UBND', 'Ngày 05 tháng 12 năm 2026'] }], at: new Date() });
    const onlyStamps = (await verify(stamped)).findings.find((f) => f.code === 'changed-after-signing')!;
    assert.deepEqual(onlyStamps.unsignedTail, { annotationsOnly: true, added: [{ page: 1, subtype: 'Stamp', text: 'Số: 07/QĐ-UBND Ngày 05 tháng 12 năm 2026' }], otherChanges: 0 });
    assert.match(onlyStamps.messageVi, /^Tệp được ghi thêm sau chữ ký số cuối cùng: 1 lần cập nhật \(\d+ byte\) KHÔNG có chữ ký số.* chỉ thêm 1 chú thích dạng dấu \(Stamp\) \(trang 1: «Số: 07\/QĐ-UBND Ngày 05 tháng 12 năm 2026»\), không sửa nội dung các trang đã ký; các chú thích này hiện đè lên trang khi xem và in\.$/);
    const both = (await verify(await appendContentUpdate(stamped))).findings.find((f) => f.code === 'changed-after-signing')!;
    assert.equal(both.unsignedTail?.annotationsOnly, false);
    assert.match(both.messageVi, /^Tệp đã bị sửa đổi sau khi ký: 2 lần cập nhật .*thêm 1 chú thích dạng dấu \(Stamp\) .* và còn sửa 1 đối tượng/);
    const appended = await verify(corpus.get('appended-bytes')!);
    assert.equal(appended.status, 'invalid');
    assert.match(appended.findings[0]!.reason, /Not total document signed/);
    assert.ok(appended.signatures[0]!.integrity, 'what it signed is intact');
    const tampered = await verify(corpus.get('tampered')!);
    assert.ok(tampered.signatures[0]!.flags.includes('digest-mismatch'));
    assert.ok((await verify(corpus.get('untrusted')!)).signatures[0]!.flags.includes('untrusted'));
    // A /ByteRange that does not start at 0, or whose gap is not the signature's own /Contents.
    const shifted = Buffer.from(corpus.get('one-rsa')!).toString('latin1').replace('/ByteRange [0 ', '/ByteRange [1 ');
    const bad = await verify(new Uint8Array(Buffer.from(shifted, 'latin1')));
    assert.deepEqual([bad.status, bad.signatures[0]!.valid, bad.signatures[0]!.flags.includes('malformed')], ['invalid', false, true]);
    const other = await verify(corpus.get('by-pdfsig-then-agency')!);
    assert.equal(other.ok, true, other.messageVi);
    assert.equal(other.signatures[0]!.subFilter, 'adbe.pkcs7.detached');
  });
});

describe('refusals at signing', () => {
  async function refused(p: Promise<unknown>, reason: string): Promise<PdfError> {
    try {
      await p;
    } catch (e) {
      assert.ok(e instanceof PdfError, String(e));
      assert.equal(e.reason, reason, e.logReason);
      assert.ok(e.message.length > 10 && /[ạảãáàăâđêôơư]/i.test(e.message), e.message);
      return e;
    }
    assert.fail(`expected ${reason}`);
  }

  test('an encrypted PDF', async () => {
    // No tool here encrypts PDFs; the Standard security handler's dictionary in the trailer is what
    // marks a file encrypted for every reader (pdfinfo says so too).
    const text = Buffer.from(await sourcePdf(true)).toString('latin1');
    const enc = text.replace(/trailer\s*<</, 'trailer\n<< /Encrypt << /Filter /Standard /V 1 /R 2 /O <1111111111111111111111111111111111111111111111111111111111111111> /U <2222222222222222222222222222222222222222222222222222222222222222> /P -4 >>');
    const bytes = new Uint8Array(Buffer.from(enc, 'latin1'));
    writeFileSync(join(pki.dir, 'enc.pdf'), bytes);
    assert.match(spawnSync('pdfinfo', [join(pki.dir, 'enc.pdf')], { encoding: 'utf8' }).stderr + spawnSync('pdfinfo', [join(pki.dir, 'enc.pdf')], { encoding: 'utf8' }).stdout, /ncrypt|password/i);
    const e = await refused(signPdf(bytes, { key: key('alice') }), 'PDF_ENCRYPTED');
    assert.equal(e.code, 'FILE_UNREADABLE');
  });

  test('a broken xref: a wrong startxref, an entry pointing elsewhere; and no PDF at all', async () => {
    const text = Buffer.from(await sourcePdf(true)).toString('latin1');
    const wrongStart = text.replace(/startxref\s+(\d+)/, (_m, n: string) => `startxref\n${Number(n) + 7}`);
    await refused(signPdf(new Uint8Array(Buffer.from(wrongStart, 'latin1')), { key: key('alice') }), 'PDF_BROKEN_XREF');
    const badEntry = text.replace(/(xref\s+0 \d+\s+0000000000 65535 f\s*\r?\n)(\d{10})/, (_m, head: string, off: string) => `${head}${String(Number(off) + 3).padStart(10, '0')}`);
    assert.notEqual(badEntry, text);
    await refused(signPdf(new Uint8Array(Buffer.from(badEntry, 'latin1')), { key: key('alice') }), 'PDF_BROKEN_XREF');
    await refused(signPdf(new Uint8Array(Buffer.from('Công văn, không phải PDF')), { key: key('alice') }), 'PDF_UNPARSEABLE');
  });

  test('an expired certificate, and one whose key usage does not allow signing', async () => {
    const pdf = await sourcePdf(false);
    const e = await refused(signPdf(pdf, { key: key('expired') }), 'CERT_EXPIRED');
    assert.equal(e.code, 'TOKEN_UNSUITABLE');
    await refused(signPdf(pdf, { key: key('encOnly') }), 'CERT_KEY_USAGE');
  });
});

describe('securedesk pdf verify', () => {
  const cli = (args: string[]) => spawnSync(process.execPath, [...cliEntry(), 'pdf', 'verify', ...args], { encoding: 'utf8', env: { ...process.env, SECUREDESK_PROFILE: join(pki.dir, 'no-profile') } });

  test('trust anchors from the machine configuration; exit codes 0, 1, 2', () => {
    const cfg = join(pki.dir, 'machine.json');
    writeFileSync(cfg, JSON.stringify({ pkcs11Modules: [hsm.modulePath], trustAnchors: [pki.root.certPath, hsm.ca.certPath] }));
    // The CRLs IT copies into the crl folder beside machine.json are read too.
    mkdirSync(join(pki.dir, 'crl'));
    copyFileSync(pki.crl(pki.root), join(pki.dir, 'crl', 'root.pem'));
    copyFileSync(pki.crl(pki.inter), join(pki.dir, 'crl', 'inter.pem'));
    const good = cli([file('signer-agency'), '--json', '--machine-config', cfg]);
    assert.equal(good.status, 0, good.stderr);
    const j = JSON.parse(good.stdout) as PdfVerification;
    assert.equal(j.status, 'valid');
    assert.equal(j.agencySignature, 2);
    assert.ok(j.signatures.every((s) => !s.flags.includes('revocation-not-checked')), 'revocation checked against the installed CRLs');
    const text = cli([file('changed-after-signing'), '--machine-config', cfg]);
    assert.equal(text.status, 1);
    assert.match(text.stdout, /sửa đổi sau khi ký/);
    assert.match(text.stdout, /Chữ ký 2 \(của cơ quan, tổ chức\): HỢP LỆ/);
    assert.equal(cli([file('unsigned'), '--machine-config', cfg]).status, 1);
    // Without trust anchors nothing is trusted.
    const none = cli([file('signer-agency'), '--json', '--machine-config', join(pki.dir, 'absent.json')]);
    assert.equal(none.status, 1);
    assert.equal((JSON.parse(none.stdout) as PdfVerification).signatures.every((s) => s.integrity && !s.valid), true);
    assert.equal(cli([]).status, 2);
  });
});
