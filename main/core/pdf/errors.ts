// Why a PDF cannot be signed or read: a DeskError with a Vietnamese message for the person, and in
// details a stable reason and an English explanation for the log.
import { DeskError, type ErrorCode } from '../../../common/errors';

export type PdfErrorReason =
  | 'PDF_UNPARSEABLE' // not a PDF, or objects pdf-lib cannot read
  | 'PDF_BROKEN_XREF' // the cross-reference chain does not lead where it says
  | 'PDF_ENCRYPTED' // a password-protected (encrypted) PDF: an update would have to be encrypted too
  | 'PDF_NO_PAGE' // the appearance names a page the document does not have
  | 'PDF_SIGNATURE_TOO_LARGE' // the CMS outgrew the reserved /Contents
  | 'PDF_CERTIFIED_NO_CHANGES' // a certification signature (DocMDP P=1) allows no change at all, not even an update
  | 'CERT_EXPIRED' // the signer's certificate is not valid at the signing time
  | 'CERT_KEY_USAGE' // the signer's certificate may not make signatures (no digitalSignature/nonRepudiation)
  | 'CERT_UNREADABLE';

export class PdfError extends DeskError {
  readonly reason: PdfErrorReason;
  readonly logReason: string;

  constructor(code: ErrorCode, reason: PdfErrorReason, messageVi: string, logReason: string) {
    super(code, messageVi, { details: { reason, log: logReason } });
    this.reason = reason;
    this.logReason = logReason;
  }

  static unparseable(why: string): PdfError {
    return new PdfError('FILE_UNREADABLE', 'PDF_UNPARSEABLE', 'Tệp không phải là PDF hợp lệ hoặc bị hỏng, không đọc được.', `unparseable PDF: ${why}`);
  }

  static brokenXref(why: string): PdfError {
    return new PdfError('FILE_UNREADABLE', 'PDF_BROKEN_XREF', 'Bảng tham chiếu chéo (xref) của tệp PDF bị hỏng; không thể ký vào tệp này. Hãy xuất lại tệp PDF từ phần mềm soạn thảo.', `broken cross-reference table: ${why}`);
  }

  static encrypted(): PdfError {
    return new PdfError('FILE_UNREADABLE', 'PDF_ENCRYPTED', 'Tệp PDF được đặt mật khẩu (mã hóa); không thể ký số vào tệp này. Hãy gỡ mật khẩu rồi ký lại.', 'the PDF is encrypted (/Encrypt in the trailer)');
  }

  static certifiedNoChanges(): PdfError {
    return new PdfError('VALIDATION', 'PDF_CERTIFIED_NO_CHANGES',
      'Tệp PDF mang chữ ký chứng thực không cho phép bất kỳ thay đổi nào (DocMDP P=1): ghi thêm vào tệp sẽ làm chữ ký đó mất hiệu lực, nên không ghi.',
      'the PDF is certified with DocMDP P=1 (no change allowed): an update would invalidate the certification');
  }
}
