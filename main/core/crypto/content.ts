// Content to sign or verify: bytes, or a stream read once in chunks. Hashing streams keeps a
// 200 MB document out of memory.
import { createHash } from 'node:crypto';
import { NODE_HASH } from './algorithms';
import type { HashAlg } from './keyOps';

/** Bytes, a Node Readable, or any async iterable of byte chunks. */
export type ContentSource = Uint8Array | AsyncIterable<Uint8Array | string>;

/** Computes several digests in one pass over the content. */
export async function digestContent(src: ContentSource, hashes: readonly HashAlg[]): Promise<Map<HashAlg, Uint8Array>> {
  const unique = [...new Set(hashes)];
  const hs = unique.map((h) => createHash(NODE_HASH[h]));
  if (src instanceof Uint8Array) for (const h of hs) h.update(src);
  else {
    for await (const chunk of src) {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      for (const h of hs) h.update(b);
    }
  }
  return new Map(unique.map((h, i) => [h, new Uint8Array(hs[i]!.digest())]));
}

/** Releases a stream we will not read after all (an early error), so its file is closed now. */
export function discardContent(src: ContentSource | null): void {
  const s = src as { destroy?: () => void } | null;
  if (s && !(src instanceof Uint8Array) && typeof s.destroy === 'function') s.destroy();
}
