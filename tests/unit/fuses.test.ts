// The packaging hook's fuses (build/fuses.cjs) with the real @electron/fuses, on files laid out as
// an Electron executable's fuse wire is (sentinel, version, length, one byte per fuse): there is
// no Electron binary on this machine. Electron 45's wire has 9 fuses, all of which we set.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

const require = createRequire(import.meta.url);
const { flipAndVerify } = require('../../build/fuses.cjs') as { flipAndVerify: (exe: string) => Promise<void> };

const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
// Electron's defaults: RunAsNode on, cookie encryption off, NODE_OPTIONS on, --inspect on, asar
// integrity off, asar-only off, browser V8 snapshot off, file:// privileges on, wasm trap handlers on.
const ELECTRON_DEFAULTS = '101100011';
const WANTED = '010011001';

const dir = mkdtempSync(join(tmpdir(), 'securedesk-fuses-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function fakeExecutable(name: string, wire: string): string {
  const path = join(dir, name);
  const filler = Buffer.alloc(4096, 0x90);
  writeFileSync(path, Buffer.concat([filler, Buffer.from(SENTINEL), Buffer.from([1, wire.length]), Buffer.from(wire), filler]));
  return path;
}
function wireOf(path: string, length: number): string {
  const bytes = readFileSync(path);
  const at = bytes.indexOf(SENTINEL) + SENTINEL.length + 2;
  return bytes.subarray(at, at + length).toString('latin1');
}

test('flips all nine fuses of an Electron 45 wire and reads them back', async () => {
  const exe = fakeExecutable('SecureDesk.exe', ELECTRON_DEFAULTS);
  await flipAndVerify(exe);
  assert.equal(wireOf(exe, 9), WANTED);
  assert.equal(readFileSync(exe).length, 4096 * 2 + SENTINEL.length + 2 + 9, 'only the wire bytes change');
});

test('a newer Electron with a fuse we never chose fails the build', async () => {
  const exe = fakeExecutable('newer.exe', `${ELECTRON_DEFAULTS}1`);
  await assert.rejects(flipAndVerify(exe), /strictlyRequireAllFuses/);
  assert.equal(wireOf(exe, 10), `${ELECTRON_DEFAULTS}1`, 'nothing written');
});

test('an older Electron without the wasm trap handler fuse fails the build', async () => {
  const exe = fakeExecutable('older.exe', ELECTRON_DEFAULTS.slice(0, 8));
  await assert.rejects(flipAndVerify(exe), /WasmTrapHandlers .*not long enough/);
});
