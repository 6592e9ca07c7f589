// The rows of the Sổ đăng ký văn bản đến of one incoming register and year, as the decree's form has
// them: every entry in order of its arrival number. Ngày chuyển is the first hand-over dated in that
// year; Ký nhận is the electronic acknowledgement of that hand-over (who and when) when there is one,
// and is otherwise left empty for the receiver's handwritten signature on the printed book.
import { formatDateTimeVn } from '../../../common/dates';
import { documentTypeName, type Secrecy } from '../../../common/domain';
import type { CoreContext } from '../context';
import { overArms } from '../documents/arms';
import type { IncomingRegisterRow } from './registers';

interface Row {
  id: number; c: string; arrivalDate: string; arrivalNumber: number; issuer: string; numberSymbol: string; documentDate: string | null;
  typeCode: string; subject: string; secrecy: Secrecy; recipients: string; notes: string | null;
}

export function incomingRegisterRows(ctx: CoreContext, registerId: number, year: number): IncomingRegisterRow[] {
  const { db } = ctx;
  const arms = ctx.arms.filter((a) => a.level !== null);
  if (arms.length === 0) return [];
  const q = overArms(arms, `SELECT i.id, '{c}' AS c, i.arrival_date AS arrivalDate, i.arrival_number AS arrivalNumber, i.arrival_number < 1 AS awaiting, i.issuer_name AS issuer,
      i.number_symbol AS numberSymbol, i.document_date AS documentDate, i.type_code AS typeCode, i.subject, i.secrecy, i.recipients, i.notes
    FROM {c}.incoming i WHERE i.register_id = ? AND i.year = ?`, [registerId, year]);
  const rows = db.prepare(`${q.sql} ORDER BY awaiting, arrivalNumber, id`).all(...q.params) as Row[];
  return rows.map((r): IncomingRegisterRow => {
    const h = db.prepare(`SELECT h.handed_on AS handedOn, u.full_name AS ackBy, h.acknowledged_at AS ackAt FROM ${r.c}.incoming_handovers h
        LEFT JOIN main.users u ON u.id = h.acknowledged_by WHERE h.incoming_id = ? AND substr(h.handed_on, 1, 4) = ? ORDER BY h.handed_on, h.id LIMIT 1`)
      .get(r.id, String(year)) as { handedOn: string; ackBy: string | null; ackAt: string | null } | undefined;
    return {
      arrivalDate: r.arrivalDate, arrivalNumber: r.arrivalNumber, issuer: r.issuer, numberSymbol: r.numberSymbol, documentDate: r.documentDate,
      typeName: documentTypeName(r.typeCode), subject: r.subject || null, secrecy: r.secrecy,
      recipient: (JSON.parse(r.recipients) as string[]).join('; '),
      handedOn: h?.handedOn ?? null,
      acknowledgement: h?.ackAt ? `${h.ackBy ?? ''} ${formatDateTimeVn(h.ackAt)}`.trim() : null,
      notes: r.notes || null,
    };
  });
}
