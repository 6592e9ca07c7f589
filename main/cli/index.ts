// `securedesk`: the command-line tool for IT staff and clerks, on the same core as the app.
//   securedesk init | doc add | doc list | doc search | doc show | token list | sign | verify | encrypt | decrypt
//   | audit verify | audit export | pdf verify | edxml inspect | import
import { createReadStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatDateTimeVn, parseDateInput } from '../../common/dates';
import { ARRIVAL_CHANNELS, SECRECY_LABELS, SECRECY_LEVELS, type Secrecy } from '../../common/domain';
import { DeskError } from '../../common/errors';
import { auditExportSchema, fieldErrors, incomingListSchema, incomingRegisterSchema, setupInputSchema } from '../../common/schemas';
import { Desk } from '../core/desk';
import { fileLogger } from '../core/log';
import type { Actor } from '../core/org/rights';
import { actorFor } from '../core/org/users';
import { SessionGuard } from '../core/session/guard';
import type { TokenDirectory } from '../../common/contract';
import { formatDateVn } from '../../common/dates';
import type { HashAlg, VerifyResult } from '../core/crypto';
import { defaultMachineConfigPath, machineRevocationLists, readMachineConfig } from '../../native/modules/machineConfig';
import { chooseToken, readPin, tokenService } from './tokenAccess';
import { decryptWithToken, encryptForRecipients, readCertificates, readCrlFiles, signFile, verifyFile } from './cryptoCommands';
import { detailText, rowsTable } from './format';
import { pdfVerifyExitCode, pdfVerifyText, verifyPdfFile } from './pdfCommands';
import { inspectEdxmlFile, inspectText } from './edxmlCommands';
import { importCommand } from './importCommand';
import { defaultProfileDir } from './profilePath';
import { isPackageError } from '../core/packages/errors';
import { join } from 'node:path';

const USAGE = `securedesk — SecureDesk command line

  securedesk token list
  securedesk init --unit-name NAME --unit-code CODE --preset state|party
                  --admin-name NAME --admin-position POSITION [--role van_thu|lanh_dao|chuyen_vien|quan_tri]
                  [--clearance thuong|mat|toi_mat|tuyet_mat] [--internal-unit NAME …]
  securedesk doc add --issuer NAME --number NUMBER-SYMBOL --date DATE --type CODE --subject TEXT
                  --file PATH [--file PATH …] [--secrecy LEVEL] [--urgency thuong|khan|thuong_khan|hoa_toc]
                  [--arrival DATE] [--deadline DATE] [--recipient TEXT …] [--notes TEXT] [--register ID]
                  [--pages N] [--copies N] [--signer NAME] [--channel paper|electronic|axis|cipher]
                  [--force] [--out-of-order]
  securedesk doc list [--year YYYY] [--secrecy LEVEL …] [--limit N] [--offset N]
  securedesk doc search QUERY [--limit N]
  securedesk doc show ID
  securedesk sign FILE [--out FILE.p7s]
  securedesk verify FILE SIGNATURE [--trust CA.pem …] [--crl LIST.crl …]
  securedesk pdf verify FILE [--trust CA.pem …] [--crl LIST.crl …] [--no-agency] [--json]
  securedesk edxml inspect FILE [--trust CA.pem …] [--crl LIST.crl …] [--require-signature] [--json]
  securedesk encrypt FILE --to CERT.pem [--to CERT.pem …] [--out FILE.p7m] [--oaep sha256|sha1]
  securedesk decrypt FILE [--out PATH] [--allow-pkcs1v15]
  securedesk audit verify [--json]
  securedesk audit export --out DIR [--from DATE] [--to DATE]
  securedesk import PATH [--mapping FILE] [--dry-run] [--report FILE.xlsx] [--save-mapping FILE]
                  [--encoding utf8|utf16le|utf16be|cp1258|tcvn3|vni]
  securedesk import --resume JOB
  securedesk export [--year YYYY] [--register ID] [--secrecy LEVEL …] [--query TEXT] [--work-file ID]
                  --to CERT.pem [--to CERT.pem …] [--oaep sha256|sha1] --out FILE [--trust CA.pem …]
  securedesk package verify FILE [--trust CA.pem …]
  securedesk package import FILE [--dry-run] [--trust CA.pem …]
  securedesk package import-edxml DIR|FILE.zip [--trust CA.pem …]
  securedesk export --edxml [--year YYYY] [--secrecy LEVEL …] [--query TEXT] [--work-file ID] --out FILE.zip|DIR

Dates as in the app: DD/MM/YYYY, D/M/YYYY or YYYY-MM-DD, dates in Vietnam (Asia/Ho_Chi_Minh).
--force registers a probable duplicate; --out-of-order registers into a past year or before the
register's latest arrival (both are recorded in the audit log).
audit verify checks every link of the audit log and every signed head (administrators; exit 1 and
the first broken record named when it does not verify). audit export writes the package a third
party checks with python3 and openssl alone (DIR/verify.py; docs/audit.md).

import reads a legacy register (CSV/TSV, XLSX, DBF with its memo) and registers its rows through the
register; --dry-run checks every row and writes nothing (--report saves the result as a workbook);
without --mapping the mapping suggested from the column titles is printed (--save-mapping writes it).
Ctrl+C stops between rows; --resume JOB carries on exactly where it stopped.
export writes one package of the documents you may read (docs/packages.md): signed with your token,
sealed for the --to certificates; without --to only Thường documents may leave (unencrypted).
package verify checks a package's signature (to --trust or the machine's trust anchors), every file's
hash and the counts, and shows what importing it would do; package import merges it (--dry-run:
the preview only). Importing the same package again adds nothing. package import-edxml takes a folder
or ZIP of edXML packets (each checked as the exchange does; a ZIP with an unsafe entry is refused whole);
export --edxml writes the packets of the selected issued documents (docs/packages.md).

pdf verify checks every signature inside a PDF (PAdES) and the file as a whole: exit 0 when every
signature is valid, the last one covers the whole file and the agency's signature is there and valid
(--no-agency: not required); 1 otherwise (unsigned, invalid, changed or appended after signing).

edxml inspect prints what an edXML packet holds (header, trace, attachments with the types their
bytes show, the signature's verdict) and what is wrong with it: exit 0 when nothing is, 1 otherwise
(an unsigned packet passes unless --require-signature; a sealed packet shows its routing header).

Common options: --profile DIR (default: $SECUREDESK_PROFILE or the app's profile folder), --json,
  --module PKCS11.so|dll (default: $SECUREDESK_MODULE, else machine.json, else well-known drivers),
  --token SERIAL (default: the only token present), --machine-config FILE.
The PIN is asked on the terminal without echo; SECUREDESK_PIN supplies it for automation (unsafe:
the environment of a process can be read by others and ends up in logs).
Exit codes: 0 done, 1 refused or failed (message on stderr), 2 wrong usage.`;

const OPTIONS = {
  profile: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' },
  module: { type: 'string' }, token: { type: 'string' }, 'machine-config': { type: 'string' },
  out: { type: 'string' }, to: { type: 'string', multiple: true }, trust: { type: 'string', multiple: true }, crl: { type: 'string', multiple: true },
  'allow-pkcs1v15': { type: 'boolean', default: false }, oaep: { type: 'string' },
  'unit-name': { type: 'string' }, 'unit-code': { type: 'string' }, preset: { type: 'string' },
  'admin-name': { type: 'string' }, 'admin-position': { type: 'string' }, role: { type: 'string' }, clearance: { type: 'string' },
  issuer: { type: 'string' }, number: { type: 'string' }, date: { type: 'string' }, arrival: { type: 'string' }, type: { type: 'string' },
  subject: { type: 'string' }, secrecy: { type: 'string', multiple: true }, urgency: { type: 'string' }, deadline: { type: 'string' },
  recipient: { type: 'string', multiple: true }, notes: { type: 'string' }, file: { type: 'string', multiple: true },
  register: { type: 'string' }, force: { type: 'boolean', default: false }, 'out-of-order': { type: 'boolean', default: false },
  pages: { type: 'string' }, copies: { type: 'string' }, signer: { type: 'string' }, channel: { type: 'string' },
  'internal-unit': { type: 'string', multiple: true },
  year: { type: 'string' }, limit: { type: 'string' }, offset: { type: 'string' },
  from: { type: 'string' }, 'no-agency': { type: 'boolean', default: false }, 'require-signature': { type: 'boolean', default: false },
  mapping: { type: 'string' }, 'dry-run': { type: 'boolean', default: false }, resume: { type: 'string' }, report: { type: 'string' },
  'save-mapping': { type: 'string' }, encoding: { type: 'string' },
  query: { type: 'string' }, 'work-file': { type: 'string' }, edxml: { type: 'boolean', default: false },
} as const;

class UsageError extends Error {}

/** A date in the forms the app's form takes (common/dates); anything else is passed on for the schema to refuse. */
const dateArg = (v: string | undefined) => (v === undefined ? undefined : (parseDateInput(v) ?? v));
const intArg = (v: string | undefined, name: string) => {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`--${name} must be a whole number`);
  return Number(v);
};

const channelArg = (v: string) => {
  if (!(ARRIVAL_CHANNELS as readonly string[]).includes(v)) throw new UsageError(`--channel must be one of ${ARRIVAL_CHANNELS.join(', ')}`);
  return v;
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
  const out = (value: unknown, text: () => string) => process.stdout.write(`${o.json ? JSON.stringify(value, null, 2) : text()}\n`);
  const tokenArgs = { module: o.module, token: o.token, machineConfig: o['machine-config'] };
  const tokens = tokenService(tokenArgs);
  const [cmd, sub, ...rest] = positionals;
  try {
    switch (cmd) {
      case 'token':
        if (sub !== 'list') throw new UsageError(`unknown token command: ${sub ?? ''}`);
        return tokenList(await tokens.directory(), out);
      case 'sign': {
        if (!sub) throw new UsageError('sign needs a FILE');
        const signed = await tokens.signIn(await chooseToken(tokens, tokenArgs), await readPin());
        const r = await signFile(sub, o.out ?? `${sub}.p7s`, signed);
        out(r, () => `Đã ký "${sub}" bằng chứng thư của ${r.signer}: ${r.out}`);
        return 0;
      }
      case 'verify': {
        const [sig] = rest;
        if (!sub || !sig) throw new UsageError('verify needs FILE and SIGNATURE');
        const anchors = await readCertificates(o.trust ?? (await machineTrustAnchors(o['machine-config'])));
        // CRLs: those named with --crl, and those IT installed (machine configuration).
        const r = await verifyFile(sub, sig, anchors, [...(await readCrlFiles(o.crl ?? [])), ...(await machineCrls(o['machine-config']))]);
        out(r, () => verifyText(r));
        return r.valid ? 0 : 1;
      }
      case 'pdf': {
        const [file] = rest;
        if (sub !== 'verify' || !file) throw new UsageError('usage: pdf verify FILE');
        const anchors = await readCertificates(o.trust ?? (await machineTrustAnchors(o['machine-config'])));
        const r = await verifyPdfFile(file, anchors, [...(await readCrlFiles(o.crl ?? [])), ...(await machineCrls(o['machine-config']))], !o['no-agency']);
        out(r, () => pdfVerifyText(r));
        return pdfVerifyExitCode(r);
      }
      case 'edxml': {
        const [file] = rest;
        if (sub !== 'inspect' || !file) throw new UsageError('usage: edxml inspect FILE');
        const anchors = await readCertificates(o.trust ?? (await machineTrustAnchors(o['machine-config'])));
        const r = await inspectEdxmlFile(file, anchors, [...(await readCrlFiles(o.crl ?? [])), ...(await machineCrls(o['machine-config']))], o['require-signature']);
        out(r, () => inspectText(r));
        return r.ok ? 0 : 1;
      }
      case 'encrypt': {
        if (!sub) throw new UsageError('encrypt needs a FILE');
        if (!o.to?.length) throw new UsageError('encrypt needs at least one --to CERT');
        // OAEP-SHA-256 by default; sha1 for recipients whose tokens only do OAEP-SHA-1 (SoftHSM, some USB tokens).
        const oaepHash = o.oaep === undefined || o.oaep === 'sha256' ? 'SHA-256' : o.oaep === 'sha1' ? 'SHA-1' : null;
        if (!oaepHash) throw new UsageError('--oaep must be sha256 or sha1');
        const r = await encryptForRecipients(sub, o.out ?? `${sub}.p7m`, (await readCertificates(o.to)).map((certificate) => ({ certificate, oaepHash })));
        out({ ...r, out: o.out ?? `${sub}.p7m` }, () => `Đã mã hóa ${r.bytes} byte cho ${o.to!.length} người nhận: ${o.out ?? `${sub}.p7m`}`);
        return 0;
      }
      case 'decrypt': {
        if (!sub) throw new UsageError('decrypt needs a FILE');
        const dest = o.out ?? sub.replace(/\.p7m$/i, '') + (sub.toLowerCase().endsWith('.p7m') ? '' : '.decrypted');
        const signed = await tokens.signIn(await chooseToken(tokens, tokenArgs), await readPin());
        const r = await decryptWithToken(sub, dest, signed, o['allow-pkcs1v15']);
        out({ ...r, out: dest }, () => `Đã giải mã ${r.bytes} byte: ${dest}${r.authenticated ? '' : ' (CẢNH BÁO: định dạng AES-CBC không bảo đảm toàn vẹn)'}`);
        return 0;
      }
      case 'init':
      case 'doc':
      case 'audit':
      case 'import':
      case 'export':
      case 'package':
        return await profileCommand(cmd, sub, rest);
      default:
        throw new UsageError(`unknown command: ${cmd}`);
    }
  } finally {
    await tokens.bridge.close();
  }

  async function profileCommand(cmd: string, sub: string | undefined, rest: string[]): Promise<number> {
    const profileDir = o.profile ?? defaultProfileDir();
    // Packages verify signatures: against --trust, else the machine's trust anchors (as the app does).
    const packages = cmd === 'export' || cmd === 'package';
    const trustAnchors = packages ? await readCertificates(o.trust ?? (await machineTrustAnchors(o['machine-config']))) : undefined;
    const desk = await Desk.open({ profileDir, logger: fileLogger(join(profileDir, 'logs', 'cli.log')), ...(trustAnchors ? { trustAnchors } : {}) });
    const guard = new SessionGuard(desk, tokens);
    try {
      if (cmd === 'init') {
        const parsed = setupInputSchema.safeParse({
          unit: { name: o['unit-name'], code: o['unit-code'], preset: o.preset },
          admin: { fullName: o['admin-name'], position: o['admin-position'], role: o.role ?? 'quan_tri', clearance: o.clearance ?? 'tuyet_mat' },
          ...(o['internal-unit'] ? { internalUnits: o['internal-unit'] } : {}),
        });
        if (!parsed.success) throw validation(parsed.error);
        if (desk.state !== 'new') throw new DeskError('SETUP_DONE', `Dữ liệu máy trạm ${profileDir} đã được thiết lập.`);
        const session = await guard.setup(parsed.data, await chooseToken(tokens, tokenArgs), await readPin());
        out({ profileDir, session }, () => `Đã tạo dữ liệu máy trạm (mã hóa) tại ${profileDir} cho ${parsed.data.unit.name}; người dùng đầu tiên: ${session.user.fullName} (mã ${session.user.id}).`);
        return 0;
      }
      if (cmd !== 'doc' && cmd !== 'audit' && cmd !== 'import' && !packages) throw new UsageError(`unknown command: ${cmd}`);
      if (cmd === 'import' && !sub && o.resume === undefined) throw new UsageError('import needs a PATH (or --resume JOB)');
      if (cmd === 'package' && ((sub !== 'verify' && sub !== 'import' && sub !== 'import-edxml') || !rest[0])) throw new UsageError('usage: package verify|import FILE, package import-edxml DIR|ZIP');
      if (cmd === 'export' && !o.out) throw new UsageError('export needs --out FILE');
      if (cmd === 'audit' && sub !== 'verify' && sub !== 'export') throw new UsageError(`unknown audit command: ${sub ?? ''}`);
      if (cmd === 'audit' && sub === 'export' && !o.out) throw new UsageError('audit export needs --out DIR');
      if (desk.state === 'new') throw new DeskError('SETUP_REQUIRED', `Dữ liệu máy trạm ${profileDir} chưa được thiết lập. Chạy "securedesk init" trước.`);
      const session = await guard.unlock(await chooseToken(tokens, tokenArgs), await readPin()).catch((err: unknown) => {
        // A failed sign-in is recorded (kept beside the database, appended at the next unlock).
        if (err instanceof DeskError) desk.audit.recordRefusal('session.unlock', err.code, null);
        throw err;
      });
      // The profile's policy decides the rights (who registers), as in the app.
      const actor = desk.session ?? actorFor(session.user);
      if (cmd === 'audit') return await auditCommand(desk, actor, sub!);
      if (cmd === 'import') {
        await desk.verdict();
        return await importCommand(desk, actor, {
          path: sub, mapping: o.mapping, dryRun: o['dry-run'], resume: o.resume, report: o.report, saveMapping: o['save-mapping'], encoding: o.encoding, json: o.json,
        }, out, (m) => new UsageError(m));
      }
      if (packages) return await packageCommand(desk, actor, guard, cmd === 'export' ? 'export' : sub!, cmd === 'export' ? sub : rest[0]);
      return await docCommand(desk, actor, sub, rest);
    } finally {
      guard.lock('manual');
      // The head of the lock is signed while the token is still open (audit/AuditAnchor.ts).
      await desk.auditAnchor.settled();
      desk.close();
    }
  }

  const WORK_FILE_OUTCOME = { new: 'mới', already: 'đã có', update: 'cập nhật', conflict: 'xung đột (trùng năm và ký hiệu hồ sơ đã có)', refused: 'bị từ chối (độ mật vượt phạm vi)' } as const;

  async function packageCommand(desk: Desk, actor: Actor, guard: SessionGuard, what: string, file: string | undefined): Promise<number> {
    if (what === 'export') {
      if (file !== undefined) throw new UsageError('export takes its selection as options (--year, --register, --secrecy, --query, --work-file)');
      const oaepHash: HashAlg | null = o.oaep === undefined || o.oaep === 'sha256' ? 'SHA-256' : o.oaep === 'sha1' ? 'SHA-1' : null;
      if (!oaepHash) throw new UsageError('--oaep must be sha256 or sha1');
      const secrecy = o.secrecy?.map((s) => {
        if (!(SECRECY_LEVELS as readonly string[]).includes(s)) throw new UsageError(`--secrecy must be one of ${SECRECY_LEVELS.join(', ')}`);
        return s as Secrecy;
      });
      const selection = {
        ...(o.year ? { year: intArg(o.year, 'year')! } : {}), ...(o.register ? { registerId: intArg(o.register, 'register')! } : {}),
        ...(secrecy ? { secrecy } : {}), ...(o.query ? { query: o.query } : {}), ...(o['work-file'] ? { workFileId: intArg(o['work-file'], 'work-file')! } : {}),
      };
      if (o.edxml) {
        const r = await desk.edxmlBatch.exportBatch(actor, { selection, agencyKey: guard.signingKey(actor), out: o.out! });
        out({ out: o.out, ...r }, () => `Đã xuất ${r.packets} gói tin edXML của ${r.documents} văn bản đi (ký số của cơ quan; văn bản mật được mã hóa cho cơ quan nhận): ${o.out}`);
        return 0;
      }
      const recipients = (await readCertificates(o.to ?? [])).map((certificate) => ({ certificate, oaepHash }));
      const r = await desk.packages.export(actor, { selection, recipients, out: o.out!, signer: guard.signingKey(actor) });
      const docs = [...Object.entries(r.manifest.counts.byLevel).map(([l, c]) => `${SECRECY_LABELS[l as Secrecy]}: ${c.documents} đến, ${c.outgoing ?? 0} đi`),
        `${r.manifest.counts.workFiles ?? 0} hồ sơ công việc`].join(', ');
      out({ packageId: r.packageId, out: o.out, bytes: r.bytes, counts: r.manifest.counts }, () => `Đã xuất gói ${r.packageId} (${docs}) ${r.manifest.encrypted ? `mã hóa cho ${recipients.length} người nhận` : 'không mã hóa (chỉ văn bản Thường)'}: ${o.out}`);
      return 0;
    }
    if (what === 'import-edxml') {
      const r = await desk.edxmlBatch.importBatch(actor, file!, guard.decryptionKeys());
      const label = { opened: 'đã mở', waiting: 'chờ người đủ thẩm quyền độ mật', refused: 'từ chối', duplicate: 'đã nhận trước đây' } as const;
      out(r, () => [
        `Gói tin: đã mở ${r.counts.opened}, chờ ${r.counts.waiting}, từ chối ${r.counts.refused}, đã nhận trước đây ${r.counts.duplicate}.`,
        ...r.packets.map((p) => `  ${p.name}: ${label[p.outcome]}${p.reason ? ` (${p.reason})` : ''}`),
      ].join('\n'));
      return r.counts.refused > 0 ? 1 : 0;
    }
    const input = { file: file!, keys: guard.decryptionKeys() };
    const r = what === 'verify'
      ? { preview: await desk.packages.verify(actor, input), applied: 0, waiting: 0, conflicts: 0, filesPlaced: 0 }
      : await desk.packages.import(actor, { ...input, dryRun: o['dry-run'] });
    const p = r.preview;
    const lines = [
      `Gói ${p.packageId} của ${p.agency.name} (${p.agency.code}), xuất lúc ${formatDateTimeVn(new Date(p.exportedAt))}; người ký: ${p.signer ?? '(không rõ)'}. Chữ ký và toàn vẹn: hợp lệ.`,
      ...Object.entries(p.byLevel).map(([l, c]) => `  ${SECRECY_LABELS[l as Secrecy]}: mới ${c.new}, đã có ${c.already}, cập nhật ${c.update}, bản đăng ký riêng đã có ${c.duplicate}, xung đột ${c.conflict}, bị từ chối ${c.refused}`),
      ...Object.entries(p.outgoingByLevel).map(([l, c]) => `  trong đó văn bản đi ${SECRECY_LABELS[l as Secrecy]}: mới ${c.new}, đã có ${c.already}, cập nhật ${c.update}, đã có bản khác ${c.duplicate}, xung đột ${c.conflict}, bị từ chối ${c.refused}`),
      ...Object.values(p.byRegister).map((g) => `  Sổ "${g.name}": ${g.documents} văn bản`),
      ...p.workFiles.map((w) => `  Hồ sơ ${w.code} "${w.title}" (${SECRECY_LABELS[w.level]}): ${WORK_FILE_OUTCOME[w.outcome]}`),
      ...(what === 'import' && !o['dry-run'] ? [`Đã nhập: ${r.applied} bản ghi, ${r.filesPlaced} tệp; đang chờ ${r.waiting}, xung đột ${r.conflicts}.`] : []),
    ];
    out(r, () => lines.join('\n'));
    return r.conflicts > 0 ? 1 : 0;
  }

  async function auditCommand(desk: Desk, actor: Actor, sub: string): Promise<number> {
    await desk.verdict();
    await desk.auditAnchor.settled(); // the heads of the last lock and of this unlock are in
    if (sub === 'verify') {
      const r = await desk.audit.verify(actor);
      out(r, () => r.ok
        ? `Nhật ký hệ thống toàn vẹn: ${r.entries} bản ghi, ${r.heads} điểm neo đã ký (ký tới bản ghi ${r.signedThrough}).`
        : `NHẬT KÝ HỆ THỐNG KHÔNG TOÀN VẸN: bản ghi ${r.firstBroken!.seq} (${r.firstBroken!.problem}): ${r.firstBroken!.message}`);
      return r.ok ? 0 : 1;
    }
    // --to is also encrypt's recipient option (repeatable): here it is one date.
    if ((o.to?.length ?? 0) > 1) throw new UsageError('audit export takes one --to DATE');
    const to = o.to?.[0];
    const parsed = auditExportSchema.safeParse({ ...(o.from ? { from: dateArg(o.from) } : {}), ...(to ? { to: dateArg(to) } : {}) });
    if (!parsed.success) throw validation(parsed.error);
    const r = await desk.audit.export(actor, parsed.data, o.out!);
    out(r, () => `Đã xuất ${r.entries} bản ghi (số ${r.firstSeq}–${r.lastSeq}), ${r.heads} điểm neo đã ký và ${r.certificates} chứng thư vào ${r.dir}. Kiểm tra: python3 ${join(r.dir, 'verify.py')}`);
    return 0;
  }

  async function docCommand(desk: Desk, actor: Actor, sub: string | undefined, rest: string[]): Promise<number> {
    switch (sub) {
      case 'add': {
        const files = o.file ?? [];
        const parsed = incomingRegisterSchema.safeParse({
          ...(o.register ? { registerId: intArg(o.register, 'register') } : {}),
          issuer: { name: o.issuer }, numberSymbol: o.number, documentDate: dateArg(o.date), typeCode: o.type,
          subject: o.subject ?? '', secrecy: o.secrecy?.[0] ?? 'thuong', urgency: o.urgency ?? 'thuong',
          ...(o.arrival ? { arrivalDate: dateArg(o.arrival) } : {}), ...(o.deadline ? { deadline: dateArg(o.deadline) } : {}),
          recipients: o.recipient ?? [], notes: o.notes ?? '',
          ...(o.pages !== undefined ? { pageCount: intArg(o.pages, 'pages') } : {}),
          ...(o.copies !== undefined ? { copyCount: intArg(o.copies, 'copies') } : {}),
          ...(o.signer !== undefined ? { signer: o.signer } : {}),
          ...(o.channel !== undefined ? { arrivalChannel: channelArg(o.channel) } : {}),
          // Placeholder ids satisfy the schema's shape; the real ones come from staging below.
          stagedIds: files.map(() => '0'.repeat(32)), acknowledgeDuplicates: o.force, acknowledgeOutOfOrder: o['out-of-order'],
        });
        if (!parsed.success) throw validation(parsed.error);
        const stagedIds: string[] = [];
        try {
          for (const f of files) stagedIds.push((await desk.attachments.stage(actor, createReadStream(f), f)).stagedId);
          const result = await desk.incoming.register(actor, { ...parsed.data, stagedIds });
          out(result, () => `Đã vào sổ "${result.registerName}": số đến ${result.arrivalNumber} (mã bản ghi ${result.id}).`);
        } finally {
          for (const id of stagedIds) await Promise.resolve().then(() => desk.context().store.discard(id)).catch(() => undefined);
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
        const rows = desk.incoming.list(actor, parsed.data);
        const { sort: _s, limit: _l, offset: _o, ...filter } = parsed.data;
        const count = desk.incoming.count(actor, filter);
        out({ total: count.total, capped: count.capped, rows }, () => `${rowsTable(rows)}\n(${rows.length} / ${count.capped ? 'hơn ' : ''}${count.total})`);
        return 0;
      }
      case 'show': {
        const id = intArg(rest[0], 'id');
        if (!id) throw new UsageError('doc show needs a record id');
        const d = desk.incoming.get(actor, id);
        out(d, () => detailText(d));
        return 0;
      }
      default:
        throw new UsageError(`unknown doc command: ${sub ?? ''}`);
    }
  }
}

function tokenList(dir: TokenDirectory, out: (v: unknown, t: () => string) => void): number {
  out(dir, () => [
    ...dir.modules.map((m) => `Trình điều khiển ${m.path}: ${m.ok ? `${m.manufacturer ?? ''} ${m.description ?? ''} ${m.version ?? ''}`.trim() : `lỗi: ${m.error ?? ''}`}`),
    ...dir.tokens.flatMap((t) => [
      `Thiết bị "${t.label}" serial ${t.serial} (${t.manufacturer} ${t.model})${t.pinPad ? ', có bàn phím PIN' : ''}${t.pin.locked ? ', PIN ĐÃ KHÓA' : t.pin.finalTry ? ', lần thử PIN cuối' : t.pin.countLow ? ', PIN còn ít lần thử' : ''}`,
      ...t.certificates.map((c) => `  - ${c.commonName} | cấp bởi ${c.issuer} | serial ${c.serialNumber} | ${formatDateVn(c.notBefore)}–${formatDateVn(c.notAfter)}${c.validNow ? '' : ' (hết hiệu lực)'} | ${c.algorithm} | ${(c.keyUsage ?? ['mọi mục đích']).join(', ')}`),
    ]),
    dir.tokens.length === 0 ? 'Không thấy thiết bị ký số nào.' : '',
  ].filter(Boolean).join('\n'));
  return 0;
}

function verifyText(r: VerifyResult): string {
  const mark = (c: { ok: boolean; reasonVi: string; reason: string }) => `${c.ok ? 'đạt' : 'KHÔNG ĐẠT'}${c.ok ? '' : `: ${c.reasonVi || c.reason}`}`;
  return [
    r.messageVi,
    `Người ký: ${r.signer?.commonName ?? '(không rõ)'}${r.signingTime ? `, lúc ${formatDateTimeVn(r.signingTime)} (giờ Việt Nam)` : ''}`,
    `  Nội dung (băm): ${mark(r.checks.digest)}`,
    `  Chữ ký: ${mark(r.checks.signature)}`,
    `  Chứng thư người ký (ESS): ${mark(r.checks.essCert)}`,
    `  Dấu thời gian: ${r.timestamp ? `${formatDateTimeVn(r.timestamp.time)} (${r.timestamp.authority})` : r.checks.timestamp.ok ? 'không có' : mark(r.checks.timestamp)}`,
    `  Hiệu lực chứng thư ${r.validatedAtSource === 'timestamp' ? 'tại thời điểm của dấu thời gian' : 'tại thời điểm kiểm tra'} (${formatDateTimeVn(r.validatedAt)}): ${mark(r.checks.certValid)}`,
    `  Mục đích sử dụng khóa: ${mark(r.checks.keyUsage)}`,
    `  Loại chứng thư (ký văn bản): ${mark(r.checks.purpose)}`,
    `  Chuỗi tin cậy: ${mark(r.checks.chain)}`,
    `  Tình trạng thu hồi: ${r.revocation.status === 'good' ? 'chưa bị thu hồi' : r.revocation.status === 'revoked' ? `ĐÃ BỊ THU HỒI: ${r.revocation.reasonVi}` : `CHƯA KIỂM TRA: ${r.revocation.reasonVi}`}`,
  ].join('\n');
}

async function machineCrls(configPath: string | undefined): Promise<Array<{ path: string; bytes: Uint8Array }>> {
  return (await machineRevocationLists(configPath ?? defaultMachineConfigPath())).files;
}

async function machineTrustAnchors(configPath: string | undefined): Promise<string[]> {
  const cfg = await readMachineConfig(configPath ?? defaultMachineConfigPath());
  return cfg?.trustAnchors ?? [];
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
      const order = err.code === 'OUT_OF_ORDER' ? '  dùng --out-of-order để vẫn vào sổ (được ghi vào nhật ký)\n' : '';
      process.stderr.write(`Lỗi [${err.code}]: ${err.message}\n${fields ? `${fields}\n` : ''}${dups ? `${dups}\n` : ''}${order}`);
      process.exit(1);
    }
    if (isPackageError(err)) {
      process.stderr.write(`Lỗi [${err.code}]: ${err.messageVi}\n  ${err.message}\n`);
      process.exit(1);
    }
    process.stderr.write(`securedesk: unexpected error: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
