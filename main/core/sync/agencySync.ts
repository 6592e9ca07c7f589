// The agency server's sync for the app and the development host: configured once per machine
// (machine.json agencyServer: its https URL and the CA its certificate must chain to; nothing the
// window sends names a server), started when someone signs in and stopped when the profile locks.
// The person's token signs the server's nonce; their clearance bounds the levels carried.
import { TransferProgress } from './transferProgress';
import type { Desk } from '../desk';
import { ExchangeLink, type ExchangeLinkRound } from '../exchange/link';
import { AgencyWorkstations } from './agencyWorkstations';
import { PacketClient } from './packets/PacketClient';
import type { Logger } from '../log';
import type { SessionGuard } from '../session/guard';
import { SyncService } from './SyncService';
import { NumberClient } from './numbers/NumberClient';
import { numberingRound } from '../documents/sharedNumbering';
import type { LastExchangeRound } from './exchangeElsewhere';
import type { Session } from '../../../common/contract';
import { DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';
import { waitForPackets } from './packetWaiter';
import { waitForSyncLog, type SyncWaiter } from './syncWaiter';

export interface AgencyServerConfig { url: string; caPem: string }

export interface AgencySyncOptions {
  /** The rounds' timer (sync, numbering, exchange): the fallback when no long poll wakes them. Default 15 s. */
  intervalMs?: number;
  /**
   * How long one long poll waits at the server, the agency inbox's and the sync log's (default 20 s: below
   * the transport's 30 s timeout and the server's 25 s cap). 0: no waiting loops, the rounds run on the timer only.
   */
  waitMs?: number;
  /** After a failed wait or round, the waiting loop pauses this way (default: the rounds' 1 s doubling to 5 min). */
  backoff?: BackoffPolicy;
}

export interface AgencySyncHandle {
  (): { service: SyncService | null; server: string | null; running: boolean; exchange: ExchangeRounds | null; workstations: AgencyWorkstations | null; transfer: TransferProgress | null };
  /** Stops everything now (a long poll outstanding is cancelled) and listens to the session no more. */
  close(): void;
}

/** The exchange between agencies over the same server, for a person who registers documents. */
export interface ExchangeRounds {
  /** One round now (the văn thư's "Nhận gói tin mới"); null when the person signed in may not exchange. */
  roundNow(): Promise<ExchangeLinkRound | null>;
  /** The packet being sent right now and how far (the sync panel's progress). */
  readonly transfer: TransferProgress;
  /** The last round that ended and when (the sync panel's figures); null before the first. */
  readonly last: LastExchangeRound | null;
}

export function attachAgencySync(desk: Desk, guard: SessionGuard, config: AgencyServerConfig | null, log: Logger, o: AgencySyncOptions = {}): AgencySyncHandle {
  const intervalMs = o.intervalMs ?? 15_000;
  let service: SyncService | null = null;
  let exchange: (ExchangeRounds & { stop(): void }) | null = null;
  let numbering: { stop(): void } | null = null;
  let workstations: AgencyWorkstations | null = null;
  let syncWaiter: SyncWaiter | null = null;
  // Everything of the session that ended goes first: its long polls and rounds, then its server session.
  const stopAll = () => {
    syncWaiter?.stop();
    syncWaiter = null;
    exchange?.stop();
    exchange = null;
    numbering?.stop();
    numbering = null;
    workstations = null;
    service?.close();
    service = null;
  };
  const unlocked = (session: Session) => {
    stopAll();
    service = new SyncService(desk, {
      transport: { url: config!.url, caPem: config!.caPem, timeoutMs: 30_000 },
      signer: () => {
        const actor = desk.session;
        try {
          return actor ? guard.signingKey(actor) : null;
        } catch {
          return null; // no signing key on this token: the panel shows the sign-in error
        }
      },
      clearance: session.user.clearance,
    });
    service.start(intervalMs);
    // Changes pushed by the agency's other workstations: a round as soon as the server has one, the timer as the fallback.
    const waitMs = o.waitMs ?? 20_000;
    const owner = desk.session?.id ?? null;
    if (waitMs > 0) {
      const s = service;
      syncWaiter = waitForSyncLog({
        client: s.client, waitMs, backoff: o.backoff ?? DEFAULT_BACKOFF, log,
        first: () => s.syncOnce(),
        current: () => service === s && owner !== null && desk.session?.id === owner,
        round: () => s.freshRound(),
      });
    }
    exchange = exchangeRounds(desk, guard, service, log, intervalMs, { waitMs, backoff: o.backoff ?? DEFAULT_BACKOFF });
    numbering = numberingRounds(desk, service, log, intervalMs);
    // The administrator's view of the agency's workstations, on the same signed-in server session.
    workstations = new AgencyWorkstations(desk, new PacketClient({ db: desk.db, server: service.client, bodies: desk.packetBodies }));
    log.log('info', 'agency sync started', { server: config!.url });
  };
  if (config) {
    guard.on('unlocked', unlocked);
    guard.on('locked', stopAll);
  }
  const handle = (() => ({ service, server: config?.url ?? null, running: service !== null, exchange, workstations, transfer: exchange?.transfer ?? null })) as AgencySyncHandle;
  handle.close = () => {
    guard.off('unlocked', unlocked);
    guard.off('locked', stopAll);
    stopAll();
  };
  return handle;
}

/**
 * Packets between agencies through the agency server, in the same session: the văn thư's token signs
 * what leaves (the agency key) and opens what arrives. Rounds run one at a time while someone who
 * registers documents is signed in: as soon as the agency server lists a packet for this workstation
 * (a long poll beside the rounds, packetWaiter.ts) and on a timer as the fallback; a failure is logged
 * and tried at the next tick.
 */
function exchangeRounds(desk: Desk, guard: SessionGuard, service: SyncService, log: Logger, intervalMs: number, o: { waitMs: number; backoff: BackoffPolicy }): ExchangeRounds & { stop(): void } {
  const transfer = new TransferProgress();
  const packets = new PacketClient({ db: desk.db, server: service.client, bodies: desk.packetBodies, onStep: transfer.onStep });
  // What a crash left between a body's file and its row (or after a body was let go).
  const swept = desk.packetBodies?.sweep(desk.db);
  if (swept?.removed) log.log('info', 'packet bodies no queue names removed', { removed: swept.removed });
  const link = new ExchangeLink(desk.exchange, packets);
  // Decisions on arrivals (register, refuse) are claimed at the agency server while the link runs.
  desk.exchange.inbox.claims = link.claims;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let inFlight: Promise<ExchangeLinkRound | null> | null = null;
  let last: LastExchangeRound | null = null;
  let waiter: { stop(): void } | null = null;
  // The person the rounds run for: another signed in (or nobody) and the waiting loop ends.
  const owner = desk.session?.id ?? null;
  const roundNow = (): Promise<ExchangeLinkRound | null> => {
    if (inFlight) return inFlight;
    const actor = desk.session;
    if (!actor || !actor.rights.includes('doc.register')) return Promise.resolve(null);
    inFlight = (async () => {
      try {
        const round = await link.round(actor, { agencyKey: guard.signingKey(actor), decryption: guard.decryptionKeys() });
        last = { at: new Date().toISOString(), round };
        return round;
      } finally {
        inFlight = null;
        transfer.clear();
      }
    })();
    return inFlight;
  };
  // A round that began before the packet was listed may have pulled already: the wake waits for it, then runs its own.
  const freshRound = async (): Promise<ExchangeLinkRound | null> => {
    if (inFlight) await inFlight.catch(() => null);
    return roundNow();
  };
  const tick = async () => {
    await roundNow().catch((e: unknown) => log.log('warn', 'exchange round failed', { error: e instanceof Error ? e.message : String(e) }));
    // After the first round (the server session is open, or known out of reach): the waiting loop.
    if (!stopped && !waiter && o.waitMs > 0 && owner !== null && desk.session?.rights.includes('doc.register')) {
      waiter = waitForPackets({
        packets, waitMs: o.waitMs, backoff: o.backoff, log,
        current: () => !stopped && desk.session?.id === owner,
        round: async () => { await freshRound(); },
      });
    }
    if (!stopped) timer = setTimeout(() => void tick(), intervalMs);
  };
  timer = setTimeout(() => void tick(), 0);
  return {
    roundNow,
    transfer,
    get last() { return last; },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      waiter?.stop();
      if (desk.exchange.inbox.claims === link.claims) desk.exchange.inbox.claims = null;
    },
  };
}

/**
 * Shared registers numbered by the agency server while the link runs (documents/sharedNumbering.ts):
 * registrations here and of electronic arrivals, and outgoing issues, ask it for their numbers; every round sends the
 * home's offline numbers and give-backs that wait, and follows the server's last numbers.
 */
function numberingRounds(desk: Desk, service: SyncService, log: Logger, intervalMs: number): { stop(): void } {
  const client = new NumberClient(service.client);
  desk.incoming.numbering = client;
  desk.outgoing.numbering = client;
  desk.exchange.inbox.numbering = client;
  desk.imports.numbering = client;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const tick = async () => {
    if (desk.session) {
      // Someone who registers signed in: a clash of the home's offline numbers is renumbered at once.
      const actor = desk.session;
      await numberingRound(desk.db, client, new Date(), actor?.rights.includes('doc.register') ? actor.id : null)
        .then((r) => { if (r.conflicts > 0) log.log('warn', 'offline numbers in conflict at the agency server', { conflicts: r.conflicts }); })
        .catch((e: unknown) => log.log('warn', 'numbering round failed', { error: e instanceof Error ? e.message : String(e) }));
    }
    if (!stopped) timer = setTimeout(() => void tick(), intervalMs);
  };
  timer = setTimeout(() => void tick(), 0);
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (desk.incoming.numbering === client) desk.incoming.numbering = null;
      if (desk.outgoing.numbering === client) desk.outgoing.numbering = null;
      if (desk.exchange.inbox.numbering === client) desk.exchange.inbox.numbering = null;
      if (desk.imports.numbering === client) desk.imports.numbering = null;
    },
  };
}
