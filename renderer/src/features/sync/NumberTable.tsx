// The shell the sync panel's lists of numbers share (outgoing conflicts, numbers given after a home
// moved, clashes after a restore): a heading, what happened, a table of one row a number, and what to
// do when there is one thing to say for all rows.
import type { ReactNode } from 'react';

export function NumberTable({ testId, title, help, columns, notice, children }: {
  testId: string; title: string; help: string; columns: readonly string[]; notice?: string; children: ReactNode;
}) {
  return (
    <div className="sync-conflicts sync-number-conflicts" data-testid={testId}>
      <h2>{title}</h2>
      <p className="muted">{help}</p>
      <table className="data-table sync-number-conflicts-table">
        <thead>
          <tr>{columns.map((c) => <th key={c} scope="col">{c}</th>)}</tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
      {notice && <p className="notice" role="note">{notice}</p>}
    </div>
  );
}
