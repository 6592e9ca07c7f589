// The ASN.1 layer under the crypto code: DER writing, BER reading (definite, indefinite,
// constructed strings), the streaming reader at every split point, names with Vietnamese text,
// algorithm parameters, and garbage in → typed errors out (never a crash).
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes, sign as nodeSign, createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  checkSignature, ecdsaRawToDer, isDerEcdsaSignature, oaepAlgorithmId, readKeyTransportAlgorithm, readSignatureAlgorithm, signatureAlgorithmId,
} from '../../main/core/crypto/algorithms';
import { StreamReader } from '../../main/core/crypto/berStream';
import {
  children, concat, integer, octetString, oid, readOctets, readOid, readRoot, readTime, readUnsignedIntBytes, seq, set, setOf, time, tlv,
} from '../../main/core/crypto/der';
import { AsnError, CryptoError, EndOfInput } from '../../main/core/crypto/errors';
import { formatName, readName } from '../../main/core/crypto/names';
import { parseSignedData } from '../../main/core/crypto/signedData';
import { verifyDetached } from '../../main/core/crypto/verify';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('DER writing', () => {
  test('OIDs, integers, lengths', () => {
    assert.deepEqual(Buffer.from(oid('1.2.840.113549.1.9.16.2.47')), hex('060b 2a864886f70d010910022f'));
    assert.deepEqual(Buffer.from(oid('2.16.840.1.101.3.4.1.46')), hex('0609 60864801650304012e'));
    assert.equal(readOid(oid('1.3.6.1.4.1.311.10.3.12'), readRoot(oid('1.3.6.1.4.1.311.10.3.12'))), '1.3.6.1.4.1.311.10.3.12');
    assert.deepEqual(Buffer.from(integer(0)), hex('020100'));
    assert.deepEqual(Buffer.from(integer(128)), hex('02020080'));
    assert.deepEqual(Buffer.from(integer(16)), hex('020110'));
    const big = octetString(new Uint8Array(70000));
    assert.deepEqual(Buffer.from(big.subarray(0, 5)), hex('0483011170'));
  });

  test('SET OF is sorted by encoding (signed attributes must be DER)', () => {
    const a = seq(oid('1.2.840.113549.1.9.5'));
    const b = seq(oid('1.2.840.113549.1.9.3'));
    const c = seq(oid('1.2.840.113549.1.9.16.2.47'));
    const s = setOf([a, c, b]);
    const parts = children(s, readRoot(s)).map((t) => Buffer.from(s.subarray(t.start, t.end)));
    assert.deepEqual(parts, [Buffer.from(b), Buffer.from(a), Buffer.from(c)]);
  });

  test('time: UTCTime until 2049, GeneralizedTime from 2050, both read back', () => {
    const d1 = new Date('2026-03-05T01:02:03Z');
    assert.equal(Buffer.from(time(d1)).toString('latin1').slice(2), '260305010203Z');
    assert.equal(readTime(time(d1), readRoot(time(d1))).toISOString(), d1.toISOString());
    const d2 = new Date('2051-12-31T23:59:59Z');
    assert.equal(time(d2)[0], 0x18);
    assert.equal(readTime(time(d2), readRoot(time(d2))).toISOString(), d2.toISOString());
    assert.throws(() => readTime(tlv(0x17, Buffer.from('260230010203Z')), readRoot(tlv(0x17, Buffer.from('260230010203Z')))), AsnError);
  });
});

describe('BER reading', () => {
  test('indefinite lengths and constructed OCTET STRINGs (as openssl -stream writes)', () => {
    const ber = concat([hex('3080'), oid('1.2.840.113549.1.7.1'), hex('2480'), octetString(Buffer.from('Xin ')), octetString(Buffer.from('chào')), hex('0000'), hex('0000')]);
    const root = readRoot(ber);
    assert.equal(root.indefinite, true);
    const [o, s] = children(ber, root);
    assert.equal(readOid(ber, o), '1.2.840.113549.1.7.1');
    assert.equal(Buffer.from(readOctets(ber, s)).toString(), 'Xin chào');
  });

  test('INTEGER serials keep their value without the sign octet', () => {
    const t = tlv(0x02, hex('00ff01'));
    assert.deepEqual(Buffer.from(readUnsignedIntBytes(t, readRoot(t))), hex('ff01'));
  });

  test('lengths past the end, missing end-of-contents, deep nesting: AsnError', () => {
    assert.throws(() => readRoot(hex('3005 0201')), AsnError);
    assert.throws(() => readRoot(hex('3080 020100')), AsnError);
    assert.throws(() => readRoot(hex('0480 0000')), AsnError); // indefinite primitive
    assert.throws(() => readRoot(hex('1f8101 00')), AsnError); // high tag number
    assert.throws(() => readRoot(hex('3089 ffffffffffffffffff')), AsnError);
    const deep = Buffer.concat([Buffer.alloc(2000, 0x30).fill(Buffer.from([0x30, 0x80])), Buffer.alloc(2000, 0)]);
    assert.throws(() => readRoot(deep), AsnError);
    assert.throws(() => readRoot(hex('300302010000')), AsnError); // trailing data
  });
});

describe('streaming reader', () => {
  const sample = concat([
    hex('3080'),
    oid('1.2.840.113549.1.9.16.1.23'),
    set(seq(integer(0), octetString(randomBytes(300)))),
    hex('a080'),
    octetString(Buffer.from('một ')),
    octetString(Buffer.from('hai ba')),
    hex('0000'),
    hex('0000'),
  ]);
  async function parse(chunks: Buffer[]): Promise<{ oid: string; set: Buffer; content: string }> {
    const r = StreamReader.from((async function* () {
      yield* chunks;
    })());
    const outer = await r.expectOpen(0x30, 'outer');
    const o = await r.readElement(100);
    const s = await r.readElement(1000);
    const h = await r.readHeader();
    const c = r.open(h);
    const parts: Buffer[] = [];
    while (await r.hasMore(c)) {
      const p = (r.readHeaderSync() ?? (await r.readHeader()));
      for await (const x of r.slices(p.length!)) parts.push(Buffer.from(x));
    }
    await r.leave(c, 'content');
    await r.leave(outer, 'outer');
    assert.equal(await r.atEof(), true);
    return { oid: readOid(o, readRoot(o)), set: s, content: Buffer.concat(parts).toString() };
  }

  test('gives the same result however the input is split', async () => {
    const whole = await parse([Buffer.from(sample)]);
    assert.equal(whole.oid, '1.2.840.113549.1.9.16.1.23');
    assert.equal(whole.content, 'một hai ba');
    for (let cut = 1; cut < sample.length; cut += 7) {
      assert.deepEqual(await parse([Buffer.from(sample.subarray(0, cut)), Buffer.from(sample.subarray(cut))]), whole);
    }
    const bytes = [...sample].map((b) => Buffer.of(b));
    assert.deepEqual(await parse(bytes), whole);
  });

  test('ends early → EndOfInput at every cut', async () => {
    for (let cut = 0; cut < sample.length; cut += 5) {
      await assert.rejects(parse([Buffer.from(sample.subarray(0, cut))]), (e) => e instanceof EndOfInput || e instanceof AsnError);
    }
  });

  test('refuses an element over its size cap', async () => {
    const r = StreamReader.from((async function* () {
      yield Buffer.from(octetString(new Uint8Array(5000)));
    })());
    await assert.rejects(r.readElement(1000), AsnError);
  });
});

describe('names', () => {
  test('UTF8String, BMPString and PrintableString come out as readable Unicode', () => {
    const atv = (o: string, v: Uint8Array) => set(seq(oid(o), v));
    const bmp = Buffer.from('Bộ Quốc phòng', 'utf16le').swap16();
    const name = seq(atv('2.5.4.6', tlv(0x13, Buffer.from('VN'))), atv('2.5.4.10', tlv(0x1e, bmp)), atv('2.5.4.3', tlv(0x0c, Buffer.from('Nguyễn Thị Đào, "Trưởng phòng"'))), atv('0.9.2342.19200300.100.1.1', tlv(0x0c, Buffer.from('CCCD:001234567890'))));
    const attrs = readName(name, readRoot(name));
    assert.equal(formatName(attrs), 'UID=CCCD:001234567890, CN=Nguyễn Thị Đào\\, \\"Trưởng phòng\\", O=Bộ Quốc phòng, C=VN');
  });

  test('decomposed Vietnamese (NFD) is shown composed (NFC)', () => {
    const nfd = 'Hà Nội'.normalize('NFD');
    const name = seq(set(seq(oid('2.5.4.7'), tlv(0x0c, Buffer.from(nfd)))));
    assert.equal(readName(name, readRoot(name))[0]!.value, 'Hà Nội'.normalize('NFC'));
  });
});

describe('algorithm identifiers', () => {
  test('RSA-PSS parameters: written and read back (SHA-256, MGF1-SHA-256, salt 32)', () => {
    const id = signatureAlgorithmId('RSA-PSS-SHA256');
    assert.deepEqual(readSignatureAlgorithm(id, readRoot(id)), { kind: 'rsa-pss', hash: 'SHA-256', saltLength: 32 });
    const pss = seq(oid('1.2.840.113549.1.1.10'), seq()); // all DEFAULT: SHA-1, salt 20
    assert.deepEqual(readSignatureAlgorithm(pss, readRoot(pss)), { kind: 'rsa-pss', hash: 'SHA-1', saltLength: 20 });
  });

  test('RSAES-OAEP parameters per hash, SHA-1 as all-DEFAULT empty SEQUENCE', () => {
    for (const h of ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'] as const) {
      const id = oaepAlgorithmId(h);
      assert.deepEqual(readKeyTransportAlgorithm(id, readRoot(id)), { kind: 'RSA-OAEP', hash: h, mgfHash: h });
    }
    assert.deepEqual(Buffer.from(oaepAlgorithmId('SHA-1')), hex('300d 06092a864886f70d010107 3000'));
    const v15 = seq(oid('1.2.840.113549.1.1.1'), hex('0500'));
    assert.deepEqual(readKeyTransportAlgorithm(v15, readRoot(v15)), { kind: 'RSAES-PKCS1-v1_5' });
  });

  test('rsaEncryption / ecPublicKey as signature algorithm take the hash from digestAlgorithm', () => {
    const rsa = seq(oid('1.2.840.113549.1.1.1'), hex('0500'));
    assert.deepEqual(readSignatureAlgorithm(rsa, readRoot(rsa), 'SHA-384'), { kind: 'rsa-pkcs1', hash: 'SHA-384' });
  });

  test('ECDSA r||s → DER, and the signature verifies', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const data = Buffer.from('dữ liệu');
    for (let i = 0; i < 20; i++) {
      const raw = nodeSign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
      const der = ecdsaRawToDer(raw);
      assert.equal(isDerEcdsaSignature(der), true);
      assert.equal(isDerEcdsaSignature(raw), false);
      assert.equal(checkSignature(publicKey, { kind: 'ecdsa', hash: 'SHA-256' }, data, der), null);
    }
    assert.match(checkSignature(publicKey, { kind: 'ecdsa', hash: 'SHA-1' }, data, new Uint8Array(8)) ?? '', /SHA-1/);
    assert.match(checkSignature(publicKey, { kind: 'rsa-pkcs1', hash: 'SHA-256' }, data, new Uint8Array(8)) ?? '', /does not match/);
  });
});

describe('garbage signatures are typed errors', () => {
  const valid = concat([
    seq(oid('1.2.840.113549.1.7.2'), tlv(0xa0, seq(integer(1), set(), seq(oid('1.2.840.113549.1.7.1')), set(seq(integer(1), seq(seq(), integer(5)), seq(oid('2.16.840.1.101.3.4.2.1')), tlv(0xa0, seq(oid('1.2.840.113549.1.9.4'), set(octetString(createHash('sha256').update('x').digest())))), seq(oid('1.2.840.113549.1.1.11')), octetString(new Uint8Array(4))))))),
  ]);

  test('a structurally valid SignedData parses', () => {
    const sd = parseSignedData(valid);
    assert.equal(sd.signers.length, 1);
  });

  test('every truncation, and random bytes, give MALFORMED_SIGNATURE with a Vietnamese message', async () => {
    const inputs: Uint8Array[] = [new Uint8Array(0), Buffer.from('not a signature'), Buffer.from('-----BEGIN PKCS7-----')];
    for (let cut = 0; cut < valid.length; cut++) inputs.push(valid.subarray(0, cut));
    for (let i = 0; i < 200; i++) inputs.push(randomBytes(1 + (i % 64)));
    for (const input of inputs) {
      await assert.rejects(verifyDetached(input, Buffer.from('x'), { trustAnchors: [] }), (e: unknown) => {
        assert.ok(e instanceof CryptoError, String(e));
        assert.equal(e.code, 'MALFORMED_SIGNATURE');
        assert.ok(e.messageVi.includes('chữ ký'));
        return true;
      });
    }
  });

  test('bit flips give MALFORMED_SIGNATURE or an invalid result, never anything else', async () => {
    for (let i = 0; i < valid.length * 8; i += 3) {
      const b = Buffer.from(valid);
      b[i >> 3]! ^= 1 << (i & 7);
      try {
        const r = await verifyDetached(b, Buffer.from('x'), { trustAnchors: [] });
        assert.equal(r.valid, false);
      } catch (e) {
        assert.ok(e instanceof CryptoError && e.code === 'MALFORMED_SIGNATURE', String(e));
      }
    }
  });
});
