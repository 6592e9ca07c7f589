// A workstation's numbering round in its own process, for the kill -9 case of an electronic arrival
// registered awaiting its decision and number (exchange-awaiting-number.test.ts): it opens the profile,
// links the exchange's claims as agencySync.ts does, and kills itself with SIGKILL as soon as the
// server has answered the first number (the decide claim was granted before), before anything is written.
import { Desk } from '../../../main/core/desk';
import { numberingRound, type NumberAuthority } from '../../../main/core/documents/sharedNumbering';
import { ExchangeLink } from '../../../main/core/exchange/link';
import { NumberClient } from '../../../main/core/sync/numbers/NumberClient';
import { PacketClient } from '../../../main/core/sync/packets/PacketClient';
import { SyncService } from '../../../main/core/sync/SyncService';
import { identityFromPem } from '../../helpers/desk';
import { softKey } from '../../helpers/softKey';

interface Args { dir: string; url: string; caPem: string; caDer: string; unlockCertPem: string; unlockKeyPem: string; certPem: string; keyPem: string }
const a = JSON.parse(process.env.EXCHANGE_WAIT_CHILD!) as Args;
const der = (pem: string) => new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----|\s+/g, ''), 'base64'));
const desk = await Desk.open({ profileDir: a.dir, trustAnchors: [Buffer.from(a.caDer, 'base64')] });
await desk.unlock(identityFromPem(a.unlockCertPem, a.unlockKeyPem));
const key = softKey(der(a.certPem), a.keyPem);
const sync = new SyncService(desk, { transport: { url: a.url, caPem: a.caPem, timeoutMs: 5_000 }, signer: () => key, clearance: 'toi_mat' });
const link = new ExchangeLink(desk.exchange, new PacketClient({ db: desk.db, server: sync.client, backoff: { baseMs: 20, capMs: 200 } }));
desk.exchange.inbox.claims = link.claims;
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
