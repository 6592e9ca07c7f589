// One handler per contract channel. Handlers only translate between the contract and the core;
// rights and clearance are enforced by the core services themselves.
import type { Channel, OutputOf, ParsedInputOf } from '../../common/contract';
import type { Desk } from '../core/desk';
import { authorize } from '../core/org/rights';

export interface HandlerContext {
  desk: Desk;
  /** Turns a viewer ticket into a URL the renderer can load (app:// scheme or dev host). */
  attachmentUrl(ticket: string): string;
}

type Handler<C extends Channel> = (ctx: HandlerContext, input: ParsedInputOf<C>) => OutputOf<C> | Promise<OutputOf<C>>;
export type Handlers = { [C in Channel]: Handler<C> };

const actor = (ctx: HandlerContext) => {
  const a = ctx.desk.session;
  authorize(a, 'session');
  return a;
};

export const handlers: Handlers = {
  'app.info': ({ desk }) => desk.info(),
  'setup.create': ({ desk }, input) => desk.setup(input),
  'session.users': ({ desk }) => desk.users(),
  'session.login': ({ desk }, { userId }) => desk.login(userId),
  'session.current': ({ desk }) => desk.currentSession(),
  'session.logout': ({ desk }) => {
    desk.logout();
    return null;
  },
  'units.search': (ctx, { query, limit }) => ctx.desk.searchUnits(actor(ctx), query, limit),
  'registers.list': (ctx) => ctx.desk.registers(actor(ctx)),
  'incoming.checkDuplicates': (ctx, q) => ctx.desk.checkDuplicates(actor(ctx), q),
  'incoming.previewNumber': (ctx, q) => ctx.desk.previewNumber(actor(ctx), q),
  'incoming.register': (ctx, input) => ctx.desk.registerIncoming(actor(ctx), input),
  'incoming.list': (ctx, q) => ctx.desk.listIncoming(actor(ctx), q),
  'incoming.count': (ctx, f) => ctx.desk.countIncoming(actor(ctx), f),
  'incoming.get': (ctx, { id }) => ctx.desk.getIncoming(actor(ctx), id),
  'attachments.open': (ctx, { id }) => {
    const opened = ctx.desk.openAttachment(actor(ctx), id);
    return { url: ctx.attachmentUrl(opened.ticket), name: opened.name, mime: opened.mime, isPdf: opened.isPdf };
  },
  'staging.discard': async (ctx, { stagedId }) => {
    await ctx.desk.discardStaged(actor(ctx), stagedId);
    return null;
  },
};
