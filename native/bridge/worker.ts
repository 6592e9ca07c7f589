// The token bridge process. Vendor PKCS#11 libraries run here, never in the app's main process:
// their calls are synchronous (50-500 ms per RSA operation on a USB token) and a buggy one may
// hang or crash, which must cost only this process. Runs as a Node child process (fork) or as an
// Electron utilityProcess; the code is the same, only the channel differs (see parentChannel).
// One request at a time: the client sends the next only after the previous answer.
import { ckrOf, fromCkr } from './ckr';
import { TokenError } from './errors';
import { errorText, finalizeAll, getModule } from './loader';
import { listCertificates } from './objects';
import { decrypt, sign } from './operations';
import {
  describeIssues,
  PROTOCOL_VERSION,
  RequestEnvelopeSchema,
  type Request,
  type ResponseEnvelope,
  type ResultOf,
  type WorkerMessage,
} from './protocol';
import { dropAllLogins, login, logout, reconcile, requireLogin, withSession } from './sessions';
import { libraryInfo, listMechanisms, listSlots } from './slots';

interface Channel {
  /** `sent` runs once the message has left this process (needed before exiting). */
  send(message: WorkerMessage, sent?: () => void): void;
  onMessage(handler: (message: unknown) => void): void;
}

/** process.send under child_process.fork; process.parentPort under Electron's utilityProcess. */
function parentChannel(): Channel {
  const port = (process as { parentPort?: ElectronParentPort }).parentPort;
  if (port) {
    return {
      send: (m, sent) => {
        port.postMessage(m);
        if (sent) setImmediate(sent);
      },
      onMessage: (h) => port.on('message', (e) => h(e.data)),
    };
  }
  const send = process.send?.bind(process);
  if (!send) throw new Error('The token bridge must be started with an IPC channel');
  return { send: (m, sent) => send(m, undefined, undefined, () => sent?.()), onMessage: (h) => process.on('message', h) };
}

interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
}

function handle(request: Request): ResultOf<Request['op']> {
  switch (request.op) {
    case 'info':
      return libraryInfo(getModule(request.module));
    case 'listSlots': {
      const mod = getModule(request.module);
      const slots = listSlots(mod);
      reconcile(mod, slots); // a login whose token left is dropped here, before anyone uses it
      return slots;
    }
    case 'listCertificates': {
      const mod = getModule(request.module);
      return withSession(mod, request.slot, (session) => listCertificates(mod.lib, session));
    }
    case 'getMechanisms': {
      const mod = getModule(request.module);
      return withSession(mod, request.slot, (_session, slot) => listMechanisms(mod, slot));
    }
    case 'login':
      return login(getModule(request.module), request.slot, request.pin);
    case 'logout':
      return logout(getModule(request.module), request.slot);
    case 'sign': {
      const mod = getModule(request.module);
      return sign(requireLogin(mod, request.slot), request.keyId, request.mechanism, request.data);
    }
    case 'decrypt': {
      const mod = getModule(request.module);
      return decrypt(requireLogin(mod, request.slot), request.keyId, request.mechanism, request.data);
    }
    case 'close':
      dropAllLogins();
      finalizeAll();
      return {};
  }
}

function toPayload(e: unknown) {
  if (e instanceof TokenError) return e.toPayload();
  const ckr = ckrOf(e);
  if (ckr) return fromCkr(ckr, 'token').toPayload();
  // Never the request in here: it may carry a PIN.
  return new TokenError('INTERNAL', `Unexpected bridge error: ${errorText(e)}`).toPayload();
}

function main(): void {
  const channel = parentChannel();
  channel.onMessage((raw) => {
    const parsed = RequestEnvelopeSchema.safeParse(raw);
    if (!parsed.success) {
      const id = typeof (raw as { id?: unknown })?.id === 'number' ? (raw as { id: number }).id : -1;
      const error = new TokenError('BAD_REQUEST', `Invalid request: ${describeIssues(parsed.error)}`);
      channel.send({ id, ok: false, error: error.toPayload() });
      return;
    }
    const { id, request } = parsed.data;
    const exitAfter = request.op === 'close' ? () => process.exit(0) : undefined;
    let response: ResponseEnvelope;
    try {
      response = { id, ok: true, result: handle(request) };
    } catch (e) {
      response = { id, ok: false, error: toPayload(e) };
    }
    channel.send(response, exitAfter);
  });
  // The app went away: leave no orphan holding a token session.
  process.on('disconnect', () => {
    dropAllLogins();
    process.exit(0);
  });
  channel.send({ ready: true, protocol: PROTOCOL_VERSION, pid: process.pid });
}

main();
