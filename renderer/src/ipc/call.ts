// Every contract call from the UI goes through here: errors that mean the same thing everywhere
// are handled once (NO_SESSION -> sign-in, READ_ONLY -> banner, INTERNAL -> toast) and rethrown,
// so each screen deals only with what it understands (VALIDATION at the field, DUPLICATE …).
import type { Channel, InputOf, OutputOf, PickedFiles, StagedFile } from '../../../common/contract';
import { DeskError } from '../../../common/errors';
import { errorText } from '../i18n/errors';
import { useApp } from '../stores/app';
import { toast } from '../stores/toasts';
import { desk } from './desk';

const GLOBAL_CODES = new Set<string>(['NO_SESSION', 'READ_ONLY', 'INTERNAL']);

export function asDeskError(err: unknown): DeskError {
  if (err instanceof DeskError) return err;
  return DeskError.keyed('INTERNAL', 'internal.short');
}

function route(err: DeskError): void {
  switch (err.code) {
    case 'NO_SESSION':
      useApp.getState().sessionEnded(err);
      break;
    case 'READ_ONLY':
      useApp.getState().markReadOnly(err);
      break;
    case 'INTERNAL':
      toast.error(errorText(err));
      break;
    default:
      break;
  }
}

export async function call<C extends Channel>(channel: C, input: InputOf<C>): Promise<OutputOf<C>> {
  try {
    return await desk.invoke(channel, input);
  } catch (e) {
    const err = asDeskError(e);
    route(err);
    throw err;
  }
}

export async function stageFile(file: File): Promise<StagedFile> {
  try {
    return await desk.stageFile(file);
  } catch (e) {
    const err = asDeskError(e);
    route(err);
    throw err;
  }
}

/** Electron: main opens the file picker itself and stages the chosen files (no path reaches the page). */
export const canPickFiles = (): boolean => typeof desk.pickFiles === 'function';

export async function pickFiles(): Promise<PickedFiles> {
  try {
    return await desk.pickFiles!();
  } catch (e) {
    const err = asDeskError(e);
    route(err);
    throw err;
  }
}

/** Shows an error that was not already shown by the global handling above. */
export function reportError(err: unknown): void {
  const e = asDeskError(err);
  if (!GLOBAL_CODES.has(e.code)) toast.error(errorText(e));
}

export const isGloballyHandled = (err: DeskError): boolean => GLOBAL_CODES.has(err.code);
