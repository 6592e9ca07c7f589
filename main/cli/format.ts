// Plain-text rendering of CLI results (the --json flag prints the contract's objects instead).
import type { IncomingDetail, IncomingRow } from '../../common/contract';
import { formatDateTimeVn, formatDateVn } from '../../common/dates';
import { ARRIVAL_CHANNEL_LABELS, documentTypeName, SECRECY_LABELS, URGENCY_LABELS, INCOMING_STATUS_LABELS } from '../../common/domain';

const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s.padEnd(n));

/** The register and year an arrival number belongs to (numbers repeat across registers and years). */
const registerOf = (r: IncomingRow) => `${cut(r.registerName.replace(/^Sổ đăng ký /, ''), 18)} ${r.year}`;

export function rowsTable(rows: IncomingRow[]): string {
  const head = `${'Sổ'.padEnd(23)} ${'Số đến'.padEnd(7)} ${'Ngày đến'.padEnd(10)} ${'Số, ký hiệu'.padEnd(16)} ${'Độ mật'.padEnd(9)} ${'Cơ quan ban hành'.padEnd(28)} Trích yếu`;
  const lines = rows.map((r) =>
    [
      registerOf(r), String(r.arrivalNumber).padEnd(7), formatDateVn(r.arrivalDate).padEnd(10), cut(r.numberSymbol, 16),
      SECRECY_LABELS[r.secrecy].padEnd(9), cut(r.issuerName, 28), r.subject || '(Tuyệt mật – không ghi trích yếu)',
    ].join(' '),
  );
  return [head, ...lines].join('\n');
}

export function detailText(d: IncomingDetail): string {
  const f = (label: string, value: string) => `${label.padEnd(22)} ${value}`;
  return [
    f('Mã bản ghi', String(d.id)),
    f('Sổ đăng ký', `${d.registerName}, năm ${d.year}${d.yearClosed ? ' (đã khóa sổ)' : ''}`),
    f('Số đến', String(d.arrivalNumber)),
    f('Ngày đến', formatDateVn(d.arrivalDate)),
    f('Cơ quan ban hành', d.issuerName),
    f('Số, ký hiệu', d.numberSymbol),
    f('Ngày văn bản', formatDateVn(d.documentDate)),
    f('Tên loại', documentTypeName(d.typeCode)),
    f('Trích yếu', d.subject || '(Tuyệt mật – không ghi trích yếu)'),
    f('Người ký', d.signer || '—'),
    f('Số trang', d.pageCount === null ? '—' : String(d.pageCount)),
    f('Số bản', d.copyCount === null ? '—' : String(d.copyCount)),
    f('Hình thức nhận', d.arrivalChannel ? ARRIVAL_CHANNEL_LABELS[d.arrivalChannel] : '—'),
    f('Độ mật', SECRECY_LABELS[d.secrecy]),
    f('Độ khẩn', URGENCY_LABELS[d.urgency]),
    f('Hạn xử lý', d.deadline ? formatDateVn(d.deadline) : '—'),
    f('Trạng thái', INCOMING_STATUS_LABELS[d.status]),
    f('Đơn vị, người nhận', d.recipients.join('; ') || '—'),
    f('Ghi chú', d.notes || '—'),
    // Instants are shown in Vietnam time, whatever the machine's time zone.
    f('Người vào sổ', `${d.registeredBy}, ${formatDateTimeVn(d.registeredAt)}`),
    ...d.handovers.map((h) => f('Chuyển', `${[h.userName, h.unitName].filter(Boolean).join(', ')} ngày ${formatDateVn(h.handedOn)}; ${
      h.acknowledgedAt ? `ký nhận: ${h.acknowledgedBy ?? ''}, ${formatDateTimeVn(h.acknowledgedAt)}` : 'chưa ký nhận'}`)),
    ...d.corrections.map((c) => f('Sửa', `${formatDateTimeVn(c.correctedAt)}, ${c.correctedBy}: ${c.reason} (${c.changes.map((x) => x.field).join(', ')})`)),
    'Tệp đính kèm:',
    ...d.attachments.map((a) => `  - ${a.name} (${a.size} byte${a.isPdf ? ', PDF' : ''}) sha256 ${a.sha256}`),
  ].join('\n');
}
