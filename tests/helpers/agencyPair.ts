// What a test file of the exchange between two agencies sets up once, in process: A's and B's real
// profiles, each set up by its văn thư whose SoftHSM token holds the agency's key (signing and
// decryption) issued by the test CA, and the hub's directory as the transport syncs it into both (a
// third agency C is known but never one of us: its token signs what neither A nor B sent). Made before
// the file's tests, closed after them. The file's own set-up (its people) goes in `then`, run at the end
// of the same hook: Node 20 does not wait for one top-level `before` before it starts the next. Packets are handed from one profile's queue to the other's
// accept() by the tests, as the transport would.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import type { Role, Secrecy } from '../../common/domain';
import { DeskError } from '../../common/errors';
import type { PrivateKeyOps } from '../../main/core/crypto';
import { Desk } from '../../main/core/desk';
import type { Actor } from '../../main/core/org/rights';
import { actorFor, getUser } from '../../main/core/org/users';
import { TokenService, type SignedInToken } from '../../main/core/session/tokens';
import { TokenBridge } from '../../native/bridge/client';
import { moduleId } from '../../native/modules/discovery';
import { createSoftHsm, type SoftHsm } from '../fixtures/softhsm/tokens';
import { tempDir } from './desk';
import { addToken, type CustomToken } from './hsmTokens';
import { addPerson } from './people';

export const A = '000.00.01.H49';
export const B = '000.00.12.H49';
export const C = '000.00.33.H49';
export const A_NAME = 'Văn phòng Tỉnh ủy Quảng Ninh';
export const B_NAME = 'Ban Tổ chức Tỉnh ủy';
export const C_NAME = 'Ban Tuyên giáo Tỉnh ủy';
const AGENCY_USAGE = 'critical,digitalSignature,nonRepudiation,keyEncipherment';

export interface Agency {
  code: string;
  desk: Desk;
  /** The văn thư who set the profile up (Tuyệt mật clearance), signed in with the agency's token. */
  clerk: Actor;
  /** The agency's signing key, as the văn thư uses it. */
  key: PrivateKeyOps;
  /** Every key of the token: what opens a packet sealed for the agency. */
  keys: readonly PrivateKeyOps[];
  token: SignedInToken;
  /** The agency's certificate, as the directory gives it. */
  certificate: Uint8Array;
}

export interface AgencyPair {
  /** Available once the file's `before` hooks ran. */
  readonly a: Agency;
  readonly b: Agency;
  /** C's token, signed in: C is in the directory but has no profile here. */
  readonly c: SignedInToken;
  /** The hub's directory as both profiles hold it: A, B and C with their certificates. */
  readonly directory: ReadonlyArray<{ code: string; name: string; certificates: Uint8Array[] }>;
  /** Adds a person to an agency, with a token identity of their own. */
  person(desk: Desk, fullName: string, role: Role, clearance?: Secrecy, position?: string): Promise<{ actor: Actor; key: PrivateKeyOps }>;
}

export function agencyPair(prefix: string, then: (pair: AgencyPair) => Promise<void> = async () => {}): AgencyPair {
  let hsm: SoftHsm | undefined;
  let bridge: TokenBridge | undefined;
  let a: Agency | undefined;
  let b: Agency | undefined;
  let c: SignedInToken | undefined;
  let directory: Array<{ code: string; name: string; certificates: Uint8Array[] }> = [];
  const cleanups: Array<() => void> = [];

  const agency = async (soft: SoftHsm, token: SignedInToken, certificate: Uint8Array, code: string, name: string, clerkName: string): Promise<Agency> => {
    const t = tempDir(prefix);
    cleanups.push(t.cleanup);
    const desk = await Desk.open({ profileDir: t.dir, trustAnchors: [soft.ca.certDer] });
    cleanups.push(() => desk.close());
    const session = await desk.setup({
      unit: { name, code, preset: 'party' },
      admin: { fullName: clerkName, position: 'Văn thư', role: 'van_thu', clearance: 'tuyet_mat' },
    }, token.identity);
    const clerk = actorFor(session.user);
    return { code, desk, clerk, key: desk.org.signingKey(clerk, token.signingKeys), keys: [...token.identity.unlockKeys, ...token.signingKeys], token, certificate };
  };

  before(async () => {
    const soft = await createSoftHsm({ tokens: ['recovery'] });
    hsm = soft;
    const key = (subject: string) => [{ id: '01', label: 'agency', algorithm: 'rsa:2048' as const, subject, keyUsage: AGENCY_USAGE, issuer: 'ca' as const }];
    const tokA = await addToken(soft, 'AGENCY-A', '246810', key(`/CN=${A_NAME}/O=Văn phòng Tỉnh ủy/C=VN`));
    const tokB = await addToken(soft, 'AGENCY-B', '135791', key(`/CN=${B_NAME}/O=Ban Tổ chức/C=VN`));
    const tokC = await addToken(soft, 'AGENCY-C', '112233', key(`/CN=${C_NAME}/O=Ban Tuyên giáo/C=VN`));
    bridge = new TokenBridge({ env: soft.env });
    const tokens = new TokenService(bridge, async () => [soft.modulePath]);
    const signIn = (t: CustomToken) => tokens.signIn({ moduleId: moduleId(soft.modulePath), serial: t.serial }, t.pin);
    a = await agency(soft, await signIn(tokA), tokA.certs['01']!, A, A_NAME, 'Nguyễn Thị Hương');
    b = await agency(soft, await signIn(tokB), tokB.certs['01']!, B, B_NAME, 'Phạm Thị Lan');
    c = await signIn(tokC);
    directory = [
      { code: A, name: A_NAME, certificates: [tokA.certs['01']!] },
      { code: B, name: B_NAME, certificates: [tokB.certs['01']!] },
      { code: C, name: C_NAME, certificates: [tokC.certs['01']!] },
    ];
    a.desk.exchange.setDirectory(a.clerk, directory);
    b.desk.exchange.setDirectory(b.clerk, directory);
    await then(pair);
  });

  after(async () => {
    for (const done of cleanups.reverse()) done();
    await bridge?.close();
    await hsm?.cleanup();
  });

  const pair: AgencyPair = {
    get a() { return a!; },
    get b() { return b!; },
    get c() { return c!; },
    get directory() { return directory; },
    async person(desk, fullName, role, clearance = 'tuyet_mat', position = 'Cán bộ') {
      const p = await addPerson(desk, { fullName, role, clearance, position });
      return { actor: actorFor(getUser(desk.db, p.id)!), key: p.identity.signingKeys[0]! };
    },
  };
  return pair;
}

/** The transport: everything `from`'s queue holds (or what `filter` keeps) goes to `to`'s accept(), then is marked handed over. */
export async function carry(from: Agency, to: Agency, filter: (p: { packetId: string; to: string; bytes: Buffer }) => boolean = () => true) {
  const { packets, problems } = await from.desk.exchange.outbox.ready(from.clerk, from.key);
  assert.deepEqual(problems, []);
  const results = [];
  for (const p of packets.filter(filter)) {
    results.push({ packetId: p.packetId, r: await to.desk.exchange.accept(to.clerk, { packetId: p.packetId, from: from.code, bytes: p.bytes, receivedAt: new Date().toISOString() }, to.keys) });
  }
  from.desk.exchange.outbox.handedOver(from.clerk, packets.filter(filter).map((p) => p.packetId));
  return results;
}

/** The DeskError a call was refused with; fails the test when it was not refused. */
export async function deskRefusal(p: Promise<unknown>): Promise<DeskError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof DeskError, String(e));
    return e;
  }
  assert.fail('not refused');
}
