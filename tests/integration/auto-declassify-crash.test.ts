// Automatic declassification killed (SIGKILL) in the middle of a batch, then resumed: the next unlock
// by the văn thư finishes the interrupted move and declassifies the rest. Every record ends in the
// Thường compartment exactly once, with exactly one automatic decision and one audit entry, its file
// readable; no journal is left. The batch runs in a child process (the real job, the real files).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { addDaysIso, todayIso } from '../../common/dates';
import { Desk } from '../../main/core/desk';
import { actorFor, getUser } from '../../main/core/org/users';
import { newDesk, registration, softIdentity } from '../helpers/desk';

// Two chunks of 50 and more: the kill, after the first chunk, lands with tens of records still to go.
const COUNT = 110;
let env: Awaited<ReturnType<typeof newDesk>>;
const ids: number[] = [];

before(async () => {
  env = await newDesk();
  const { desk, admin } = env;
  const today = todayIso(desk.now());
  for (let i = 0; i < COUNT; i++) {
    const r = await desk.incoming.register(admin, await registration(desk, admin, {
      secrecy: i % 3 === 0 ? 'toi_mat' : 'mat', subject: `Văn bản hết hạn bảo vệ số ${i}`,
      documentDate: addDaysIso(today, -5), protectionUntil: addDaysIso(today, -1),
    }));
    ids.push(r.id);
  }
  // Registered just now: the job at setup found nothing due (the records came after it).
  await desk.autoDeclassify.whenIdle();
  desk.close();
});
after(() => env.cleanup());

/**
 * Runs the job in a child that kills itself (SIGKILL) once it has finished `after` records, then
 * `hops` turns of its event loop later (fewer than the records left, each of which awaits the file
 * system), so that the kill lands at a different step of a move each run, and always before the end.
 * The child chooses the point: a parent reacting to its output could be too late on a loaded machine.
 */
async function killAfter(dir: string, after: number, hops = Math.floor(Math.random() * 50)): Promise<{ out: string; signal: NodeJS.Signals | null; hops: number }> {
  const id = softIdentity();
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/fixtures/processes/autoDeclassifyChild.ts', dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, SD_TEST_CERT: id.certPem, SD_TEST_KEY: id.keyPem, SD_TEST_KILL_AFTER: String(after), SD_TEST_KILL_HOPS: String(hops) },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const signal = await new Promise<NodeJS.Signals | null>((r) => child.on('close', (_code, sig) => r(sig)));
  return { out, signal, hops };
}

test('kill -9 in the middle of a batch, then the next unlock resumes: every record declassified once', async (t) => {
  // Progress is reported per chunk (50): killed once the first chunk is through, mid-way in the second.
  const { out, signal, hops } = await killAfter(env.dir, 1);
  assert.equal(signal, 'SIGKILL', `the child was killed (it printed ${JSON.stringify(out)})`);
  assert.doesNotMatch(out, /finished/, 'the child was killed before the batch ended');
  const desk = await Desk.open({ profileDir: env.dir });
  try {
    await desk.unlock(env.identity);
    const half = desk.db.prepare('SELECT count(*) FROM c_thuong.incoming').pluck().get() as number;
    const journaled = desk.db.prepare('SELECT count(*) FROM main.pending_writes').pluck().get() as number;
    const s = await desk.autoDeclassify.whenIdle();
    assert.equal(s.state, 'done', JSON.stringify(s));
    assert.ok(half + s.done + s.resumed >= COUNT, `the rest were declassified (${half} before, ${s.done} now, ${s.resumed} resumed)`);
    t.diagnostic(`killed ${hops} loop turns after the first chunk, with ${half} of ${COUNT} in Thường, ${journaled} move(s) journaled; then ${s.resumed} resumed, ${s.done} declassified`);
    assert.ok(half > 0 && half < COUNT, `the kill came mid-batch (${half} of ${COUNT} done)`);
    const clerk = actorFor(getUser(desk.db, env.admin.id)!);
    for (const id of ids) {
      const places = desk.db.prepare('SELECT 1 FROM c_thuong.incoming WHERE id = @id UNION ALL SELECT 2 FROM c_mat.incoming WHERE id = @id UNION ALL SELECT 3 FROM c_toi_mat.incoming WHERE id = @id').pluck().all({ id });
      assert.deepEqual(places, [1], `record ${id} is in Thường only`);
      const changes = desk.db.prepare("SELECT count(*) FROM c_thuong.level_changes WHERE incoming_id = ? AND automatic = 1 AND kind = 'declassify'").pluck().get(id);
      assert.equal(changes, 1, `one decision for ${id}`);
      const audits = desk.db.prepare("SELECT count(*) FROM main.audit_log WHERE action = 'level.auto_declassify' AND entity_id = ?").pluck().get(id);
      assert.equal(audits, 1, `one audit entry for ${id}`);
      const d = desk.incoming.get(clerk, id);
      assert.equal(d.secrecy, 'thuong');
      const opened = await desk.attachments.openTicket(desk.attachments.open(clerk, d.attachments[0]!.id).ticket);
      assert.ok(opened);
      const chunks: Buffer[] = [];
      for await (const c of opened.stream) chunks.push(c as Buffer);
      assert.equal(Buffer.concat(chunks).subarray(0, 5).toString(), '%PDF-', `file of ${id} reads`);
    }
    assert.equal(desk.db.prepare('SELECT count(*) FROM main.pending_writes').pluck().get(), 0, 'no journal left');
    assert.equal(desk.db.prepare('SELECT count(*) FROM c_mat.incoming').pluck().get(), 0);
    assert.equal(desk.db.prepare('SELECT count(*) FROM c_toi_mat.incoming').pluck().get(), 0);
    // Nothing of the moved records is left in the source compartments' indexes.
    assert.equal(desk.db.prepare("SELECT count(*) FROM c_mat.incoming_fts WHERE incoming_fts MATCH 'hạn'").pluck().get(), 0);
  } finally {
    desk.close();
  }
});
