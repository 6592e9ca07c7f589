// The server's tables as Kysely sees them. Only what routing needs is a column; the payload of a
// classified batch is the workstation's ciphertext, kept as it came.
import type { Generated } from 'kysely';

export interface CountersTable {
  name: string;
  value: number | string; // bigint: pg returns it as a string
}

export interface BatchesTable {
  seq: number | string;
  batch_id: string;
  channel: string;
  key_id: string | null;
  encoding: string;
  origin: string;
  person: string;
  event_ids: string; // JSON array
  event_count: number;
  size: number;
  sha256: string;
  received_at: string;
  payload: Buffer;
}

export interface BatchEventsTable {
  channel: string;
  event_id: string;
  batch_id: string;
}

export interface KeyringsTable {
  seq: number | string;
  channel: string;
  key_id: string;
  sha256: string;
  origin: string;
  person: string;
  size: number;
  received_at: string;
  payload: Buffer;
}

export interface WorkstationsTable {
  id: string;
  first_seen: string;
  last_seen: string;
  last_person: string;
  pushed: Generated<number>;
}

export interface PacketsOutTable {
  seq: number | string;
  packet_id: string;
  sha256: string;
  size: number;
  kind: string;
  from_code: string;
  to_codes: string; // JSON array
  person: string;
  workstation: string;
  received_at: string;
  state: string; // queued | forwarded | refused
  attempts: Generated<number>;
  next_attempt_at: string | null;
  error_code: string | null;
  last_error: string | null;
  forwarded_at: string | null;
}

/** An outbound packet's bytes, apart from its row: the row's state changes would rewrite them (SQLite). */
export interface PacketsOutPayloadsTable {
  seq: number | string;
  payload: Buffer;
}

export interface PacketsInTable {
  seq: number | string;
  packet_id: string;
  sha256: string;
  size: number;
  from_code: string;
  to_codes: string;
  received_at: string;
  stored_at: string;
  payload: Buffer;
}

export interface HubPacketsTable {
  packet_id: string;
  sha256: string;
  size: number;
  kind: string;
  from_code: string;
  to_codes: string;
  received_at: string;
  payload: Buffer;
  /** When the last of its recipients acknowledged it (null: still waiting). */
  delivered_at: string | null;
  /** When its bytes were purged (payload emptied), retentionDays after delivered_at. */
  purged_at: string | null;
}

/** The delivery cursor each agency acknowledged by pulling after it. */
export interface HubCursorsTable {
  recipient: string;
  acked: number | string;
  acked_at: string;
  /** The furthest delivery listed to it (null: not since the hub kept it). */
  served: number | string | null;
}

export interface BlobsTable {
  channel: string;
  /** SHA-256 of the plain file (the name records give it); the server cannot check it. */
  sha256: string;
  /** SHA-256 of the sealed bytes stored (ETag; checked at upload). */
  sealed_sha256: string;
  size: number | string;
  origin: string;
  person: string;
  received_at: string;
  payload: Buffer;
}

export interface HubDeliveriesTable {
  seq: number | string;
  recipient: string;
  /** The packet's sender: a packet is (from_code, packet_id) at the hub (server migration 0012). */
  from_code: string;
  packet_id: string;
}

export interface PacketClaimsTable {
  /** The sending agency, as the hub proved it (migration 0013): a claim names (sender, packet id). */
  from_code: string;
  packet_id: string;
  kind: string;
  workstation: string;
  person: string;
  claimed_at: string;
}

export interface LostWorkstationsTable {
  workstation: string;
  declared_by: string;
  declared_from: string;
  reason: string;
  declared_at: string;
}

/** A workstation's pull position in one channel, as the server served it (migration 0015). */
export interface PullCursorsTable {
  workstation: string;
  channel: string;
  /** The end of what the server handed it contiguously from seq 0. */
  served: number | string;
  /** The highest cursor it asked from within `served`: what it kept. */
  acked: number | string;
  updated_at: string;
}

/** The sync log's head per channel when a workstation was declared lost (migration 0015). */
export interface LostWatermarksTable {
  workstation: string;
  channel: string;
  seq: number | string;
}

export interface ClaimReleasesTable {
  seq: number | string;
  /** The released packet's sender (migration 0013; '' for a release whose packet the agency no longer held). */
  from_code: string;
  packet_id: string;
  kind: string;
  workstation: string;
  claimed_at: string;
  released_by: string;
  released_at: string;
}

export interface PacketRefusalsTable {
  seq: number | string;
  packet_id: string;
  code: string;
  message: string;
  workstation: string;
  refused_at: string;
}

export interface NumberCountersTable {
  register_gid: string;
  period: string;
  bucket: string;
  last: number | string;
}

export interface NumberAllocationsTable {
  record_gid: string;
  register_gid: string;
  period: string;
  bucket: string;
  number: number | string;
  workstation: string;
  person: string;
  allocated_at: string;
  source: string; // server | home | void | rebuilt (after a restore, from a workstation's record)
}

export interface RegisterHomesTable {
  register_gid: string;
  workstation: string;
  named_by: string;
  named_at: string;
}

export interface RegisterHomeMovesTable {
  move_id: string;
  register_gid: string;
  from_workstation: string | null;
  to_workstation: string;
  moved_by: string;
  moved_from: string;
  reason: string;
  moved_at: string;
}

export interface UploadsTable {
  id: string;
  owner: string;
  upload_key: string;
  total: number | string;
  sha256: string;
  received: number | string;
  created_at: string;
  updated_at: string;
}

export interface UploadChunksTable {
  upload_id: string;
  start_at: number | string;
  payload: Buffer;
}

export interface ServerStateTable {
  key: string;
  value: string;
}

/** A register as the numbering routes know it from the base's clear events: the clearance it takes. */
export interface NumberRegistersTable {
  register_gid: string;
  min_rank: number;
}

/** A register's year closed (its book printed and signed): no number is allocated in it. `secret-incoming`: the secret registers'. */
export interface NumberClosedYearsTable {
  register_gid: string;
  year: number;
}

/** A restore of the store to an older point, marked by the operator (`--mark-restored`, docs/server.md "Backup"). */
export interface RestoresTable {
  serial: number;
  id: string;
  marked_at: string;
  /** The heads of the restored store when it was marked: every workstation reads again from there. */
  batches_head: number | string;
  keyrings_head: number | string;
}

export interface RestoreNumberReportsTable {
  restore_id: string;
  workstation: string;
  person: string;
  reported_at: string;
  raised: number;
  /** 1 once a report of this workstation came in whole: its last chunk arrived (migration 0020). */
  complete: number;
  /** The highest clearance (secrecy rank) of the people whose reports these were (migration 0020). */
  clearance: number;
}

/** A sequence's counter in the restored store when the restore was marked (migration 0018). */
export interface RestoreCountersTable {
  restore_id: string;
  register_gid: string;
  period: string;
  bucket: string;
  last: number | string;
}

/** The last a workstation reported of a sequence after a restore (migration 0019): the bound of the rows it may rebuild. */
export interface RestoreReportedLastsTable {
  restore_id: string;
  workstation: string;
  register_gid: string;
  period: string;
  bucket: string;
  last: number | string;
}

export interface ServerDatabase {
  counters: CountersTable;
  restores: RestoresTable;
  restore_number_reports: RestoreNumberReportsTable;
  restore_counters: RestoreCountersTable;
  restore_reported_lasts: RestoreReportedLastsTable;
  batches: BatchesTable;
  batch_events: BatchEventsTable;
  keyrings: KeyringsTable;
  workstations: WorkstationsTable;
  packets_out: PacketsOutTable;
  packets_out_payloads: PacketsOutPayloadsTable;
  packets_in: PacketsInTable;
  hub_packets: HubPacketsTable;
  hub_deliveries: HubDeliveriesTable;
  hub_cursors: HubCursorsTable;
  server_state: ServerStateTable;
  blobs: BlobsTable;
  packet_claims: PacketClaimsTable;
  lost_workstations: LostWorkstationsTable;
  claim_releases: ClaimReleasesTable;
  pull_cursors: PullCursorsTable;
  lost_watermarks: LostWatermarksTable;
  packet_refusals: PacketRefusalsTable;
  number_counters: NumberCountersTable;
  number_allocations: NumberAllocationsTable;
  register_homes: RegisterHomesTable;
  register_home_moves: RegisterHomeMovesTable;
  number_registers: NumberRegistersTable;
  number_closed_years: NumberClosedYearsTable;
  uploads: UploadsTable;
  upload_chunks: UploadChunksTable;
}
