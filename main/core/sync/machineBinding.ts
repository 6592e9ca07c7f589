// A profile moved to another computer (a backup restored onto a new machine, a profile folder copied to
// set up the agency's next workstation) must not go on under the workstation id it came with: two
// workstations under one origin would each take the other's events for their own, and the server would
// take the copy's numbers and decisions for the original's (sync/workstation.ts). IT need not remember
// it: the profile keeps a fingerprint of the computer it runs on, and the first open on another computer
// takes a new workstation id before anything is written (the write gate's verdict listener runs before
// any queued write), audited with the reason. Same computer: nothing happens. A computer that gives no
// identity (no machine-id): nothing is checked, said once in the log.
//
// What the new id leaves behind: the events the profile held are the old workstation's, sent by it (the
// copy's push cursors start after them); a register whose home was the old id keeps it until an
// administrator moves it (docs/server.md, "Moving a register's home").
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { appendAudit } from '../audit/auditLog';
import type { Db } from '../db/connection';
import { writeTx } from '../db/transaction';
import { getSetting, setSetting } from '../profile/settings';
import { takeNewWorkstationId } from './workstation';

/** Read once per process (on Windows a `reg` child process): it does not change while the app runs. */
let known: { id: string | null } | null = null;

/** The operating system's identity of this computer, or null when it gives none. */
export function machineIdentity(): string | null {
  known ??= { id: readMachineIdentity() };
  return known.id;
}

function readMachineIdentity(): string | null {
  try {
    if (process.platform === 'win32') {
      // Set at Windows setup, kept across updates; a cloned image run through sysprep gets a new one.
      const out = execFileSync('reg', ['query', 'HKLM\\SOFTWARE\\Microsoft\\Cryptography', '/v', 'MachineGuid'], { encoding: 'utf8', timeout: 5000, windowsHide: true });
      return /MachineGuid\s+REG_SZ\s+([0-9a-fA-F-]{36})/.exec(out)?.[1]?.toLowerCase() ?? null;
    }
    for (const f of ['/etc/machine-id', '/var/lib/dbus/machine-id']) {
      const id = readFileSync(f, 'utf8').trim();
      if (/^[0-9a-f]{32}$/.test(id)) return id;
    }
  } catch {
    /* none */
  }
  return null;
}

/** What the profile keeps: a hash, never the identity itself. */
export function machineFingerprint(identity: string): string {
  return createHash('sha256').update(`securedesk-machine:${identity}`).digest('hex');
}

export type MachineCheck =
  | { outcome: 'bound' | 'same' | 'unknown' }
  | { outcome: 'moved'; previous: string | null; id: string };

/** Inside the first write of a session: binds the profile to this computer, or takes a new workstation id when it moved. */
export function checkMachine(db: Db, identity: string | null, now: Date): MachineCheck {
  if (identity === null) return { outcome: 'unknown' };
  const fingerprint = machineFingerprint(identity);
  return writeTx(db, () => {
    const kept = getSetting(db, 'workstation_machine');
    if (kept === fingerprint) return { outcome: 'same' } as const;
    setSetting(db, 'workstation_machine', fingerprint);
    // A profile from before this check: bound to the computer it is on now, its id kept.
    if (kept === undefined) return { outcome: 'bound' } as const;
    const previous = getSetting(db, 'workstation_id') ?? null;
    const id = takeNewWorkstationId(db, now);
    appendAudit(db, { userId: null, action: 'sync.workstation_moved', details: { previous, id, reason: 'machine_changed' } }, now.toISOString());
    return { outcome: 'moved', previous, id } as const;
  });
}
