// TokenBridge: the app's handle on the token bridge process. Only message passing happens on the
// caller's thread. Calls go one at a time (the worker's PKCS#11 calls are synchronous anyway), so a
// call's timeout starts when it is sent and measures the module, not the queue. A call that
// times out, or a process that dies, costs the process: it is killed, pending calls are rejected
// with BRIDGE_TIMEOUT / BRIDGE_CRASHED, 'bridgeLost' says which logins are gone (the app must lock
// those sessions), and the next call starts a fresh process.
import { EventEmitter } from 'node:events';
import { TokenError } from './errors';
import {
  describeIssues,
  PROTOCOL_VERSION,
  requestSchemas,
  resultSchemas,
  WorkerMessageSchema,
  type BridgeLostEvent,
  type DecryptMechanism,
  type LibraryInfo,
  type Op,
  type RequestOf,
  type ResultOf,
  type SignMechanism,
  type SlotInfo,
  type SlotRef,
  type TokenPresenceEvent,
  type TokenRemovedEvent,
} from './protocol';
import { forkSpawner, type BridgeProcess, type SpawnBridge } from './spawn';
import { SlotWatch } from './watch';

export type TimeoutKey = Op | 'loginPinPad' | 'start';
export type Timeouts = Record<TimeoutKey, number>;

export const DEFAULT_TIMEOUTS: Timeouts = {
  start: 15_000, // process start-up, before any module is loaded; not charged to the first call
  info: 10_000, // first call to a module: dlopen + C_Initialize, slow on some vendor drivers
  listSlots: 5_000,
  listCertificates: 5_000,
  getMechanisms: 5_000,
  login: 15_000,
  loginPinPad: 60_000, // the user types the PIN on the device
  logout: 5_000,
  sign: 15_000,
  decrypt: 15_000,
  close: 5_000,
};

export interface TokenBridgeOptions {
  spawn?: SpawnBridge;
  env?: NodeJS.ProcessEnv;
  timeouts?: Partial<Timeouts>;
  /** watchSlots poll period; removal is noticed within one period plus one listSlots call. */
  slotPollMs?: number;
  /** After a bridge failure during a poll, wait this long before polling that module again. */
  watchBackoffMs?: number;
}

export interface TokenBridgeEvents {
  tokenRemoved: [TokenRemovedEvent];
  tokenInserted: [TokenPresenceEvent];
  bridgeLost: [BridgeLostEvent];
  watchError: [{ module: string; error: TokenError }];
  /** Text the bridge process (or a vendor library in it) wrote to stderr. */
  stderr: [string];
}

interface Pending {
  id: number;
  op: Op; // the request itself is not kept: it may hold a PIN
  module?: string;
  timeoutMs: number;
  resolve: (value: unknown) => void;
  reject: (error: TokenError) => void;
  timer?: NodeJS.Timeout;
  send?: () => void; // dropped once sent
}

export type ModuleProbe = { module: string; info: LibraryInfo } | { module: string; error: TokenError };

export class TokenBridge extends EventEmitter<TokenBridgeEvents> {
  private readonly spawnBridge: SpawnBridge;
  private readonly env: NodeJS.ProcessEnv;
  private readonly timeouts: Timeouts;
  private readonly slotPollMs: number;
  private readonly watchBackoffMs: number;
  private proc: BridgeProcess | null = null;
  private ready = false; // the current process said it is listening
  private startTimer: NodeJS.Timeout | undefined;
  private closingProc: BridgeProcess | null = null;
  private queue: Pending[] = [];
  private inFlight: Pending | null = null;
  private nextId = 1;
  private readonly logins = new Map<string, { module: string; serial: string }>();
  private readonly watchers = new Map<string, SlotWatch>();

  constructor(options: TokenBridgeOptions = {}) {
    super();
    this.spawnBridge = options.spawn ?? forkSpawner();
    this.env = options.env ?? process.env;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.slotPollMs = options.slotPollMs ?? 500;
    this.watchBackoffMs = options.watchBackoffMs ?? 5_000;
  }

  // ---------- calls ----------

  info(module: string): Promise<LibraryInfo> {
    return this.call({ op: 'info', module });
  }

  /** Library info of each candidate; one bad module (even a hanging one) does not hide the others. */
  async listModules(modules: readonly string[]): Promise<ModuleProbe[]> {
    const out: ModuleProbe[] = [];
    for (const module of modules) {
      try {
        out.push({ module, info: await this.info(module) });
      } catch (e) {
        out.push({ module, error: e instanceof TokenError ? e : new TokenError('INTERNAL', String(e)) });
      }
    }
    return out;
  }

  listSlots(module: string): Promise<SlotInfo[]> {
    return this.call({ op: 'listSlots', module });
  }

  listCertificates(module: string, slot: SlotRef): Promise<ResultOf<'listCertificates'>> {
    return this.call({ op: 'listCertificates', module, slot });
  }

  getMechanisms(module: string, slot: SlotRef): Promise<ResultOf<'getMechanisms'>> {
    return this.call({ op: 'getMechanisms', module, slot });
  }

  /** pin undefined: the token has a PIN pad. The PIN is sent once and not kept here. */
  login(module: string, slot: SlotRef, pin?: string): Promise<ResultOf<'login'>> {
    const request: RequestOf<'login'> = { op: 'login', module, slot, ...(pin !== undefined ? { pin } : {}) };
    return this.call(request, pin === undefined ? 'loginPinPad' : 'login');
  }

  logout(module: string, slot: SlotRef): Promise<ResultOf<'logout'>> {
    return this.call({ op: 'logout', module, slot });
  }

  sign(module: string, slot: SlotRef, keyId: string, mechanism: SignMechanism, data: Uint8Array): Promise<ResultOf<'sign'>> {
    return this.call({ op: 'sign', module, slot, keyId, mechanism, data: new Uint8Array(data) });
  }

  decrypt(
    module: string,
    slot: SlotRef,
    keyId: string,
    mechanism: DecryptMechanism,
    data: Uint8Array,
  ): Promise<ResultOf<'decrypt'>> {
    const mech: DecryptMechanism =
      mechanism.alg === 'RSA_OAEP' && mechanism.label ? { ...mechanism, label: new Uint8Array(mechanism.label) } : mechanism;
    return this.call({ op: 'decrypt', module, slot, keyId, mechanism: mech, data: new Uint8Array(data) });
  }

  /** Logs out everywhere, finalizes the modules and ends the process. Later calls start a new one. */
  async close(): Promise<void> {
    for (const w of this.watchers.values()) w.stop();
    this.watchers.clear();
    const proc = this.proc;
    if (!proc) return;
    const exited = new Promise<void>((resolve) => proc.onExit(() => resolve()));
    this.closingProc = proc;
    try {
      await this.call({ op: 'close' });
    } catch {
      /* killed below if it did not go */
    }
    const timer = setTimeout(() => proc.kill(), 1_000);
    await exited;
    clearTimeout(timer);
    this.logins.clear();
  }

  /** Logins the bridge holds for the app, as far as the app side knows. */
  activeLogins(): { module: string; serial: string }[] {
    return [...this.logins.values()];
  }

  // ---------- slot watching ----------

  /**
   * Emit 'tokenRemoved' / 'tokenInserted' for this module's slots (see watch.ts for why it polls).
   * `present`: a token the caller has just signed in on, reported removed if the next answer lacks it.
   * Returns a function that stops this watch.
   */
  watchSlots(module: string, present?: { serial: string }): () => void {
    const existing = this.watchers.get(module);
    if (existing) {
      existing.users++;
      if (present) existing.expect(present.serial);
    } else {
      const watch = new SlotWatch(module, this.slotPollMs, this.watchBackoffMs, (m) => this.listSlots(m), {
        removed: (ev) => this.emit('tokenRemoved', { ...ev, loginLost: this.logins.delete(loginKey(module, ev.serial)) }),
        inserted: (ev) => this.emit('tokenInserted', ev),
        failed: (error) => this.emit('watchError', { module, error }),
      });
      if (present) watch.expect(present.serial);
      this.watchers.set(module, watch);
    }
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      const watch = this.watchers.get(module);
      if (watch && --watch.users === 0) {
        watch.stop();
        this.watchers.delete(module);
      }
    };
  }

  // ---------- the queue ----------

  private call<O extends Op>(request: RequestOf<O>, timeoutKey: TimeoutKey = request.op): Promise<ResultOf<O>> {
    const parsed = requestSchemas[request.op].safeParse(request);
    if (!parsed.success) {
      return Promise.reject(new TokenError('BAD_REQUEST', `Invalid ${request.op} request: ${describeIssues(parsed.error)}`));
    }
    return new Promise<ResultOf<O>>((resolve, reject) => {
      const id = this.nextId++;
      const pending: Pending = {
        id,
        op: request.op,
        ...('module' in request ? { module: request.module } : {}),
        timeoutMs: this.timeouts[timeoutKey],
        resolve: resolve as (value: unknown) => void,
        reject,
      };
      pending.send = () => this.proc?.send({ id, request: parsed.data });
      this.queue.push(pending);
      this.pump();
    });
  }

  private pump(): void {
    if (this.inFlight) return;
    if (this.queue.length === 0) {
      this.proc?.setRef(false);
      return;
    }
    let proc: BridgeProcess;
    try {
      proc = this.ensureProcess();
    } catch (e) {
      this.failAll(new TokenError('BRIDGE_CRASHED', `Could not start the token bridge: ${String(e)}`));
      return;
    }
    proc.setRef(true);
    if (!this.ready) return; // pumped again when the process says it is ready
    const next = this.queue.shift();
    if (!next) return;
    this.inFlight = next;
    next.timer = setTimeout(() => this.onTimeout(next), next.timeoutMs);
    const send = next.send;
    delete next.send; // the request (and any PIN in it) is referenced from nowhere after this
    send?.();
  }

  private ensureProcess(): BridgeProcess {
    if (this.proc) return this.proc;
    const proc = this.spawnBridge(this.env);
    this.proc = proc;
    this.ready = false;
    proc.onMessage((m) => this.onMessage(proc, m));
    proc.onExit((code, signal) => this.onExit(proc, code, signal));
    proc.onStderr((text) => this.emit('stderr', text));
    this.startTimer = setTimeout(() => {
      if (this.proc !== proc || this.ready) return;
      const error = new TokenError('BRIDGE_TIMEOUT', `The token bridge did not start within ${this.timeouts.start} ms`);
      this.abandon('timeout', null, null, error, error);
    }, this.timeouts.start);
    return proc;
  }

  private onMessage(proc: BridgeProcess, raw: unknown): void {
    if (proc !== this.proc) return;
    const p = this.inFlight;
    const parsed = WorkerMessageSchema.safeParse(raw);
    if (!parsed.success) {
      this.abandon('crashed', null, null, new TokenError('BRIDGE_PROTOCOL', 'The token bridge sent a malformed message'));
      return;
    }
    const msg = parsed.data;
    if ('ready' in msg) {
      clearTimeout(this.startTimer);
      if (msg.protocol !== PROTOCOL_VERSION) {
        const error = new TokenError('BRIDGE_PROTOCOL', `The token bridge speaks protocol ${msg.protocol}, not ${PROTOCOL_VERSION}`);
        this.abandon('crashed', null, null, error, error);
        return;
      }
      this.ready = true;
      this.pump();
      return;
    }
    if (!p || msg.id !== p.id) return; // an answer to a call already given up on
    clearTimeout(p.timer);
    this.inFlight = null;
    if (msg.ok) {
      const result = resultSchemas[p.op].safeParse(msg.result);
      if (result.success) {
        if (p.op === 'close') {
          this.proc = null; // it is exiting: the next call starts a new one
          this.ready = false;
        }
        this.track(p, result.data);
        p.resolve(result.data);
      } else {
        p.reject(new TokenError('BRIDGE_PROTOCOL', `Malformed ${p.op} result: ${describeIssues(result.error)}`));
      }
    } else {
      const err = TokenError.fromPayload(msg.error);
      if (err.loginLost) this.logins.delete(loginKey(err.loginLost.module, err.loginLost.serial));
      p.reject(err);
    }
    this.pump();
  }

  /** Remember logins so a lost process can say which tokens the app must lock. */
  private track(p: Pending, result: unknown): void {
    if (p.module === undefined) return;
    if (p.op === 'login') {
      const { serial } = result as ResultOf<'login'>;
      this.logins.set(loginKey(p.module, serial), { module: p.module, serial });
    } else if (p.op === 'logout') {
      const { serial } = result as ResultOf<'logout'>;
      if (serial !== undefined) this.logins.delete(loginKey(p.module, serial));
    }
  }

  private onTimeout(p: Pending): void {
    if (this.inFlight !== p) return;
    this.abandon(
      'timeout',
      null,
      null,
      new TokenError('BRIDGE_TIMEOUT', `The token module did not answer ${p.op} within ${p.timeoutMs} ms; the bridge was restarted`),
    );
  }

  private onExit(proc: BridgeProcess, code: number | null, signal: string | null): void {
    if (proc === this.closingProc) {
      // Closed on request. Calls made since then start a fresh process.
      this.closingProc = null;
      if (proc === this.proc) {
        this.proc = null;
        this.ready = false;
      }
      this.pump();
      return;
    }
    if (proc !== this.proc) return; // already given up on (timeout)
    const what = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const during = this.inFlight ? ` during ${this.inFlight.op}` : this.ready ? '' : ' while starting';
    const error = new TokenError('BRIDGE_CRASHED', `The token bridge ${what}${during}`);
    if (this.ready) this.abandon('crashed', code, signal, error);
    else this.abandon('crashed', code, signal, error, error);
  }

  /** Give up on the current process: kill it, fail every pending call, report lost logins. */
  private abandon(
    reason: BridgeLostEvent['reason'],
    code: number | null,
    signal: string | null,
    error: TokenError,
    queuedError = new TokenError('BRIDGE_CRASHED', `The token bridge was restarted before this call ran (${reason})`),
  ): void {
    const proc = this.proc;
    this.proc = null;
    this.ready = false;
    clearTimeout(this.startTimer);
    proc?.kill();
    const current = this.inFlight;
    this.inFlight = null;
    if (current) {
      clearTimeout(current.timer);
      current.reject(error);
    }
    this.failAll(queuedError);
    const lostLogins = [...this.logins.values()];
    this.logins.clear();
    this.emit('bridgeLost', { reason, exitCode: code, signal, lostLogins });
  }

  private failAll(error: TokenError): void {
    const queued = this.queue;
    this.queue = [];
    for (const p of queued) p.reject(error);
  }
}

const loginKey = (module: string, serial: string): string => `${module}\u0000${serial}`;
