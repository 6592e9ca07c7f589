// The workstation's client of the agency server's numbering routes (server/numbers.ts). Every answer
// that is not a success becomes a TransportError (its `transient` says whether the server could not be
// reached or was failing, as opposed to a refusal), except a report's conflict, which is an answer.
import type { ServerClient } from '../ServerClient';
import { TransportError, type Response } from '../transport';
import {
  ADMIN_REGISTERS_API, NUMBERS_API, type AfterRestoreRecordsRequest, type AfterRestoreRecordsResult, type AfterRestoreRequest, type AfterRestoreResult, type AllocateManyRequest, type HomeMove, type HomeMovedConflict, type MoveHomeRequest, type RegisterHomeView, type ReportOutcome, type AllocateManyResult, type AllocateRequest, type AllocateResult, type GiveBackRequest, type GiveBackResult, type LastNumber, type NumberConflict,
  type NumberSequence, type ReportRequest,
} from './protocol';

function readJson<T>(res: Response): T | null {
  try {
    return res.body.length ? (JSON.parse(res.body.toString('utf8')) as T) : null;
  } catch {
    return null;
  }
}

function expectJson<T>(res: Response, what: string): T {
  const data = readJson<T & { error?: string; message?: string }>(res);
  if (res.status < 200 || res.status >= 300) {
    const ra = Number(res.headers['retry-after']);
    throw new TransportError(`${what}: ${res.status} ${data?.message ?? ''}`.trim(), res.status, data?.error ?? 'http', Number.isFinite(ra) && ra > 0 ? ra * 1000 : null);
  }
  return data as T;
}

const json = (body: unknown) => ({ body: Buffer.from(JSON.stringify(body)), headers: { 'content-type': 'application/json' } });

export class NumberClient {
  constructor(private readonly server: Pick<ServerClient, 'request'>) {}

  /** The next number of the sequence for the record (the same number when asked again for it). */
  async allocate(q: AllocateRequest): Promise<AllocateResult> {
    return expectJson<AllocateResult>(await this.server.request('POST', `${NUMBERS_API}/allocate`, json(q)), `number for ${q.record}`);
  }

  /** After a restore of the server's store: the last numbers this workstation knows (sync/restore.ts). */
  async afterRestore(q: AfterRestoreRequest): Promise<AfterRestoreResult> {
    return expectJson<AfterRestoreResult>(await this.server.request('POST', `${NUMBERS_API}/after-restore`, json(q)), `last numbers after restore ${q.restore}`);
  }

  /** After a restore: records numbered above the restored store's last, so it knows again who holds each number. */
  async afterRestoreRecords(q: AfterRestoreRecordsRequest): Promise<AfterRestoreRecordsResult> {
    return expectJson<AfterRestoreRecordsResult>(await this.server.request('POST', `${NUMBERS_API}/after-restore/records`, json(q)), `${q.records.length} numbered records after restore ${q.restore}`);
  }

  /** Numbers for many records of one register at once (at most NUMBERS_MANY_MAX), in order. */
  async allocateMany(q: AllocateManyRequest): Promise<AllocateManyResult> {
    return expectJson<AllocateManyResult>(await this.server.request('POST', `${NUMBERS_API}/allocate-many`, json(q)), `numbers for ${q.items.length} records`);
  }

  /** Gives the record's number back (its registration failed); kept when something was numbered after it. */
  async giveBack(q: GiveBackRequest): Promise<GiveBackResult> {
    return expectJson<GiveBackResult>(await this.server.request('POST', `${NUMBERS_API}/give-back`, json(q)), `give back the number of ${q.record}`);
  }

  /**
   * Reports a number the home workstation gave offline: accepted, the conflict with its holder, or (a
   * former home's number given after its home was moved) the move.
   */
  async report(q: ReportRequest): Promise<ReportOutcome> {
    const res = await this.server.request('POST', `${NUMBERS_API}/report`, json(q));
    if (res.status === 409) {
      const c = readJson<NumberConflict | HomeMovedConflict>(res);
      if (c?.error === 'home-moved' && c.move) return { moved: c };
      if (c && c.error !== 'home-moved' && c.holder) return { conflict: c };
    }
    return { accepted: expectJson<AllocateResult>(res, `report number ${q.number} of ${q.record}`) };
  }

  /** An administrator moves a register's home to another workstation of the agency (the server checks the role of the signed-in person). */
  async moveHome(register: string, q: MoveHomeRequest): Promise<HomeMove> {
    return expectJson<HomeMove>(await this.server.request('POST', `${ADMIN_REGISTERS_API}/${encodeURIComponent(register)}/home`, json(q)), `move the home of register ${register}`);
  }

  /** The register's home and its moves (administrators). */
  async registerHome(register: string): Promise<RegisterHomeView> {
    return expectJson<RegisterHomeView>(await this.server.request('GET', `${ADMIN_REGISTERS_API}/${encodeURIComponent(register)}/home`), `the home of register ${register}`);
  }

  async last(q: NumberSequence): Promise<LastNumber> {
    const p = new URLSearchParams({ register: q.register, period: q.period, bucket: q.bucket });
    return expectJson<LastNumber>(await this.server.request('GET', `${NUMBERS_API}/last?${p.toString()}`), 'last number');
  }
}
