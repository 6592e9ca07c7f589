// "Khóa" (header button, Ctrl+L): the window drops every document at once, then the staged files
// of an unfinished registration are discarded and the session is locked on the other side.
import { desk } from '../../ipc/desk';
import { useApp } from '../../stores/app';
import { draftStagedIds } from '../../stores/registerDraft';

export async function lockWorkstation(): Promise<void> {
  const staged = draftStagedIds();
  useApp.getState().locked({ kind: 'manual' });
  await Promise.all(staged.map((stagedId) => desk.invoke('staging.discard', { stagedId }).catch(() => undefined)));
  await desk.invoke('session.lock', {}).catch(() => undefined);
}
