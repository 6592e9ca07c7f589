// Scans matched to rows (a naming rule with {so} {kyhieu} {nam}, a path column) in a folder and in a
// ZIP brought with the register; the ZIP read under its policy: an archive that climbs out, holds a
// link, expands past the limits (a zip bomb) or lies about sizes is refused with its reason, and
// nothing is ever written outside the profile; a scan whose bytes are not what its name says is refused.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DeskError } from '../../common/errors';
import { incomingListSchema } from '../../common/schemas';
import type { Mapping } from '../../main/core/import/mapping';
import { namesByRule, ruleValues } from '../../main/core/import/scans';
import { ZIP_LIMITS, ZipArchive } from '../../main/core/import/zipSource';
import type { Actor } from '../../main/core/org/rights';
import { addUnit } from '../../main/core/org/units';
import { makeSamplePdf } from '../../main/devhost/samplePdf';
import { addActor, newDesk, stageBytes, tempDir } from '../helpers/desk';
import { makeZip } from '../helpers/zipWriter';

let env: Awaited<ReturnType<typeof newDesk>>;
let work: ReturnType<typeof tempDir>;
let clerk: Actor;
let unknownTarget: number;
const TIFF = Buffer.from([0x49, 0x49, 0x2a, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1]);
const pdf = (symbol: string, subject: string) => makeSamplePdf({ issuer: 'Sở Nội vụ', numberSymbol: symbol, title: 'CÔNG VĂN', subject });

const HEADER = 'Số đến,Ngày đến,"Số, ký hiệu",Ngày văn bản,Cơ quan ban hành,Trích yếu,Độ mật,Tệp';
const CSV = [
  HEADER,
  '1,06/03/2019,16/CV-UBND,05/03/2019,Sở Nội vụ,Về việc tuyển dụng công chức,,scans/16-cv.pdf',
  '2,08/03/2019,17/QĐ-UBND,07/03/2019,Sở Nội vụ,Về việc nâng lương,Mật,scans\\17-qd.tif',
  '3,09/03/2019,18/TB-UBND,08/03/2019,Ban Tổ chức Huyện ủy Đông Triều,Về lịch họp giao ban,,scans/gia.pdf',
  '4,10/03/2019,19/CV-UBND,09/03/2019,Sở Nội vụ,Về việc sắp xếp tổ chức bộ máy,,',
].join('\r\n');

const mappingOf = (over: Partial<Mapping> = {}): Mapping => ({
  version: 1,
  columns: [
    { source: 'Số đến', field: 'arrivalNumber', transforms: [] },
    { source: 'Ngày đến', field: 'arrivalDate', transforms: [] },
    { source: 'Số, ký hiệu', field: 'numberSymbol', transforms: [] },
    { source: 'Ngày văn bản', field: 'documentDate', transforms: [] },
    { source: 'Cơ quan ban hành', field: 'issuer', transforms: [] },
    { source: 'Trích yếu', field: 'subject', transforms: [] },
    { source: 'Độ mật', field: 'secrecy', transforms: [] },
    { source: 'Tệp', field: 'file', transforms: [] },
  ],
  defaults: { secrecy: 'thuong', urgency: 'thuong' }, datePivot: 50, files: {}, units: {}, ...over,
});

before(async () => {
  env = await newDesk();
  work = tempDir('securedesk-import-zip-');
  addUnit(env.desk.db, 'Sở Nội vụ', '000.00.12.H49');
  unknownTarget = addUnit(env.desk.db, 'Ban Tổ chức Thị ủy Đông Triều', '000.00.31.H49');
  clerk = addActor(env.desk, 'van_thu', 'mat', 'Trần Văn Nhập');
});
after(() => { env.cleanup(); work.cleanup(); });

const codes = (rows: Array<{ row: number; status: string; reasons: Array<{ code: string }> }>) => rows.map((r) => [r.row, r.status, r.reasons.map((x) => x.code)]);

test('naming rule: {so}, {kyhieu}, {nam} and ".*" find PDF and TIFF scans in the chosen folder; a JPEG named .pdf is refused', async () => {
  assert.deepEqual(ruleValues('16/CV-UBND', '2019-03-05', 2), { numberSymbol: '16/CV-UBND', so: '16', kyhieu: 'CV-UBND', nam: '2019', row: '2' });
  assert.deepEqual(namesByRule('{nam}/{so}-{kyhieu}.pdf', ruleValues('16/CV-UBND', '2019-03-05', 2)), ['2019/16-CV-UBND.pdf']);
  assert.deepEqual(namesByRule('{nam}/{so}.*', ruleValues('16/CV-UBND', null, 2)), [], 'no year: no name');
  assert.equal(namesByRule('{so}.*', ruleValues('5/TB', null, 1)).length, 6);
  const dir = join(work.dir, 'rule');
  mkdirSync(join(dir, '2019'), { recursive: true });
  writeFileSync(join(dir, 'so.csv'), CSV.split('\r\n').map((l) => l.replace(/,[^,]*$/, '')).join('\r\n'));
  writeFileSync(join(dir, '2019', '16-CV-UBND.pdf'), await pdf('16/CV-UBND', 'Về việc tuyển dụng công chức'));
  writeFileSync(join(dir, '2019', '17-QĐ-UBND.tif'), TIFF);
  writeFileSync(join(dir, '2019', '18-TB-UBND.pdf'), JPEG);
  const mapping = mappingOf({ columns: mappingOf().columns.filter((c) => c.field !== 'file'), files: { pattern: '{nam}/{so}-{kyhieu}.*' } });
  const report = await env.desk.imports.dryRun(clerk, join(dir, 'so.csv'), mapping);
  assert.deepEqual(codes(report.rows), [
    [2, 'ok', []],
    [3, 'ok', []],
    [4, 'rejected', ['unknownUnit', 'fileLies']],
    [5, 'warning', ['noFileForRule']],
  ]);
  assert.equal(report.rows[0]!.record!.file?.kind, 'pdf');
  assert.equal(report.rows[1]!.record!.file?.kind, 'tiff');
  assert.equal(report.rows[1]!.record!.file?.name, '17-QĐ-UBND.tif');
  assert.match(report.rows[2]!.reasons[1]!.detail!, /jpeg ≠ pdf/);
  assert.equal(report.rows[3]!.reasons[0]!.detail, '2019/19-CV-UBND.pdf');
});

test('a ZIP of a register and its scans: path column (Windows separators too), preview as stored, an unknown unit mapped, dry run, the job registers rows with their scans', async () => {
  const zip = makeZip([
    { name: 'so-den-2019/so-den.csv', bytes: CSV },
    { name: 'so-den-2019/scans/16-cv.pdf', bytes: await pdf('16/CV-UBND', 'Về việc tuyển dụng công chức') },
    { name: 'so-den-2019/scans/17-qd.tif', bytes: TIFF, store: true },
    { name: 'so-den-2019/scans/gia.pdf', bytes: JPEG },
  ]);
  const staged = await stageBytes(env.desk, clerk, zip, 'so-den-2019.zip');
  const w = env.desk.importWindow;
  const opened = await w.open(clerk, { stagedId: staged.stagedId });
  assert.equal(opened.entry, 'so-den-2019/so-den.csv');
  assert.deepEqual(opened.archive, { registers: ['so-den-2019/so-den.csv'], files: 4, scans: 3 });
  assert.equal(opened.format, 'csv');
  assert.equal(opened.encoding, 'utf8');
  assert.equal(opened.delimiter, ',');
  assert.equal(opened.delimiterDetected, true);
  assert.deepEqual(opened.sheets[0]!.headers, ['Số đến', 'Ngày đến', 'Số, ký hiệu', 'Ngày văn bản', 'Cơ quan ban hành', 'Trích yếu', 'Độ mật', 'Tệp']);
  assert.deepEqual(opened.suggested.columns.map((c) => c.field), ['arrivalNumber', 'arrivalDate', 'numberSymbol', 'documentDate', 'issuer', 'subject', 'secrecy', 'file']);
  const source = { stagedId: staged.stagedId };
  const mapping = opened.suggested;
  const preview = await w.preview(clerk, source, mapping, 10);
  assert.deepEqual(codes(preview.rows), [
    [2, 'ok', []],
    [3, 'ok', []],
    [4, 'rejected', ['unknownUnit', 'fileLies']],
    [5, 'ok', []],
  ]);
  assert.deepEqual(preview.unknownUnits, [{ name: 'Ban Tổ chức Huyện ủy Đông Triều', rows: 1 }]);
  const r2 = preview.rows[1]!.record!;
  assert.deepEqual({ ...r2 }, {
    issuer: 'Sở Nội vụ', issuerUnitId: r2.issuerUnitId, numberSymbol: '17/QĐ-UBND', documentDate: '2019-03-07', arrivalDate: '2019-03-08', typeCode: 'QĐ',
    subject: 'Về việc nâng lương', secrecy: 'mat', urgency: 'thuong', deadline: null, recipients: [], notes: 'Số đến trong sổ cũ: 2', file: '17-qd.tif',
  });
  assert.ok(r2.issuerUnitId);
  // The clerk maps the unknown issuer; the row is then the directory's unit (and still refused for its lying scan).
  const mapped = { ...mapping, units: { 'Ban Tổ chức Huyện ủy Đông Triều': unknownTarget } };
  const again = await w.preview(clerk, source, mapped, 10);
  assert.deepEqual(again.unknownUnits, []);
  assert.equal(again.rows[2]!.record, null);
  await assert.rejects(w.preview(clerk, source, { ...mapping, units: { X: 999_999 } }, 10), (e: DeskError) => e.key === 'import.unit.notFound');

  const dry = await w.dryRun(clerk, source, mapped);
  assert.deepEqual(dry.counts, { ok: 3, warning: 0, duplicate: 0, rejected: 1 });
  assert.equal(dry.level, 'mat');
  assert.equal(dry.report.subarray(0, 2).toString(), 'PK');

  const run = await w.start(clerk, source, mapped);
  let p = run;
  // Until it ends, however long a loaded machine takes (the test's own timeout bounds it).
  while (p.state === 'running') {
    await new Promise((r) => setTimeout(r, 25));
    p = w.progress(clerk, run.runId);
  }
  assert.equal(p.state, 'done', JSON.stringify(p));
  assert.deepEqual([p.total, p.handled, p.imported, p.rejected], [4, 4, 3, 1]);
  const list = env.desk.incoming.list(clerk, incomingListSchema.parse({ limit: 50 }));
  const bySymbol = new Map(list.map((r) => [r.numberSymbol, r]));
  const tif = await env.desk.incoming.get(clerk, bySymbol.get('17/QĐ-UBND')!.id);
  assert.equal(tif.attachments.length, 1);
  assert.equal(tif.attachments[0]!.name, '17-qd.tif');
  assert.equal((await env.desk.incoming.get(clerk, bySymbol.get('16/CV-UBND')!.id)).attachments[0]!.name, '16-cv.pdf');
  assert.equal((await env.desk.incoming.get(clerk, bySymbol.get('19/CV-UBND')!.id)).attachments.length, 0);
  assert.ok(!bySymbol.has('18/TB-UBND'));
  const jobs = w.jobs(clerk);
  assert.equal(jobs[0]!.state, 'done');
  assert.equal(jobs[0]!.resumable, false);
  // Run again: every row was imported by the first job.
  const dup = await env.desk.imports.dryRun(clerk, `staged:${staged.stagedId}`, mapped);
  assert.deepEqual(dup.counts, { ok: 0, warning: 0, duplicate: 3, rejected: 1 });
});

/**
 * Every name of a file under `dir`. The folder beside the profile is the shared temporary folder, where
 * other tests create and remove their own folders meanwhile: a folder gone while walked is skipped.
 */
const namesUnder = (dir: string): string[] => {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'EACCES') return [];
    throw e;
  }
  return entries.flatMap((e) => (e.isDirectory() ? namesUnder(join(dir, e.name)) : e.isFile() ? [e.name] : []));
};

const refusal = async (zip: Buffer, name: string) => {
  const staged = await stageBytes(env.desk, clerk, zip, name);
  try {
    await env.desk.importWindow.open(clerk, { stagedId: staged.stagedId });
  } catch (e) {
    assert.ok(e instanceof DeskError, String(e));
    return { code: (e.details as { zip?: string } | undefined)?.zip, key: e.key, message: e.message };
  }
  assert.fail(`${name} was not refused`);
};

test('hostile archives are refused with their reason, and nothing is written outside the profile', async () => {
  const register = { name: 'so.csv', bytes: CSV };
  const scan = await pdf('1/TB', 'Thử');
  const cases: Array<[string, Buffer, string, RegExp]> = [
    ['zip-slip', makeZip([register, { name: '../../evil.pdf', bytes: scan }]), 'climbsOut', /“\.\.\/\.\.\/evil\.pdf” trỏ ra ngoài/],
    ['slip-inside', makeZip([register, { name: 'scans/../../evil.pdf', bytes: scan }]), 'climbsOut', /trỏ ra ngoài/],
    ['absolute', makeZip([register, { name: '/tmp/evil.pdf', bytes: scan }]), 'absolutePath', /đường dẫn tuyệt đối/],
    ['drive', makeZip([register, { name: 'C:/Windows/evil.pdf', bytes: scan }]), 'absolutePath', /ổ đĩa/],
    ['backslash', makeZip([register, { name: '..\\..\\evil.pdf', bytes: scan }]), 'backslash', /dấu “\\”/],
    ['symlink', makeZip([register, { name: 'scans/evil.pdf', bytes: '/etc/passwd', unixMode: 0o120777 }]), 'link', /liên kết \(symlink\)/],
    ['duplicate', makeZip([register, { name: 'SO.csv', bytes: CSV }]), 'duplicateEntry', /hơn một lần/],
  ];
  for (const [name, zip, code, text] of cases) {
    const r = await refusal(zip, `${name}.zip`);
    assert.equal(r.code, code, name);
    assert.equal(r.key, `import.zip.${code}`, name);
    assert.match(r.message, text, name);
  }
  // Nothing was extracted anywhere: no "evil" file in the profile, beside it or in the temporary folder.
  for (const dir of [env.dir, join(env.dir, '..'), work.dir]) assert.ok(!namesUnder(dir).some((n) => n.includes('evil')), dir);
  assert.ok(!existsSync('/tmp/evil.pdf'));
});

test('a zip bomb, an entry whose size lies, too many entries and too many bytes are refused', async () => {
  // 64 MiB of zeros deflate to about 64 KiB: a thousand to one.
  const bomb = makeZip([{ name: 'so.csv', bytes: CSV }, { name: 'scans/bomb.pdf', bytes: Buffer.alloc(64 * 1024 * 1024) }]);
  assert.ok(bomb.length < 200 * 1024);
  const r = await refusal(bomb, 'bomb.zip');
  assert.equal(r.code, 'ratio');
  assert.match(r.message, /“scans\/bomb\.pdf” nở ra gấp \d+ lần \(bom nén\)/);
  // The directory says 200 bytes; the entry inflates to 5 MB: stopped at the declared size.
  const liar = makeZip([{ name: 'so.csv', bytes: `${CSV}\r\n${'x,'.repeat(2_500_000)}`, declaredSize: 200 }]);
  const l = await refusal(liar, 'liar.zip');
  assert.equal(l.code, 'sizeLies');
  const four = makeZip([1, 2, 3, 4].map((i) => ({ name: `${i}.csv`, bytes: CSV })));
  assert.throws(() => ZipArchive.open(four, { ...ZIP_LIMITS, maxEntries: 3 }), (e: DeskError) => e.key === 'import.zip.tooManyEntries' && /4 mục, vượt giới hạn 3/.test(e.message));
  assert.throws(() => ZipArchive.open(four, { ...ZIP_LIMITS, maxTotalBytes: 1000 }), (e: DeskError) => e.key === 'import.zip.tooLarge');
  assert.throws(() => ZipArchive.open(Buffer.from('PK\u0003\u0004 not really a zip')), (e: DeskError) => e.key === 'import.zip.damaged');
  const encrypted = makeZip([{ name: 'so.csv', bytes: CSV }]);
  // Flag bit 0 (encrypted) in the central directory entry.
  const cd = encrypted.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  encrypted.writeUInt16LE(encrypted.readUInt16LE(cd + 8) | 1, cd + 8);
  assert.equal((await refusal(encrypted, 'encrypted.zip')).code, 'encrypted');
  const noRegister = await stageBytes(env.desk, clerk, makeZip([{ name: 'scan.pdf', bytes: await pdf('2/TB', 'Thử') }]), 'scans.zip');
  await assert.rejects(env.desk.importWindow.open(clerk, { stagedId: noRegister.stagedId }), (e: DeskError) => e.key === 'import.zip.noRegister');
});

test('the window cancels a running import between rows and resumes it to the end, each row once', async () => {
  const rows = Array.from({ length: 30 }, (_, i) => `${i + 1},06/03/2020,${100 + i}/CV-SNV,05/03/2020,Sở Nội vụ,Về việc số ${i + 1},,`);
  const staged = await stageBytes(env.desk, clerk, makeZip([{ name: 'so-2020.csv', bytes: [HEADER, ...rows].join('\r\n') }]), 'so-2020.zip');
  const w = env.desk.importWindow;
  const source = { stagedId: staged.stagedId };
  const mapping = (await w.open(clerk, source)).suggested;
  const run = await w.start(clerk, source, mapping);
  // Cancelled at once: the run stops at the next row and commits what it did.
  w.cancel(clerk, run.runId);
  let p = run;
  while (p.state === 'running') { await new Promise((r) => setTimeout(r, 20)); p = w.progress(clerk, run.runId); }
  assert.equal(p.state, 'cancelled');
  assert.ok(p.imported < 30, `stopped early (${p.imported})`);
  const job = w.jobs(clerk).find((j) => j.id === p.jobId)!;
  assert.equal(job.state, 'cancelled');
  assert.equal(job.resumable, true);
  const again = await w.resume(clerk, job.id);
  p = again;
  while (p.state === 'running') { await new Promise((r) => setTimeout(r, 25)); p = w.progress(clerk, again.runId); }
  assert.equal(p.state, 'done', JSON.stringify(p));
  assert.deepEqual([p.imported, p.duplicates, p.rejected, p.handled, p.total], [30, 0, 0, 30, 30]);
  const n = env.desk.db.prepare("SELECT COUNT(*) FROM import_rows WHERE job_id = ? AND outcome = 'imported'").pluck().get(job.id);
  assert.equal(n, 30);
  await assert.rejects(w.resume(clerk, 999_999), (e: DeskError) => e.key === 'import.run.notFound');
});
