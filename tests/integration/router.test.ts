// The IPC router: every call validated against the contract, authorized in core, errors typed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CHANNELS, contract, type AppInfo, type RegisterPolicy, type Session, type UserPrefs } from '../../common/contract';
import { createRouter } from '../../main/ipc/router';
import { handlers } from '../../main/ipc/handlers';
import { addDaysIso, todayIso } from '../../common/dates';
import { DeskError } from '../../common/errors';
import { incomingRegisterSchema } from '../../common/schemas';
import { newDesk, pdfBytes, stageBytes } from '../helpers/desk';
import { addPerson } from '../helpers/people';
import { TokenBridge } from '../../native/bridge/client';
import { moduleId } from '../../native/modules/discovery';
import { SessionGuard } from '../../main/core/session/guard';
import { TokenService } from '../../main/core/session/tokens';
import { VIEWED_TABLES, createViews } from '../../main/core/compartments/attach';

let env: Awaited<ReturnType<typeof newDesk>>;
let call: ReturnType<typeof createRouter>;
before(async () => {
  env = await newDesk('state');
  // A real bridge, never started: these calls do not reach a token.
  const guard = new SessionGuard(env.desk, new TokenService(new TokenBridge(), async () => []));
  call = createRouter({ desk: env.desk, guard, attachmentUrl: (t) => `app://securedesk/blob/${t}` });
});
after(() => env.cleanup());

test('every contract channel has exactly one handler', () => {
  assert.deepEqual(Object.keys(handlers).sort(), [...CHANNELS].sort());
  for (const c of CHANNELS) assert.ok(contract[c].access, c);
});

test('unknown channels and prototype names are refused', async () => {
  for (const name of ['nope', '__proto__', 'constructor', 'toString', 42, null]) {
    const r = await call(name, {});
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.code, 'UNKNOWN_CHANNEL');
  }
});

test('input of the wrong shape gets VALIDATION with the field, before anything runs', async () => {
  await env.desk.unlock(env.identity);
  const r = await call('incoming.list', { limit: 'all', offset: -1 });
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.error.code, 'VALIDATION');
    assert.ok(r.error.fields?.limit && r.error.fields.offset);
  }
  const extra = await call('incoming.get', { id: 1, sql: 'DROP TABLE incoming' });
  assert.equal(extra.ok, false, 'strict schemas refuse unknown keys');
  // A date is not a number-symbol (a symbol in no usual shape is only a warning: it is registered as written).
  const reg = await call('incoming.register', { numberSymbol: '12/03/2024' });
  assert.equal(reg.ok, false);
  if (!reg.ok) {
    assert.match(reg.error.fields?.numberSymbol ?? '', /là một ngày/);
    assert.ok(reg.error.fields?.['issuer']);
  }
});

test('access: public, session and rights', async () => {
  env.desk.lock('manual');
  const info = await call('app.info', {});
  assert.ok(info.ok && (info.value as AppInfo).profile === 'locked');
  const noSession = await call('incoming.list', {});
  assert.ok(!noSession.ok && noSession.error.code === 'NO_SESSION');
  const again = await call('setup.create', {
    unit: { name: 'X', code: '000.00.00.H01', preset: 'state' },
    admin: { fullName: 'A', position: 'B', role: 'quan_tri', clearance: 'mat' },
    token: { moduleId: moduleId('/usr/lib/softhsm/libsofthsm2.so'), serial: 'x' },
  });
  assert.ok(!again.ok && again.error.code === 'SETUP_DONE', JSON.stringify(again));
  const pin = await call('session.unlock', { token: { moduleId: moduleId('/x.so'), serial: '1' }, pin: '12' });
  assert.ok(!pin.ok && pin.error.code === 'VALIDATION' && !JSON.stringify(pin.error).includes('"12"'), 'a bad PIN is refused without being echoed');
  const session = await env.desk.unlock(env.identity);
  assert.ok(session.rights.includes('doc.register'));
  const ok = await call('incoming.list', {});
  assert.ok(ok.ok && Array.isArray(ok.value));
  const admin = await call('users.list', {});
  assert.ok(!admin.ok && admin.error.code === 'FORBIDDEN', 'a văn thư does not manage users');
});

test('unexpected failures reach the renderer as INTERNAL with no stack trace', async () => {
  // (The session's Thường compartment: the table every list reads.)
  // (SQLite re-reads the compartment's schema on a rename, where the temporary views named like its
  // tables would stand in for them: they are dropped for the rename and made again after.)
  for (const t of VIEWED_TABLES) env.desk.db.exec(`DROP VIEW temp.${t}`);
  env.desk.db.exec('ALTER TABLE c_thuong.incoming RENAME TO incoming_moved');
  try {
    const r = await call('incoming.list', {});
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.error.code, 'INTERNAL');
      assert.doesNotMatch(JSON.stringify(r.error), /at |\.ts|sqlite|incoming/i);
    }
  } finally {
    env.desk.db.exec('ALTER TABLE c_thuong.incoming_moved RENAME TO incoming');
    createViews(env.desk.db, env.desk.context().arms.map((a) => a.schema));
  }
});

// ---- Errors as keys, separation of duties, the language as a person's choice ----

test('a refusal crosses with its catalog key and parameters, for the whole error and each field', async () => {
  await env.desk.unlock(env.identity);
  const reg = await call('incoming.register', { issuer: { name: '' }, numberSymbol: '15/QĐ-UBND', documentDate: '2026-13-01', typeCode: 'QĐ', subject: 'x'.repeat(501), secrecy: 'thuong', urgency: 'thuong', stagedIds: [] });
  assert.ok(!reg.ok);
  if (reg.ok) return;
  assert.equal(reg.error.code, 'VALIDATION');
  assert.deepEqual(reg.error.fieldKeys?.['issuer.name'], { key: 'field.required', params: { field: 'issuer' } });
  assert.equal(reg.error.fields?.['issuer.name'], 'Chưa nhập cơ quan ban hành.', 'the Vietnamese message stays (fallback, CLI)');
  assert.deepEqual(reg.error.fieldKeys?.documentDate, { key: 'date.invalid', params: { field: 'documentDate' } });
  assert.equal(reg.error.fields?.documentDate, 'Ngày văn bản không phải ngày hợp lệ (dd/mm/yyyy).');
  assert.deepEqual(reg.error.fieldKeys?.subject, { key: 'subject.tooLong', params: { max: 500 } });
  assert.deepEqual(reg.error.fieldKeys?.stagedIds, { key: 'attachments.required' });
  assert.equal(reg.error.key, 'field.required', 'the error as a whole is its first field');
  // zod's own issues (no message in the schema) are keyed too, never zod's English.
  const list = await call('incoming.list', { limit: 100_000 });
  assert.ok(!list.ok && list.error.fieldKeys?.limit?.key === 'value.tooBig' && list.error.fieldKeys.limit.params?.max === 500, JSON.stringify(list));
  // A refusal from the core itself.
  const missing = await call('incoming.get', { id: 999_999 });
  assert.ok(!missing.ok && missing.error.code === 'NOT_FOUND');
  if (!missing.ok) assert.equal(missing.error.key, 'document.notFound', JSON.stringify(missing.error));
  const unknown = await call('nope', {});
  assert.ok(!unknown.ok && unknown.error.key === 'request.invalid');
});

test('separation of duties: a Quản trị manages people but does not register; a văn thư registers but does not manage people', async () => {
  await env.desk.unlock(env.identity);
  const admin = await addPerson(env.desk, { fullName: 'Phạm Quản Trị', role: 'quan_tri', clearance: 'tuyet_mat' });
  env.desk.lock('manual');

  const asAdmin = await env.desk.unlock(admin.identity);
  assert.deepEqual([...asAdmin.rights].sort(), ['doc.read', 'file.stage', 'org.manage'], 'he uploads (a structure workbook), he does not register');
  assert.ok((await call('users.list', {})).ok, 'the Quản trị manages people');
  const preview = await call('incoming.previewNumber', { secrecy: 'thuong' });
  assert.ok(!preview.ok && preview.error.code === 'FORBIDDEN', JSON.stringify(preview));
  const register = await call('incoming.register', await registrationInput());
  assert.ok(!register.ok && register.error.code === 'FORBIDDEN' && register.error.key === 'rights.forbidden', JSON.stringify(register));
  // The core refuses too, whoever calls it (CLI, importers): a file he staged registers nothing.
  const staged = await stageBytes(env.desk, env.desk.session!, await pdfBytes('x'));
  await assert.rejects(env.desk.incoming.register(env.desk.session!, incomingRegisterSchema.parse({ ...(await registrationInput()), stagedIds: [staged.stagedId] })),
    (e: unknown) => e instanceof DeskError && e.code === 'FORBIDDEN');
  env.desk.lock('manual');

  const asClerk = await env.desk.unlock(env.identity);
  assert.ok(asClerk.rights.includes('doc.register'));
  for (const [channel, input] of [['users.list', {}], ['users.add', { fullName: 'A', position: 'B', role: 'van_thu', clearance: 'thuong' }], ['policy.get', {}], ['policy.setRegisterRoles', { registerRoles: ['van_thu', 'quan_tri'] }]] as const) {
    const r = await call(channel, input);
    assert.ok(!r.ok && r.error.code === 'FORBIDDEN', `${channel}: ${JSON.stringify(r)}`);
  }
  const ok = await call('incoming.register', await registrationInput());
  assert.ok(ok.ok, JSON.stringify(ok));
  env.desk.lock('manual');
});

test('an administrator sets which roles register: at once for themselves, at sign-in for others, audited', async () => {
  const admin = await (async () => {
    await env.desk.unlock(env.identity);
    const p = await addPerson(env.desk, { fullName: 'Lê Quản Trị', role: 'quan_tri', clearance: 'mat' });
    env.desk.lock('manual');
    return p;
  })();
  await env.desk.unlock(admin.identity);
  const before = await call('policy.get', {});
  assert.ok(before.ok && JSON.stringify(before.value) === JSON.stringify({ registerRoles: ['van_thu'] }), JSON.stringify(before));
  const empty = await call('policy.setRegisterRoles', { registerRoles: [] });
  assert.ok(!empty.ok && empty.error.code === 'VALIDATION' && empty.error.fieldKeys?.registerRoles?.key === 'policy.registerRolesEmpty', JSON.stringify(empty));

  const both = await call('policy.setRegisterRoles', { registerRoles: ['quan_tri', 'van_thu'] });
  assert.ok(both.ok, JSON.stringify(both));
  if (!both.ok) return;
  const policy = both.value as RegisterPolicy & { session: Session };
  assert.deepEqual(policy.registerRoles, ['van_thu', 'quan_tri']);
  assert.ok(policy.session.rights.includes('doc.register'), 'the administrator may register at once');
  const registered = await call('incoming.register', await registrationInput());
  assert.ok(registered.ok, JSON.stringify(registered));

  // Registering now belongs to the Quản trị alone: the văn thư loses it at her next sign-in.
  assert.ok((await call('policy.setRegisterRoles', { registerRoles: ['quan_tri'] })).ok);
  const audit = env.desk.db.prepare("SELECT user_id AS userId, details FROM audit_log WHERE action = 'policy.register_roles' ORDER BY id").all() as Array<{ userId: number; details: string }>;
  assert.deepEqual(audit.map((a) => [a.userId, JSON.parse(a.details)]), [
    [admin.id, { before: ['van_thu'], after: ['van_thu', 'quan_tri'] }],
    [admin.id, { before: ['van_thu', 'quan_tri'], after: ['quan_tri'] }],
  ]);
  env.desk.lock('manual');
  const clerk = await env.desk.unlock(env.identity);
  assert.ok(!clerk.rights.includes('doc.register'));
  const refused = await call('incoming.previewNumber', { secrecy: 'thuong' });
  assert.ok(!refused.ok && refused.error.code === 'FORBIDDEN');
  // Back to the default for the tests that follow.
  env.desk.lock('manual');
  await env.desk.unlock(admin.identity);
  assert.ok((await call('policy.setRegisterRoles', { registerRoles: ['van_thu'] })).ok);
  env.desk.lock('manual');
});

test('the language is a person\'s choice: kept in their preferences (with an event), nobody else\'s', async () => {
  await env.desk.unlock(env.identity);
  const other = await addPerson(env.desk, { fullName: 'Đỗ Thị Hoa', role: 'chuyen_vien', clearance: 'mat' });
  const none = await call('prefs.get', {});
  assert.ok(none.ok && (none.value as UserPrefs).language === null);
  const bad = await call('prefs.setLanguage', { language: 'fr' });
  assert.ok(!bad.ok && bad.error.code === 'VALIDATION' && bad.error.fieldKeys?.language?.key === 'language.invalid', JSON.stringify(bad));
  const set = await call('prefs.setLanguage', { language: 'en' });
  assert.ok(set.ok && (set.value as UserPrefs).language === 'en');
  assert.ok((await call('prefs.setLanguage', { language: 'en' })).ok, 'setting it again changes nothing');
  const events = env.desk.db.prepare("SELECT kind, data FROM main.events WHERE entity = 'user_prefs' ORDER BY seq").all() as Array<{ kind: string; data: string }>;
  assert.deepEqual(events.map((e) => [e.kind, JSON.parse(e.data).key, JSON.parse(e.data).value]), [['create', 'language', 'en']], 'one event, for the one change');
  env.desk.lock('manual');

  await env.desk.unlock(other.identity);
  const theirs = await call('prefs.get', {});
  assert.ok(theirs.ok && (theirs.value as UserPrefs).language === null, 'another person does not get it');
  env.desk.lock('manual');
  await env.desk.unlock(env.identity);
  const mine = await call('prefs.get', {});
  assert.ok(mine.ok && (mine.value as UserPrefs).language === 'en');
  assert.ok((await call('prefs.setLanguage', { language: 'vi' })).ok);
  assert.equal(env.desk.db.prepare("SELECT count(*) FROM main.events WHERE entity = 'user_prefs' AND kind = 'update'").pluck().get(), 1);
  env.desk.lock('manual');
});

/** A registration input with a freshly staged PDF, staged as whoever is signed in (else as the văn thư). */
async function registrationInput() {
  const actor = env.desk.session!;
  let stagedIds = ['0'.repeat(32)];
  if (actor.rights.includes('doc.register')) stagedIds = [(await stageBytes(env.desk, actor, await pdfBytes('Văn bản thử'))).stagedId];
  return {
    issuer: { name: 'Sở Nội vụ' }, numberSymbol: `${Math.floor(Math.random() * 9000) + 100}/QĐ-UBND`, documentDate: addDaysIso(todayIso(), -1), arrivalDate: todayIso(),
    typeCode: 'QĐ' as const, subject: 'Về việc phân công nhiệm vụ', secrecy: 'thuong' as const, urgency: 'thuong' as const, stagedIds,
  };
}

test('workFiles.unshare through the router: no session, bad input, and a person who may not withdraw are refused; nothing withdrawn', async () => {
  await env.desk.unlock(env.identity);
  const clerk = env.desk.session!;
  const other = await addPerson(env.desk, { fullName: 'Đặng Văn Lạ', role: 'chuyen_vien', clearance: 'tuyet_mat' });
  const friend = await addPerson(env.desk, { fullName: 'Vũ Thị Bạn', role: 'chuyen_vien', clearance: 'tuyet_mat' });
  const year = Number(todayIso(new Date()).slice(0, 4));
  const file = await env.desk.workFiles.create(clerk, { year, notation: '90.RT', title: 'Hồ sơ thử chia sẻ', retention: 5 });
  await env.desk.workFiles.share(clerk, { fileId: file.id, userId: friend.id });
  env.desk.lock('manual');
  const locked = await call('workFiles.unshare', { fileId: file.id, userId: friend.id });
  assert.ok(!locked.ok && locked.error.code === 'NO_SESSION', JSON.stringify(locked));
  await env.desk.unlock(other.identity);
  const bad = await call('workFiles.unshare', { fileId: file.id, userId: 'x' });
  assert.ok(!bad.ok && bad.error.code === 'VALIDATION', JSON.stringify(bad));
  const stranger = await call('workFiles.unshare', { fileId: file.id, userId: friend.id });
  assert.ok(!stranger.ok && stranger.error.code === 'NOT_FOUND' && stranger.error.key === 'workFile.notFound', JSON.stringify(stranger));
  env.desk.lock('manual');
  await env.desk.unlock(friend.identity);
  const self = await call('workFiles.unshare', { fileId: file.id, userId: friend.id });
  assert.ok(!self.ok && self.error.code === 'FORBIDDEN' && self.error.key === 'workFile.unshareNotAllowed', JSON.stringify(self));
  env.desk.lock('manual');
  await env.desk.unlock(env.identity);
  assert.equal(env.desk.db.prepare('SELECT withdrawn_at FROM work_file_shares WHERE work_file_id = ? AND user_id = ?').pluck().get(file.id, friend.id), null);
  const ok = await call('workFiles.unshare', { fileId: file.id, userId: friend.id });
  assert.ok(ok.ok, JSON.stringify(ok));
});
