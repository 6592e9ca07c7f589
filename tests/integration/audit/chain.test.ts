// The audit trail under attack, on a real profile (SQLCipher file, software token keys made by the
// real openssl): each tampering an SQL user could do is caught and the first broken record named.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { appendAudit } from '../../../main/core/audit/auditLog';
import { AuditAnchor, PENDING_HEADS_FILE } from '../../../main/core/audit/AuditAnchor';
import { silentLogger } from '../../../main/core/log';
import { canonicalV2, ENTRY_COLUMNS, hashV2, type StoredEntry } from '../../../main/core/audit/canonical';
import { listHeads, signHead, storeHead } from '../../../main/core/audit/heads';
import { boundCertificates, verifyAudit } from '../../../main/core/audit/verify';
import type { Db } from '../../../main/core/db/connection';
import { writeTx } from '../../../main/core/db/transaction';
import type { Desk } from '../../../main/core/desk';
import { newDesk } from '../../helpers/desk';
import { newIdentity } from '../../helpers/people';

type Env = Awaited<ReturnType<typeof newDesk>>;

async function freshDesk(): Promise<Env> {
  const env = await newDesk();
  await env.desk.verdict();
  await env.desk.auditAnchor.settled();
  return env;
}

function addEntries(db: Db, userId: number, n: number): void {
  writeTx(db, () => {
    for (let i = 0; i < n; i++) appendAudit(db, { userId, action: 'incoming.view', entity: 'incoming', entityId: 100 + i, details: { attachmentId: i } });
  });
}

const verify = (desk: Desk) => verifyAudit(desk.db, boundCertificates(desk.db));

/** What an attacker with the key and SQL does: recompute every hash from `fromSeq` on. */
function recomputeChain(db: Db): void {
  const rows = db.prepare(`SELECT ${ENTRY_COLUMNS} FROM audit_log ORDER BY id`).all() as StoredEntry[];
  let prev = '0'.repeat(64);
  const upd = db.prepare('UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?');
  for (const r of rows) {
    r.prevHash = prev;
    const h = hashV2(prev, canonicalV2(r));
    upd.run(prev, h, r.seq);
    prev = h;
  }
}

function dropTriggers(db: Db): void {
  db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
}

describe('audit chain v2 and signed heads', () => {
  let env: Env;
  before(async () => {
    env = await freshDesk();
  });
  after(() => env.cleanup());

  test('entries are v2 with workstation, actor global id and outcome; a head is signed at unlock; the trail verifies', async () => {
    const { desk, admin } = env;
    addEntries(desk.db, admin.id, 5);
    const row = desk.db.prepare('SELECT * FROM audit_log ORDER BY id DESC LIMIT 1').get() as Record<string, unknown>;
    assert.equal(row.v, 2);
    assert.match(String(row.workstation), /^[0-9a-f-]{36}$/);
    assert.equal(row.actor_gid, desk.db.prepare('SELECT global_id FROM users WHERE id = ?').pluck().get(admin.id));
    assert.equal(row.outcome, 'ok');
    assert.match(String(row.at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const heads = listHeads(desk.db);
    assert.equal(heads.length, 1);
    assert.equal(heads[0]!.cause, 'unlock');
    const v = await verify(desk);
    assert.equal(v.ok, true, v.firstBroken?.message);
    assert.equal(v.entries, v.lastSeq);
    assert.equal(v.signedThrough, heads[0]!.seq);
  });

  test('a document entry may not carry the subject, content or text', () => {
    const { desk, admin } = env;
    for (const key of ['subject', 'content', 'text']) {
      assert.throws(() => appendAudit(desk.db, { userId: admin.id, action: 'incoming.view', entity: 'incoming', entityId: 1, details: { [key]: 'Kế hoạch mật' } }), new RegExp(`may not carry its ${key}`));
    }
    // Other entities may (a certificate's subject is no document's).
    writeTx(desk.db, () => appendAudit(desk.db, { userId: admin.id, action: 'note', entity: 'user', entityId: admin.id, details: { subject: 'CN=A' } }));
  });

  test('lock signs the head while the token is there; the next unlock stores it and signs again', async () => {
    const { desk, identity } = env;
    const before = listHeads(desk.db).length;
    desk.lock('manual');
    await desk.auditAnchor.settled();
    assert.ok(existsSync(join(env.dir, PENDING_HEADS_FILE)), 'the lock head waits beside the database');
    await desk.unlock(identity);
    await desk.verdict();
    await desk.auditAnchor.settled();
    assert.equal(existsSync(join(env.dir, PENDING_HEADS_FILE)), false);
    const heads = listHeads(desk.db);
    assert.deepEqual(heads.slice(before).map((h) => h.cause).sort(), ['lock', 'unlock']);
    const lockHead = heads.find((h) => h.cause === 'lock')!;
    const lockEntry = desk.db.prepare("SELECT id FROM audit_log WHERE action = 'session.lock' ORDER BY id DESC LIMIT 1").pluck().get();
    assert.equal(lockHead.seq, lockEntry, 'the lock head covers the lock entry');
    const v = await verify(desk);
    assert.equal(v.ok, true, v.firstBroken?.message);
  });

  test('the hourly timer signs the head while unlocked, and stops at the end of the session', async () => {
    const { desk, admin, identity } = env;
    addEntries(desk.db, admin.id, 1);
    // The vault's anchor runs hourly; one with a 150 ms period shows the timer itself at work.
    const anchor = new AuditAnchor(env.dir, silentLogger, () => new Date(), 150);
    const n = listHeads(desk.db).filter((h) => h.cause === 'hourly').length;
    anchor.sessionStarted(desk.db, admin.id, identity.signingKeys, () => undefined);
    await new Promise((r) => setTimeout(r, 500));
    await anchor.settled();
    addEntries(desk.db, admin.id, 1);
    await new Promise((r) => setTimeout(r, 400));
    await anchor.settled();
    anchor.sessionEnding('removed');
    const hourly = listHeads(desk.db).filter((h) => h.cause === 'hourly');
    assert.equal(hourly.length, n + 2, 'one head per new head of the chain (an unchanged head is not signed again)');
    await new Promise((r) => setTimeout(r, 400));
    addEntries(desk.db, admin.id, 1);
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(listHeads(desk.db).filter((h) => h.cause === 'hourly').length, n + 2, 'stopped with the session');
    assert.equal((await verify(desk)).ok, true);
  });
});

describe('attacks on the audit trail', () => {
  const cases: Array<{ name: string; attack: (env: Env, target: number) => void; problem: string; at: (target: number, headSeq: number) => number }> = [
    {
      name: 'one byte of one entry changed',
      attack: ({ desk }, t) => {
        dropTriggers(desk.db);
        desk.db.prepare("UPDATE audit_log SET details = replace(details, '\"attachmentId\":3', '\"attachmentId\":4') WHERE id = ?").run(t);
      },
      problem: 'edited', at: (t) => t,
    },
    {
      name: 'one entry deleted',
      attack: ({ desk }, t) => {
        dropTriggers(desk.db);
        desk.db.prepare('DELETE FROM audit_log WHERE id = ?').run(t);
      },
      problem: 'deleted', at: (t) => t,
    },
    {
      name: 'two entries swapped',
      attack: ({ desk }, t) => {
        dropTriggers(desk.db);
        desk.db.exec(`UPDATE audit_log SET id = -1 WHERE id = ${t}; UPDATE audit_log SET id = ${t} WHERE id = ${t + 1}; UPDATE audit_log SET id = ${t + 1} WHERE id = -1;`);
      },
      problem: 'reordered', at: (t) => t,
    },
    {
      name: 'triggers dropped, an entry deleted, the rest renumbered and the chain recomputed',
      attack: ({ desk }, t) => {
        dropTriggers(desk.db);
        desk.db.prepare('DELETE FROM audit_log WHERE id = ?').run(t);
        const ids = desk.db.prepare('SELECT id FROM audit_log WHERE id > ? ORDER BY id').pluck().all(t) as number[];
        for (const id of ids) desk.db.prepare('UPDATE audit_log SET id = ? WHERE id = ?').run(id - 1, id);
        recomputeChain(desk.db);
      },
      problem: 'head_mismatch', at: (_t, headSeq) => headSeq,
    },
    {
      name: 'triggers dropped, an entry edited and the chain recomputed',
      attack: ({ desk }, t) => {
        dropTriggers(desk.db);
        desk.db.prepare("UPDATE audit_log SET action = 'incoming.vieW' WHERE id = ?").run(t);
        recomputeChain(desk.db);
      },
      problem: 'head_mismatch', at: (_t, headSeq) => headSeq,
    },
  ];

  for (const c of cases) {
    test(`${c.name}: caught, first broken record named`, async () => {
      const env = await freshDesk();
      try {
        const { desk, admin } = env;
        addEntries(desk.db, admin.id, 10);
        await desk.auditAnchor.anchorNow();
        const headSeq = listHeads(desk.db).at(-1)!.seq;
        addEntries(desk.db, admin.id, 3);
        assert.equal((await verify(desk)).ok, true);
        const target = headSeq - 6; // an entry of the batch ('attachmentId': 4), under the head
        c.attack(env, target);
        const v = await verify(desk);
        assert.equal(v.ok, false);
        assert.equal(v.firstBroken?.problem, c.problem, v.firstBroken?.message);
        assert.equal(v.firstBroken?.seq, c.at(target, headSeq), v.firstBroken?.message);
      } finally {
        env.cleanup();
      }
    });
  }

  test('a chain rewritten and re-signed with a certificate bound to nobody: the forged head is named', async () => {
    const env = await freshDesk();
    try {
      const { desk, admin } = env;
      addEntries(desk.db, admin.id, 4);
      const stranger = newIdentity('Kẻ giả mạo').signingKeys[0]!;
      const head = desk.db.prepare('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1').get() as { id: number; hash: string };
      const ws = desk.db.prepare("SELECT value FROM settings WHERE key = 'workstation_id'").pluck().get() as string;
      const { statement, signature } = await signHead({ seq: head.id, hash: head.hash }, ws, stranger, new Date());
      writeTx(desk.db, () => storeHead(desk.db, statement, stranger.certificate, signature, 'hourly'));
      const v = await verify(desk);
      assert.equal(v.firstBroken?.problem, 'unbound_signer', v.firstBroken?.message);
      assert.equal(v.firstBroken?.seq, head.id);
      // Slipping the certificate into user_certificates by SQL does not make it bound: the chain records no binding.
      const v2 = await verifyAudit(desk.db, [...boundCertificates(desk.db), stranger.certificate]);
      assert.equal(v2.firstBroken?.problem, 'unbound_signer');
    } finally {
      env.cleanup();
    }
  });

  test('a head whose signature was altered: bad signature', async () => {
    const env = await freshDesk();
    try {
      const { desk } = env;
      const h = listHeads(desk.db)[0]!;
      desk.db.exec('DROP TRIGGER audit_heads_no_update');
      const sig = Buffer.from(h.signature);
      sig.writeUInt8(sig.readUInt8(sig.length - 5) ^ 0x01, sig.length - 5);
      desk.db.prepare('UPDATE audit_heads SET signature = ? WHERE id = ?').run(sig, h.id);
      const v = await verify(desk);
      assert.equal(v.firstBroken?.problem, 'bad_signature', v.firstBroken?.message);
      assert.equal(v.firstBroken?.seq, h.seq);
    } finally {
      env.cleanup();
    }
  });

  test('entries cut off after a signed head: named as deleted', async () => {
    const env = await freshDesk();
    try {
      const { desk, admin } = env;
      addEntries(desk.db, admin.id, 5);
      await desk.auditAnchor.anchorNow();
      const headSeq = listHeads(desk.db).at(-1)!.seq;
      dropTriggers(desk.db);
      desk.db.prepare('DELETE FROM audit_log WHERE id >= ?').run(headSeq - 1);
      const v = await verify(desk);
      assert.equal(v.firstBroken?.problem, 'deleted');
      assert.equal(v.firstBroken?.seq, headSeq - 1);
    } finally {
      env.cleanup();
    }
  });
});

describe('the fast path of verification (SQLite builds the hashed bytes)', () => {
  test('entries whose fields JSON escapes still verify, and a backslash sequence cannot pass as the escaped text', async () => {
    const env = await freshDesk();
    try {
      const { desk, admin } = env;
      writeTx(desk.db, () => {
        appendAudit(desk.db, { userId: admin.id, action: 'note "quoted" \\ back', entity: 'user', entityId: admin.id, reason: 'line\nbreak\ttab', details: { s: 'Điều "1" \\ \u0001' } });
        appendAudit(desk.db, { userId: admin.id, action: 'note', details: { t: 'Thường — “ngoặc” \ud800 lẻ' } });
        // A lone surrogate is stored by SQLite as U+FFFD: the hash is taken over what is read back.
        appendAudit(desk.db, { userId: admin.id, action: 'note', reason: 'lẻ \ud800' });
      });
      await desk.auditAnchor.anchorNow();
      assert.equal((await verify(desk)).ok, true);
      const seq = desk.db.prepare("SELECT id FROM audit_log WHERE action LIKE 'note \"%'").pluck().get() as number;
      dropTriggers(desk.db);
      // The canonical line holds "note \"quoted\" \\ back": a field holding that escaped text verbatim would build the same bytes by concatenation.
      desk.db.prepare('UPDATE audit_log SET action = ? WHERE id = ?').run('note \\"quoted\\" \\\\ back', seq);
      const v = await verify(desk);
      assert.equal(v.firstBroken?.problem, 'edited', v.firstBroken?.message);
      assert.equal(v.firstBroken?.seq, seq);
    } finally {
      env.cleanup();
    }
  });

  test('v1 rows (written before migration 13) keep verifying, and the v2 chain continues from their last hash', async () => {
    const env = await freshDesk();
    try {
      const { desk } = env;
      // A v1 row as the old appendAudit wrote it: the chain continues through it under the v1 rule.
      const last = desk.db.prepare('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1').get() as { id: number; hash: string };
      const at = new Date().toISOString();
      const { hashV1 } = await import('../../../main/core/audit/canonical');
      const h = hashV1({ prevHash: last.hash, at, userId: 1, action: 'legacy.view', entity: 'incoming', entityId: 9, details: '{"a":1}' });
      desk.db.prepare("INSERT INTO audit_log (id, v, at, user_id, action, entity, entity_id, details, prev_hash, hash) VALUES (?, 1, ?, 1, 'legacy.view', 'incoming', 9, '{\"a\":1}', ?, ?)").run(last.id + 1, at, last.hash, h);
      writeTx(desk.db, () => appendAudit(desk.db, { userId: 1, action: 'after.v1' }));
      assert.equal((await verify(desk)).ok, true);
      dropTriggers(desk.db);
      desk.db.prepare("UPDATE audit_log SET details = '{\"a\":2}' WHERE id = ?").run(last.id + 1);
      const v = await verify(desk);
      assert.equal(v.firstBroken?.problem, 'edited');
      assert.equal(v.firstBroken?.seq, last.id + 1);
    } finally {
      env.cleanup();
    }
  });
});
