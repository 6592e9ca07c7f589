// The renderer's typed client. In Electron the preload exposes `window.desk`; in a browser served
// by the development host the same DeskApi is spoken over loopback HTTP with a bearer token, and
// pushed events arrive on GET /events.
import { isChannel, toDeskEvent, type Channel, type DeskApi, type DeskEvent, type InputOf, type OutputOf, type StagedFile, type Wire } from '../../../common/contract';
import { DeskError, isDeskErrorPayload } from '../../../common/errors';
import { httpEventSource } from './events';

declare global {
  interface Window {
    desk?: DeskApi;
  }
}

const TOKEN_KEY = 'securedesk.devhost.token';

function devhostToken(): string {
  const fromHash = /(?:^#|&)token=([0-9a-f]{64})/.exec(window.location.hash)?.[1];
  if (fromHash) {
    sessionStorage.setItem(TOKEN_KEY, fromHash);
    history.replaceState(null, '', window.location.pathname + window.location.search);
    return fromHash;
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

function unwrap<T>(wire: unknown): T {
  const w = wire as Wire<T>;
  if (w && w.ok === true) return w.value;
  if (w && w.ok === false && isDeskErrorPayload(w.error)) throw DeskError.fromPayload(w.error);
  throw DeskError.keyed('INTERNAL', 'transport.badResponse');
}

function httpDesk(): DeskApi {
  const token = devhostToken();
  const post = async (path: string, body: BodyInit, headers: Record<string, string>) => {
    let res: Response;
    try {
      res = await fetch(path, { method: 'POST', body, headers: { Authorization: `Bearer ${token}`, ...headers } });
    } catch {
      throw DeskError.keyed('INTERNAL', 'transport.lost');
    }
    if (res.status === 401) throw DeskError.keyed('NO_SESSION', 'transport.unauthorized');
    if (!res.ok) throw DeskError.keyed('INTERNAL', 'transport.refused', { status: res.status });
    return unwrap(await res.json());
  };
  return {
    invoke<C extends Channel>(channel: C, input: InputOf<C>): Promise<OutputOf<C>> {
      if (!isChannel(channel)) return Promise.reject(DeskError.keyed('UNKNOWN_CHANNEL', 'request.invalid'));
      return post(`/ipc/${channel}`, JSON.stringify(input ?? {}), { 'Content-Type': 'application/json' }) as Promise<OutputOf<C>>;
    },
    stageFile(file: File): Promise<StagedFile> {
      return post('/stage', file, { 'Content-Type': 'application/octet-stream', 'X-File-Name': encodeURIComponent(file.name) }) as Promise<StagedFile>;
    },
    onEvent: httpEventSource(token),
  };
}

/** Errors thrown across the preload lose their class; rebuild a DeskError from their fields. */
function fromBridge(err: unknown): DeskError {
  if (err instanceof DeskError) return err;
  const e = err as Record<string, unknown> | null;
  const payload = { code: e?.code, message: e?.message, key: e?.key, params: e?.params, fields: e?.fields, fieldKeys: e?.fieldKeys, details: e?.details };
  if (isDeskErrorPayload(payload)) return DeskError.fromPayload(payload);
  return DeskError.keyed('INTERNAL', 'internal.short');
}

function electronDesk(api: DeskApi): DeskApi {
  return {
    invoke: (channel, input) => api.invoke(channel, input).catch((e: unknown) => Promise.reject(fromBridge(e))),
    stageFile: (file) => api.stageFile(file).catch((e: unknown) => Promise.reject(fromBridge(e))),
    onEvent: (listener: (event: DeskEvent) => void) =>
      api.onEvent((raw) => {
        const event = toDeskEvent(raw);
        if (event) listener(event);
      }),
    ...(api.pickFiles ? { pickFiles: () => api.pickFiles!().catch((e: unknown) => Promise.reject(fromBridge(e))) } : {}),
    ...(api.printers ? { printers: () => api.printers!().catch((e: unknown) => Promise.reject(fromBridge(e))) } : {}),
    ...(api.printOutput ? { printOutput: (ticket: string, printer: string) => api.printOutput!(ticket, printer).catch((e: unknown) => Promise.reject(fromBridge(e))) } : {}),
    ...(api.saveOutput ? { saveOutput: (ticket: string) => api.saveOutput!(ticket).catch((e: unknown) => Promise.reject(fromBridge(e))) } : {}),
  };
}

export const desk: DeskApi = window.desk ? electronDesk(window.desk) : httpDesk();

/** What the viewer sends with an attachment URL: the development host's bearer token; nothing in Electron. */
export const viewerHeaders = (): Record<string, string> => (window.desk ? {} : { Authorization: `Bearer ${devhostToken()}` });
export { DeskError };
