// A process that works on a store's packs and is killed by its own hand at a chosen step
// (SD_TEST_PACK_KILL_AT, packs.ts): `node --import tsx packsChild.ts STORE_DIR KEY_HEX place|destroy ARG…`.
// place: ARG = files whose bytes are placed (placeMany); destroy: ARG = hashes destroyed one call.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { AttachmentStore } from '../../main/core/attachments/store';

const [storeDir, keyHex, op, ...args] = process.argv.slice(2);
const store = new AttachmentStore(storeDir!, join(storeDir!, '..', 'staging'), Buffer.from(keyHex!, 'hex'));
await store.init();
if (op === 'place') {
  await store.placeMany(args.map((f) => { const plain = readFileSync(f); return { sha256: createHash('sha256').update(plain).digest('hex'), plain }; }));
} else if (op === 'destroy') {
  for (const sha of args) await store.destroyBlob(sha);
} else if (op === 'remove') {
  await store.removeBlobs(args);
}
process.stdout.write('done\n');
