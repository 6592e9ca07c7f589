// Why a packet is refused: a stable code, English for logs and the CLI, Vietnamese for the person
// from the message catalog (key edxml.CODE; the reason that goes back to the sender in a status 02). Thrown for packets that cannot be read
// at all; problems in a readable packet are collected as EdxmlProblem (common/edxml.ts) instead.
import type { EdxmlProblem } from '../../../../common/edxml';
import { viMessage, type MessageKey } from '../../../../common/messages';

export const EDXML_ERRORS = {
  EDXML_TOO_LARGE: 'the packet is larger than the limit',
  EDXML_ENCODING: 'the packet is not UTF-8 text',
  EDXML_MALFORMED: 'the packet is not well-formed XML',
  EDXML_DOCTYPE: 'the packet declares a DOCTYPE, which edXML never needs',
  EDXML_ENTITY_DECLARED: 'the packet declares its own entities',
  EDXML_ENTITY_EXPANSION: 'the packet declares entities that expand into other entities (entity expansion attack)',
  EDXML_EXTERNAL_ENTITY: 'the packet refers to an external entity or DTD (XXE)',
  EDXML_UNKNOWN_ENTITY: 'the packet uses an undeclared entity',
  EDXML_TOO_DEEP: 'the packet nests elements too deeply',
  EDXML_NOT_EDXML: 'the XML is not an edXML packet',
  EDXML_MISSING: 'a required element is missing',
  EDXML_BAD_VALUE: 'an element has a value the standard does not allow',
  EDXML_ATTACHMENT_TOO_LARGE: 'an attachment is larger than the limit',
  EDXML_TOO_MANY_ATTACHMENTS: 'the packet has more attachments than the limit',
  EDXML_BAD_BASE64: 'an attachment is not valid base64',
  EDXML_FILE_COUNT: 'the manifest and the attachments do not match',
  EDXML_PAGE_COUNT: 'the declared page count does not match the document',
  EDXML_BAD_DATE: 'a date could not be read',
  EDXML_BAD_ZIP: 'a ZIP attachment could not be read',
  EDXML_INPUT: 'the input to the packet builder is invalid',
  EDXML_SIGNATURE: 'the packet signature failed',
  EDXML_ENVELOPE: 'the sealed packet is damaged',
} as const;
export type EdxmlErrorCode = keyof typeof EDXML_ERRORS;

export class EdxmlError extends Error {
  readonly code: EdxmlErrorCode;
  readonly messageVi: string;
  /** Vietnamese message key for the UI catalog. */
  readonly key: MessageKey;
  readonly detail: string | undefined;
  constructor(code: EdxmlErrorCode, detail?: string) {
    const en = EDXML_ERRORS[code];
    super(detail ? `${en}: ${detail}` : en);
    this.name = 'EdxmlError';
    this.code = code;
    this.key = `edxml.${code}` as MessageKey;
    this.messageVi = viMessage(this.key);
    this.detail = detail;
  }
}

export const isEdxmlError = (e: unknown): e is EdxmlError => e instanceof EdxmlError;

export function problem(code: EdxmlErrorCode, severity: EdxmlProblem['severity'], where: string, detail: string): EdxmlProblem {
  return { code, severity, where, message: `${EDXML_ERRORS[code]}: ${detail}`, messageVi: viMessage(`edxml.${code}` as MessageKey) };
}
