// PAdES signatures inside PDFs: signing (an incremental update, on the token) and verification.
// The outgoing workflow and the incoming registration call these; docs/pades.md explains them.
export { signPdf, pdfDate, type PdfSignOptions } from './sign';
export { stampPdf, forbidsChanges, type PdfStampOptions, type PdfFill, type PdfNote } from './update';
export { verifyPdfSignatures, isOrganisationCertificate, parsePdfDate, type PdfVerification, type PdfSignatureReport, type PdfFinding, type PdfFindingCode, type PdfSignatureFlag, type PdfVerifyOptions } from './verify';
export { isoVietnam, signatureWidgets, type PdfAppearance, type Rect } from './appearance';
export { PdfError, type PdfErrorReason } from './errors';
export { readStructure, type PdfStructure } from './structure';
export { pdfVerificationView, verifyPdfWithWorkstationTrust } from './view';
export { locateIssueBlanks, findIssueBlanks, measureText, type IssueBlanks, type BlankFill, type BlankMiss } from './blanks';
export { pageText, type PageText, type TextRun } from './pageText';
