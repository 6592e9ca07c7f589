import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where a workstation profile lives when none is named: the same folder the Electron app uses. */
export function defaultProfileDir(): string {
  if (process.env.SECUREDESK_PROFILE) return process.env.SECUREDESK_PROFILE;
  if (process.platform === 'win32') return join(process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'SecureDesk', 'profile');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'SecureDesk', 'profile');
  return join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'SecureDesk', 'profile');
}
