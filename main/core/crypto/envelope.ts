// Encryption for recipients' certificates as CMS AuthEnvelopedData (RFC 5083) with AES-256-GCM
// (RFC 5084), and decryption of that and of EnvelopedData with AES-CBC (what `openssl cms
// -encrypt` makes by default). Both directions stream in constant memory.
//
// Output encoding: indefinite-length BER with the ciphertext as a constructed OCTET STRING of
// chunks, as `openssl cms -stream` writes. Chosen over definite lengths computed from the file
// size because it works for any Readable (pipes, generated content) and cannot go wrong if a file
// changes size while it is read; OpenSSL, Bouncy Castle and our reader all accept it. The small
// header (recipients, algorithm) comes first, so the reader unwraps the key before content arrives.
//
// Decryption writes to a temporary file in a private folder beside the destination (tempFiles.ts)
// and renames it only after the GCM tag verified and the structure ended properly, so
// unauthenticated plaintext never appears under the real name; on any failure the temporary file
// is removed, and what a killed run left is removed by the next one.
import { createCipheriv, createDecipheriv, randomBytes, type CipherGCM, type Decipher, type DecipherGCM } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fsp, type WriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { readAlgorithmId } from './algorithms';
import { StreamReader, type ByteSource, type Container } from './berStream';
import { parseCertificate, type CertificateInfo, type CertInput } from './certificates';
import { children, concat, encodeLength, expectTag, integer, octetString, oid, readOctets, readOid, readRoot, readSmallInt, seq, set } from './der';
import { AsnError, CryptoError, EndOfInput, UnsupportedAlgorithm } from './errors';
import { describeKeyTransport, type KeyTransportAlg, type PrivateKeyOps } from './keyOps';
import { OID } from './oids';
import { privateTempFile, removeTempDirIfEmpty } from './tempFiles';
import { findRecipient, keyTransRecipientInfo, type RecipientSpec } from './recipients';

export type { RecipientSpec } from './recipients';
export type { ByteSource } from './berStream';

/** Read size for files: large reads keep the number of thread-pool round trips low. */
const CHUNK = 1 << 20;
/**
 * Size of each cipher update (and of each OCTET STRING piece we write). Node allocates a fresh
 * output buffer per update; 64 KiB buffers are recycled by malloc, 1 MiB ones are mmap'ed and
 * page-faulted every time, which measured 2x slower here.
 */
const PIECE = 64 << 10;
/** Caps on header elements read into memory, so a hostile file cannot make us buffer much. */
const MAX_RECIPIENT_INFOS = 4 << 20;
const MAX_SMALL_ELEMENT = 64 << 10;

const INDEFINITE = (tag: number) => Uint8Array.of(tag, 0x80);
const EOC = Uint8Array.of(0, 0);

export interface EncryptOptions {
  /** Certificates (or certificate + OAEP choice) of everyone who may open the file. */
  recipients: readonly (CertInput | RecipientSpec)[];
}

export interface EncryptResult {
  plaintextBytes: number;
}

const toSpec = (r: CertInput | RecipientSpec): RecipientSpec =>
  typeof r === 'object' && !(r instanceof Uint8Array) && 'certificate' in r ? r : { certificate: r };

/**
 * Encrypts `input` to `output` as ContentInfo(AuthEnvelopedData). `output` is ended when done
 * (or destroyed on error), as stream.pipeline does.
 */
export async function encryptStream(input: ByteSource, output: Writable, opts: EncryptOptions): Promise<EncryptResult> {
  if (opts.recipients.length === 0) throw new CryptoError('UNSUITABLE_CERTIFICATE', 'at least one recipient is required', 'Cần chọn ít nhất một người nhận.');
  const specs = opts.recipients.map(toSpec).map((s) => ({ ...s, certificate: parseCertificate(s.certificate) }));
  const cek = randomBytes(32);
  const nonce = randomBytes(12); // a fresh key per file, so a random 96-bit nonce never repeats under it
  let recipientInfos: Uint8Array;
  let cipher: CipherGCM;
  try {
    recipientInfos = set(...specs.map((s) => keyTransRecipientInfo(s, cek)));
    cipher = createCipheriv('aes-256-gcm', cek, nonce, { authTagLength: 16 });
  } finally {
    cek.fill(0);
  }

  const header = concat([
    INDEFINITE(0x30), // ContentInfo
    oid(OID.authEnvelopedData),
    INDEFINITE(0xa0), // [0] EXPLICIT content
    INDEFINITE(0x30), // AuthEnvelopedData
    integer(0), // version: always 0 (RFC 5083)
    recipientInfos,
    INDEFINITE(0x30), // authEncryptedContentInfo
    oid(OID.data),
    // GCMParameters { nonce, aes-ICVlen 16 }: 16 is not the DEFAULT (12), so it is written.
    seq(oid(OID.aes256GCM), seq(octetString(nonce), integer(16))),
    INDEFINITE(0xa0), // [0] IMPLICIT encryptedContent, constructed OCTET STRING
  ]);

  // A plain loop with write()/drain rather than Readable.from(generator) + pipeline: the latter
  // measured at half the throughput here (one stream hop per 64 KiB piece).
  const out = writerFor(output);
  let plaintextBytes = 0;
  try {
    await out.write(header);
    for await (const chunk of input) {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      for (let off = 0; off < b.length; off += PIECE) {
        const piece = b.subarray(off, Math.min(b.length, off + PIECE));
        plaintextBytes += piece.length;
        const ct = cipher.update(piece);
        if (ct.length) {
          await out.write(concat([Uint8Array.of(0x04), encodeLength(ct.length)]));
          await out.write(ct);
        }
      }
    }
    const last = cipher.final(); // empty for GCM
    if (last.length) await out.write(octetString(last));
    // end of encryptedContent and of authEncryptedContentInfo; mac; end of AuthEnvelopedData, [0], ContentInfo
    await out.write(concat([EOC, EOC, octetString(cipher.getAuthTag()), EOC, EOC, EOC]));
    await out.end();
  } catch (e) {
    out.abort(e);
    throw e;
  }
  return { plaintextBytes };
}

/** Encrypts a file; the result appears under `outPath` only once complete. */
export async function encryptFile(inPath: string, outPath: string, opts: EncryptOptions & { durable?: boolean }): Promise<EncryptResult> {
  return writeAtomically(outPath, opts.durable ?? true, (ws) => encryptStream(readReusingBuffers(inPath), ws, opts));
}

/**
 * Reads a file into two alternating buffers, the next read in flight while the caller works on
 * the current chunk: no fresh 1 MiB allocation (and page faults) per read, about 10% less CPU
 * than createReadStream here. Only for consumers that are done with a chunk when they ask for
 * the next one, as encryptStream is (cipher.update copies).
 */
async function* readReusingBuffers(path: string): AsyncGenerator<Buffer> {
  const fh = await fsp.open(path, 'r');
  const bufs = [Buffer.allocUnsafeSlow(CHUNK), Buffer.allocUnsafeSlow(CHUNK)] as const;
  let i = 0;
  let pending: Promise<{ bytesRead: number }> | null = fh.read(bufs[0], 0, CHUNK, null);
  try {
    for (;;) {
      const { bytesRead } = await pending;
      pending = null;
      if (bytesRead === 0) return;
      const cur = bufs[i]!;
      i ^= 1;
      pending = fh.read(bufs[i]!, 0, CHUNK, null);
      yield cur.subarray(0, bytesRead);
    }
  } finally {
    await pending?.catch(() => undefined);
    await fh.close();
  }
}

// ---------- decryption ----------

export interface DecryptOptions {
  key: PrivateKeyOps;
  /**
   * Accept RSAES-PKCS1-v1_5 key transport (what `openssl cms -encrypt` uses without
   * `-keyopt rsa_padding_mode:oaep`). Off by default: v1.5 decryption invites padding oracles.
   */
  allowPkcs1v15KeyTransport?: boolean;
  /** fsync the plaintext before renaming it into place. Default true. */
  durable?: boolean;
}

export interface DecryptResult {
  format: 'AuthEnvelopedData' | 'EnvelopedData';
  contentEncryption: string;
  keyTransport: string;
  /** true for AES-GCM (tag verified); false for AES-CBC, which detects no tampering at all. */
  authenticated: boolean;
  contentType: string;
  plaintextBytes: number;
}

interface ContentAlg {
  name: string;
  cipher: 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm' | 'aes-128-cbc' | 'aes-192-cbc' | 'aes-256-cbc';
  keyLength: number;
  iv: Uint8Array;
  gcm: boolean;
  icvLen: number;
}

const GCM: Record<string, [ContentAlg['cipher'], number]> = { [OID.aes128GCM]: ['aes-128-gcm', 16], [OID.aes192GCM]: ['aes-192-gcm', 24], [OID.aes256GCM]: ['aes-256-gcm', 32] };
const CBC: Record<string, [ContentAlg['cipher'], number]> = { [OID.aes128CBC]: ['aes-128-cbc', 16], [OID.aes192CBC]: ['aes-192-cbc', 24], [OID.aes256CBC]: ['aes-256-cbc', 32] };

function readContentAlgorithm(der: Uint8Array, authenticated: boolean): ContentAlg {
  const a = readAlgorithmId(der, readRoot(der), 'contentEncryptionAlgorithm');
  const gcm = GCM[a.oid];
  const cbc = CBC[a.oid];
  if (gcm && authenticated) {
    const [nonceT, icvT, ...rest] = children(der, expectTag(a.params, 0x30, 'GCMParameters'));
    if (rest.length) throw new AsnError('GCMParameters: too many fields');
    const iv = readOctets(der, nonceT, 'aes-nonce');
    const icvLen = icvT ? readSmallInt(der, icvT, 'aes-ICVlen') : 12; // DEFAULT 12 (RFC 5084)
    if (iv.length !== 12) throw new UnsupportedAlgorithm(`AES-GCM nonce of ${iv.length} bytes (only 12 is supported)`);
    if (icvLen < 12 || icvLen > 16) throw new UnsupportedAlgorithm(`AES-GCM tag of ${icvLen} bytes (12 to 16 are accepted)`);
    return { name: gcm[0].toUpperCase(), cipher: gcm[0], keyLength: gcm[1], iv, gcm: true, icvLen };
  }
  if (cbc && !authenticated) {
    const iv = readOctets(der, a.params, 'AES-CBC IV');
    if (iv.length !== 16) throw new AsnError('AES-CBC IV must be 16 bytes');
    return { name: cbc[0].toUpperCase(), cipher: cbc[0], keyLength: cbc[1], iv, gcm: false, icvLen: 0 };
  }
  throw new UnsupportedAlgorithm(`content encryption ${a.oid} is not supported in ${authenticated ? 'AuthEnvelopedData' : 'EnvelopedData'}`);
}

const tampered = (detail: string) =>
  new CryptoError('TAMPERED', `decryption failed: ${detail}; the file was changed, corrupted, or not encrypted with this key`, 'Tệp mã hóa đã bị thay đổi hoặc hư hỏng; không thể giải mã an toàn.');

interface EnvelopeHeader {
  format: DecryptResult['format'];
  contentInfo: Container;
  explicit: Container;
  envelope: Container;
  eci: Container;
  recipientInfos: Buffer;
  contentType: string;
  alg: ContentAlg;
}

const readSmall = (r: StreamReader, max = MAX_SMALL_ELEMENT): Promise<Buffer> => r.readElement(max);

async function readEnvelopeHeader(r: StreamReader): Promise<EnvelopeHeader> {
  const contentInfo = await r.expectOpen(0x30, 'ContentInfo');
  const typeDer = await readSmall(r);
  const type = readOid(typeDer, readRoot(typeDer), 'contentType');
  let format: EnvelopeHeader['format'];
  if (type === OID.authEnvelopedData) format = 'AuthEnvelopedData';
  else if (type === OID.envelopedData) format = 'EnvelopedData';
  else if (type === OID.signedData) throw new CryptoError('MALFORMED_ENVELOPE', 'this is a CMS SignedData (a signature), not an encrypted file', 'Tệp này là chữ ký số, không phải tệp mã hóa.');
  else throw new CryptoError('MALFORMED_ENVELOPE', `not an encrypted CMS file (content type ${type})`, 'Tệp không phải là tệp mã hóa CMS.');
  const explicit = await r.expectOpen(0xa0, 'content');
  const envelope = await r.expectOpen(0x30, format);
  const vDer = await readSmall(r, 16);
  readSmallInt(vDer, readRoot(vDer), 'version');
  if ((await r.peekTag()) === 0xa0) await r.readElement(MAX_RECIPIENT_INFOS); // originatorInfo: not needed for key transport
  const recipientInfos = await r.readElement(MAX_RECIPIENT_INFOS);
  if (recipientInfos[0] !== 0x31) throw new AsnError('recipientInfos: expected a SET');
  const eci = await r.expectOpen(0x30, 'EncryptedContentInfo');
  const ctDer = await readSmall(r);
  const contentType = readOid(ctDer, readRoot(ctDer), 'EncryptedContentInfo.contentType');
  const alg = readContentAlgorithm(await readSmall(r), format === 'AuthEnvelopedData');
  return { format, contentInfo, explicit, envelope, eci, recipientInfos, contentType, alg };
}

/**
 * Feeds the encryptedContent [0] (primitive, or constructed from OCTET STRING pieces) to `sink`.
 * `sink` returns a promise only when it has to wait (for the disk), so buffered input is consumed
 * without a microtask per piece.
 */
async function readEncryptedContent(r: StreamReader, sink: (b: Buffer) => Promise<void> | null): Promise<void> {
  const tag = await r.peekTag();
  if (tag === null) throw new EndOfInput();
  if (tag !== 0x80 && tag !== 0xa0) throw new UnsupportedAlgorithm('detached encrypted content (no encryptedContent) is not supported');
  const primitive = async (length: number) => {
    for (let left = length; left > 0; ) {
      const s = r.takeBuffered(left);
      if (!s) {
        await r.more();
        continue;
      }
      left -= s.length;
      const w = sink(s);
      if (w) await w;
    }
  };
  const h = await r.readHeader();
  if (tag === 0x80) return primitive(h.length!);
  const pieces = async (c: Container, depth: number): Promise<void> => {
    for (;;) {
      const more = r.hasMoreSync(c) ?? (await r.hasMore(c));
      if (!more) break;
      const p = r.readHeaderSync() ?? (await r.readHeader());
      if (p.tag === 0x04) await primitive(p.length!);
      else if (p.tag === 0x24 && depth < 4) await pieces(r.open(p), depth + 1);
      else throw new AsnError(`encryptedContent: unexpected element 0x${p.tag.toString(16)}`);
    }
    await r.leave(c, 'encryptedContent');
  };
  await pieces(r.open(h), 0);
}

function mapError(e: unknown): unknown {
  if (e instanceof CryptoError) return e;
  if (e instanceof EndOfInput) return new CryptoError('TRUNCATED', 'the encrypted file is truncated', 'Tệp mã hóa bị cắt cụt (không đầy đủ).', { cause: e });
  if (e instanceof UnsupportedAlgorithm) return new CryptoError('UNSUPPORTED_ALGORITHM', e.message, 'Tệp mã hóa dùng thuật toán không được hỗ trợ.', { cause: e });
  if (e instanceof AsnError) return new CryptoError('MALFORMED_ENVELOPE', `malformed encrypted file: ${e.message}`, 'Tệp mã hóa bị hỏng hoặc không đúng định dạng CMS.', { cause: e });
  return e; // I/O errors, and errors from the key (token bridge), unchanged
}

/** Picks our recipient entry, applies policy, and has the key unwrap the content key. */
async function openContentKey(h: EnvelopeHeader, cert: CertificateInfo, opts: DecryptOptions): Promise<{ decipher: Decipher; keyTransport: KeyTransportAlg }> {
  const { found, summary } = findRecipient(h.recipientInfos, cert);
  if (!found) {
    throw new CryptoError(
      'NOT_A_RECIPIENT',
      `the file is not encrypted for certificate "${cert.subject}" (serial ${cert.serialNumber}); it has ${summary.keyTrans + summary.other} other recipient(s)`,
      'Tệp này không được mã hóa cho chứng thư số của bạn, nên bạn không thể mở được.',
    );
  }
  const kt = found.alg;
  if (kt.kind === 'RSAES-PKCS1-v1_5' && !opts.allowPkcs1v15KeyTransport) {
    throw new CryptoError('POLICY_REFUSED', 'the content key is wrapped with RSAES-PKCS1-v1_5, which policy does not allow; the sender should use RSA-OAEP', 'Tệp dùng cách bọc khóa RSA PKCS#1 v1.5 không được chính sách cho phép. Đề nghị bên gửi mã hóa lại bằng RSA-OAEP.');
  }
  // Ask first: a token that cannot do these OAEP parameters gets a clear message, not a CKR_ code.
  if (opts.key.supports && !(await opts.key.supports(kt))) {
    throw new CryptoError('UNSUPPORTED_ALGORITHM', `the key cannot do ${describeKeyTransport(kt)}, which this file uses for your certificate; the sender should encrypt for you with parameters your token supports (e.g. RSA-OAEP SHA-1)`, 'Thiết bị ký số của bạn không hỗ trợ thuật toán mà tệp này dùng. Đề nghị bên gửi mã hóa lại với tham số phù hợp.');
  }
  const cek = await opts.key.unwrapKey(kt, found.encryptedKey);
  try {
    if (cek.length !== h.alg.keyLength) throw tampered(`the unwrapped key has ${cek.length} bytes, ${h.alg.name} needs ${h.alg.keyLength}`);
    const decipher = h.alg.gcm
      ? createDecipheriv(h.alg.cipher as 'aes-256-gcm', cek, h.alg.iv, { authTagLength: h.alg.icvLen })
      : createDecipheriv(h.alg.cipher, cek, h.alg.iv);
    return { decipher, keyTransport: kt };
  } finally {
    cek.fill(0);
  }
}

/**
 * Decrypting sink: small input pieces (openssl -stream writes 4 KiB) are gathered to PIECE before
 * each decipher.update, large ones cut to PIECE. Returns a promise only when it had to write.
 */
function decryptingSink(decipher: Decipher, out: Writer) {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let plaintextBytes = 0;
  const update = (b: Buffer): Promise<void> | null => {
    const plain = decipher.update(b);
    plaintextBytes += plain.length;
    return plain.length ? out.write(plain) : null;
  };
  const flush = (): Promise<void> | null => {
    if (pendingBytes === 0) return null;
    const b = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    return update(b);
  };
  const sink = (s: Buffer): Promise<void> | null => {
    if (s.length < PIECE) {
      pending.push(s);
      pendingBytes += s.length;
      return pendingBytes >= PIECE ? flush() : null;
    }
    return (async () => {
      await flush();
      for (let off = 0; off < s.length; off += PIECE) await update(s.subarray(off, Math.min(s.length, off + PIECE)));
    })();
  };
  const finish = async (last: Buffer) => {
    await flush();
    plaintextBytes += last.length;
    if (last.length) await out.write(last);
  };
  return { sink, flush, finish, bytes: () => plaintextBytes };
}

/** After the content: reads the tag (GCM) and checks it, skips optional attributes, ends the structure. */
async function finishEnvelope(r: StreamReader, h: EnvelopeHeader, decipher: Decipher): Promise<Buffer> {
  await r.leave(h.eci, 'EncryptedContentInfo');
  let last: Buffer;
  if (h.alg.gcm) {
    // authAttrs would be GCM additional data, needed before the content: not possible in one pass.
    if ((await r.peekTag()) === 0xa1) throw new UnsupportedAlgorithm('authenticated attributes (authAttrs) are not supported');
    const macDer = await r.readElement(256);
    const mac = readOctets(macDer, readRoot(macDer), 'mac');
    if (mac.length !== h.alg.icvLen) throw tampered(`the tag has ${mac.length} bytes, ${h.alg.icvLen} were declared`);
    (decipher as DecipherGCM).setAuthTag(mac);
    try {
      last = decipher.final();
    } catch {
      throw tampered('the AES-GCM authentication tag does not match');
    }
    if ((await r.hasMore(h.envelope)) && (await r.peekTag()) === 0xa2) await r.readElement(MAX_RECIPIENT_INFOS); // unauthAttrs
  } else {
    try {
      last = decipher.final();
    } catch {
      throw tampered('the AES-CBC padding is invalid');
    }
    if ((await r.hasMore(h.envelope)) && (await r.peekTag()) === 0xa1) await r.readElement(MAX_RECIPIENT_INFOS); // unprotectedAttrs
  }
  await r.leave(h.envelope, h.format);
  await r.leave(h.explicit, 'ContentInfo.content');
  await r.leave(h.contentInfo, 'ContentInfo');
  if (!(await r.atEof())) throw new AsnError('data after the end of the CMS structure');
  return last;
}

/**
 * Decrypts a CMS AuthEnvelopedData (AES-GCM) or EnvelopedData (AES-CBC) read from `input` into
 * `destPath` using `opts.key`. Throws CryptoError TRUNCATED, TAMPERED, NOT_A_RECIPIENT,
 * UNSUPPORTED_ALGORITHM, POLICY_REFUSED or MALFORMED_ENVELOPE; errors from the key pass through.
 * On failure nothing is left at `destPath` or beside it.
 */
export async function decryptToFile(input: ByteSource, destPath: string, opts: DecryptOptions): Promise<DecryptResult> {
  const cert = parseCertificate(opts.key.certificate);
  const r = StreamReader.from(input);
  try {
    const h = await readEnvelopeHeader(r);
    const { decipher, keyTransport } = await openContentKey(h, cert, opts);
    const plaintextBytes = await writeAtomically(destPath, opts.durable ?? true, async (ws) => {
      const out = writerFor(ws);
      const d = decryptingSink(decipher, out);
      await readEncryptedContent(r, d.sink);
      await d.flush();
      // The tag is checked (and the structure's end read) before the stream is ended, so a
      // failure here means the temporary file is removed, never renamed.
      await d.finish(await finishEnvelope(r, h, decipher));
      await out.end();
      return d.bytes();
    });
    return {
      format: h.format,
      contentEncryption: h.alg.name,
      keyTransport: describeKeyTransport(keyTransport),
      authenticated: h.alg.gcm,
      contentType: h.contentType,
      plaintextBytes,
    };
  } catch (e) {
    throw mapError(e);
  } finally {
    await r.release();
  }
}

/**
 * Decrypts a small envelope (key material, at most `maxBytes` of plaintext) into memory. Only
 * authenticated (AES-GCM) envelopes are accepted: key material must never come from CBC.
 */
export async function decryptToBuffer(input: ByteSource, opts: DecryptOptions & { maxBytes: number }): Promise<Buffer> {
  const cert = parseCertificate(opts.key.certificate);
  const r = StreamReader.from(input);
  const parts: Buffer[] = [];
  let size = 0;
  const collect: Writer = {
    async write(b) {
      size += b.length;
      if (size > opts.maxBytes) throw new AsnError(`plaintext larger than ${opts.maxBytes} bytes`);
      parts.push(Buffer.from(b));
    },
    async end() {},
    abort() {},
  };
  try {
    const h = await readEnvelopeHeader(r);
    if (!h.alg.gcm) throw new UnsupportedAlgorithm('key material must be in an authenticated (AES-GCM) envelope');
    const { decipher } = await openContentKey(h, cert, opts);
    const d = decryptingSink(decipher, collect);
    await readEncryptedContent(r, d.sink);
    await d.flush();
    await d.finish(await finishEnvelope(r, h, decipher));
    return Buffer.concat(parts);
  } catch (e) {
    for (const p of parts) p.fill(0);
    throw mapError(e);
  } finally {
    await r.release();
  }
}

/**
 * The RecipientInfos SET (DER) of an envelope, read from its header alone: who it is addressed to
 * (issuer and serial number of each certificate), without any key and without decrypting anything.
 */
export async function readRecipientInfos(input: ByteSource): Promise<Uint8Array> {
  const r = StreamReader.from(input);
  try {
    return (await readEnvelopeHeader(r)).recipientInfos;
  } catch (e) {
    throw mapError(e);
  } finally {
    await r.release();
  }
}

/** Whether a RecipientInfos SET (from readRecipientInfos) has an entry for this certificate. */
export function isAddressedTo(recipientInfos: Uint8Array, certificate: CertInput): boolean {
  try {
    return findRecipient(recipientInfos, parseCertificate(certificate)).found !== null;
  } catch (e) {
    throw mapError(e);
  }
}

/** Decrypts a file (see decryptToFile). */
export async function decryptFile(inPath: string, destPath: string, opts: DecryptOptions): Promise<DecryptResult> {
  return decryptToFile(createReadStream(inPath, { highWaterMark: CHUNK }), destPath, opts);
}

// ---------- writing files atomically ----------

interface Writer {
  /** Writes, waiting for 'drain' when the stream's buffer is full (bounded memory). */
  write(b: Uint8Array): Promise<void>;
  /** Ends the stream and waits until everything is flushed. */
  end(): Promise<void>;
  /** Destroys the stream after a failure. */
  abort(e: unknown): void;
}

function writerFor(ws: Writable): Writer {
  let failed: unknown = null;
  const onError = (e: unknown) => {
    failed ??= e;
  };
  ws.on('error', onError);
  const wait = (event: 'drain' | 'finish') =>
    new Promise<void>((resolve, reject) => {
      const done = (err?: unknown) => {
        ws.off(event, onEvent);
        ws.off('close', onClose);
        ws.off('error', done);
        if (err) reject(err);
        else resolve();
      };
      const onEvent = () => done();
      const onClose = () => done(failed ?? ws.errored ?? new Error('output stream closed early'));
      ws.on(event, onEvent);
      ws.on('close', onClose);
      ws.on('error', done);
    });
  return {
    async write(b) {
      if (failed) throw failed;
      if (ws.destroyed) throw ws.errored ?? new Error('output stream closed early');
      if (!ws.write(b)) await wait('drain');
    },
    async end() {
      if (failed) throw failed;
      const finished = wait('finish');
      ws.end();
      await finished;
    },
    abort(e) {
      if (!ws.destroyed) ws.destroy(e instanceof Error ? e : new Error(String(e)));
    },
  };
}

/**
 * Runs `work` against a write stream on a temporary file in the private folder beside `destPath`
 * (same directory tree, so the rename is atomic), then renames it into place; removes it if
 * anything fails.
 */
async function writeAtomically<T>(destPath: string, durable: boolean, work: (ws: WriteStream) => Promise<T>): Promise<T> {
  const { dir, file: tmp } = await privateTempFile(destPath);
  // 'wx': never follow or reuse an existing file; 0600: plaintext readable by the user only.
  const ws = createWriteStream(tmp, { flags: 'wx', mode: 0o600, flush: durable, highWaterMark: CHUNK });
  let error: unknown = null;
  ws.on('error', (e) => {
    error ??= e;
  });
  const closed = new Promise<void>((res) => ws.once('close', () => res()));
  try {
    const result = await work(ws);
    if (!ws.writableEnded) ws.end();
    await closed; // with `flush`, the data is fsynced before close
    if (error) throw error;
    await fsp.rename(tmp, destPath);
    return result;
  } catch (e) {
    ws.destroy();
    await closed;
    await fsp.rm(tmp, { force: true });
    throw e;
  } finally {
    await removeTempDirIfEmpty(dir);
  }
}
