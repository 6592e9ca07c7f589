// Removing files that held plaintext.
import { promises as fsp } from 'node:fs';

/** Best effort for files that held plaintext: overwrite, flush, remove (SSDs may keep old blocks). */
export async function shred(file: string): Promise<void> {
  try {
    const { size } = await fsp.stat(file);
    const fh = await fsp.open(file, 'r+');
    try {
      const zeros = Buffer.alloc(Math.min(size, 1 << 20));
      for (let off = 0; off < size; off += zeros.length) await fh.write(zeros, 0, Math.min(zeros.length, size - off), off);
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    /* absent: nothing to do */
  }
  await fsp.rm(file, { force: true });
}
