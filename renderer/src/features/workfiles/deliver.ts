// A work file's export behind one-use tickets (PDF and XML): in Electron main saves each through its
// own dialog, into a folder policy allows for the file's level; in a browser (development host) each
// is fetched once and handed to the browser's download. The page never names a path.
import type { WorkFileExportFile } from '../../../../common/contract';
import { DeskError } from '../../../../common/errors';
import { desk, viewerHeaders } from '../../ipc/desk';
import { mainDelivers } from '../secrets/OutputDelivery';

export async function deliverExport(out: WorkFileExportFile, mime: string): Promise<'saved' | 'downloaded' | 'cancelled'> {
  if (mainDelivers()) return (await desk.saveOutput!(out.ticket)).saved ? 'saved' : 'cancelled';
  let res: Response;
  try {
    res = await fetch(out.url, { headers: viewerHeaders(), cache: 'no-store' });
  } catch {
    throw DeskError.keyed('INTERNAL', 'transport.lost');
  }
  if (!res.ok) throw DeskError.keyed('INTERNAL', 'transport.refused', { status: res.status });
  const url = URL.createObjectURL(new Blob([await res.blob()], { type: mime }));
  try {
    const a = document.createElement('a');
    a.href = url;
    a.download = out.fileName;
    a.rel = 'noopener';
    document.body.appendChild(a);
    a.click();
    a.remove();
  } finally {
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
  return 'downloaded';
}
