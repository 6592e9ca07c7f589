// The wire protocol of edXML packet transport, shared by the workstation, the agency server and the
// hub (docs/server.md, "Packets between agencies"). Packets travel as opaque bytes: a clear edXML
// packet (Thường) or a sealed one behind its routing header (Mật and above); the servers read only
// the addresses (routing header, or MessageHeader From/To) and never the content.
export const PACKET_ID_RE = /^[0-9A-Za-z-]{8,64}$/;

/** Why a server refuses a packet (`{ error, message }` with the HTTP status below). */
export type PacketErrorCode =
  | 'not-a-packet' // 400: neither a sealed packet nor readable edXML (or no From/To)
  | 'packet-id-mismatch' // 400: the routing header names another packet id than the request
  | 'wrong-sender' // 403: From is not the agency that sends it
  | 'unknown-recipient' // 422: a To the directory does not know
  | 'bad-signature' // 422: a clear packet without a valid signature of the sender's certificate
  | 'changed-body' // 409: a packet id already stored with other bytes
  | 'too-large'; // 413

/**
 * The answer to a submitted packet: stored now, or already stored with the same bytes (a retry or a
 * replay), or `sent-elsewhere`: another workstation of the agency submitted this packet id first (the
 * same logical packet: ids are deterministic per dispatch and per status; made on two workstations
 * before their records synced, the bytes differ by signature time or seal). `sha256` is then the
 * stored packet's; the workstation's own copy is not sent.
 */
export interface PacketSubmitResult {
  result: 'stored' | 'duplicate' | 'sent-elsewhere';
  packetId: string;
  sha256: string;
}

/**
 * Exactly once across an agency's workstations (docs/exchange.md): `take` says which workstation took an
 * inbound packet into its exchange (final); `decide` which one registers or refuses the arrival (released
 * by its holder when its local decision failed). POST claims (200 mine, 409 `claimed-elsewhere` with the
 * holder), DELETE releases one's own, GET reads both.
 */
export type ClaimKind = 'take' | 'decide';

/**
 * An inbound packet's identity at the agency server and on its workstations: the sending agency (as the
 * hub authenticated it) and that agency's packet id (docs/server.md, "Packet ids are the sender's").
 */
export interface PacketKey { from: string; packetId: string }
/** A PacketKey as one string (a batch answer's key): agency codes and packet ids hold no "/". */
export const packetKeyString = (k: PacketKey): string => `${k.from}/${k.packetId}`;

export interface PacketClaim {
  kind: ClaimKind;
  packetId: string;
  /** The packet's sender (absent from an agency server before claims named it). */
  from?: string;
  workstation: string;
  person: string;
  claimedAt: string;
  /** The asking workstation holds it. */
  mine: boolean;
  /**
   * A decide claim released from a workstation declared lost, refused for now: the asking workstation has
   * not kept the sync log up to the declaration's watermark in these channels (pull, then ask again).
   */
  waiting?: ClaimWaiting;
  /** A decide claim granted after a release: the lost workstation that had held it. */
  releasedFrom?: { workstation: string; releasedAt: string };
}
export interface ClaimWaiting { reason: 'sync-behind'; releasedAt: string; channels: Array<{ channel: string; needed: number; reached: number; served?: number }> }
export interface PacketClaims { take: PacketClaim | null; decide: PacketClaim | null }

/**
 * A page's takes in one request (`POST /v1/packets/inbox/claims`): `take` is claimed for every packet
 * in `take` (first insert wins, as one POST each), and the take held on every packet in `read` is read
 * (a packet this workstation does not take now, whose level its văn thư does not hold). Packets the
 * agency does not hold refuse the whole request (404), before anything is claimed.
 */
export const CLAIMS_BATCH_MAX = 500;
/**
 * Each packet named by its PacketKey (answered under packetKeyString), or by its id alone (a workstation
 * from before: the first packet the agency stored under that id, answered under the id).
 */
export interface PacketClaimsBatch { take: Array<PacketKey | string>; read: Array<PacketKey | string> }
export interface PacketClaimsBatchAnswer {
  /** Per packet named in `take`: the take claim now held (mine or another workstation's). */
  take: Record<string, PacketClaim>;
  /** Per packet named in `read`: the take claim held, or null. */
  read: Record<string, PacketClaim | null>;
}

/**
 * A take released by an administrator because the workstation holding it is lost for good
 * (docs/server.md): the agency's other workstations pick releases up after their cursor
 * (`GET /v1/packets/releases?after=`) and may take the packet again (`inbound`: its listing, payload by seq).
 */
export interface ClaimRelease {
  seq: number;
  packetId: string;
  kind: ClaimKind;
  /** The lost workstation that held it. */
  workstation: string;
  releasedBy: string;
  releasedAt: string;
  inbound: PacketListing;
}
export interface ClaimReleasePage { releases: ClaimRelease[]; next: number; more: boolean }

/** A workstation declared lost for good (`POST /v1/admin/workstations/<id>/lost`, administrators). */
export interface LostWorkstation {
  workstation: string;
  declaredBy: string;
  reason: string;
  declaredAt: string;
  /** Packet ids whose take it held, released by the declaration. */
  released: string[];
  /** Packet ids whose decide claim it held, released by the declaration (granted only past the watermark). */
  releasedDecisions?: string[];
  /** The sync log's head per channel at the declaration: a released decide claim waits for a workstation that kept it. */
  watermark?: Record<string, number>;
}
export const ADMIN_WORKSTATIONS_API = '/v1/admin/workstations';

/** One workstation as the agency server knows it (`GET /v1/admin/workstations`, administrators). */
export interface AgencyWorkstation {
  id: string;
  /** First and last sign-in or push; null for a workstation declared lost that never signed in. */
  firstSeen: string | null;
  lastSeen: string | null;
  /** The person (server configuration's `person`) who last signed in from it. */
  lastPerson: string | null;
  /** Events it pushed. */
  pushed: number;
  lost: { declaredBy: string; reason: string; declaredAt: string } | null;
}
export interface AgencyWorkstationsPage {
  workstations: AgencyWorkstation[];
  counts: Record<string, { batches: number; events: number }>;
  head: number;
}

/** An inbound packet as a listing shows it (agency server → workstation, hub → agency server). */
export interface PacketListing {
  seq: number;
  packetId: string;
  from: string;
  to: string[];
  size: number;
  sha256: string;
  /** When the first server of the path (the hub, for the agency server) took it. */
  receivedAt: string;
  /** base64, only when small; otherwise GET .../<seq>/payload (Range, If-Range). */
  payload?: string;
}

export interface PacketPage {
  packets: PacketListing[];
  next: number;
  more: boolean;
  /** The hub's last restore mark (`--mark-restored` on the hub), null when never restored; absent from an agency server. */
  incarnation?: string | null;
}

/** POST /v1/hub/packets/held: which of these packets of the asking agency the hub holds (after a restore of the hub). */
export interface HeldPacketsRequest {
  packetIds: string[];
}
export interface HeldPacketsResult {
  held: string[];
}
export const HELD_PACKETS_MAX = 1000;

/**
 * POST /v1/packets/held (agency server, a workstation asking): where each of these packets the agency's
 * workstations submitted is now; a packet the server does not hold is left out. A workstation keeps a
 * sent packet's body until the server has passed it on (`forwarded`) or refused it: an agency server
 * restored from a backup no longer holds what it took after the backup, and the body is sent again.
 */
export interface OutboundHeldRequest {
  packetIds: string[];
}
export interface OutboundHeldResult {
  packets: Array<{ packetId: string; state: OutboundState['state'] }>;
}

/** Where a packet a workstation submitted is on its way out (agency server's view). */
export interface OutboundState {
  packetId: string;
  state: 'queued' | 'forwarded' | 'refused';
  attempts: number;
  errorCode: string | null;
  error: string | null;
  forwardedAt: string | null;
}

/**
 * A permanent refusal of a packet on its way out (the hub refused it: unknown recipient, too large, bad
 * signature...), as the agency server tells its workstations (`GET /v1/packets/refusals?after=`): numbered
 * in the order they were made; `workstation` is the one that submitted the packet.
 */
export interface PacketRefusal {
  seq: number;
  packetId: string;
  code: string;
  /** The refusing server's words (English, for the log); the window says it in Vietnamese by `code`. */
  message: string;
  workstation: string;
  refusedAt: string;
}
export interface PacketRefusalPage { refusals: PacketRefusal[]; next: number; more: boolean }

/** One agency of the directory the hub keeps (certificates as PEM). */
export interface DirectoryAgency {
  code: string;
  name: string;
  aliases: string[];
  /** The certificate sealed packets are encrypted for (RSA, keyEncipherment). */
  encryptionCertificate: string;
  /** The certificates whose XML-DSig signatures the agency's clear packets carry. */
  signingCertificates: string[];
}

export interface Directory {
  /** SHA-256 of the agencies' JSON: changes whenever an entry does. */
  version: string;
  issuedAt: string;
  agencies: DirectoryAgency[];
}

export const PACKETS_API = '/v1/packets';
export const DIRECTORY_API = '/v1/directory';
export const HUB_API = '/v1/hub';
