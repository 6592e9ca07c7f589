// A register file the core produced: in a browser (development host) it is behind a one-use ticket,
// fetched once and handed to the browser's download; in Electron the main process has already saved
// it where the person chose in its own save dialog (the window never names a path).
import type { RegisterOutputFile } from '../../../../common/contract';
import { DeskError } from '../../../../common/errors';
import { viewerHeaders } from '../../ipc/desk';

const MIME = { pdf: 'application/pdf', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' } as const;

export async function deliverRegisterFile(out: RegisterOutputFile): Promise<'saved' | 'downloaded'> {
  if (out.savedTo !== null || out.url === null) return 'saved';
  let res: Response;
  try {
    res = await fetch(out.url, { headers: viewerHeaders(), cache: 'no-store' });
  } catch {
    throw DeskError.keyed('INTERNAL', 'transport.lost');
  }
  if (!res.ok) throw DeskError.keyed('INTERNAL', 'transport.refused', { status: res.status });
  const url = URL.createObjectURL(new Blob([await res.blob()], { type: MIME[out.format] }));
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
  return 'downloaded';
}
