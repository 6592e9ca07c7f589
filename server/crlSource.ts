// CRL files, parsed again when one of them changes (IT copies a new CRL in: no restart). A file that
// is missing or does not parse is left out (and named by `problems`), so one bad file spoils nothing else.
import { readFileSync, statSync } from 'node:fs';
import { parseCrls, type CrlInfo } from '../main/core/crypto/crl';

export class CrlSource {
  private stamp = '';
  private crls: CrlInfo[] = [];
  problems: string[] = [];
  constructor(private readonly files: readonly string[]) {}

  /** A value that changes whenever a file does (callers key their caches on it). */
  version(): string {
    return this.files.map((f) => { try { const s = statSync(f); return `${s.mtimeMs}:${s.size}`; } catch { return 'absent'; } }).join('|');
  }

  get(): CrlInfo[] {
    const stamp = this.version();
    if (stamp !== this.stamp) {
      this.problems = [];
      this.crls = this.files.flatMap((f) => {
        try {
          return parseCrls([readFileSync(f)]);
        } catch (e) {
          this.problems.push(`${f}: ${e instanceof Error ? e.message : String(e)}`);
          return [];
        }
      });
      this.stamp = stamp;
    }
    return this.crls;
  }
}
