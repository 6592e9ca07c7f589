// The IPC router: every call validated against the contract, authorized in core, errors typed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CHANNELS, contract, type AppInfo } from '../../common/contract';
import { createRouter } from '../../main/ipc/router';
import { handlers } from '../../main/ipc/handlers';
import { newDesk } from '../helpers/desk';
import { TokenBridge } from '../../native/bridge/client';
import { moduleId } from '../../native/modules/discovery';
import { SessionGuard } from '../../main/core/session/guard';
import { TokenService } from '../../main/core/session/tokens';

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
  env.desk.db.exec('ALTER TABLE incoming RENAME TO incoming_moved');
  try {
    const r = await call('incoming.list', {});
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.error.code, 'INTERNAL');
      assert.doesNotMatch(JSON.stringify(r.error), /at |\.ts|sqlite|incoming/i);
    }
  } finally {
    env.desk.db.exec('ALTER TABLE incoming_moved RENAME TO incoming');
  }
});
