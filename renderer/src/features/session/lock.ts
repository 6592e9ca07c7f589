// "Khóa" (header button, Ctrl+L): the draft of an unfinished registration is read (and saved in the
// profile for this person, its staged files kept), the window drops every document at once, then
// the session is locked on the other side.
import { desk } from '../../ipc/desk';
import { useApp } from '../../stores/app';
import { saveDraftNow } from '../../stores/registerDraft';

export async function lockWorkstation(): Promise<void> {
  const saving = saveDraftNow(); // reads the draft before the wipe below
  useApp.getState().locked({ kind: 'manual' });
  await saving;
  await desk.invoke('session.lock', {}).catch(() => undefined);
}
