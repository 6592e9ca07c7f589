// A number taken for a record in a compartment survives a crash between the base's commit and the
// compartment's (documents/numberClaims.ts). The state such a crash leaves is made exactly: the
// compartment file as it was before a registration, the base as it was after (WAL commits the base
// first). At the next unlock, once the claim is a minute old, the number is given back when nothing
// was numbered after it, or the gap is audited; a record that reached its compartment only drops its
// claim. The kill -9 itself is in number-claims-kill.test.ts.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { Desk } from '../../main/core/desk';
import { compartmentFile } from '../../main/core/compartments/levels';
import { CLAIM_SETTLE_AFTER_MS } from '../../main/core/documents/numberClaims';
import { actorFor } from '../../main/core/org/users';
import { newDesk, registration } from '../helpers/desk';

const at = (iso: string) => new Date(iso);

describe('number claims', () => {
  let clock = at('2026-11-02T02:00:00Z');
  const env = newDesk('state', undefined, { now: () => clock });
  after(async () => (await env).cleanup());

  const reopen = async (dir: string, identity: Awaited<typeof env>['identity']) => {
    const desk = await Desk.open({ profileDir: dir, now: () => clock });
    const session = await desk.unlock(identity);
    await desk.verdict();
    return { desk, actor: { ...actorFor(session.user), rights: session.rights } };
  };
  const counter = (desk: Desk) => desk.db.prepare("SELECT last FROM number_counters n JOIN registers r ON r.scope_id = n.scope_id WHERE r.name = 'Sổ đăng ký văn bản đến' AND n.period = '2026'").pluck().get() as number;
  const audited = (desk: Desk, action: string) => (desk.db.prepare('SELECT details FROM audit_log WHERE action = ? ORDER BY id').pluck().all(action) as string[]).map((d) => JSON.parse(d) as Record<string, unknown>);
  const claims = (desk: Desk) => desk.db.prepare('SELECT count(*) FROM number_claims').pluck().get() as number;

  it('gives back a number whose record a crash lost, once the claim is a minute old, and the next registration takes it', async () => {
    const { desk, admin, dir, identity } = await env;
    const first = await desk.incoming.register(admin, await registration(desk, admin, { subject: 'Về việc kiểm kê tài sản cuối năm' }));
    assert.equal(first.arrivalNumber, 1);
    assert.equal(claims(desk), 1, 'the claim is written with the number');
    desk.close();
    // The compartment as it was before the second registration …
    const file = compartmentFile(dir, 'thuong');
    assert.ok(!existsSync(`${file}-wal`), 'closed cleanly: one file');
    copyFileSync(file, `${file}.before`);
    let d = await reopen(dir, identity);
    const second = await d.desk.incoming.register(d.actor, await registration(d.desk, d.actor, { subject: 'Về việc mua sắm thiết bị' }));
    assert.equal(second.arrivalNumber, 2);
    d.desk.close();
    // … and the base as it was after it: the crash between the two commits.
    rmSync(`${file}-wal`, { force: true });
    rmSync(`${file}-shm`, { force: true });
    copyFileSync(`${file}.before`, file);

    // Ten seconds later the claim is left alone (another process could be between its commits).
    clock = new Date(clock.getTime() + 10_000);
    d = await reopen(dir, identity);
    assert.equal(counter(d.desk), 2);
    assert.equal(claims(d.desk), 2);
    d.desk.close();

    clock = new Date(clock.getTime() + CLAIM_SETTLE_AFTER_MS);
    d = await reopen(dir, identity);
    assert.equal(counter(d.desk), 1, 'number 2 given back');
    assert.equal(claims(d.desk), 0, 'the confirmed claim dropped, the lost one settled');
    assert.deepEqual(audited(d.desk, 'numbering.given_back').map((x) => x.number), [2]);
    // The settlement names the record as its registration's entry did: the log says that it never arrived.
    const named = (action: string) => d.desk.db.prepare('SELECT entity, entity_id AS id, entity_gid AS gid FROM audit_log WHERE action = ? ORDER BY id').all(action) as Array<{ entity: string; id: number; gid: string }>;
    const registered = named('incoming.register');
    assert.deepEqual(named('numbering.given_back'), [registered[registered.length - 1]]);
    assert.equal(d.desk.incoming.list(d.actor, { sort: { field: 'arrival', dir: 'desc' }, offset: 0, limit: 10 }).length, 1);
    const next = await d.desk.incoming.register(d.actor, await registration(d.desk, d.actor, { subject: 'Về việc mua sắm thiết bị' }));
    assert.equal(next.arrivalNumber, 2, 'the register stays dense');
    d.desk.close();
  });

  it('audits a gap when numbers were taken after the lost one', async () => {
    const { dir, identity } = await env;
    const file = compartmentFile(dir, 'thuong');
    copyFileSync(file, `${file}.before`);
    let d = await reopen(dir, identity);
    const lost = await d.desk.incoming.register(d.actor, await registration(d.desk, d.actor, { subject: 'Về việc tập huấn nghiệp vụ' }));
    assert.equal(lost.arrivalNumber, 3);
    d.desk.close();
    rmSync(`${file}-wal`, { force: true });
    rmSync(`${file}-shm`, { force: true });
    copyFileSync(`${file}.before`, file);
    // Meanwhile the counter moved on (number 4 given by an exchange round applied to this base).
    clock = new Date(clock.getTime() + 5_000);
    d = await reopen(dir, identity);
    d.desk.db.prepare("UPDATE number_counters SET last = 4 WHERE period = '2026' AND last = 3").run();
    d.desk.close();
    clock = new Date(clock.getTime() + CLAIM_SETTLE_AFTER_MS);
    d = await reopen(dir, identity);
    assert.equal(counter(d.desk), 4, 'a number taken after it is not given back');
    assert.deepEqual(audited(d.desk, 'numbering.gap').map((x) => [x.number, x.reason]), [[3, 'interrupted_commit']]);
    assert.equal(claims(d.desk), 0);
    d.desk.close();
  });
});
