// Sending a finished printout or copy out of the app, on the main side. The renderer names only the
// one-use ticket the core gave it (and, to print, one of the printers main listed); main decides the
// rest. Electron-free on purpose: the window that draws the pages, the printer list, the print call
// and the save dialog are handed in, so the decisions and the file writing are tested under Node.
//   print: a print run (purpose 'printer' or 'any') goes to the chosen printer silently, in one copy of
//          the composed PDF (each copy it holds carries its own number): the system dialog would let
//          the user add copies the Sổ quản lý sao, chụp does not know of. Electronic copies never print.
//   save:  an electronic copy or a register output (purpose 'file' or 'any') is written where the
//          person chooses in main's own dialog; a classified one only inside the folders the machine
//          configuration names (outputFolders), judged on real paths. Written 0600 beside its final
//          name and renamed into place, so a crash leaves no half file under the chosen name.
// Every outcome, refusals included, is audited by the core (OutputService.delivered).
import { randomBytes } from 'node:crypto';
import { constants, promises as fsp } from 'node:fs';
import { basename, dirname, join, relative, isAbsolute, win32 } from 'node:path';
import { z } from 'zod';
import type { Wire } from '../../common/contract';
import { DeskError } from '../../common/errors';
import { SECRECY_LABELS } from '../../common/domain';
import type { Desk } from '../core/desk';
import type { Logger } from '../core/log';
import { OUTPUT_TICKET, type OutputMeta } from '../core/outputs/OutputService';
import { toWireError } from './stage';

export interface PrinterInfo { name: string; displayName: string; isDefault: boolean }
export interface PrintOutcome { ok: boolean; reason?: string }

export const printRequest = z.object({ ticket: z.string().regex(OUTPUT_TICKET), printer: z.string().min(1).max(256) }).strict();
export const saveRequest = z.object({ ticket: z.string().regex(OUTPUT_TICKET) }).strict();

export interface PrintDeps {
  printers(): Promise<PrinterInfo[]>;
  /** Loads the print page for the ticket in a hidden window, waits for its pages, prints, closes it. */
  printTicket(ticket: string, printer: string): Promise<PrintOutcome>;
}

export interface SaveDeps {
  /** main's own save dialog; null when the person cancelled. */
  choosePath(suggestedName: string, defaultFolder: string | null): Promise<string | null>;
  /** Real paths of the folders a classified file may be saved into (machine configuration). */
  allowedFolders(): Promise<string[]>;
  platform?: NodeJS.Platform;
}

function metaFor(desk: Desk, ticket: string): OutputMeta {
  const meta = desk.outputs.peek(ticket);
  if (!meta) throw DeskError.keyed('NOT_FOUND', 'output.gone');
  return meta;
}

function invalid(): never {
  throw DeskError.keyed('VALIDATION', 'request.invalid');
}

/** The printers main may print on, for the print dialog's choice. */
export async function listPrinters(desk: Desk, deps: Pick<PrintDeps, 'printers'>, log: Logger): Promise<Wire<PrinterInfo[]>> {
  try {
    if (!desk.session) throw DeskError.keyed('NO_SESSION', 'session.locked');
    return { ok: true, value: await deps.printers() };
  } catch (err) {
    return toWireError(err, log, { channel: 'printers' });
  }
}

export async function printOutput(desk: Desk, deps: PrintDeps, input: unknown, log: Logger): Promise<Wire<{ printer: string; pages?: number }>> {
  try {
    const actor = desk.session;
    if (!actor) throw DeskError.keyed('NO_SESSION', 'session.locked');
    const parsed = printRequest.safeParse(input);
    if (!parsed.success) invalid();
    const { ticket, printer } = parsed.data;
    const meta = metaFor(desk, ticket);
    if (meta.purpose === 'file') {
      desk.outputs.delivered(actor, meta, { target: 'printer', printer, ok: false, error: 'refused: an electronic copy' });
      throw DeskError.keyed('FORBIDDEN', 'output.notForPrinter');
    }
    if (meta.mime !== 'application/pdf') invalid();
    const known = await deps.printers();
    if (!known.some((p) => p.name === printer)) throw DeskError.keyed('VALIDATION', 'output.printerUnknown', { printer: printer.slice(0, 80) });
    const outcome = await deps.printTicket(ticket, printer);
    desk.outputs.delivered(actor, meta, { target: 'printer', printer, ok: outcome.ok, ...(outcome.reason ? { error: outcome.reason } : {}) });
    if (!outcome.ok) throw DeskError.keyed('INTERNAL', 'output.printFailed', { printer: printer.slice(0, 80), reason: (outcome.reason ?? '').slice(0, 120) });
    return { ok: true, value: { printer } };
  } catch (err) {
    return toWireError(err, log, { channel: 'printOutput' });
  }
}

/** Whether `folder` (a real path) is one of `allowed` or inside one (real paths, case-blind on Windows). */
export function insideAllowed(folder: string, allowed: readonly string[], platform: NodeJS.Platform = process.platform): boolean {
  const norm = (p: string) => (platform === 'win32' ? p.toLowerCase() : p);
  const rel = platform === 'win32' ? win32.relative : relative;
  return allowed.some((root) => {
    const r = rel(norm(root), norm(folder));
    return r === '' || (!r.startsWith('..') && !(platform === 'win32' ? win32.isAbsolute(r) : isAbsolute(r)));
  });
}

export async function saveOutput(desk: Desk, deps: SaveDeps, input: unknown, log: Logger): Promise<Wire<{ saved: boolean; name?: string }>> {
  try {
    const actor = desk.session;
    if (!actor) throw DeskError.keyed('NO_SESSION', 'session.locked');
    const parsed = saveRequest.safeParse(input);
    if (!parsed.success) invalid();
    const { ticket } = parsed.data;
    const meta = metaFor(desk, ticket);
    if (meta.purpose === 'printer') {
      desk.outputs.delivered(actor, meta, { target: 'file', folder: '', ok: false, error: 'refused: a print run' });
      throw DeskError.keyed('FORBIDDEN', 'output.notForFile');
    }
    const classified = meta.level !== 'thuong';
    const allowed = classified ? await deps.allowedFolders() : [];
    if (classified && allowed.length === 0) {
      desk.outputs.delivered(actor, meta, { target: 'file', folder: '', ok: false, error: 'refused: no folder configured' });
      throw DeskError.keyed('FORBIDDEN', 'output.noFolder');
    }
    const chosen = await deps.choosePath(basename(meta.name), classified ? allowed[0]! : null);
    if (chosen === null) return { ok: true, value: { saved: false } };
    if (!isAbsolute(chosen) && !win32.isAbsolute(chosen)) invalid();
    let folder: string;
    try {
      folder = await fsp.realpath(dirname(chosen));
    } catch (e) {
      throw DeskError.keyed('VALIDATION', 'output.saveFailed', { reason: (e as NodeJS.ErrnoException).code ?? 'ENOENT' });
    }
    if (classified && !insideAllowed(folder, allowed, deps.platform)) {
      desk.outputs.delivered(actor, meta, { target: 'file', folder, ok: false, error: 'refused: folder not allowed' });
      throw DeskError.keyed('FORBIDDEN', 'output.folderNotAllowed', { level: SECRECY_LABELS[meta.level], folders: allowed.join('; ').slice(0, 300) });
    }
    // Only now is the ticket spent: a refusal above leaves it usable for another folder.
    const out = desk.outputs.take(ticket);
    if (!out) throw DeskError.keyed('NOT_FOUND', 'output.gone');
    const target = join(folder, basename(chosen));
    try {
      await writeAtomically(target, out.bytes);
    } catch (e) {
      desk.outputs.delivered(actor, meta, { target: 'file', folder, ok: false, error: (e as NodeJS.ErrnoException).code ?? 'write failed' });
      throw DeskError.keyed('INTERNAL', 'output.saveFailed', { reason: (e as NodeJS.ErrnoException).code ?? '' });
    } finally {
      out.bytes.fill(0);
    }
    desk.outputs.delivered(actor, meta, { target: 'file', folder, ok: true });
    return { ok: true, value: { saved: true, name: basename(target) } };
  } catch (err) {
    return toWireError(err, log, { channel: 'saveOutput' });
  }
}

/** Written 0600 under a temporary name in the same folder, flushed, then renamed over the target. */
export async function writeAtomically(target: string, bytes: Uint8Array): Promise<void> {
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.part`);
  const fh = await fsp.open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => {});
    await fsp.rm(temp, { force: true });
    throw e;
  }
  await fh.close();
  try {
    await fsp.rename(temp, target);
  } catch (e) {
    await fsp.rm(temp, { force: true });
    throw e;
  }
}
