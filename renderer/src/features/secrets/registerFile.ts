// A file the core produced, behind a one-use ticket (a register, a work file's export): in a browser
// (development host) fetched once and handed to the browser's download; in Electron main saves it
// through its own dialog, into a folder policy allows for classified files (main/app/outputs.ts; the
// window never names a path). The one helper every output of a file goes through.
import type { RegisterOutputFile } from '../../../../common/contract';
import { DeskError } from '../../../../common/errors';
import { desk, viewerHeaders } from '../../ipc/desk';
import { mainDelivers } from './OutputDelivery';

const MIME = { pdf: 'application/pdf', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' } as const;

export type Delivered = { how: 'saved' | 'downloaded' | 'cancelled'; name: string };

/** Delivers the file behind `out.ticket` (saved by main in Electron, else downloaded once as `mime`). */
export async function deliverTicket(out: { ticket: string; url: string; fileName: string }, mime: string): Promise<Delivered> {
  if (mainDelivers()) {
    const r = await desk.saveOutput!(out.ticket);
    return r.saved ? { how: 'saved', name: r.name ?? out.fileName } : { how: 'cancelled', name: out.fileName };
  }
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
    // The download has its own copy once started.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
  return { how: 'downloaded', name: out.fileName };
}

export function deliverRegisterFile(out: Pick<RegisterOutputFile, 'ticket' | 'url' | 'fileName' | 'format'>): Promise<Delivered> {
  return deliverTicket(out, MIME[out.format]);
}
