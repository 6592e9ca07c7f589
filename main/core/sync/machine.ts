// Where the agency server is and which CA its certificate must chain to, from the machine
// configuration (machine.json, written by IT; the app cannot change it):
//   "agencyServer": { "url": "https://sync.vptu.local:8443", "ca": ["C:\\ProgramData\\SecureDesk\\agency-ca.pem"] }
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { TransportOptions } from './transport';

const agencyServerSchema = z.strictObject({
  url: z.string().url().refine((u) => u.startsWith('https://'), { message: 'must be an https:// address' }),
  ca: z.array(z.string().min(1)).min(1).max(8),
});

export class AgencyServerConfigError extends Error {
  override readonly name = 'AgencyServerConfigError';
}

/** Transport options from a parsed machine configuration; null when no agency server is configured. */
export async function agencyServerFromMachine(machine: Record<string, unknown> | null): Promise<TransportOptions | null> {
  const raw = machine?.agencyServer;
  if (raw === undefined) return null;
  const parsed = agencyServerSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new AgencyServerConfigError(`machine configuration: agencyServer.${i.path.join('.')}: ${i.message}`);
  }
  const pems = await Promise.all(parsed.data.ca.map(async (f) => {
    const text = await readFile(f, 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new AgencyServerConfigError(`machine configuration: agencyServer.ca: ${f} cannot be read (${e.code ?? e.message})`);
    });
    if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new AgencyServerConfigError(`machine configuration: agencyServer.ca: ${f} holds no PEM certificate`);
    return text;
  }));
  return { url: parsed.data.url, caPem: pems.join('\n') };
}
