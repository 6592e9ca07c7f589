// The export package checked by its own script with python3 and the real openssl, without
// SecureDesk: a real export passes; one changed byte, one deleted line, a missing tail or a forged
// head each fail and name the line.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { appendAudit } from '../../../main/core/audit/auditLog';
import { exportAudit } from '../../../main/core/audit/exportPackage';
import { listHeads, signHead, storeHead } from '../../../main/core/audit/heads';
import { writeTx } from '../../../main/core/db/transaction';
import { newDesk, tempDir } from '../../helpers/desk';
import { newIdentity } from '../../helpers/people';

type Env = Awaited<ReturnType<typeof newDesk>>;

function runScript(dir: string, extra: string[] = []): { status: number | null; out: string } {
  const r = spawnSync('python3', [join(dir, 'verify.py'), dir, ...extra], { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

function copyOf(src: string, scratch: string, name: string): string {
  const d = join(scratch, name);
  cpSync(src, d, { recursive: true });
  return d;
}

describe('audit export package verified by python3 + openssl alone', () => {
  let env: Env;
  const scratch = tempDir('securedesk-audit-export-');
  let pkg: string;
  before(async () => {
    env = await newDesk();
    await env.desk.verdict();
    await env.desk.auditAnchor.settled();
    const { desk, admin } = env;
    writeTx(desk.db, () => {
      for (let i = 0; i < 20; i++) appendAudit(desk.db, { userId: admin.id, action: 'attachment.view', entity: 'incoming', entityId: i + 1, details: { attachmentId: i, note: 'Xem tệp đính kèm — “bản chính”' } });
      appendAudit(desk.db, { userId: admin.id, action: 'incoming.print', entity: 'incoming', entityId: 3, outcome: 'refused', reason: 'FORBIDDEN' });
    });
    await desk.auditAnchor.anchorNow(); // the export is anchored up to its last entry
    pkg = join(scratch.dir, 'pkg');
    const r = await exportAudit(desk.db, pkg);
    assert.equal(r.entries, desk.db.prepare('SELECT count(*) FROM audit_log').pluck().get());
    assert.ok(r.heads >= 2 && r.certificates === 1);
  });
  after(() => {
    env.cleanup();
    scratch.cleanup();
  });

  test('a real export verifies, and the heads verify with the openssl command of docs/audit.md', () => {
    const r = runScript(pkg);
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /^OK: \d+ entries/);
    const heads = readdirSync(join(pkg, 'heads')).filter((n) => n.endsWith('.txt'));
    const cert = readdirSync(join(pkg, 'certificates'))[0]!;
    for (const h of heads) {
      const o = spawnSync('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-content', join(pkg, 'heads', h), '-in', join(pkg, 'heads', h.replace(/\.txt$/, '.p7s')),
        '-certfile', join(pkg, 'certificates', cert), '-noverify', '-out', '/dev/null'], { encoding: 'utf8' });
      assert.equal(o.status, 0, o.stderr);
    }
    // The entries are the canonical lines: UTF-8 with the Vietnamese text as is.
    assert.match(readFileSync(join(pkg, 'entries.jsonl'), 'utf8'), /"note":"Xem tệp đính kèm — “bản chính”"/);
  });

  test('one byte of one entry changed: fails and names its line', () => {
    const d = copyOf(pkg, scratch.dir, 'edited');
    const lines = readFileSync(join(d, 'entries.jsonl'), 'utf8').split('\n');
    const k = 8; // line 8 (1-based)
    assert.match(lines[k - 1]!, /"attachmentId":\d/);
    lines[k - 1] = lines[k - 1]!.replace(/"attachmentId":(\d)/, (_m, n: string) => `"attachmentId":${(Number(n) + 1) % 10}`);
    writeFileSync(join(d, 'entries.jsonl'), lines.join('\n'));
    const r = runScript(d);
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, new RegExp(`^BROKEN: line ${k}: entry seq ${k} was changed`));
  });

  test('the last entry changed: the signed head at its seq names it', () => {
    const d = copyOf(pkg, scratch.dir, 'edited-last');
    const lines = readFileSync(join(d, 'entries.jsonl'), 'utf8').split('\n');
    const n = lines.length - 1; // trailing newline
    lines[n - 1] = lines[n - 1]!.replace('"reason":"FORBIDDEN"', '"reason":"FORBIDDEm"');
    writeFileSync(join(d, 'entries.jsonl'), lines.join('\n'));
    const r = runScript(d);
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, new RegExp(`^BROKEN: line ${n}: entry seq ${n} does not match the signed head`));
  });

  test('one entry deleted: fails and names the line where it is missing', () => {
    const d = copyOf(pkg, scratch.dir, 'deleted');
    const lines = readFileSync(join(d, 'entries.jsonl'), 'utf8').split('\n');
    lines.splice(11, 1); // seq 12
    writeFileSync(join(d, 'entries.jsonl'), lines.join('\n'));
    const r = runScript(d);
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, /^BROKEN: line 12: seq 13 where 12 was expected: entry 12 is missing/);
  });

  test('two lines swapped: fails as reordered', () => {
    const d = copyOf(pkg, scratch.dir, 'swapped');
    const lines = readFileSync(join(d, 'entries.jsonl'), 'utf8').split('\n');
    [lines[4], lines[5]] = [lines[5]!, lines[4]!];
    writeFileSync(join(d, 'entries.jsonl'), lines.join('\n'));
    const r = runScript(d);
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, /^BROKEN: line 5: seq 6 where 5 was expected/);
  });

  test('the tail cut off: the last head names the missing entries', () => {
    const d = copyOf(pkg, scratch.dir, 'cut');
    const lines = readFileSync(join(d, 'entries.jsonl'), 'utf8').split('\n');
    writeFileSync(join(d, 'entries.jsonl'), lines.slice(0, -3).join('\n') + '\n');
    const r = runScript(d);
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, /entries after seq \d+ are missing/);
  });

  test('a period exported (--from/--to): the entries of those days, their heads, verified from the first line on', async () => {
    const { desk, admin } = env;
    // Entries dated 3, 2 and 1 days ago (Vietnam days), then a head over them.
    const day = (n: number) => new Date(Date.now() - n * 86_400_000);
    const iso = (n: number) => new Date(day(n).getTime() + 7 * 3_600_000).toISOString().slice(0, 10);
    writeTx(desk.db, () => {
      for (const n of [3, 2, 2, 1]) appendAudit(desk.db, { userId: admin.id, action: 'incoming.list', details: { daysAgo: n } }, day(n).toISOString());
    });
    await desk.auditAnchor.anchorNow();
    const dir = join(scratch.dir, 'period');
    const r = await exportAudit(desk.db, dir, { from: iso(2), to: iso(2) });
    assert.equal(r.entries, 2);
    const lines = readFileSync(join(dir, 'entries.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { details: { daysAgo: number } });
    assert.deepEqual(lines.map((l) => l.details.daysAgo), [2, 2]);
    const ok = runScript(dir);
    assert.equal(ok.status, 0, ok.out);
    const whole = join(scratch.dir, 'whole-with-period');
    await exportAudit(desk.db, whole, { from: iso(3) });
    assert.equal(runScript(whole).status, 0);
  });

  test('a head signature altered, or a head signed by a certificate bound to nobody: fails', async () => {
    const d = copyOf(pkg, scratch.dir, 'badsig');
    const p7s = readdirSync(join(d, 'heads')).find((n) => n.endsWith('.p7s'))!;
    const bytes = readFileSync(join(d, 'heads', p7s));
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 3) ^ 0x01, bytes.length - 3);
    writeFileSync(join(d, 'heads', p7s), bytes);
    const r = runScript(d);
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, /the signature does not verify/);

    // A forged head in the database: exported, but its signer has no certificate in the package.
    const { desk } = env;
    const stranger = newIdentity('Người lạ').signingKeys[0]!;
    const h = listHeads(desk.db).at(-1)!;
    const { statement, signature } = await signHead({ seq: h.seq, hash: h.hash }, h.workstation, stranger, new Date());
    writeTx(desk.db, () => storeHead(desk.db, statement, stranger.certificate, signature, 'hourly'));
    const forged = join(scratch.dir, 'forged');
    await exportAudit(desk.db, forged);
    const f = runScript(forged);
    assert.equal(f.status, 1, f.out);
    assert.match(f.out, /not among the bound certificates/);
  });
});
