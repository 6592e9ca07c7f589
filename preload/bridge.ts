// The window.desk object, built over an abstract transport so it can be tested without Electron
// (index.ts supplies the Electron transport). Nothing here imports 'electron'.
//
// What crosses the contextBridge: contextBridge copies values between the isolated preload world
// and the page. Plain objects, arrays, primitives, Promises and File/Blob cross intact; class
// instances lose their prototype and an Error loses every property but its message. So a refusal
// is rejected with a PLAIN OBJECT, not an Error:
//
//   { name: 'DeskError', code: ErrorCode, message: string (Vietnamese, for the user),
//     key?, params?, fields?: Record<string, string>, fieldKeys?, details?: Record<string, unknown> }
//
// which is a DeskErrorPayload plus `name`: the renderer tests it with isDeskErrorPayload() and may
// rebuild a class with DeskError.fromPayload(). No stack, no path, no IPC event ever crosses.
import { isChannel, toDeskEvent, type DeskApi, type DeskEvent, type PickedFiles, type PrinterChoice, type StagedFile, type Wire } from '../common/contract';
import type { DeskErrorPayload, ErrorCode } from '../common/errors';
import { viMessage, type MessageKey, type MessageParams } from '../common/messages';

export interface DeskTransport {
  /** ipcRenderer.invoke(`${IPC_PREFIX}invoke`, channel, input) */
  invoke(channel: string, input: unknown): Promise<unknown>;
  /** ipcRenderer.invoke(`${IPC_PREFIX}stage`, path, name) */
  stage(path: string, name: string): Promise<unknown>;
  /** ipcRenderer.invoke(`${IPC_PREFIX}pickFiles`): main's file picker, the chosen files staged. */
  pickFiles?(): Promise<unknown>;
  /** ipcRenderer.invoke(`${IPC_PREFIX}printers`) */
  printers?(): Promise<unknown>;
  /** ipcRenderer.invoke(`${IPC_PREFIX}printOutput`, {ticket, printer}) */
  printOutput?(input: { ticket: string; printer: string }): Promise<unknown>;
  /** ipcRenderer.invoke(`${IPC_PREFIX}saveOutput`, {ticket}) */
  saveOutput?(input: { ticket: string }): Promise<unknown>;
  /** webUtils.getPathForFile: '' for a File that is not on disk. */
  pathForFile(file: File): string;
  /** ipcRenderer.on(`${IPC_PREFIX}event`): the payload only (never the IPC event); returns the unsubscribe. */
  subscribe?(listener: (payload: unknown) => void): () => void;
}


export type BridgeError = DeskErrorPayload & { name: 'DeskError' };

export function bridgeError(code: ErrorCode, message: string, extra: Pick<DeskErrorPayload, 'key' | 'params' | 'fields' | 'fieldKeys' | 'details'> = {}): BridgeError {
  return {
    name: 'DeskError',
    code,
    message,
    ...(extra.key ? { key: extra.key } : {}),
    ...(extra.params ? { params: extra.params } : {}),
    ...(extra.fields ? { fields: extra.fields } : {}),
    ...(extra.fieldKeys ? { fieldKeys: extra.fieldKeys } : {}),
    ...(extra.details ? { details: extra.details } : {}),
  };
}

/** A refusal made here, worded from the catalog like the core's. */
const keyedError = (code: ErrorCode, key: MessageKey, params?: MessageParams): BridgeError =>
  bridgeError(code, viMessage(key, params), { key, ...(params ? { params: { ...params } } : {}) });

async function unwrap<T>(call: () => Promise<unknown>): Promise<T> {
  let wire: Wire<T>;
  try {
    wire = (await call()) as Wire<T>;
  } catch {
    throw keyedError('INTERNAL', 'transport.failed');
  }
  if (wire && typeof wire === 'object' && wire.ok === true) return wire.value;
  if (wire && typeof wire === 'object' && wire.ok === false && wire.error && typeof wire.error.code === 'string') {
    const e = wire.error;
    throw bridgeError(e.code, String(e.message), {
      ...(e.key ? { key: e.key } : {}),
      ...(e.params ? { params: e.params } : {}),
      ...(e.fields ? { fields: e.fields } : {}),
      ...(e.fieldKeys ? { fieldKeys: e.fieldKeys } : {}),
      ...(e.details ? { details: e.details } : {}),
    });
  }
  throw keyedError('INTERNAL', 'transport.failed');
}

export function createDeskApi(t: DeskTransport): DeskApi {
  const invoke = async (channel: unknown, input: unknown): Promise<unknown> => {
    // Checked here too, against the contract itself, so a typo fails before it reaches main.
    if (!isChannel(channel)) throw keyedError('UNKNOWN_CHANNEL', 'request.invalid');
    return unwrap(() => t.invoke(channel, input));
  };
  const stageFile = async (file: File): Promise<StagedFile> => {
    let path = '';
    try {
      path = t.pathForFile(file);
    } catch {
      path = '';
    }
    const name = typeof file?.name === 'string' ? file.name : '';
    if (!path) throw keyedError('FILE_UNREADABLE', 'file.notOnDisk', { name });
    return unwrap<StagedFile>(() => t.stage(path, name));
  };
  const onEvent = (listener: (event: DeskEvent) => void): (() => void) => {
    if (typeof listener !== 'function' || !t.subscribe) return () => {};
    return t.subscribe((payload) => {
      const event = toDeskEvent(payload);
      if (event) listener(event);
    });
  };
  const pick = t.pickFiles;
  const pickFiles = pick ? () => unwrap<PickedFiles>(() => pick()) : undefined;
  const { printers, printOutput, saveOutput } = t;
  const outputs = {
    ...(printers ? { printers: () => unwrap<PrinterChoice[]>(() => printers()) } : {}),
    ...(printOutput ? { printOutput: (ticket: string, printer: string) => unwrap<{ printer: string }>(() => printOutput({ ticket: String(ticket), printer: String(printer) })) } : {}),
    ...(saveOutput ? { saveOutput: (ticket: string) => unwrap<{ saved: boolean; name?: string }>(() => saveOutput({ ticket: String(ticket) })) } : {}),
  };
  return Object.freeze({ invoke: invoke as DeskApi['invoke'], stageFile, onEvent, ...(pickFiles ? { pickFiles } : {}), ...outputs });
}
