// Sổ theo dõi giải quyết văn bản đến: the incoming documents of a period that went into processing,
// with who leads them, the deadline, how far they are, and the reply. Read from the timeline and the
// current tasks of each compartment the person holds; produced as PDF (the law's layout) or XLSX by
// the same report code as the other registers.
import { formatDateVn, todayIso } from '../../../common/dates';
import { documentTypeName, INCOMING_STATUS_LABELS, type IncomingStatus, type Secrecy } from '../../../common/domain';
import type { CoreContext } from '../context';
import { overArms } from '../documents/arms';
import type { IncomingTrackingRow } from '../reports/registers';

const NO_DUE = '9999-12-31';

interface Row {
  id: number; c: string; arrivalNumber: number; arrivalDate: string; typeCode: string; numberSymbol: string; documentDate: string; issuer: string;
  subject: string; secrecy: Secrecy; status: IncomingStatus;
}

export function trackingRows(ctx: CoreContext, from: string, to: string): IncomingTrackingRow[] {
  const { db } = ctx;
  const arms = ctx.arms.filter((a) => a.level !== null);
  if (arms.length === 0) return [];
  const q = overArms(arms, `SELECT i.id, '{c}' AS c, i.arrival_number AS arrivalNumber, i.arrival_number < 1 AS awaiting, i.arrival_date AS arrivalDate, i.type_code AS typeCode,
      i.number_symbol AS numberSymbol, i.document_date AS documentDate, i.issuer_name AS issuer, i.subject, i.secrecy, i.status
    FROM {c}.incoming i WHERE i.arrival_date BETWEEN ? AND ? AND i.status <> 'registered'`, [from, to]);
  const rows: Array<Row & { carriedFrom?: number }> = db.prepare(`${q.sql} ORDER BY arrivalDate, awaiting, arrivalNumber, id`).all(...q.params) as Row[];
  // Carried over (docs/register-closings.md), one year at a time: a document enters the book of year Y
  // from the closed book of Y-1 when it was in that book (arrived in Y-1, or carried into it the same
  // way) and still being handled at its closing. While Y-1's book is open its unfinished documents
  // stay there: they are not listed in two open books.
  const year = Number(from.slice(0, 4));
  const closedAt = new Map((db.prepare("SELECT year, closed_at AS closedAt FROM main.register_closings WHERE kind = 'incoming_tracking' AND year < ?")
    .all(year) as Array<{ year: number; closedAt: string }>).map((c) => [c.year, c.closedAt]));
  let first = year;
  while (closedAt.has(first - 1)) first--;
  const carried: Array<Row & { carriedFrom: number }> = [];
  if (first < year) {
    const cq = overArms(arms, `SELECT i.id, '{c}' AS c, i.arrival_number AS arrivalNumber, i.arrival_number < 1 AS awaiting, i.arrival_date AS arrivalDate, i.type_code AS typeCode,
        i.number_symbol AS numberSymbol, i.document_date AS documentDate, i.issuer_name AS issuer, i.subject, i.secrecy, i.status
      FROM {c}.incoming i WHERE i.arrival_date BETWEEN ? AND ? AND i.status <> 'registered'`, [`${first}-01-01`, `${year - 1}-12-31`]);
    for (const r of db.prepare(`${cq.sql} ORDER BY arrivalDate, awaiting, arrivalNumber, id`).all(...cq.params) as Row[]) {
      const ended = db.prepare(`SELECT at FROM ${r.c}.processing_steps WHERE incoming_id = ? AND (kind = 'return' OR (kind = 'complete' AND json_extract(data, '$.finished') = 1)) ORDER BY id LIMIT 1`)
        .pluck().get(r.id) as string | undefined;
      // Finished (or returned) before one of the closings it went through: the book closed then holds it
      // (closings may have been made out of order: any of them counts). Before this period: not carried into it.
      const arrived = Number(r.arrivalDate.slice(0, 4));
      const through = [...closedAt].filter(([y]) => y >= arrived && y < year).map(([, at]) => at);
      if (ended && (through.some((at) => ended < at) || todayIso(new Date(ended)) < from)) continue;
      carried.push({ ...r, carriedFrom: year - 1 });
    }
  }
  rows.unshift(...carried);
  const user = (id: number | null) => (id === null ? '' : (db.prepare('SELECT full_name FROM main.users WHERE id = ?').pluck().get(id) as string | undefined) ?? '');
  const unit = (id: number | null) => (id === null ? '' : (db.prepare('SELECT name FROM main.internal_units WHERE id = ?').pluck().get(id) as string | undefined) ?? '');
  return rows.map((r: Row & { carriedFrom?: number }): IncomingTrackingRow => {
    const tasks = db.prepare(`SELECT role, user_id, unit_id, state, due, progress, parent_id FROM ${r.c}.processing_tasks WHERE incoming_id = ? AND state <> 'closed' ORDER BY id`)
      .all(r.id) as Array<{ role: string; user_id: number | null; unit_id: number | null; state: string; due: string; progress: number; parent_id: number | null }>;
    const lead = tasks.find((t) => t.role === 'lead');
    const handler = [...tasks].reverse().find((t) => t.role === 'handle' && t.state !== 'returned');
    const recipient = [lead ? (lead.user_id !== null ? user(lead.user_id) : unit(lead.unit_id)) : '', handler ? user(handler.user_id) : '']
      .filter(Boolean).filter((v, i, a) => a.indexOf(v) === i).join(' — ');
    const dueTask = handler ?? lead;
    const steps = db.prepare(`SELECT kind, at, text, data FROM ${r.c}.processing_steps WHERE incoming_id = ? AND kind IN ('complete','return','extension_decision') ORDER BY id`)
      .all(r.id) as Array<{ kind: string; at: string; text: string; data: string }>;
    const done = steps.filter((s) => s.kind === 'complete').map((s) => ({ at: s.at, data: JSON.parse(s.data) as { reply?: { numberSymbol: string } | null; finished?: boolean } }))
      .find((s) => s.data.finished);
    const returned = steps.find((s) => s.kind === 'return');
    const extensions = steps.filter((s) => s.kind === 'extension_decision' && (JSON.parse(s.data) as { grant?: boolean }).grant).length;
    let progress: string = INCOMING_STATUS_LABELS[r.status];
    if (r.status === 'done' && done) progress = `Hoàn thành ngày ${formatDateVn(done.at)}`;
    else if (r.status === 'processing' && dueTask) progress = `Đang xử lý (${dueTask.progress}%)`;
    else if (r.status === 'returned' && returned) progress = `Trả lại ngày ${formatDateVn(returned.at)}`;
    const notes = [
      r.carriedFrom !== undefined ? `Chuyển từ năm ${r.carriedFrom} sang (sổ năm ${r.carriedFrom} đã khóa)` : '',
      returned ? `Lý do trả lại: ${returned.text}` : '', extensions > 0 ? `Đã gia hạn ${extensions} lần` : '',
    ].filter(Boolean).join('; ');
    return {
      arrivalNumber: r.arrivalNumber, arrivalDate: r.arrivalDate, typeName: documentTypeName(r.typeCode), numberSymbol: r.numberSymbol,
      documentDate: r.documentDate, issuer: r.issuer, subject: r.secrecy === 'tuyet_mat' ? null : r.subject, secrecy: r.secrecy,
      recipient, deadline: dueTask && dueTask.due !== NO_DUE ? dueTask.due : null, progress,
      reply: done?.data.reply?.numberSymbol ?? null, notes: notes || null,
      ...(r.carriedFrom !== undefined ? { carriedFrom: r.carriedFrom } : {}),
    };
  });
}
