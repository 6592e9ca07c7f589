// Limits on what a packet may hold, so a hostile or broken sender cannot exhaust the workstation or
// the server. Every reader takes them as options; these are the defaults.
export interface EdxmlLimits {
  /** The whole packet as received (XML with base64 attachments). */
  maxPacketBytes: number;
  /** One attachment, decoded. */
  maxAttachmentBytes: number;
  maxAttachments: number;
  /** Nesting depth of elements. */
  maxDepth: number;
  /** Entries read from a ZIP attachment, and the bytes inflated to sniff them. */
  maxZipEntries: number;
  maxInflatedBytes: number;
}

export const DEFAULT_EDXML_LIMITS: EdxmlLimits = {
  maxPacketBytes: 200 * 1024 * 1024,
  maxAttachmentBytes: 100 * 1024 * 1024,
  maxAttachments: 500,
  maxDepth: 64,
  maxZipEntries: 1000,
  maxInflatedBytes: 256 * 1024 * 1024,
};

export const withLimits = (l?: Partial<EdxmlLimits>): EdxmlLimits => ({ ...DEFAULT_EDXML_LIMITS, ...(l ?? {}) });
