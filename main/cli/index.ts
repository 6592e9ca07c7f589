// `securedesk`: the command-line tool for IT staff and clerks, on the same core as the app.
//   securedesk init | doc add | doc list | doc search | doc show   (--profile DIR, --json)
import { createReadStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseDateVn, isValidIsoDate } from '../../common/dates';
import { DeskError } from '../../common/errors';
import { fieldErrors, incomingListSchema, incomingRegisterSchema, setupInputSchema } from '../../common/schemas';
import { Desk } from '../core/desk';
import { fileLogger } from '../core/log';
import type { Actor } from '../core/org/rights';
import { actorFor, getUser, listUsers } from '../core/org/users';
import { detailText, rowsTable } from './format';
import { defaultProfileDir } from './profilePath';
import { join } from 'node:path';

const USAGE = `securedesk — SecureDesk command line

  securedesk init --unit-name NAME --unit-code CODE --preset state|party
                  --admin-name NAME --admin-position POSITION [--role van_thu|lanh_dao|chuyen_vien|quan_tri]
                  [--clearance thuong|mat|toi_mat|tuyet_mat]
  securedesk doc add --issuer NAME --number NUMBER-SYMBOL --date DD/MM/YYYY --type CODE --subject TEXT
                  --file PATH [--file PATH …] [--secrecy LEVEL] [--urgency thuong|khan|thuong_khan|hoa_toc]
                  [--arrival DD/MM/YYYY] [--deadline DD/MM/YYYY] [--recipient TEXT …] [--notes TEXT] [--register ID] [--force]
  securedesk doc list [--year YYYY] [--secrecy LEVEL …] [--limit N] [--offset N]
  securedesk doc search QUERY [--limit N]
  securedesk doc show ID

Common options: --profile DIR (default: $SECUREDESK_PROFILE or the app's profile folder), --user ID, --json
Exit codes: 0 done, 1 refused or failed (message on stderr), 2 wrong usage.`;

const OPTIONS = {
  profile: { type: 'string' }, user: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' },
  'unit-name': { type: 'string' }, 'unit-code': { type: 'string' }, preset: { type: 'string' },
  'admin-name': { type: 'string' }, 'admin-position': { type: 'string' }, role: { type: 'string' }, clearance: { type: 'string' },
  issuer: { type: 'string' }, number: { type: 'string' }, date: { type: 'string' }, arrival: { type: 'string' }, type: { type: 'string' },
  subject: { type: 'string' }, secrecy: { type: 'string', multiple: true }, urgency: { type: 'string' }, deadline: { type: 'string' },
  recipient: { type: 'string', multiple: true }, notes: { type: 'string' }, file: { type: 'string', multiple: true },
  register: { type: 'string' }, force: { type: 'boolean', default: false },
  year: { type: 'string' }, limit: { type: 'string' }, offset: { type: 'string' },
} as const;

class UsageError extends Error {}

/** dd/mm/yyyy (as users write it) or yyyy-mm-dd; anything else is passed on for the schema to refuse. */
const dateArg = (v: string | undefined) => (v === undefined ? undefined : isValidIsoDate(v) ? v : (parseDateVn(v) ?? v));
const intArg = (v: string | undefined, name: string) => {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`--${name} must be a whole number`);
  return Number(v);
};

function validation(error: Parameters<typeof fieldErrors>[0]): DeskError {
  const fields = fieldErrors(error);
  return new DeskError('VALIDATION', Object.values(fields)[0] ?? 'Dữ liệu không hợp lệ.', { fields });
}

async function main(argv: string[]): Promise<number> {
  const { values: o, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  if (o.help || positionals.length === 0) {
    process.stdout.write(`${USAGE}\n`);
    return positionals.length === 0 && !o.help ? 2 : 0;
  }
  const profileDir = o.profile ?? defaultProfileDir();
  const desk = await Desk.open({ profileDir, logger: fileLogger(join(profileDir, 'logs', 'cli.log')) });
  const out = (value: unknown, text: () => string) => process.stdout.write(`${o.json ? JSON.stringify(value, null, 2) : text()}\n`);
  try {
    const [cmd, sub, ...rest] = positionals;
    if (cmd === 'init') {
      const parsed = setupInputSchema.safeParse({
        unit: { name: o['unit-name'], code: o['unit-code'], preset: o.preset },
        admin: { fullName: o['admin-name'], position: o['admin-position'], role: o.role ?? 'quan_tri', clearance: o.clearance ?? 'tuyet_mat' },
      });
      if (!parsed.success) throw validation(parsed.error);
      const session = desk.setup(parsed.data);
      out({ profileDir, session }, () => `Đã tạo hồ sơ máy trạm tại ${profileDir} cho ${parsed.data.unit.name}; người dùng đầu tiên: ${session.user.fullName} (mã ${session.user.id}).`);
      return 0;
    }
    if (cmd !== 'doc') throw new UsageError(`unknown command: ${cmd}`);
    if (desk.info().profile === 'new') throw new DeskError('SETUP_REQUIRED', `Hồ sơ máy trạm ${profileDir} chưa được thiết lập. Chạy "securedesk init" trước.`);
    const actor = signIn(desk, o.user);
    switch (sub) {
      case 'add': {
        const files = o.file ?? [];
        const parsed = incomingRegisterSchema.safeParse({
          ...(o.register ? { registerId: intArg(o.register, 'register') } : {}),
          issuer: { name: o.issuer }, numberSymbol: o.number, documentDate: dateArg(o.date), typeCode: o.type,
          subject: o.subject ?? '', secrecy: o.secrecy?.[0] ?? 'thuong', urgency: o.urgency ?? 'thuong',
          ...(o.arrival ? { arrivalDate: dateArg(o.arrival) } : {}), ...(o.deadline ? { deadline: dateArg(o.deadline) } : {}),
          recipients: o.recipient ?? [], notes: o.notes ?? '',
          // Placeholder ids satisfy the schema's shape; the real ones come from staging below.
          stagedIds: files.map(() => '0'.repeat(32)), acknowledgeDuplicates: o.force,
        });
        if (!parsed.success) throw validation(parsed.error);
        const stagedIds: string[] = [];
        try {
          for (const f of files) stagedIds.push((await desk.stageFile(actor, createReadStream(f), f)).stagedId);
          const result = await desk.registerIncoming(actor, { ...parsed.data, stagedIds });
          out(result, () => `Đã vào sổ "${result.registerName}": số đến ${result.arrivalNumber} (mã bản ghi ${result.id}).`);
        } finally {
          for (const id of stagedIds) await desk.store.discard(id).catch(() => undefined);
        }
        return 0;
      }
      case 'list':
      case 'search': {
        const query = sub === 'search' ? rest.join(' ') : undefined;
        if (sub === 'search' && !query) throw new UsageError('doc search needs a query');
        const parsed = incomingListSchema.safeParse({
          ...(query ? { query } : {}), ...(o.year ? { year: intArg(o.year, 'year') } : {}),
          ...(o.secrecy ? { secrecy: o.secrecy } : {}),
          limit: intArg(o.limit, 'limit') ?? 50, offset: intArg(o.offset, 'offset') ?? 0,
        });
        if (!parsed.success) throw validation(parsed.error);
        const rows = desk.listIncoming(actor, parsed.data);
        const { sort: _s, limit: _l, offset: _o, ...filter } = parsed.data;
        const count = desk.countIncoming(actor, filter);
        out({ total: count.total, capped: count.capped, rows }, () => `${rowsTable(rows)}\n(${rows.length} / ${count.capped ? 'hơn ' : ''}${count.total})`);
        return 0;
      }
      case 'show': {
        const id = intArg(rest[0], 'id');
        if (!id) throw new UsageError('doc show needs a record id');
        const d = desk.getIncoming(actor, id);
        out(d, () => detailText(d));
        return 0;
      }
      default:
        throw new UsageError(`unknown doc command: ${sub ?? ''}`);
    }
  } finally {
    desk.close();
  }
}

/** Until token login (PKCS#11 issue) the CLI acts as --user, or the profile's first user. */
function signIn(desk: Desk, user: string | undefined): Actor {
  const id = user !== undefined ? intArg(user, 'user') : listUsers(desk.db)[0]?.id;
  const found = id !== undefined ? getUser(desk.db, id) : undefined;
  if (!found) throw new DeskError('NOT_FOUND', `Không tìm thấy người dùng ${user ?? ''}.`.trim());
  desk.login(found.id);
  return actorFor(found);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`securedesk: ${(err as Error).message}\n\n${USAGE}\n`);
      process.exit(2);
    }
    if (err instanceof DeskError) {
      const fields = Object.entries(err.fields ?? {}).map(([k, v]) => `  ${k}: ${v}`).join('\n');
      const dups = (err.details?.duplicates as Array<{ id: number; arrivalNumber: number; registerName: string }> | undefined)
        ?.map((d) => `  trùng với bản ghi ${d.id} (số đến ${d.arrivalNumber}, ${d.registerName}); dùng --force để vẫn vào sổ`).join('\n');
      process.stderr.write(`Lỗi [${err.code}]: ${err.message}\n${fields ? `${fields}\n` : ''}${dups ? `${dups}\n` : ''}`);
      process.exit(1);
    }
    process.stderr.write(`securedesk: unexpected error: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
