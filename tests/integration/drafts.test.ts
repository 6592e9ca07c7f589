// A draft kept across a lock: "Vào sổ văn bản đến" half typed is saved in the encrypted profile for
// the person who typed it, offered back to that person only, with its staged files still staged;
// bounded in size and shape; and saving it is not activity (it must not put off the idle lock).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { SavedDraft } from '../../common/contract';
import { addDaysIso, todayIso } from '../../common/dates';
import type { IncomingRegisterDraft } from '../../common/drafts';
import { createRouter } from '../../main/ipc/router';
import { SessionGuard } from '../../main/core/session/guard';
import { TokenService } from '../../main/core/session/tokens';
import { TokenBridge } from '../../native/bridge/client';
import { newDesk, pdfBytes, stageBytes } from '../helpers/desk';
import { addPerson } from '../helpers/people';
import type { TokenIdentity } from '../../main/core/desk';

const SUBJECT = 'Về việc rà soát hồ sơ nhân sự diện Ban Thường vụ quản lý năm 2027';

let env: Awaited<ReturnType<typeof newDesk>>;
let call: ReturnType<typeof createRouter>;
let clerk2: { id: number; identity: TokenIdentity };
let leader: { id: number; identity: TokenIdentity };

before(async () => {
  env = await newDesk('state');
  const guard = new SessionGuard(env.desk, new TokenService(new TokenBridge(), async () => []));
  call = createRouter({ desk: env.desk, guard, attachmentUrl: (t) => `app://securedesk/blob/${t}` });
  clerk2 = await addPerson(env.desk, { fullName: 'Trần Thị Bích', role: 'van_thu', clearance: 'mat' });
  leader = await addPerson(env.desk, { fullName: 'Hoàng Văn Lâm', role: 'lanh_dao', clearance: 'tuyet_mat' });
  env.desk.lock('manual');
});
after(() => env.cleanup());

function draft(over: Partial<IncomingRegisterDraft> = {}): IncomingRegisterDraft {
  return {
    secrecy: 'mat', urgency: 'khan', registerId: null, issuerName: 'Ban Tổ chức Tỉnh ủy', issuerUnitId: null, issuerCode: null,
    numberSymbol: '412-CV/BTCTU', documentDate: '02/11/2026', arrivalDate: '03/11/2026', deadline: '', typeCode: 'CV', typeChosen: false,
    subject: SUBJECT, recipients: [{ kind: 'text', name: 'Phòng Tổng hợp' }], notes: '', signer: 'Nguyễn Văn Tùng', pageCount: '3', copyCount: '1',
    arrivalChannel: 'cipher', files: [], ...over,
  };
}

const load = async () => {
  const r = await call('drafts.load', { kind: 'incoming.register' });
  assert.ok(r.ok, JSON.stringify(r));
  return r.value as SavedDraft | null;
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? filesUnder(join(dir, n)) : [join(dir, n)]));
}

test('saved for the person who typed it, with its staged file; another person never sees it', async () => {
  await env.desk.unlock(env.identity);
  assert.equal(await load(), null);
  const staged = await stageBytes(env.desk, env.desk.session!, await pdfBytes(SUBJECT), 'cong-van-412.pdf');
  const file = { stagedId: staged.stagedId, name: staged.name, size: staged.size, sha256: staged.sha256, isPdf: staged.isPdf };
  const saved = await call('drafts.save', { kind: 'incoming.register', data: draft({ files: [file] }) });
  assert.ok(saved.ok, JSON.stringify(saved));
  const mine = await load();
  assert.equal(mine?.data.subject, SUBJECT);
  assert.deepEqual(mine?.data.files, [file]);
  env.desk.lock('idle');

  // Locked: nothing of it is readable in the profile folder (the database is encrypted).
  const needle = Buffer.from(SUBJECT, 'utf8');
  assert.deepEqual(filesUnder(env.dir).filter((f) => readFileSync(f).includes(needle)), [], 'the draft is encrypted at rest');
  const locked = await call('drafts.load', { kind: 'incoming.register' });
  assert.ok(!locked.ok && locked.error.code === 'NO_SESSION');

  // Another văn thư: no draft, and her own is separate.
  await env.desk.unlock(clerk2.identity);
  assert.equal(await load(), null, 'another person never sees it');
  assert.ok((await call('drafts.save', { kind: 'incoming.register', data: draft({ subject: 'Bản nháp của người khác', files: [file] }) })).ok);
  const theirs = await load();
  assert.equal(theirs?.data.subject, 'Bản nháp của người khác');
  assert.deepEqual(theirs?.data.files, [], 'a staged file of someone else is not hers');
  env.desk.lock('manual');

  // A person who does not register has no register drafts at all.
  await env.desk.unlock(leader.identity);
  const refused = await call('drafts.load', { kind: 'incoming.register' });
  assert.ok(!refused.ok && refused.error.code === 'FORBIDDEN');
  env.desk.lock('manual');

  // The same person again: her draft, her file still staged, and it registers.
  await env.desk.unlock(env.identity);
  const back = await load();
  assert.equal(back?.data.subject, SUBJECT);
  assert.deepEqual(back?.data.files, [file]);
  const registered = await call('incoming.register', {
    issuer: { name: back!.data.issuerName }, numberSymbol: back!.data.numberSymbol, documentDate: addDaysIso(todayIso(), -1), arrivalDate: todayIso(),
    typeCode: 'CV', subject: back!.data.subject, secrecy: 'mat', urgency: 'khan', stagedIds: [file.stagedId],
  });
  assert.ok(registered.ok, JSON.stringify(registered));
  assert.ok((await call('drafts.discard', { kind: 'incoming.register' })).ok);
  assert.equal(await load(), null);
  env.desk.lock('manual');
});

test('a staged file that is gone is dropped from the draft', async () => {
  await env.desk.unlock(env.identity);
  const staged = await stageBytes(env.desk, env.desk.session!, await pdfBytes('Tệp sẽ bỏ'), 'bo.pdf');
  const file = { stagedId: staged.stagedId, name: staged.name, size: staged.size, sha256: staged.sha256, isPdf: true };
  assert.ok((await call('drafts.save', { kind: 'incoming.register', data: draft({ files: [file] }) })).ok);
  assert.ok((await call('staging.discard', { stagedId: staged.stagedId })).ok);
  assert.deepEqual((await load())?.data.files, []);
  env.desk.lock('manual');
});

test('checked and bounded: shape, kind, size; a refusal names the key', async () => {
  await env.desk.unlock(env.identity);
  const bad = [
    { kind: 'outgoing.register', data: draft() },
    { kind: 'incoming.register', data: { ...draft(), secrecy: 'top' } },
    { kind: 'incoming.register', data: draft({ files: [{ stagedId: '../../etc/passwd', name: 'x', size: 1, sha256: '0'.repeat(64), isPdf: true }] }) },
    { kind: 'incoming.register', data: draft({ subject: 'x'.repeat(4001) }) },
    { kind: 'incoming.register' },
  ];
  for (const input of bad) {
    const r = await call('drafts.save', input);
    assert.ok(!r.ok && r.error.code === 'VALIDATION', JSON.stringify(input).slice(0, 120));
  }
  // Fields the form gains later travel along, but the whole draft stays within 64 KB.
  const big = await call('drafts.save', { kind: 'incoming.register', data: { ...draft(), handoverNote: 'y'.repeat(70_000) } });
  assert.ok(!big.ok && big.error.code === 'VALIDATION', JSON.stringify(big).slice(0, 200));
  if (!big.ok) assert.equal(big.error.key, 'draft.tooLarge');
  const extra = await call('drafts.save', { kind: 'incoming.register', data: { ...draft(), handoverNote: 'Chuyển gấp' } });
  assert.ok(extra.ok, JSON.stringify(extra));
  assert.equal((await load())?.data.handoverNote, 'Chuyển gấp');
  assert.ok((await call('drafts.discard', { kind: 'incoming.register' })).ok);
  env.desk.lock('manual');
});

test('saving or loading a draft is not activity: it does not put off the idle lock', async () => {
  // The real guard, counting what the router reports as the person's activity.
  class CountingGuard extends SessionGuard {
    touches = 0;
    override touch(): void {
      this.touches += 1;
      super.touch();
    }
  }
  const guard = new CountingGuard(env.desk, new TokenService(new TokenBridge(), async () => []));
  const route = createRouter({ desk: env.desk, guard, attachmentUrl: (t) => t });
  await env.desk.unlock(env.identity);
  assert.ok((await route('drafts.save', { kind: 'incoming.register', data: draft() })).ok);
  assert.ok((await route('drafts.load', { kind: 'incoming.register' })).ok);
  assert.equal(guard.touches, 0, 'a background save keeps the idle lock on time');
  assert.ok((await route('incoming.list', {})).ok);
  assert.equal(guard.touches, 1, 'what the person does counts');
  assert.ok((await route('drafts.discard', { kind: 'incoming.register' })).ok);
  env.desk.lock('manual');
});
