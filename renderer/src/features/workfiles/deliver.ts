// A work file's export behind one-use tickets (PDF and XML), delivered as every output file is
// (secrets/registerFile.ts): saved by main in Electron, downloaded once in a browser.
import type { WorkFileExportFile } from '../../../../common/contract';
import { deliverTicket } from '../secrets/registerFile';

export async function deliverExport(out: WorkFileExportFile, mime: string): Promise<'saved' | 'downloaded' | 'cancelled'> {
  return (await deliverTicket(out, mime)).how;
}
