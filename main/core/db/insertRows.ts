// Many rows of one table in a few multi-row INSERTs (a set-wise write: the legacy import's
// transactions). Statements come in a few fixed sizes, so a connection prepares at most four per table
// and column list, whatever the number of rows.
import type { Db } from './connection';
import { cached } from './statements';

/** Rows per statement, largest first; each row's values are bound (SQLite allows 32 766 per statement). */
const SIZES = [64, 16, 4, 1];

/** Inserts `rows` (values in `columns` order) in their order; `verb` e.g. 'INSERT OR IGNORE'. */
export function insertRows(db: Db, table: string, columns: readonly string[], rows: ReadonlyArray<readonly unknown[]>, verb = 'INSERT'): void {
  const one = `(${columns.map(() => '?').join(',')})`;
  const head = `${verb} INTO ${table} (${columns.join(', ')}) VALUES `;
  let i = 0;
  for (const size of SIZES) {
    if (rows.length - i < size) continue;
    const st = cached(db, head + Array.from({ length: size }, () => one).join(','));
    for (; rows.length - i >= size; i += size) st.run(...rows.slice(i, i + size).flat());
  }
}
