// Events main pushes to the window (Electron: `${IPC_PREFIX}event`; development host: GET /events).
// Electron-free, so the development host builds the same payloads. A pushed event never carries
// document content: only that the session was locked, and why.
import { IPC_PREFIX, type DeskEvent } from '../../common/contract';
import type { LockReason, SessionGuard } from '../core/session/guard';

export const EVENT_CHANNEL = `${IPC_PREFIX}event`;

/** The pushed form of a lock: why, and for an idle lock after how long. */
export function lockEvent(reason: LockReason, guard: Pick<SessionGuard, 'idleMs'>): DeskEvent {
  return reason === 'idle'
    ? { type: 'session.locked', reason, idleSeconds: Math.round(guard.idleMs / 1000) }
    : { type: 'session.locked', reason };
}
