// `securedesk import PATH [--mapping FILE] [--dry-run] [--resume JOB] [--report FILE.xlsx] [--save-mapping FILE]`:
// the legacy import for clerks and IT, on the same core as the app (desk.imports). A dry run prints
// (or --json returns) the validation report; a real run needs a mapping the clerk has checked, shows
// progress on stderr, and stops cleanly on Ctrl+C (resume it with --resume JOB).
import { writeFile } from 'node:fs/promises';
import { DeskError } from '../../common/errors';
import type { Desk } from '../core/desk';
import type { ValidationReport } from '../core/import/dryRun';
import { ENCODINGS } from '../core/import/encodings';
import { loadMapping, saveMapping, suggestMapping, type Mapping } from '../core/import/mapping';
import { reportWorkbook } from '../core/import/reportXlsx';
import type { Actor } from '../core/org/rights';

export interface ImportArgs {
  path: string | undefined;
  mapping?: string | undefined;
  dryRun: boolean;
  resume?: string | undefined;
  report?: string | undefined;
  saveMapping?: string | undefined;
  encoding?: string | undefined;
  json: boolean;
}

const STATUS = { ok: 'hợp lệ', warning: 'cảnh báo', duplicate: 'trùng', rejected: 'bị từ chối' } as const;

export function reportText(r: ValidationReport): string {
  const lines = [
    `Tệp ${r.source.name} (${r.source.format}${r.source.encoding ? `, ${r.source.encoding}` : ''}, SHA-256 ${r.source.sha256.slice(0, 16)}…)`,
    `Hợp lệ: ${r.counts.ok}, cảnh báo: ${r.counts.warning}, trùng: ${r.counts.duplicate}, bị từ chối: ${r.counts.rejected}`,
    ...r.quirks.map((q) => `  * ${q.text}${q.sheet ? ` [${q.sheet}${q.row ? `, dòng ${q.row}` : ''}${q.column ? `, cột "${q.column}"` : ''}]` : ''}${q.detail ? `: ${q.detail}` : ''}`),
    ...r.missingColumns.map((m) => `  * Trang ${m.sheet} không có cột "${m.column}"`),
    ...r.rows.filter((x) => x.status !== 'ok').slice(0, 200).map((x) =>
      `  ${x.sheet} dòng ${x.row}: ${STATUS[x.status]}: ${x.reasons.map((m) => `${m.text}${m.column ? ` (cột "${m.column}")` : ''}${m.detail ? ` [${m.detail}]` : ''}`).join('; ')}`),
    ...(r.unknownUnits.length ? ['Cơ quan chưa có trong danh mục (ánh xạ trong mục "units" của tệp ánh xạ):', ...r.unknownUnits.map((u) => `  ${u.name} (${u.count} dòng)`)] : []),
  ];
  return lines.join('\n');
}

export async function importCommand(desk: Desk, actor: Actor, a: ImportArgs, out: (value: unknown, text: () => string) => void, usage: (m: string) => Error): Promise<number> {
  if (a.encoding !== undefined && !(ENCODINGS as readonly string[]).includes(a.encoding)) throw usage(`--encoding must be one of ${ENCODINGS.join(', ')}`);
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  const progress = (p: { handled: number; total: number; rate: number; secondsLeft: number | null }) => {
    if (!a.json) process.stderr.write(`Đã xử lý ${p.handled}/${p.total} dòng (${Math.round(p.rate)} dòng/giây${p.secondsLeft !== null ? `, còn khoảng ${Math.ceil(p.secondsLeft)} giây` : ''})\n`);
  };
  try {
    if (a.resume !== undefined) {
      if (!/^\d+$/.test(a.resume)) throw usage('--resume needs a job number');
      const r = await desk.imports.resume(actor, Number(a.resume), { signal: controller.signal, onProgress: progress });
      out(r, () => jobText(r.job, r.cancelled));
      return 0;
    }
    if (!a.path) throw usage('import needs a PATH');
    let mapping: Mapping;
    if (a.mapping) mapping = await loadMapping(a.mapping);
    else {
      const src = await desk.imports.read(actor, a.path);
      mapping = suggestMapping(src.tables[0]?.headers ?? []);
    }
    if (a.encoding) mapping = { ...mapping, encoding: a.encoding as Mapping['encoding'] };
    if (a.saveMapping) await saveMapping(a.saveMapping, mapping);
    if (a.dryRun || !a.mapping) {
      const report = await desk.imports.dryRun(actor, a.path, mapping);
      if (a.report) await writeFile(a.report, await reportWorkbook(report), { mode: 0o600 });
      out({ mapping, report }, () => `${reportText(report)}${a.mapping ? '' : '\n(Ánh xạ đề xuất theo tên cột; kiểm tra rồi ghi bằng --save-mapping và nhập bằng --mapping.)'}`);
      if (!a.dryRun && !a.mapping) throw new DeskError('VALIDATION', 'Cần tệp ánh xạ đã kiểm tra (--mapping) để nhập thật; đã chạy thử và in kết quả.');
      return 0;
    }
    const r = await desk.imports.start(actor, a.path, mapping, { signal: controller.signal, onProgress: progress });
    out(r, () => jobText(r.job, r.cancelled));
    return 0;
  } finally {
    process.removeListener('SIGINT', stop);
  }
}

function jobText(j: { id: number; state: string; total: number; imported: number; duplicates: number; rejected: number }, cancelled: boolean): string {
  return `${cancelled ? 'Đã dừng' : 'Xong'} lần nhập số ${j.id}: ${j.imported} văn bản vào sổ, ${j.duplicates} trùng, ${j.rejected} bị từ chối / ${j.total} dòng.${cancelled ? ` Tiếp tục: securedesk import --resume ${j.id}` : ''}`;
}
