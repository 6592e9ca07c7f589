// Moving a register's home (docs/server.md, "Numbering authority"): an administrator of the agency
// (role quản trị, the person whose token signed this session's nonce) names another workstation of the
// agency as the register's home, with a reason. Kept on the server with who, from where, when, from and
// to (register_home_moves), and logged. The workstations learn it at their next numbering round.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { secrecyRank } from '../common/domain';
import { ADMIN_REGISTERS_API, NUMBER_ID_RE, type HomeMove, type RegisterHomeView } from '../main/core/sync/numbers/protocol';
import type { Session } from './auth';
import { HttpError, parseBody, sendJson } from './http';
import { readBody } from './limits';
import type { Logger } from './log';
import { HomeRefused, HomeStore } from './storage/homeStore';
import type { LostStore } from './storage/lostStore';
import { registerFacts } from './storage/registerFacts';
import type { ServerDatabase } from './storage/schema';

const gid = z.string().regex(NUMBER_ID_RE);
const moveSchema = z.strictObject({ workstation: gid, reason: z.string().trim().min(5).max(500) });

export class HomeRoutes {
  private readonly homes: HomeStore;

  constructor(private readonly db: Kysely<ServerDatabase>, private readonly lost: LostStore, private readonly clock: () => number, private readonly logger: Logger) {
    this.homes = new HomeStore(db);
  }

  /** Handles `/v1/admin/registers/<register>/home`; false for any other path. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL, s: Session, ctx: { route: string }): Promise<boolean> {
    const m = new RegExp(`^${ADMIN_REGISTERS_API}/([^/]+)/home$`).exec(url.pathname);
    if (!m) return false;
    const method = req.method ?? 'GET';
    ctx.route = method === 'POST' ? 'admin.registerHome.move' : 'admin.registerHome';
    if (s.role !== 'quan_tri') {
      this.logger.log('warn', 'refused: a register\'s home moved by someone not an administrator', { person: s.person, workstation: s.workstation, role: s.role });
      throw new HttpError(403, 'forbidden', 'administrators only');
    }
    const register = m[1]!;
    if (!gid.safeParse(register).success) throw new HttpError(400, 'bad-request', 'register id is malformed');
    // What the administrator sees and moves is bounded by their clearance, as numbering is.
    if ((await registerFacts(this.db, register, null)).minRank > secrecyRank(s.clearance)) {
      this.logger.log('warn', 'refused: a register\'s home above the administrator\'s clearance', { person: s.person, workstation: s.workstation, register });
      throw new HttpError(403, 'register-level', `the clearance of ${s.person} does not reach register ${register}`);
    }
    if (method === 'GET') {
      const view: RegisterHomeView = { register, ...(await this.homes.view(register)) };
      sendJson(res, 200, view);
      return true;
    }
    if (method !== 'POST') throw new HttpError(404, 'not-found', 'no such route');
    const body = parseBody(moveSchema, await readBody(req, 4096));
    // A workstation of the agency: one that has signed in here (only the agency's people can), not declared lost.
    const seen = await this.db.selectFrom('workstations').select('id').where('id', '=', body.workstation).executeTakeFirst();
    if (!seen) {
      this.logger.log('warn', 'refused: a register\'s home moved to a workstation not of the agency', { person: s.person, register, to: body.workstation });
      throw new HttpError(422, 'unknown-workstation', `workstation ${body.workstation} has never signed in to this agency's server`);
    }
    const gone = await this.lost.lost(body.workstation);
    if (gone) throw new HttpError(409, 'workstation-lost', `workstation ${body.workstation} was declared lost on ${gone.declaredAt}: it cannot be a register's home`);
    let move: HomeMove;
    try {
      move = await this.homes.move(register, body.workstation, { person: s.person, workstation: s.workstation }, body.reason, new Date(this.clock()));
    } catch (e) {
      if (e instanceof HomeRefused) throw new HttpError(e.status, e.code, e.message);
      throw e;
    }
    this.logger.log('warn', 'register home moved', { register, from: move.from, to: move.to, by: s.person, fromWorkstation: s.workstation, reason: move.reason });
    sendJson(res, 201, move);
    return true;
  }
}
