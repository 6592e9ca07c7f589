// The agency server's routes for shared registers' numbers (docs/server.md, "Numbering authority"):
// signed-in workstation and person, and the person's role must be one that registers documents
// (`registerRoles`, the văn thư by default). Only ids and numbers: the server never sees a subject.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import {
  AFTER_RESTORE_MAX, AFTER_RESTORE_REGISTERS_MAX, NUMBER_BUCKET_RE, NUMBER_ID_RE, NUMBER_PERIOD_RE, NUMBERS_API, NUMBERS_MANY_BYTES, NUMBERS_MANY_MAX, type GiveBackResult, type HomeMovedConflict, type LastNumber, type NumberConflict,
} from '../main/core/sync/numbers/protocol';
import type { Session } from './auth';
import type { ServerConfig } from './config';
import { HttpError, parseBody, sendJson } from './http';
import { readBody } from './limits';
import type { Logger } from './log';
import { NumberConflictError, NumberForbidden, NumberHomeMoved, NumberHomeNotReported, NumberYearClosed, type NumberStore } from './storage/numberStore';
import { secrecyRank } from '../common/domain';

const gid = z.string().regex(NUMBER_ID_RE);
const sequence = { register: gid, period: z.string().regex(NUMBER_PERIOD_RE), bucket: z.string().regex(NUMBER_BUCKET_RE) };
const allocateSchema = z.strictObject({ ...sequence, record: gid, home: gid });
const allocateManySchema = z.strictObject({
  register: gid, home: gid,
  items: z.array(z.strictObject({ period: sequence.period, bucket: sequence.bucket, record: gid })).min(1).max(NUMBERS_MANY_MAX)
    .refine((items) => new Set(items.map((i) => i.record)).size === items.length, 'each record once'),
});
const afterRestoreSchema = z.strictObject({
  restore: z.string().uuid(),
  counters: z.array(z.strictObject({ ...sequence, last: z.number().int().min(1).max(10_000_000) })).max(AFTER_RESTORE_MAX),
});
const afterRestoreRecordsSchema = z.strictObject({
  restore: z.string().uuid(),
  records: z.array(z.strictObject({ ...sequence, record: gid, number: z.number().int().min(1).max(10_000_000) })).min(1).max(AFTER_RESTORE_MAX)
    .refine((items) => new Set(items.map((i) => i.record)).size === items.length, 'each record once')
    // Each register is looked up once a request: bounded, so a request cannot make thousands of look-ups.
    .refine((items) => new Set(items.map((i) => i.register)).size <= AFTER_RESTORE_REGISTERS_MAX, `at most ${AFTER_RESTORE_REGISTERS_MAX} registers`),
});
const giveBackSchema = z.strictObject({ ...sequence, record: gid });
const reportSchema = z.strictObject({ ...sequence, record: gid, number: z.number().int().min(1).max(10_000_000), madeAt: z.string().datetime().optional() });

export class NumberRoutes {
  private readonly roles: ReadonlySet<string>;

  constructor(cfg: ServerConfig, private readonly store: NumberStore, private readonly clock: () => number, private readonly logger: Logger) {
    this.roles = new Set(cfg.registerRoles);
  }

  /**
   * The person's clearance must reach the register's lowest level, as the core asks of whoever
   * registers into it (documents/incoming.ts `listRegisters`), known from the base's clear events. A
   * register the server has not heard of yet (its creation not pushed) holds no one's numbers but its
   * own workstation's: not refused.
   */
  private async mayNumber(s: Session, register: string, route: string): Promise<void> {
    const rank = await this.store.registerRank(register);
    if (rank <= secrecyRank(s.clearance)) return;
    this.logger.log('warn', 'refused: numbers of a register above the person\'s clearance', { person: s.person, workstation: s.workstation, register, route });
    throw new HttpError(403, 'register-level', `the clearance of ${s.person} does not reach register ${register}: no numbers of it`);
  }

  /** Handles a numbers route; false when the path is none of them. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL, s: Session, ctx: { route: string }): Promise<boolean> {
    const path = url.pathname;
    if (path !== NUMBERS_API && !path.startsWith(`${NUMBERS_API}/`)) return false;
    ctx.route = `numbers${path.slice(NUMBERS_API.length).replace(/\//g, '.')}`;
    if (!this.roles.has(s.role)) {
      this.logger.log('warn', 'refused: numbers for a role that does not register', { person: s.person, workstation: s.workstation, role: s.role, route: ctx.route });
      throw new HttpError(403, 'forbidden', `the role ${s.role} does not register documents: no register numbers`);
    }
    const method = req.method ?? 'GET';
    const now = () => new Date(this.clock());
    try {
      if (method === 'POST' && path === `${NUMBERS_API}/allocate`) {
        const q = parseBody(allocateSchema, await readBody(req, 4096));
        await this.mayNumber(s, q.register, ctx.route);
        const r = await this.store.allocate(q, s.workstation, s.person, now());
        const { fresh, ...out } = r;
        sendJson(res, fresh ? 201 : 200, out);
        return true;
      }
      if (method === 'POST' && path === `${NUMBERS_API}/allocate-many`) {
        // Bounded in size (413) and in count (400): one request holds one register's write transaction.
        const q = parseBody(allocateManySchema, await readBody(req, NUMBERS_MANY_BYTES));
        await this.mayNumber(s, q.register, ctx.route);
        const { fresh, ...out } = await this.store.allocateMany(q, s.workstation, s.person, now());
        sendJson(res, fresh ? 201 : 200, out);
        return true;
      }
      if (method === 'POST' && path === `${NUMBERS_API}/give-back`) {
        const q = parseBody(giveBackSchema, await readBody(req, 4096));
        await this.mayNumber(s, q.register, ctx.route);
        const out: GiveBackResult = await this.store.giveBack(q, s.workstation);
        sendJson(res, 200, out);
        return true;
      }
      if (method === 'POST' && path === `${NUMBERS_API}/report`) {
        const q = parseBody(reportSchema, await readBody(req, 4096));
        await this.mayNumber(s, q.register, ctx.route);
        const r = await this.store.report(q, s.workstation, s.person, now());
        const { fresh, ...out } = r;
        sendJson(res, fresh ? 201 : 200, out);
        return true;
      }
      if (method === 'POST' && path === `${NUMBERS_API}/after-restore`) {
        const q = parseBody(afterRestoreSchema, await readBody(req, 512 << 10));
        const out = await this.store.afterRestore(q, s.workstation, s.person, now(), secrecyRank(s.clearance));
        const { floors, ...counts } = out;
        this.logger.log('warn', 'last numbers reported after a restore', { workstation: s.workstation, person: s.person, restore: q.restore, sequences: q.counters.length, ...counts, floors: floors.length });
        sendJson(res, 200, out);
        return true;
      }
      if (method === 'POST' && path === `${NUMBERS_API}/after-restore/records`) {
        // 2 000 records of at most ~400 bytes each (a long bucket name).
        const q = parseBody(afterRestoreRecordsSchema, await readBody(req, 1 << 20));
        const out = await this.store.afterRestoreRecords(q, s.workstation, s.person, now(), secrecyRank(s.clearance));
        const { clashes, ...counts } = out;
        this.logger.log(clashes.length ? 'warn' : 'info', 'numbered records reported after a restore', { workstation: s.workstation, person: s.person, restore: q.restore, records: q.records.length, ...counts, clashes: clashes.length });
        // Each clash named (ids and numbers only): a number held twice is the văn thư's to settle.
        for (const c of clashes.slice(0, 50)) {
          this.logger.log('warn', 'a record reported after a restore clashes with the store', { workstation: s.workstation, person: s.person, reason: c.reason, register: c.register, period: c.period, bucket: c.bucket, number: c.number, record: c.record });
        }
        sendJson(res, 200, out);
        return true;
      }
      if (method === 'GET' && path === `${NUMBERS_API}/last`) {
        const q = z.strictObject(sequence).safeParse(Object.fromEntries(url.searchParams));
        if (!q.success) throw new HttpError(400, 'bad-request', 'register, period and bucket are required');
        await this.mayNumber(s, q.data.register, ctx.route);
        const out: LastNumber = await this.store.last(q.data);
        sendJson(res, 200, out);
        return true;
      }
    } catch (e) {
      if (e instanceof NumberConflictError) {
        // The holder of another register is told only to someone who may number into that register.
        if ((await this.store.registerRank(e.holder.register)) > secrecyRank(s.clearance)) {
          this.logger.log('warn', 'refused: a record numbered in a register above the asker\'s clearance', { workstation: s.workstation, person: s.person, route: ctx.route });
          throw new HttpError(403, 'register-level', 'this record is numbered in a register above your clearance');
        }
        const body: NumberConflict = { error: e.code, message: e.message, holder: e.holder };
        this.logger.log('warn', 'number conflict', { code: e.code, register: e.holder.register, period: e.holder.period, number: e.holder.number, workstation: s.workstation });
        sendJson(res, 409, body);
        return true;
      }
      if (e instanceof NumberHomeMoved) {
        this.logger.log('warn', 'refused: a former home\'s number given after its home moved', { workstation: s.workstation, person: s.person, register: e.move.register, movedTo: e.move.to });
        const body: HomeMovedConflict = { error: e.code, message: e.message, move: e.move };
        sendJson(res, 409, body);
        return true;
      }
      if (e instanceof NumberYearClosed || e instanceof NumberHomeNotReported) {
        sendJson(res, 409, { error: e.code, message: e.message });
        return true;
      }
      if (e instanceof NumberForbidden) throw new HttpError(403, e.code, e.message);
      throw e;
    }
    throw new HttpError(404, 'not-found', 'no such route');
  }
}
