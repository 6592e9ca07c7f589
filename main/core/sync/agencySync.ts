// The agency server's sync for the app and the development host: configured once per machine
// (machine.json agencyServer: its https URL and the CA its certificate must chain to; nothing the
// window sends names a server), started when someone signs in and stopped when the profile locks.
// The person's token signs the server's nonce; their clearance bounds the levels carried.
import type { Desk } from '../desk';
import type { Logger } from '../log';
import type { SessionGuard } from '../session/guard';
import { SyncService } from './SyncService';

export interface AgencyServerConfig { url: string; caPem: string }

export interface AgencySyncHandle {
  (): { service: SyncService | null; server: string | null; running: boolean };
}

export function attachAgencySync(desk: Desk, guard: SessionGuard, config: AgencyServerConfig | null, log: Logger, intervalMs = 15_000): AgencySyncHandle {
  let service: SyncService | null = null;
  if (config) {
    guard.on('unlocked', (session) => {
      service?.close();
      service = new SyncService(desk, {
        transport: { url: config.url, caPem: config.caPem, timeoutMs: 30_000 },
        signer: () => {
          const actor = desk.session;
          try {
            return actor ? guard.signingKey(actor) : null;
          } catch {
            return null; // no signing key on this token: the panel shows the sign-in error
          }
        },
        clearance: session.user.clearance,
      });
      service.start(intervalMs);
      log.log('info', 'agency sync started', { server: config.url });
    });
    guard.on('locked', () => {
      service?.close();
      service = null;
    });
  }
  return () => ({ service, server: config?.url ?? null, running: service !== null });
}
