// The schema of one compartment database: the records of one secrecy level (incoming documents, their
// files, signatures, recipients, hand-overs, corrections, need-to-know grants), their full-text index
// and vocabulary, and the level's own change events. Nothing here references the base database (SQLite
// cannot enforce keys across files): the services check people, registers and units themselves.
// Record ids are allocated by the base (one sequence for all levels), so ids never collide between
// compartments and sort by registration across them.
import type { Db, MigrationStatus } from '../db/connection';

export const COMPARTMENT_MIGRATIONS: readonly string[] = [
  // 1: the records of a level as they were in the single-file profile (schema 12), plus grants.
  `
  CREATE TABLE incoming (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    register_id INTEGER NOT NULL,
    period TEXT NOT NULL,
    arrival_number INTEGER NOT NULL,
    arrival_date TEXT NOT NULL,
    year INTEGER NOT NULL,
    issuer_unit_id INTEGER,
    issuer_name TEXT NOT NULL,
    number_symbol TEXT NOT NULL,
    number_symbol_key TEXT NOT NULL,
    issuer_key TEXT NOT NULL,
    document_date TEXT NOT NULL,
    type_code TEXT NOT NULL,
    subject TEXT NOT NULL,
    secrecy TEXT NOT NULL CHECK (secrecy IN ('thuong','mat','toi_mat','tuyet_mat')),
    secrecy_rank INTEGER NOT NULL,
    urgency TEXT NOT NULL CHECK (urgency IN ('thuong','khan','thuong_khan','hoa_toc')),
    deadline TEXT,
    status TEXT NOT NULL DEFAULT 'registered',
    recipients TEXT NOT NULL DEFAULT '[]',
    notes TEXT NOT NULL DEFAULT '',
    registered_by INTEGER NOT NULL,
    registered_at TEXT NOT NULL,
    attachment_count INTEGER NOT NULL DEFAULT 0,
    page_count INTEGER,
    copy_count INTEGER,
    signer TEXT NOT NULL DEFAULT '',
    arrival_channel TEXT,
    UNIQUE (register_id, period, arrival_number)
  );
  CREATE UNIQUE INDEX idx_incoming_global_id ON incoming(global_id);
  CREATE INDEX idx_incoming_year ON incoming(year, arrival_date);
  CREATE INDEX idx_incoming_deadline ON incoming(deadline);
  CREATE INDEX idx_incoming_duplicate ON incoming(number_symbol_key, document_date);
  CREATE INDEX idx_incoming_secrecy ON incoming(secrecy_rank, secrecy);
  CREATE INDEX idx_incoming_registered_by ON incoming(registered_by);
  CREATE INDEX idx_incoming_page_arrival ON incoming(arrival_date, id, secrecy_rank);
  CREATE INDEX idx_incoming_page_document_date ON incoming(document_date, id, secrecy_rank);
  CREATE INDEX idx_incoming_page_deadline ON incoming(ifnull(deadline, '9999-12-31'), id, secrecy_rank);
  CREATE INDEX idx_incoming_page_number_symbol ON incoming(number_symbol_key, id, secrecy_rank);
  CREATE INDEX idx_incoming_page_issuer ON incoming(issuer_key, id, secrecy_rank);

  CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    incoming_id INTEGER NOT NULL REFERENCES incoming(id),
    ordinal INTEGER NOT NULL,
    name TEXT NOT NULL,
    size INTEGER NOT NULL,
    mime TEXT NOT NULL,
    is_pdf INTEGER NOT NULL,
    sha256 TEXT NOT NULL
  );
  CREATE UNIQUE INDEX idx_attachments_global_id ON attachments(global_id);
  CREATE INDEX idx_attachments_incoming ON attachments(incoming_id);
  CREATE INDEX idx_attachments_sha256 ON attachments(sha256);

  CREATE VIRTUAL TABLE incoming_fts USING fts5(
    body, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0'
  );
  CREATE TABLE search_terms (term TEXT PRIMARY KEY) WITHOUT ROWID;

  CREATE TABLE signatures (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    incoming_id INTEGER NOT NULL REFERENCES incoming(id),
    attachment_id INTEGER REFERENCES attachments(id),
    signer_fingerprint TEXT NOT NULL,
    signer_name TEXT NOT NULL,
    signed_at TEXT NOT NULL,
    cms BLOB NOT NULL,
    signed_by INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX idx_signatures_global_id ON signatures(global_id);
  CREATE INDEX idx_signatures_incoming ON signatures(incoming_id);

  CREATE TABLE incoming_recipients (
    id INTEGER PRIMARY KEY,
    global_id TEXT,
    incoming_id INTEGER NOT NULL REFERENCES incoming(id),
    ordinal INTEGER NOT NULL,
    internal_unit_id INTEGER,
    user_id INTEGER,
    name TEXT NOT NULL,
    CHECK (internal_unit_id IS NULL OR user_id IS NULL)
  );
  CREATE UNIQUE INDEX idx_incoming_recipients_global_id ON incoming_recipients(global_id);
  CREATE INDEX idx_incoming_recipients_incoming ON incoming_recipients(incoming_id);
  CREATE INDEX idx_incoming_recipients_user ON incoming_recipients(user_id) WHERE user_id IS NOT NULL;

  CREATE TABLE incoming_handovers (
    id INTEGER PRIMARY KEY,
    global_id TEXT,
    incoming_id INTEGER NOT NULL REFERENCES incoming(id),
    internal_unit_id INTEGER,
    user_id INTEGER,
    recipient_name TEXT NOT NULL,
    handed_on TEXT NOT NULL,
    handed_by INTEGER NOT NULL,
    recorded_at TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    acknowledged_by INTEGER,
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
    corrected_by INTEGER NOT NULL,
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

  -- Need-to-know: a classified document is seen by the people in its distribution; a grant by name
  -- adds one (with its reason), and is revoked by setting revoked_at (the row stays: it is history).
  CREATE TABLE grants (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    incoming_id INTEGER NOT NULL REFERENCES incoming(id),
    user_id INTEGER NOT NULL,
    reason TEXT NOT NULL,
    granted_by INTEGER NOT NULL,
    granted_at TEXT NOT NULL,
    revoked_by INTEGER,
    revoked_at TEXT,
    revoke_reason TEXT
  );
  CREATE UNIQUE INDEX idx_grants_global_id ON grants(global_id);
  CREATE INDEX idx_grants_incoming ON grants(incoming_id);
  CREATE INDEX idx_grants_user ON grants(user_id, incoming_id) WHERE revoked_at IS NULL;

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

  -- Which level this file holds, written once: a compartment file copied over another level's is refused.
  CREATE TABLE compartment (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

  CREATE TABLE change_counters (name TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
  INSERT INTO change_counters (name, n) VALUES ('incoming', 0);
  CREATE TRIGGER incoming_counted_insert AFTER INSERT ON incoming
    BEGIN UPDATE change_counters SET n = n + 1 WHERE name = 'incoming'; END;
  CREATE TRIGGER incoming_counted_update AFTER UPDATE ON incoming
    BEGIN UPDATE change_counters SET n = n + 1 WHERE name = 'incoming'; END;
  CREATE TRIGGER incoming_counted_delete AFTER DELETE ON incoming
    BEGIN UPDATE change_counters SET n = n + 1 WHERE name = 'incoming'; END;
  `,
  // 2: the controls of the state-secrets law, kept with the records of their level: permissions to
  //    copy or print and the copy register (Sổ quản lý sao, chụp BMNN), level changes and
  //    declassification (proposed by one authorised person, confirmed by another), holds that stop a
  //    destruction, and the destruction records (biên bản) that are all that remains of a destroyed record.
  `
  CREATE TABLE copy_approvals (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    incoming_id INTEGER NOT NULL REFERENCES incoming(id),
    kind TEXT NOT NULL CHECK (kind IN ('print','sao_y','trich_sao','sao_luc')),
    copies INTEGER NOT NULL CHECK (copies BETWEEN 1 AND 100),
    for_user_id INTEGER NOT NULL,
    allowed_by INTEGER NOT NULL,
    allowed_at TEXT NOT NULL,
    reason TEXT NOT NULL,
    used_at TEXT
  );
  CREATE UNIQUE INDEX idx_copy_approvals_global_id ON copy_approvals(global_id);
  CREATE INDEX idx_copy_approvals_incoming ON copy_approvals(incoming_id);

  CREATE TABLE copies (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    incoming_id INTEGER NOT NULL REFERENCES incoming(id),
    kind TEXT NOT NULL CHECK (kind IN ('print','sao_y','trich_sao','sao_luc')),
    year INTEGER NOT NULL,
    first_number INTEGER NOT NULL,
    copies INTEGER NOT NULL,
    allowed_by INTEGER NOT NULL,
    approval_id INTEGER REFERENCES copy_approvals(id),
    made_by INTEGER NOT NULL,
    made_at TEXT NOT NULL,
    reason TEXT NOT NULL,
    sha256 TEXT NOT NULL
  );
  CREATE UNIQUE INDEX idx_copies_global_id ON copies(global_id);
  CREATE INDEX idx_copies_incoming ON copies(incoming_id);
  CREATE INDEX idx_copies_year ON copies(year, first_number);

  CREATE TABLE level_changes (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    incoming_id INTEGER NOT NULL,
    from_level TEXT NOT NULL,
    to_level TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('raise','lower','declassify','declassify_part','extend')),
    authority TEXT NOT NULL,
    reason TEXT NOT NULL,
    part TEXT NOT NULL DEFAULT '',
    decided_on TEXT NOT NULL,
    proposed_by INTEGER NOT NULL,
    proposed_at TEXT NOT NULL,
    confirmed_by INTEGER,
    confirmed_at TEXT,
    cancelled_at TEXT,
    notice TEXT,
    CHECK (confirmed_by IS NULL OR confirmed_by <> proposed_by)
  );
  CREATE UNIQUE INDEX idx_level_changes_global_id ON level_changes(global_id);
  CREATE INDEX idx_level_changes_incoming ON level_changes(incoming_id);

  -- A protection period shorter than the law's (written on the document), or one extended by decision.
  ALTER TABLE incoming ADD COLUMN protection_until TEXT;
  -- Marks of the law: "Tài liệu thu hồi" (to be returned), and "Chỉ người có tên mới được bóc bì":
  -- the files are then sealed (CMS) for the named person's certificates only; the văn thư registers
  -- the envelope without seeing inside.
  ALTER TABLE incoming ADD COLUMN recalled INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE incoming ADD COLUMN named_user_id INTEGER;
  ALTER TABLE attachments ADD COLUMN sealed_for INTEGER;
  -- Ký nhận with the receiver's token: a detached CMS signature over the acknowledgement statement.
  ALTER TABLE incoming_handovers ADD COLUMN ack_cms BLOB;
  ALTER TABLE incoming_handovers ADD COLUMN ack_signer TEXT;

  CREATE TABLE holds (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    incoming_id INTEGER NOT NULL REFERENCES incoming(id),
    reason TEXT NOT NULL,
    placed_by INTEGER NOT NULL,
    placed_at TEXT NOT NULL,
    released_by INTEGER,
    released_at TEXT
  );
  CREATE UNIQUE INDEX idx_holds_global_id ON holds(global_id);
  CREATE INDEX idx_holds_incoming ON holds(incoming_id) WHERE released_at IS NULL;

  CREATE TABLE destructions (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    incoming_id INTEGER NOT NULL,
    incoming_global_id TEXT NOT NULL,
    register_id INTEGER NOT NULL,
    year INTEGER NOT NULL,
    arrival_number INTEGER NOT NULL,
    decision TEXT NOT NULL,
    authority TEXT NOT NULL,
    reason TEXT NOT NULL,
    decided_on TEXT NOT NULL,
    destroyed_by INTEGER NOT NULL,
    destroyed_at TEXT NOT NULL,
    files INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX idx_destructions_global_id ON destructions(global_id);
  CREATE UNIQUE INDEX idx_destructions_incoming ON destructions(incoming_id);
  `,
  // 3: automatic declassification and restricted Thường records.
  //    - level_changes.automatic: a declassification the law made at the end of the protection period
  //      (secrets/AutoDeclassification.ts): no second confirmation, the signed-in person as witness.
  //    - auto_declassify_skips: a record whose period has ended but that the job left (on hold, a
  //      level decision pending), with the reason, until it is declassified or the reason goes.
  //    - restrictions: "Hạn chế phạm vi" on a Thường record: it then follows need-to-know like a
  //      classified one (documents/needToKnow.ts). A table, not a column: the officers' lists and counts
  //      test it against this small index, never reading the records themselves.
  `
  ALTER TABLE level_changes ADD COLUMN automatic INTEGER NOT NULL DEFAULT 0;
  CREATE TABLE auto_declassify_skips (
    incoming_id INTEGER PRIMARY KEY,
    reason TEXT NOT NULL CHECK (reason IN ('hold','pending')),
    since TEXT NOT NULL,
    checked_at TEXT NOT NULL
  );
  CREATE TABLE restrictions (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    incoming_id INTEGER NOT NULL REFERENCES incoming(id),
    reason TEXT NOT NULL DEFAULT '',
    placed_by INTEGER NOT NULL,
    placed_at TEXT NOT NULL,
    lifted_by INTEGER,
    lifted_at TEXT
  );
  CREATE UNIQUE INDEX idx_restrictions_global_id ON restrictions(global_id);
  CREATE INDEX idx_restrictions_active ON restrictions(incoming_id) WHERE lifted_at IS NULL;
  `,
  // 4: the protection periods written on documents, indexed, so that the automatic declassification at
  //    every unlock finds what is due by two index ranges (this and the document date) instead of
  //    reading every record of the level.
  `
  CREATE INDEX idx_incoming_protection_until ON incoming(protection_until) WHERE protection_until IS NOT NULL;
  `,
  // 5: work files (main/core/workfiles): a document's membership of a work file, kept with the
  //    document at its level, so that the list of a file's documents is readable only by those who hold
  //    the level. kind + record id name any kind of record (incoming today; outgoing and drafts later);
  //    incoming_id is set for incoming documents so the row moves and is destroyed with the record.
  `
  CREATE TABLE work_file_items (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    work_file_id INTEGER NOT NULL,
    work_file_global_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    record_id INTEGER NOT NULL,
    record_global_id TEXT NOT NULL,
    incoming_id INTEGER REFERENCES incoming(id),
    added_by INTEGER NOT NULL,
    added_at TEXT NOT NULL,
    UNIQUE (work_file_id, kind, record_id)
  );
  CREATE UNIQUE INDEX idx_work_file_items_global_id ON work_file_items(global_id);
  CREATE INDEX idx_work_file_items_record ON work_file_items(kind, record_id);
  CREATE INDEX idx_work_file_items_incoming ON work_file_items(incoming_id) WHERE incoming_id IS NOT NULL;
  `,
  // 6: processing incoming documents (main/core/processing): the timeline of steps (immutable rows,
  //    submission, direction, assignment, progress, drafts, extension, completion, return) and the
  //    current state per document and assignee (processing_tasks, denormalised so that every inbox and
  //    the overdue view is one range of a partial index). incoming.edxml_status is the document's
  //    edXML status code (03 registered … 06 done, 02 returned) for the exchange to send back.
  `
  ALTER TABLE incoming ADD COLUMN edxml_status TEXT NOT NULL DEFAULT '03';
  -- A handler's draft is a file of the document's level, kept apart from the document's own files.
  ALTER TABLE attachments ADD COLUMN draft_step_id INTEGER;
  CREATE TABLE processing_steps (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    incoming_id INTEGER NOT NULL REFERENCES incoming(id),
    kind TEXT NOT NULL CHECK (kind IN ('submit','direct','assign','progress','draft','extension_request','extension_decision','complete','return')),
    actor_id INTEGER NOT NULL,
    at TEXT NOT NULL,
    task_id INTEGER,
    revises_id INTEGER,
    to_user_id INTEGER,
    to_unit_id INTEGER,
    deadline TEXT,
    text TEXT NOT NULL DEFAULT '',
    data TEXT NOT NULL DEFAULT '{}',
    status_code TEXT NOT NULL
  );
  CREATE UNIQUE INDEX idx_processing_steps_global_id ON processing_steps(global_id);
  CREATE INDEX idx_processing_steps_incoming ON processing_steps(incoming_id, id);
  -- A step is history: never changed (removed only with its record, by a destruction or a level move).
  CREATE TRIGGER processing_steps_no_update BEFORE UPDATE ON processing_steps
    BEGIN SELECT RAISE(ABORT, 'processing steps are immutable'); END;

  CREATE TABLE processing_tasks (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    incoming_id INTEGER NOT NULL REFERENCES incoming(id),
    role TEXT NOT NULL CHECK (role IN ('direct','lead','cooperate','inform','handle')),
    box TEXT NOT NULL CHECK (box IN ('opinion','handle','info')),
    user_id INTEGER,
    unit_id INTEGER,
    parent_id INTEGER,
    state TEXT NOT NULL CHECK (state IN ('open','delegated','done','closed','returned','info')),
    due TEXT NOT NULL DEFAULT '9999-12-31',
    due_at TEXT,
    progress INTEGER NOT NULL DEFAULT 0,
    progress_note TEXT NOT NULL DEFAULT '',
    extension_until TEXT,
    extension_reason TEXT,
    direction_id INTEGER,
    created_by INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (user_id IS NOT NULL OR unit_id IS NOT NULL)
  );
  CREATE UNIQUE INDEX idx_processing_tasks_global_id ON processing_tasks(global_id);
  CREATE INDEX idx_processing_tasks_incoming ON processing_tasks(incoming_id, user_id);
  -- The inboxes: a person's (Chờ cho ý kiến, Cần xử lý), a unit's awaiting assignment, and what is due.
  CREATE INDEX idx_processing_tasks_person ON processing_tasks(user_id, box, due, id) WHERE state = 'open';
  CREATE INDEX idx_processing_tasks_person_due ON processing_tasks(user_id, due) WHERE state = 'open';
  CREATE INDEX idx_processing_tasks_unit ON processing_tasks(unit_id, due, id) WHERE state = 'open' AND user_id IS NULL;
  CREATE INDEX idx_processing_tasks_due ON processing_tasks(due, id) WHERE state = 'open';
  CREATE INDEX idx_processing_tasks_extension ON processing_tasks(id) WHERE state = 'open' AND extension_until IS NOT NULL;
  `,
  // 7: outgoing documents (main/core/outgoing): the draft and its metadata (Phụ lục VI), its files per
  //    version, the ordered approval chain, the immutable trail of steps (each approval, return,
  //    signature, the issue, the recall), the signatures, the recipients chosen and one dispatch
  //    record per recipient made at the issue (what the exchange sends). The number is unique per
  //    register, period and bucket, so an issue can never take one twice.
  `
  CREATE TABLE outgoing (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft','in_review','approved','signer_signed','agency_signed','issued','recalled')),
    type_code TEXT NOT NULL,
    subject TEXT NOT NULL,
    secrecy TEXT NOT NULL CHECK (secrecy IN ('thuong','mat','toi_mat','tuyet_mat')),
    secrecy_rank INTEGER NOT NULL,
    urgency TEXT NOT NULL CHECK (urgency IN ('thuong','khan','thuong_khan','hoa_toc')),
    signer_id INTEGER NOT NULL,
    signer_competence TEXT NOT NULL DEFAULT '',
    drafted_by INTEGER NOT NULL,
    drafting_unit TEXT NOT NULL DEFAULT '',
    issued_amount INTEGER,
    reply_deadline TEXT,
    page_count INTEGER,
    notes TEXT NOT NULL DEFAULT '',
    approvers TEXT NOT NULL DEFAULT '[]',
    current_step INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    register_id INTEGER,
    period TEXT,
    bucket TEXT,
    number INTEGER,
    number_symbol TEXT,
    issued_date TEXT,
    issued_at TEXT,
    issued_by INTEGER,
    recalled_at TEXT,
    recalled_by INTEGER,
    recall_reason TEXT,
    replaces_id INTEGER,
    replaced_by_id INTEGER
  );
  CREATE UNIQUE INDEX idx_outgoing_global_id ON outgoing(global_id);
  CREATE UNIQUE INDEX idx_outgoing_number ON outgoing(register_id, period, bucket, number) WHERE number IS NOT NULL;
  CREATE INDEX idx_outgoing_status ON outgoing(status, id);
  CREATE INDEX idx_outgoing_issued ON outgoing(issued_date, number) WHERE issued_date IS NOT NULL;
  -- An issued document is frozen: what it says, its number and its files' version never change.
  CREATE TRIGGER outgoing_frozen BEFORE UPDATE OF type_code, subject, secrecy, urgency, signer_id, version, number, number_symbol, issued_date, register_id ON outgoing
    WHEN OLD.status IN ('issued','recalled')
    BEGIN SELECT RAISE(ABORT, 'outgoing document is issued'); END;

  CREATE TABLE outgoing_files (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    outgoing_id INTEGER NOT NULL REFERENCES outgoing(id),
    version INTEGER NOT NULL,
    ordinal INTEGER NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('main','appendix')),
    name TEXT NOT NULL,
    size INTEGER NOT NULL,
    mime TEXT NOT NULL,
    is_pdf INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    -- The PDF with the PAdES signatures made so far (each an incremental update of the one before).
    signed_sha256 TEXT,
    UNIQUE (outgoing_id, version, ordinal)
  );
  CREATE UNIQUE INDEX idx_outgoing_files_global_id ON outgoing_files(global_id);

  CREATE TABLE outgoing_steps (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    outgoing_id INTEGER NOT NULL REFERENCES outgoing(id),
    kind TEXT NOT NULL,
    position INTEGER,
    version INTEGER NOT NULL,
    actor_id INTEGER NOT NULL,
    at TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT ''
  );
  CREATE UNIQUE INDEX idx_outgoing_steps_global_id ON outgoing_steps(global_id);
  CREATE INDEX idx_outgoing_steps_doc ON outgoing_steps(outgoing_id, id);
  CREATE TRIGGER outgoing_steps_no_update BEFORE UPDATE ON outgoing_steps BEGIN SELECT RAISE(ABORT, 'outgoing_steps is append-only'); END;
  CREATE TRIGGER outgoing_steps_no_delete BEFORE DELETE ON outgoing_steps BEGIN SELECT RAISE(ABORT, 'outgoing_steps is append-only'); END;

  CREATE TABLE outgoing_signatures (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    outgoing_id INTEGER NOT NULL REFERENCES outgoing(id),
    role TEXT NOT NULL CHECK (role IN ('signer','agency')),
    file_id INTEGER NOT NULL REFERENCES outgoing_files(id),
    format TEXT NOT NULL CHECK (format IN ('cades','pades')),
    signer_fingerprint TEXT NOT NULL,
    signer_name TEXT NOT NULL,
    signed_at TEXT NOT NULL,
    signed_by INTEGER NOT NULL,
    cms BLOB,
    result_sha256 TEXT
  );
  CREATE UNIQUE INDEX idx_outgoing_signatures_global_id ON outgoing_signatures(global_id);
  CREATE INDEX idx_outgoing_signatures_doc ON outgoing_signatures(outgoing_id);

  CREATE TABLE outgoing_recipients (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    outgoing_id INTEGER NOT NULL REFERENCES outgoing(id),
    ordinal INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('internal','external')),
    internal_unit_id INTEGER,
    unit_id INTEGER,
    code TEXT,
    name TEXT NOT NULL
  );
  CREATE UNIQUE INDEX idx_outgoing_recipients_global_id ON outgoing_recipients(global_id);
  CREATE INDEX idx_outgoing_recipients_doc ON outgoing_recipients(outgoing_id);

  CREATE TABLE outgoing_dispatches (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    outgoing_id INTEGER NOT NULL REFERENCES outgoing(id),
    recipient_id INTEGER NOT NULL REFERENCES outgoing_recipients(id),
    status TEXT NOT NULL CHECK (status IN ('pending','sent','recalled')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (outgoing_id, recipient_id)
  );
  CREATE UNIQUE INDEX idx_outgoing_dispatches_global_id ON outgoing_dispatches(global_id);
  CREATE INDEX idx_outgoing_dispatches_status ON outgoing_dispatches(status, id);
  `,
  // 8: events of this level received from the agency's other workstations and not yet applied
  //    (main/core/sync/apply.ts), kept under the level's key like the records they carry.
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
  // 9: OCR of scanned files (main/core/ocr): the queue of this level's files waiting to be read (one
  //    row per attachment, resumable page by page) and the text of each page done, recognised or
  //    taken from the PDF's text layer, kept under the level's key like the file itself. The text also
  //    goes into the record's folded full-text index (documents/search.ts).
  `
  CREATE TABLE ocr_queue (
    attachment_id INTEGER PRIMARY KEY,
    incoming_id INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','done','failed')),
    pages INTEGER,
    pages_done INTEGER NOT NULL DEFAULT 0,
    pages_recognised INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    problem TEXT,
    queued_at TEXT NOT NULL,
    finished_at TEXT
  );
  CREATE INDEX idx_ocr_queue_pending ON ocr_queue(attachment_id) WHERE state = 'pending';
  CREATE INDEX idx_ocr_queue_incoming ON ocr_queue(incoming_id);
  CREATE TABLE ocr_pages (
    attachment_id INTEGER NOT NULL,
    page INTEGER NOT NULL,
    incoming_id INTEGER NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('ocr','text')),
    text TEXT NOT NULL,
    done_at TEXT NOT NULL,
    PRIMARY KEY (attachment_id, page)
  ) WITHOUT ROWID;
  CREATE INDEX idx_ocr_pages_incoming ON ocr_pages(incoming_id);
  `,
  // 10: the exchange between agencies at this level (main/core/exchange): electronic documents received
  //    (Văn bản điện tử đến: the packet's header, its verification, its files in this level's store,
  //    what the văn thư did), the statuses this agency owes the sender (each made into a signed packet
  //    once, by its deterministic packet id) and the statuses recipients reported on our dispatches.
  `
  CREATE TABLE exchange_inbox (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL UNIQUE,
    packet_id TEXT NOT NULL UNIQUE,
    from_code TEXT NOT NULL,
    from_name TEXT NOT NULL,
    document_id TEXT NOT NULL,
    business_type INTEGER NOT NULL,
    business_reason TEXT,
    header TEXT NOT NULL,
    verification TEXT NOT NULL,
    files TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('waiting','registered','refused','recalled','applied')),
    reason TEXT,
    notice TEXT,
    incoming_id INTEGER,
    original_id INTEGER,
    received_at TEXT NOT NULL,
    decided_by INTEGER,
    decided_at TEXT
  );
  CREATE INDEX idx_exchange_inbox_doc ON exchange_inbox(from_code, document_id);
  CREATE INDEX idx_exchange_inbox_state ON exchange_inbox(state, received_at);
  CREATE INDEX idx_exchange_inbox_incoming ON exchange_inbox(incoming_id) WHERE incoming_id IS NOT NULL;
  CREATE TABLE exchange_status_out (
    packet_id TEXT PRIMARY KEY,
    inbox_id INTEGER NOT NULL REFERENCES exchange_inbox(id),
    code TEXT NOT NULL,
    description TEXT,
    at TEXT NOT NULL,
    made INTEGER NOT NULL DEFAULT 0
  ) WITHOUT ROWID;
  CREATE INDEX idx_exchange_status_out_unmade ON exchange_status_out(at) WHERE made = 0;
  CREATE TABLE exchange_status_in (
    packet_id TEXT PRIMARY KEY,
    outgoing_id INTEGER NOT NULL REFERENCES outgoing(id),
    dispatch_id INTEGER NOT NULL REFERENCES outgoing_dispatches(id),
    from_code TEXT NOT NULL,
    code TEXT NOT NULL,
    description TEXT,
    staff TEXT,
    at TEXT,
    received_at TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX idx_exchange_status_in_dispatch ON exchange_status_in(dispatch_id, received_at);
  `,
  // 11: appendices inside the main PDF of an outgoing document (NĐ 30/2020 Phụ lục I): the pages where
  //    they start (JSON array, 1-based, increasing); the issue writes "số, ký hiệu; thời gian ký" on each.
  `
  ALTER TABLE outgoing ADD COLUMN appendix_pages TEXT NOT NULL DEFAULT '[]';
  `,
  // 12: the exchange's statuses become records that sync between the agency's workstations (docs/exchange.md):
  //    each gets a row id and a global id (rows from before: ids above the record sequence's reach and
  //    random UUIDv7s; the old tables had no rowid); the packet id stays unique.
  `
  CREATE TABLE exchange_status_out_v12 (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL UNIQUE,
    packet_id TEXT NOT NULL UNIQUE,
    inbox_id INTEGER NOT NULL REFERENCES exchange_inbox(id),
    code TEXT NOT NULL,
    description TEXT,
    at TEXT NOT NULL,
    made INTEGER NOT NULL DEFAULT 0
  );
  INSERT INTO exchange_status_out_v12 (id, global_id, packet_id, inbox_id, code, description, at, made)
    SELECT 4503599627370496 + row_number() OVER (ORDER BY packet_id), lower(printf('%s-%s-7%s-%s%s-%s', hex(randomblob(4)), hex(randomblob(2)), substr(hex(randomblob(2)), 2), substr('89ab', 1 + abs(random()) % 4, 1), substr(hex(randomblob(2)), 2), hex(randomblob(6)))), packet_id, inbox_id, code, description, at, made FROM exchange_status_out;
  DROP TABLE exchange_status_out;
  ALTER TABLE exchange_status_out_v12 RENAME TO exchange_status_out;
  CREATE INDEX idx_exchange_status_out_unmade ON exchange_status_out(at) WHERE made = 0;
  CREATE INDEX idx_exchange_status_out_inbox ON exchange_status_out(inbox_id);
  CREATE TABLE exchange_status_in_v12 (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL UNIQUE,
    packet_id TEXT NOT NULL UNIQUE,
    outgoing_id INTEGER NOT NULL REFERENCES outgoing(id),
    dispatch_id INTEGER NOT NULL REFERENCES outgoing_dispatches(id),
    from_code TEXT NOT NULL,
    code TEXT NOT NULL,
    description TEXT,
    staff TEXT,
    at TEXT,
    received_at TEXT NOT NULL
  );
  INSERT INTO exchange_status_in_v12 (id, global_id, packet_id, outgoing_id, dispatch_id, from_code, code, description, staff, at, received_at)
    SELECT 4503599627370496 + row_number() OVER (ORDER BY packet_id), lower(printf('%s-%s-7%s-%s%s-%s', hex(randomblob(4)), hex(randomblob(2)), substr(hex(randomblob(2)), 2), substr('89ab', 1 + abs(random()) % 4, 1), substr(hex(randomblob(2)), 2), hex(randomblob(6)))), packet_id, outgoing_id, dispatch_id, from_code, code, description, staff, at, received_at FROM exchange_status_in;
  DROP TABLE exchange_status_in;
  ALTER TABLE exchange_status_in_v12 RENAME TO exchange_status_in;
  CREATE INDEX idx_exchange_status_in_dispatch ON exchange_status_in(dispatch_id, received_at);
  `,
  // 13: an arrival and a status received are known by (sender, packet id) (docs/exchange.md, "Packet ids
  //    are the sender's"): two agencies' packets under one id both land. Every row keeps its from_code
  //    (NOT NULL since 10: the packet's signed sender, which the hub holds to the authenticated agency);
  //    new rows take the sender the transport proved. exchange_inbox is rebuilt under its child
  //    exchange_status_out, whose rows wait in a temporary table meanwhile (foreign keys stay on).
  `
  CREATE TABLE exchange_inbox_v13 (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL UNIQUE,
    packet_id TEXT NOT NULL,
    from_code TEXT NOT NULL,
    from_name TEXT NOT NULL,
    document_id TEXT NOT NULL,
    business_type INTEGER NOT NULL,
    business_reason TEXT,
    header TEXT NOT NULL,
    verification TEXT NOT NULL,
    files TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('waiting','registered','refused','recalled','applied')),
    reason TEXT,
    notice TEXT,
    incoming_id INTEGER,
    original_id INTEGER,
    received_at TEXT NOT NULL,
    decided_by INTEGER,
    decided_at TEXT,
    UNIQUE (from_code, packet_id)
  );
  INSERT INTO exchange_inbox_v13 (id, global_id, packet_id, from_code, from_name, document_id, business_type, business_reason, header, verification, files, state, reason, notice, incoming_id, original_id, received_at, decided_by, decided_at)
    SELECT id, global_id, packet_id, from_code, from_name, document_id, business_type, business_reason, header, verification, files, state, reason, notice, incoming_id, original_id, received_at, decided_by, decided_at FROM exchange_inbox;
  CREATE TEMP TABLE exchange_status_out_v13 AS SELECT id, global_id, packet_id, inbox_id, code, description, at, made FROM exchange_status_out;
  DROP TABLE exchange_status_out;
  DROP TABLE exchange_inbox;
  ALTER TABLE exchange_inbox_v13 RENAME TO exchange_inbox;
  CREATE INDEX idx_exchange_inbox_doc ON exchange_inbox(from_code, document_id);
  CREATE INDEX idx_exchange_inbox_state ON exchange_inbox(state, received_at);
  CREATE INDEX idx_exchange_inbox_incoming ON exchange_inbox(incoming_id) WHERE incoming_id IS NOT NULL;
  CREATE INDEX idx_exchange_inbox_packet ON exchange_inbox(packet_id);
  CREATE TABLE exchange_status_out (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL UNIQUE,
    packet_id TEXT NOT NULL UNIQUE,
    inbox_id INTEGER NOT NULL REFERENCES exchange_inbox(id),
    code TEXT NOT NULL,
    description TEXT,
    at TEXT NOT NULL,
    made INTEGER NOT NULL DEFAULT 0
  );
  INSERT INTO exchange_status_out (id, global_id, packet_id, inbox_id, code, description, at, made)
    SELECT id, global_id, packet_id, inbox_id, code, description, at, made FROM temp.exchange_status_out_v13;
  DROP TABLE temp.exchange_status_out_v13;
  CREATE INDEX idx_exchange_status_out_unmade ON exchange_status_out(at) WHERE made = 0;
  CREATE INDEX idx_exchange_status_out_inbox ON exchange_status_out(inbox_id);
  CREATE TABLE exchange_status_in_v13 (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL UNIQUE,
    packet_id TEXT NOT NULL,
    outgoing_id INTEGER NOT NULL REFERENCES outgoing(id),
    dispatch_id INTEGER NOT NULL REFERENCES outgoing_dispatches(id),
    from_code TEXT NOT NULL,
    code TEXT NOT NULL,
    description TEXT,
    staff TEXT,
    at TEXT,
    received_at TEXT NOT NULL,
    UNIQUE (from_code, packet_id)
  );
  INSERT INTO exchange_status_in_v13 (id, global_id, packet_id, outgoing_id, dispatch_id, from_code, code, description, staff, at, received_at)
    SELECT id, global_id, packet_id, outgoing_id, dispatch_id, from_code, code, description, staff, at, received_at FROM exchange_status_in;
  DROP TABLE exchange_status_in;
  ALTER TABLE exchange_status_in_v13 RENAME TO exchange_status_in;
  CREATE INDEX idx_exchange_status_in_dispatch ON exchange_status_in(dispatch_id, received_at);
  CREATE INDEX idx_exchange_status_in_packet ON exchange_status_in(packet_id);
  `,
  // 14: OCR of outgoing documents' files. The queue and the page texts name the record a file belongs
  //     to: an incoming document (attachments) or an outgoing one (outgoing_files; file ids come from
  //     the one record sequence, so they never collide with attachments'). The words read from an
  //     outgoing document's current files go into outgoing_fts (contentless, folded words only, rowid =
  //     the outgoing document), which the outgoing register's search reads beside the metadata.
  `
  CREATE TABLE ocr_queue_v14 (
    attachment_id INTEGER PRIMARY KEY,
    incoming_id INTEGER,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','done','failed')),
    pages INTEGER,
    pages_done INTEGER NOT NULL DEFAULT 0,
    pages_recognised INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    problem TEXT,
    queued_at TEXT NOT NULL,
    finished_at TEXT,
    outgoing_id INTEGER,
    CHECK ((incoming_id IS NULL) <> (outgoing_id IS NULL))
  );
  INSERT INTO ocr_queue_v14 (attachment_id, incoming_id, state, pages, pages_done, pages_recognised, attempts, problem, queued_at, finished_at)
    SELECT attachment_id, incoming_id, state, pages, pages_done, pages_recognised, attempts, problem, queued_at, finished_at FROM ocr_queue;
  DROP TABLE ocr_queue;
  ALTER TABLE ocr_queue_v14 RENAME TO ocr_queue;
  CREATE INDEX idx_ocr_queue_pending ON ocr_queue(attachment_id) WHERE state = 'pending';
  CREATE INDEX idx_ocr_queue_incoming ON ocr_queue(incoming_id) WHERE incoming_id IS NOT NULL;
  CREATE INDEX idx_ocr_queue_outgoing ON ocr_queue(outgoing_id) WHERE outgoing_id IS NOT NULL;
  CREATE TABLE ocr_pages_v14 (
    attachment_id INTEGER NOT NULL,
    page INTEGER NOT NULL,
    incoming_id INTEGER,
    source TEXT NOT NULL CHECK (source IN ('ocr','text')),
    text TEXT NOT NULL,
    done_at TEXT NOT NULL,
    outgoing_id INTEGER,
    PRIMARY KEY (attachment_id, page),
    CHECK ((incoming_id IS NULL) <> (outgoing_id IS NULL))
  ) WITHOUT ROWID;
  INSERT INTO ocr_pages_v14 (attachment_id, page, incoming_id, source, text, done_at)
    SELECT attachment_id, page, incoming_id, source, text, done_at FROM ocr_pages;
  DROP TABLE ocr_pages;
  ALTER TABLE ocr_pages_v14 RENAME TO ocr_pages;
  CREATE INDEX idx_ocr_pages_incoming ON ocr_pages(incoming_id) WHERE incoming_id IS NOT NULL;
  CREATE INDEX idx_ocr_pages_outgoing ON ocr_pages(outgoing_id) WHERE outgoing_id IS NOT NULL;
  CREATE VIRTUAL TABLE outgoing_fts USING fts5(
    body, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0'
  );
  `,
  // 15: a register's latest arrival in a year (the order check of every registration, incoming.ts
  //     orderIssues) by a seek. Over (year, arrival_date) the look-up walked the year's entries of the
  //     other registers down to one of this register: in a compartment that holds none of it (a secret
  //     register's arrivals are in another compartment than the ordinary one's) the whole year, every
  //     time (17 s of the database worker in a 100 000-record import).
  `
  CREATE INDEX idx_incoming_register_year ON incoming(register_id, year, arrival_date);
  `,
];

/** Tables of a compartment that hold records (each with a global_id), as the event log names them. */
export const COMPARTMENT_RECORD_TABLES = [
  'incoming', 'attachments', 'signatures', 'incoming_recipients', 'incoming_handovers', 'incoming_corrections', 'grants',
  'copy_approvals', 'copies', 'level_changes', 'holds', 'destructions', 'restrictions',
  'work_file_items',
  'processing_steps', 'processing_tasks',
  'outgoing', 'outgoing_files', 'outgoing_steps', 'outgoing_signatures', 'outgoing_recipients', 'outgoing_dispatches',
  'exchange_inbox', 'exchange_status_out', 'exchange_status_in',
] as const;
export type CompartmentTable = (typeof COMPARTMENT_RECORD_TABLES)[number];

/** The compartment's schema is older than this build's. */
export const compartmentBehind = (db: Db): boolean => (db.pragma('user_version', { simple: true }) as number) < COMPARTMENT_MIGRATIONS.length;

/**
 * Brings a compartment database (its own connection, keyed) to this build's schema, one step per
 * transaction; `report` hears each step begin and end (the vault runs an existing compartment's
 * migrations on the database worker and shows them).
 */
export function migrateCompartment(db: Db, level: string, profileId: string, report?: (status: MigrationStatus) => void): void {
  const from = db.pragma('user_version', { simple: true }) as number;
  const steps = Math.max(1, COMPARTMENT_MIGRATIONS.length - from);
  for (;;) {
    const done = db.transaction(() => {
      const v = db.pragma('user_version', { simple: true }) as number;
      if (v > COMPARTMENT_MIGRATIONS.length) throw new Error(`compartment schema ${v} is newer than this build (${COMPARTMENT_MIGRATIONS.length})`);
      if (v === COMPARTMENT_MIGRATIONS.length) return true;
      const step = Math.min(steps, v - from + 1);
      report?.({ step, steps, done: 0, total: 1 });
      db.exec(COMPARTMENT_MIGRATIONS[v]!);
      if (v === 0) {
        db.prepare("INSERT INTO compartment (key, value) VALUES ('level', ?), ('profile', ?)").run(level, profileId);
      }
      db.pragma(`user_version = ${v + 1}`);
      report?.({ step, steps, done: 1, total: 1 });
      return false;
    }).immediate();
    if (done) return;
  }
}

/** The level and profile a compartment file says it belongs to. */
export function compartmentIdentity(db: Db, schema = 'main'): { level?: string; profile?: string } {
  const rows = db.prepare(`SELECT key, value FROM ${schema}.compartment`).all() as Array<{ key: string; value: string }>;
  return Object.fromEntries(rows.map((r) => [r.key, r.value]));
}
