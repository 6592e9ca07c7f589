// Which columns of a replicated record name another record. Local row ids mean nothing on another
// workstation, so an event leaves with these columns rewritten to the referenced records' global ids
// and is applied with them rewritten back to the receiver's own ids. The list is explicit (most
// references cross from a compartment file to the base, where SQLite cannot declare them), and a test
// fails when a migration adds an id-like column that is in neither list below.
import type { RecordTable } from '../events/eventLog';

/** A reference: the table it points into; `via` names a column of the same row that already holds the global id. */
export interface Reference {
  table: RecordTable;
  via?: string;
  /**
   * Soft: the referenced record may be one the receiver cannot hold (another level's compartment it has
   * no key for, a record destroyed since). The reference becomes null instead of holding the event back.
   */
  soft?: boolean;
}

const users: Reference = { table: 'users' };
const units: Reference = { table: 'internal_units' };
const incoming: Reference = { table: 'incoming' };
const outgoing: Reference = { table: 'outgoing' };

export const REFERENCES: Record<RecordTable, Record<string, Reference>> = {
  units: {},
  users: { unit_id: units },
  user_certificates: { user_id: users, bound_by: users },
  numbering_scopes: {},
  registers: { scope_id: { table: 'numbering_scopes' } },
  incoming: { register_id: { table: 'registers' }, issuer_unit_id: { table: 'units' }, registered_by: users, named_user_id: users },
  attachments: { incoming_id: incoming, draft_step_id: { table: 'processing_steps' } },
  signatures: { incoming_id: incoming, attachment_id: { table: 'attachments' }, signed_by: users },
  internal_units: { parent_id: units },
  incoming_recipients: { incoming_id: incoming, internal_unit_id: units, user_id: users },
  incoming_handovers: { incoming_id: incoming, internal_unit_id: units, user_id: users, handed_by: users, acknowledged_by: users },
  incoming_corrections: { incoming_id: incoming, corrected_by: users },
  register_years: { register_id: { table: 'registers' }, closed_by: users },
  user_prefs: { user_id: users },
  grants: { incoming_id: incoming, user_id: users, granted_by: users, revoked_by: users },
  copy_approvals: { incoming_id: incoming, for_user_id: users, allowed_by: users },
  copies: { incoming_id: incoming, allowed_by: users, approval_id: { table: 'copy_approvals' }, made_by: users },
  level_changes: { incoming_id: incoming, proposed_by: users, confirmed_by: users },
  holds: { incoming_id: incoming, placed_by: users, released_by: users },
  // The destroyed record is gone by the time its destruction is applied; its global id stays in the row.
  destructions: { incoming_id: { table: 'incoming', via: 'incoming_global_id', soft: true }, register_id: { table: 'registers' }, destroyed_by: users },
  restrictions: { incoming_id: incoming, placed_by: users, lifted_by: users },
  secret_register_years: { closed_by: users, printed_by: users },
  internal_unit_names: { unit_id: units, recorded_by: users },
  internal_unit_links: { predecessor_id: units, successor_id: units, recorded_by: users },
  authorities: { user_id: users, unit_id: units, granted_by: users, ended_by: users },
  work_files: {
    responsible_unit_id: units, responsible_user_id: users, created_by: users, opened_by: users, closed_by: users,
    transfer_id: { table: 'archive_transfers' },
  },
  work_file_years: { closed_by: users },
  archive_transfers: { handed_by: users },
  work_file_items: {
    work_file_id: { table: 'work_files', via: 'work_file_global_id' },
    // record_id names a record of the kind in `kind`; resolved by its global id (see KIND_TABLES).
    incoming_id: incoming, added_by: users,
  },
  processing_steps: {
    incoming_id: incoming, actor_id: users, task_id: { table: 'processing_tasks' }, revises_id: { table: 'processing_steps' },
    to_user_id: users, to_unit_id: units,
  },
  processing_tasks: {
    incoming_id: incoming, user_id: users, unit_id: units, parent_id: { table: 'processing_tasks' },
    direction_id: { table: 'processing_steps' }, created_by: users,
  },
  outgoing: {
    signer_id: users, drafted_by: users, register_id: { table: 'registers' }, issued_by: users, recalled_by: users,
    replaces_id: { ...outgoing, soft: true }, replaced_by_id: { ...outgoing, soft: true },
  },
  outgoing_files: { outgoing_id: outgoing },
  outgoing_steps: { outgoing_id: outgoing, actor_id: users },
  outgoing_signatures: { outgoing_id: outgoing, file_id: { table: 'outgoing_files' }, signed_by: users },
  outgoing_recipients: { outgoing_id: outgoing, internal_unit_id: units, unit_id: { table: 'units' } },
  outgoing_dispatches: { outgoing_id: outgoing, recipient_id: { table: 'outgoing_recipients' } },
  register_closings: { closed_by: users },
  work_file_shares: { work_file_id: { table: 'work_files' }, user_id: users, shared_by: users, withdrawn_by: users },
  signature_images: { user_id: users, set_by: users },
  // An arrival and its registration travel in the same level's stream; the arrival it replaces may be gone.
  exchange_inbox: { incoming_id: incoming, original_id: { table: 'exchange_inbox', soft: true }, decided_by: users },
  exchange_status_out: { inbox_id: { table: 'exchange_inbox' } },
  exchange_status_in: { outgoing_id: outgoing, dispatch_id: { table: 'outgoing_dispatches' } },
};

/** References inside JSON text columns: column -> dotted path -> reference (always soft). */
export const JSON_REFERENCES: Partial<Record<RecordTable, Record<string, Record<string, Reference>>>> = {
  processing_steps: {
    data: {
      from: { table: 'processing_tasks', soft: true },
      attachmentId: { table: 'attachments', soft: true },
      'reply.outgoingId': { table: 'outgoing', soft: true },
    },
  },
};

/** Polymorphic references: the table named by a kind column, resolved through a global id column. */
export const KIND_REFERENCES: Partial<Record<RecordTable, { column: string; kindColumn: string; via: string; tables: Record<string, RecordTable> }>> = {
  work_file_items: { column: 'record_id', kindColumn: 'kind', via: 'record_global_id', tables: { incoming: 'incoming', outgoing: 'outgoing', draft: 'outgoing' } },
};

/**
 * Id-like columns that are not references, each with why: text names and dates whose names happen to
 * look like ids. The completeness test reads this list.
 */
export const NOT_REFERENCES: Partial<Record<RecordTable, Record<string, string>>> = {
  incoming: { signer: "the signer's name as printed on the document" },
  incoming_handovers: { ack_signer: 'the name on the acknowledging certificate' },
  internal_units: { valid_to: 'a date' },
  internal_unit_names: { valid_to: 'a date' },
  authorities: { valid_to: 'a date' },
  archive_transfers: { received_by: "the archive officer's name (not a person of the profile)" },
  exchange_inbox: { packet_id: "the transport's packet id (the same on every workstation)", document_id: "the sender's DocumentId (agency code, date, number)" },
  exchange_status_out: { packet_id: "the status packet's id (derived, the same on every workstation)" },
  exchange_status_in: { packet_id: "the recipient's status packet id" },
};
