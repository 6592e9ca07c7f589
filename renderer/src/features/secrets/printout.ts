// The composed printout behind its one-use ticket: fetched once from the same URL scheme the viewer
// uses (app:// in Electron, the development host's /blob/ with its bearer token in a browser) and kept
// in this window only, as an object URL, to be opened, saved or sent to the printer from there.
import { DeskError } from '../../../../common/errors';
import { viewerHeaders } from '../../ipc/desk';

export async function fetchPrintout(url: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url, { headers: viewerHeaders(), cache: 'no-store' });
  } catch {
    throw DeskError.keyed('INTERNAL', 'transport.lost');
  }
  if (!res.ok) throw DeskError.keyed('INTERNAL', 'transport.refused', { status: res.status });
  const blob = await res.blob();
  return URL.createObjectURL(new Blob([blob], { type: 'application/pdf' }));
}

/** Saves the printout through the browser's download (the Electron shell asks where, by policy). */
export function savePrintout(objectUrl: string, fileName: string): void {
  const a = document.createElement('a');
  a.href = objectUrl;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
}
