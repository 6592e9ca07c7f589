// The one IPC contract. Main's router, the preload bridge, the renderer's typed client and the
// development host are all derived from this object; nobody else spells a channel name.
import { z } from 'zod';
import type { DeskErrorPayload, Msg } from './errors';
import { ROLES, SECRECY_LEVELS, type ArrivalChannel, type AuthorityKind, type SigningPrefix, type UnitRole, type IncomingStatus, type NumberingPreset, type ResetPeriod, type Right, type Role, type Secrecy, type Urgency } from './domain';
import { draftKindSchema, draftSaveSchema, type SavedDraft } from './drafts';
import { IMPORT_ENCODINGS, windowMappingSchema, type ImportEncoding, type Mapping as ImportMapping } from './importMapping';
import type { DispatchStatus, OutgoingStatus, OutgoingStepKind } from './outgoing';
import {
  outgoingApproveChangesSchema, outgoingConfigSchema, outgoingSealSchema, outgoingCreateSchema, outgoingListSchema, outgoingRecallSchema, outgoingRegisterSchema,
  registerCloseSchema, workFileShareSchema, signatureImageSetSchema,
  exchangeFileSchema, exchangeInboxListSchema, exchangeRefuseSchema, exchangeRegisterSchema, outgoingUpdateSchema, outgoingTakeBackSchema, outgoingResendSchema,
  outgoingReplaceSchema, outgoingReturnSchema, outgoingReviseSchema, outgoingStepSchema,
} from './schemas';
import {
  allowCopySchema,
  extendProtectionSchema,
  restrictSchema,
  registerOutputSchema,
  secretRegisterCloseSchema,
  secretRegisterViewSchema,
  closeYearSchema,
  confirmLevelChangeSchema,
  destroySchema,
  grantSchema,
  holdSchema,
  levelChangeSchema,
  makeCopySchema,
  releaseHoldSchema,
  revokeGrantSchema,
  handOverSchema,
  incomingCorrectionSchema,
  internalUnitAddSchema,
  internalUnitUpdateSchema,
  authorityEndSchema,
  authorityGrantSchema,
  memberSetSchema,
  structureImportSchema,
  unitCreateSchema,
  unitMergeSchema,
  unitRenameSchema,
  unitSplitSchema,
  registerCreateSchema,
  registerUpdateSchema,
  registerMoveHomeSchema,
  scopeInputSchema,
  scopeUpdateSchema,
  incomingFilterSchema,
  incomingListSchema,
  incomingRegisterSchema,
  newUserSchema,
  pinSchema,
  m,
  secrecySchema,
  setupWithTokenSchema,
  tokenRefSchema,
  auditSearchSchema,
  auditExportSchema,
  workFileCreateSchema,
  workFileUpdateSchema,
  workFileItemSchema,
  workFileCloseSchema,
  workFileYearSchema,
  archiveTransferSchema,
  archiveDueSchema,
  type WORK_FILE_ITEM_KINDS,
  processingAssignSchema,
  processingCompleteSchema,
  processingDecisionSchema,
  processingDirectSchema,
  processingExtensionSchema,
  processingInboxSchema,
  processingProgressSchema,
  processingReturnSchema,
  processingRulesSchema,
  processingSubmitSchema,
  trackingRegisterSchema,
  workCalendarSchema,
} from './schemas';
import { renumberSchema } from './schemas';
import {
  packageEdxmlExportSchema, packageExportSchema, packageRunSchema, packageStagedSchema,
  type PackageCheckView, type PackageEdxmlExportFile, type PackageEdxmlPreview, type PackageEdxmlResult, type PackageExportFile, type PackageImportRunView, type PackageRecipientOption,
} from './packages';
import type { ProcessingRules, StepKind, TaskRole, TaskState } from './processing';
import type { WorkCalendar } from './workdays';

/** Who may call a channel: anyone (before sign-in), any signed-in user, or holders of a right. */
export type Access = 'public' | 'session' | Right;

export interface ChannelSpec<I extends z.ZodType = z.ZodType, O = unknown> {
  input: I;
  access: Access;
  /**
   * false: a call on this channel is not a sign of the person at the keyboard, so it does not put
   * off the idle lock (a draft saved because the lock is coming must not prevent it).
   */
  activity?: false;
  /** Phantom: carries the output type only. */
  output?: O;
}

const channel =
  <O>() =>
  <I extends z.ZodType>(spec: { input: I; access: Access; activity?: false }): ChannelSpec<I, O> =>
    spec;

const empty = z.object({}).strict();
/** A workstation id as the agency server takes it, and the reason (5–500 characters, as the server requires). */
const workstationLostSchema = z.object({
  workstation: z.string().regex(/^[0-9A-Za-z-]{8,64}$/, m('input.invalid')),
  reason: z.string().trim().min(5, m('exchange.lostReasonShort')).max(500, m('exchange.lostReasonShort')),
}).strict();
const byId = z.object({ id: z.number().int().positive() }).strict();
/** An import source: a file the person staged, and for an archive the register inside it (a name the core looks up in the archive's own list). */
const importSourceSchema = z.object({ stagedId: z.string().regex(/^[0-9a-f]{32}$/), entry: z.string().min(1).max(500).optional() }).strict();
const importRunSchema = z.object({ runId: z.string().regex(/^[0-9a-f]{32}$/) }).strict();

// ---- Output types ----
/** A register's home moved at the agency server: from (null when none was named), to, who, when. */
export interface RegisterHomeMoveResult { registerId: number; from: string | null; to: string; movedBy: string; movedAt: string }
export interface UnitInfo {
  name: string;
  code: string;
  preset: NumberingPreset;
}
/** The sync panel (main/core/sync/panel.ts): what waits to be sent and applied, the last contact, errors. */
/** The document an outgoing packet carries, as the sync panel may name it (no subject above the person's clearance). */
export interface PacketDocument { outgoingId: number; level: Secrecy; numberSymbol: string | null; subject: string | null; kind: 'document' | 'revocation' | 'update' | 'takeBack' }

export interface SyncPanelView {
  /** The agency server named in the machine configuration, or null: this workstation works alone (administrators only; null for the others). */
  server: string | null;
  /** An agency server is configured (everyone may know whether the workstation works alone). */
  configured: boolean;
  running: boolean;
  lastContact: string | null;
  /** The last error as the program wrote it (administrators only; null for the others). */
  lastError: string | null;
  /** The last error as a person reads it, in Vietnamese. */
  lastErrorVi: string | null;
  /** Changes made here not yet handed to the server: still in the log, and in sealed batches waiting. */
  unsent: number;
  outbox: { batches: number; events: number; bytes: number; oldest: string | null };
  /** Per stream: the base and each level this session holds. */
  streams: Array<{ stream: 'base' | Secrecy; unsent: number; waiting: number; conflicts: number }>;
  /** Received changes set aside (a rule refused them), with the reason. */
  conflicts: Array<{ stream: 'base' | Secrecy; entity: string; problem: string }>;
  /**
   * The agency server's store was restored from a backup and marked (docs/server.md "Backup"): when it was
   * marked and when this workstation took it in, how many of its own changes it sent again, and whether
   * it is still checking them or has still to tell the server its last numbers. Null: never.
   */
  restore: { markedAt: string; adoptedAt: string; resent: number; resending: boolean; numbersPending: boolean } | null;
  /** Shared registers: arrivals registered here "chờ cấp số", and numbers the home gave offline the server has not accepted yet. */
  numbers: { awaiting: number; unreported: number };
  /**
   * Outgoing numbers the home gave offline that the agency server had given another workstation's
   * document (never renumbered: the number is inside the signature); văn thư and administrators only.
   * Our document and the other one: null when this session may not read them (above the person's
   * clearance, a compartment not held, or not in this profile).
   */
  outgoingNumberConflicts: Array<{
    register: string;
    number: number;
    /** When the home gave the number (offline). */
    givenAt: string;
    /** The document's level, from the number's own record (known without reading the document). */
    level: Secrecy | null;
    document: { outgoingId: number; numberSymbol: string | null; subject: string; issuedDate: string | null } | null;
    /**
     * Who the server gave the number to: the person who took it (their name from this profile's directory
     * of people, by the server's person id, else by the actor of the other document's issue event that
     * reached this profile, applied or set aside; null: not known here), the workstation, when, and its
     * document if this profile has it.
     */
    other: { person: string | null; workstation: string | null; at: string | null; document: { numberSymbol: string | null; subject: string } | null };
  }>;
  /**
   * Numbers this workstation gave offline as a register's home after an administrator had moved the home
   * away (the agency server refuses them: docs/server.md "Moving a register's home"); the document is
   * left out above the person's clearance or from a compartment not held.
   */
  homeMovedNumbers: Array<{
    register: string;
    number: number;
    givenAt: string;
    level: Secrecy | null;
    document: { kind: 'incoming' | 'outgoing'; id: number; subject: string } | null;
    /** The register's home now, and when it was moved there. */
    movedTo: string;
    movedAt: string;
    /** Who moved it (by name when the person is in this profile's directory) and why. */
    movedBy: string | null;
    reason: string | null;
  }>;
  /**
   * Numbers this workstation gave before the agency server's store was restored from a backup that the
   * restored server gave another record before this workstation told it (`number-taken`), or records the
   * server holds under another number (`record-numbered`); văn thư and administrators only. An arrival of
   * the first kind is renumbered from the server while a văn thư is signed in (`renumbers`); the others
   * wait for a person. The document as in homeMovedNumbers.
   */
  restoreNumberClashes: Array<{
    register: string;
    kind: 'incoming' | 'outgoing';
    number: number;
    givenAt: string;
    level: Secrecy | null;
    document: { kind: 'incoming' | 'outgoing'; id: number; subject: string } | null;
    reason: 'number-taken' | 'record-numbered';
    renumbers: boolean;
  }>;
  /** Our packets refused on the way (agency server or hub), latest first, the reason in Vietnamese (văn thư and administrators only). */
  packetRefusals: Array<{ packetId: string; to: string | null; toName: string | null; reason: string; at: string | null }>;
  /** The exchange between agencies (văn thư and administrators only; null for the others): main/core/sync/exchangeQueue.ts. */
  exchange: {
    /** Packets waiting to go out, oldest first (at most 50; outboxTotal says how many in all). */
    outbox: Array<{
      packetId: string; to: string; toName: string | null; madeAt: string;
      /** waiting: made, not yet handed to the transport; queued: at the transport, not yet taken by the agency server. */
      state: 'waiting' | 'queued';
      attempts: number;
      /** Why the last attempt failed, in Vietnamese. */
      error: string | null;
      /** A status packet (an answer owed to a sender), not a document. */
      status: boolean;
      /** The document carried: null when this session may not know it (another compartment). Above the person's clearance: no subject. */
      document: PacketDocument | null;
    }>;
    outboxTotal: number;
    /** Received and waiting: packets not opened yet (a level this session does not hold), arrivals to register or refuse. */
    inbound: { unopened: number; toRegister: number };
    /** A packet being sent in parts right now: bytes the agency server holds of the whole. */
    transfer: { packetId: string; to: string | null; sent: number; total: number } | null;
    /**
     * The last exchange round since this person signed in (null: none yet): packets fetched, opened,
     * refused, and those another workstation of the agency took first (`elsewhere`: their records come
     * by sync).
     */
    lastRound: { at: string; received: number; opened: number; refused: number; elsewhere: number; reopened: number; sent: number } | null;
    /** Received packets another workstation of the agency took first, in all (the ledger's rows). */
    takenElsewhere: number;
    /**
     * Our packets another workstation of the agency had sent first (the same packet id: the agency server
     * kept its copy and the recipient gets it once), latest first, at most 20; the total says how many.
     */
    sentElsewhere: Array<{ packetId: string; to: string | null; toName: string | null; at: string | null; status: boolean; document: PacketDocument | null }>;
    sentElsewhereTotal: number;
  } | null;
}

/** One workstation of the agency as its server knows it (administrators; main/core/sync/agencyWorkstations.ts). */
export interface AgencyWorkstationView {
  id: string;
  /** The person (as the server's configuration names them) who last signed in from it; null: never seen. */
  lastPerson: string | null;
  firstSeen: string | null;
  lastSeen: string | null;
  /** This workstation itself (it cannot be declared lost from here). */
  self: boolean;
  lost: { declaredBy: string; reason: string; declaredAt: string } | null;
}
/** A declaration of a workstation lost for good, as the server recorded it (the first one, if it was declared before). */
export interface WorkstationLostResult {
  workstation: string;
  declaredBy: string;
  reason: string;
  declaredAt: string;
  /** Inbound packets whose take it held, released by this declaration. */
  released: number;
}

/** One side of a duplicate arrival number: a registration as the register shows it (Tuyệt mật: no subject). */
export interface SetAsideEntry {
  arrivalDate: string;
  registeredAt: string;
  registeredBy: string;
  numberSymbol: string;
  issuerName: string;
  subject: string;
  secrecy: Secrecy;
}
/**
 * A registration received from another workstation and set aside by the sync because its arrival number
 * is already given here (two workstations numbered one register while cut off from the server).
 */
export interface SetAsideRegistration {
  /** The record's global id (what the renumbering names). */
  entityId: string;
  level: Secrecy;
  registerId: number;
  registerName: string;
  year: number;
  arrivalNumber: number;
  /** The registration made on the other workstation, set aside here. */
  received: SetAsideEntry;
  /** The entry here holding the same number (null: nothing holds it any more; the next round applies it). */
  local: (SetAsideEntry & { id: number }) | null;
  /** Which one takes a new number: the one registered later (order of receipt). */
  renumbers: 'received' | 'local' | null;
  yearClosed: boolean;
  /** The number the renumbering would give now. */
  nextNumber: number | null;
}
export interface RenumberResult {
  /** The entry that took the new number. */
  incomingId: number;
  registerName: string;
  year: number;
  oldNumber: number;
  newNumber: number;
  renumbered: 'received' | 'local';
}

/** The sync indicator in the window's chrome: the signed-in person's own summary only. */
export interface SyncIndicatorView {
  /** off: no agency server configured; waiting: own changes not yet handed over (or never in contact yet). */
  state: 'off' | 'synced' | 'waiting' | 'offline' | 'error';
  /** The person's own changes made on this workstation not yet acknowledged by the server. */
  waiting: number;
  /** The last contact with the server (offline: since when), ISO 8601. */
  since: string | null;
  /** Arrivals registered on this workstation "chờ cấp số" (shared registers; the server numbers them at the next contact). */
  awaitingNumbers?: number;
}

export interface AppInfo {
  version: string;
  profile: 'new' | 'locked' | 'ready' | 'damaged';
  /** A plain profile from before token binding: the first unlock binds the token and encrypts it. */
  needsBinding?: boolean;
  readOnly: boolean;
  /** Why the profile is read-only (Vietnamese), when it is. */
  banner?: string;
  unit?: UnitInfo;
  attachmentLimitBytes: number;
}
export interface TokenRefValue {
  /** Opaque id of a PKCS#11 module found by discovery (ModuleView.id); never a path. */
  moduleId: string;
  serial: string;
}
export interface TokenCertificateView {
  keyId: string;
  label: string;
  subject: string;
  commonName: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  keyUsage: string[] | null;
  algorithm: string;
  fingerprint: string;
  /** RSA with keyEncipherment: can hold the profile's data key. */
  canUnlock: boolean;
  canSign: boolean;
  validNow: boolean;
}
export interface TokenView {
  moduleId: string;
  slotId: string;
  serial: string;
  label: string;
  manufacturer: string;
  model: string;
  pinPad: boolean;
  pin: { countLow: boolean; finalTry: boolean; locked: boolean };
  certificates: TokenCertificateView[];
  error?: string;
  /**
   * One of its certificates opens this workstation's keyring (told from the keyring's recipient
   * identifiers, before sign-in). Absent when the profile has no keyring yet.
   */
  bound?: boolean;
}
export interface ModuleView {
  /** What the window names the module by (TokenRefValue.moduleId). */
  id: string;
  /** Where discovery found it (shown to the administrator; never accepted back). */
  path: string;
  ok: boolean;
  manufacturer?: string;
  description?: string;
  version?: string;
  error?: string;
}
export interface TokenDirectory {
  modules: ModuleView[];
  tokens: TokenView[];
}
export interface BoundCertificate {
  fingerprint: string;
  subject: string;
  issuer: string;
  serial: string;
  notAfter: string;
  canUnlock: boolean;
}
export interface UserWithCertificates extends UserSummary {
  certificates: BoundCertificate[];
}
export interface UserSummary {
  id: number;
  fullName: string;
  position: string;
  role: Role;
  clearance: Secrecy;
}
export interface Session {
  user: UserSummary;
  rights: Right[];
}
export interface KnownUnit {
  id: number;
  name: string;
  code: string | null;
}
export interface RegisterSummary {
  id: number;
  kind: 'incoming';
  name: string;
  /** Secrecy levels this register takes. */
  secrecy: Secrecy[];
}
export interface DuplicateRef {
  id: number;
  arrivalNumber: number;
  registerName: string;
  numberSymbol: string;
  issuerName: string;
  documentDate: string;
  reason: 'same_number_symbol' | 'same_file';
  /** same_number_symbol: whether the issuer names match too (absent when none was given to compare). */
  sameIssuer?: boolean;
}
export interface StagedFile {
  stagedId: string;
  name: string;
  size: number;
  sha256: string;
  isPdf: boolean;
  /** Registered documents that already hold a file with the same hash. */
  duplicates: DuplicateRef[];
  /** A PDF's signatures (PAdES), checked when it was staged; absent for other files. */
  pdfSignatures?: PdfSignaturesView;
}
/** One signature inside a PDF, as the registration form shows it (main/core/pdf/view.ts). */
export interface PdfSignatureView {
  index: number;
  signer: string | null;
  organisation: string | null;
  /** The agency's (cơ quan, tổ chức) signature: the last one made with an organisation's certificate. */
  agency: boolean;
  /** ISO 8601; the time the signer claims. */
  signingTime: string | null;
  /** ISO 8601; a trusted timestamp's time. */
  timestamp: string | null;
  coversWholeDocument: boolean;
  /** The signed bytes are unchanged. */
  integrity: boolean;
  valid: boolean;
  flags: string[];
  message: string;
}
export interface PdfSignaturesView {
  /** unreadable: not a PDF that could be checked. */
  status: 'valid' | 'invalid' | 'unsigned' | 'unreadable';
  /** Every signature valid, the last covering the whole file, the agency's there and valid. */
  ok: boolean;
  signatures: PdfSignatureView[];
  findings: Array<{ code: string; message: string }>;
  message: string;
}
export interface AttachmentInfo {
  id: number;
  name: string;
  size: number;
  mime: string;
  isPdf: boolean;
  sha256: string;
  /** Sealed for the named person only ("Chỉ người có tên mới được bóc bì"). */
  sealed?: boolean;
}
export interface IncomingRow {
  id: number;
  registerId: number;
  registerName: string;
  arrivalNumber: number;
  arrivalDate: string;
  issuerName: string;
  numberSymbol: string;
  documentDate: string;
  typeCode: string;
  /** Empty for Tuyệt mật documents, which are registered without a subject line. */
  subject: string;
  secrecy: Secrecy;
  urgency: Urgency;
  deadline: string | null;
  status: IncomingStatus;
  attachmentCount: number;
  /** The register's year (arrival numbers run per register and year). */
  year: number;
  /** Đơn vị hoặc người nhận, by name. */
  recipients: string[];
  notes: string;
  /** "Hạn chế phạm vi": a Thường record seen only by its distribution (set on list rows and details). */
  restricted?: boolean;
}
export interface IncomingDetail extends IncomingRow {
  issuerUnitId: number | null;
  registeredBy: string;
  registeredAt: string;
  attachments: AttachmentInfo[];
  pageCount: number | null;
  copyCount: number | null;
  signer: string;
  arrivalChannel: ArrivalChannel | null;
  /** "Tài liệu thu hồi". */
  recalled: boolean;
  /** "Chỉ người có tên mới được bóc bì": the named person (only they open the files). */
  namedRecipient: { id: number; name: string } | null;
  /** End of the protection period (classified records). */
  protectionUntil: string | null;
  /** The recipients with what they refer to (a unit or a person of the agency, or a written name). */
  recipientRefs: RecipientRef[];
  handovers: HandoverView[];
  corrections: CorrectionView[];
  /** The register's year is closed: no corrections. */
  yearClosed: boolean;
  /**
   * Registered here "chờ cấp số" while another workstation of the agency registered the same electronic
   * arrival first: the record that stands (null until it has arrived here). The văn thư withdraws this one.
   */
  duplicateOf?: { arrivalNumber: number; registerName: string } | null;
}
export interface NumberPreview {
  registerId: number;
  registerName: string;
  /** The arrival number the next registration would get now (taken for real only on saving). */
  nextNumber: number;
}
export interface CountResult {
  total: number;
  /** True when counting stopped at `total` ("more than …"). */
  capped: boolean;
}
export interface RegisterResult {
  id: number;
  /** A negative placeholder when `awaitingNumber`. */
  arrivalNumber: number;
  registerName: string;
  /** "Chờ cấp số": registered without a number, asked of the agency server at the next contact. */
  awaitingNumber?: boolean;
}
export interface DocumentSignature {
  id: number;
  /** A file of the document, or its register entry (metadata). */
  target: 'file' | 'metadata';
  fileName: string | null;
  signer: string;
  /** ISO; the signer's claimed time (see trust for the time the certificate was judged at). */
  signingTime: string;
  valid: boolean;
  /** Vietnamese summary. */
  message: string;
  failed: Array<{ check: string; reason: string }>;
  /** How the signer's certificate was judged; absent when the signed content could not be read. */
  trust?: SignatureTrust;
}
export interface SignatureTrust {
  /** ISO: the time the certificate was judged at: a trusted timestamp's, else the time of verification. */
  validatedAt: string;
  /** A trusted RFC 3161 timestamp on the signature (ISO time, authority's name); null without one. */
  timestamp: { time: string; authority: string } | null;
  /** not_checked: no current CRL of an issuer in the chain is installed on this workstation. */
  revocation: 'good' | 'revoked' | 'not_checked';
  /** Vietnamese: why revocation was not checked, since when the certificate is revoked, or which CRL vouches. */
  revocationNote: string;
}
export interface RecipientRef {
  kind: 'unit' | 'user' | 'text';
  id: number | null;
  name: string;
}
export interface RecipientOption {
  kind: 'unit' | 'user';
  id: number;
  name: string;
  /** The parent unit of a unit, the position of a person. */
  detail: string;
}
// ---- State-secret controls (main/core/secrets) ----
export interface GrantView {
  id: number; incomingId: number; userId: number; userName: string; reason: string; grantedBy: string; grantedAt: string;
  revokedBy: string | null; revokedAt: string | null; revokeReason: string | null;
}
export type LevelChangeKind = 'raise' | 'lower' | 'declassify' | 'declassify_part' | 'extend';
export interface LevelChangeView {
  id: number; incomingId: number; kind: LevelChangeKind; fromLevel: Secrecy; toLevel: Secrecy; authority: string; reason: string; part: string;
  decidedOn: string; proposedBy: string; proposedAt: string; confirmedBy: string | null; confirmedAt: string | null; cancelledAt: string | null;
  /** The generated notice to the holders (once confirmed). */
  notice: string | null;
  /** Who holds the record and must be told within 15 days, and by when. */
  holders: string[];
  noticeDue: string;
  /** Declassified by the law at the end of the protection period (no second confirmation; proposedBy is the witness). */
  automatic?: boolean;
}
export interface HoldView { id: number; incomingId: number; reason: string; placedAt: string; releasedAt: string | null }
export interface DestructionView {
  id: number; incomingId: number; registerName: string; year: number; arrivalNumber: number; decision: string; authority: string; reason: string;
  decidedOn: string; destroyedBy: string; destroyedAt: string; files: number;
}
export type CopyKind = 'print' | 'sao_y' | 'trich_sao' | 'sao_luc';
/** A classified record whose protection period ends soon or has ended (review, automatic declassification). */
export interface ReviewItem {
  id: number; arrivalNumber: number; numberSymbol: string; documentDate: string; secrecy: Secrecy;
  protectionUntil: string; custom: boolean;
  /** due: ends within the window (a reminder); ended: ended, not yet declassified; declassified: done automatically. */
  state: 'due' | 'ended' | 'declassified';
  /** Ended but left by the automatic declassification: on hold, or a level decision pending. */
  skipped?: 'hold' | 'pending';
  /** For state 'declassified': the level it had, the decision (level change id) and its date. */
  fromLevel?: Secrecy; changeId?: number; declassifiedOn?: string;
}
/** The automatic declassification job of this session (secrets/AutoDeclassification.ts). */
export interface AutoDeclassifyStatus {
  state: 'idle' | 'running' | 'done' | 'stopped' | 'failed';
  /** Records due when the run started, declassified so far, skipped (with reasons kept), moves resumed. */
  total: number; done: number; skipped: number; resumed: number;
  /** Records that failed this run (logged; the next run tries again). */
  failed: number;
  startedAt: string | null; finishedAt: string | null; error?: string;
}
export type SecretRegisterKind = 'secret_incoming' | 'secret_copies' | 'secret_handover';
export interface RegisterOutput { kind: SecretRegisterKind; format: 'pdf' | 'xlsx'; rows: number }
/** Who may read and close the state-secret registers (decided by the core: secrets/registerRules.ts). */
export interface SecretRegisterAccess { read: boolean; close: boolean }
/** A closed year of a state-secret register: who closed it, when, and the hash of the PDF printed for it. */
export interface SecretRegisterClosing {
  kind: SecretRegisterKind; year: number; closedAt: string; closedBy: string; pdfSha256: string; rows: number; printedAt: string; printedBy: string;
}
/** The last whole-year PDF of a register (the one a closing seals). */
export interface SecretRegisterPrint { kind: SecretRegisterKind; year: number; printedAt: string; printedBy: string; sha256: string; rows: number }
/** A register for a period as the law lays it out: its columns and each row's cells as printed. */
export interface SecretRegisterTable {
  kind: SecretRegisterKind; title: string; from: string; to: string;
  columns: Array<{ title: string; width: number; numeric: boolean; date: boolean }>;
  rows: string[][];
  /** Closed years of this register, and the last whole-year prints of the years in the period. */
  closings: SecretRegisterClosing[];
  prints: SecretRegisterPrint[];
  /** Whether the person sees every row (closing needs it). */
  wholeRegister: boolean;
}
/** A register file: a one-use ticket (development host), or saved by the main process where the person chose. */
export interface RegisterOutputFile extends RegisterOutput { fileName: string; ticket: string; url: string }
export interface CopyApprovalView { id: number; incomingId: number; kind: CopyKind; copies: number; forUserId: number; forUserName: string; allowedAt: string; usedAt: string | null }
export interface CopyResult {
  /** The copy register entry (classified records only). */
  copyId: number | null; year: number; firstNumber: number | null; copies: number; kind: CopyKind;
}
/** What the signed-in person may do with one record under the secrets rules (decided by the core). */
export interface SecretRights {
  classified: boolean; grant: boolean; hold: boolean; proposeLevel: boolean; confirmLevel: boolean; destroy: boolean;
  /** May give a named person a permission to print or copy (the level's copy authority). */
  allowCopy: boolean;
  /** May print or copy without a permission given to them (an ordinary record, or the copy authority). */
  copyWithoutPermission: boolean;
  /** May set or lift "Hạn chế phạm vi" (Thường records only). */
  restrict?: boolean;
}
export interface CopyRegisterRow {
  id: number; incomingId: number; kind: CopyKind; kindLabel: string; year: number; firstNumber: number; copies: number; secrecy: Secrecy;
  arrivalNumber: number; numberSymbol: string; documentDate: string; allowedBy: string; madeBy: string; madeAt: string; reason: string;
}

export interface HandoverView {
  id: number;
  /** The unit and/or person it was handed to. */
  unitName: string | null;
  userName: string | null;
  userId: number | null;
  /** Ngày chuyển (yyyy-mm-dd). */
  handedOn: string;
  handedBy: string;
  recordedAt: string;
  note: string;
  /** Ký nhận: who acknowledged receipt, and when (ISO timestamp). */
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
  /** The acknowledgement was signed on the receiver's token: the certificate holder's name. */
  acknowledgementSignedBy?: string | null;
  /** The signed-in person may acknowledge it now. */
  canAcknowledge: boolean;
}
export interface CorrectionView {
  id: number;
  correctedBy: string;
  correctedAt: string;
  reason: string;
  changes: Array<{ field: string; before: unknown; after: unknown }>;
}
export interface ScopeView {
  id: number;
  name: string;
  reset: ResetPeriod;
  perType: boolean;
  termStart: string | null;
  termYears: number;
  /** Numbers were taken from it (its per-type choice is then fixed). */
  used: boolean;
  /** The period today falls in, and the last number taken in it (0: none yet). */
  currentPeriod: string;
  lastNumber: number;
}
export interface RegisterAdminView {
  id: number;
  kind: 'incoming';
  name: string;
  secrecy: Secrecy[];
  scopeId: number;
  active: boolean;
  entries: number;
  closedYears: number[];
  /** Each closed year: who closed it and when, and the frozen PDF's SHA-256 and row count (null for years closed before they were recorded). */
  closings: Array<{ year: number; closedAt: string; closedBy: string; pdfSha256: string | null; rows: number | null }>;
}
export interface RegistersAdmin {
  registers: RegisterAdminView[];
  scopes: ScopeView[];
  /** The signed-in person may add and configure registers and scopes (else: only close years). */
  canConfigure: boolean;
}
export interface InternalUnitView {
  id: number;
  name: string;
  /** Short code used in number-symbols (VP, TCCB); '' when none. */
  code: string;
  parentId: number | null;
  active: boolean;
  /** The period the unit exists in (yyyy-mm-dd; null: from its creation / still). */
  validFrom: string | null;
  validTo: string | null;
}
export interface UnitMemberView {
  userId: number;
  fullName: string;
  position: string;
  unitId: number | null;
  unitRole: UnitRole;
}
export interface AuthorityView {
  id: number;
  userId: number;
  fullName: string;
  kind: AuthorityKind;
  prefix: SigningPrefix;
  onBehalf: string;
  /** null: the whole agency. */
  unitId: number | null;
  validFrom: string;
  validTo: string | null;
  /** Withdrawn before it started: it counted for no day. */
  withdrawn: boolean;
}
export interface UnitLinkView { kind: 'merge' | 'split'; onDate: string; decision: string; unitId: number }
export interface InternalUnitHistory {
  unitId: number;
  names: Array<{ name: string; code: string; validFrom: string | null; validTo: string | null; decision: string }>;
  predecessors: UnitLinkView[];
  successors: UnitLinkView[];
}
/** A cell (or a sheet) of an imported workbook that is wrong; row and column as the spreadsheet shows them. */
export interface StructureImportProblem { sheet: string; row: number | null; column: string | null; message: Msg }
/** What importing a workbook would do (nothing is written until it is applied with the same sha256). */
export interface StructureImportPlan {
  sha256: string;
  unitsAdded: Array<{ code: string; name: string }>;
  unitsRenamed: Array<{ code: string; from: string; to: string }>;
  peopleAdded: Array<{ fullName: string; position: string; unitCode: string }>;
  peopleUpdated: Array<{ fullName: string; position: string; unitCode: string }>;
  authorities: Array<{ fullName: string; kind: AuthorityKind; prefix: SigningPrefix; onBehalf: string; unitCode: string; validFrom: string }>;
  notes: Msg[];
  problems: StructureImportProblem[];
}
/** The agency's structure: units (with their history), people in them, and who may direct, approve and sign. */
export interface OrgStructureView {
  units: InternalUnitView[];
  history: InternalUnitHistory[];
  members: UnitMemberView[];
  authorities: AuthorityView[];
}
/** The OCR job (main/core/ocr): the queue of the levels the session holds, and where the job is. */
export interface OcrStatus {
  /** unavailable: Tesseract or Poppler is not installed on this workstation (problem names what). */
  state: 'idle' | 'running' | 'cancelled' | 'unavailable';
  files: { done: number; total: number };
  /** Pages done of the pages known (a file's pages are counted when the job first opens it). */
  pages: { done: number; total: number };
  /** Pages recognised (not taken from a text layer) in this session's runs. */
  recognised: number;
  pagesPerMinute: number | null;
  current: { attachmentId: number; page: number; pages: number } | null;
  problem: string | null;
}
/** The text read from one page of a document's file. */
export interface OcrPageView {
  attachmentId: number;
  page: number;
  /** The file's pages once counted. */
  pages: number | null;
  /** none: the file is not queued (not a PDF or scanned image, or sealed for a named person). */
  state: 'none' | 'pending' | 'done' | 'failed';
  /** ocr: recognised by Tesseract; text: the PDF's own text layer. null: the page is not read yet. */
  source: 'ocr' | 'text' | null;
  text: string | null;
}
export interface OpenedAttachment {
  /** A short-lived URL for the viewer, on the app's own scheme or the dev host. */
  url: string;
  name: string;
  mime: string;
  isPdf: boolean;
}

/** Languages of the UI; each person's choice is kept in their preferences. */
export const UI_LANGUAGES = ['vi', 'en'] as const;
export type UiLanguage = (typeof UI_LANGUAGES)[number];
export interface UserPrefs {
  /** null: never chosen (the UI shows Vietnamese). */
  language: UiLanguage | null;
}
export interface RegisterPolicy {
  /** Roles that may register documents on this profile (separation of duties; default văn thư only). */
  registerRoles: Role[];
}
export type { SavedDraft } from './drafts';

/** One audit entry as administrators read it (ids, never a document's words). */
export interface AuditRow {
  seq: number;
  /** ISO 8601 UTC. */
  at: string;
  workstation: string | null;
  userId: number | null;
  userName: string | null;
  action: string;
  entity: string | null;
  entityId: number | null;
  outcome: 'ok' | 'refused' | 'failed';
  reason: string | null;
  details: Record<string, unknown>;
}
export interface AuditPage {
  items: AuditRow[];
  /** Pass as beforeSeq for the next (older) page; null at the end. */
  nextBeforeSeq: number | null;
}
export interface AuditFacets {
  actions: string[];
  people: Array<{ id: number; fullName: string }>;
}
// ---- Work files (hồ sơ công việc, main/core/workfiles) ----
export type WorkFileStatus = 'planned' | 'open' | 'closed' | 'archived';
export type WorkFileItemKind = (typeof WORK_FILE_ITEM_KINDS)[number];
export interface WorkFileView {
  id: number; globalId: string; year: number; notation: string; code: string; title: string;
  /** Years, or null for "vĩnh viễn". */
  retentionYears: number | null; accessRegime: string; language: string; description: string;
  responsibleUnitId: number | null; responsibleUnitName: string | null; responsibleUserId: number | null; responsibleUserName: string | null;
  /** The highest level of its documents (a mark only; the list of documents lives in their compartments). */
  secrecy: Secrecy; status: WorkFileStatus;
  createdBy: string; createdAt: string; openedBy: string | null; openedAt: string | null;
  closedBy: string | null; closedAt: string | null; closedOn: string | null; archiveDue: string | null; transferId: number | null;
  /** Documents the viewer sees in it (those of levels they do not hold are not counted). */
  documents: number;
  /** What the viewer may do (decided by the core). */
  may: { edit: boolean; open: boolean; change: boolean; close: boolean; export: boolean; share: boolean };
}
export interface WorkFileItemView {
  id: number; kind: WorkFileItemKind; recordId: number; recordGlobalId: string; secrecy: Secrecy;
  numberSymbol: string; documentDate: string; issuer: string; typeCode: string; subject: string; pages: number | null;
  addedBy: string; addedAt: string;
}
/** A live share of a work file, listed for those who may withdraw it. */
export interface WorkFileShareView { userId: number; name: string; sharedBy: string; sharedAt: string; mayWithdraw: boolean }
export interface WorkFileDetail extends WorkFileView { items: WorkFileItemView[]; shares: WorkFileShareView[] }
export interface WorkFileYearView {
  year: number; unitCode: string; closedAt: string | null; closedBy: string | null; mayEdit: boolean; files: WorkFileView[];
}
export interface ArchiveDueItem { fileId: number; code: string; title: string; closedOn: string; archiveDue: string; daysLeft: number; secrecy: Secrecy }
export interface ArchiveTransferView {
  id: number; globalId: string; transferredOn: string; handedBy: string; receivedBy: string; archiveName: string; note: string;
  files: Array<{ id: number; code: string; title: string; retentionYears: number | null }>; recordedAt: string;
}
export interface WorkFileExportFile { fileName: string; ticket: string; url: string; size: number }
export interface WorkFileExport { pdf: WorkFileExportFile; xml: WorkFileExportFile; documents: number; pages: number; tocPages: number }

export interface AuditExportSummary {
  dir: string;
  entries: number;
  heads: number;
  certificates: number;
  firstSeq: number;
  lastSeq: number;
}
export interface AuditVerifySummary {
  ok: boolean;
  entries: number;
  heads: number;
  lastSeq: number;
  signedThrough: number;
  firstBroken: { seq: number; problem: string; message: string } | null;
}

// ---- The contract ----

// Processing incoming documents (main/core/processing).
export interface ProcessingStepView {
  id: number; kind: StepKind; at: string; actorId: number; actorName: string;
  taskId: number | null; toUserName: string | null; toUnitName: string | null; deadline: string | null;
  text: string; statusCode: string; revisesId: number | null;
  /** Kind-specific: a direction's co-operating and informed names, a decision, a reply, a draft's file. */
  data: Record<string, unknown>;
}
export interface ProcessingTaskView {
  id: number; incomingId: number; role: TaskRole; state: TaskState;
  userId: number | null; userName: string | null; unitId: number | null; unitName: string | null; parentId: number | null;
  due: string | null; dueAt: string | null; progress: number; progressNote: string;
  extensionUntil: string | null; extensionReason: string | null; directionId: number | null;
}
export interface ProcessingActions {
  submit: boolean; direct: boolean; redirect: boolean; return: boolean;
  /** Tasks the person may assign a handler for, handle (progress, drafts, extension, completion), decide an extension of. */
  assign: number[]; handle: number[]; decide: number[];
}
export interface ProcessingState {
  incomingId: number; status: IncomingStatus; edxmlStatus: string;
  /** When the document is due to be submitted (same or next working day; urgent: at once). */
  submission: { dueDate: string; atOnce: boolean; late: boolean } | null;
  currentDirectionId: number | null;
  tasks: ProcessingTaskView[]; steps: ProcessingStepView[]; actions: ProcessingActions;
}
export interface ProcessingInboxItem {
  taskId: number; incomingId: number; role: TaskRole; arrivalNumber: number; arrivalDate: string;
  numberSymbol: string; issuerName: string; subject: string; secrecy: Secrecy; urgency: Urgency; status: IncomingStatus;
  assigneeName: string; due: string | null; dueAt: string | null; overdue: boolean; dueSoon: boolean; workingDaysLeft: number | null;
  progress: number; extensionUntil: string | null;
}
export interface ProcessingNotices { opinion: number; handle: number; unit: number; dueSoon: number; overdue: number; extensions: number; escalated: number }
/** The leader's dashboard: open work by unit, by handler and by leader, counted over what the person may see. */
export interface ProcessingDashboardRow { id: number | null; name: string; detail: string; open: number; overdue: number; dueSoon: number }
export interface ProcessingDashboard {
  today: string;
  totals: { opinion: number; open: number; overdue: number; dueSoon: number; unassigned: number };
  /** Directions awaited, per leader. */
  leaders: ProcessingDashboardRow[];
  /** Open work per unit (a person's by the unit they sit in; null: not placed in a unit). */
  units: ProcessingDashboardRow[];
  /** Open work per handler. */
  handlers: ProcessingDashboardRow[];
}
export interface ProcessingPeople { leaders: UserSummary[]; people: UserSummary[]; units: InternalUnitView[] }

export const contract = {
  'app.info': channel<AppInfo>()({ input: empty, access: 'public' }),
  /** Answers once the integrity check of the unlocked profile has its verdict: the profile's info then (damaged: read-only, banner). */
  'app.verdict': channel<AppInfo>()({ input: empty, access: 'session' }),
  'setup.create': channel<Session>()({ input: setupWithTokenSchema, access: 'public' }),
  'tokens.directory': channel<TokenDirectory>()({ input: empty, access: 'public' }),
  'session.unlock': channel<Session>()({
    input: z.object({ token: tokenRefSchema, pin: pinSchema }).strict(),
    access: 'public',
  }),
  // A plain profile from before token binding: the recovery token (machine.json recoveryCertificate)
  // proves itself with its PIN, then lists the people and binds a person's token; the profile is
  // encrypted and stays locked until that person unlocks with their own token and PIN.
  'session.legacyUsers': channel<UserSummary[]>()({
    input: z.object({ token: tokenRefSchema, pin: pinSchema }).strict(),
    access: 'public',
  }),
  'session.bindLegacy': channel<null>()({
    input: z.object({ token: tokenRefSchema, pin: pinSchema, userId: z.number().int().positive(), person: tokenRefSchema }).strict(),
    access: 'public',
  }),
  'session.current': channel<Session | null>()({ input: empty, access: 'public' }),
  'session.lock': channel<null>()({ input: empty, access: 'session' }),
  'session.activity': channel<null>()({ input: empty, access: 'session' }),
  'users.list': channel<UserWithCertificates[]>()({ input: empty, access: 'org.manage' }),
  'users.add': channel<UserSummary>()({ input: newUserSchema, access: 'org.manage' }),
  /** Lowering a clearance re-keys the levels the person loses (progress in the log; may take a while). */
  'users.setClearance': channel<UserSummary>()({ input: z.object({ userId: z.number().int().positive(), clearance: secrecySchema }).strict(), access: 'org.manage' }),
  'users.bindToken': channel<null>()({
    input: z.object({ userId: z.number().int().positive(), token: tokenRefSchema }).strict(),
    access: 'org.manage',
  }),
  'users.unbindCertificate': channel<null>()({
    input: z.object({ userId: z.number().int().positive(), fingerprint: z.string().regex(/^[0-9a-f]{64}$/) }).strict(),
    access: 'org.manage',
  }),
  'units.search': channel<KnownUnit[]>()({
    input: z.object({ query: z.string().max(200), limit: z.number().int().min(1).max(50).default(10) }).strict(),
    access: 'session',
  }),
  'registers.list': channel<RegisterSummary[]>()({ input: empty, access: 'doc.read' }),
  'incoming.checkDuplicates': channel<DuplicateRef[]>()({
    input: z
      .object({
        issuerName: z.string().max(300),
        numberSymbol: z.string().max(100),
        documentDate: z.string().max(10),
        stagedIds: z.array(z.string().regex(/^[0-9a-f]{32}$/)).max(20).default([]),
      })
      .strict(),
    access: 'doc.register',
  }),
  'incoming.previewNumber': channel<NumberPreview>()({
    input: z
      .object({
        secrecy: secrecySchema,
        registerId: z.number().int().positive().optional(),
        arrivalDate: z.string().max(10).optional(),
        typeCode: z.string().max(60).default('CV'),
      })
      .strict(),
    access: 'doc.register',
  }),
  'incoming.register': channel<RegisterResult>()({ input: incomingRegisterSchema, access: 'doc.register' }),
  'incoming.list': channel<IncomingRow[]>()({ input: incomingListSchema, access: 'doc.read' }),
  'incoming.count': channel<CountResult>()({ input: incomingFilterSchema, access: 'doc.read' }),
  'incoming.get': channel<IncomingDetail>()({ input: byId, access: 'doc.read' }),
  // A "Chờ cấp số" arrival whose register year was closed meanwhile: registered in the open year (documents/waitYear.ts).
  'incoming.moveAwaitingToOpenYear': channel<{ id: number; fromYear: number; toYear: number }>()({ input: byId, access: 'doc.register' }),
  // An electronic arrival registered twice ("chờ cấp số" here, numbered at another workstation first): this copy withdrawn (documents/withdrawDuplicate.ts).
  'incoming.withdrawDuplicate': channel<{ id: number; standing: { arrivalNumber: number; registerName: string } | null }>()({ input: byId, access: 'doc.register' }),
  'incoming.sign': channel<{ parts: number }>()({ input: byId, access: 'doc.register' }),
  'incoming.signatures': channel<DocumentSignature[]>()({ input: byId, access: 'doc.read' }),
  'attachments.open': channel<OpenedAttachment>()({ input: byId, access: 'doc.read' }),
  'staging.discard': channel<null>()({
    input: z.object({ stagedId: z.string().regex(/^[0-9a-f]{32}$/) }).strict(),
    access: 'file.stage',
  }),
  // Registers and numbering scopes after setup (quản trị); closing a register year (văn thư or quản trị,
  // checked in the core).
  'registers.admin': channel<RegistersAdmin>()({ input: empty, access: 'session' }),
  'registers.create': channel<RegisterAdminView>()({ input: registerCreateSchema, access: 'org.manage' }),
  'registers.update': channel<RegisterAdminView>()({ input: registerUpdateSchema, access: 'org.manage' }),
  // An administrator moves a register's home workstation at the agency server (docs/server.md,
  // "Numbering authority"): checked in the core (org.manage) and by the server (the signed-in person's role).
  'registers.moveHome': channel<RegisterHomeMoveResult>()({ input: registerMoveHomeSchema, access: 'org.manage' }),
  'registers.closeYear': channel<IncomingRegisterClosingFile>()({ input: closeYearSchema, access: 'session' }),
  'scopes.create': channel<ScopeView>()({ input: scopeInputSchema, access: 'org.manage' }),
  'scopes.update': channel<ScopeView>()({ input: scopeUpdateSchema, access: 'org.manage' }),
  // The agency's own units, and recipients chosen among them and its people.
  'internalUnits.list': channel<InternalUnitView[]>()({ input: empty, access: 'session' }),
  'internalUnits.add': channel<InternalUnitView>()({ input: internalUnitAddSchema, access: 'org.manage' }),
  'internalUnits.update': channel<InternalUnitView>()({ input: internalUnitUpdateSchema, access: 'org.manage' }),
  'structure.view': channel<OrgStructureView>()({ input: empty, access: 'session' }),
  'structure.createUnit': channel<OrgStructureView & { result: number }>()({ input: unitCreateSchema, access: 'org.manage' }),
  'structure.renameUnit': channel<OrgStructureView & { result: void }>()({ input: unitRenameSchema, access: 'org.manage' }),
  'structure.mergeUnits': channel<OrgStructureView & { result: number }>()({ input: unitMergeSchema, access: 'org.manage' }),
  'structure.splitUnit': channel<OrgStructureView & { result: number[] }>()({ input: unitSplitSchema, access: 'org.manage' }),
  'structure.setMember': channel<OrgStructureView & { result: void }>()({ input: memberSetSchema, access: 'org.manage' }),
  'structure.grantAuthority': channel<OrgStructureView & { result: number }>()({ input: authorityGrantSchema, access: 'org.manage' }),
  'structure.endAuthority': channel<OrgStructureView & { result: void }>()({ input: authorityEndSchema, access: 'org.manage' }),
  'structure.previewImport': channel<StructureImportPlan>()({ input: structureImportSchema, access: 'org.manage' }),
  'structure.applyImport': channel<OrgStructureView & { result: { units: number; people: number; authorities: number } }>()({ input: structureImportSchema, access: 'org.manage' }),
  'recipients.search': channel<RecipientOption[]>()({
    input: z.object({ query: z.string().max(200), limit: z.number().int().min(1).max(50).default(10) }).strict(),
    access: 'session',
  }),
  // Hand-over inside the agency and its electronic acknowledgement; corrections of a registered entry.
  'incoming.handOver': channel<HandoverView>()({ input: handOverSchema, access: 'doc.register' }),
  'incoming.acknowledge': channel<HandoverView>()({
    input: z.object({ handoverId: z.number().int().positive() }).strict(),
    access: 'doc.read',
  }),
  'incoming.correct': channel<IncomingDetail>()({ input: incomingCorrectionSchema, access: 'doc.register' }),
  // Registrations the sync set aside (duplicate arrival numbers given offline) and their renumbering (documents/renumber.ts).
  'incoming.setAside': channel<SetAsideRegistration[]>()({ input: empty, access: 'doc.register', activity: false }),
  'incoming.renumber': channel<RenumberResult>()({ input: renumberSchema, access: 'doc.register' }),
  // State-secret controls: who may act is decided in the core (main/core/secrets/rules.ts).
  'grants.list': channel<GrantView[]>()({ input: z.object({ incomingId: z.number().int().positive() }).strict(), access: 'doc.read' }),
  'grants.add': channel<GrantView>()({ input: grantSchema, access: 'doc.read' }),
  'grants.revoke': channel<GrantView>()({ input: revokeGrantSchema, access: 'doc.read' }),
  'levels.list': channel<LevelChangeView[]>()({ input: z.object({ incomingId: z.number().int().positive() }).strict(), access: 'doc.read' }),
  'levels.propose': channel<LevelChangeView>()({ input: levelChangeSchema, access: 'doc.read' }),
  'levels.confirm': channel<LevelChangeView>()({ input: confirmLevelChangeSchema, access: 'doc.read' }),
  'levels.cancel': channel<LevelChangeView>()({ input: confirmLevelChangeSchema, access: 'doc.read' }),
  'holds.place': channel<HoldView>()({ input: holdSchema, access: 'doc.read' }),
  'holds.release': channel<HoldView>()({ input: releaseHoldSchema, access: 'doc.read' }),
  'destruction.destroy': channel<DestructionView>()({ input: destroySchema, access: 'doc.read' }),
  'destruction.list': channel<DestructionView[]>()({ input: empty, access: 'doc.read' }),
  'copies.allow': channel<CopyApprovalView>()({ input: allowCopySchema, access: 'doc.read' }),
  'copies.approvals': channel<CopyApprovalView[]>()({ input: z.object({ incomingId: z.number().int().positive() }).strict(), access: 'doc.read' }),
  /** A print run: its register entry and a one-use ticket for the composed PDF (to the printer or a save dialog). */
  'copies.make': channel<CopyResult & { ticket: string; url: string }>()({ input: makeCopySchema, access: 'doc.read' }),
  /** A state-secret register for a period, as PDF (law's layout) or XLSX: a one-use ticket for the file. */
  /** null: the person cancelled the save dialog (Electron); nothing was produced. */
  'registers.output': channel<RegisterOutputFile>()({ input: registerOutputSchema, access: 'doc.read' }),
  'secretRegisters.access': channel<SecretRegisterAccess>()({ input: empty, access: 'session' }),
  'secretRegisters.view': channel<SecretRegisterTable>()({ input: secretRegisterViewSchema, access: 'doc.read' }),
  'secretRegisters.close': channel<SecretRegisterClosing>()({ input: secretRegisterCloseSchema, access: 'doc.read' }),
  'review.due': channel<ReviewItem[]>()({ input: z.object({ withinDays: z.number().int().min(0).max(3650).optional() }).strict(), access: 'doc.read' }),
  'review.extend': channel<ReviewItem>()({ input: extendProtectionSchema, access: 'doc.read' }),
  'review.autoStatus': channel<AutoDeclassifyStatus>()({ input: empty, access: 'doc.read' }),
  'restrictions.set': channel<IncomingDetail>()({ input: restrictSchema, access: 'doc.read' }),
  'copies.register': channel<CopyRegisterRow[]>()({ input: z.object({ year: z.number().int().min(1900).max(2200) }).strict(), access: 'doc.read' }),
  'secrets.rights': channel<SecretRights>()({ input: z.object({ incomingId: z.number().int().positive() }).strict(), access: 'doc.read' }),
  'holds.list': channel<HoldView[]>()({ input: z.object({ incomingId: z.number().int().positive() }).strict(), access: 'doc.read' }),
  'prefs.get': channel<UserPrefs>()({ input: empty, access: 'session' }),
  'prefs.setLanguage': channel<UserPrefs>()({
    input: z.object({ language: z.enum(UI_LANGUAGES, { error: m('language.invalid') }) }).strict(),
    access: 'session',
  }),
  'policy.get': channel<RegisterPolicy>()({ input: empty, access: 'org.manage' }),
  /** Returns the policy and the caller's session, whose rights follow it at once. */
  'policy.setRegisterRoles': channel<RegisterPolicy & { session: Session }>()({
    input: z
      .object({ registerRoles: z.array(z.enum(ROLES, { error: m('role.invalid') })).min(1, m('policy.registerRolesEmpty')).max(ROLES.length) })
      .strict(),
    access: 'org.manage',
  }),
  // Drafts are saved in the background (periodically, and when a lock is coming): not activity.
  'drafts.save': channel<{ savedAt: string }>()({ input: draftSaveSchema, access: 'session', activity: false }),
  'drafts.load': channel<SavedDraft | null>()({ input: draftKindSchema, access: 'session', activity: false }),
  'drafts.discard': channel<null>()({ input: draftKindSchema, access: 'session' }),
  // The audit trail: administrators search, verify and export it (main/core/audit, docs/audit.md).
  'audit.search': channel<AuditPage>()({ input: auditSearchSchema, access: 'org.manage' }),
  'audit.facets': channel<AuditFacets>()({ input: empty, access: 'org.manage' }),
  'audit.verify': channel<AuditVerifySummary>()({ input: empty, access: 'org.manage' }),
  // The sync panel: the state of this workstation's sync with the agency server; a round on demand.
  'sync.status': channel<SyncPanelView>()({ input: empty, access: 'session' }),
  'sync.now': channel<SyncPanelView>()({ input: empty, access: 'session' }),
  // The agency's workstations as its server knows them, and declaring one lost for good (administrators;
  // checked in the core, and by the server against the person whose token signed in).
  'sync.workstations': channel<AgencyWorkstationView[]>()({ input: empty, access: 'session' }),
  'sync.declareLost': channel<WorkstationLostResult>()({ input: workstationLostSchema, access: 'session' }),
  // The exchange between agencies, receiving side: Văn bản điện tử đến (main/core/exchange/inbox.ts);
  // the core checks the right, the clearance of the arrival's level and the compartment held.
  'exchange.receive': channel<ExchangeReceiveResult>()({ input: empty, access: 'doc.register' }),
  'exchange.inbox': channel<ExchangeInboxRow[]>()({ input: exchangeInboxListSchema, access: 'doc.register' }),
  'exchange.get': channel<ExchangeInboxDetail>()({ input: byId, access: 'doc.register' }),
  'exchange.openFile': channel<OpenedAttachment>()({ input: exchangeFileSchema, access: 'doc.register' }),
  'exchange.register': channel<{ incomingId: number; arrivalNumber: number; registerName: string; awaitingNumber?: true }>()({ input: exchangeRegisterSchema, access: 'doc.register' }),
  'exchange.refuse': channel<null>()({ input: exchangeRefuseSchema, access: 'doc.register' }),
  // The sending side: what each recipient agency reported (đã nhận, từ chối, phân công, đang xử lý, hoàn thành).
  'exchange.dispatchStatuses': channel<DispatchStatusView[]>()({ input: byId, access: 'doc.read' }),
  // A registered document's notice from the exchange (recalled, updated, replaced by its sender).
  'exchange.notice': channel<ExchangeNotice | null>()({ input: byId, access: 'doc.read' }),
  /** The chrome's sync indicator: the person's own summary (no other people's data). */
  'sync.indicator': channel<SyncIndicatorView>()({ input: empty, access: 'session', activity: false }),
  /** null: the person cancelled the choice of a folder. */
  'audit.export': channel<AuditExportSummary | null>()({ input: auditExportSchema, access: 'org.manage' }),
  // Work files (hồ sơ công việc): who may act is decided in the core (main/core/workfiles/rules.ts).
  'workFiles.year': channel<WorkFileYearView>()({ input: workFileYearSchema, access: 'doc.read' }),
  'workFiles.get': channel<WorkFileDetail>()({ input: z.object({ fileId: z.number().int().positive() }).strict(), access: 'doc.read' }),
  'workFiles.create': channel<WorkFileView>()({ input: workFileCreateSchema, access: 'doc.read' }),
  'workFiles.update': channel<WorkFileView>()({ input: workFileUpdateSchema, access: 'doc.read' }),
  'workFiles.open': channel<WorkFileView>()({ input: z.object({ fileId: z.number().int().positive() }).strict(), access: 'doc.read' }),
  'workFiles.addItem': channel<WorkFileDetail>()({ input: workFileItemSchema, access: 'doc.read' }),
  'workFiles.removeItem': channel<WorkFileDetail>()({ input: workFileItemSchema, access: 'doc.read' }),
  'workFiles.close': channel<WorkFileView>()({ input: workFileCloseSchema, access: 'doc.read' }),
  'workFiles.closeYear': channel<WorkFileYearView>()({ input: workFileYearSchema, access: 'doc.read' }),
  'workFiles.forRecord': channel<WorkFileView[]>()({ input: z.object({ kind: z.enum(['incoming', 'outgoing', 'draft']), recordId: z.number().int().positive() }).strict(), access: 'doc.read' }),
  'workFiles.openFiles': channel<WorkFileView[]>()({ input: z.object({}).strict(), access: 'doc.read' }),
  /** A closed file as one PDF (documents in date order, a table of contents) and its XML metadata: two one-use tickets. */
  'workFiles.export': channel<WorkFileExport>()({ input: z.object({ fileId: z.number().int().positive() }).strict(), access: 'doc.read' }),
  'workFiles.archiveDue': channel<ArchiveDueItem[]>()({ input: archiveDueSchema, access: 'doc.read' }),
  'workFiles.transfer': channel<ArchiveTransferView>()({ input: archiveTransferSchema, access: 'doc.read' }),
  'workFiles.transfers': channel<ArchiveTransferView[]>()({ input: z.object({}).strict(), access: 'doc.read' }),
  /** The hand-over record as a PDF to print and sign: a one-use ticket. */
  'workFiles.transferRecord': channel<WorkFileExportFile>()({ input: z.object({ transferId: z.number().int().positive() }).strict(), access: 'doc.read' }),
  // Processing incoming documents: rights, clearance, need-to-know and turn are checked in the core.
  'processing.state': channel<ProcessingState>()({ input: z.object({ incomingId: z.number().int().positive() }).strict(), access: 'doc.read' }),
  'processing.submit': channel<ProcessingState>()({ input: processingSubmitSchema, access: 'doc.read' }),
  'processing.direct': channel<ProcessingState>()({ input: processingDirectSchema, access: 'doc.read' }),
  'processing.assign': channel<ProcessingState>()({ input: processingAssignSchema, access: 'doc.read' }),
  'processing.progress': channel<ProcessingState>()({ input: processingProgressSchema, access: 'doc.read' }),
  'processing.requestExtension': channel<ProcessingState>()({ input: processingExtensionSchema, access: 'doc.read' }),
  'processing.decideExtension': channel<ProcessingState>()({ input: processingDecisionSchema, access: 'doc.read' }),
  'processing.complete': channel<ProcessingState>()({ input: processingCompleteSchema, access: 'doc.read' }),
  'processing.return': channel<ProcessingState>()({ input: processingReturnSchema, access: 'doc.read' }),
  'processing.inbox': channel<ProcessingInboxItem[]>()({ input: processingInboxSchema, access: 'doc.read' }),
  'processing.notices': channel<ProcessingNotices>()({ input: empty, access: 'doc.read', activity: false }),
  'processing.dashboard': channel<ProcessingDashboard>()({ input: empty, access: 'doc.read' }),
  'processing.people': channel<ProcessingPeople>()({ input: z.object({ incomingId: z.number().int().positive() }).strict(), access: 'doc.read' }),
  'processing.calendar': channel<WorkCalendar>()({ input: empty, access: 'session' }),
  'processing.setCalendar': channel<WorkCalendar>()({ input: workCalendarSchema, access: 'org.manage' }),
  'processing.rules': channel<ProcessingRules>()({ input: empty, access: 'session' }),
  'processing.setRules': channel<ProcessingRules>()({ input: processingRulesSchema, access: 'org.manage' }),
  /** Sổ theo dõi giải quyết văn bản đến for a period, as PDF or XLSX: a one-use ticket for the file. */
  'processing.trackingRegister': channel<Omit<RegisterOutputFile, 'kind'> & { kind: 'incoming_tracking' }>()({ input: trackingRegisterSchema, access: 'doc.read' }),
  // Outgoing documents (main/core/outgoing): who may do each step is decided in the core (the drafter,
  // the approver whose turn it is, the designated signer, the văn thư).
  'outgoing.list': channel<OutgoingRow[]>()({ input: outgoingListSchema, access: 'doc.read' }),
  'outgoing.get': channel<OutgoingDetail>()({ input: byId, access: 'doc.read' }),
  'outgoing.people': channel<OutgoingPerson[]>()({ input: empty, access: 'doc.read' }),
  'outgoing.create': channel<OutgoingDetail>()({ input: outgoingCreateSchema, access: 'doc.read' }),
  'outgoing.revise': channel<OutgoingDetail>()({ input: outgoingReviseSchema, access: 'doc.read' }),
  'outgoing.submit': channel<OutgoingDetail>()({ input: outgoingStepSchema, access: 'doc.read' }),
  'outgoing.approve': channel<OutgoingDetail>()({ input: outgoingStepSchema, access: 'doc.read' }),
  'outgoing.approveWithChanges': channel<OutgoingDetail>()({ input: outgoingApproveChangesSchema, access: 'doc.read' }),
  'outgoing.return': channel<OutgoingDetail>()({ input: outgoingReturnSchema, access: 'doc.read' }),
  /** Signed on the person's token with a key bound to them (the signer's, then the văn thư's agency signature). */
  'outgoing.sign': channel<OutgoingDetail>()({ input: byId, access: 'doc.read' }),
  'outgoing.issue': channel<OutgoingIssued>()({ input: byId, access: 'doc.read' }),
  /** The issued main PDF's signatures as the workstation checks them (null: not issued, or no PDF): what the document view shows. */
  'outgoing.verifyIssued': channel<PdfSignaturesView | null>()({ input: byId, access: 'doc.read' }),
  /** Cập nhật: an issued document's metadata corrected; sent again to its recipient agencies as BussinessDocType 2. */
  'outgoing.update': channel<OutgoingDetail>()({ input: outgoingUpdateSchema, access: 'doc.register' }),
  /** Lấy lại: taken back from one recipient agency (edXML status 13); the document stays issued for the others. */
  'outgoing.takeBack': channel<OutgoingDetail>()({ input: outgoingTakeBackSchema, access: 'doc.register' }),
  'outgoing.resend': channel<OutgoingDetail>()({ input: outgoingResendSchema, access: 'doc.register' }),
  'outgoing.recall': channel<OutgoingDetail>()({ input: outgoingRecallSchema, access: 'doc.read' }),
  'outgoing.replace': channel<OutgoingDetail>()({ input: outgoingReplaceSchema, access: 'doc.read' }),
  'outgoing.dispatches': channel<OutgoingPendingDispatch[]>()({ input: empty, access: 'doc.register' }),
  'outgoing.config': channel<OutgoingConfigView>()({ input: empty, access: 'session' }),
  'outgoing.configure': channel<OutgoingConfigView>()({ input: outgoingConfigSchema, access: 'org.manage' }),
  'outgoing.registerView': channel<OutgoingRegisterTable>()({ input: outgoingRegisterSchema, access: 'doc.read' }),
  'outgoing.registerOutput': channel<OutgoingRegisterFile>()({ input: outgoingRegisterSchema, access: 'doc.read' }),
  // The agency's seal image its signature shows (outgoing/seal.ts).
  'outgoing.seal': channel<OutgoingSealView>()({ input: empty, access: 'session' }),
  'outgoing.setSeal': channel<OutgoingSealView>()({ input: outgoingSealSchema, access: 'org.manage' }),
  // Register outputs closed at year end (reports/RegisterClosingService.ts): the closing returns the frozen PDF.
  'registerClosings.overview': channel<RegisterClosingsOverview>()({ input: z.object({}).strict(), access: 'doc.read' }),
  'registerClosings.close': channel<RegisterClosingFile>()({ input: registerCloseSchema, access: 'doc.read' }),
  // Sharing a work file with a person (need-to-know of its title and metadata, docs/work-files.md).
  'workFiles.share': channel<WorkFileView>()({ input: workFileShareSchema, access: 'doc.read' }),
  // The legacy import in the window (clerks who register documents; checked again in the core).
  'import.open': channel<ImportSourceView>()({ input: importSourceSchema.extend({
    encoding: z.enum(IMPORT_ENCODINGS).optional(),
    delimiter: z.string().length(1).optional(),
    headerRow: z.number().int().min(1).max(50).optional(),
  }).strict(), access: 'doc.register' }),
  'import.preview': channel<ImportPreview>()({
    input: importSourceSchema.extend({ mapping: windowMappingSchema, limit: z.number().int().min(1).max(50).default(10) }).strict(), access: 'doc.register',
  }),
  // The dry run runs in the background like the job: started, followed, cancelled, its report fetched (the starter's only).
  'import.dryRunStart': channel<ImportDryRunProgress>()({ input: importSourceSchema.extend({ mapping: windowMappingSchema }).strict(), access: 'doc.register' }),
  'import.dryRunProgress': channel<ImportDryRunProgress>()({ input: importRunSchema, access: 'doc.register' }),
  'import.dryRunCancel': channel<ImportDryRunProgress>()({ input: importRunSchema, access: 'doc.register' }),
  'import.dryRunReport': channel<ImportDryRunView>()({ input: importRunSchema, access: 'doc.register' }),
  'import.start': channel<ImportRunView>()({ input: importSourceSchema.extend({ mapping: windowMappingSchema }).strict(), access: 'doc.register' }),
  'import.progress': channel<ImportRunView>()({ input: importRunSchema, access: 'doc.register' }),
  'import.cancel': channel<ImportRunView>()({ input: importRunSchema, access: 'doc.register' }),
  'import.resume': channel<ImportRunView>()({ input: byId, access: 'doc.register' }),
  'import.jobs': channel<ImportJobView[]>()({ input: empty, access: 'doc.register' }),
  'import.mappings': channel<SavedImportMapping[]>()({ input: empty, access: 'doc.register' }),
  'import.saveMapping': channel<SavedImportMapping[]>()({
    input: z.object({ name: z.string().trim().min(1).max(100), mapping: windowMappingSchema }).strict(), access: 'doc.register',
  }),
  'import.deleteMapping': channel<SavedImportMapping[]>()({ input: z.object({ name: z.string().trim().min(1).max(100) }).strict(), access: 'doc.register' }),
  // Offline packages (docs/packages.md): export what the person may read, sealed for known or uploaded
  // certificates, out as a one-use output; a staged package verified, previewed and imported (the văn thư).
  'packages.recipients': channel<PackageRecipientOption[]>()({ input: empty, access: 'doc.read' }),
  'packages.checkCertificate': channel<PackageRecipientOption>()({ input: packageStagedSchema, access: 'doc.read' }),
  'packages.export': channel<PackageExportFile>()({ input: packageExportSchema, access: 'doc.read' }),
  /** The selection's issued documents as the edXML packets the transport would carry (signed by the agency, sealed above Thường), one ZIP. */
  'packages.exportEdxml': channel<PackageEdxmlExportFile>()({ input: packageEdxmlExportSchema, access: 'doc.register' }),
  'packages.verify': channel<PackageCheckView>()({ input: packageStagedSchema, access: 'doc.register' }),
  'packages.importStart': channel<PackageImportRunView>()({ input: packageStagedSchema, access: 'doc.register' }),
  'packages.importProgress': channel<PackageImportRunView>()({ input: packageRunSchema, access: 'doc.register' }),
  'packages.importCancel': channel<PackageImportRunView>()({ input: packageRunSchema, access: 'doc.register' }),
  /** What importing the staged ZIP of edXML packets would do, nothing written; then importEdxml does it and says what differs. */
  'packages.previewEdxml': channel<PackageEdxmlPreview>()({ input: packageStagedSchema, access: 'doc.register' }),
  'packages.importEdxml': channel<PackageEdxmlResult>()({ input: packageStagedSchema, access: 'doc.register' }),
  // OCR of scanned files (main/core/ocr): the page text is checked like opening the file itself.
  'ocr.pageText': channel<OcrPageView>()({
    input: z.object({ attachmentId: z.number().int().positive(), page: z.number().int().min(1).max(100_000) }).strict(),
    access: 'doc.read',
  }),
  'ocr.status': channel<OcrStatus>()({ input: empty, access: 'doc.read', activity: false }),
  'ocr.start': channel<OcrStatus>()({ input: empty, access: 'doc.register' }),
  'ocr.cancel': channel<OcrStatus>()({ input: empty, access: 'doc.register' }),
  'workFiles.unshare': channel<WorkFileDetail>()({ input: workFileShareSchema, access: 'doc.read' }),
  // A person's signature image: read and set by the person or an administrator (the core decides).
  'people.signatureImage': channel<SignatureImageView | null>()({ input: z.object({ userId: z.number().int().positive() }).strict(), access: 'session' }),
  'people.setSignatureImage': channel<SignatureImageView | null>()({ input: signatureImageSetSchema, access: 'session' }),
} as const;

export type Contract = typeof contract;
export type Channel = keyof Contract;
export const CHANNELS = Object.keys(contract) as Channel[];
export const isChannel = (name: unknown): name is Channel =>
  typeof name === 'string' && Object.prototype.hasOwnProperty.call(contract, name);

export type InputOf<C extends Channel> = z.input<Contract[C]['input']>;
export type ParsedInputOf<C extends Channel> = z.output<Contract[C]['input']>;
export type OutputOf<C extends Channel> = Contract[C] extends ChannelSpec<z.ZodType, infer O> ? O : never;

/** Staging a file (for a registration, an import) is a transport-level upload (bytes, not JSON); it needs this right. */
export const STAGE_ACCESS: Access = 'file.stage';

/** Prefix of every Electron IPC channel: the preload lets nothing else through. */
export const IPC_PREFIX = 'desk:';

/** Pushed from main to the window (never carrying document content). */
export type DeskEvent =
  | {
      type: 'session.locked';
      reason: 'manual' | 'removed' | 'idle' | 'bridge';
      /** With reason 'idle': the idle timeout that ran out, so the lock screen can say how long. */
      idleSeconds?: number;
    }
  /** The idle lock comes in `seconds` unless the person does something. */
  | { type: 'session.idleWarning'; seconds: number }
  /** Activity after a warning: the idle lock is off again. */
  | { type: 'session.resumed' }
  /**
   * Long work of the core that the person waits for; `done` of `total`, done === total when it is over.
   * Neither can be cancelled: a half re-keyed compartment is finished at the next unlock, never left,
   * and a migration interrupted goes on from the step it was in.
   *  - rekey: a compartment re-keyed after a clearance was lowered or a token unbound (`level`; files);
   *  - migrate: the workstation's data brought to this version's schema at unlock (`step` of `steps`;
   *    done/total within the step: records for a long one);
   *  - encrypt: a profile from before token binding encrypted at its first unlock (or its binding by the
   *    recovery key): step 1 the database copied, 2 the copy encrypted (bytes), 3 the copy checked, 4
   *    the attached files encrypted (files). Interrupted, it starts again from the plain original;
   *  - split: a profile from before compartments split into one database per secrecy level: step 1 the
   *    records and their history copied (records: rows), 2 the records indexed (records), 3 their files
   *    moved (files), 4 the base rewritten.
   *    Interrupted before the base's commit, it starts again; after it, only the rewrite is left.
   * In a stepped report `unit` says what done/total count; without it the step has no figures (0 of 1,
   * then 1 of 1).
   */
  | { type: 'work.progress'; task: 'rekey'; level: Secrecy; done: number; total: number }
  | { type: 'work.progress'; task: 'migrate'; step: number; steps: number; done: number; total: number }
  | { type: 'work.progress'; task: 'encrypt' | 'split'; step: number; steps: number; done: number; total: number; unit?: WorkUnit };
export type WorkTask = Extract<DeskEvent, { type: 'work.progress' }>['task'];
/** What a stepped task's figures count. */
export type WorkUnit = 'bytes' | 'records' | 'files';
const WORK_UNITS = new Set<string>(['bytes', 'records', 'files']);

const LOCK_REASONS = new Set<string>(['manual', 'removed', 'idle', 'bridge']);

/** A pushed event as the contract defines it, rebuilt field by field; anything else is dropped. */
export function toDeskEvent(payload: unknown): DeskEvent | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const p = payload as Record<string, unknown>;
  if (p.type === 'session.idleWarning') {
    const s = p.seconds;
    return typeof s === 'number' && Number.isFinite(s) && s > 0 && s <= 3600 ? { type: 'session.idleWarning', seconds: Math.round(s) } : null;
  }
  if (p.type === 'session.resumed') return { type: 'session.resumed' };
  if (p.type === 'work.progress') {
    const { task, level, done, total, step, steps } = p;
    // Bytes of a database reach into the tens of gigabytes; records and files stay far below.
    const count = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 && n <= (p.unit === 'bytes' ? 1e13 : 1e9);
    if (!count(done) || !count(total) || done > total) return null;
    const stepped = count(step) && count(steps) && step >= 1 && step <= steps && steps <= 100;
    if (task === 'migrate') return stepped ? { type: 'work.progress', task, step, steps, done, total } : null;
    if (task === 'encrypt' || task === 'split') {
      const { unit } = p;
      if (!stepped || (unit !== undefined && (typeof unit !== 'string' || !WORK_UNITS.has(unit)))) return null;
      return { type: 'work.progress', task, step, steps, done, total, ...(unit !== undefined ? { unit: unit as WorkUnit } : {}) };
    }
    if (task !== 'rekey' || typeof level !== 'string' || !(SECRECY_LEVELS as readonly string[]).includes(level)) return null;
    return { type: 'work.progress', task, level: level as Secrecy, done, total };
  }
  if (p.type !== 'session.locked' || typeof p.reason !== 'string' || !LOCK_REASONS.has(p.reason)) return null;
  const reason = p.reason as Extract<DeskEvent, { type: 'session.locked' }>['reason'];
  const idle = p.idleSeconds;
  return typeof idle === 'number' && Number.isFinite(idle) && idle > 0
    ? { type: 'session.locked', reason, idleSeconds: idle }
    : { type: 'session.locked', reason };
}

/** What the renderer sees as `window.desk`, whichever transport is underneath. */
export interface DeskApi {
  invoke<C extends Channel>(channel: C, input: InputOf<C>): Promise<OutputOf<C>>;
  /** Copy a user-chosen file into the profile's staging area; the renderer never sees a path. */
  stageFile(file: File): Promise<StagedFile>;
  /** Subscribe to pushed events; returns the unsubscribe function. */
  onEvent(listener: (event: DeskEvent) => void): () => void;
  /**
   * Electron only: main opens the file picker and stages what the person chose; the page gets the
   * staged files (and the names it could not stage, with why), never a path.
   */
  pickFiles?(): Promise<PickedFiles>;
  /** Electron only: the printers main may print a printout on. */
  printers?(): Promise<PrinterChoice[]>;
  /** Electron only: a print run printed silently by main on one of those printers (one use of the ticket). */
  printOutput?(ticket: string, printer: string): Promise<{ printer: string }>;
  /** Electron only: main's save dialog for an electronic copy or register; the folder is checked by policy. */
  saveOutput?(ticket: string): Promise<{ saved: boolean; name?: string }>;
}
export interface PrinterChoice { name: string; displayName: string; isDefault: boolean }
export interface PickedFiles {
  files: StagedFile[];
  /** Each refusal as an error payload would say it (key and parameters to word it in the person's language). */
  failed: Array<{ name: string; message: string; key?: string; params?: Record<string, string | number> }>;
}

/** The result envelope on the wire (IPC and dev host alike). */
export type Wire<T> = { ok: true; value: T } | { ok: false; error: DeskErrorPayload };

// ---- Outgoing documents (main/core/outgoing) ----
export interface OutgoingRow {
  id: number; status: OutgoingStatus; typeCode: string; subject: string; secrecy: Secrecy; urgency: Urgency;
  numberSymbol: string | null; issuedDate: string | null; signerName: string; draftedByName: string; updatedAt: string;
  /** Whose turn it is in the approval chain (in review), else null. */
  waitingFor: string | null;
}
export interface OutgoingFileView { id: number; version: number; ordinal: number; role: 'main' | 'appendix'; name: string; size: number; isPdf: boolean; sha256: string }
export interface OutgoingStepView { id: number; kind: OutgoingStepKind; position: number | null; version: number; actorName: string; at: string; comment: string }
export interface OutgoingSignatureView { id: number; role: 'signer' | 'agency'; format: 'cades' | 'pades'; fileName: string; signerName: string; signedAt: string }
export interface OutgoingRecipientView { id: number; kind: 'internal' | 'external'; code: string | null; name: string }
/** takenBack: set once the văn thư took the document back from this agency (Lấy lại, status 13). */
export interface OutgoingDispatchView {
  id: number; recipient: string; code: string | null; status: DispatchStatus; updatedAt: string; takenBack: { at: string; reason: string; actorName: string } | null;
  /** Its packet was refused on the way (agency server or hub): the recipient never got it (docs/exchange.md). */
  refused: { reason: string; at: string } | null;
  /** How many times it was sent again after a refusal (Gửi lại, main/core/outgoing/resends.ts). */
  resent: number;
}
export type OutgoingUpdateField = 'subject' | 'replyDeadline' | 'pageCount' | 'issuedAmount';
/** One Cập nhật of an issued document: each changed field's value before and after (dates ISO), with the reason. */
export interface OutgoingUpdateView { id: number; at: string; actorName: string; reason: string; changes: Array<{ field: OutgoingUpdateField; before: string | number | null; after: string | number | null }> }
export interface OutgoingDetail extends OutgoingRow {
  signerId: number; signerCompetence: string; draftedBy: number; draftingUnit: string;
  issuedAmount: number | null; replyDeadline: string | null; pageCount: number | null; notes: string;
  approvers: Array<{ id: number; name: string; done: boolean }>; currentStep: number; version: number;
  files: OutgoingFileView[]; steps: OutgoingStepView[]; signatures: OutgoingSignatureView[];
  recipients: OutgoingRecipientView[]; dispatches: OutgoingDispatchView[];
  registerName: string | null; number: number | null;
  recalledAt: string | null; recallReason: string | null;
  replaces: { id: number; numberSymbol: string | null } | null; replacedBy: { id: number; numberSymbol: string | null } | null;
  /** Appendices inside the main PDF: the page (1-based) where each starts. */
  appendixPages: number[];
  /**
   * The issue makes the agency's signature (Văn bản đi → Cấu hình ban hành): the issue button says
   * "ký số cơ quan" only then.
   */
  agencySignatureRequired: boolean;
  /** Issued without the agency's signature: the number and date were written in an unsigned update after the signer's signature. */
  issuedUnsigned: boolean;
  /** The metadata as corrected by every Cập nhật (the fields above stay as issued). */
  current: { subject: string; replyDeadline: string | null; pageCount: number | null; issuedAmount: number | null };
  /** The Cập nhật steps, oldest first. */
  updates: OutgoingUpdateView[];
  /** What the person may do now (the window shows these buttons); update, takeBack and resend (a refused dispatch's): the văn thư on an issued document. */
  can: { edit: boolean; submit: boolean; approve: boolean; sign: boolean; agencySign: boolean; issue: boolean; recall: boolean; update: boolean; takeBack: boolean; resend: boolean };
  /**
   * Set when the văn thư could issue it but the register it goes to is closed for this year (khóa sổ):
   * the window shows why instead of "Cấp số, ký số cơ quan và ban hành".
   */
  issueClosed?: { register: string; year: number; closedAt: string; reopensOn: string } | null;
}
/** A person's signature image as the window shows it (PNG or JPEG, base64). */
export interface SignatureImageView { userId: number; mime: 'image/png' | 'image/jpeg'; width: number; height: number; sha256: string; data: string; setAt: string; setByName: string }
export interface OutgoingIssued { id: number; number: number; numberSymbol: string; issuedDate: string; registerName: string; dispatches: number }
export interface OutgoingConfigView {
  preset: NumberingPreset; issuerNotation: string; sameDayIssue: boolean; requireAgencySignature: boolean; agencyCertificates: string[];
  /** Types whose number carries the year of issue (01/2026/NĐ-CP). */
  yearInNumber: string[];
  registers: Array<{ id: number; name: string; secrecy: Secrecy[]; scopeId: number; scopeName: string; reset: string; perType: boolean }>;
}
export interface OutgoingRegisterTable { kind: 'outgoing' | 'secret_outgoing'; title: string; from: string; to: string; columns: string[]; rows: string[][] }
export interface OutgoingPerson { id: number; fullName: string; position: string; role: Role; clearance: Secrecy }
export interface OutgoingPendingDispatch { outgoingId: number; dispatchId: number; recipient: string; code: string | null; numberSymbol: string; secrecy: Secrecy }
/** The seal image (PNG, base64); custom: uploaded by the administrator, else the generated stand-in. */
export interface OutgoingSealView { custom: boolean; png: string; width: number; height: number; sha256: string }
export interface OutgoingRegisterFile { kind: 'outgoing' | 'secret_outgoing'; format: 'pdf' | 'xlsx'; rows: number; fileName: string; ticket: string; url: string }

// ---- Register outputs closed at year end ----
export type ClosableRegisterKind = 'outgoing' | 'secret_outgoing' | 'incoming_tracking';
/** A closed year: who closed it and when, and the SHA-256 and row count of the PDF frozen then. */
export interface RegisterClosingView { kind: ClosableRegisterKind; year: number; closedAt: string; closedBy: string; pdfSha256: string; rows: number }
export interface RegisterClosingsOverview {
  registers: Array<{ kind: ClosableRegisterKind; name: string; mayClose: boolean; closings: RegisterClosingView[] }>;
  thisYear: number;
}
/** The closing, and a one-use ticket for its frozen PDF. */
export interface RegisterClosingFile extends RegisterClosingView { fileName: string; ticket: string; url: string }
/** A closed year of an incoming register, and a one-use ticket for the frozen PDF. */
export interface IncomingRegisterClosingFile { registerId: number; year: number; pdfSha256: string; rows: number; fileName: string; ticket: string; url: string }

// ---- The legacy import in the window (main/core/import/ImportWindowService.ts, docs/legacy-import.md) ----
/** A source the person uploaded into their staging area (a register, or a ZIP of a register and scans). */
export interface ImportSourceView {
  stagedId: string;
  /** The register inside the archive, or null for a register uploaded as such. */
  entry: string | null;
  name: string;
  format: 'csv' | 'xlsx' | 'dbf';
  encoding: ImportEncoding | null;
  encodingDetected: boolean;
  delimiter: string | null;
  delimiterDetected: boolean;
  sheets: Array<{ name: string; headers: string[]; rows: number }>;
  /** The first rows as read (before mapping). */
  sample: Array<{ sheet: string; row: number; cells: Record<string, string> }>;
  quirks: ImportQuirkView[];
  archive: { registers: string[]; files: number; scans: number } | null;
  suggested: ImportMapping;
}
export interface ImportQuirkView { code: string; text: string; sheet?: string; row?: number; column?: string; detail?: string }
export interface ImportReasonView { code: string; text: string; column?: string; detail?: string }
export type ImportRowStatus = 'ok' | 'warning' | 'duplicate' | 'rejected';
/** A row as it will be stored (text NFC, dates ISO: the window shows dd/mm/yyyy). */
export interface ImportPreviewRecord {
  issuer: string; issuerUnitId: number | null; numberSymbol: string; documentDate: string; arrivalDate: string; typeCode: string;
  subject: string; secrecy: Secrecy; urgency: Urgency; deadline: string | null; recipients: string[]; notes: string; file: string | null;
}
export interface ImportPreviewRow { sheet: string; row: number; status: ImportRowStatus; reasons: ImportReasonView[]; record: ImportPreviewRecord | null }
export interface ImportUnknownUnit { name: string; rows: number }
export interface ImportPreview {
  rows: ImportPreviewRow[];
  /** Rows the mapping reads in all. */
  total: number;
  unknownUnits: ImportUnknownUnit[];
  missingColumns: Array<{ sheet: string; column: string }>;
}
export interface ImportDryRunView {
  counts: Record<ImportRowStatus, number>;
  total: number;
  quirks: ImportQuirkView[];
  missingColumns: Array<{ sheet: string; column: string }>;
  unknownUnits: ImportUnknownUnit[];
  /** The first rows that are not ok (the whole list is in the report). */
  problems: ImportPreviewRow[];
  /** The validation report (XLSX) behind a one-use ticket. */
  fileName: string; ticket: string; url: string;
}
export type ImportRunState = 'running' | 'done' | 'cancelled' | 'failed';
/** A dry run under way: rows checked of the total, the statuses so far; its report once done (import.dryRunReport). */
export interface ImportDryRunProgress {
  runId: string; state: ImportRunState;
  /** Reading the file (decrypted and parsed on a worker: bytes of its total), then checking its rows. */
  phase: 'reading' | 'checking'; bytesRead: number; bytesTotal: number;
  total: number; checked: number; counts: Record<ImportRowStatus, number>;
  /** Rows per second; seconds left at that rate (null until known). */
  rate: number; secondsLeft: number | null;
  error: DeskErrorPayload | null;
}
export interface ImportRunView {
  runId: string; jobId: number | null; state: ImportRunState;
  total: number; handled: number; imported: number; duplicates: number; rejected: number;
  /** Rows per second in this run; seconds left at that rate (null until known). */
  rate: number; secondsLeft: number | null;
  error: DeskErrorPayload | null;
}
export interface ImportJobView {
  id: number; sourceName: string; state: 'running' | 'cancelled' | 'done';
  total: number; imported: number; duplicates: number; rejected: number; createdAt: string; updatedAt: string;
  /** The run working on it in this process, if any. */
  runId: string | null;
  /** Stopped (cancelled, or cut off by a lock or a crash) and its source still there: it can carry on. */
  resumable: boolean;
}
export interface SavedImportMapping { name: string; mapping: ImportMapping; savedAt: string; savedBy: string }
// ---- The exchange between agencies (main/core/exchange) ----
export type ExchangeInboxState = 'waiting' | 'registered' | 'refused' | 'recalled' | 'applied';
/** One electronic arrival in "Văn bản điện tử đến" (subject null for Tuyệt mật). */
export interface ExchangeInboxRow {
  id: number; receivedAt: string; fromCode: string; fromName: string; numberSymbol: string; documentDate: string | null; typeName: string | null;
  subject: string | null; secrecy: Secrecy; urgency: Urgency; businessType: 0 | 1 | 2 | 3; state: ExchangeInboxState; reason: string | null; notice: string | null;
  fileCount: number; incomingId: number | null; signatureValid: boolean;
  /** Waiting, and its decision was released from a workstation declared lost (it can be decided here once synced). */
  released?: { workstation: string; at: string } | null;
}
export interface ExchangeInboxDetail extends ExchangeInboxRow {
  documentId: string; businessReason: string | null; signer: { competence: string | null; position: string | null; fullName: string | null };
  dueDate: string | null; pageAmount: number | null; toPlaces: string[]; sealed: boolean;
  signature: { status: string; reasonVi: string; signer: { commonName: string; issuer: string; serial: string; subject: string } | null; algorithm: string | null };
  /** The checks made on arrival, each plainly passed or failed. */
  checks: Array<{ label: string; ok: boolean; detail: string }>;
  files: Array<{ index: number; name: string; size: number; kind: string; pageCount: number | null }>;
  /** Statuses owed to the sender; made: signed into a packet for the transport. */
  statuses: Array<{ code: string; label: string; description: string | null; at: string; made: boolean }>;
  original: { id: number; numberSymbol: string } | null;
  prefill: {
    issuerName: string; numberSymbol: string; documentDate: string | null; typeCode: string; subject: string; secrecy: Secrecy; urgency: Urgency;
    deadline: string | null; pageCount: number | null; signer: string | null;
  };
  can: { register: boolean; refuse: boolean };
}
/** What opening the packets waiting did. waiting: of a level the person does not hold. */
export interface ExchangeReceiveResult {
  opened: number; refused: number; statuses: number; waiting: number; duplicates: number;
  /** Taken by another workstation of the agency (its records arrive by sync). */
  elsewhere: number;
}
export interface DispatchStatusView {
  dispatchId: number; recipient: string; code: string | null; dispatchStatus: DispatchStatus;
  statuses: Array<{ code: string; label: string; description: string | null; staff: string | null; at: string | null; receivedAt: string }>;
  latest: { code: string; label: string; description: string | null; staff: string | null; at: string | null; receivedAt: string } | null;
}
export interface ExchangeNotice { state: ExchangeInboxState; notice: string | null; fromName: string }
