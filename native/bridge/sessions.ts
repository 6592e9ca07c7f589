// Logins held by the bridge process: one logged-in session per token, keyed by serial.
// A login ends on logout, when the token goes away, or when the process dies (the client
// then tells the app to lock). The PIN is passed straight to C_Login and kept nowhere.
import pkcs11js from 'pkcs11js';
import { ckrOf, fromCkr, LOGIN_DROPPING_CODES, loginFailure, PRESENCE_SUSPECT_CODES } from './ckr';
import { TokenError } from './errors';
import { userPinStatus } from './flags';
import { errorText, type LoadedModule } from './loader';
import type { PinStatus, ResultOf, SlotInfo, SlotRef } from './protocol';
import { call, decodeTokenInfo, resolveSlot } from './slots';

export interface Login {
  readonly mod: LoadedModule;
  readonly slot: Buffer;
  readonly slotId: string;
  readonly serial: string;
  readonly label: string;
  readonly session: Buffer;
  mechanisms?: Map<number, number>; // type -> CK_MECHANISM_INFO flags, read once per login
}

const logins = new Map<LoadedModule, Map<string, Login>>();

function loginsOf(mod: LoadedModule): Map<string, Login> {
  let m = logins.get(mod);
  if (!m) logins.set(mod, (m = new Map()));
  return m;
}

export function login(mod: LoadedModule, ref: SlotRef, pin: string | undefined): ResultOf<'login'> {
  const slot = resolveSlot(mod, ref);
  if (pin === undefined && !slot.token.pinPad) {
    throw new TokenError('PIN_REQUIRED', 'This token has no PIN pad: a PIN is required');
  }
  // Logging in again (e.g. unlocking after idle) must check the PIN again, so drop the old login
  // first: PKCS#11 would otherwise answer CKR_USER_ALREADY_LOGGED_IN to any PIN.
  const previous = loginsOf(mod).get(slot.token.serial);
  if (previous) dropLogin(previous);

  const session = call(() => mod.lib.C_OpenSession(slot.handle, pkcs11js.CKF_SERIAL_SESSION), 'C_OpenSession');
  let reverified = false;
  try {
    try {
      mod.lib.C_Login(session, pkcs11js.CKU_USER, pin);
    } catch (e) {
      if (ckrOf(e) !== 'CKR_USER_ALREADY_LOGGED_IN') throw e;
      // Login state is per application and token; something in this process left it logged in.
      mod.lib.C_Logout(session);
      mod.lib.C_Login(session, pkcs11js.CKU_USER, pin);
      reverified = true;
    }
  } catch (e) {
    closeQuietly(mod, session);
    const ckr = ckrOf(e);
    const err = ckr ? loginFailure(ckr, pinStatusNow(mod, slot.handle)) : new TokenError('INTERNAL', `login: ${errorText(e)}`);
    if (!previous) throw err;
    // The failed unlock ended the earlier login: say so, the app must lock.
    const { code, message, ...extra } = err.toPayload();
    throw new TokenError(code, message, { ...extra, loginLost: { module: mod.path, serial: previous.serial } });
  }
  const entry: Login = {
    mod,
    slot: slot.handle,
    slotId: slot.slotId,
    serial: slot.token.serial,
    label: slot.token.label,
    session,
  };
  loginsOf(mod).set(entry.serial, entry);
  return { slotId: entry.slotId, serial: entry.serial, label: entry.label, reverified };
}

export function logout(mod: LoadedModule, ref: SlotRef): ResultOf<'logout'> {
  const entry = findLogin(mod, ref);
  if (!entry) return { wasLoggedIn: false };
  dropLogin(entry);
  return { wasLoggedIn: true, serial: entry.serial };
}

export function findLogin(mod: LoadedModule, ref: SlotRef): Login | undefined {
  const m = loginsOf(mod);
  if ('serial' in ref) return m.get(ref.serial);
  for (const entry of m.values()) if (entry.slotId === ref.slotId) return entry;
  return undefined;
}

export function requireLogin(mod: LoadedModule, ref: SlotRef): Login {
  const entry = findLogin(mod, ref);
  if (!entry) throw new TokenError('NOT_LOGGED_IN', 'Not logged in to this token');
  return entry;
}

/**
 * Run an operation in a login's session. When it fails in a way that may mean the token left
 * (vendors differ: CKR_DEVICE_REMOVED, CKR_SESSION_HANDLE_INVALID, or SoftHSM's
 * CKR_OBJECT_HANDLE_INVALID / no objects), ask the slot; a missing or different token turns the
 * error into TOKEN_NOT_PRESENT and the login is dropped so nothing runs on a stale session.
 */
export function inLogin<T>(entry: Login, fn: (session: Buffer) => T): T {
  try {
    return fn(entry.session);
  } catch (e) {
    const err = asTokenError(e);
    const gone = PRESENCE_SUSPECT_CODES.has(err.code) || LOGIN_DROPPING_CODES.has(err.code) ? absence(entry) : null;
    if (gone || LOGIN_DROPPING_CODES.has(err.code)) throw lose(entry, gone ?? err);
    throw err;
  }
}

/**
 * Sessions for calls that need no login: the login's session if there is one (after checking its
 * token is still there: SoftHSM just finds no objects on a pulled token), else a short one.
 */
export function withSession<T>(mod: LoadedModule, ref: SlotRef, fn: (session: Buffer, slot: Buffer) => T): T {
  const entry = findLogin(mod, ref);
  if (entry) {
    const gone = absence(entry);
    if (gone) throw lose(entry, gone);
    return inLogin(entry, (s) => fn(s, entry.slot));
  }
  const slot = resolveSlot(mod, ref);
  const session = call(() => mod.lib.C_OpenSession(slot.handle, pkcs11js.CKF_SERIAL_SESSION), 'C_OpenSession');
  try {
    return fn(session, slot.handle);
  } finally {
    closeQuietly(mod, session);
  }
}

/** Drop the login and say so in the error, so the app locks what depended on it. */
function lose(entry: Login, err: TokenError): TokenError {
  dropLogin(entry);
  const loginLost = { module: entry.mod.path, serial: entry.serial };
  return new TokenError(err.code, err.message, { ...(err.ckr ? { ckr: err.ckr } : {}), loginLost });
}

/** After a slot listing: logins whose token is no longer in its slot are dropped. */
export function reconcile(mod: LoadedModule, slots: SlotInfo[]): void {
  for (const entry of [...loginsOf(mod).values()]) {
    const slot = slots.find((s) => s.slotId === entry.slotId);
    if (!slot?.tokenPresent || slot.token?.serial !== entry.serial) dropLogin(entry);
  }
}

export function dropAllLogins(): void {
  for (const m of logins.values()) for (const entry of [...m.values()]) dropLogin(entry);
}

function dropLogin(entry: Login): void {
  loginsOf(entry.mod).delete(entry.serial);
  try {
    entry.mod.lib.C_Logout(entry.session);
  } catch {
    /* token gone or session already closed */
  }
  closeQuietly(entry.mod, entry.session);
}

function closeQuietly(mod: LoadedModule, session: Buffer): void {
  try {
    mod.lib.C_CloseSession(session);
  } catch {
    /* already closed */
  }
}

/** Is the login's token still in its slot? Returns the error to report if not. */
function absence(entry: Login): TokenError | null {
  try {
    const { serial } = decodeTokenInfo(entry.mod.lib.C_GetTokenInfo(entry.slot));
    if (serial === entry.serial) return null;
    return new TokenError('TOKEN_NOT_PRESENT', 'A different token is now in the slot');
  } catch (e) {
    const ckr = ckrOf(e);
    const err = fromCkr(ckr ?? 'CKR_TOKEN_NOT_PRESENT', 'token presence');
    if (err.code === 'DEVICE_REMOVED') return err;
    return new TokenError('TOKEN_NOT_PRESENT', 'The token is no longer present', ckr ? { ckr } : {});
  }
}

function pinStatusNow(mod: LoadedModule, slot: Buffer): PinStatus | undefined {
  try {
    return userPinStatus(mod.lib.C_GetTokenInfo(slot).flags);
  } catch {
    return undefined;
  }
}

export function asTokenError(e: unknown): TokenError {
  if (e instanceof TokenError) return e;
  const ckr = ckrOf(e);
  if (ckr) return fromCkr(ckr, 'token');
  return new TokenError('INTERNAL', errorText(e));
}
