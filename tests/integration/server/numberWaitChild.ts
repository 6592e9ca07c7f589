// A workstation's numbering round in its own process, for the kill -9 test of "Chờ cấp số": it opens
// the profile, asks the agency server for its waiting arrivals' numbers and kills itself with SIGKILL
// as soon as the first answer arrives, before anything is written.
import { Desk } from '../../../main/core/desk';
import { numberingRound, type NumberAuthority } from '../../../main/core/documents/sharedNumbering';
import { NumberClient } from '../../../main/core/sync/numbers/NumberClient';
import { SyncService } from '../../../main/core/sync/SyncService';
import { softKey } from '../../helpers/softKey';

interface Args { dir: string; url: string; caPem: string; unlockCertPem: string; unlockKeyPem: string; certPem: string; keyPem: string }
const a = JSON.parse(process.env.NUMBER_WAIT_CHILD!) as Args;
const der = (pem: string) => new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----|\s+/g, ''), 'base64'));
const desk = await Desk.open({ profileDir: a.dir });
const unlockKey = softKey(der(a.unlockCertPem), a.unlockKeyPem);
await desk.unlock({ unlockKeys: [unlockKey], signingKeys: [unlockKey] });
const key = softKey(der(a.certPem), a.keyPem);
const sync = new SyncService(desk, { transport: { url: a.url, caPem: a.caPem, timeoutMs: 5_000 }, signer: () => key, clearance: 'tuyet_mat' });
const numbers = new NumberClient(sync.client);
const dying: NumberAuthority = {
  allocate: async (q) => {
    const r = await numbers.allocate(q);
    process.stdout.write(JSON.stringify({ record: q.record, number: r.allocation.number }));
    process.kill(process.pid, 'SIGKILL');
    return r;
  },
  allocateMany: (q) => numbers.allocateMany(q),
  giveBack: (q) => numbers.giveBack(q),
  report: (q) => numbers.report(q),
  last: (q) => numbers.last(q),
  afterRestore: (q) => numbers.afterRestore(q),
  afterRestoreRecords: (q) => numbers.afterRestoreRecords(q),
};
await numberingRound(desk.db, dying, new Date(), null);
process.stdout.write('{"survived":true}');
sync.close();
desk.close();
