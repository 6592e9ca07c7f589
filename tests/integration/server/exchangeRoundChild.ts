// A workstation's exchange rounds in a process of its own, for the kill -9 test of the 1,000-document
// exchange (exchange-thousand.test.ts): it opens the agency's profile with the văn thư's SoftHSM token
// and runs rounds (send what the outbox holds, fetch, open and store arrivals, send statuses) until
// `expect` packets have arrived, killing itself with SIGKILL the n-th time its packet client reaches the
// given step (n at most `expect`: the kill happens whatever the timing of the hub's forwarding).
import { Desk } from '../../../main/core/desk';
import { ExchangeLink } from '../../../main/core/exchange/link';
import { actorFor } from '../../../main/core/org/users';
import { TokenService } from '../../../main/core/session/tokens';
import { PacketClient, type PacketStep } from '../../../main/core/sync/packets/PacketClient';
import { ServerClient } from '../../../main/core/sync/ServerClient';
import { TokenBridge } from '../../../native/bridge/client';
import { moduleId } from '../../../native/modules/discovery';
import { softKey } from '../../helpers/softKey';

export interface ExchangeRoundChildArgs {
  profileDir: string; caDer: string; modulePath: string; serial: string; pin: string;
  url: string; caPem: string; transportCertDer: string; transportKeyPem: string; crashAt: PacketStep; crashNth: number; expect: number;
}

const a = JSON.parse(process.env.EXCHANGE_ROUND_CHILD!) as ExchangeRoundChildArgs;
const bridge = new TokenBridge({ env: process.env });
const token = await new TokenService(bridge, async () => [a.modulePath]).signIn({ moduleId: moduleId(a.modulePath), serial: a.serial }, a.pin);
const desk = await Desk.open({ profileDir: a.profileDir, trustAnchors: [new Uint8Array(Buffer.from(a.caDer, 'base64'))] });
const clerk = actorFor((await desk.unlock(token.identity)).user);
const key = softKey(new Uint8Array(Buffer.from(a.transportCertDer, 'base64')), a.transportKeyPem);
const server = new ServerClient({
  db: desk.db, transport: { url: a.url, caPem: a.caPem, timeoutMs: 15_000 }, signer: () => key, channels: () => [],
  keys: { current: () => null, byId: () => null }, apply: () => {},
});
let seen = 0;
const packets = new PacketClient({
  db: desk.db, server, backoff: { baseMs: 20, capMs: 200 },
  onStep: (step) => { if (step === a.crashAt && ++seen === a.crashNth) process.kill(process.pid, 'SIGKILL'); },
});
const link = new ExchangeLink(desk.exchange, packets);
const opts = { agencyKey: desk.org.signingKey(clerk, token.signingKeys), decryption: [...token.identity.unlockKeys, ...token.signingKeys] };
let received = 0;
for (let i = 0; i < 1200 && received < a.expect; i++) {
  // A round that fails (the server briefly unreachable) is tried again, as the app's timer would.
  const r = await link.round(clerk, opts).catch((e: unknown) => {
    process.stderr.write(`round ${i}: ${(e as Error).message}\n`);
    return null;
  });
  if (!r) { await new Promise((done) => setTimeout(done, 200)); continue; }
  received += r.received;
  if (r.problems.length) process.stderr.write(`round ${i}: ${JSON.stringify(r.problems)}\n`);
  if (r.received === 0) await new Promise((done) => setTimeout(done, 100));
}
process.stdout.write(JSON.stringify({ survived: true, seen, received }));
server.close();
desk.close();
await bridge.close();
