// A person's signature image (Nghị định 30/2020 Phụ lục I): set by the person or an administrator for
// them, through the IPC router; sniffed and checked (a real PNG chunk by chunk, a JPEG made by poppler's
// pdftoppm walked marker by marker; size and dimension limits); kept in the SQLCipher base, replicated
// as a record; another person can neither read nor set it (refused and audited, nothing changed). The
// signer's PAdES signature, made on a SoftHSM key, shows it: pdfimages lists it, the page rendered by
// pdftoppm has its ink inside the signature's rectangle, "Đã ký số" is no longer written; pdfsig: valid.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SignatureImageView } from '../../common/contract';
import { outgoingCreateSchema } from '../../common/schemas';
import { writeTx } from '../../main/core/db/transaction';
import { eventsSince } from '../../main/core/events/eventLog';
import { bindCertificates } from '../../main/core/org/certificates';
import { checkSignatureImage } from '../../main/core/org/signatureImage';
import { actorFor, getUser } from '../../main/core/org/users';
import { encodePng } from '../../main/core/outgoing/seal';
import { SessionGuard } from '../../main/core/session/guard';
import { TokenService } from '../../main/core/session/tokens';
import { tokenKeyOps } from '../../main/core/token/tokenKeyOps';
import { makeSamplePdf } from '../../main/devhost/samplePdf';
import { createRouter } from '../../main/ipc/router';
import { TokenBridge } from '../../native/bridge/client';
import { createSoftHsm, keyOf, type SoftHsm } from '../fixtures/softhsm/tokens';
import { newDesk, stageBytes } from '../helpers/desk';
import { addPerson } from '../helpers/people';

/** A handwritten-looking stroke in dark blue on a transparent background. */
function signaturePng(width = 240, height = 90): Buffer {
  const rgba = new Uint8Array(width * height * 4);
  for (let x = 8; x < width - 8; x++) {
    const yc = height / 2 + Math.sin(x / 14) * (height / 4) * Math.cos(x / 47);
    for (let y = Math.floor(yc - 3); y <= Math.ceil(yc + 3); y++) rgba.set([20, 40, 170, 255], (y * width + x) * 4);
  }
  return encodePng(width, height, rgba);
}

let dir = '';
let hsm: SoftHsm;
let bridge: TokenBridge;
let env: Awaited<ReturnType<typeof newDesk>>;
let call: ReturnType<typeof createRouter>;
let people: { signer: Awaited<ReturnType<typeof addPerson>>; other: Awaited<ReturnType<typeof addPerson>>; it: Awaited<ReturnType<typeof addPerson>>; lowIt: Awaited<ReturnType<typeof addPerson>> };

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'signature-image-'));
  hsm = await createSoftHsm({ tokens: ['userRsa'] });
  bridge = new TokenBridge({ env: hsm.env });
  await bridge.login(hsm.modulePath, { serial: hsm.tokens.userRsa.serial }, hsm.tokens.userRsa.pin);
  env = await newDesk('state');
  const guard = new SessionGuard(env.desk, new TokenService(new TokenBridge(), async () => []));
  call = createRouter({ desk: env.desk, guard, attachmentUrl: (t) => `app://securedesk/blob/${t}` });
  people = {
    signer: await addPerson(env.desk, { fullName: 'Nguyễn Văn An', role: 'lanh_dao', clearance: 'tuyet_mat', position: 'Chủ tịch' }),
    other: await addPerson(env.desk, { fullName: 'Đặng Văn Lạ', role: 'chuyen_vien', clearance: 'tuyet_mat' }),
    it: await addPerson(env.desk, { fullName: 'Vũ Quản Trị', role: 'quan_tri', clearance: 'tuyet_mat' }),
    lowIt: await addPerson(env.desk, { fullName: 'Phan Quản Trị', role: 'quan_tri', clearance: 'mat' }),
  };
});
after(async () => {
  env?.cleanup();
  await bridge?.close();
  await hsm?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

async function as(who: keyof typeof people): Promise<void> {
  if (env.desk.session) env.desk.lock('manual');
  await env.desk.unlock(people[who].identity);
}

const row = () => env.desk.db.prepare('SELECT sha256, set_by FROM signature_images WHERE user_id = ?').get(people.signer.id) as { sha256: string; set_by: number } | undefined;

describe('the signature image', () => {
  it('is sniffed and checked: PNG and JPEG taken, anything else refused with the reason', async () => {
    assert.deepEqual(await checkSignatureImage(signaturePng()), { mime: 'image/png', width: 240, height: 90 });
    const pdf = join(dir, 'p.pdf');
    writeFileSync(pdf, await makeSamplePdf({ issuer: 'Ủy ban nhân dân tỉnh', numberSymbol: '', title: 'CHỮ KÝ', subject: 'Mẫu' }));
    execFileSync('pdftoppm', ['-jpeg', '-r', '30', '-f', '1', '-l', '1', '-singlefile', pdf, join(dir, 'sig')]);
    const jpeg = readFileSync(join(dir, 'sig.jpg'));
    const info = await checkSignatureImage(jpeg);
    assert.equal(info.mime, 'image/jpeg');
    assert.ok(info.width > 200 && info.height > info.width, JSON.stringify(info));
    // The same images as views at an offset into a larger buffer (what a small Node Buffer from the
    // shared pool is): pdf-lib's JPEG reader ignored the offset and refused them ("SOI not found").
    for (const bytes of [jpeg, signaturePng()]) {
      const big = Buffer.alloc(bytes.length + 37, 0x55);
      bytes.copy(big, 37);
      assert.deepEqual(await checkSignatureImage(big.subarray(37)), await checkSignatureImage(Buffer.from(bytes)));
    }
    const png = signaturePng();
    const corrupt = Buffer.from(png);
    corrupt[40] = corrupt[40]! ^ 0xff;
    const cases: Array<[string, Uint8Array, RegExp]> = [
      ['GIF', Buffer.from('GIF89a\x01\x00\x01\x00'), /chỉ nhận ảnh PNG/],
      ['a PDF named .png', readFileSync(pdf), /chỉ nhận ảnh PNG/],
      ['empty', Buffer.alloc(0), /tệp rỗng/],
      ['PNG with a bad CRC', corrupt, /bị hỏng/],
      ['truncated PNG', png.subarray(0, png.length - 30), /cắt cụt|bị hỏng/],
      ['JPEG cut before its end', jpeg.subarray(0, jpeg.length - 100), /cắt cụt/],
      ['JPEG with no frame', Buffer.from([0xff, 0xd8, 0xff, 0xda, 0x00, 0x02, 0x00, 0xff, 0xd9]), /bị hỏng/],
      ['tiny', encodePng(16, 16, new Uint8Array(16 * 16 * 4)), /kích thước/],
      ['too wide', encodePng(2100, 40, new Uint8Array(2100 * 40 * 4)), /kích thước/],
      ['too large', Buffer.concat([png.subarray(0, 8), Buffer.alloc(600 * 1024)]), /lớn hơn 512 KB/],
    ];
    for (const [name, bytes, reason] of cases) {
      await assert.rejects(checkSignatureImage(bytes), (e: Error & { key?: string }) => {
        assert.equal(e.key, 'person.signatureImageInvalid', `${name}: ${e.message}`);
        assert.match(e.message, /^Ảnh chữ ký không dùng được: /);
        assert.match(e.message, reason, name);
        return true;
      }, name);
    }
  });

  it('through the router: only the person or an administrator cleared for them reads or sets it; others refused, audited, nothing changed', async () => {
    const image = signaturePng().toString('base64');
    await as('other');
    for (const [channel, input] of [['people.setSignatureImage', { userId: people.signer.id, image }], ['people.signatureImage', { userId: people.signer.id }], ['people.setSignatureImage', { userId: people.signer.id, image: null }]] as const) {
      const r = await call(channel, input);
      assert.ok(!r.ok && r.error.code === 'FORBIDDEN' && r.error.key === 'person.signatureImageNotYours', JSON.stringify(r));
      if (!r.ok) assert.equal(r.error.message, 'Chỉ chính người đó hoặc quản trị viên mới xem và đặt được ảnh chữ ký của Nguyễn Văn An.');
    }
    assert.equal(row(), undefined, 'nothing set');
    const refusals = env.desk.db.prepare("SELECT count(*) FROM audit_log WHERE outcome = 'refused' AND reason = 'person.signatureImageNotYours' AND user_id = ? AND entity_id = ?").pluck().get(people.other.id, people.signer.id) as number;
    assert.ok(refusals >= 3, `refusals audited: ${refusals}`);
    // Bad input never reaches the core.
    const bad = await call('people.setSignatureImage', { userId: people.signer.id, image: 'not base64!' });
    assert.ok(!bad.ok && bad.error.code === 'VALIDATION', JSON.stringify(bad));
    // An administrator cleared below the person may not (binding or imaging someone above one's clearance).
    await as('lowIt');
    const low = await call('people.setSignatureImage', { userId: people.signer.id, image });
    assert.ok(!low.ok && low.error.code === 'FORBIDDEN' && low.error.key === 'user.clearanceAbove', JSON.stringify(low));
    // The administrator sets it for them.
    await as('it');
    const set = await call('people.setSignatureImage', { userId: people.signer.id, image });
    assert.ok(set.ok, JSON.stringify(set));
    const v = (set as { value: SignatureImageView }).value;
    assert.deepEqual([v.mime, v.width, v.height, v.setByName], ['image/png', 240, 90, 'Vũ Quản Trị']);
    assert.equal(row()!.set_by, people.it.id);
    // A wrong file from the administrator is refused with its reason; the stored image stays.
    const gif = await call('people.setSignatureImage', { userId: people.signer.id, image: Buffer.from('GIF89a....').toString('base64') });
    assert.ok(!gif.ok && gif.error.key === 'person.signatureImageInvalid', JSON.stringify(gif));
    assert.equal(row()!.sha256, v.sha256);
    // The person reads and replaces their own; the other person still reads nothing of it.
    await as('signer');
    const own = await call('people.signatureImage', { userId: people.signer.id });
    assert.ok(own.ok && (own.value as SignatureImageView).data === image, 'the person reads their own image');
    const again = await call('people.setSignatureImage', { userId: people.signer.id, image });
    assert.ok(again.ok, JSON.stringify(again));
    await as('other');
    const peek = await call('people.signatureImage', { userId: people.signer.id });
    assert.ok(!peek.ok && peek.error.code === 'FORBIDDEN', JSON.stringify(peek));
    // Stored in the encrypted base as a replicated record (create, then update events), audited by hash.
    const events = eventsSince(env.desk.db, 0).filter((e) => e.entity === 'signature_images');
    assert.deepEqual(events.map((e) => e.kind), ['create', 'update']);
    const audits = env.desk.db.prepare("SELECT details FROM audit_log WHERE action = 'person.signatureImage.set' AND outcome = 'ok'").pluck().all() as string[];
    assert.equal(audits.length, 2);
    assert.ok(audits.every((d) => d.includes(v.sha256) && !d.includes(image.slice(0, 40))), 'the audit names the hash, never the image');
  });

  it('the signer\'s PAdES signature (SoftHSM key) shows the image: pdfimages lists it, pdftoppm renders its ink in the signature\'s box; pdfsig: valid', async () => {
    await as('signer');
    const desk = env.desk;
    const cert = keyOf(hsm.tokens.userRsa, 'an-sign').certDer;
    const key = tokenKeyOps(bridge, { module: hsm.modulePath, slot: { serial: hsm.tokens.userRsa.serial }, keyId: '01', certificate: cert });
    writeTx(desk.db, () => bindCertificates(desk.db, people.signer.id, [cert], people.it.id, new Date(), 'administrator'));
    const signer = actorFor(getUser(desk.db, people.signer.id)!);
    const staged = await stageBytes(desk, signer, await makeSamplePdf({ issuer: 'Ủy ban nhân dân tỉnh', numberSymbol: '     /QĐ-UBND', title: 'QUYẾT ĐỊNH', subject: 'Về việc thử chữ ký' }), 'qd.pdf');
    const d = await desk.outgoing.create(signer, outgoingCreateSchema.parse({ typeCode: 'QĐ', subject: 'Về việc thử chữ ký', secrecy: 'thuong', signerId: signer.id, stagedIds: [staged.stagedId] }));
    await desk.outgoing.submit(signer, { id: d.id, comment: '' });
    await desk.outgoing.signAsSigner(signer, d.id, key);
    const blob = desk.outgoing.signatureBlobs(signer, d.id)[0]!;
    const chunks: Buffer[] = [];
    for await (const c of desk.context().storeFor('thuong').openBlob(blob.signedSha256!)) chunks.push(c as Buffer);
    const path = join(dir, 'signed.pdf');
    writeFileSync(path, Buffer.concat(chunks));
    const list = execFileSync('pdfimages', ['-list', path], { encoding: 'utf8' });
    assert.match(list, /\simage\s+240\s+90\s+rgb\s/, list);
    assert.match(list, /\ssmask\s+240\s+90\s+gray\s/, 'its transparency kept as a soft mask');
    // Rendered at 72 dpi: the blue stroke inside the signature's rectangle (x 330–550, y 80–160 from the bottom).
    const ppm = execFileSync('pdftoppm', ['-r', '72', '-f', '1', '-l', '1', path], { maxBuffer: 64 << 20 });
    const m = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(ppm.toString('latin1', 0, 40))!;
    const [w, h, off] = [Number(m[1]), Number(m[2]), m[0].length];
    const blue = (x1: number, x2: number, y1: number, y2: number) => {
      let n = 0;
      for (let y = y1; y < y2; y++) for (let x = x1; x < x2; x++) {
        const o = off + ((h - 1 - y) * w + x) * 3;
        if (ppm[o + 2]! > 120 && ppm[o]! < 90 && ppm[o + 1]! < 110) n++;
      }
      return n;
    };
    assert.ok(blue(330, 550, 95, 150) > 150, `ink in the box: ${blue(330, 550, 95, 150)}`);
    assert.equal(blue(0, 330, 0, h) + blue(550, w, 0, h), 0, 'no ink outside it');
    // A picture to look at: the signature block at 100 dpi (test-results/outgoing/).
    mkdirSync('test-results/outgoing', { recursive: true });
    execFileSync('pdftoppm', ['-png', '-r', '100', '-f', '1', '-l', '1', '-x', '430', '-y', '900', '-W', '380', '-H', '250', '-singlefile', path, 'test-results/outgoing/signer-image-block']);
    const block = execFileSync('pdftotext', ['-enc', 'UTF-8', '-r', '72', '-x', '325', '-y', String(842 - 165), '-W', '230', '-H', '90', path, '-'], { encoding: 'utf8' });
    assert.ok(block.includes('Nguyễn Văn An') && block.includes('CHỦ TỊCH'), block);
    assert.ok(!block.includes('Đã ký số'), 'the image instead of the words');
    const sig = execFileSync('pdfsig', ['-nocert', path], { encoding: 'utf8' });
    assert.match(sig, /Signature is Valid\./, sig);
    assert.match(sig, /Total document signed/, sig);
  });
});
