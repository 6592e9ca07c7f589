// Reads a packet from any sender into the model: the QCVN 102 form (edXML root, or a bare
// edXMLEnvelope) and the legacy SOAP form with MIME parts. `readEdxml` collects every problem of a
// readable packet (inspect, the refusal reason); `parseEdxml` refuses at the first error.
import { edxmlPacketSchema, type EdxmlDocument, type EdxmlPacket, type EdxmlProblem, type EdxmlShape } from '../../../../common/edxml';
import { checkFileCounts, checkPageCount, decodeAttachments, type DecodedAttachment, type RawAttachment } from './attachments';
import { EdxmlError } from './errors';
import { withLimits, type EdxmlLimits } from './limits';
import { looksLikeMime, splitMime } from './mime';
import { HeaderReader } from './readHeader';
import { decodePacketText } from './xmlSafety';
import { child, childrenNamed, findDeep, parseXmlTree, pathOf, rawText, textOf, type XElement } from './xmlTree';

export interface ReadOptions {
  limits?: Partial<EdxmlLimits>;
}

export interface ReadPacket {
  packet: EdxmlPacket;
  shape: EdxmlShape;
  problems: EdxmlProblem[];
  /** Decoded attachments, in the order the packet carries them (metadata also in packet.attachments). */
  files: DecodedAttachment[];
  /** The parsed tree and the Signature element in it (for xmldsig.ts). */
  tree: XElement;
  signature: XElement | null;
  bytes: number;
}

interface Located {
  shape: EdxmlShape;
  messageHeader: XElement;
  traceList: XElement | null;
  manifest: XElement | null;
  signature: XElement | null;
  raws: RawAttachment[];
}

function locate(root: XElement, mimeParts: ReturnType<typeof splitMime>['parts']): Located {
  if (root.local === 'Envelope' && child(root, 'Header')) {
    const header = child(root, 'Header')!;
    const mh = child(header, 'MessageHeader');
    if (!mh) throw new EdxmlError('EDXML_MISSING', 'Header/MessageHeader');
    const raws: RawAttachment[] = mimeParts.map((p, i) => ({
      contentId: (p.headers['content-id'] ?? '').replace(/^<|>$/g, '') || null,
      name: /name="?([^";]+)"?/.exec(p.headers['content-disposition'] ?? p.headers['content-type'] ?? '')?.[1] ?? null,
      description: null,
      declaredType: (p.headers['content-type'] ?? '').split(';')[0]!.trim() || null,
      base64: /base64/i.test(p.headers['content-transfer-encoding'] ?? '') ? p.body : '!',
      where: `MIME part ${i + 2}`,
    }));
    return { shape: 'legacy-soap', messageHeader: mh, traceList: child(header, 'TraceHeaderList'), manifest: child(child(root, 'Body'), 'Manifest'), signature: findDeep(root, 'Signature', 3), raws };
  }
  const envelope = root.local === 'edXMLEnvelope' ? root : child(root, 'edXMLEnvelope');
  if (!envelope || (root.local !== 'edXML' && root.local !== 'edXMLEnvelope')) throw new EdxmlError('EDXML_NOT_EDXML', `root element <${root.qname}>`);
  const header = child(envelope, 'edXMLHeader');
  const mh = child(header, 'MessageHeader');
  if (!header || !mh) throw new EdxmlError('EDXML_MISSING', 'edXMLHeader/MessageHeader');
  const encoded = child(root, 'AttachmentEncoded') ?? child(envelope, 'AttachmentEncoded');
  const raws: RawAttachment[] = childrenNamed(encoded, 'Attachment').map((a) => ({
    contentId: textOf(child(a, 'ContentId')),
    name: textOf(child(a, 'AttachmentName')),
    description: textOf(child(a, 'Description')),
    declaredType: textOf(child(a, 'ContentType')),
    base64: rawText(child(a, 'ContentTransferEncoded')),
    where: pathOf(a),
  }));
  return {
    shape: 'qcvn102', messageHeader: mh, traceList: child(header, 'TraceHeaderList'), manifest: child(child(envelope, 'edXMLBody'), 'edXMLManifest'),
    signature: child(header, 'Signature') ?? findDeep(envelope, 'Signature', 2), raws,
  };
}

export async function readEdxml(input: Uint8Array, opts: ReadOptions = {}): Promise<ReadPacket> {
  const limits = withLimits(opts.limits);
  let text = decodePacketText(input, limits);
  let mimeParts: ReturnType<typeof splitMime>['parts'] = [];
  if (looksLikeMime(text)) ({ xml: text, parts: mimeParts } = splitMime(text));
  const tree = parseXmlTree(text, limits);
  const loc = locate(tree, mimeParts);
  const reader = new HeaderReader();
  const problems = reader.problems;
  let packet: EdxmlPacket;
  let files: DecodedAttachment[] = [];
  if (child(loc.messageHeader, 'StatusCode')) {
    packet = reader.status(loc.messageHeader, loc.traceList);
  } else {
    const manifest = reader.manifest(loc.manifest);
    checkFileCounts(manifest, loc.raws, problems);
    files = await decodeAttachments(loc.raws, limits, problems);
    const head = reader.document(loc.messageHeader, loc.traceList);
    checkPageCount(head.otherInfo.pageAmount, files, problems);
    packet = { ...head, manifest, attachments: files.map((f) => f.meta) } satisfies EdxmlDocument;
  }
  // The model is what the rest of the app trusts: hold the reader to the shared schema.
  const checked = edxmlPacketSchema.safeParse(packet);
  if (!checked.success) throw new EdxmlError('EDXML_BAD_VALUE', checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return { packet, shape: loc.shape, problems, files, tree, signature: loc.signature, bytes: input.length };
}

/** Reads a packet and refuses it at its first error (warnings pass). */
export async function parseEdxml(input: Uint8Array, opts: ReadOptions = {}): Promise<ReadPacket> {
  const r = await readEdxml(input, opts);
  const first = r.problems.find((p) => p.severity === 'error');
  if (first) throw new EdxmlError(first.code as ConstructorParameters<typeof EdxmlError>[0], first.message.replace(/^[^:]*: /, ''));
  return r;
}
