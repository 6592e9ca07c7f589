// Signing a registered document on the token, and verification showing a changed file or a
// changed register entry as invalid.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { incomingRegisterSchema } from '../../../common/schemas';
import { Desk } from '../../../main/core/desk';
import { actorFor } from '../../../main/core/org/users';
import { SessionGuard } from '../../../main/core/session/guard';
import { TokenService } from '../../../main/core/session/tokens';
import { makeSamplePdf } from '../../../main/devhost/samplePdf';
import { TokenBridge } from '../../../native/bridge/client';
import { moduleId } from '../../../native/modules/discovery';
import { createSoftHsm, type SoftHsm } from '../../fixtures/softhsm/tokens';
import { tempDir } from '../../helpers/desk';

let hsm: SoftHsm;
let bridge: TokenBridge;
const profile = tempDir('securedesk-sign-');
before(async () => {
  hsm = await createSoftHsm({ tokens: ['userRsa'] });
  bridge = new TokenBridge({ env: hsm.env });
});
after(async () => {
  await bridge.close();
  await hsm.cleanup();
  profile.cleanup();
});

test('sign on the token; verify; a changed register entry and a changed file are invalid', async () => {
  const desk = await Desk.open({ profileDir: profile.dir, trustAnchors: [hsm.ca.certDer] });
  const guard = new SessionGuard(desk, new TokenService(bridge, async () => [hsm.modulePath]));
  const session = await guard.setup({
    unit: { name: 'Văn phòng Thành ủy', code: '000.00.01.T01', preset: 'party' },
    admin: { fullName: 'Nguyễn Văn An', position: 'Văn thư', role: 'van_thu', clearance: 'tuyet_mat' },
  }, { moduleId: moduleId(hsm.modulePath), serial: hsm.tokens.userRsa.serial }, hsm.tokens.userRsa.pin);
  const actor = actorFor(session.user);
  const pdf = await makeSamplePdf({ issuer: 'Quận ủy Ba Đình', numberSymbol: '12-CV/QU', title: 'CÔNG VĂN', subject: 'Về việc ký số' });
  const staged = await desk.attachments.stage(actor, Readable.from([Buffer.from(pdf)]), 'cong-van.pdf');
  const doc = await desk.incoming.register(actor, incomingRegisterSchema.parse({
    issuer: { name: 'Quận ủy Ba Đình' }, numberSymbol: '12-CV/QU', documentDate: '2026-11-02', typeCode: 'CV',
    subject: 'Về việc ký số văn bản điện tử', secrecy: 'thuong', urgency: 'thuong', stagedIds: [staged.stagedId],
  }));
  const key = guard.signingKey(actor);
  assert.equal(await desk.incoming.sign(actor, doc.id, key), 2, 'one signature per file plus the register entry');
  const sigs = await desk.incoming.verify(actor, doc.id);
  assert.deepEqual(sigs.map((s) => [s.target, s.valid]), [['file', true], ['metadata', true]]);
  assert.equal(sigs[0]!.signer, 'Nguyễn Văn An');
  assert.equal(sigs[0]!.fileName, 'cong-van.pdf');

  // Someone edits the register entry behind the app's back.
  // (A Thường record: it lives in that compartment.)
  desk.db.prepare("UPDATE c_thuong.incoming SET subject = 'Trích yếu đã bị sửa' WHERE id = ?").run(doc.id);
  const afterEdit = await desk.incoming.verify(actor, doc.id);
  assert.deepEqual(afterEdit.map((s) => s.valid), [true, false]);
  assert.ok(afterEdit[1]!.failed.some((f) => f.check === 'digest'));

  // And a byte of the stored file changes on disk.
  const blob = desk.context().storeFor('thuong').blobPath(desk.incoming.get(actor, doc.id).attachments[0]!.sha256);
  const bytes = readFileSync(blob);
  bytes.writeUInt8(bytes.readUInt8(bytes.length - 40) ^ 1, bytes.length - 40);
  writeFileSync(blob, bytes);
  const afterTamper = await desk.incoming.verify(actor, doc.id);
  assert.equal(afterTamper[0]!.valid, false);
  assert.match(afterTamper[0]!.message, /thay đổi|không/);
  const audit = desk.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'incoming.sign'").pluck().get();
  assert.equal(audit, 1);
  guard.lock('manual');
  desk.close();
});
