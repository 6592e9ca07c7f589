// The wire protocol between a workstation and its agency server, shared by both ends (the server
// imports it too, so it stays free of Electron and of the workstation's database).
import { SECRECY_LEVELS, type Secrecy } from '../../../common/domain';

export const API = '/v1';

/** A log the server carries: the base's (people, units, registers) or one secrecy level's. */
export type Channel = 'base' | Secrecy;
export const CHANNELS: readonly Channel[] = ['base', ...SECRECY_LEVELS];
export const isChannel = (s: unknown): s is Channel => typeof s === 'string' && (CHANNELS as readonly string[]).includes(s);

/** Channels whose batches the server stores as it receives them; the others it cannot read. */
export const CLEAR_CHANNELS: ReadonlySet<Channel> = new Set(['base', 'thuong']);
export const isClassified = (c: Channel): boolean => !CLEAR_CHANNELS.has(c);

/** The channel a level's clearance must reach; base needs no clearance beyond being an agency person. */
export const channelRank = (c: Channel): number => (c === 'base' ? 0 : SECRECY_LEVELS.indexOf(c));

export type Encoding = 'clear' | 'aes-256-gcm';

/** What a workstation posts: one batch of events of one channel. */
export interface BatchUpload {
  batchId: string;
  channel: Channel;
  /** Level key id the batch is sealed under (classified channels only). */
  keyId: string | null;
  encoding: Encoding;
  eventIds: string[];
  /** base64: JSON of the events (clear) or the sealed bytes (aes-256-gcm). */
  payload: string;
}

export interface BatchPushResult {
  seq: number;
  /** false when the server already held this batch (a retry): nothing was stored again. */
  stored: boolean;
}

/** A batch as the server lists it after a cursor. */
export interface BatchListing {
  seq: number;
  batchId: string;
  channel: Channel;
  keyId: string | null;
  encoding: Encoding;
  origin: string;
  eventIds: string[];
  size: number;
  sha256: string;
  receivedAt: string;
  /** base64, only when the batch is small; otherwise fetch `${API}/batches/<seq>/payload` (Range). */
  payload?: string;
}

/**
 * The sync log's long poll (GET /v1/events/wait?after=base:12,mat:40&waitMs=20000): the channels, of
 * those asked, holding a batch from another workstation after the cursor given; empty when none came
 * before the wait ended.
 */
export interface EventsWaitResult {
  channels: Channel[];
}

/** The `after` of an events wait: channel:cursor pairs, each channel once. */
export function eventsWaitAfter(cursors: ReadonlyArray<readonly [Channel, number]>): string {
  return cursors.map(([c, n]) => `${c}:${n}`).join(',');
}

export interface BatchPage {
  batches: BatchListing[];
  /** The cursor to ask from next time (the last seq looked at). */
  next: number;
  more: boolean;
  /** The store's last batch seq: below a cursor the workstation holds, the store went back (restored). */
  head: number;
  /** The last restore marked on the store (`RestoreMark.id`), null when it never was restored. */
  incarnation: string | null;
  /**
   * Which batch the store holds at `after` and at `next` (`batchFingerprint`, null: none): a
   * workstation that finds another batch at its cursor than the one it read there is talking to a
   * store that went back and took new batches since (restored, then run before it was marked).
   */
  at?: { after: string | null; next: string | null };
}

/** POST /v1/events/at: which batch the store holds at each of these seqs (a check of a workstation's cursors). */
export interface EventsAtRequest {
  seqs: number[];
}
export interface EventsAtResult {
  head: number;
  incarnation: string | null;
  /** `batchFingerprint` of the batch at each seq asked, in order; null where there is none. */
  at: Array<string | null>;
}
export const EVENTS_AT_MAX = 512;

/**
 * A restore of the agency server's store to an older point, marked by its operator (docs/server.md,
 * "Backup"): a workstation that had read or sent past these heads reads again from them and sends
 * again what the store lost.
 */
export interface RestoreMark {
  id: string;
  markedAt: string;
  batchesHead: number;
  keyringsHead: number;
}

/** GET /v1/restores: every restore marked, oldest first. */
export interface RestoreList {
  restores: RestoreMark[];
}

/** POST /v1/events/known: which of these events of the channel the store holds (a re-send after a restore). */
export interface KnownEventsRequest {
  channel: Channel;
  eventIds: string[];
}
export interface KnownEventsResult {
  known: string[];
}
export const KNOWN_EVENTS_MAX = 1000;

export interface KeyringUpload {
  channel: Channel;
  keyId: string;
  /** base64 CMS AuthEnvelopedData (the level key wrapped for its holders' certificates). */
  payload: string;
}

export interface KeyringListing {
  seq: number;
  channel: Channel;
  keyId: string;
  size: number;
  sha256: string;
  receivedAt: string;
  payload: string;
}

export interface NonceResponse {
  nonce: string;
  expiresAt: string;
}

export interface SessionRequest {
  nonce: string;
  workstation: string;
  /** base64 DER certificate of the key that signed. */
  certificate: string;
  algorithm: 'RSASSA-PKCS1-v1_5-SHA256' | 'ECDSA-SHA256';
  /** base64 signature over authChallenge(...). */
  signature: string;
}

export interface SessionResponse {
  token: string;
  expiresAt: string;
  person: string;
  role: string;
  clearance: Secrecy;
}

/**
 * The bytes the token signs to open a session: the server's nonce, the workstation, and the
 * SHA-256 of the server certificate the client saw in TLS, so a signature made for one server
 * cannot be replayed to another.
 */
export function authChallenge(nonce: string, workstation: string, serverCertSha256: string): Uint8Array {
  return new TextEncoder().encode(`securedesk-server-auth-v1\n${nonce}\n${workstation}\n${serverCertSha256.toLowerCase()}`);
}

/** Errors the server returns: `{ error: code, message }`. */
export type ServerErrorCode =
  | 'bad-request' | 'unauthenticated' | 'forbidden' | 'not-found' | 'conflict' | 'too-large' | 'rate-limited' | 'range' | 'internal'
  // edXML packets between agencies (main/core/sync/packets/protocol.ts)
  | 'not-a-packet' | 'packet-id-mismatch' | 'wrong-sender' | 'unknown-recipient' | 'bad-signature' | 'changed-body'
  // an inbound packet's take or decision is held by another workstation of the agency
  | 'claimed-elsewhere'
  // a workstation an administrator declared lost for good (its late requests), and declaring one's own
  | 'workstation-lost' | 'own-workstation'
  // the hub: an agency server's TLS client certificate is revoked (the hub's CRLs)
  | 'certificate-revoked'
  // the hub: an agency's delivery cursor past anything this store listed to it (the store was restored to an older point)
  | 'cursor-ahead'
  // resumable uploads (main/core/sync/resumableUpload.ts): a chunk not at the offset held; a whole that is not what was announced
  | 'upload-offset' | 'upload-digest'
  // shared registers' numbers (main/core/sync/numbers/protocol.ts)
  | 'not-home' | 'number-taken' | 'record-numbered' | 'register-level' | 'year-closed'
  // moving a register's home (an administrator): the register or workstation unknown, already the home; a former home's late number
  | 'unknown-register' | 'unknown-workstation' | 'already-home' | 'home-moved';
