// A mapping: which source column feeds which field of the register, with small transforms; saved
// and loaded as JSON (checked by zod), suggested from the header titles of usual registers.
import { readFile, writeFile } from 'node:fs/promises';
import { DeskError } from '../../../common/errors';
import { foldVietnamese } from '../../../common/vietnamese';
import { mappingSchema, type Mapping, type TargetField, type Transform } from '../../../common/importMapping';

// The schema is shared with the contract and the window (common/importMapping.ts).
export { TARGET_FIELDS, TRANSFORMS, mappingSchema, type Mapping, type MappingInput, type TargetField, type Transform } from '../../../common/importMapping';

export function parseMapping(json: unknown): Mapping {
  const r = mappingSchema.safeParse(json);
  if (!r.success) throw DeskError.keyed('VALIDATION', 'input.invalid', undefined, { details: { issues: r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) } });
  return r.data;
}

export async function loadMapping(path: string): Promise<Mapping> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    throw DeskError.keyed('VALIDATION', 'input.invalid', undefined, { details: { file: path } });
  }
  return parseMapping(json);
}

export async function saveMapping(path: string, mapping: Mapping): Promise<void> {
  await writeFile(path, `${JSON.stringify(parseMapping(mapping), null, 2)}\n`, { mode: 0o600 });
}

const fold = (s: string) => foldVietnamese(s).replace(/[^a-z0-9]+/g, ' ').trim();

/** Header titles of the registers of NĐ 30/2020 and of old software, folded, for each field. */
const ALIASES: Array<[TargetField, string[]]> = [
  ['arrivalDate', ['ngay den', 'den ngay', 'ngay nhan', 'ngaynhan', 'ngayden']],
  ['arrivalNumber', ['so den', 'soden', 'den so']],
  ['issuer', ['tac gia', 'co quan ban hanh', 'noi gui', 'noi ban hanh', 'don vi ban hanh', 'co quan gui', 'coquanbh', 'noigui', 'coquan', 'van ban co quan ban hanh']],
  ['numberSymbol', ['so ky hieu', 'so va ky hieu', 'so ky hieu van ban', 'so hieu', 'sokyhieu', 'so kh', 'sokh', 'van ban so ky hieu']],
  ['documentDate', ['ngay van ban', 'ngay thang van ban', 'ngay ban hanh', 'ngay ky', 'ngayvb', 'van ban ngay', 'ngay thang']],
  ['typeCode', ['loai van ban', 'ten loai', 'loai', 'loaivb']],
  ['subject', ['trich yeu', 'ten loai va trich yeu', 'ten loai va trich yeu noi dung', 'trich yeu noi dung', 'noi dung', 'trichyeu']],
  ['secrecy', ['do mat', 'domat', 'mat']],
  ['urgency', ['do khan', 'dokhan', 'khan']],
  ['deadline', ['han xu ly', 'thoi han', 'han giai quyet', 'hanxl']],
  ['recipients', ['don vi hoac nguoi nhan', 'noi nhan', 'nguoi nhan', 'don vi nhan']],
  ['notes', ['ghi chu', 'ghichu']],
  ['signer', ['nguoi ky', 'nguoiky']],
  ['pageCount', ['so trang', 'sotrang']],
  ['copyCount', ['so ban', 'soban']],
  ['file', ['tep', 'tep tin', 'file', 'duong dan', 'tep dinh kem', 'ban scan']],
];

/** A first mapping from the titles: a title matches a field when its folded form, or its last part ("Ngày / Đến"), is an alias. */
export function suggestMapping(headers: readonly string[]): Mapping {
  const columns: Mapping['columns'] = [];
  const used = new Set<TargetField>();
  for (const h of headers) {
    const candidates = [fold(h), fold(h.split(' / ').pop() ?? h), fold(h.split(' / ').join(' '))];
    const hit = ALIASES.find(([f, names]) => !used.has(f) && candidates.some((c) => names.includes(c)));
    if (hit) {
      used.add(hit[0]);
      columns.push({ source: h, field: hit[0], transforms: [] });
    }
  }
  return parseMapping({ version: 1, columns: columns.length ? columns : [{ source: headers[0] ?? '?', field: 'subject' }] });
}

export function applyTransforms(text: string, transforms: readonly Transform[]): string {
  let s = text;
  for (const t of transforms) {
    if (t === 'upper') s = s.toLocaleUpperCase('vi');
    else if (t === 'lower') s = s.toLocaleLowerCase('vi');
    else if (t === 'firstLine') s = s.split(/\r?\n/)[0] ?? '';
    else s = s.replace(/^[^:]{1,30}:\s*/u, '');
  }
  return s.trim();
}
