// A decryption killed with SIGKILL half-way (power cut, task manager) must not leave readable
// plaintext lying about: the partial file sits 0600 in a 0700 `.securedesk-tmp` folder beside the
// output, and the next decryption there removes what a dead run left.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { decryptFile, encryptFile } from '../../../main/core/crypto/envelope';
import { standardPki, type Party, type TestPki } from '../../helpers/pki';
import { softKey } from '../../helpers/softKey';

let pki: TestPki & { root: Party; inter: Party };
let plainHash: string;
let envelope: string;
const SIZE = 32 * 1024 * 1024;
/** The child feeds this much of the envelope, then holds: it is half-way for as long as the test needs. */
const FED = 16 * 1024 * 1024;

before(async () => {
  pki = await standardPki();
  // 32 MiB of distinct content (a repeated 1 MiB block with its index written in).
  const block = Buffer.alloc(1 << 20, 0x5a);
  const hash = createHash('sha256');
  const plain = join(pki.dir, 'mat.pdf');
  const parts: Buffer[] = [];
  for (let i = 0; i < SIZE >> 20; i++) {
    const b = Buffer.from(block);
    b.writeUInt32BE(i, 0);
    parts.push(b);
    hash.update(b);
  }
  writeFileSync(plain, Buffer.concat(parts));
  plainHash = hash.digest('hex');
  envelope = join(pki.dir, 'mat.pdf.p7m');
  await encryptFile(plain, envelope, { recipients: [{ certificate: pki.get('alice').certDer }] });
});
after(() => pki.cleanup());

/** Every file under `dir` (relative), with its mode. */
function listing(dir: string): Array<{ path: string; mode: number; dir: boolean }> {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).map((e) => {
    const full = join(e.parentPath, e.name);
    const st = statSync(full);
    return { path: full.slice(dir.length + 1), mode: st.mode & 0o777, dir: st.isDirectory() };
  });
}

test('kill -9 in the middle of a decryption leaves no readable plaintext, and the next run removes it', async () => {
  const out = join(pki.dir, 'out');
  mkdirSync(out);
  const dest = join(out, 'mat.pdf');
  // A real decryption in another process, its input cut off half-way (FED bytes, then nothing until
  // it is killed): it is caught half-way whatever the machine's load (input paced by a timer was not).
  const script = `
    import { readFileSync, createReadStream } from 'node:fs';
    import { decryptToFile } from ${JSON.stringify(new URL('../../../main/core/crypto/envelope.ts', import.meta.url).href)};
    import { softKey } from ${JSON.stringify(new URL('../../helpers/softKey.ts', import.meta.url).href)};
    const [envelope, dest, cert, key] = process.argv.slice(1);
    async function* halfway() {
      yield* createReadStream(envelope, { highWaterMark: 1 << 20, end: ${FED} - 1 });
      setInterval(() => {}, 1 << 30); // alive, the rest never comes
      await new Promise(() => {});
    }
    await decryptToFile(halfway(), dest, { key: softKey(readFileSync(cert), readFileSync(key, 'utf8')) });
  `;
  const alice = pki.get('alice');
  writeFileSync(join(pki.dir, 'alice.der'), alice.certDer);
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, envelope, dest, join(pki.dir, 'alice.der'), alice.keyPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<NodeJS.Signals | null>((ok) => child.on('exit', (_code, signal) => ok(signal)));

  // Wait until at least 8 MiB of plaintext has been written somewhere under out/ (the deadline only
  // guards a hang), then kill -9.
  const deadline = Date.now() + 120_000;
  let partial: { path: string; mode: number; dir: boolean } | undefined;
  while (Date.now() < deadline) {
    partial = listing(out).find((f) => !f.dir && statSync(join(out, f.path)).size > 8 << 20);
    if (partial) break;
    if (child.exitCode !== null) assert.fail(`the child ended before it could be killed: ${stderr}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.ok(partial, 'plaintext was being written');
  process.kill(child.pid!, 'SIGKILL');
  assert.equal(await exited, 'SIGKILL');

  // What the dead run left: only inside the private folder, readable by the user alone.
  const left = listing(out);
  assert.ok(!existsSync(dest), 'nothing under the real name');
  const files = left.filter((f) => !f.dir);
  assert.equal(files.length, 1, JSON.stringify(left));
  assert.match(files[0]!.path, /^\.securedesk-tmp\//);
  assert.equal(files[0]!.mode, 0o600);
  assert.equal(left.find((f) => f.path === '.securedesk-tmp')?.mode, 0o700);

  // The next run (in this process) cleans up and writes the real file.
  const r = await decryptFile(envelope, dest, { key: softKey(alice.certDer, alice.keyPem) });
  assert.equal(r.plaintextBytes, SIZE);
  assert.equal(createHash('sha256').update(readFileSync(dest)).digest('hex'), plainHash);
  assert.deepEqual(listing(out).map((f) => f.path), ['mat.pdf'], 'the leftover and the private folder are gone');
  assert.equal(statSync(dest).mode & 0o777, 0o600);
});
