// Offline packages in the window (docs/packages.md): what the renderer sends and receives. The renderer
// never names a path: a package comes in as a staged upload, a certificate file too, and the package
// going out leaves as a one-use output ticket; recipients are certificates the core already knows
// (people bound on this workstation, agencies of the exchange directory) or an uploaded one it checks.
import { z } from 'zod';
import { SECRECY_LEVELS, type Secrecy } from './domain';

const stagedId = z.string().regex(/^[0-9a-f]{32}$/);
const runId = z.string().regex(/^[0-9a-f]{32}$/);

export const packageSelectionSchema = z.object({
  year: z.number().int().min(1945).max(2200).optional(),
  registerId: z.number().int().positive().optional(),
  secrecy: z.array(z.enum(SECRECY_LEVELS)).min(1).max(4).optional(),
  workFileId: z.number().int().positive().optional(),
  query: z.string().trim().max(200).optional(),
}).strict();
export type PackageSelectionInput = z.infer<typeof packageSelectionSchema>;

export const packageRecipientsSchema = z.object({
  /** Certificates bound to people of this workstation, by SHA-256 fingerprint (64 hex). */
  people: z.array(z.string().regex(/^[0-9a-f]{64}$/)).max(50).default([]),
  /** Agencies of the exchange directory, by identifier code. */
  agencies: z.array(z.string().trim().min(1).max(40)).max(50).default([]),
  /** Certificate files the person staged (PEM or DER). */
  files: z.array(stagedId).max(20).default([]),
}).strict();
export type PackageRecipientsInput = z.infer<typeof packageRecipientsSchema>;

export const packageExportSchema = z.object({ selection: packageSelectionSchema, recipients: packageRecipientsSchema }).strict();
/** The edXML packets of the selection's issued documents: recipients are the documents' own (the exchange directory's certificates). */
export const packageEdxmlExportSchema = z.object({ selection: packageSelectionSchema }).strict();
export const packageStagedSchema = z.object({ stagedId }).strict();
export const packageRunSchema = z.object({ runId }).strict();

export type PackageOutcome = 'new' | 'already' | 'update' | 'duplicate' | 'conflict' | 'refused';
export type PackageOutcomeCounts = Record<PackageOutcome, number>;
/** Why a document is not taken: above the person's clearance, a level this session does not hold, held here at another level, or registered here separately. */
export type PackageReason = 'aboveClearance' | 'levelNotHeld' | 'otherLevel' | 'separateCopy';

export interface PackageRecipientOption {
  kind: 'person' | 'agency' | 'file';
  /** Fingerprint (person), identifier code (agency) or staged id (file). */
  id: string;
  name: string;
  /** The certificate's subject, or the agency's code. */
  detail: string;
  /** ISO; absent for an agency (several certificates). */
  notAfter?: string;
}

export interface PackageCheckView {
  stagedId: string;
  fileName: string;
  packageId: string;
  agency: { name: string; code: string };
  exportedAt: string;
  exportedBy: string;
  /** The signer's certificate subject, verified to the trust anchors. */
  signer: string | null;
  encrypted: boolean;
  levels: Secrecy[];
  byLevel: Array<{ level: Secrecy; counts: PackageOutcomeCounts; outgoing: PackageOutcomeCounts }>;
  byRegister: Array<{ name: string; documents: number; counts: PackageOutcomeCounts }>;
  /** Work files the documents that come in are filed in; a refused one's title is not shown. */
  workFiles: Array<{ code: string; title: string | null; level: Secrecy; outcome: Exclude<PackageOutcome, 'duplicate'> }>;
  /** Documents not taken, counted by level and reason. */
  reasons: Array<{ level: Secrecy; outcome: 'refused' | 'conflict' | 'duplicate'; reason: PackageReason; count: number }>;
  /** Documents that would come in (new or updated). */
  importable: number;
}

export interface PackageImportRunView {
  runId: string;
  state: 'running' | 'done' | 'cancelled' | 'failed';
  phase: 'opening' | 'files' | 'recording' | 'finished';
  /** Files placed so far, of those to place. */
  filesDone: number;
  filesTotal: number;
  result: { applied: number; filesPlaced: number; waiting: number; conflicts: number; counts: PackageOutcomeCounts } | null;
  error: { code: string; message: string; key?: string; details?: Record<string, unknown> } | null;
}

export interface PackageExportFile {
  packageId: string;
  fileName: string;
  ticket: string;
  url: string;
  size: number;
  encrypted: boolean;
  recipients: number;
  byLevel: Array<{ level: Secrecy; incoming: number; outgoing: number; files: number }>;
  workFiles: number;
}

/** A ZIP of edXML packets handed out as a one-use output ticket. */
export interface PackageEdxmlExportFile {
  fileName: string;
  ticket: string;
  url: string;
  size: number;
  packets: number;
  documents: number;
}

export type PackageEdxmlOutcome = 'opened' | 'waiting' | 'refused' | 'duplicate';

/** What importing a ZIP of edXML packets would do here, packet by packet; nothing written (main/core/packages/edxmlPreview.ts). */
export interface PackageEdxmlPreview {
  packets: Array<{ name: string; packetId: string | null; outcome: PackageEdxmlOutcome; reason: string | null }>;
  counts: Record<PackageEdxmlOutcome, number>;
}

/** A ZIP of edXML packets imported through the exchange's inbound path (main/core/packages/edxmlBatch.ts). */
export interface PackageEdxmlResult extends PackageEdxmlPreview {
  /**
   * After a preview of the same upload: the packets whose outcome is not the one it showed (something
   * changed meanwhile, e.g. another workstation received a packet first); null when there was no preview.
   */
  changed: Array<{ name: string; expected: PackageEdxmlOutcome; outcome: PackageEdxmlOutcome }> | null;
}
