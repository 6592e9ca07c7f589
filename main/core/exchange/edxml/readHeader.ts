// MessageHeader, TraceHeaderList and manifest of a packet tree into the model (common/edxml.ts).
// Lenient where senders differ (OrganInCharge, dates, empty elements, prefixes), strict where the
// meaning would change (status code, business type): those throw.
import {
  EDXML_STATUS_CODES, SECRECY_LEVELS_FOR_EDXML, type EdxmlBusiness, type EdxmlDocument, type EdxmlManifestRef, type EdxmlOrgan, type EdxmlOtherInfo,
  type EdxmlProblem, type EdxmlResponseFor, type EdxmlStaff, type EdxmlStatus, type EdxmlStatusCode, type EdxmlTraceHop,
} from '../../../../common/edxml';
import { readDate, readTimestamp } from './dates';
import { EdxmlError, problem } from './errors';
import { child, childrenNamed, pathOf, textOf, type XElement } from './xmlTree';

export class HeaderReader {
  readonly problems: EdxmlProblem[] = [];

  private warn(el: XElement | null, code: Parameters<typeof problem>[0], detail: string) {
    this.problems.push(problem(code, 'warning', el ? pathOf(el) : '', detail));
  }

  text = (el: XElement | null, ...names: string[]): string | null => textOf(child(el, ...names));

  date(el: XElement | null, name: string): string | null {
    const c = child(el, name);
    const v = readDate(textOf(c));
    if (v === undefined) {
      this.warn(c, 'EDXML_BAD_DATE', `${name} "${textOf(c)}"`);
      return null;
    }
    return v;
  }

  timestamp(el: XElement | null, name: string): string | null {
    const c = child(el, name);
    const v = readTimestamp(textOf(c));
    if (v === undefined) {
      this.warn(c, 'EDXML_BAD_DATE', `${name} "${textOf(c)}"`);
      return null;
    }
    return v;
  }

  int(el: XElement | null, name: string, min = 0, max = Number.MAX_SAFE_INTEGER): number | null {
    const c = child(el, name);
    const t = textOf(c);
    if (t === null) return null;
    if (!/^[+-]?\d+$/.test(t) || Number(t) < min || Number(t) > max) {
      this.warn(c, 'EDXML_BAD_VALUE', `${name} "${t}"`);
      return null;
    }
    return Number(t);
  }

  organ(el: XElement | null, what: string): EdxmlOrgan {
    const organId = this.text(el, 'OrganId');
    if (!el || !organId) throw new EdxmlError('EDXML_MISSING', `${what}/OrganId`);
    return {
      organId: organId.toUpperCase(),
      organizationInCharge: this.text(el, 'OrganizationInCharge', 'OrganInCharge'),
      organName: this.text(el, 'OrganName'),
      organAdd: this.text(el, 'OrganAdd'),
      email: this.text(el, 'Email'),
      telephone: this.text(el, 'Telephone'),
      fax: this.text(el, 'Fax'),
      website: this.text(el, 'Website'),
    };
  }

  responseFor(el: XElement): EdxmlResponseFor | null {
    const r = {
      organId: this.text(el, 'OrganId')?.toUpperCase() ?? null,
      code: this.text(el, 'Code'),
      promulgationDate: this.date(el, 'PromulgationDate'),
      documentId: this.text(el, 'DocumentId'),
    };
    // Some SDKs write an empty ResponseFor as a template: it refers to nothing.
    return Object.values(r).every((v) => v === null) ? null : r;
  }

  staff(el: XElement | null): EdxmlStaff | null {
    if (!el) return null;
    const s = { department: this.text(el, 'Department'), staff: this.text(el, 'Staff'), mobile: this.text(el, 'Mobile'), email: this.text(el, 'Email') };
    return Object.values(s).every((v) => v === null) ? null : s;
  }

  trace(list: XElement | null): EdxmlTraceHop[] {
    return childrenNamed(list, 'TraceHeader').flatMap((t) => {
      const organId = this.text(t, 'OrganId');
      if (!organId) {
        this.warn(t, 'EDXML_MISSING', 'TraceHeader without OrganId');
        return [];
      }
      return [{ organId: organId.toUpperCase(), timestamp: this.timestamp(t, 'Timestamp') }];
    });
  }

  business(list: XElement | null): EdxmlBusiness | null {
    const b = child(list, 'Bussiness', 'Business');
    if (!b) return null;
    const typeText = this.text(b, 'BussinessDocType', 'BusinessDocType') ?? '0';
    if (!/^[0-3]$/.test(typeText)) throw new EdxmlError('EDXML_BAD_VALUE', `BussinessDocType "${typeText}"`);
    const paper = this.text(b, 'Paper');
    const info = child(b, 'BussinessDocumentInfo', 'BusinessDocumentInfo');
    return {
      documentId: this.text(b, 'DocumentId'),
      docType: Number(typeText) as EdxmlBusiness['docType'],
      reason: this.text(b, 'BussinessDocReason', 'BusinessDocReason'),
      paper: paper === '1' ? 1 : paper === '0' ? 0 : null,
      staff: childrenNamed(b, 'StaffInfo').map((s) => this.staff(s)).filter((s): s is EdxmlStaff => s !== null),
      documentInfo: info ? {
        documentInfo: this.text(info, 'DocumentInfo'),
        documentReceiver: this.text(info, 'DocumentReceiver'),
        receivers: childrenNamed(child(info, 'ReceiverList'), 'Receiver').flatMap((r) => {
          const organId = this.text(r, 'OrganId');
          return organId ? [{ organId: organId.toUpperCase(), receiverType: this.text(r, 'ReceiverType') }] : [];
        }),
      } : null,
      replacements: childrenNamed(child(b, 'ReplacementInfoList'), 'ReplacementInfo').flatMap((r) => {
        const documentId = this.text(r, 'DocumentId');
        return documentId ? [{ documentId, organIds: childrenNamed(child(r, 'OrganIdList'), 'OrganId').map((o) => textOf(o)).filter((o): o is string => o !== null).map((o) => o.toUpperCase()) }] : [];
      }),
    };
  }

  otherInfo(el: XElement | null): EdxmlOtherInfo {
    const direction = this.text(el, 'Direction')?.toLowerCase();
    const secrecy = this.int(el, 'SecurityLevel', 0, 3);
    return {
      priority: this.int(el, 'Priority', 0, 4),
      sphereOfPromulgation: this.text(el, 'SphereOfPromulgation'),
      typerNotation: this.text(el, 'TyperNotation'),
      promulgationAmount: this.int(el, 'PromulgationAmount'),
      pageAmount: this.int(el, 'PageAmount'),
      direction: direction === 'true' || direction === '1' ? true : direction === 'false' || direction === '0' ? false : null,
      // Appendixes/Appendix, or a bare Appendix as older senders write it.
      appendixes: [...childrenNamed(child(el, 'Appendixes'), 'Appendix'), ...childrenNamed(el, 'Appendix')].map((a) => textOf(a)).filter((a): a is string => a !== null),
      secrecy: secrecy === null ? null : SECRECY_LEVELS_FOR_EDXML[secrecy]!,
    };
  }

  manifest(el: XElement | null): EdxmlManifestRef[] {
    return childrenNamed(el, 'Reference').map((r) => ({
      // The legacy SOAP form points with xlink:href instead of a ContentId element.
      contentId: this.text(r, 'ContentId') ?? (r.attrs.find((a) => a.local === 'href')?.value.trim() || null),
      contentType: this.text(r, 'ContentType'),
      description: this.text(r, 'Description'),
      attachmentName: this.text(r, 'AttachmentName'),
    }));
  }

  document(mh: XElement, traceList: XElement | null): Omit<EdxmlDocument, 'manifest' | 'attachments'> {
    const code = child(mh, 'Code');
    const promulgation = child(mh, 'PromulgationInfo');
    const type = child(mh, 'DocumentType');
    const signer = child(mh, 'SignerInfo');
    const to = childrenNamed(mh, 'To').map((t) => this.organ(t, 'To'));
    if (to.length === 0) throw new EdxmlError('EDXML_MISSING', 'MessageHeader/To');
    return {
      kind: 'document',
      from: this.organ(child(mh, 'From'), 'From'),
      to,
      documentId: this.text(mh, 'DocumentId'),
      code: { number: this.text(code, 'CodeNumber'), notation: this.text(code, 'CodeNotation') },
      promulgation: { place: this.text(promulgation, 'Place'), date: this.date(promulgation, 'PromulgationDate') },
      // A bare <DocumentType>Công văn</DocumentType> (older senders) is the type's name.
      documentType: type && childrenNamed(type, 'Type', 'TypeDetail', 'TypeName').length === 0
        ? { type: null, typeDetail: null, typeName: textOf(type) }
        : { type: this.text(type, 'Type'), typeDetail: this.text(type, 'TypeDetail'), typeName: this.text(type, 'TypeName') },
      subject: this.text(mh, 'Subject'),
      content: this.text(mh, 'Content'),
      signer: { competence: this.text(signer, 'Competence'), position: this.text(signer, 'Position'), fullName: this.text(signer, 'FullName') },
      dueDate: this.date(mh, 'DueDate'),
      toPlaces: childrenNamed(child(mh, 'ToPlaces'), 'Place').map((p) => textOf(p)).filter((p): p is string => p !== null),
      otherInfo: this.otherInfo(child(mh, 'OtherInfo')),
      responseFor: childrenNamed(mh, 'ResponseFor').map((r) => this.responseFor(r)).filter((r): r is EdxmlResponseFor => r !== null),
      steeringType: this.int(mh, 'SteeringType'),
      trace: this.trace(traceList),
      business: this.business(traceList),
    };
  }

  status(mh: XElement, traceList: XElement | null): EdxmlStatus {
    const raw = this.text(mh, 'StatusCode') ?? '';
    const code = /^\d$/.test(raw) ? `0${raw}` : raw;
    if (!(EDXML_STATUS_CODES as readonly string[]).includes(code)) throw new EdxmlError('EDXML_BAD_VALUE', `StatusCode "${raw}"`);
    const rf = child(mh, 'ResponseFor');
    return {
      kind: 'status',
      from: this.organ(child(mh, 'From'), 'From'),
      responseFor: rf ? this.responseFor(rf) : null,
      staff: this.staff(child(mh, 'StaffInfo')),
      statusCode: code as EdxmlStatusCode,
      description: this.text(mh, 'Description'),
      timestamp: this.timestamp(mh, 'Timestamp'),
      trace: this.trace(traceList),
    };
  }
}
