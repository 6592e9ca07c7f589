// `securedesk pdf verify FILE`: the signatures inside a PDF, judged as the registration form judges
// an incoming electronic document (main/core/pdf/verify.ts), for clerks and IT.
import { promises as fsp } from 'node:fs';
import { formatDateTimeVn } from '../../common/dates';
import { DeskError } from '../../common/errors';
import { verifyPdfSignatures, type PdfVerification } from '../core/pdf';

export async function verifyPdfFile(path: string, trustAnchors: readonly Uint8Array[], crls: ReadonlyArray<{ bytes: Uint8Array }>, expectAgency: boolean): Promise<PdfVerification> {
  const bytes = await fsp.readFile(path).catch(() => {
    throw new DeskError('FILE_UNREADABLE', `Không đọc được tệp "${path}".`);
  });
  return verifyPdfSignatures(new Uint8Array(bytes), { trustAnchors, crls: crls.map((c) => c.bytes), expectAgencySignature: expectAgency });
}

/** Exit code: 0 every signature valid, the last covering the whole file, nothing to report; 1 otherwise. */
export const pdfVerifyExitCode = (r: PdfVerification): number => (r.ok ? 0 : 1);

export function pdfVerifyText(r: PdfVerification): string {
  const lines = [r.messageVi, `Tệp ${r.fileSize} byte, ${r.revisions} phiên bản (lần cập nhật), ${r.signatures.length} chữ ký.`];
  for (const s of r.signatures) {
    lines.push(
      `Chữ ký ${s.index}${r.agencySignature === s.index ? ' (của cơ quan, tổ chức)' : ''}: ${s.valid ? 'HỢP LỆ' : 'KHÔNG HỢP LỆ'}`,
      `  Người ký: ${s.signer?.commonName ?? '(không rõ)'}${s.signer?.organisation ? `, ${s.signer.organisation}` : ''}`,
      `  Thời điểm ký: ${s.signingTime ? `${formatDateTimeVn(s.signingTime)} (giờ Việt Nam, do người ký ghi)` : 'không rõ'}`,
      `  Dấu thời gian: ${s.timestamp ? `${formatDateTimeVn(s.timestamp.time)} (${s.timestamp.authority})` : 'không có'}`,
      `  Phạm vi: ${s.coversWholeDocument ? 'toàn bộ tệp' : `đến byte ${s.byteRange[2] + s.byteRange[3]}${s.revision ? ` (phiên bản ${s.revision})` : ''}, không phải toàn bộ tệp`}`,
      `  Toàn vẹn nội dung: ${s.integrity ? 'đạt' : 'KHÔNG ĐẠT'}`,
      `  ${s.messageVi}`,
    );
  }
  return lines.join('\n');
}
