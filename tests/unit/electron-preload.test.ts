// window.desk as the preload builds it (preload/bridge.ts), over a fake transport.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IPC_PREFIX } from '../../common/contract';
import { DeskError, isDeskErrorPayload } from '../../common/errors';
import { createDeskApi, type DeskTransport } from '../../preload/bridge';

function fake(over: Partial<DeskTransport> = {}) {
  const calls: unknown[][] = [];
  const t: DeskTransport = {
    invoke: async (channel, input) => {
      calls.push(['invoke', channel, input]);
      return { ok: true, value: { channel } };
    },
    stage: async (path, name) => {
      calls.push(['stage', path, name]);
      return { ok: true, value: { stagedId: 'a'.repeat(32), name } };
    },
    pathForFile: () => '/home/u/cv.pdf',
    ...over,
  };
  return { api: createDeskApi(t), calls };
}

async function rejection(p: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await p;
  } catch (e) {
    return e as Record<string, unknown>;
  }
  assert.fail('expected a rejection');
}

test('invoke passes contract channels through and unwraps the value', async () => {
  const { api, calls } = fake();
  assert.deepEqual(await api.invoke('app.info', {}), { channel: 'app.info' });
  assert.deepEqual(calls, [['invoke', 'app.info', {}]]);
  assert.equal(IPC_PREFIX, 'desk:');
});

test('invoke refuses names that are not contract channels before any IPC', async () => {
  const { api, calls } = fake();
  for (const name of ['nope', '__proto__', 'constructor', 'toString', 'desk:invoke']) {
    const e = await rejection(api.invoke(name as 'app.info', {}));
    assert.equal(e.code, 'UNKNOWN_CHANNEL');
  }
  assert.equal(calls.length, 0);
});

test('errors cross as plain objects: Vietnamese message, code, fields, details', async () => {
  const { api } = fake({
    invoke: async () => ({ ok: false, error: { code: 'VALIDATION', message: 'Chưa nhập trích yếu.', fields: { subject: 'Chưa nhập trích yếu.' }, details: { n: 1 } } }),
  });
  const e = await rejection(api.invoke('incoming.register', {} as never));
  assert.equal(Object.getPrototypeOf(e), Object.prototype, 'a plain object, which contextBridge copies whole');
  assert.deepEqual(e, { name: 'DeskError', code: 'VALIDATION', message: 'Chưa nhập trích yếu.', fields: { subject: 'Chưa nhập trích yếu.' }, details: { n: 1 } });
  assert.ok(isDeskErrorPayload(e));
  assert.ok(DeskError.fromPayload(e as never) instanceof DeskError);
  assert.ok(!('stack' in e));
});

test('a transport failure or a malformed answer becomes INTERNAL, in Vietnamese', async () => {
  for (const invoke of [async () => Promise.reject(new Error('No handler registered for desk:invoke')), async () => undefined, async () => ({ ok: 'yes' })]) {
    const { api } = fake({ invoke });
    const e = await rejection(api.invoke('app.info', {}));
    assert.equal(e.code, 'INTERNAL');
    assert.match(String(e.message), /tiến trình chính/);
    assert.doesNotMatch(String(e.message), /No handler/);
  }
});

test('stageFile sends the path from the preload and the display name; never returns the path', async () => {
  const { api, calls } = fake();
  const file = new File(['%PDF-1.7'], 'Công văn 15.pdf', { type: 'application/pdf' });
  const staged = await api.stageFile(file);
  assert.deepEqual(calls, [['stage', '/home/u/cv.pdf', 'Công văn 15.pdf']]);
  assert.doesNotMatch(JSON.stringify(staged), /home/);
});

test('stageFile refuses a File that is not on disk', async () => {
  for (const pathForFile of [() => '', () => { throw new Error('not a File'); }]) {
    const { api, calls } = fake({ pathForFile });
    const e = await rejection(api.stageFile(new File(['x'], 'made-up.txt')));
    assert.equal(e.code, 'FILE_UNREADABLE');
    assert.equal(calls.length, 0);
  }
});

test('the API object is frozen and has exactly invoke, stageFile and onEvent', () => {
  const { api } = fake();
  assert.ok(Object.isFrozen(api));
  assert.deepEqual(Object.keys(api).sort(), ['invoke', 'onEvent', 'stageFile']);
});

test('printers, printOutput and saveOutput (Electron shell): only the ticket and the printer name cross, as strings', async () => {
  const sent: unknown[] = [];
  const { api } = fake({
    printers: async () => ({ ok: true, value: [{ name: 'P1', displayName: 'Máy in 1', isDefault: true }] }),
    printOutput: async (input) => {
      sent.push(input);
      return { ok: false, error: { code: 'VALIDATION', message: 'Không tìm thấy máy in “x” trên máy trạm này.', key: 'output.printerUnknown', params: { printer: 'x' } } };
    },
    saveOutput: async (input) => {
      sent.push(input);
      return { ok: true, value: { saved: true, name: 'ban-sao.pdf' } };
    },
  });
  assert.deepEqual(Object.keys(api).sort(), ['invoke', 'onEvent', 'printOutput', 'printers', 'saveOutput', 'stageFile']);
  assert.deepEqual(await api.printers!(), [{ name: 'P1', displayName: 'Máy in 1', isDefault: true }]);
  const refused = await rejection(api.printOutput!('a'.repeat(32), 'x'));
  assert.equal(refused.key, 'output.printerUnknown');
  assert.equal(refused.name, 'DeskError');
  assert.deepEqual(await api.saveOutput!({ toString: () => 'b'.repeat(32) } as unknown as string), { saved: true, name: 'ban-sao.pdf' });
  assert.deepEqual(sent, [{ ticket: 'a'.repeat(32), printer: 'x' }, { ticket: 'b'.repeat(32) }]);
});
