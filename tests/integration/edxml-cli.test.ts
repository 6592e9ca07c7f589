// `securedesk edxml inspect` on the samples and on broken files: what it prints and its exit codes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { sealPacket } from '../../main/core/exchange/edxml';
import { TestPki } from '../helpers/pki';
import { cliEntry } from '../helpers/cli';

const ROOT = join(import.meta.dirname, '..', '..');
const samplesDir = [join(ROOT, '..', 'shared', 'domain', 'edxml-samples'), '/work/shared/domain/edxml-samples'].find((d) => { try { return readdirSync(d).length > 0; } catch { return false; } })!;
const dir = mkdtempSync(join(tmpdir(), 'edxml-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const cli = (...args: string[]) => spawnSync(process.execPath, [...cliEntry(), 'edxml', 'inspect', ...args, '--machine-config', join(dir, 'none.json')], { encoding: 'utf8' });

test('a status sample: what it holds, exit 0', () => {
  const r = cli(join(samplesDir, 'status_rejection_02.edxml'));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Trạng thái: 02 – Từ chối tiếp nhận/);
  assert.match(r.stdout, /Không phát hiện vấn đề/);
  const j = cli(join(samplesDir, 'status_rejection_02.edxml'), '--json');
  assert.equal(JSON.parse(j.stdout).packet.statusCode, '02');
  assert.equal(cli(join(samplesDir, 'status_rejection_02.edxml'), '--require-signature').status, 1);
});

test('a document sample: header, trace, the zipped attachment by its bytes; the placeholder signature is an error', () => {
  const r = cli(join(samplesDir, 'edoc_replacement.edxml'), '--json');
  assert.equal(r.status, 1);
  const j = JSON.parse(r.stdout);
  assert.equal(j.packet.business.docType, 3);
  assert.equal(j.packet.attachments[0].sniffed, 'zip');
  assert.equal(j.packet.attachments[0].entries[0].sniffed, 'edxml');
  assert.equal(j.signature.status, 'malformed');
  assert.deepEqual(j.problems.map((p: { code: string }) => p.code), ['EDXML_SIGNATURE']);
  const text = cli(join(samplesDir, 'edoc_replacement.edxml'));
  assert.match(text.stdout, /Nghiệp vụ: Thay thế/);
  assert.match(text.stdout, /thực tế zip/);
  assert.match(text.stdout, /Hành trình \(1 chặng\)/);
});

test('broken files: each problem named, exit 1; a missing file and wrong usage', () => {
  const status = readFileSync(join(samplesDir, 'status_inbox_01.edxml'), 'utf8');
  const cases: Array<[string, string, RegExp]> = [
    ['malformed.edxml', status.replace('</edXML:Description>', ''), /EDXML_MALFORMED/],
    ['xxe.edxml', status.replace('<edXML xmlns', '<!DOCTYPE edXML [<!ENTITY x SYSTEM "file:///etc/passwd">]><edXML xmlns'), /EDXML_EXTERNAL_ENTITY/],
    ['lol.edxml', status.replace('<edXML xmlns', '<!DOCTYPE edXML [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><edXML xmlns'), /EDXML_ENTITY_EXPANSION/],
    ['base64.edxml', readFileSync(join(samplesDir, 'edoc_new.edxml'), 'utf8').replace('UEsDBBQACAgI', 'UEsDBB%ACAgI'), /EDXML_BAD_BASE64/],
  ];
  for (const [name, content, expected] of cases) {
    writeFileSync(join(dir, name), content);
    const r = cli(join(dir, name));
    assert.equal(r.status, 1, name);
    assert.match(r.stdout, expected, name);
    assert.match(r.stdout, /\[LỖI\]/, name);
  }
  assert.equal(cli(join(dir, 'absent.edxml')).status, 1);
  const usage = spawnSync(process.execPath, [...cliEntry(), 'edxml', 'show'], { encoding: 'utf8' });
  assert.equal(usage.status, 2);
});

test('a sealed packet: only its routing header is shown; a truncated one is an error', async () => {
  const pki = new TestPki();
  try {
    await pki.generateKeys({ agencyB: 'rsa2048' });
    const b = pki.issue('agencyB', { key: 'rsa2048', subject: '/C=VN/O=Ban Tổ chức Tỉnh ủy/CN=Mã hóa', keyUsage: 'keyEncipherment' });
    const sealed = await sealPacket(readFileSync(join(samplesDir, 'status_inbox_01.edxml')), { from: '000.00.00.H41', to: ['000.00.00.G22'], packetId: '0193a8f0-7c1e-7b2a-9d3e-5f1a2b3c4d5e', recipients: [b.certDer] });
    writeFileSync(join(dir, 'sealed.bin'), sealed);
    const r = cli(join(dir, 'sealed.bin'), '--json');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).sealed.to, ['000.00.00.G22']);
    assert.match(cli(join(dir, 'sealed.bin')).stdout, /chỉ đọc được phần định tuyến/);
    writeFileSync(join(dir, 'cut.bin'), sealed.subarray(0, sealed.length - 10));
    const cut = cli(join(dir, 'cut.bin'));
    assert.equal(cut.status, 1);
    assert.match(cut.stdout, /EDXML_ENVELOPE/);
  } finally {
    pki.cleanup();
  }
});
