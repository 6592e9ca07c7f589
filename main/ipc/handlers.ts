// One handler per contract channel. Handlers only translate between the contract and the core;
// rights and clearance are enforced by the core services themselves.
import { DeskError } from '../../common/errors';
import { todayIso } from '../../common/dates';
import type { Channel, OutputOf, ParsedInputOf } from '../../common/contract';
import type { Desk } from '../core/desk';
import { authorize } from '../core/org/rights';
import { keyringRecipients } from '../core/profile/keyring';
import { secretRights } from '../core/secrets/rights';
import type { SessionGuard } from '../core/session/guard';
import { transferRecordPdf } from '../core/workfiles/transferPdf';
import { syncPanel } from '../core/sync/panel';
import { moveRegisterHome } from '../core/documents/registerHome';
import { NumberClient } from '../core/sync/numbers/NumberClient';
import { syncIndicator } from '../core/sync/indicator';
import type { ExchangeRounds } from '../core/sync/agencySync';
import type { SyncService } from '../core/sync/SyncService';
import type { AgencyWorkstations } from '../core/sync/agencyWorkstations';
import type { TransferProgress } from '../core/sync/transferProgress';

export interface HandlerContext {
  desk: Desk;
  guard: SessionGuard;
  /** Turns a viewer ticket into a URL the renderer can load (app:// scheme or dev host). */
  attachmentUrl(ticket: string): string;
  /** Where an audit export goes (Electron: in a folder the person picks; null: they cancelled); absent: under the profile's exports/. */
  auditExportDir?(): Promise<string | null>;
  /** The session's sync with the agency server (machine configuration), if one is configured. */
  sync?(): { service: SyncService | null; server: string | null; running: boolean; exchange?: ExchangeRounds | null; workstations?: AgencyWorkstations | null; transfer?: TransferProgress | null };
}

const REGISTER_FILE_NAMES = { secret_incoming: 'so-dang-ky-bmnn-den', secret_copies: 'so-quan-ly-sao-chup-bmnn', secret_handover: 'so-chuyen-giao-bmnn' } as const;

type Handler<C extends Channel> = (ctx: HandlerContext, input: ParsedInputOf<C>) => OutputOf<C> | Promise<OutputOf<C>>;
export type Handlers = { [C in Channel]: Handler<C> };

const actor = (ctx: HandlerContext) => {
  const a = ctx.desk.session;
  authorize(a, 'session');
  return a;
};

/**
 * The signed-in session's view of the agency's workstations; none without an agency server. The
 * administrator's: refused to anyone else before anything else is said (not even whether a server is set).
 */
const agencyWorkstations = (ctx: HandlerContext): AgencyWorkstations => {
  authorize(actor(ctx), 'org.manage');
  const w = ctx.sync?.().workstations;
  if (!w) throw DeskError.keyed('VALIDATION', 'sync.notConfigured');
  return w;
};

export const handlers: Handlers = {
  'app.info': ({ desk }) => desk.info(),
  'sync.status': (ctx) => {
    const who = actor(ctx);
    return syncPanel(ctx.desk.db, ctx.desk.heldLevels, ctx.sync?.() ?? { service: null, server: null, running: false }, who);
  },
  'sync.now': async (ctx) => {
    const who = actor(ctx);
    const sync = ctx.sync?.() ?? { service: null, server: null, running: false };
    if (!sync.service) throw DeskError.keyed('VALIDATION', 'sync.notConfigured');
    // A round that begins now (after one in flight, which may have started before what the person just did).
    await sync.service.freshRound().catch((err: unknown) => {
      // The panel shows the error; the round is tried again on its own with backoff.
      ctx.desk.log.log('warn', 'sync round failed', { error: (err as Error).message });
    });
    return syncPanel(ctx.desk.db, ctx.desk.heldLevels, sync, who);
  },
  // An administrator's view of the agency's workstations (the core checks the right; the server the role).
  'sync.workstations': (ctx) => agencyWorkstations(ctx).list(actor(ctx)),
  'registers.moveHome': async (ctx, input) => {
    const who = actor(ctx);
    const service = ctx.sync?.().service ?? null;
    const move = await moveRegisterHome(ctx.desk.db, who, input, service ? new NumberClient(service.client) : null, new Date());
    return { registerId: input.registerId, from: move.from, to: move.to, movedBy: move.movedBy, movedAt: move.movedAt };
  },
  'sync.declareLost': (ctx, input) => agencyWorkstations(ctx).declareLost(actor(ctx), input),
  'sync.indicator': (ctx) => {
    const a = actor(ctx);
    return syncIndicator(ctx.desk.db, ctx.desk.heldLevels, a.id, ctx.sync?.() ?? { service: null, server: null });
  },
  'app.verdict': async ({ desk }) => {
    await desk.verdict().catch(() => undefined); // locked meanwhile: the info says so
    return desk.info();
  },
  'setup.create': ({ guard }, { token, pin, ...setup }) => guard.setup(setup, token, pin),
  'tokens.directory': async ({ desk, guard }) => guard.tokens.directory({ isBound: await keyringRecipients(desk.keyringFile) }),
  'session.unlock': ({ guard }, { token, pin }) => guard.unlock(token, pin),
  'session.legacyUsers': ({ guard }, { token, pin }) => guard.legacyUsers(token, pin),
  'session.bindLegacy': async ({ guard }, { token, pin, userId, person }) => {
    await guard.bindLegacy(token, pin, userId, person);
    return null;
  },
  'session.current': ({ desk }) => desk.currentSession(),
  'session.lock': ({ guard }) => {
    guard.lock('manual');
    return null;
  },
  'session.activity': () => null,
  'users.list': (ctx) => ctx.desk.org.listUsers(actor(ctx)),
  'users.add': (ctx, u) => ctx.desk.org.addUser(actor(ctx), u),
  'users.setClearance': (ctx, { userId, clearance }) => ctx.desk.org.setClearance(actor(ctx), userId, clearance),
  'users.bindToken': async (ctx, { userId, token }) => {
    await ctx.guard.bindToken(actor(ctx), userId, token);
    return null;
  },
  'users.unbindCertificate': async (ctx, { userId, fingerprint }) => {
    await ctx.desk.org.unbindCertificate(actor(ctx), userId, fingerprint);
    return null;
  },
  'units.search': (ctx, { query, limit }) => ctx.desk.org.searchUnits(actor(ctx), query, limit),
  'registers.list': (ctx) => ctx.desk.incoming.registers(actor(ctx)),
  'incoming.checkDuplicates': (ctx, q) => ctx.desk.incoming.checkDuplicates(actor(ctx), q),
  'incoming.previewNumber': (ctx, q) => ctx.desk.incoming.previewNumber(actor(ctx), q),
  'incoming.register': (ctx, input) => ctx.desk.incoming.register(actor(ctx), input),
  'incoming.list': (ctx, q) => ctx.desk.incoming.list(actor(ctx), q),
  'incoming.count': (ctx, f) => ctx.desk.incoming.count(actor(ctx), f),
  'incoming.get': (ctx, { id }) => ctx.desk.incoming.get(actor(ctx), id),
  'incoming.moveAwaitingToOpenYear': (ctx, { id }) => ctx.desk.incoming.moveAwaitingToOpenYear(actor(ctx), id),
  'incoming.withdrawDuplicate': async (ctx, { id }) => {
    const r = await ctx.desk.incoming.withdrawDuplicate(actor(ctx), id);
    return { id: r.id, standing: r.standing && { arrivalNumber: r.standing.arrivalNumber, registerName: r.standing.registerName } };
  },
  'incoming.sign': async (ctx, { id }) => {
    const a = actor(ctx);
    // Only a key whose certificate is bound to the signed-in person (core rule: OrgService.signingKey).
    return { parts: await ctx.desk.incoming.sign(a, id, ctx.guard.signingKey(a)) };
  },
  'incoming.signatures': (ctx, { id }) => ctx.desk.incoming.verify(actor(ctx), id),
  'attachments.open': (ctx, { id }) => {
    const opened = ctx.desk.attachments.open(actor(ctx), id);
    return { url: ctx.attachmentUrl(opened.ticket), name: opened.name, mime: opened.mime, isPdf: opened.isPdf };
  },
  'staging.discard': async (ctx, { stagedId }) => {
    await ctx.desk.attachments.discard(actor(ctx), stagedId);
    return null;
  },
  'registers.admin': (ctx) => ctx.desk.registers.overview(actor(ctx)),
  'registers.create': (ctx, input) => ctx.desk.registers.create(actor(ctx), input),
  'registers.update': (ctx, input) => ctx.desk.registers.update(actor(ctx), input),
  'registers.closeYear': async (ctx, input) => {
    const a = actor(ctx);
    const { bytes, sha256, rows } = await ctx.desk.registers.closeYear(a, input);
    const fileName = `khoa-so-dang-ky-van-ban-den-${input.year}.pdf`;
    // The frozen book of a Thường register leaves as any register does.
    const ticket = ctx.desk.outputs.issue(a, { bytes, name: fileName, mime: 'application/pdf', level: 'thuong', purpose: 'any', what: 'register:incoming:closing' });
    return { registerId: input.registerId, year: input.year, pdfSha256: sha256, rows, fileName, ticket, url: ctx.attachmentUrl(ticket) };
  },
  'scopes.create': (ctx, input) => ctx.desk.registers.createScope(actor(ctx), input),
  'scopes.update': (ctx, input) => ctx.desk.registers.updateScope(actor(ctx), input),
  'internalUnits.list': (ctx) => ctx.desk.internalUnits.list(actor(ctx)),
  'internalUnits.add': (ctx, input) => ctx.desk.internalUnits.add(actor(ctx), input),
  'internalUnits.update': (ctx, input) => ctx.desk.internalUnits.update(actor(ctx), input),
  'structure.view': (ctx) => ctx.desk.structure.view(actor(ctx)),
  'structure.createUnit': (ctx, input) => ctx.desk.structure.createUnit(actor(ctx), input),
  'structure.renameUnit': (ctx, input) => ctx.desk.structure.renameUnit(actor(ctx), input),
  'structure.mergeUnits': (ctx, input) => ctx.desk.structure.mergeUnits(actor(ctx), input),
  'structure.splitUnit': (ctx, input) => ctx.desk.structure.splitUnit(actor(ctx), input),
  'structure.setMember': (ctx, input) => ctx.desk.structure.setMember(actor(ctx), input),
  'structure.grantAuthority': (ctx, input) => ctx.desk.structure.grantAuthority(actor(ctx), input),
  'structure.endAuthority': (ctx, input) => ctx.desk.structure.endAuthority(actor(ctx), input),
  'structure.previewImport': (ctx, input) => ctx.desk.structure.previewImport(actor(ctx), input),
  'structure.applyImport': (ctx, input) => ctx.desk.structure.applyImport(actor(ctx), input),
  'recipients.search': (ctx, { query, limit }) => ctx.desk.internalUnits.searchRecipients(actor(ctx), query, limit),
  'incoming.handOver': (ctx, input) => ctx.desk.incoming.handOver(actor(ctx), input),
  // Ký nhận is signed on the receiver's token (Sổ chuyển giao BMNN), with a key bound to them.
  'incoming.acknowledge': (ctx, { handoverId }) => {
    const a = actor(ctx);
    // A token without a signing key bound to the person (encryption only) acknowledges unsigned: the
    // register then says "Đã ký nhận", not "Đã ký số".
    let key: ReturnType<typeof ctx.guard.signingKey> | undefined;
    try {
      key = ctx.guard.token ? ctx.guard.signingKey(a) : undefined;
    } catch {
      key = undefined;
    }
    return ctx.desk.incoming.acknowledge(a, handoverId, key);
  },
  'incoming.correct': (ctx, input) => ctx.desk.incoming.correct(actor(ctx), input),
  'grants.list': (ctx, { incomingId }) => ctx.desk.grants.list(actor(ctx), incomingId),
  'grants.add': (ctx, input) => ctx.desk.grants.grant(actor(ctx), input),
  'grants.revoke': (ctx, input) => ctx.desk.grants.revoke(actor(ctx), input),
  'levels.list': (ctx, { incomingId }) => ctx.desk.levels.list(actor(ctx), incomingId),
  'levels.propose': (ctx, input) => ctx.desk.levels.propose(actor(ctx), input),
  'levels.confirm': (ctx, input) => ctx.desk.levels.confirm(actor(ctx), input),
  'levels.cancel': (ctx, input) => ctx.desk.levels.cancel(actor(ctx), input),
  'holds.place': (ctx, input) => ctx.desk.destruction.hold(actor(ctx), input),
  'holds.release': (ctx, input) => ctx.desk.destruction.release(actor(ctx), input),
  'destruction.destroy': (ctx, input) => ctx.desk.destruction.destroy(actor(ctx), input),
  'destruction.list': (ctx) => ctx.desk.destruction.list(actor(ctx)),
  'copies.allow': (ctx, input) => ctx.desk.copies.allow(actor(ctx), input),
  'copies.approvals': (ctx, { incomingId }) => ctx.desk.copies.approvals(actor(ctx), incomingId),
  'copies.make': async (ctx, input) => {
    const a = actor(ctx);
    const { pdf, level, ...result } = await ctx.desk.copies.make(a, input);
    // A print run goes to paper; an electronic copy (sao y, trích sao, sao lục) is a file.
    const ticket = ctx.desk.outputs.issue(a, {
      bytes: pdf, name: `ban-${input.kind === 'print' ? 'in' : 'sao'}-${result.year}-${result.firstNumber ?? 'thuong'}.pdf`, mime: 'application/pdf',
      level, purpose: input.kind === 'print' ? 'printer' : 'file', incomingId: input.incomingId, what: `copy:${input.kind}`,
    });
    return { ...result, ticket, url: ctx.attachmentUrl(ticket) };
  },
  'review.due': (ctx, { withinDays }) => ctx.desk.review.due(actor(ctx), withinDays),
  'review.extend': (ctx, input) => ctx.desk.review.extend(actor(ctx), input),
  'review.autoStatus': (ctx) => {
    actor(ctx);
    return ctx.desk.autoDeclassify.status();
  },
  'restrictions.set': (ctx, input) => ctx.desk.restrictions.set(actor(ctx), input),
  'copies.register': (ctx, { year }) => ctx.desk.copies.register(actor(ctx), year),
  'registers.output': async (ctx, input) => {
    const a = actor(ctx);
    const fileName = `${REGISTER_FILE_NAMES[input.kind]}-${input.from}-${input.to}.${input.format}`;
    const { bytes, sha256: _sha256, ...out } = await ctx.desk.secretRegisters.output(a, input);
    const mime = out.format === 'pdf' ? 'application/pdf' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    // A register names classified records: it is handled at the highest level the person holds, and
    // leaves as any output does (Electron: main's save dialog, the folder checked by policy; nothing
    // the window sends names a path).
    const ticket = ctx.desk.outputs.issue(a, {
      bytes, name: fileName, mime, level: a.clearance, purpose: out.format === 'pdf' ? 'any' : 'file', what: `register:${out.kind}:${out.format}`,
    });
    return { ...out, fileName, ticket, url: ctx.attachmentUrl(ticket) };
  },
  'secretRegisters.access': (ctx) => ctx.desk.secretRegisters.access(actor(ctx)),
  'secretRegisters.view': (ctx, input) => ctx.desk.secretRegisters.table(actor(ctx), input),
  'secretRegisters.close': (ctx, input) => ctx.desk.secretRegisters.close(actor(ctx), input),
  'secrets.rights': (ctx, { incomingId }) => secretRights(ctx.desk, actor(ctx), incomingId),
  'holds.list': (ctx, { incomingId }) => ctx.desk.destruction.holds(actor(ctx), incomingId),
  'prefs.get': (ctx) => ctx.desk.prefs.get(actor(ctx)),
  'prefs.setLanguage': (ctx, { language }) => ctx.desk.prefs.setLanguage(actor(ctx), language),
  'policy.get': (ctx) => ctx.desk.policy.get(actor(ctx)),
  'policy.setRegisterRoles': (ctx, { registerRoles }) => ctx.desk.policy.setRegisterRoles(actor(ctx), registerRoles),
  'drafts.save': (ctx, input) => ctx.desk.drafts.save(actor(ctx), input),
  'drafts.load': (ctx, { kind }) => ctx.desk.drafts.load(actor(ctx), kind),
  'drafts.discard': async (ctx, { kind }) => {
    await ctx.desk.drafts.discard(actor(ctx), kind);
    return null;
  },
  'audit.search': (ctx, q) => ctx.desk.audit.search(actor(ctx), q),
  'audit.facets': (ctx) => ctx.desk.audit.facets(actor(ctx)),
  'audit.verify': (ctx) => ctx.desk.audit.verify(actor(ctx)),
  'audit.export': async (ctx, range) => {
    const a = actor(ctx);
    const dir = ctx.auditExportDir ? await ctx.auditExportDir() : undefined;
    return dir === null ? null : ctx.desk.audit.export(a, range, dir);
  },
  'workFiles.year': (ctx, { year }) => ctx.desk.workFiles.year(actor(ctx), year),
  'workFiles.get': (ctx, { fileId }) => ctx.desk.workFiles.get(actor(ctx), fileId),
  'workFiles.create': (ctx, input) => ctx.desk.workFiles.create(actor(ctx), input),
  'workFiles.update': (ctx, input) => ctx.desk.workFiles.update(actor(ctx), input),
  'workFiles.open': (ctx, { fileId }) => ctx.desk.workFiles.open(actor(ctx), fileId),
  'workFiles.addItem': (ctx, input) => ctx.desk.workFiles.addItem(actor(ctx), input),
  'workFiles.removeItem': (ctx, input) => ctx.desk.workFiles.removeItem(actor(ctx), input),
  'workFiles.close': (ctx, input) => ctx.desk.workFiles.close(actor(ctx), input),
  'workFiles.closeYear': (ctx, { year }) => ctx.desk.workFiles.closeYear(actor(ctx), year),
  'workFiles.forRecord': (ctx, { kind, recordId }) => ctx.desk.workFiles.forRecord(actor(ctx), kind, recordId),
  'workFiles.openFiles': (ctx) => ctx.desk.workFiles.openFiles(actor(ctx)),
  'workFiles.export': async (ctx, { fileId }) => {
    const a = actor(ctx);
    const out = await ctx.desk.exportWorkFile(a, fileId);
    // Both leave as files (Electron: main's save dialog, the folder checked by policy for a classified file).
    const give = (bytes: Uint8Array, ext: 'pdf' | 'xml', mime: string) => {
      const fileName = `ho-so-${out.code.replace(/[^0-9A-Za-z.-]/g, '_')}.${ext}`;
      const ticket = ctx.desk.outputs.issue(a, { bytes, name: fileName, mime, level: out.level, purpose: 'file', what: `workfile:${ext}` });
      return { fileName, ticket, url: ctx.attachmentUrl(ticket), size: bytes.length };
    };
    return {
      pdf: give(out.pdf, 'pdf', 'application/pdf'), xml: give(new TextEncoder().encode(out.xml), 'xml', 'application/xml'),
      documents: out.documents, pages: out.pages, tocPages: out.tocPages,
    };
  },
  'workFiles.archiveDue': (ctx, { withinDays }) => ctx.desk.workFiles.archiveDue(actor(ctx), withinDays),
  'workFiles.transfer': (ctx, input) => ctx.desk.workFiles.transfer(actor(ctx), input),
  'workFiles.transfers': (ctx) => ctx.desk.workFiles.transfers(actor(ctx)),
  'workFiles.transferRecord': async (ctx, { transferId }) => {
    const a = actor(ctx);
    const { level, ...record } = ctx.desk.workFiles.transferRecord(a, transferId);
    const bytes = await transferRecordPdf(record, ctx.desk.workFiles.unitName(ctx.desk.context().db));
    const fileName = `bien-ban-giao-nop-${record.transferredOn}-${record.id}.pdf`;
    const ticket = ctx.desk.outputs.issue(a, { bytes, name: fileName, mime: 'application/pdf', level, purpose: 'any', what: 'workfile:transfer' });
    return { fileName, ticket, url: ctx.attachmentUrl(ticket), size: bytes.length };
  },
  'processing.state': (ctx, { incomingId }) => ctx.desk.processing.state(actor(ctx), incomingId),
  'processing.submit': (ctx, input) => ctx.desk.processing.submit(actor(ctx), input),
  'processing.direct': (ctx, input) => ctx.desk.processing.direct(actor(ctx), input),
  'processing.assign': (ctx, input) => ctx.desk.processing.assign(actor(ctx), input),
  'processing.progress': (ctx, input) => ctx.desk.processing.progress(actor(ctx), input),
  'processing.requestExtension': (ctx, input) => ctx.desk.processing.requestExtension(actor(ctx), input),
  'processing.decideExtension': (ctx, input) => ctx.desk.processing.decideExtension(actor(ctx), input),
  'processing.complete': (ctx, input) => ctx.desk.processing.complete(actor(ctx), input),
  'processing.return': (ctx, input) => ctx.desk.processing.return(actor(ctx), input),
  'processing.inbox': (ctx, input) => ctx.desk.processing.inbox(actor(ctx), input),
  'processing.notices': (ctx) => ctx.desk.processing.notices(actor(ctx)),
  'processing.dashboard': (ctx) => ctx.desk.processing.dashboard(actor(ctx)),
  'processing.people': (ctx, { incomingId }) => ctx.desk.processing.people(actor(ctx), incomingId),
  'processing.calendar': (ctx) => ctx.desk.processing.calendar(actor(ctx)),
  'processing.setCalendar': (ctx, input) => ctx.desk.processing.setCalendar(actor(ctx), input),
  'processing.rules': (ctx) => ctx.desk.processing.rules(actor(ctx)),
  'processing.setRules': (ctx, input) => ctx.desk.processing.setRules(actor(ctx), input),
  'processing.trackingRegister': async (ctx, input) => {
    const a = actor(ctx);
    const { bytes, sha256: _sha256, ...out } = await ctx.desk.processing.trackingRegister(a, input);
    const fileName = `so-theo-doi-giai-quyet-vb-den-${input.from}-${input.to}.${input.format}`;
    const mime = out.format === 'pdf' ? 'application/pdf' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    // Rows of every level the person holds: handled as an output at their highest level, like the secret registers.
    const ticket = ctx.desk.outputs.issue(a, {
      bytes, name: fileName, mime, level: a.clearance, purpose: out.format === 'pdf' ? 'any' : 'file', what: `register:incoming_tracking:${out.format}`,
    });
    return { kind: 'incoming_tracking' as const, ...out, fileName, ticket, url: ctx.attachmentUrl(ticket) };
  },
  'exchange.receive': async (ctx) => {
    const a = actor(ctx);
    // With an agency server, fetch and send first ("Nhận gói tin mới"); a network failure still opens
    // what is already here, and the error goes to the log (the sync panel shows the transport's state).
    await ctx.sync?.().exchange?.roundNow().catch((err: unknown) => ctx.desk.log.log('warn', 'exchange round failed', { error: (err as Error).message }));
    return ctx.desk.exchange.inbox.openPending(a, ctx.guard.decryptionKeys());
  },
  'exchange.inbox': (ctx, q) => ctx.desk.exchange.inbox.list(actor(ctx), q),
  'incoming.setAside': (ctx) => ctx.desk.incoming.setAside(actor(ctx)),
  'incoming.renumber': (ctx, input) => ctx.desk.incoming.renumber(actor(ctx), input),
  'outgoing.update': (ctx, input) => ctx.desk.outgoing.update(actor(ctx), input),
  'outgoing.takeBack': (ctx, input) => ctx.desk.outgoing.takeBack(actor(ctx), input),
  'outgoing.resend': (ctx, input) => ctx.desk.outgoing.resend(actor(ctx), input),
  'exchange.get': (ctx, { id }) => ctx.desk.exchange.inbox.get(actor(ctx), id),
  'exchange.openFile': (ctx, { id, index }) => {
    const a = actor(ctx);
    const f = ctx.desk.exchange.inbox.fileOf(a, id, index);
    return { url: ctx.attachmentUrl(ctx.desk.attachments.ticketFor(a, f)), name: f.name, mime: f.mime, isPdf: f.isPdf };
  },
  'exchange.register': (ctx, input) => ctx.desk.exchange.inbox.register(actor(ctx), input),
  'exchange.refuse': async (ctx, input) => {
    await ctx.desk.exchange.inbox.refuse(actor(ctx), input);
    return null;
  },
  'exchange.dispatchStatuses': (ctx, { id }) => ctx.desk.exchange.dispatchStatuses(actor(ctx), id),
  'exchange.notice': (ctx, { id }) => ctx.desk.exchange.notice(actor(ctx), id),
  'outgoing.list': (ctx, q) => ctx.desk.outgoing.list(actor(ctx), q),
  'outgoing.get': (ctx, { id }) => ctx.desk.outgoing.get(actor(ctx), id),
  'outgoing.people': (ctx) => ctx.desk.outgoing.people(actor(ctx)),
  'outgoing.create': (ctx, input) => ctx.desk.outgoing.create(actor(ctx), input),
  'outgoing.revise': (ctx, input) => ctx.desk.outgoing.revise(actor(ctx), input),
  'outgoing.submit': (ctx, input) => ctx.desk.outgoing.submit(actor(ctx), input),
  'outgoing.approve': (ctx, input) => ctx.desk.outgoing.approve(actor(ctx), input),
  'outgoing.approveWithChanges': (ctx, input) => ctx.desk.outgoing.approveWithChanges(actor(ctx), input),
  'outgoing.return': (ctx, input) => ctx.desk.outgoing.returnDraft(actor(ctx), input),
  // Only a key whose certificate is bound to the signed-in person; the core checks it again.
  'outgoing.sign': (ctx, { id }) => {
    const a = actor(ctx);
    return ctx.desk.outgoing.signAsSigner(a, id, ctx.guard.signingKey(a));
  },
  // The issue is the văn thư's one act: the number, then the agency's signature with it (when the agency signs).
  'outgoing.issue': (ctx, { id }) => {
    const a = actor(ctx);
    return ctx.desk.outgoing.issue(a, id, ctx.desk.outgoing.agencySignatureRequired() ? ctx.guard.signingKey(a) : undefined);
  },
  'outgoing.verifyIssued': (ctx, { id }) => ctx.desk.outgoing.verifyIssued(actor(ctx), id),
  'outgoing.recall': (ctx, input) => ctx.desk.outgoing.recall(actor(ctx), input),
  'outgoing.replace': (ctx, input) => ctx.desk.outgoing.replace(actor(ctx), input),
  'outgoing.dispatches': (ctx) => ctx.desk.outgoing.pendingDispatches(actor(ctx)),
  'outgoing.config': (ctx) => ctx.desk.outgoing.config(actor(ctx)),
  'outgoing.configure': (ctx, input) => ctx.desk.outgoing.configure(actor(ctx), input),
  'outgoing.seal': (ctx) => ctx.desk.outgoing.seal(actor(ctx)),
  'outgoing.setSeal': (ctx, { png }) => ctx.desk.outgoing.setSeal(actor(ctx), png === null ? null : Buffer.from(png, 'base64')),
  'outgoing.registerView': (ctx, input) => ctx.desk.outgoing.registerTable(actor(ctx), input),
  'outgoing.registerOutput': async (ctx, input) => {
    const a = actor(ctx);
    if (input.format === 'table') throw DeskError.keyed('VALIDATION', 'value.invalid', undefined, { at: 'format' });
    const format = input.format;
    const { bytes, rows } = await ctx.desk.outgoing.registerFile(a, { ...input, format });
    const fileName = `${input.kind === 'outgoing' ? 'so-dang-ky-van-ban-di' : 'so-dang-ky-bmnn-di'}-${input.from}-${input.to}.${format}`;
    const mime = format === 'pdf' ? 'application/pdf' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    // Leaves as any register does: main's save dialog or the print window, the folder checked by policy.
    const ticket = ctx.desk.outputs.issue(a, {
      bytes, name: fileName, mime, level: input.kind === 'outgoing' ? 'thuong' : a.clearance, purpose: format === 'pdf' ? 'any' : 'file', what: `register:${input.kind}:${format}`,
    });
    return { kind: input.kind, format, rows, fileName, ticket, url: ctx.attachmentUrl(ticket) };
  },
  'registerClosings.overview': (ctx) => ctx.desk.registerClosings.overview(actor(ctx)),
  'registerClosings.close': async (ctx, input) => {
    const a = actor(ctx);
    const { closing, bytes } = await ctx.desk.registerClosings.close(a, input);
    const fileName = `khoa-so-${input.kind.replaceAll('_', '-')}-${input.year}.pdf`;
    // The frozen book leaves as any register does; a secret register's at the person's highest level.
    const ticket = ctx.desk.outputs.issue(a, {
      bytes, name: fileName, mime: 'application/pdf', level: input.kind === 'outgoing' ? 'thuong' : a.clearance, purpose: 'any', what: `register:${input.kind}:closing`,
    });
    return { ...closing, fileName, ticket, url: ctx.attachmentUrl(ticket) };
  },
  'workFiles.share': (ctx, input) => ctx.desk.workFiles.share(actor(ctx), input),
  // The legacy import in the window (rights checked in ImportWindowService).
  'packages.recipients': (ctx) => ctx.desk.packageWindow.recipients(actor(ctx)),
  'packages.checkCertificate': (ctx, { stagedId }) => ctx.desk.packageWindow.checkCertificate(actor(ctx), stagedId),
  'packages.export': async (ctx, input) => {
    const a = actor(ctx);
    // Signed with the person's own key (a certificate bound to them: OrgService.signingKey).
    const { result, data, level, recipients } = await ctx.desk.packageWindow.export(a, input, () => ctx.guard.signingKey(a));
    const fileName = `goi-du-lieu-${todayIso(new Date(result.manifest.exportedAt))}-${result.packageId.slice(0, 8)}.${result.manifest.encrypted ? 'p7m' : 'sqlite'}`;
    const ticket = ctx.desk.outputs.issue(a, { bytes: data, name: fileName, mime: 'application/octet-stream', level, purpose: 'file', what: 'package:export' });
    const byLevel = result.manifest.levels.map((l) => {
      const c = result.manifest.counts.byLevel[l];
      return { level: l, incoming: c?.documents ?? 0, outgoing: c?.outgoing ?? 0, files: c?.files ?? 0 };
    });
    return {
      packageId: result.packageId, fileName, ticket, url: ctx.attachmentUrl(ticket), size: data.length, encrypted: result.manifest.encrypted, recipients,
      byLevel, workFiles: result.manifest.counts.workFiles ?? 0,
    };
  },
  'packages.exportEdxml': async (ctx, { selection }) => {
    const a = actor(ctx);
    // Signed with the agency's key on the văn thư's token (as the transport's packets are).
    const { zip, packets, documents, level } = await ctx.desk.packageWindow.exportEdxml(a, selection, () => ctx.guard.signingKey(a));
    const fileName = `goi-tin-edxml-${todayIso()}.zip`;
    const ticket = ctx.desk.outputs.issue(a, { bytes: zip, name: fileName, mime: 'application/zip', level, purpose: 'file', what: 'package:edxml' });
    return { fileName, ticket, url: ctx.attachmentUrl(ticket), size: zip.length, packets, documents };
  },
  'packages.verify': (ctx, { stagedId }) => ctx.desk.packageWindow.verify(actor(ctx), stagedId, () => ctx.guard.decryptionKeys()),
  'packages.importStart': (ctx, { stagedId }) => ctx.desk.packageWindow.start(actor(ctx), stagedId, () => ctx.guard.decryptionKeys()),
  'packages.importProgress': (ctx, { runId }) => ctx.desk.packageWindow.progress(actor(ctx), runId),
  'packages.importCancel': (ctx, { runId }) => ctx.desk.packageWindow.cancel(actor(ctx), runId),
  'packages.previewEdxml': (ctx, { stagedId }) => ctx.desk.packageWindow.previewEdxml(actor(ctx), stagedId, () => ctx.guard.decryptionKeys()),
  'packages.importEdxml': (ctx, { stagedId }) => ctx.desk.packageWindow.importEdxml(actor(ctx), stagedId, () => ctx.guard.decryptionKeys()),
  'import.open': (ctx, input) => ctx.desk.importWindow.open(actor(ctx), input),
  'import.preview': (ctx, { mapping, limit, ...source }) => ctx.desk.importWindow.preview(actor(ctx), source, mapping, limit),
  'import.dryRunStart': (ctx, { mapping, ...source }) => ctx.desk.importWindow.dryRunStart(actor(ctx), source, mapping),
  'import.dryRunProgress': (ctx, { runId }) => ctx.desk.importWindow.dryRunProgress(actor(ctx), runId),
  'import.dryRunCancel': (ctx, { runId }) => ctx.desk.importWindow.dryRunCancel(actor(ctx), runId),
  'import.dryRunReport': (ctx, { runId }) => {
    const a = actor(ctx);
    const { report, level, ...out } = ctx.desk.importWindow.dryRunReport(a, runId);
    const fileName = 'ket-qua-kiem-tra-nhap.xlsx';
    const ticket = ctx.desk.outputs.issue(a, {
      bytes: report, name: fileName, mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', level, purpose: 'file', what: 'import:report',
    });
    return { ...out, fileName, ticket, url: ctx.attachmentUrl(ticket) };
  },
  'import.start': (ctx, { mapping, ...source }) => ctx.desk.importWindow.start(actor(ctx), source, mapping),
  'import.progress': (ctx, { runId }) => ctx.desk.importWindow.progress(actor(ctx), runId),
  'import.cancel': (ctx, { runId }) => ctx.desk.importWindow.cancel(actor(ctx), runId),
  'import.resume': (ctx, { id }) => ctx.desk.importWindow.resume(actor(ctx), id),
  'import.jobs': (ctx) => ctx.desk.importWindow.jobs(actor(ctx)),
  'import.mappings': (ctx) => ctx.desk.importWindow.mappings(actor(ctx)),
  'import.saveMapping': (ctx, { name, mapping }) => ctx.desk.importWindow.saveMapping(actor(ctx), name, mapping),
  'import.deleteMapping': (ctx, { name }) => ctx.desk.importWindow.deleteMapping(actor(ctx), name),
  'ocr.pageText': (ctx, { attachmentId, page }) => ctx.desk.ocr.pageText(actor(ctx), attachmentId, page),
  'ocr.status': (ctx) => ctx.desk.ocr.status(actor(ctx)),
  'ocr.start': (ctx) => {
    const a = actor(ctx);
    // The job runs in the background; the call returns at once with where it stands.
    void ctx.desk.ocr.start(a).catch((err: unknown) => ctx.desk.log.log('warn', 'OCR job stopped', { error: (err as Error).message }));
    return ctx.desk.ocr.status(a);
  },
  'ocr.cancel': (ctx) => ctx.desk.ocr.cancel(actor(ctx)),
  'workFiles.unshare': (ctx, input) => ctx.desk.workFiles.unshare(actor(ctx), input),
  'people.signatureImage': (ctx, { userId }) => ctx.desk.org.signatureImage(actor(ctx), userId),
  'people.setSignatureImage': (ctx, { userId, image }) => ctx.desk.org.setSignatureImage(actor(ctx), userId, image === null ? null : Buffer.from(image, 'base64')),
};
