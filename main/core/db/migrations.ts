// Numbered migrations; PRAGMA user_version records how many have run. Never edit a shipped one:
// append a new one.
import type { Db } from './connection';
import { appendAudit } from '../audit/auditLog';
import { recordChange } from '../events/eventLog';
import { newGlobalId } from '../events/globalId';
import { reindexSymbolKeysAndSearch } from '../documents/search';

const ROLE_CHECK = "('van_thu','lanh_dao','chuyen_vien','quan_tri')";
const SECRECY_CHECK = "('thuong','mat','toi_mat','tuyet_mat')";

const RECORD_TABLES_AT_V7 = ['units', 'users', 'user_certificates', 'numbering_scopes', 'registers', 'incoming', 'attachments', 'signatures'];
const BMNN_INCOMING = 'Sổ đăng ký bí mật nhà nước đến';

/** How far a long migration step is: `done` of `total` (records, rows…). */
export type MigrationProgress = (done: number, total: number) => void;

/**
 * A migration is SQL, or a function for steps SQL cannot do (e.g. generating UUIDv7 ids); a long one
 * reports its progress (the unlock screen shows it: at a million documents a step takes minutes).
 */
export type Migration = string | ((db: Db, progress?: MigrationProgress) => void);

export const MIGRATIONS: readonly Migration[] = [
  // 1: workstation profile, units, users, audit log
  `
  CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

  CREATE TABLE units (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    code TEXT UNIQUE,
    is_self INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
  );
  CREATE INDEX idx_units_name_folded ON units(name_folded);

  CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    full_name TEXT NOT NULL,
    position TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ${ROLE_CHECK}),
    clearance TEXT NOT NULL CHECK (clearance IN ${SECRECY_CHECK}),
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
  );

  CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    user_id INTEGER,
    action TEXT NOT NULL,
    entity TEXT,
    entity_id INTEGER,
    details TEXT NOT NULL DEFAULT '{}',
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
  );
  CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
  CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
  `,
  // 2: numbering engine and registers
  `
  CREATE TABLE numbering_scopes (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    reset TEXT NOT NULL CHECK (reset IN ('year','term','never')),
    per_type INTEGER NOT NULL DEFAULT 0,
    term_start TEXT,
    term_years INTEGER NOT NULL DEFAULT 5
  );
  CREATE TABLE number_counters (
    scope_id INTEGER NOT NULL REFERENCES numbering_scopes(id),
    period TEXT NOT NULL,
    bucket TEXT NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (scope_id, period, bucket)
  ) WITHOUT ROWID;
  CREATE TABLE registers (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('incoming','outgoing')),
    name TEXT NOT NULL,
    secrecy TEXT NOT NULL,
    scope_id INTEGER NOT NULL REFERENCES numbering_scopes(id),
    active INTEGER NOT NULL DEFAULT 1
  );
  `,
  // 3: incoming documents, attachments, folded full-text index
  `
  CREATE TABLE incoming (
    id INTEGER PRIMARY KEY,
    register_id INTEGER NOT NULL REFERENCES registers(id),
    period TEXT NOT NULL,
    arrival_number INTEGER NOT NULL,
    arrival_date TEXT NOT NULL,
    year INTEGER NOT NULL,
    issuer_unit_id INTEGER REFERENCES units(id),
    issuer_name TEXT NOT NULL,
    number_symbol TEXT NOT NULL,
    number_symbol_key TEXT NOT NULL,
    issuer_key TEXT NOT NULL,
    document_date TEXT NOT NULL,
    type_code TEXT NOT NULL,
    subject TEXT NOT NULL,
    secrecy TEXT NOT NULL CHECK (secrecy IN ${SECRECY_CHECK}),
    secrecy_rank INTEGER NOT NULL,
    urgency TEXT NOT NULL CHECK (urgency IN ('thuong','khan','thuong_khan','hoa_toc')),
    deadline TEXT,
    status TEXT NOT NULL DEFAULT 'registered',
    recipients TEXT NOT NULL DEFAULT '[]',
    notes TEXT NOT NULL DEFAULT '',
    registered_by INTEGER NOT NULL REFERENCES users(id),
    registered_at TEXT NOT NULL,
    attachment_count INTEGER NOT NULL DEFAULT 0,
    UNIQUE (register_id, period, arrival_number)
  );
  CREATE INDEX idx_incoming_arrival ON incoming(arrival_date, id);
  CREATE INDEX idx_incoming_year ON incoming(year, arrival_date);
  CREATE INDEX idx_incoming_document_date ON incoming(document_date);
  CREATE INDEX idx_incoming_deadline ON incoming(deadline);
  CREATE INDEX idx_incoming_issuer ON incoming(issuer_key);
  CREATE INDEX idx_incoming_number_symbol ON incoming(number_symbol_key);
  CREATE INDEX idx_incoming_duplicate ON incoming(number_symbol_key, document_date);

  CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    incoming_id INTEGER NOT NULL REFERENCES incoming(id),
    ordinal INTEGER NOT NULL,
    name TEXT NOT NULL,
    size INTEGER NOT NULL,
    mime TEXT NOT NULL,
    is_pdf INTEGER NOT NULL,
    sha256 TEXT NOT NULL
  );
  CREATE INDEX idx_attachments_incoming ON attachments(incoming_id);
  CREATE INDEX idx_attachments_sha256 ON attachments(sha256);

  -- Contentless: the folded text lives only in the index; rows are fed by the service.
  CREATE VIRTUAL TABLE incoming_fts USING fts5(
    body, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0'
  );
  `,
  // 4: the search vocabulary (expands a typed prefix into whole words: FTS5 prefix queries merge
  //    every matching doclist before the first row, so LIMIT cannot stop early) and a secrecy index
  //    for counts within a clearance.
  `
  CREATE TABLE search_terms (term TEXT PRIMARY KEY) WITHOUT ROWID;
  CREATE VIRTUAL TABLE temp.incoming_vocab USING fts5vocab(main, incoming_fts, 'row');
  INSERT INTO search_terms (term) SELECT term FROM temp.incoming_vocab;
  DROP TABLE temp.incoming_vocab;
  CREATE INDEX idx_incoming_secrecy ON incoming(secrecy_rank, secrecy);
  `,
  // 5: the certificates that identify each person (read from their token when it is bound).
  `
  CREATE TABLE user_certificates (
    fingerprint TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    subject TEXT NOT NULL,
    issuer TEXT NOT NULL,
    serial TEXT NOT NULL,
    not_after TEXT NOT NULL,
    can_unlock INTEGER NOT NULL,
    der BLOB NOT NULL,
    bound_at TEXT NOT NULL,
    bound_by INTEGER REFERENCES users(id)
  );
  CREATE INDEX idx_user_certificates_user ON user_certificates(user_id);
  `,
  // 6: detached CMS signatures over a document's files and its metadata.
  `
  CREATE TABLE signatures (
    id INTEGER PRIMARY KEY,
    incoming_id INTEGER NOT NULL REFERENCES incoming(id),
    attachment_id INTEGER REFERENCES attachments(id),
    signer_fingerprint TEXT NOT NULL,
    signer_name TEXT NOT NULL,
    signed_at TEXT NOT NULL,
    cms BLOB NOT NULL,
    signed_by INTEGER NOT NULL REFERENCES users(id)
  );
  CREATE INDEX idx_signatures_incoming ON signatures(incoming_id);
  `,
  // 7: global ids (UUIDv7) beside local ids, and the ordered event log the server replicates.
  (db) => {
    // The record tables as they were at this version (later tables are created with the column).
    for (const table of RECORD_TABLES_AT_V7) {
      db.exec(`ALTER TABLE ${table} ADD COLUMN global_id TEXT`);
      const ids = db.prepare(`SELECT rowid FROM ${table} ORDER BY rowid`).pluck().all() as number[];
      const set = db.prepare(`UPDATE ${table} SET global_id = ? WHERE rowid = ?`);
      for (const id of ids) set.run(newGlobalId(), id);
      db.exec(`CREATE UNIQUE INDEX idx_${table}_global_id ON ${table}(global_id)`);
    }
    db.exec(`
      CREATE TABLE events (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        at TEXT NOT NULL,
        origin TEXT NOT NULL,
        actor TEXT,
        entity TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('create','update','delete')),
        data TEXT NOT NULL
      );
      CREATE INDEX idx_events_entity ON events(entity_id, seq);
      CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
      CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
    `);
    db.prepare("INSERT INTO settings (key, value) VALUES ('workstation_id', ?) ON CONFLICT (key) DO NOTHING").run(newGlobalId());
  },
  // 8: number-symbol keys (3/CĐ-TTg = 03/CĐ-TTg) and search folding (Ð, i/y variants, numbers without
  //    leading zeros): recompute the stored keys, rebuild their indexes, the full-text index and its vocabulary.
  reindexSymbolKeysAndSearch,
  // 9: paging the register by key (documents/paging.ts). One covering index per sort order, with the
  //    clearance rank, so a page anywhere is found from a sampled key without reading the records
  //    (also below the top clearance); the old single-column indexes are their prefixes. A counter
  //    kept by triggers tells the sampled keys of every connection and process when to start over.
  `
  CREATE INDEX idx_incoming_page_arrival ON incoming(arrival_date, id, secrecy_rank);
  CREATE INDEX idx_incoming_page_document_date ON incoming(document_date, id, secrecy_rank);
  CREATE INDEX idx_incoming_page_deadline ON incoming(ifnull(deadline, '9999-12-31'), id, secrecy_rank);
  CREATE INDEX idx_incoming_page_number_symbol ON incoming(number_symbol_key, id, secrecy_rank);
  CREATE INDEX idx_incoming_page_issuer ON incoming(issuer_key, id, secrecy_rank);
  DROP INDEX idx_incoming_arrival;
  DROP INDEX idx_incoming_document_date;
  DROP INDEX idx_incoming_number_symbol;
  DROP INDEX idx_incoming_issuer;
  CREATE TABLE change_counters (name TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
  INSERT INTO change_counters (name, n) VALUES ('incoming', 0);
  CREATE TRIGGER incoming_counted_insert AFTER INSERT ON incoming
    BEGIN UPDATE change_counters SET n = n + 1 WHERE name = 'incoming'; END;
  CREATE TRIGGER incoming_counted_update AFTER UPDATE ON incoming
    BEGIN UPDATE change_counters SET n = n + 1 WHERE name = 'incoming'; END;
  CREATE TRIGGER incoming_counted_delete AFTER DELETE ON incoming
    BEGIN UPDATE change_counters SET n = n + 1 WHERE name = 'incoming'; END;
  `,
  // 10: secret arrivals go to the Sổ đăng ký bí mật nhà nước đến in every preset. A register that took
  //    secret and ordinary documents alike (the party preset) keeps its entries and numbers and takes
  //    Thường only from now on; a new register with its own yearly sequence takes the secret levels.
  //    The state preset's secret register gets the law's name, unless an entry in it was signed (the
  //    signed register entry names its register: renaming would make those signatures fail).
  (db) => {
    const now = new Date();
    const hasSignedEntries = (registerId: number) =>
      db.prepare('SELECT 1 FROM signatures s JOIN incoming i ON i.id = s.incoming_id WHERE i.register_id = ? LIMIT 1').get(registerId) !== undefined;
    const registers = db.prepare("SELECT id, name, secrecy FROM registers WHERE kind = 'incoming' ORDER BY id").all() as Array<{ id: number; name: string; secrecy: string }>;
    for (const r of registers) {
      const levels = JSON.parse(r.secrecy) as string[];
      const secret = levels.filter((l) => l !== 'thuong');
      if (secret.length > 0 && levels.includes('thuong')) {
        db.prepare('UPDATE registers SET secrecy = ? WHERE id = ?').run(JSON.stringify(['thuong']), r.id);
        recordChange(db, 'registers', r.id, 'update', null, now);
        const scopeId = Number(db.prepare("INSERT INTO numbering_scopes (name, reset, per_type, term_years) VALUES ('Số đến BMNN', 'year', 0, 5)").run().lastInsertRowid);
        recordChange(db, 'numbering_scopes', scopeId, 'create', null, now);
        const registerId = Number(db.prepare("INSERT INTO registers (kind, name, secrecy, scope_id) VALUES ('incoming', ?, ?, ?)").run(BMNN_INCOMING, JSON.stringify(secret), scopeId).lastInsertRowid);
        recordChange(db, 'registers', registerId, 'create', null, now);
        appendAudit(db, { userId: null, action: 'register.migrate', entity: 'register', entityId: registerId, details: { from: r.name, to: BMNN_INCOMING, secrecy: secret } }, now.toISOString());
      } else if (secret.length > 0 && r.name === 'Sổ đăng ký văn bản mật đến' && !hasSignedEntries(r.id)) {
        db.prepare('UPDATE registers SET name = ? WHERE id = ?').run(BMNN_INCOMING, r.id);
        recordChange(db, 'registers', r.id, 'update', null, now);
        appendAudit(db, { userId: null, action: 'register.migrate', entity: 'register', entityId: r.id, details: { from: r.name, to: BMNN_INCOMING } }, now.toISOString());
      }
    }
  },
  // 11: the fields of Phụ lục IV and VI: page and copy counts, signer, how it arrived; the agency's own
  //     units; recipients chosen among units and people; hand-over (ngày chuyển) and its electronic
  //     acknowledgement (ký nhận); corrections with the old values; register years closed at year end.
  //     Columns are added without CHECK constraints so that no existing row is scanned (the core checks).
  `
  ALTER TABLE incoming ADD COLUMN page_count INTEGER;
  ALTER TABLE incoming ADD COLUMN copy_count INTEGER;
  ALTER TABLE incoming ADD COLUMN signer TEXT NOT NULL DEFAULT '';
  ALTER TABLE incoming ADD COLUMN arrival_channel TEXT;

  CREATE TABLE internal_units (
    id INTEGER PRIMARY KEY,
    global_id TEXT,
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    parent_id INTEGER REFERENCES internal_units(id),
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
  );
  CREATE UNIQUE INDEX idx_internal_units_global_id ON internal_units(global_id);

  CREATE TABLE incoming_recipients (
    id INTEGER PRIMARY KEY,
    global_id TEXT,
    incoming_id INTEGER NOT NULL REFERENCES incoming(id),
    ordinal INTEGER NOT NULL,
    internal_unit_id INTEGER REFERENCES internal_units(id),
    user_id INTEGER REFERENCES users(id),
    name TEXT NOT NULL,
    CHECK (internal_unit_id IS NULL OR user_id IS NULL)
  );
  CREATE UNIQUE INDEX idx_incoming_recipients_global_id ON incoming_recipients(global_id);
  CREATE INDEX idx_incoming_recipients_incoming ON incoming_recipients(incoming_id);

  CREATE TABLE incoming_handovers (
    id INTEGER PRIMARY KEY,
    global_id TEXT,
    incoming_id INTEGER NOT NULL REFERENCES incoming(id),
    internal_unit_id INTEGER REFERENCES internal_units(id),
    user_id INTEGER REFERENCES users(id),
    recipient_name TEXT NOT NULL,
    handed_on TEXT NOT NULL,
    handed_by INTEGER NOT NULL REFERENCES users(id),
    recorded_at TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    acknowledged_by INTEGER REFERENCES users(id),
    acknowledged_at TEXT,
    CHECK (internal_unit_id IS NOT NULL OR user_id IS NOT NULL)
  );
  CREATE UNIQUE INDEX idx_incoming_handovers_global_id ON incoming_handovers(global_id);
  CREATE INDEX idx_incoming_handovers_incoming ON incoming_handovers(incoming_id);
  CREATE INDEX idx_incoming_handovers_pending ON incoming_handovers(user_id) WHERE acknowledged_at IS NULL;

  CREATE TABLE incoming_corrections (
    id INTEGER PRIMARY KEY,
    global_id TEXT,
    incoming_id INTEGER NOT NULL REFERENCES incoming(id),
    corrected_by INTEGER NOT NULL REFERENCES users(id),
    corrected_at TEXT NOT NULL,
    reason TEXT NOT NULL,
    old_values TEXT NOT NULL,
    new_values TEXT NOT NULL
  );
  CREATE UNIQUE INDEX idx_incoming_corrections_global_id ON incoming_corrections(global_id);
  CREATE INDEX idx_incoming_corrections_incoming ON incoming_corrections(incoming_id);
  CREATE TRIGGER incoming_corrections_no_update
    BEFORE UPDATE OF incoming_id, corrected_by, corrected_at, reason, old_values, new_values ON incoming_corrections
    BEGIN SELECT RAISE(ABORT, 'corrections are append-only'); END;
  CREATE TRIGGER incoming_corrections_global_id_once BEFORE UPDATE OF global_id ON incoming_corrections WHEN OLD.global_id IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'corrections are append-only'); END;
  CREATE TRIGGER incoming_corrections_no_delete BEFORE DELETE ON incoming_corrections
    BEGIN SELECT RAISE(ABORT, 'corrections are append-only'); END;

  CREATE TABLE register_years (
    id INTEGER PRIMARY KEY,
    global_id TEXT,
    register_id INTEGER NOT NULL REFERENCES registers(id),
    year INTEGER NOT NULL,
    closed_at TEXT NOT NULL,
    closed_by INTEGER NOT NULL REFERENCES users(id),
    UNIQUE (register_id, year)
  );
  CREATE UNIQUE INDEX idx_register_years_global_id ON register_years(global_id);
  CREATE TRIGGER register_years_no_delete BEFORE DELETE ON register_years
    BEGIN SELECT RAISE(ABORT, 'a closed register year stays closed'); END;
  `,
  // 12: each person's preferences (the UI language …), a replicated record; and the drafts of
  //    unfinished forms, kept for the same person across a lock (local scratch: never replicated).
  `
  CREATE TABLE user_prefs (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id),
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (user_id, key)
  );
  CREATE UNIQUE INDEX idx_user_prefs_global_id ON user_prefs(global_id);
  CREATE TABLE drafts (
    user_id INTEGER NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    data TEXT NOT NULL,
    saved_at TEXT NOT NULL,
    PRIMARY KEY (user_id, kind)
  ) WITHOUT ROWID;
  `,
  // 13: audit entries v2 (main/core/audit, docs/audit.md): workstation, the actor's and the record's
  //    global ids, outcome and reason; rows written before stay v1 and keep verifying under the v1
  //    rule. Signed chain heads, append-only like the log; an index on the time for searches.
  `
  ALTER TABLE audit_log ADD COLUMN v INTEGER NOT NULL DEFAULT 1;
  ALTER TABLE audit_log ADD COLUMN workstation TEXT;
  ALTER TABLE audit_log ADD COLUMN actor_gid TEXT;
  ALTER TABLE audit_log ADD COLUMN entity_gid TEXT;
  ALTER TABLE audit_log ADD COLUMN outcome TEXT;
  ALTER TABLE audit_log ADD COLUMN reason TEXT;
  CREATE INDEX idx_audit_log_at ON audit_log(at);
  CREATE INDEX idx_audit_log_action ON audit_log(action);
  CREATE INDEX idx_audit_log_user ON audit_log(user_id);
  CREATE TABLE audit_heads (
    id INTEGER PRIMARY KEY,
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL,
    at TEXT NOT NULL,
    workstation TEXT NOT NULL,
    signer TEXT NOT NULL,
    certificate BLOB NOT NULL,
    signature BLOB NOT NULL,
    cause TEXT NOT NULL
  );
  CREATE INDEX idx_audit_heads_seq ON audit_heads(seq);
  CREATE TRIGGER audit_heads_no_update BEFORE UPDATE ON audit_heads
    BEGIN SELECT RAISE(ABORT, 'audit_heads is append-only'); END;
  CREATE TRIGGER audit_heads_no_delete BEFORE DELETE ON audit_heads
    BEGIN SELECT RAISE(ABORT, 'audit_heads is append-only'); END;
  `,
  // 14: compartments (compartments/split.ts moves the records out at the next unlock, with the keys):
  //     one id sequence for the records of every level, so ids never collide between compartment
  //     files; the journal of writes that span the base and a compartment; this profile's id, which
  //     its compartment files carry.
  (db) => {
    const tables = ['incoming', 'attachments', 'signatures', 'incoming_recipients', 'incoming_handovers', 'incoming_corrections'];
    const last = db.prepare(`SELECT max(m) FROM (${tables.map((t) => `SELECT ifnull(max(id), 0) AS m FROM ${t}`).join(' UNION ALL ')})`).pluck().get() as number;
    db.exec(`
      CREATE TABLE id_sequence (name TEXT PRIMARY KEY, last INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE pending_writes (
        global_id TEXT PRIMARY KEY,
        level TEXT NOT NULL,
        kind TEXT NOT NULL,
        detail TEXT NOT NULL,
        created_at TEXT NOT NULL
      ) WITHOUT ROWID;
    `);
    db.prepare("INSERT INTO id_sequence (name, last) VALUES ('record', ?)").run(last);
    db.prepare("INSERT INTO settings (key, value) VALUES ('profile_id', ?) ON CONFLICT (key) DO NOTHING").run(newGlobalId());
  },
  // 15: secret registers closed at year end (secrets/registerYears.ts):
  //     the last whole-year PDF of each state-secret register (its hash and a fingerprint of its rows,
  //     local), and the closed years (replicated, append-only): secrets/registerYears.ts.
  `
  CREATE TABLE secret_register_prints (
    kind TEXT NOT NULL,
    year INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    rows INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    printed_by INTEGER NOT NULL REFERENCES users(id),
    printed_at TEXT NOT NULL,
    PRIMARY KEY (kind, year)
  ) WITHOUT ROWID;
  CREATE TABLE secret_register_years (
    id INTEGER PRIMARY KEY,
    global_id TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('secret_incoming','secret_copies','secret_handover')),
    year INTEGER NOT NULL,
    closed_at TEXT NOT NULL,
    closed_by INTEGER NOT NULL REFERENCES users(id),
    pdf_sha256 TEXT NOT NULL,
    rows INTEGER NOT NULL,
    printed_at TEXT NOT NULL,
    printed_by INTEGER NOT NULL REFERENCES users(id),
    UNIQUE (kind, year)
  );
  CREATE UNIQUE INDEX idx_secret_register_years_global_id ON secret_register_years(global_id);
  CREATE TRIGGER secret_register_years_no_update
    BEFORE UPDATE OF kind, year, closed_at, closed_by, pdf_sha256, rows, printed_at, printed_by ON secret_register_years
    BEGIN SELECT RAISE(ABORT, 'a closed register year stays closed'); END;
  CREATE TRIGGER secret_register_years_global_id_once BEFORE UPDATE OF global_id ON secret_register_years WHEN OLD.global_id IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'a closed register year stays closed'); END;
  CREATE TRIGGER secret_register_years_no_delete BEFORE DELETE ON secret_register_years
    BEGIN SELECT RAISE(ABORT, 'a closed register year stays closed'); END;
  `,
  // 16: the agency's structure over time (org/structure.ts): unit codes and periods, the history of
  //     their names, merges and splits; each person's unit and capacity there; who may direct,
  //     approve and sign (with the signing prefix), from and to a date. Existing units get their
  //     present name as an open-ended first period.
  (db) => {
    db.exec(`
    ALTER TABLE internal_units ADD COLUMN code TEXT NOT NULL DEFAULT '';
    ALTER TABLE internal_units ADD COLUMN valid_from TEXT;
    ALTER TABLE internal_units ADD COLUMN valid_to TEXT;
    CREATE TABLE internal_unit_names (
      id INTEGER PRIMARY KEY,
      global_id TEXT,
      unit_id INTEGER NOT NULL REFERENCES internal_units(id),
      name TEXT NOT NULL,
      code TEXT NOT NULL DEFAULT '',
      valid_from TEXT,
      valid_to TEXT,
      decision TEXT NOT NULL DEFAULT '',
      recorded_by INTEGER REFERENCES users(id),
      recorded_at TEXT NOT NULL
    );
    CREATE UNIQUE INDEX idx_internal_unit_names_global_id ON internal_unit_names(global_id);
    CREATE INDEX idx_internal_unit_names_unit ON internal_unit_names(unit_id, valid_from);
    CREATE TABLE internal_unit_links (
      id INTEGER PRIMARY KEY,
      global_id TEXT,
      predecessor_id INTEGER NOT NULL REFERENCES internal_units(id),
      successor_id INTEGER NOT NULL REFERENCES internal_units(id),
      kind TEXT NOT NULL CHECK (kind IN ('merge','split')),
      on_date TEXT NOT NULL,
      decision TEXT NOT NULL DEFAULT '',
      recorded_by INTEGER NOT NULL REFERENCES users(id),
      recorded_at TEXT NOT NULL,
      UNIQUE (predecessor_id, successor_id)
    );
    CREATE UNIQUE INDEX idx_internal_unit_links_global_id ON internal_unit_links(global_id);
    CREATE INDEX idx_internal_unit_links_successor ON internal_unit_links(successor_id);
    ALTER TABLE users ADD COLUMN unit_id INTEGER REFERENCES internal_units(id);
    ALTER TABLE users ADD COLUMN unit_role TEXT NOT NULL DEFAULT 'member' CHECK (unit_role IN ('head','deputy','member'));
    CREATE INDEX idx_users_unit ON users(unit_id) WHERE unit_id IS NOT NULL;
    CREATE TABLE authorities (
      id INTEGER PRIMARY KEY,
      global_id TEXT,
      user_id INTEGER NOT NULL REFERENCES users(id),
      kind TEXT NOT NULL CHECK (kind IN ('direct','approve','sign')),
      prefix TEXT NOT NULL DEFAULT '' CHECK (prefix IN ('','TM.','KT.','TL.','TUQ.','Q.')),
      on_behalf TEXT NOT NULL DEFAULT '',
      unit_id INTEGER REFERENCES internal_units(id),
      valid_from TEXT NOT NULL,
      valid_to TEXT,
      granted_by INTEGER NOT NULL REFERENCES users(id),
      granted_at TEXT NOT NULL,
      ended_by INTEGER REFERENCES users(id),
      ended_at TEXT,
      CHECK (valid_to IS NULL OR valid_to >= valid_from)
    );
    CREATE UNIQUE INDEX idx_authorities_global_id ON authorities(global_id);
    CREATE INDEX idx_authorities_user ON authorities(user_id, kind);
    `);
    const units = db.prepare('SELECT id, name, created_at FROM internal_units').all() as Array<{ id: number; name: string; created_at: string }>;
    const insert = db.prepare('INSERT INTO internal_unit_names (global_id, unit_id, name, recorded_at) VALUES (?,?,?,?)');
    for (const u of units) insert.run(newGlobalId(), u.id, u.name, u.created_at);
  },
  // 17: work files (hồ sơ công việc, main/core/workfiles, docs/work-files.md): the yearly file list
  //     (danh mục hồ sơ) with codes, titles, retention and who is responsible; a year's list closed;
  //     the hand-overs to the archive (biên bản giao nộp). The documents of a file are listed in the
  //     compartment of each document (work_file_items), never here: the base names no subject.
  `
  CREATE TABLE work_files (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    year INTEGER NOT NULL,
    notation TEXT NOT NULL,
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    retention_years INTEGER,
    access_regime TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL DEFAULT 'Tiếng Việt',
    description TEXT NOT NULL DEFAULT '',
    responsible_unit_id INTEGER REFERENCES internal_units(id),
    responsible_user_id INTEGER REFERENCES users(id),
    secrecy TEXT NOT NULL DEFAULT 'thuong' CHECK (secrecy IN ('thuong','mat','toi_mat','tuyet_mat')),
    status TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned','open','closed','archived')),
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    opened_by INTEGER REFERENCES users(id),
    opened_at TEXT,
    closed_by INTEGER REFERENCES users(id),
    closed_at TEXT,
    closed_on TEXT,
    archive_due TEXT,
    transfer_id INTEGER,
    UNIQUE (year, code)
  );
  CREATE UNIQUE INDEX idx_work_files_global_id ON work_files(global_id);
  CREATE INDEX idx_work_files_due ON work_files(archive_due) WHERE status = 'closed';
  CREATE TABLE work_file_years (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    year INTEGER NOT NULL UNIQUE,
    closed_by INTEGER NOT NULL REFERENCES users(id),
    closed_at TEXT NOT NULL
  );
  CREATE UNIQUE INDEX idx_work_file_years_global_id ON work_file_years(global_id);
  CREATE TRIGGER work_file_years_no_delete BEFORE DELETE ON work_file_years
    BEGIN SELECT RAISE(ABORT, 'a closed file list stays closed'); END;
  CREATE TABLE archive_transfers (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    transferred_on TEXT NOT NULL,
    handed_by INTEGER NOT NULL REFERENCES users(id),
    received_by TEXT NOT NULL,
    archive_name TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    files TEXT NOT NULL,
    recorded_at TEXT NOT NULL
  );
  CREATE UNIQUE INDEX idx_archive_transfers_global_id ON archive_transfers(global_id);
  CREATE TRIGGER archive_transfers_no_update BEFORE UPDATE ON archive_transfers
    BEGIN SELECT RAISE(ABORT, 'a hand-over record is final'); END;
  CREATE TRIGGER archive_transfers_no_delete BEFORE DELETE ON archive_transfers
    BEGIN SELECT RAISE(ABORT, 'a hand-over record is final'); END;
  `,
  // 18: events received from the agency's other workstations and not yet applied (main/core/sync/apply.ts):
  //     kept until every record they reference is here, or set aside with the reason they conflict.
  `
  CREATE TABLE sync_inbox (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    received_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    problem TEXT
  );
  -- Events applied from elsewhere are not sent again (a record moved here keeps its copied history to send).
  ALTER TABLE events ADD COLUMN received INTEGER NOT NULL DEFAULT 0;
  `,
  // 19: every register output closed at year end (reports/closedYears.ts): the Sổ đăng ký văn bản đi,
  //     Sổ đăng ký BMNN đi and Sổ theo dõi giải quyết văn bản đến (replicated, append-only), each with
  //     the SHA-256 and row count of the PDF frozen when it was closed; and the same two facts for a
  //     closed year of an incoming register (Sổ đăng ký văn bản đến), left empty for years closed before.
  `
  CREATE TABLE register_closings (
    id INTEGER PRIMARY KEY,
    global_id TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('outgoing','secret_outgoing','incoming_tracking')),
    year INTEGER NOT NULL,
    closed_at TEXT NOT NULL,
    closed_by INTEGER NOT NULL REFERENCES users(id),
    pdf_sha256 TEXT NOT NULL,
    rows INTEGER NOT NULL,
    UNIQUE (kind, year)
  );
  CREATE UNIQUE INDEX idx_register_closings_global_id ON register_closings(global_id);
  CREATE TRIGGER register_closings_no_update
    BEFORE UPDATE OF kind, year, closed_at, closed_by, pdf_sha256, rows ON register_closings
    BEGIN SELECT RAISE(ABORT, 'a closed register year stays closed'); END;
  CREATE TRIGGER register_closings_global_id_once BEFORE UPDATE OF global_id ON register_closings WHEN OLD.global_id IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'a closed register year stays closed'); END;
  CREATE TRIGGER register_closings_no_delete BEFORE DELETE ON register_closings
    BEGIN SELECT RAISE(ABORT, 'a closed register year stays closed'); END;
  ALTER TABLE register_years ADD COLUMN pdf_sha256 TEXT;
  ALTER TABLE register_years ADD COLUMN rows INTEGER;
  `,
  // 20: work files shared with a person (need-to-know of a file's title and metadata, workfiles/rules.ts
  //     mayKnowFile, docs/work-files.md): replicated, a share is never taken back silently (append-only).
  `
  CREATE TABLE work_file_shares (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    work_file_id INTEGER NOT NULL REFERENCES work_files(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    shared_by INTEGER NOT NULL REFERENCES users(id),
    shared_at TEXT NOT NULL,
    UNIQUE (work_file_id, user_id)
  );
  CREATE UNIQUE INDEX idx_work_file_shares_global_id ON work_file_shares(global_id);
  CREATE INDEX idx_work_file_shares_user ON work_file_shares(user_id);
  CREATE TRIGGER work_file_shares_no_delete BEFORE DELETE ON work_file_shares
    BEGIN SELECT RAISE(ABORT, 'a share is a record'); END;
  `,
  // 21: the legacy import's journal (main/core/import/journal.ts): one row per job (source hash, mapping,
  //     counts, state) and one per source row handled, written in the transaction that registers it, so a
  //     job killed at any point resumes without doing a row twice. Only ids and codes: no record's text.
  `
  CREATE TABLE import_jobs (
    id INTEGER PRIMARY KEY,
    source_path TEXT NOT NULL,
    source_name TEXT NOT NULL,
    source_sha256 TEXT NOT NULL,
    mapping TEXT NOT NULL,
    folder TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('running', 'cancelled', 'done')),
    total INTEGER NOT NULL DEFAULT 0,
    imported INTEGER NOT NULL DEFAULT 0,
    duplicates INTEGER NOT NULL DEFAULT 0,
    rejected INTEGER NOT NULL DEFAULT 0,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE import_rows (
    job_id INTEGER NOT NULL REFERENCES import_jobs(id),
    row_key TEXT NOT NULL,
    sheet TEXT NOT NULL,
    row_no INTEGER NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('imported', 'duplicate', 'rejected')),
    record_id INTEGER,
    reason TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (job_id, row_key)
  ) WITHOUT ROWID;
  CREATE UNIQUE INDEX idx_import_rows_imported ON import_rows(row_key) WHERE outcome = 'imported';
  `,
  // 22: the agency server's sync client (main/core/sync): the outbox of sealed batches waiting to be
  //     sent (a batch is made once, with its ids and bytes, and resent as is until the server has it),
  //     the cursors (events batched per log, server sequence pulled per channel), and the parts of a
  //     large batch being downloaded (so a broken download resumes with a Range request).
  `
  CREATE TABLE sync_outbox (
    id INTEGER PRIMARY KEY,
    batch_id TEXT NOT NULL UNIQUE,
    channel TEXT NOT NULL,
    key_id TEXT,
    encoding TEXT NOT NULL CHECK (encoding IN ('clear','aes-256-gcm')),
    event_ids TEXT NOT NULL,
    payload BLOB NOT NULL,
    first_seq INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_error TEXT
  );
  CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
  CREATE TABLE sync_download_parts (
    seq INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    offset INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    PRIMARY KEY (seq, offset)
  );
  `,
  // 23: provenance of records imported from an offline package (main/core/packages): which
  //     package, from which agency, signed by whom, when; and per document what the import did with it.
  `
  CREATE TABLE package_imports (
    package_id TEXT PRIMARY KEY,
    agency_name TEXT NOT NULL,
    agency_code TEXT NOT NULL,
    exported_at TEXT NOT NULL,
    signer TEXT,
    imported_at TEXT NOT NULL,
    imported_by INTEGER NOT NULL REFERENCES users(id)
  );
  CREATE TABLE package_records (
    package_id TEXT NOT NULL REFERENCES package_imports(package_id),
    global_id TEXT NOT NULL,
    level TEXT NOT NULL,
    outcome TEXT NOT NULL,
    matched_global_id TEXT,
    PRIMARY KEY (package_id, global_id)
  ) WITHOUT ROWID;
  CREATE INDEX idx_package_records_gid ON package_records(global_id);
  `,
  // 24: edXML packets between agencies on this workstation (main/core/sync/packets): the durable outbox
  //     (a packet's id and bytes fixed when queued, resent until the agency server has it; the row stays
  //     as 'sent' or 'refused' with the server's code, its bytes dropped), the inbox the exchange drains
  //     (stored with the pull cursor in one transaction; 'taken' once handed over), and the parts of a
  //     large packet being downloaded (a broken download resumes with Range). Cursor: sync_state 'packets:pull'.
  `
  CREATE TABLE packet_outbox (
    id INTEGER PRIMARY KEY,
    packet_id TEXT NOT NULL UNIQUE,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    bytes BLOB,
    created_at TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued','sent','refused')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_error TEXT,
    error_code TEXT,
    done_at TEXT
  );
  CREATE INDEX idx_packet_outbox_state ON packet_outbox(state, id);
  CREATE TABLE packet_inbox (
    seq INTEGER PRIMARY KEY,
    packet_id TEXT NOT NULL UNIQUE,
    from_code TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    bytes BLOB,
    received_at TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    taken_at TEXT
  );
  CREATE INDEX idx_packet_inbox_pending ON packet_inbox(taken_at, seq);
  CREATE TABLE packet_download_parts (
    seq INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    offset INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    PRIMARY KEY (seq, offset)
  );
  `,
  // 25: the exchange between agencies (main/core/exchange, docs/exchange.md): packets the transport
  //     handed in (kept by packet id, so a replay is recognised; the bytes only until they are opened,
  //     and only sealed ciphertext or a Thường packet), packets made to go out (sealed or Thường only,
  //     idempotent by packet id), and the directory of agencies with their certificates.
  `
  CREATE TABLE exchange_inbound (
    packet_id TEXT PRIMARY KEY,
    from_code TEXT NOT NULL,
    received_at TEXT NOT NULL,
    accepted_at TEXT NOT NULL,
    bytes BLOB,
    state TEXT NOT NULL CHECK (state IN ('pending','opened','refused','duplicate')),
    reason TEXT,
    opened_at TEXT
  ) WITHOUT ROWID;
  CREATE INDEX idx_exchange_inbound_pending ON exchange_inbound(accepted_at) WHERE state = 'pending';
  CREATE TABLE exchange_outbox (
    packet_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('document','status')),
    to_code TEXT NOT NULL,
    bytes BLOB NOT NULL,
    made_at TEXT NOT NULL,
    handed_at TEXT
  ) WITHOUT ROWID;
  CREATE INDEX idx_exchange_outbox_waiting ON exchange_outbox(made_at) WHERE handed_at IS NULL;
  CREATE TABLE exchange_agencies (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    certificates TEXT NOT NULL,
    updated_at TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  // 26: a work-file share can be withdrawn (by who shared it, the file's handler, a leader or the văn
  //     thư): the row stays (a share is a record) with when and by whom it was withdrawn; sharing again
  //     clears them (each change is an event and an audit entry).
  `
  ALTER TABLE work_file_shares ADD COLUMN withdrawn_at TEXT;
  ALTER TABLE work_file_shares ADD COLUMN withdrawn_by INTEGER REFERENCES users(id);
  `,  // 27: each person's signature image (hình ảnh chữ ký, NĐ 30/2020 Phụ lục I) that their PAdES signature
  //     shows (org/signatureImage.ts): PNG or JPEG, checked, one per person, set by them or an administrator;
  //     in this SQLCipher database (under the profile's key) and replicated with the person.
  `
  CREATE TABLE signature_images (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    user_id INTEGER NOT NULL UNIQUE REFERENCES users(id),
    mime TEXT NOT NULL CHECK (mime IN ('image/png','image/jpeg')),
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    image BLOB NOT NULL,
    sha256 TEXT NOT NULL,
    set_by INTEGER NOT NULL REFERENCES users(id),
    set_at TEXT NOT NULL
  );
  CREATE UNIQUE INDEX idx_signature_images_global_id ON signature_images(global_id);
  `,
  // 28: number claims (documents/numberClaims.ts). A number is taken in the base and its record written
  //     in a compartment; WAL commits the base first, so a crash between the two commits left a number
  //     with no record. The claim, written with the number, names the record that must hold it; the next
  //     unlock settles it (record there: dropped; missing: the number given back, or the gap audited).
  //     Local to this workstation, never replicated.
  `
  CREATE TABLE number_claims (
    id INTEGER PRIMARY KEY,
    scope_id INTEGER NOT NULL REFERENCES numbering_scopes(id),
    period TEXT NOT NULL,
    bucket TEXT NOT NULL,
    number INTEGER NOT NULL,
    compartment TEXT NOT NULL,
    record_table TEXT NOT NULL CHECK (record_table IN ('incoming','outgoing')),
    record_global_id TEXT NOT NULL,
    claimed_at TEXT NOT NULL
  );
  `,
  // 29: a claim also names its record's local id, so the settlement's audit entry is about the same
  //     entity as the entry that registered or issued it: the log says itself that the record it named
  //     never arrived (null for claims written before, and where the record has no id yet).
  `
  ALTER TABLE number_claims ADD COLUMN record_id INTEGER;
  `,
  // 30: an update packet (BussinessDocType 2) waiting in the exchange's queue when its dispatch is taken
  //     back (status 13) is withdrawn, never sent (exchange/takeBackWithdrawal.ts): the row stays with when
  //     and for which dispatch (its global id; the take-back's reason stays in the compartment).
  `
  ALTER TABLE exchange_outbox ADD COLUMN withdrawn_at TEXT;
  ALTER TABLE exchange_outbox ADD COLUMN withdrawn_for TEXT;
  `,
  // 31: shared registers numbered by the agency server (documents/sharedNumbering.ts, docs/server.md
  //     "Numbering authority"). A register's home workstation (the one that numbers alone while the server
  //     cannot be reached) is a column of the register, synced with it: the workstation that created it
  //     (its first event's origin; a register made from now on takes the creating workstation's id).
  //     The home's offline numbers, and numbers a failed registration owes back, wait in number_reports
  //     until the server has them (local, never replicated; `problem` keeps the server's last conflict).
  `
  ALTER TABLE registers ADD COLUMN home_workstation TEXT;
  UPDATE registers SET home_workstation = COALESCE(
    (SELECT e.origin FROM main.events e WHERE e.entity = 'registers' AND e.entity_id = registers.global_id ORDER BY e.seq LIMIT 1),
    (SELECT value FROM settings WHERE key = 'workstation_id'));
  CREATE TRIGGER registers_home_workstation AFTER INSERT ON registers WHEN NEW.home_workstation IS NULL BEGIN
    UPDATE registers SET home_workstation = (SELECT value FROM settings WHERE key = 'workstation_id') WHERE rowid = NEW.rowid;
  END;
  CREATE TABLE number_reports (
    id INTEGER PRIMARY KEY,
    register_id INTEGER NOT NULL REFERENCES registers(id),
    period TEXT NOT NULL,
    bucket TEXT NOT NULL,
    number INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('report','give_back')),
    compartment TEXT,
    record_global_id TEXT NOT NULL UNIQUE,
    made_at TEXT NOT NULL,
    reported_at TEXT,
    problem TEXT
  );
  CREATE INDEX idx_number_reports_pending ON number_reports(reported_at, id);
  `,
  // 32: "Chờ cấp số" (documents/numberWaits.ts): an arrival a non-home workstation registered while the
  //     agency server could not be reached, at the văn thư's choice, waits here for its number, asked of
  //     the server at the next contact under the record's global id (the same number if asked twice).
  //     The record holds a placeholder number meanwhile (awaitingNumber(): negative, unique per record).
  `
  CREATE TABLE number_waits (
    id INTEGER PRIMARY KEY,
    register_id INTEGER NOT NULL REFERENCES registers(id),
    period TEXT NOT NULL,
    bucket TEXT NOT NULL,
    placeholder INTEGER NOT NULL,
    compartment TEXT NOT NULL,
    record_global_id TEXT NOT NULL UNIQUE,
    made_at TEXT NOT NULL,
    number INTEGER,
    numbered_at TEXT,
    problem TEXT
  );
  CREATE INDEX idx_number_waits_open ON number_waits(numbered_at, id);
  `,
  // 33: a refusal reaches the sender (docs/exchange.md, "When a packet is refused"): a packet the hub
  //     refused after the agency server took it comes back on the server's refusal feed (cursor
  //     sync_state 'packets:refusals') and is marked refused here; the exchange then notes it on the
  //     dispatch (a record that syncs) and stamps the row, once (refusal_noted_at).
  `
  ALTER TABLE packet_outbox ADD COLUMN refusal_noted_at TEXT;
  CREATE INDEX idx_packet_outbox_unnoted ON packet_outbox(id) WHERE state = 'refused' AND refusal_noted_at IS NULL;
  `,
  // 34: an incoming packet is known by (sender, packet id), the sender
  //     being the agency the hub authenticated and the agency server handed on (docs/exchange.md, "Packet
  //     ids are the sender's"), so two agencies' packets under one id both reach the exchange. Every row
  //     already names its sender (from_code was NOT NULL, written from the transport), so all are kept.
  `
  CREATE TABLE packet_inbox_v34 (
    seq INTEGER PRIMARY KEY,
    packet_id TEXT NOT NULL,
    from_code TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    bytes BLOB,
    received_at TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    taken_at TEXT,
    UNIQUE (from_code, packet_id)
  );
  INSERT INTO packet_inbox_v34 (seq, packet_id, from_code, sha256, size, bytes, received_at, fetched_at, taken_at)
    SELECT seq, packet_id, from_code, sha256, size, bytes, received_at, fetched_at, taken_at FROM packet_inbox;
  DROP TABLE packet_inbox;
  ALTER TABLE packet_inbox_v34 RENAME TO packet_inbox;
  CREATE INDEX idx_packet_inbox_pending ON packet_inbox(taken_at, seq);
  CREATE TABLE exchange_inbound_v34 (
    from_code TEXT NOT NULL,
    packet_id TEXT NOT NULL,
    received_at TEXT NOT NULL,
    accepted_at TEXT NOT NULL,
    bytes BLOB,
    state TEXT NOT NULL CHECK (state IN ('pending','opened','refused','duplicate')),
    reason TEXT,
    opened_at TEXT,
    PRIMARY KEY (from_code, packet_id)
  ) WITHOUT ROWID;
  INSERT INTO exchange_inbound_v34 (from_code, packet_id, received_at, accepted_at, bytes, state, reason, opened_at)
    SELECT from_code, packet_id, received_at, accepted_at, bytes, state, reason, opened_at FROM exchange_inbound;
  DROP TABLE exchange_inbound;
  ALTER TABLE exchange_inbound_v34 RENAME TO exchange_inbound;
  CREATE INDEX idx_exchange_inbound_pending ON exchange_inbound(accepted_at) WHERE state = 'pending';
  CREATE INDEX idx_exchange_inbound_packet ON exchange_inbound(packet_id);
  `,
  // 35: a register's home as the agency server last said it (documents/registerHome.ts): an administrator
  //     may move it there, and each numbering round reads it; it rules over the synced column
  //     `registers.home_workstation` (the creating workstation), which stays as the creation left it.
  //     Keyed by the global id of the register the scope's numbers are asked under. Local, never replicated.
  `
  CREATE TABLE register_homes_heard (
    register_global_id TEXT PRIMARY KEY,
    home TEXT NOT NULL,
    heard_at TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  // 36: a wait made for an arrival by the exchange names that arrival (its exchange_inbox global id):
  //     the arrival's row may come to name another workstation's record of it (the decision that held the
  //     agency server's claim wins on every workstation, sync/apply.ts), and the wait must still be known
  //     for an arrival's, asked its decision and never numbered as a paper one.
  `
  ALTER TABLE number_waits ADD COLUMN arrival_global_id TEXT;
  `,
  // 37: a packet made to go out keeps its body as a file sealed under the profile's key
  //     (sync/packets/bodies.ts): the row holds the body's SHA-256 and an empty `bytes`. Rows made
  //     before keep their bytes; the transport's queue already had its digest (its `bytes` NULL while queued).
  //     `size` keeps the body's length for the sync panel (the row's bytes are empty).
  `
  ALTER TABLE exchange_outbox ADD COLUMN sha256 TEXT;
  ALTER TABLE exchange_outbox ADD COLUMN size INTEGER;
  `,
  // 38: a sent packet keeps its body until the agency server has passed it on or refused it (`passed_at`):
  //     a server restored from a backup no longer holds what it took after the backup, and the workstation
  //     sends it again (PacketClient.checkPassedOn). Rows sent before kept no body: they count as passed.
  `
  ALTER TABLE packet_outbox ADD COLUMN passed_at TEXT;
  UPDATE packet_outbox SET passed_at = coalesce(done_at, created_at) WHERE state <> 'queued';
  CREATE INDEX idx_packet_outbox_unpassed ON packet_outbox(id) WHERE state = 'sent' AND passed_at IS NULL;
  `,
  // 39: a record the agency server answered as a clash after its store was restored (a number it gave
  //     another record before this workstation told it the numbers given since the backup) is owed to
  //     the server like an offline number, naming the restore (documents/numberedRecords.ts).
  `
  ALTER TABLE number_reports ADD COLUMN after_restore TEXT;
  `,
];
