// The manifest: what a package says it holds. Signed (CMS SignedData, detached) over its exact bytes,
// so a verifier needs only these bytes, the signature and the trust anchors.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { SECRECY_LEVELS } from '../../../common/domain';

export const PACKAGE_FORMAT = 'securedesk-package/1';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
/** Per level: incoming documents (`documents`), outgoing documents (absent in packages that carry none) and files. */
const levelCounts = z.record(z.string(), z.object({ documents: z.number().int().min(0), outgoing: z.number().int().min(0).optional(), files: z.number().int().min(0) }));

export const manifestSchema = z.object({
  format: z.literal(PACKAGE_FORMAT),
  packageId: z.uuid(),
  agency: z.object({ name: z.string(), code: z.string() }),
  exportedAt: z.iso.datetime(),
  exportedBy: z.object({ name: z.string(), certificateSha256: sha256 }),
  selection: z.record(z.string(), z.unknown()),
  levels: z.array(z.enum(SECRECY_LEVELS)),
  encrypted: z.boolean(),
  counts: z.object({
    byLevel: levelCounts,
    byRegister: z.record(z.string(), z.object({ name: z.string(), documents: z.number().int().min(0) })),
    /** Work files carried (base records, with their history), absent in packages that carry none. */
    workFiles: z.number().int().min(0).optional(),
    events: z.number().int().min(0),
  }),
  /** SHA-256 of every event body in seq order, each followed by "\n" (what `sqlite3 pkg 'SELECT body …'` prints). */
  eventsSha256: sha256,
  records: z.array(z.object({ globalId: z.uuid(), entity: z.string(), level: z.enum(SECRECY_LEVELS).nullable() })),
  files: z.array(z.object({ sha256, size: z.number().int().min(0), level: z.enum(SECRECY_LEVELS), mime: z.string() })),
});
export type Manifest = z.infer<typeof manifestSchema>;

export function eventsDigest(bodies: Iterable<string>): string {
  const h = createHash('sha256');
  for (const b of bodies) h.update(b).update('\n');
  return h.digest('hex');
}
