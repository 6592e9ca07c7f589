// "Chỉ người có tên mới được bóc bì": the văn thư registers the envelope (outer details) and its files
// are sealed (CMS) for the named person's certificates only; nobody else opens or prints them, the
// named person opens them with their own token. "Tài liệu thu hồi" travels as a mark of the record.
import assert from 'node:assert/strict';
import { RECALLED_STAMP, NAMED_ONLY_STAMP } from '../../common/marks';
import { pdfTextPages } from '../helpers/pdfOracle';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DeskError } from '../../common/errors';
import type { TokenIdentity } from '../../main/core/desk';
import { actorFor, getUser } from '../../main/core/org/users';
import { newDesk, registration, tempDir } from '../helpers/desk';
import { addPerson } from '../helpers/people';

let env: Awaited<ReturnType<typeof newDesk>>;
let named: { id: number; identity: TokenIdentity };
let docId: number;

const readAll = async (s: NodeJS.ReadableStream) => {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(c as Buffer);
  return Buffer.concat(parts);
};

before(async () => {
  env = await newDesk();
  named = await addPerson(env.desk, { fullName: 'Trần Văn Lãnh', role: 'lanh_dao', clearance: 'mat' });
  docId = (await env.desk.incoming.register(env.admin, await registration(env.desk, env.admin, {
    secrecy: 'mat', subject: 'Bì gửi đích danh', namedRecipient: named.id, recalled: true,
  }))).id;
});
after(() => env.cleanup());

test('the văn thư registers the envelope but cannot open it; the file is stored sealed, never in clear', async () => {
  const { desk, admin } = env;
  const d = desk.incoming.get(admin, docId);
  assert.equal(d.recalled, true);
  assert.deepEqual(d.namedRecipient, { id: named.id, name: 'Trần Văn Lãnh' });
  const file = d.attachments[0]!;
  assert.equal(file.sealed, true);
  assert.throws(() => desk.attachments.open(admin, file.id), (e: unknown) => e instanceof DeskError && e.code === 'FORBIDDEN' && e.key === 'envelope.namedOnly');
  await assert.rejects(desk.copies.make(admin, { incomingId: docId, kind: 'print', copies: 1, reason: 'x' }), (e: unknown) => e instanceof DeskError && (e.key === 'envelope.namedOnly' || e.key === 'copy.needsPermission'));
  // What the store holds is a CMS envelope addressed to the named person's certificate: OpenSSL reads its structure.
  const stored = await readAll(desk.context().storeFor('mat').openBlob(file.sha256));
  assert.ok(!stored.includes(Buffer.from('%PDF')), 'no plaintext PDF in the stored blob');
  const t = tempDir();
  try {
    writeFileSync(join(t.dir, 'env.der'), stored);
    const printed = execFileSync('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', join(t.dir, 'env.der')]).toString();
    assert.match(printed, /contentType: id-smime-ct-authEnvelopedData|authEnvelopedData/i);
    assert.match(printed, /Trần Văn Lãnh|CN=/);
  } finally {
    t.cleanup();
  }
});

test('the named person opens and prints it with their own token', async () => {
  const { desk } = env;
  desk.lock('manual');
  await desk.unlock(named.identity);
  const me = actorFor(getUser(desk.db, named.id)!);
  const d = desk.incoming.get(me, docId);
  const ticket = desk.attachments.open(me, d.attachments[0]!.id).ticket;
  const opened = await desk.attachments.openTicket(ticket);
  assert.ok(opened);
  const bytes = await readAll(opened.stream);
  assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
  const run = await desk.copies.make(me, { incomingId: docId, kind: 'print', copies: 1, reason: 'Lưu hồ sơ' });
  assert.ok(run.pdf.length > 1000);
  // The record's flags are stamped on the printout beside its level.
  const text = pdfTextPages(run.pdf).join('\n');
  for (const stamp of [RECALLED_STAMP, NAMED_ONLY_STAMP, 'MẬT']) assert.ok(text.includes(stamp), `“${stamp}” on the printout: ${text.slice(0, 300)}`);
});

test('ký nhận of a secret hand-over is signed on the receiver\'s token and verifies with OpenSSL', async () => {
  const { desk } = env;
  desk.lock('manual');
  await desk.unlock(env.identity);
  const clerk = actorFor(getUser(desk.db, env.admin.id)!);
  const r = await desk.incoming.register(clerk, await registration(desk, clerk, { secrecy: 'mat', subject: 'Giao nhận có ký số' }));
  const h = await desk.incoming.handOver(clerk, { id: r.id, userId: named.id, note: '' });
  const me = actorFor(getUser(desk.db, named.id)!);
  const done = await desk.incoming.acknowledge(me, h.id, named.identity.signingKeys[0]!);
  assert.equal(done.acknowledgementSignedBy, 'Trần Văn Lãnh');
  const row = desk.db.prepare('SELECT h.ack_cms, h.global_id AS hg, i.global_id AS dg, h.acknowledged_at AS at FROM c_mat.incoming_handovers h JOIN c_mat.incoming i ON i.id = h.incoming_id WHERE h.id = ?').get(h.id) as { ack_cms: Buffer; hg: string; dg: string; at: string };
  const t = tempDir();
  try {
    writeFileSync(join(t.dir, 'ack.p7s'), row.ack_cms);
    writeFileSync(join(t.dir, 'ack.txt'), `securedesk-handover-ack v1\nhandover ${row.hg}\ndocument ${row.dg}\nat ${row.at}\n`);
    execFileSync('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', join(t.dir, 'ack.p7s'), '-content', join(t.dir, 'ack.txt'), '-noverify', '-out', '/dev/null'], { stdio: 'pipe' });
    writeFileSync(join(t.dir, 'ack.txt'), `securedesk-handover-ack v1\nhandover ${row.hg}\ndocument ${row.dg}\nat 2020-01-01T00:00:00.000Z\n`);
    assert.throws(() => execFileSync('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', join(t.dir, 'ack.p7s'), '-content', join(t.dir, 'ack.txt'), '-noverify', '-out', '/dev/null'], { stdio: 'pipe' }));
  } finally {
    t.cleanup();
  }
  const year = row.at.slice(0, 4);
  const rows = desk.secretRegisters.rows(clerk, 'secret_handover', `${year}-01-01`, `${year}-12-31`);
  assert.ok(rows.some((x) => x.acknowledgement?.startsWith('Đã ký số')), JSON.stringify(rows));
});
