// `securedesk edxml inspect FILE`: what an edXML packet holds (header, trace, attachments with
// their sniffed types and sizes, the signature's verdict) and what is wrong with it.
import { promises as fsp } from 'node:fs';
import { EDXML_BUSINESS_LABELS, EDXML_PRIORITY_LABELS, EDXML_STATUS_LABELS, type EdxmlOrgan } from '../../common/edxml';
import { DeskError } from '../../common/errors';
import { inspectPacket, readRouting, ROUTING_MAGIC, type EdxmlInspection, type RoutingHeader } from '../core/exchange/edxml';

export type EdxmlInspectOutput = EdxmlInspection | { ok: true; sealed: RoutingHeader; bytes: number };

export async function inspectEdxmlFile(path: string, trustAnchors: readonly Uint8Array[], crls: ReadonlyArray<{ bytes: Uint8Array }>, requireSignature: boolean): Promise<EdxmlInspectOutput> {
  const bytes = await fsp.readFile(path).catch(() => {
    throw new DeskError('FILE_UNREADABLE', `Không đọc được tệp "${path}".`);
  });
  if (bytes.subarray(0, ROUTING_MAGIC.length).toString('latin1') === ROUTING_MAGIC) {
    try {
      return { ok: true, sealed: readRouting(bytes).header, bytes: bytes.length };
    } catch (e) {
      return { ok: false, bytes: bytes.length, shape: null, packet: null, signature: null, problems: [{ code: 'EDXML_ENVELOPE', severity: 'error', where: '', message: (e as Error).message, messageVi: 'Gói tin mã hóa bị hỏng.' }] };
    }
  }
  return inspectPacket(bytes, { trustAnchors, crls: crls.map((c) => c.bytes), requireSignature });
}

const organ = (o: EdxmlOrgan) => `${o.organId}${o.organName ? ` (${o.organName})` : o.organizationInCharge ? ` (${o.organizationInCharge})` : ''}`;
const kb = (n: number) => (n < 1024 ? `${n} byte` : `${(n / 1024).toFixed(1)} KB`);

export function inspectText(r: EdxmlInspectOutput): string {
  if ('sealed' in r) {
    return [`Gói tin edXML đã mã hóa (${kb(r.bytes)}): chỉ đọc được phần định tuyến.`, `  Gửi từ: ${r.sealed.from}`, `  Gửi đến: ${r.sealed.to.join(', ')}`,
      `  Mã gói tin: ${r.sealed.packetId}`, `  Dung lượng bản mã: ${r.sealed.size} byte`, 'Giải mã bằng thiết bị ký số của cơ quan nhận để xem nội dung.'].join('\n');
  }
  const lines: string[] = [];
  const p = r.packet;
  if (p?.kind === 'document') {
    lines.push(`Gói tin văn bản edXML (${r.shape === 'legacy-soap' ? 'dạng SOAP cũ' : 'QCVN 102:2016'}), ${kb(r.bytes)}`);
    lines.push(`  Gửi từ: ${organ(p.from)}`, ...p.to.map((t) => `  Gửi đến: ${organ(t)}`));
    lines.push(`  Số, ký hiệu: ${[p.code.number, p.code.notation].filter(Boolean).join('/') || '(không có)'}`);
    lines.push(`  Ngày ban hành: ${p.promulgation.date ?? '(không rõ)'}${p.promulgation.place ? `, ${p.promulgation.place}` : ''}`);
    lines.push(`  Loại văn bản: ${p.documentType.typeName ?? p.documentType.type ?? '(không rõ)'}`, `  Trích yếu: ${p.subject ?? '(không có)'}`);
    lines.push(`  Người ký: ${[p.signer.competence, p.signer.position, p.signer.fullName].filter(Boolean).join(' ') || '(không rõ)'}`);
    lines.push(`  Độ khẩn: ${p.otherInfo.priority === null ? '(không ghi)' : EDXML_PRIORITY_LABELS[p.otherInfo.priority]}; độ mật: ${p.otherInfo.secrecy ?? '(không ghi)'}; số trang: ${p.otherInfo.pageAmount ?? '(không ghi)'}`);
    if (p.dueDate) lines.push(`  Hạn trả lời: ${p.dueDate}`);
    if (p.documentId) lines.push(`  Mã văn bản: ${p.documentId}`);
    for (const rf of p.responseFor) lines.push(`  Trả lời / liên quan: ${rf.code ?? ''} của ${rf.organId ?? '?'} (${rf.documentId ?? ''})`);
    if (p.business) lines.push(`  Nghiệp vụ: ${EDXML_BUSINESS_LABELS[p.business.docType]}${p.business.reason ? ` – ${p.business.reason}` : ''}${p.business.replacements.length ? `; thay thế ${p.business.replacements.map((x) => x.documentId).join(', ')}` : ''}`);
    lines.push(`  Tệp đính kèm (${p.attachments.length}/${p.manifest.length} trong danh mục):`);
    for (const a of p.attachments) {
      lines.push(`    - ${a.name ?? a.contentId ?? '?'}: ${kb(a.size)}, khai báo ${a.declaredType ?? '(không)'}, thực tế ${a.sniffed}${a.pageCount !== null ? `, ${a.pageCount} trang` : ''}`);
      for (const e of a.entries ?? []) lines.push(`        trong tệp nén: ${e.name} (${kb(e.size)}, ${e.sniffed})`);
    }
  } else if (p?.kind === 'status') {
    lines.push(`Gói tin trạng thái edXML, ${kb(r.bytes)}`, `  Từ: ${organ(p.from)}`, `  Trạng thái: ${p.statusCode} – ${EDXML_STATUS_LABELS[p.statusCode]}`);
    if (p.description) lines.push(`  Mô tả: ${p.description}`);
    if (p.responseFor) lines.push(`  Về văn bản: ${p.responseFor.code ?? ''} của ${p.responseFor.organId ?? '?'} (${p.responseFor.documentId ?? ''})`);
    lines.push(`  Thời điểm: ${p.timestamp ?? '(không rõ)'}`);
    if (p.staff) lines.push(`  Người xử lý: ${[p.staff.staff, p.staff.department].filter(Boolean).join(', ')}`);
  } else {
    lines.push(`Không đọc được gói tin (${kb(r.bytes)}).`);
  }
  if (p) {
    lines.push(`  Hành trình (${p.trace.length} chặng):`, ...p.trace.map((h) => `    - ${h.organId} lúc ${h.timestamp ?? '(không rõ)'}`));
  }
  if (r.signature) lines.push(`  Chữ ký số: ${r.signature.reasonVi}${r.signature.signer ? ` Người ký: ${r.signature.signer.commonName}.` : ''}`);
  lines.push(r.problems.length ? 'Vấn đề:' : 'Không phát hiện vấn đề.');
  for (const pr of r.problems) lines.push(`  [${pr.severity === 'error' ? 'LỖI' : 'cảnh báo'}] ${pr.code}: ${pr.messageVi} (${pr.message}${pr.where ? `; ${pr.where}` : ''})`);
  return lines.join('\n');
}
