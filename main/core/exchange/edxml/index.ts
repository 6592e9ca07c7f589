// edXML exchange: reading any sender's packets, building ours, signing, sealing, inspecting.
// Plain Node: never imports electron (used by the app's main process, the CLI and the servers).
export { EdxmlError, isEdxmlError, EDXML_ERRORS, type EdxmlErrorCode } from './errors';
export { DEFAULT_EDXML_LIMITS, type EdxmlLimits } from './limits';
export { readEdxml, parseEdxml, type ReadPacket, type ReadOptions } from './parse';
export {
  buildDocumentPacket, buildStatusPacket, edxmlDocumentInputSchema, edxmlStatusInputSchema,
  type BuiltPacket, type EdxmlAttachmentInput, type EdxmlDocumentInput, type EdxmlStatusInput,
} from './build';
export { signPacket, verifySignatureElement, type SignatureCheckOptions } from './xmldsig';
export { sealPacket, openSealedPacket, sealedCiphertext, checkRoutingMatches, mustSeal, type SealOptions } from './seal';
export { readRouting, writeRouting, ROUTING_MAGIC, type RoutingHeader } from './routing';
export { inspectPacket, type EdxmlInspection } from './inspect';
export { timestampOf } from './dates';
