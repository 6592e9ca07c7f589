// The IPC router shared by Electron's ipcMain wiring and the development host:
// validate against the contract -> authorize -> run the handler -> log. Errors leave as a code and
// a Vietnamese message; stack traces stay in the log.
import { contract, isChannel, type Wire } from '../../common/contract';
import { DeskError } from '../../common/errors';
import { viMessage } from '../../common/messages';
import { fieldErrors, fieldMessages } from '../../common/schemas';
import { authorize } from '../core/org/rights';
import { toDeskError } from '../core/session/tokenErrors';
import { handlers, type HandlerContext } from './handlers';

export type Router = (channel: unknown, input: unknown) => Promise<Wire<unknown>>;

export function createRouter(ctx: HandlerContext): Router {
  return async (channel, input) => {
    const started = performance.now();
    if (!isChannel(channel)) {
      ctx.desk.log.log('warn', 'ipc call to unknown channel refused', { channel: String(channel).slice(0, 80) });
      return { ok: false, error: DeskError.keyed('UNKNOWN_CHANNEL', 'request.invalid').toPayload() };
    }
    const spec = contract[channel];
    try {
      const parsed = spec.input.safeParse(input ?? {});
      if (!parsed.success) {
        const fields = fieldErrors(parsed.error);
        const fieldKeys = fieldMessages(parsed.error);
        // The error as a whole says what its first field says (keyed when that field is).
        const first = Object.keys(fields)[0];
        const firstKey = first === undefined ? { key: 'input.invalid' as const } : fieldKeys[first];
        throw new DeskError('VALIDATION', first === undefined ? viMessage('input.invalid') : fields[first]!, {
          fields,
          ...(Object.keys(fieldKeys).length > 0 ? { fieldKeys } : {}),
          ...(firstKey ? { key: firstKey.key, ...(firstKey.params ? { params: firstKey.params } : {}) } : {}),
        });
      }
      authorize(ctx.desk.session, spec.access);
      if (spec.access !== 'public' && spec.activity !== false) ctx.guard.touch();
      const handler = handlers[channel] as (c: HandlerContext, i: unknown) => unknown;
      const value = await handler(ctx, parsed.data);
      ctx.desk.log.log('debug', 'ipc', { channel, user: ctx.desk.session?.id ?? null, ms: Math.round(performance.now() - started) });
      return { ok: true, value };
    } catch (raw) {
      const err = toDeskError(raw);
      if (err instanceof DeskError) {
        // Token and crypto failures keep their English cause in the log (their messages never hold a PIN).
        const cause = raw !== err && raw instanceof Error ? { cause: `${raw.name}: ${raw.message}` } : {};
        ctx.desk.log.log('info', 'ipc call refused', { channel, user: ctx.desk.session?.id ?? null, code: err.code, ...cause });
        ctx.desk.audit.recordRefusal(channel, err.code, ctx.desk.session?.id ?? null);
        return { ok: false, error: err.toPayload() };
      }
      ctx.desk.log.log('error', 'ipc call failed', { channel, error: (err as Error).stack ?? String(err) });
      return { ok: false, error: DeskError.keyed('INTERNAL', 'internal').toPayload() };
    }
  };
}
