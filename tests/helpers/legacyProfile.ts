// Profiles as an earlier version left them, built with plain SQL so that the upgrade path (encryption
// in place, migrations, the split into compartments) is what the test exercises.
import Database from 'better-sqlite3-multiple-ciphers';
import { join } from 'node:path';
import { parseCertificate } from '../../main/core/crypto';
import { MIGRATIONS } from '../../main/core/db/migrations';
import { newGlobalId } from '../../main/core/events/globalId';
import { fingerprintOf } from '../../main/core/org/certificates';
import { softIdentity } from './desk';

/** The database as the previous version left it (migrations 1–7), in a fresh folder. */
export function oldProfile(
  dir: string, preset: 'party' | 'state',
  opts: {
    signed?: boolean;
    /** More rows, written in the same plain schema-7 database. */
    extra?: (db: Database.Database, userId: number) => void;
    /** The DER certificate her token was bound with (default: softIdentity()'s), e.g. one on a SoftHSM token. */
    certificate?: Uint8Array;
  } = {},
): { userId: number } {
  const db = new Database(join(dir, 'securedesk.db'));
  for (const [i, step] of MIGRATIONS.slice(0, 7).entries()) {
    if (typeof step === 'string') db.exec(step);
    else step(db);
    db.pragma(`user_version = ${i + 1}`);
  }
  const at = '2026-10-01T02:00:00.000Z';
  db.prepare("INSERT INTO settings (key, value) VALUES ('numbering_preset', ?), ('self_unit_id', '1')").run(preset);
  db.prepare('INSERT INTO units (name, name_folded, code, is_self, created_at, global_id) VALUES (?,?,?,1,?,?)')
    .run('Văn phòng Tỉnh ủy', 'van phong tinh uy', '000.00.01.H49', at, newGlobalId());
  const userId = Number(db.prepare("INSERT INTO users (full_name, position, role, clearance, created_at, global_id) VALUES (?, 'Văn thư', 'van_thu', 'tuyet_mat', ?, ?)")
    .run('Nguyễn Thị Hương', at, newGlobalId()).lastInsertRowid);
  // Her token was bound before (the binding whose encryption a newer version finishes at unlock).
  const cert = parseCertificate(opts.certificate ?? softIdentity().unlockKeys[0]!.certificate);
  db.prepare(`INSERT INTO user_certificates (fingerprint, user_id, subject, issuer, serial, not_after, can_unlock, der, bound_at, bound_by, global_id)
    VALUES (?,?,?,?,?,?,1,?,?,?,?)`).run(fingerprintOf(cert), userId, cert.subject, cert.issuer, cert.serialNumber, cert.notAfter.toISOString(),
    Buffer.from(cert.der), at, userId, newGlobalId());
  const addRegister = (id: number, name: string, levels: string[]) => {
    db.prepare("INSERT INTO numbering_scopes (id, name, reset, per_type, term_years, global_id) VALUES (?, ?, 'year', 0, 5, ?)").run(id, `Số ${id}`, newGlobalId());
    db.prepare("INSERT INTO registers (id, kind, name, secrecy, scope_id, global_id) VALUES (?, 'incoming', ?, ?, ?, ?)").run(id, name, JSON.stringify(levels), id, newGlobalId());
  };
  // The previous presets: the party kept every level in one register; the state had a secret register.
  if (preset === 'party') addRegister(1, 'Sổ đăng ký văn bản đến', ['thuong', 'mat', 'toi_mat', 'tuyet_mat']);
  else {
    addRegister(1, 'Sổ đăng ký văn bản đến', ['thuong']);
    addRegister(2, 'Sổ đăng ký văn bản mật đến', ['mat', 'toi_mat', 'tuyet_mat']);
  }
  const secretRegister = preset === 'party' ? 1 : 2;
  const insert = db.prepare(`INSERT INTO incoming (register_id, period, arrival_number, arrival_date, year, issuer_name, number_symbol,
    number_symbol_key, issuer_key, document_date, type_code, subject, secrecy, secrecy_rank, urgency, registered_by, registered_at, global_id)
    VALUES (?, '2026', ?, ?, 2026, 'Ban Tổ chức Trung ương', ?, ?, 'ban to chuc trung uong', ?, 'CV', ?, ?, ?, 'thuong', ?, ?, ?)`);
  insert.run(1, 1, '2026-10-02', '12-CV/BTCTW', '12-cv/btctw', '2026-10-01', 'Công văn thường', 'thuong', 0, userId, at, newGlobalId());
  const secretId = Number(insert.run(secretRegister, preset === 'party' ? 2 : 1, '2026-10-03', '13-CV/BTCTW', '13-cv/btctw', '2026-10-02', 'Công văn mật', 'mat', 1, userId, at, newGlobalId()).lastInsertRowid);
  db.prepare("INSERT INTO number_counters (scope_id, period, bucket, last) VALUES (1, '2026', '*', ?)").run(preset === 'party' ? 2 : 1);
  if (preset === 'state') db.prepare("INSERT INTO number_counters (scope_id, period, bucket, last) VALUES (2, '2026', '*', 1)").run();
  if (opts.signed) {
    db.prepare("INSERT INTO signatures (incoming_id, signer_fingerprint, signer_name, signed_at, cms, signed_by, global_id) VALUES (?, 'ab', 'Nguyễn Thị Hương', ?, x'3000', ?, ?)")
      .run(secretId, at, userId, newGlobalId());
  }
  opts.extra?.(db, userId);
  db.close();
  return { userId };
}

