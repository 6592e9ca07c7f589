// The composition root of one workstation profile: the vault (life cycle, keys, session) and one
// service per domain, each called with the person who acts. Electron-free: the app, the development
// host, the CLI and the tests all open a Desk. New domains add a service here, not methods.
import { StructureService } from './org/StructureService';
import { AttachmentService } from './attachments/AttachmentService';
import { AuditService } from './audit/AuditService';
import { IncomingService } from './documents/IncomingService';
import { RegisterService } from './documents/RegisterService';
import { InternalUnitService } from './org/InternalUnitService';
import { OrgService } from './org/OrgService';
import { PolicyService } from './org/PolicyService';
import { PrefsService } from './prefs/PrefsService';
import { DraftService } from './drafts/DraftService';
import { ProfileVault, type TokenIdentity, type VaultOptions } from './vault/ProfileVault';
import type { Session } from '../../common/contract';
import type { SetupInput } from '../../common/schemas';
import { GrantService } from './secrets/GrantService';
import { LevelChangeService } from './secrets/LevelChangeService';
import { DestructionService } from './secrets/DestructionService';
import { CopyService } from './secrets/CopyService';
import { RegisterOutputService } from './secrets/RegisterOutputService';
import { ReviewService } from './secrets/ReviewService';
import { OutputService } from './outputs/OutputService';
import { AutoDeclassification } from './secrets/AutoDeclassification';
import { RestrictionService } from './secrets/RestrictionService';
import { WorkFileService } from './workfiles/WorkFileService';
import { exportWorkFile, type FileExport } from './workfiles/exportFile';
import { ProcessingService } from './processing/ProcessingService';
import { ExchangeService } from './exchange/ExchangeService';
import { OutgoingService } from './outgoing/OutgoingService';
import { outgoingKinds } from './outgoing/fileable';
import { RegisterClosingService } from './reports/RegisterClosingService';
import { ImportService } from './import/ImportService';
import { ImportWindowService } from './import/ImportWindowService';
import { PackageService } from './packages/PackageService';
import { EdxmlBatchService } from './packages/edxmlBatch';
import { PackageWindowService } from './packages/PackageWindowService';
import { OcrService } from './ocr/OcrService';

export { APP_VERSION, DEFAULT_ATTACHMENT_LIMIT, type TokenIdentity, type LockCause } from './vault/ProfileVault';
export type DeskOptions = VaultOptions;

export class Desk extends ProfileVault {
  readonly incoming = new IncomingService(this);
  readonly attachments = new AttachmentService(this);
  readonly org = new OrgService(this);
  readonly registers = new RegisterService(this);
  readonly internalUnits = new InternalUnitService(this);
  readonly policy = new PolicyService(this);
  readonly prefs = new PrefsService(this);
  readonly drafts = new DraftService(this);
  // The controls of the state-secrets law (main/core/secrets).
  readonly grants = new GrantService(this);
  readonly levels = new LevelChangeService(this);
  readonly destruction = new DestructionService(this);
  readonly copies = new CopyService(this);
  readonly secretRegisters = new RegisterOutputService(this);
  readonly review = new ReviewService(this);
  readonly restrictions = new RestrictionService(this);
  /** Automatic declassification at the end of protection periods: started at unlock, stopped at lock. */
  readonly autoDeclassify = new AutoDeclassification(this);
  readonly audit = new AuditService(this);
  /** The agency's units over time, people in them, and who may direct, approve and sign. */
  readonly structure = new StructureService(this);
  /** Printouts, copies and register outputs on their way out (printer or file), one use each. */
  readonly outputs = new OutputService(this);
  /** Work files (hồ sơ công việc): the yearly list, files, their export and the hand-over to the archive. */
  readonly workFiles = new WorkFileService(this);

  /** A closed work file as PDF (documents in date order, table of contents) and XML metadata, in memory. */
  exportWorkFile(actor: Parameters<WorkFileService['year']>[0], fileId: number): Promise<FileExport> {
    return exportWorkFile(this.workFiles, actor, fileId, this.context().db);
  }
  /** Processing incoming documents: submission, direction, assignment, handling, inboxes (main/core/processing). */
  readonly processing = new ProcessingService(this);
  /** Outgoing documents: drafts, approval, signing, numbering at issue, dispatch, recall (main/core/outgoing). */
  readonly outgoing = new OutgoingService(this);
  /** The exchange between agencies: issued documents as signed (and for secrets sealed) edXML packets (main/core/exchange). */
  readonly exchange = new ExchangeService(this, this.outgoing);
  /** Khóa sổ cuối năm of the outgoing registers and the Sổ theo dõi giải quyết (main/core/reports/closedYears.ts). */
  readonly registerClosings = new RegisterClosingService(this);
  /** The legacy import: CSV/TSV, XLSX, DBF registers in old encodings, dry run and resumable job (main/core/import). */
  readonly imports = new ImportService(this);
  /** The legacy import in the window: sources uploaded into staging, preview, saved mappings, background runs. */
  readonly importWindow = new ImportWindowService(this, this.imports);
  /** Offline packages: export a selection signed and sealed, verify and import one (main/core/packages, docs/packages.md). */
  readonly packages = new PackageService(this);
  /** Folders and ZIPs of edXML packets on removable media (main/core/packages/edxmlBatch.ts). */
  readonly edxmlBatch = new EdxmlBatchService(this, this.exchange);
  /** Offline packages from the window: staged uploads in, one-use outputs out (main/core/packages/PackageWindowService.ts). */
  readonly packageWindow = new PackageWindowService(this, this.packages, this.edxmlBatch);
  /** OCR of scanned files in the background (main/core/ocr): page text into the level's full-text index. */
  readonly ocr = new OcrService(this);

  /** The app:// and /blob/ routes: an output ticket, else a viewer ticket. */
  async openTicket(ticket: string): ReturnType<AttachmentService['openTicket']> {
    return (await this.outputs.openTicket(ticket)) ?? this.attachments.openTicket(ticket);
  }

  protected constructor(profileDir: string, opts: DeskOptions) {
    super(profileDir, opts);
    this.onLock(() => this.autoDeclassify.sessionEnding());
    // Outgoing documents and drafts can be filed in work files (outgoing/fileable.ts).
    for (const k of outgoingKinds) this.workFiles.registerKind(k);
  }

  static async open(opts: DeskOptions): Promise<Desk> {
    return new Desk(opts.profileDir, opts);
  }

  // The session's background jobs start once the person is signed in (a minimal hook on the vault).
  override async unlock(token: TokenIdentity): Promise<Session> {
    const session = await super.unlock(token);
    this.autoDeclassify.sessionStarted();
    this.ocr.sessionStarted();
    return session;
  }

  override async setup(input: SetupInput, token: TokenIdentity): Promise<Session> {
    const session = await super.setup(input, token);
    this.autoDeclassify.sessionStarted();
    this.ocr.sessionStarted();
    return session;
  }
}
