// `securedesk import` as a clerk runs it: a real CLI process, a real encrypted profile unlocked with
// a SoftHSM token, a generated Windows-1258 register. Dry run (report + workbook), the suggested
// mapping saved, the real import, then a resume of the finished job that adds nothing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createSoftHsm, type SoftHsm } from '../../fixtures/softhsm/tokens';
import { tempDir } from '../../helpers/desk';
import { writeCp1258Csv } from '../../helpers/legacyArchive';
import { cliEntry } from '../../helpers/cli';

const t = tempDir('securedesk-cli-import-');
const profile = join(t.dir, 'profile');
let hsm: SoftHsm;

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [...cliEntry(), ...args, '--profile', profile, '--module', hsm.modulePath, '--token', hsm.tokens.userRsa.serial], {
    encoding: 'utf8', env: { ...hsm.env, SECUREDESK_PIN: hsm.tokens.userRsa.pin },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

before(async () => {
  hsm = await createSoftHsm({ tokens: ['userRsa'] });
  writeCp1258Csv(t.dir);
});
after(async () => {
  await hsm.cleanup();
  t.cleanup();
});

test('import: dry run, saved mapping, real run, resume', () => {
  const init = cli(['init', '--unit-name', 'Văn phòng Tỉnh ủy', '--unit-code', '000.00.01.H49', '--preset', 'state',
    '--admin-name', 'Nguyễn Văn An', '--admin-position', 'Văn thư', '--role', 'van_thu']);
  assert.equal(init.code, 0, init.err);
  const csv = join(t.dir, 'cp1258.csv');
  const mapping = join(t.dir, 'anh-xa.json');
  const report = join(t.dir, 'ket-qua.xlsx');
  const dry = cli(['import', csv, '--dry-run', '--save-mapping', mapping, '--report', report]);
  assert.equal(dry.code, 0, dry.err);
  assert.match(dry.out, /Hợp lệ: 0, cảnh báo: 3, trùng: 0, bị từ chối: 1/);
  assert.match(dry.out, /Bảng mã được nhận biết tự động.*: cp1258/);
  assert.match(dry.out, /cp1258\.csv dòng 6: bị từ chối: Ngày không đọc được \(cột "Ngày văn bản"\) \[32\/03\/2019\]/);
  assert.ok(existsSync(mapping) && existsSync(report));
  // Without a checked mapping nothing is imported.
  const unmapped = cli(['import', csv]);
  assert.equal(unmapped.code, 1);
  assert.match(unmapped.err, /--mapping/);
  const run = cli(['import', csv, '--mapping', mapping, '--json']);
  assert.equal(run.code, 0, run.err);
  const job = (JSON.parse(run.out) as { job: { id: number; state: string; imported: number; rejected: number } }).job;
  assert.deepEqual([job.state, job.imported, job.rejected], ['done', 3, 1]);
  const again = cli(['import', '--resume', String(job.id)]);
  assert.equal(again.code, 0, again.err);
  assert.match(again.out, new RegExp(`Xong lần nhập số ${job.id}: 3 văn bản vào sổ, 0 trùng, 1 bị từ chối / 4 dòng`));
  const list = cli(['doc', 'search', 'chinh quyen dien tu', '--json']);
  assert.equal(list.code, 0, list.err);
  assert.equal((JSON.parse(list.out) as { total: number }).total, 1);
});
