// The matrix: every role × clearance × document level × action, for people signed in with their own
// keys (so a person holds only the compartments of their clearance), with and without need-to-know
// (a grant by name), through the core and through the IPC router. The expected outcome comes from an
// oracle written here from the rules (main/core/secrets/rules.ts, documents/needToKnow.ts), not from
// the code under test: NOT_FOUND whenever the person may not see the record (its existence is not
// told), FORBIDDEN when they see it but lack the authority, otherwise the action passes its
// authorization (shown by success, or by a validation refusal that comes only after it).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { secrecyRank, SECRECY_LEVELS, type Role, type Secrecy } from '../../common/domain';
import type { IncomingRow } from '../../common/contract';
import { DeskError } from '../../common/errors';
import { todayIso } from '../../common/dates';
import { createRouter } from '../../main/ipc/router';
import { startDevHost, type DevHost } from '../../main/devhost/server';
import type { Wire } from '../../common/contract';
import { SessionGuard } from '../../main/core/session/guard';
import { TokenBridge } from '../../native/bridge/client';
import { TokenService } from '../../main/core/session/tokens';
import type { TokenIdentity } from '../../main/core/desk';
import type { Actor } from '../../main/core/org/rights';
import { actorFor, getUser } from '../../main/core/org/users';
import { newDesk, registration } from '../helpers/desk';
import { addPerson } from '../helpers/people';

const ROLES: Role[] = ['van_thu', 'lanh_dao', 'chuyen_vien', 'quan_tri'];
type Outcome = 'ok' | 'NOT_FOUND' | 'FORBIDDEN';

interface Doc { id: number; level: Secrecy; granted: boolean; fileId: number; word: string; restricted?: boolean }
interface Person { id: number; role: Role; clearance: Secrecy; identity: TokenIdentity }

let env: Awaited<ReturnType<typeof newDesk>>;
let call: ReturnType<typeof createRouter>;
let host: DevHost;
let hostCalls = 0;
const docs: Doc[] = [];
const people: Person[] = [];
let thuongPersonId = 0;

// ---- the oracle ----
const seesAll = (p: Person) => p.role === 'van_thu' || p.role === 'lanh_dao';
function sees(p: Person, d: Doc): boolean {
  if (secrecyRank(p.clearance) < secrecyRank(d.level)) return false;
  // A restricted Thường record ("Hạn chế phạm vi") follows need-to-know like a classified one.
  return (d.level === 'thuong' && !d.restricted) || seesAll(p) || d.granted;
}
const classified = (d: Doc) => d.level !== 'thuong';
const expect = (p: Person, d: Doc, allowed: (p: Person, d: Doc) => boolean): Outcome => (!sees(p, d) ? 'NOT_FOUND' : allowed(p, d) ? 'ok' : 'FORBIDDEN');
const ORACLE = {
  read: (p: Person, d: Doc) => expect(p, d, () => true),
  print: (p: Person, d: Doc) => expect(p, d, () => !classified(d) || p.role === 'lanh_dao'),
  allowCopy: (p: Person, d: Doc) => expect(p, d, () => !classified(d) || p.role === 'lanh_dao'),
  grant: (p: Person, d: Doc) => expect(p, d, () => p.role === 'lanh_dao' || p.role === 'van_thu'),
  changeLevel: (p: Person, d: Doc) => expect(p, d, () => p.role === 'lanh_dao'),
  declassify: (p: Person, d: Doc) => expect(p, d, () => p.role === 'lanh_dao'),
  destroy: (p: Person, d: Doc) => expect(p, d, () => p.role === 'lanh_dao'),
};

/** What a call came to: 'ok', the refusal code, or 'VALIDATION' (authorization passed, the input did not). */
async function outcome(run: () => unknown): Promise<string> {
  try {
    await run();
    return 'ok';
  } catch (err) {
    if (err instanceof DeskError) return err.code;
    throw err;
  }
}
/** The rows the development host lists (a list or a search), as the page would get them. */
async function hostList(input: unknown): Promise<Set<number>> {
  const res = await fetch(`${host.url}/ipc/incoming.list`, {
    method: 'POST', body: JSON.stringify(input), headers: { Authorization: `Bearer ${host.token}`, 'Content-Type': 'application/json' },
  });
  const wire = await res.json() as Wire<IncomingRow[]>;
  assert.ok(wire.ok, 'the development host lists');
  return new Set(wire.ok ? wire.value.map((r) => r.id) : []);
}

/** Through the IPC router, and the same call through the development host over loopback HTTP: they must agree. */
async function viaRouter(channel: string, input: unknown): Promise<string> {
  const r = await call(channel, input);
  const viaRouterOutcome = r.ok ? 'ok' : r.error.code;
  const res = await fetch(`${host.url}/ipc/${channel}`, {
    method: 'POST', body: JSON.stringify(input), headers: { Authorization: `Bearer ${host.token}`, 'Content-Type': 'application/json' },
  });
  const wire = await res.json() as Wire<unknown>;
  assert.equal(wire.ok ? 'ok' : wire.error.code, viaRouterOutcome, `the development host answers ${channel} as the router does`);
  hostCalls++;
  return viaRouterOutcome;
}
/** Validation after the authorization counts as passing it. */
const passed = (o: string) => (o === 'VALIDATION' ? 'ok' : o);

before(async () => {
  env = await newDesk('state');
  const { desk, admin } = env;
  const guard = new SessionGuard(desk, new TokenService(new TokenBridge(), async () => []));
  call = createRouter({ desk, guard, attachmentUrl: (t) => `app://securedesk/blob/${t}` });
  // The development host over the same core: every router call is made through it too.
  host = await startDevHost({ desk, guard, rendererDir: env.dir });
  // Everyone who may be asked, by role and clearance, with their own token (software keys here).
  for (const role of ROLES) {
    for (const clearance of SECRECY_LEVELS) {
      const p = await addPerson(desk, { fullName: `${role} ${clearance}`, role, clearance });
      people.push({ id: p.id, role, clearance, identity: p.identity });
      if (clearance === 'thuong' && role === 'chuyen_vien') thuongPersonId = p.id;
    }
  }
  // Two records per level: one granted by name to every officer and administrator cleared for it, one not.
  let n = 0;
  for (const level of SECRECY_LEVELS) {
    for (const granted of [false, true]) {
      const word = `matran${++n}x`;
      const r = await desk.incoming.register(admin, await registration(desk, admin, {
        secrecy: level, subject: level === 'tuyet_mat' ? '' : `Văn bản ${word} kiểm tra ma trận`, notes: word,
      }));
      const fileId = desk.incoming.get(admin, r.id).attachments[0]!.id;
      docs.push({ id: r.id, level, granted, fileId, word });
      if (granted && level !== 'thuong') {
        for (const p of people) {
          if ((p.role === 'chuyen_vien' || p.role === 'quan_tri') && secrecyRank(p.clearance) >= secrecyRank(level))
            await desk.grants.grant(admin, { incomingId: r.id, userId: p.id, reason: 'Kiểm tra ma trận' });
        }
      }
      // A hold on every record: an authorised destruction stops at it (and nothing is destroyed).
      if (level !== 'thuong') await desk.destruction.hold(admin, { incomingId: r.id, reason: 'Giữ cho kiểm tra' });
    }
  }
  // The Thường records are granted the same way in the oracle: open to the agency.
  for (const d of docs) if (d.level === 'thuong') d.granted = true;
  // The ninth kind: a restricted Thường record, in nobody's distribution but the văn thư who registered it.
  const word = `matran${++n}x`;
  const r = await desk.incoming.register(admin, await registration(desk, admin, { secrecy: 'thuong', subject: `Văn bản ${word} hạn chế phạm vi`, notes: word, restricted: true }));
  docs.push({ id: r.id, level: 'thuong', granted: false, fileId: desk.incoming.get(admin, r.id).attachments[0]!.id, word, restricted: true });
});

after(async () => {
  await host.close();
  env.cleanup();
});

describe('role × clearance × level × action, through the core, the router and the development host', () => {
  for (const role of ROLES) {
    for (const clearance of SECRECY_LEVELS) {
      test(`${role} cleared ${clearance}`, async () => {
        const { desk } = env;
        const p = people.find((x) => x.role === role && x.clearance === clearance)!;
        desk.lock('manual');
        await desk.unlock(p.identity);
        const actor: Actor = actorFor(getUser(desk.db, p.id)!);
        // The keys: exactly the compartments of the clearance.
        assert.deepEqual(desk.heldLevels, SECRECY_LEVELS.filter((l) => secrecyRank(l) <= secrecyRank(clearance)));
        const listed = new Set(desk.incoming.list(actor, { sort: { field: 'arrival', dir: 'desc' }, offset: 0, limit: 200 }).map((r) => r.id));
        const viaIpc = await call('incoming.list', { sort: { field: 'arrival', dir: 'desc' }, offset: 0, limit: 200 });
        assert.ok(viaIpc.ok);
        const listedIpc = new Set((viaIpc.ok ? (viaIpc.value as IncomingRow[]) : []).map((r) => r.id));
        const listedHost = await hostList({ sort: { field: 'arrival', dir: 'desc' }, offset: 0, limit: 200 });
        const total = desk.incoming.count(actor, {}).total;
        const today = todayIso(desk.now());
        for (const d of docs) {
          const where = `${role}/${clearance} on ${d.level}${d.restricted ? ' restricted' : ''}${d.granted ? ' granted' : ''} #${d.id}`;
          const read = ORACLE.read(p, d);
          // list, count, search: the record is there exactly when it may be seen.
          assert.equal(listed.has(d.id), read === 'ok', `list ${where}`);
          assert.equal(listedIpc.has(d.id), read === 'ok', `list (IPC) ${where}`);
          assert.equal(listedHost.has(d.id), read === 'ok', `list (development host) ${where}`);
          const found = desk.incoming.list(actor, { query: d.word, sort: { field: 'arrival', dir: 'desc' }, offset: 0, limit: 10 }).map((r) => r.id);
          assert.equal(found.includes(d.id), read === 'ok', `search ${where}`);
          const foundHost = await hostList({ query: d.word, sort: { field: 'arrival', dir: 'desc' }, offset: 0, limit: 10 });
          assert.equal(foundHost.has(d.id), read === 'ok', `search (development host) ${where}`);
          // open, open file
          assert.equal(await outcome(() => desk.incoming.get(actor, d.id)), read, `open ${where}`);
          assert.equal(await viaRouter('incoming.get', { id: d.id }), read, `open (IPC) ${where}`);
          assert.equal(await outcome(() => desk.attachments.open(actor, d.fileId)), read, `open file ${where}`);
          assert.equal(await viaRouter('attachments.open', { id: d.fileId }), read, `open file (IPC) ${where}`);
          // print (no permission asked for): allowed to the authority, or an ordinary record.
          const print = { incomingId: d.id, kind: 'print', copies: 1, reason: 'Kiểm tra' };
          assert.equal(await viaRouter('copies.make', print), ORACLE.print(p, d), `print ${where}`);
          // an electronic copy (sao y): the same authority as a print run
          assert.equal(await viaRouter('copies.make', { ...print, kind: 'sao_y' }), ORACLE.print(p, d), `copy ${where}`);
          // allow a copy: the authority of the level (for an ordinary record: VALIDATION, no permission needed)
          assert.equal(passed(await viaRouter('copies.allow', { ...print, forUserId: p.id })), ORACLE.allowCopy(p, d), `allow copy ${where}`);
          // grant by name (to someone not cleared, or to nobody for the restricted record, which anyone may
          // be granted: refused only after the authorization)
          const grantee = d.restricted ? 999_999 : thuongPersonId;
          assert.equal(passed(await viaRouter('grants.add', { incomingId: d.id, userId: grantee, reason: 'Kiểm tra' })), ORACLE.grant(p, d), `grant ${where}`);
          // change level, declassify (to Thường: refused as such only after the authorization)
          const change = { incomingId: d.id, authority: 'QĐ kiểm tra', reason: 'Kiểm tra', decidedOn: today };
          assert.equal(passed(await viaRouter('levels.propose', { ...change, kind: 'lower', toLevel: 'thuong' })), ORACLE.changeLevel(p, d), `change level ${where}`);
          assert.equal(passed(await viaRouter('levels.propose', { ...change, kind: 'declassify_part' })), ORACLE.declassify(p, d), `declassify ${where}`);
          // destroy: an authorised destruction stops at the hold (or at the ordinary level)
          assert.equal(passed(await viaRouter('destruction.destroy', { ...change, decision: 'BB kiểm tra' })), ORACLE.destroy(p, d), `destroy ${where}`);
        }
        assert.equal(total, docs.filter((d) => ORACLE.read(p, d) === 'ok').length, `count ${role}/${clearance}`);
        // export: the state-secret registers, for their readers (văn thư, lãnh đạo) holding a secret level
        const exportOutcome = (role === 'van_thu' || role === 'lanh_dao') && clearance !== 'thuong' ? 'ok' : 'FORBIDDEN';
        assert.equal(await viaRouter('registers.output', { kind: 'secret_incoming', format: 'xlsx', from: `${today.slice(0, 4)}-01-01`, to: today }), exportOutcome, `export ${role}/${clearance}`);
        assert.ok(hostCalls >= docs.length * 7, 'every router call was made through the development host too');
      });
    }
  }
});
