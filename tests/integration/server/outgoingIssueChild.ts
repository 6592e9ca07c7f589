// A văn thư's issue of an outgoing document in its own process, for the kill -9 tests of outgoing
// numbers while linked (outgoing-numbers.test.ts): it opens the profile, issues the signed draft with
// the number asked of the agency server, and kills itself with SIGKILL at `at`:
// - `request`: as the allocation is about to be sent (nothing asked);
// - `answer`: as soon as the server's answer arrives (nothing signed, nothing written);
// - `signed`: once the agency's signature carrying the number is made (before the issue's transaction).
// It writes what the server answered (record and number) on stdout first.
import { Desk } from '../../../main/core/desk';
import type { NumberAuthority } from '../../../main/core/documents/sharedNumbering';
import type { PrivateKeyOps } from '../../../main/core/crypto';
import { actorFor, getUser } from '../../../main/core/org/users';
import { NumberClient } from '../../../main/core/sync/numbers/NumberClient';
import { SyncService } from '../../../main/core/sync/SyncService';
import { softKey } from '../../helpers/softKey';

export type KillPoint = 'request' | 'answer' | 'signed';
export interface IssueChildArgs {
  dir: string; url: string; caPem: string; unlockCertPem: string; unlockKeyPem: string; certPem: string; keyPem: string;
  clerkId: number; outgoingId: number; at: KillPoint;
}
const a = JSON.parse(process.env.OUTGOING_ISSUE_CHILD!) as IssueChildArgs;
const der = (pem: string) => new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----|\s+/g, ''), 'base64'));
const die = (said: object): never => {
  process.stdout.write(JSON.stringify(said));
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
};
const desk = await Desk.open({ profileDir: a.dir });
const unlockKey = softKey(der(a.unlockCertPem), a.unlockKeyPem);
await desk.unlock({ unlockKeys: [unlockKey], signingKeys: [unlockKey] });
const key = softKey(der(a.certPem), a.keyPem);
const sync = new SyncService(desk, { transport: { url: a.url, caPem: a.caPem, timeoutMs: 5_000 }, signer: () => key, clearance: 'tuyet_mat' });
const numbers = new NumberClient(sync.client);
let answered: { record: string; number: number } | null = null;
const dying: NumberAuthority = {
  allocate: async (q) => {
    if (a.at === 'request') die({ record: q.record, asked: false });
    const r = await numbers.allocate(q);
    answered = { record: q.record, number: r.allocation.number };
    if (a.at === 'answer') die(answered);
    return r;
  },
  allocateMany: (q) => numbers.allocateMany(q),
  giveBack: (q) => numbers.giveBack(q),
  report: (q) => numbers.report(q),
  last: (q) => numbers.last(q),
  afterRestore: (q) => numbers.afterRestore(q),
  afterRestoreRecords: (q) => numbers.afterRestoreRecords(q),
};
desk.outgoing.numbering = dying;
// The agency's key (the văn thư's, as the profile's bound identity): killed once a signature is made.
const agencyKey: PrivateKeyOps = {
  ...unlockKey,
  sign: async (...args: Parameters<PrivateKeyOps['sign']>) => {
    const signature = await unlockKey.sign(...args);
    if (a.at === 'signed') die({ ...answered!, signed: true });
    return signature;
  },
};
await desk.outgoing.issue(actorFor(getUser(desk.db, a.clerkId)!), a.outgoingId, agencyKey);
process.stdout.write('{"survived":true}');
sync.close();
desk.close();
