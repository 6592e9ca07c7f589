// Writes wait for the integrity verdict. The profile opens at once and reads proceed while the
// database worker checks the file; a write attempted before the verdict waits for it, and on a
// damaged database it is refused, so nothing ever lands on a file that failed its check.
import { DeskError } from '../../../common/errors';

export type Verdict = { ok: true } | { ok: false; damage: string };

export const READ_ONLY_MESSAGE =
  'Cơ sở dữ liệu bị hỏng nên đang mở ở chế độ chỉ đọc. Không thể ghi dữ liệu; hãy liên hệ quản trị để khôi phục từ bản sao lưu.';
const LOCKED_MESSAGE = 'Máy trạm đang khóa. Cắm thiết bị ký số và nhập mã PIN để mở.';

export class WriteGate {
  private current: Verdict | null = null;
  private closed = false;
  private readonly waiting: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  private readonly queued: Array<() => void> = [];
  private readonly listeners: Array<(v: Verdict) => void> = [];
  private resolveSettled!: (v: Verdict) => void;
  private readonly report: (err: unknown) => void;
  /** Resolves with the verdict once it is known (after the listeners and queued writes have run). */
  readonly settled = new Promise<Verdict>((resolve) => (this.resolveSettled = resolve));

  /**
   * `open`: the file was made or checked just now, writes go ahead; otherwise the gate waits for
   * decide(). `report` hears of a queued write that failed (the others still run).
   */
  constructor(opts: { open?: boolean; report?: (err: unknown) => void } = {}) {
    this.report = opts.report ?? (() => undefined);
    if (opts.open) this.decide({ ok: true });
  }

  get state(): 'checking' | 'ok' | 'damaged' {
    return this.current === null ? 'checking' : this.current.ok ? 'ok' : 'damaged';
  }

  get verdict(): Verdict | null {
    return this.current;
  }

  /** Called with the verdict before any waiting write resumes (the owner switches to read-only here). */
  onVerdict(fn: (v: Verdict) => void): void {
    if (this.current) fn(this.current);
    else this.listeners.push(fn);
  }

  /** Resolves when writes may go ahead; rejects READ_ONLY on a damaged database, NO_SESSION once closed. */
  writable(): Promise<void> {
    if (this.closed) return Promise.reject(new DeskError('NO_SESSION', LOCKED_MESSAGE));
    if (this.current) return this.current.ok ? Promise.resolve() : Promise.reject(new DeskError('READ_ONLY', READ_ONLY_MESSAGE));
    return new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  /** Throws unless the verdict is in and good (for writes that cannot wait). */
  assertWritable(): void {
    if (this.closed) throw new DeskError('NO_SESSION', LOCKED_MESSAGE);
    if (!this.current?.ok) throw new DeskError('READ_ONLY', READ_ONLY_MESSAGE);
  }

  /**
   * Runs `write` now when the verdict is good, after a good verdict while it is pending (in the order
   * asked), never on a damaged database. For records that must not hold up the caller (audit rows
   * of an unlock, a lock, a view); they run even if the session was closed meanwhile.
   */
  whenWritable(write: () => void): void {
    if (this.current?.ok) write();
    else if (!this.current) this.queued.push(write);
  }

  /** The verdict; the first one counts (a read that met a damaged page decides as well as the check). */
  decide(v: Verdict): void {
    if (this.current) return;
    this.current = v;
    for (const fn of this.listeners.splice(0)) fn(v);
    const queued = this.queued.splice(0);
    if (v.ok) {
      for (const write of queued) {
        try {
          write();
        } catch (err) {
          this.report(err);
        }
      }
    }
    for (const w of this.waiting.splice(0)) {
      if (this.closed) w.reject(new DeskError('NO_SESSION', LOCKED_MESSAGE));
      else if (v.ok) w.resolve();
      else w.reject(new DeskError('READ_ONLY', READ_ONLY_MESSAGE));
    }
    this.resolveSettled(v);
  }

  /** The session ended: no new writes; writes that were waiting are refused; queued records still run. */
  close(): void {
    this.closed = true;
    for (const w of this.waiting.splice(0)) w.reject(new DeskError('NO_SESSION', LOCKED_MESSAGE));
  }
}
